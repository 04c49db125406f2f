"""The send_reminders case of `make bench`: the daily run (the service
notifications.services.send_reminders, not the command) for 10,000 open action
points and 2,000 people with addresses, on a Monday (coordinators' digests too),
with about a quarter of the points overdue, a few due within 14 days and one in
seven stale.

Each run happens inside a transaction that is rolled back, so every run starts
from the same data: the first run of the day (records, queues, enqueues), then a
second run of the same day (finds everything again, records and sends nothing),
then the worker's part for one task: its deliveries rendered and handed to
Django's locmem email backend.

The number of queries must not follow the number of people. Some INSERTs follow
the volume by design: one per bulk_create batch of notifications and of
deliveries (1,000 rows on PostgreSQL; on SQLite, as many as its 999 parameters
allow) and one per task enqueued (50 deliveries each, database backend). Those
are counted apart; the other queries, "fixed", must be the same for the same
points with 1,000 and with 2,000 people, and for half the points.
"""

from __future__ import annotations

import datetime
import random
import re
import statistics
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, reset_queries, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from actionplans.choices import ActionPointStatus, FocalPointRole, PlanStatus, PlanVisibility
from actionplans.models import ActionPlan, ActionPoint, Challenge, FocalPoint, WorkingGroup
from notifications import delivery
from notifications.models import Delivery, Notification, Preference
from notifications.services import send_reminders
from orgs.models import Person

# (action points, people): the case reported, and the two it is compared with.
CONFIGURATIONS = [(10_000, 1_000), (10_000, 2_000), (5_000, 2_000)]
OPEN = [ActionPointStatus.NOT_STARTED, ActionPointStatus.IN_PROGRESS, ActionPointStatus.BLOCKED]
# Due dates from 90 days ago to 270 days ahead: a quarter overdue, a few due within
# the 14 days of the first reminder; one point in seven unchanged for 200 days (stale).
DUE_FROM, DUE_TO = -90, 270
RUNS = 3


# Tables whose INSERTs follow the volume: bulk_create batches and task enqueues.
VOLUME = {
    "notifications_notification": "notification batches",
    "notifications_delivery": "delivery batches",
    "django_tasks_database_dbtaskresult": "tasks enqueued",
}
# SQLite writes bulk_create(ignore_conflicts=True) as INSERT OR IGNORE.
INSERT = re.compile(r'\s*INSERT (?:OR IGNORE )?INTO "?(\w+)"?', re.IGNORECASE)


@dataclass
class Queries:
    total: int
    fixed: int
    volume: dict[str, int]

    def __str__(self) -> str:
        volume = ", ".join(f"{count} {name}" for name, count in self.volume.items() if count)
        return f"{self.total:4d} queries ({self.fixed} fixed{', ' + volume if volume else ''})"


def _queries(captured: list[dict]) -> Queries:
    volume = dict.fromkeys(VOLUME.values(), 0)
    for query in captured:
        match = INSERT.match(query["sql"])
        if match and match.group(1) in VOLUME:
            volume[VOLUME[match.group(1)]] += 1
    return Queries(len(captured), len(captured) - sum(volume.values()), volume)


def _measure(call) -> tuple[float, Queries, object]:
    reset_queries()  # the query log holds 9,000 queries: start each count afresh
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        result = call()
        elapsed = time.perf_counter() - start
    return elapsed, _queries(captured.captured_queries), result


@dataclass
class Figures:
    points: int
    people: int
    notifications: int
    deliveries: int
    tasks: int
    first_ms: float
    first_max_ms: float
    first: Queries
    second_ms: float
    second: Queries
    batch_ms: float
    batch: Queries
    batch_size: int


def monday() -> datetime.date:
    """The latest Monday: the default digest day, so the digests are part of the run."""
    today = timezone.localdate()
    return today - datetime.timedelta(days=today.weekday())


