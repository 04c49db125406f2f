"""Dashboard figures: what is done, late, due soon, stuck, and who carries what.

Selectors shared by the dashboard pages and the REST API's summary endpoint.
The live figures come from aggregation queries, a fixed number whatever the
plan's size. The "as of" figures rebuild the plan as it stood at the end of a
past day from the history tables and count in Python: more rows read, still a
fixed number of queries. Both produce the same PlanDashboard, and the tests
check that they agree.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncQuarter
from django.urls import reverse
from django.utils import timezone

from actionplans.choices import OPEN_STATUSES, ActionPointStatus, FocalPointRole
from actionplans.models import (
    ActionPlan,
    ActionPoint,
    Challenge,
    DeadlineChange,
    FocalPoint,
    WorkingGroup,
)
from actionplans.selectors import last_activity
from orgs.models import Person

SOON_DAYS = 30
STALE_DAYS = 60
LIST_LIMIT = 50
STATUSES = list(ActionPointStatus.values)
COMPLETED = ActionPointStatus.COMPLETED
CANCELLED = ActionPointStatus.CANCELLED
BLOCKED = ActionPointStatus.BLOCKED


def completion_rate(completed: int, total: int, cancelled: int) -> float | None:
    """Completed / all but cancelled, as a fraction; None when nothing counts."""
    counted = total - cancelled
    return completed / counted if counted else None


@dataclass
class StatusCounts:
    by_status: dict[str, int]
    overdue: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def completed(self) -> int:
        return self.by_status[COMPLETED]

    @property
    def open(self) -> int:
        return sum(self.by_status[s] for s in OPEN_STATUSES)

    @property
    def completion_rate(self) -> float | None:
        return completion_rate(self.completed, self.total, self.by_status[CANCELLED])


@dataclass
class Headline(StatusCounts):
    due_soon: int = 0
    stale: int = 0
    rescheduled: int = 0


@dataclass
class GroupRow(StatusCounts):
    group_id: int = 0
    number: int = 0
    name: str = ""


@dataclass
class WorkloadRow:
    """Open, overdue and completed action points of one person or organization."""

    key: int | None
    name: str
    open: int = 0
    overdue: int = 0
    completed: int = 0


@dataclass
class QuarterRow:
    start: datetime.date
    due: int = 0
    done: int = 0

    @property
    def label(self) -> str:
        return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"

    @property
    def end(self) -> datetime.date:
        return _quarter_end(self.start)


@dataclass
class SlipRow:
    action_point_id: int
    description: str
    changes: int
    days: int

    def get_absolute_url(self) -> str:
        return reverse("actionplans:actionpoint_detail", args=[self.action_point_id])


@dataclass
class PointRow:
    """An action point as the lists show it (live, or rebuilt from history)."""

    pk: int
    description: str
    deadline: str
    due_date: datetime.date | None
    status: str
    progress: int
    updated: datetime.datetime
    group_id: int = 0

    def get_absolute_url(self) -> str:
        return reverse("actionplans:actionpoint_detail", args=[self.pk])

    def get_status_display(self) -> str:
        return ActionPointStatus(self.status).label


@dataclass
class PlanDashboard:
    plan: ActionPlan
    today: datetime.date
    live: bool
    headline: Headline
    groups: list[GroupRow]
    leads: list[WorkloadRow]
    everyone: list[WorkloadRow]
    organizations: list[WorkloadRow]
    quarters: list[QuarterRow]
    slippage: list[SlipRow]
    lists: dict[str, list[PointRow]] = field(default_factory=dict)

    @property
    def slippage_days(self) -> int:
        return sum(row.days for row in self.slippage)

    @property
    def slippage_changes(self) -> int:
        return sum(row.changes for row in self.slippage)


# --- small date helpers ------------------------------------------------------------


def _quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _quarter_end(start: datetime.date) -> datetime.date:
    month = start.month + 3
    year = start.year + (month > 12)
    month = month - 12 if month > 12 else month
    return datetime.date(year, month, 1) - datetime.timedelta(days=1)


def _quarters_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    quarters, current = [], _quarter_start(first)
    while current <= last:
        quarters.append(current)
        current = _quarter_end(current) + datetime.timedelta(days=1)
    return quarters


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The last moment of a day in the site's time zone: "as of" means at its close."""
    start = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    return timezone.make_aware(start) - datetime.timedelta(microseconds=1)