def generate(points: int, people: int, today: datetime.date, seed: int = 14) -> None:
    """Active plans of about 300 open action points each; each plan's team is its share
    of the people (all with an address); groups of a leader and 3-7 members carry the
    points, with 1-3 focal points each; one coordinator account per plan."""
    call_command("flush", interactive=False, verbosity=0)
    rng = random.Random(seed)
    plans = ActionPlan.objects.bulk_create(
        ActionPlan(
            title=f"Reminders plan {index + 1}",
            country="Lebanon",
            status=PlanStatus.ACTIVE,
            visibility=PlanVisibility.MEMBERS,
        )
        for index in range(max(3, points // 300))
    )
    persons = Person.objects.bulk_create(
        (
            Person(
                name=f"Person {index}",
                match_key=f"person {index}",
                email=f"person{index}@example.org",
            )
            for index in range(people)
        ),
        batch_size=1000,
    )
    # A tenth of the people chose their own lead days or muted a kind.
    Preference.objects.bulk_create(
        Preference(
            email=person.email,
            lead_days=[7, 1] if index % 2 else [],
            muted_kinds=[] if index % 2 else ["stale"],
        )
        for index, person in enumerate(persons[::10])
    )
    coordinator_model = get_user_model()
    for plan in plans:
        user = coordinator_model.objects.create_user(
            f"coordinator-{plan.pk}", f"coordinator{plan.pk}@example.org"
        )
        plan.coordinators.add(user)
    teams = {plan.pk: persons[index :: len(plans)] for index, plan in enumerate(plans)}

    groups = WorkingGroup.objects.bulk_create(
        WorkingGroup(
            plan=plan, number=number, name=f"Group {number}", team_leader=rng.choice(teams[plan.pk])
        )
        for plan in plans
        for number in range(1, 9)
    )
    through = WorkingGroup.team_members.through
    through.objects.bulk_create(
        (
            through(workinggroup_id=group.pk, person_id=person.pk)
            for group in groups
            for person in rng.sample(teams[group.plan_id], k=rng.randint(3, 7))
        ),
        batch_size=1000,
    )
    challenges = Challenge.objects.bulk_create(
        (
            Challenge(working_group=group, number=number, description=f"Challenge {number}")
            for group in groups
            for number in range(1, 6)
        ),
        batch_size=1000,
    )
    plan_of = {group.pk: group.plan_id for group in groups}
    action_points = []
    for index in range(points):
        challenge = challenges[index % len(challenges)]
        due = today + datetime.timedelta(days=rng.randint(DUE_FROM, DUE_TO))
        action_points.append(
            ActionPoint(
                challenge=challenge,
                position=index // len(challenges) + 1,
                description=f"Action point {index + 1}",
                deadline=due.isoformat(),
                due_date=due,
                deadline_precision="day",
                status=rng.choice(OPEN),
                progress=rng.randrange(0, 100, 10),
            )
        )
    action_points = ActionPoint.objects.bulk_create(action_points, batch_size=1000)
    ActionPoint.objects.filter(pk__in=[p.pk for p in action_points[::7]]).update(
        updated=timezone.now() - datetime.timedelta(days=200)
    )
    roles = [FocalPointRole.LEAD, FocalPointRole.SUPPORT, FocalPointRole.ADVISOR]
    FocalPoint.objects.bulk_create(
        (
            FocalPoint(action_point=point, person=person, role=role)
            for point in action_points
            for role, person in zip(
                roles,
                rng.sample(teams[plan_of[point.challenge.working_group_id]], k=rng.randint(1, 3)),
                strict=False,
            )
        ),
        batch_size=1000,
    )


def _runs(points: int, people: int, today: datetime.date) -> Figures:
    first, second, batch = [], [], []
    for _ in range(RUNS):
        with transaction.atomic():
            elapsed, first_queries, result = _measure(lambda: send_reminders(today))
            first.append(elapsed)
            notifications = Notification.objects.count()
            deliveries = Delivery.objects.count()

            elapsed, second_queries, again = _measure(lambda: send_reminders(today))
            second.append(elapsed)
            assert (len(again.new), again.deliveries, again.tasks) == (0, 0, 0), again

            ids = list(
                Delivery.objects.order_by("id").values_list("id", flat=True)[: delivery.BATCH]
            )
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                elapsed, batch_queries, outcome = _measure(lambda ids=ids: delivery.send(ids))
            batch.append(elapsed)
            assert outcome["sent"] + outcome["nothing"] == len(ids), outcome
            transaction.set_rollback(True)
    return Figures(
        points=points,
        people=people,
        notifications=notifications,
        deliveries=deliveries,
        tasks=result.tasks,
        first_ms=round(statistics.median(first) * 1000, 1),
        first_max_ms=round(max(first) * 1000, 1),
        first=first_queries,
        second_ms=round(statistics.median(second) * 1000, 1),
        second=second_queries,
        batch_ms=round(statistics.median(batch) * 1000, 1),
        batch=batch_queries,
        batch_size=len(ids),
    )


def run() -> list[dict]:
    """Each configuration: generate, time, print; then check the query counts."""
    today = monday()
    figures = []
    for points, people in CONFIGURATIONS:
        start = time.perf_counter()
        generate(points, people, today)
        generated = time.perf_counter() - start
        print(
            f"\nsend_reminders: {points:,} open action points, {people:,} people "
            f"(generated in {generated:.1f} s), on {today:%A %Y-%m-%d}",
            flush=True,
        )
        f = _runs(points, people, today)
        figures.append(f)
        lines = [
            f"  first run  {f.first_ms:9.1f} ms  {f.first}: {f.notifications:,} "
            f"notifications, {f.deliveries:,} emails queued in {f.tasks} tasks",
            f"  second run {f.second_ms:9.1f} ms  {f.second}: nothing new",
            f"  one task   {f.batch_ms:9.1f} ms  {f.batch}: "
            f"{f.batch_size} emails rendered and sent (locmem)",
        ]
        print("\n".join(lines), flush=True)
    fixed = {(f.first.fixed, f.second.fixed) for f in figures}
    assert len(fixed) == 1, (
        f"send_reminders' fixed queries (first run, second run) vary with the data: {fixed}"
    )
    return [
        {
            "endpoint": f"send_reminders ({f.points:,} points, {f.people:,} people)",
            "size": f.points,
            "runs": RUNS,
            "median_ms": f.first_ms,
            "p95_ms": f.first_max_ms,  # of three runs: the slowest
            "queries": f.first.total,
            "floor_ms": None,
            "ratio_to_floor": None,
            "floor_with_count_ms": None,
            "ratio_to_floor_with_count": None,
            "seq_scans": None,
            "people": f.people,
            "notifications": f.notifications,
            "deliveries": f.deliveries,
            "tasks": f.tasks,
            "first_run_queries": vars(f.first),
            "second_run_ms": f.second_ms,
            "second_run_queries": vars(f.second),
            "one_task_ms": f.batch_ms,
            "one_task_queries": vars(f.batch),
            "one_task_emails": f.batch_size,
        }
        for f in figures
    ]