def _stale_before(today: datetime.date) -> datetime.datetime:
    """Last changed on or before this moment = not updated for STALE_DAYS days."""
    return end_of_day(today - datetime.timedelta(days=STALE_DAYS))


# --- live figures: aggregation queries ---------------------------------------------


def _count_fields(today: datetime.date, prefix: str = "") -> dict:
    """Conditional counts of action points, reusable over related paths."""
    p = prefix
    open_q = Q(**{f"{p}status__in": OPEN_STATUSES})
    fields = {f"s_{s}": Count(f"{p}id", filter=Q(**{f"{p}status": s})) for s in STATUSES}
    fields["overdue"] = Count(f"{p}id", filter=open_q & Q(**{f"{p}due_date__lt": today}))
    return fields


def _status_counts(row: dict) -> dict[str, int]:
    return {s: row[f"s_{s}"] or 0 for s in STATUSES}


def plan_points(plan: ActionPlan) -> QuerySet[ActionPoint]:
    return ActionPoint.objects.filter(challenge__working_group__plan=plan)


def plan_headline(plan: ActionPlan, today: datetime.date) -> Headline:
    """The headline figures in one query (also the API summary's)."""
    open_q = Q(status__in=OPEN_STATUSES)
    row = plan_points(plan).aggregate(
        **_count_fields(today),
        due_soon=Count(
            "id",
            filter=open_q
            & Q(due_date__gte=today, due_date__lte=today + datetime.timedelta(days=SOON_DAYS)),
        ),
        stale=Count("id", filter=open_q & Q(updated__lte=_stale_before(today))),
        rescheduled=Count(
            "id", filter=Q(Exists(DeadlineChange.objects.filter(action_point=OuterRef("pk"))))
        ),
    )
    return Headline(
        by_status=_status_counts(row),
        overdue=row["overdue"],
        due_soon=row["due_soon"],
        stale=row["stale"],
        rescheduled=row["rescheduled"],
    )


def plan_group_rows(plan: ActionPlan, today: datetime.date) -> list[GroupRow]:
    """Status shares, completion and overdue per working group (groups without points too)."""
    rows = (
        WorkingGroup.objects.filter(plan=plan)
        .values("id", "number", "name")
        .annotate(**_count_fields(today, "challenges__action_points__"))
        .order_by("number")
    )
    return [
        GroupRow(
            by_status=_status_counts(row),
            overdue=row["overdue"],
            group_id=row["id"],
            number=row["number"],
            name=row["name"],
        )
        for row in rows
    ]


def _workload_fields(today: datetime.date, extra: Q, distinct: bool) -> dict:
    open_q = Q(action_point__status__in=OPEN_STATUSES) & extra
    return {
        "open": Count("action_point", filter=open_q, distinct=distinct),
        "overdue": Count(
            "action_point", filter=open_q & Q(action_point__due_date__lt=today), distinct=distinct
        ),
        "completed": Count(
            "action_point", filter=Q(action_point__status=COMPLETED) & extra, distinct=distinct
        ),
    }


def _workload_sort(rows: list[WorkloadRow]) -> list[WorkloadRow]:
    return sorted(rows, key=lambda r: (-r.overdue, -r.open, r.name.casefold()))


def plan_workload(
    plan: ActionPlan, today: datetime.date
) -> tuple[list[WorkloadRow], list[WorkloadRow], list[WorkloadRow]]:
    """Per focal point (lead role; all roles) and per organization: two queries."""
    focal_points = FocalPoint.objects.filter(action_point__challenge__working_group__plan=plan)
    lead = Q(role=FocalPointRole.LEAD)
    people = focal_points.values("person_id", "person__name").annotate(
        **_workload_fields(today, Q(), distinct=False),
        **{f"lead_{k}": v for k, v in _workload_fields(today, lead, distinct=False).items()},
        is_lead=Count("id", filter=lead),
    )
    everyone, leads = [], []
    for row in people:
        everyone.append(
            WorkloadRow(
                row["person_id"], row["person__name"], row["open"], row["overdue"], row["completed"]
            )
        )
        if row["is_lead"]:
            leads.append(
                WorkloadRow(
                    row["person_id"],
                    row["person__name"],
                    row["lead_open"],
                    row["lead_overdue"],
                    row["lead_completed"],
                )
            )
    organizations = [
        WorkloadRow(
            row["person__organization_id"],
            row["person__organization__name"] or "No organization",
            row["open"],
            row["overdue"],
            row["completed"],
        )
        for row in focal_points.values("person__organization_id", "person__organization__name")
        # distinct: two people of one organization on one action point count it once.
        .annotate(**_workload_fields(today, Q(), distinct=True))
    ]
    return _workload_sort(leads), _workload_sort(everyone), _workload_sort(organizations)


def plan_quarters(plan: ActionPlan) -> list[QuarterRow]:
    """Planned against delivered: per quarter, action points due and those completed."""
    rows = (
        plan_points(plan)
        .filter(due_date__isnull=False)
        .exclude(status=CANCELLED)
        .annotate(quarter=TruncQuarter("due_date"))
        .values("quarter")
        .annotate(due=Count("id"), done=Count("id", filter=Q(status=COMPLETED)))
        .order_by("quarter")
    )
    found = {row["quarter"]: row for row in rows}
    return _fill_quarters({key: (row["due"], row["done"]) for key, row in found.items()})


def _fill_quarters(found: dict[datetime.date, tuple[int, int]]) -> list[QuarterRow]:
    if not found:
        return []
    starts = _quarters_between(min(found), max(found))
    return [QuarterRow(start, *found.get(start, (0, 0))) for start in starts]


def plan_slippage(plan: ActionPlan) -> list[SlipRow]:
    """Action points whose deadline moved: how often, and by how many days in total."""
    changes = DeadlineChange.objects.filter(
        action_point__challenge__working_group__plan=plan
    ).values_list("action_point_id", "action_point__description", "old_due_date", "new_due_date")
    return _slip_rows(changes)


def _slip_rows(changes: Iterable[tuple]) -> list[SlipRow]:
    rows: dict[int, SlipRow] = {}
    for point_id, description, old, new in changes:
        row = rows.setdefault(point_id, SlipRow(point_id, description, 0, 0))
        row.changes += 1
        if old is not None and new is not None:
            row.days += (new - old).days
    return sorted(rows.values(), key=lambda r: (-r.days, -r.changes, r.action_point_id))


def _point_row(point: ActionPoint) -> PointRow:
    return PointRow(
        point.pk,
        point.description,
        point.deadline,
        point.due_date,
        point.status,
        point.progress,
        point.updated,
        point.challenge.working_group_id,
    )


def plan_lists(plan: ActionPlan, today: datetime.date) -> dict[str, list[PointRow]]:
    """Overdue (oldest first), due soon, stale and blocked: four bounded queries."""
    points = plan_points(plan).filter(status__in=OPEN_STATUSES).select_related("challenge")
    soon = today + datetime.timedelta(days=SOON_DAYS)
    queries = {
        "overdue": points.filter(due_date__lt=today).order_by("due_date", "id"),
        "due_soon": points.filter(due_date__gte=today, due_date__lte=soon).order_by(
            "due_date", "id"
        ),
        "stale": points.filter(updated__lte=_stale_before(today)).order_by("updated", "id"),
        "blocked": points.filter(status=BLOCKED).order_by("due_date", "id"),
    }
    return {name: [_point_row(p) for p in query[:LIST_LIMIT]] for name, query in queries.items()}


def plan_dashboard(plan: ActionPlan, today: datetime.date | None = None) -> PlanDashboard:
    """The plan's dashboard now: a fixed number of aggregation queries."""
    today = today or timezone.localdate()
    leads, everyone, organizations = plan_workload(plan, today)
    return PlanDashboard(
        plan=plan,
        today=today,
        live=True,
        headline=plan_headline(plan, today),
        groups=plan_group_rows(plan, today),
        leads=leads,
        everyone=everyone,
        organizations=organizations,
        quarters=plan_quarters(plan),
        slippage=plan_slippage(plan),
        lists=plan_lists(plan, today),
    )


# --- "as of" a past day: rebuilt from the history tables -----------------------------


def _latest(records: Iterable) -> dict[int, object]:
    """The last state of each object among history records ordered oldest first."""
    latest: dict[int, object] = {}
    for record in records:
        latest[record.id] = record
    return {key: record for key, record in latest.items() if record.history_type != "-"}


def plan_dashboard_as_of(plan: ActionPlan, day: datetime.date) -> PlanDashboard:
    """The dashboard as it stood at the end of `day`, from the history records.

    Six queries whatever the size; they read every history row of the plan
    up to that day, which is the price of looking back.
    """
    moment = end_of_day(day)
    upto = {"history_date__lte": moment}
    order = ("history_date", "history_id")
    groups = _latest(WorkingGroup.history.filter(plan_id=plan.pk, **upto).order_by(*order))
    group_ids = WorkingGroup.history.filter(plan_id=plan.pk).values("id")
    challenges = _latest(
        Challenge.history.filter(working_group_id__in=group_ids, **upto).order_by(*order)
    )
    challenge_ids = Challenge.history.filter(working_group_id__in=group_ids).values("id")
    points = _latest(
        ActionPoint.history.filter(challenge_id__in=challenge_ids, **upto).order_by(*order)
    )
    # An action point counts if its challenge and group also existed then.
    states: list[PointRow] = []
    for record in points.values():
        challenge = challenges.get(record.challenge_id)
        if challenge is None or challenge.working_group_id not in groups:
            continue
        states.append(
            PointRow(
                record.id,
                record.description,
                record.deadline,
                record.due_date,
                record.status,
                record.progress,
                record.updated,
                challenge.working_group_id,
            )
        )
    point_ids = {state.pk for state in states}
    focal_points = _latest(
        FocalPoint.history.filter(action_point_id__in=point_ids, **upto).order_by(*order)
    )
    people = {
        p.pk: p
        for p in Person.objects.filter(
            pk__in={fp.person_id for fp in focal_points.values()}
        ).select_related("organization")
    }
    changes = list(
        DeadlineChange.objects.filter(action_point_id__in=point_ids, changed_at__lte=moment)
        .order_by("changed_at", "id")
        .values_list("action_point_id", "old_due_date", "new_due_date")
    )
    return _dashboard_from_rows(plan, day, states, groups, focal_points, people, changes)


def _counts_of(states: Iterable[PointRow], today: datetime.date) -> tuple[dict[str, int], int]:
    by_status = dict.fromkeys(STATUSES, 0)
    overdue = 0
    for state in states:
        by_status[state.status] += 1
        overdue += _is_overdue(state, today)
    return by_status, overdue


def _is_open(state: PointRow) -> bool:
    return state.status in OPEN_STATUSES


def _is_overdue(state: PointRow, today: datetime.date) -> bool:
    return _is_open(state) and state.due_date is not None and state.due_date < today


def _is_due_soon(state: PointRow, today: datetime.date) -> bool:
    soon = today + datetime.timedelta(days=SOON_DAYS)
    return _is_open(state) and state.due_date is not None and today <= state.due_date <= soon


def _is_stale(state: PointRow, today: datetime.date) -> bool:
    return _is_open(state) and state.updated <= _stale_before(today)


def _dashboard_from_rows(
    plan: ActionPlan,
    today: datetime.date,
    states: list[PointRow],
    groups: dict[int, object],
    focal_points: dict[int, object],
    people: dict[int, Person],
    changes: list[tuple],
) -> PlanDashboard:
    by_id = {state.pk: state for state in states}
    rescheduled = {point_id for point_id, _old, _new in changes}
    by_status, overdue = _counts_of(states, today)
    headline = Headline(
        by_status=by_status,
        overdue=overdue,
        due_soon=sum(_is_due_soon(s, today) for s in states),
        stale=sum(_is_stale(s, today) for s in states),
        rescheduled=len(rescheduled),
    )

    group_rows = []
    for group in sorted(groups.values(), key=lambda g: g.number):
        by_status, overdue = _counts_of([s for s in states if s.group_id == group.id], today)
        group_rows.append(GroupRow(by_status, overdue, group.id, group.number, group.name))

    def tally(rows: dict, key, name: str, state: PointRow) -> None:
        row = rows.setdefault(key, WorkloadRow(key, name))
        row.open += _is_open(state)
        row.overdue += _is_overdue(state, today)
        row.completed += state.status == COMPLETED

    leads: dict = {}
    everyone: dict = {}
    organizations: dict = {}
    org_seen: set[tuple] = set()
    for fp in focal_points.values():
        state = by_id.get(fp.action_point_id)
        person = people.get(fp.person_id)
        if state is None or person is None:
            continue
        tally(everyone, person.pk, person.name, state)
        if fp.role == FocalPointRole.LEAD:
            tally(leads, person.pk, person.name, state)
        org = person.organization
        org_key = (org.pk if org else None, state.pk)
        if org_key not in org_seen:
            org_seen.add(org_key)
            tally(
                organizations,
                org.pk if org else None,
                org.name if org else "No organization",
                state,
            )

    quarters: dict[datetime.date, list[int]] = defaultdict(lambda: [0, 0])
    for state in states:
        if state.due_date is not None and state.status != CANCELLED:
            counts = quarters[_quarter_start(state.due_date)]
            counts[0] += 1
            counts[1] += state.status == COMPLETED

    soon = today + datetime.timedelta(days=SOON_DAYS)
    open_states = [s for s in states if _is_open(s)]
    lists = {
        "overdue": sorted(
            (s for s in open_states if _is_overdue(s, today)), key=lambda s: (s.due_date, s.pk)
        ),
        "due_soon": sorted(
            (s for s in open_states if s.due_date and today <= s.due_date <= soon),
            key=lambda s: (s.due_date, s.pk),
        ),
        "stale": sorted(
            (s for s in open_states if _is_stale(s, today)), key=lambda s: (s.updated, s.pk)
        ),
        "blocked": sorted(
            (s for s in open_states if s.status == BLOCKED),
            key=lambda s: (s.due_date or datetime.date.max, s.pk),
        ),
    }
    return PlanDashboard(
        plan=plan,
        today=today,
        live=False,
        headline=headline,
        groups=group_rows,
        leads=_workload_sort(list(leads.values())),
        everyone=_workload_sort(list(everyone.values())),
        organizations=_workload_sort(list(organizations.values())),
        quarters=_fill_quarters({k: tuple(v) for k, v in quarters.items()}),
        slippage=_slip_rows((pid, by_id[pid].description, old, new) for pid, old, new in changes),
        lists={name: rows[:LIST_LIMIT] for name, rows in lists.items()},
    )


# --- across plans ----------------------------------------------------------------------


@dataclass
class PortfolioRow:
    plan: ActionPlan
    counts: StatusCounts
    due_soon: int
    last_activity: datetime.datetime


def portfolio(
    plans: QuerySet[ActionPlan], today: datetime.date | None = None
) -> list[PortfolioRow]:
    """One row per plan with its figures: one query for all the plans."""
    today = today or timezone.localdate()
    points = "working_groups__challenges__action_points__"
    open_q = Q(**{f"{points}status__in": OPEN_STATUSES})
    rows = plans.annotate(
        **_count_fields(today, points),
        due_soon=Count(
            f"{points}id",
            filter=open_q
            & Q(
                **{
                    f"{points}due_date__gte": today,
                    f"{points}due_date__lte": today + datetime.timedelta(days=SOON_DAYS),
                }
            ),
        ),
        last_activity=last_activity(points),
    ).order_by("title", "id")
    return [
        PortfolioRow(
            plan=plan,
            counts=StatusCounts(
                by_status={s: getattr(plan, f"s_{s}") for s in STATUSES}, overdue=plan.overdue
            ),
            due_soon=plan.due_soon,
            last_activity=plan.last_activity,
        )
        for plan in rows
    ]


def portfolio_totals(rows: list[PortfolioRow]) -> StatusCounts:
    by_status = dict.fromkeys(STATUSES, 0)
    for row in rows:
        for status, count in row.counts.by_status.items():
            by_status[status] += count
    return StatusCounts(by_status=by_status, overdue=sum(r.counts.overdue for r in rows))
