"""What send_reminders finds on a day, with a frozen clock: lead days, due today,
weekly while overdue, stale, closed plans, done points, people without an
address, preferences, bundling and idempotence."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actionplans.choices import ActionPointStatus, PlanStatus
from actionplans.services import FocalPointAssignment, action_point_create
from actionplans.services.plans import plan_close
from actionplans.services.updates import progress_update_create
from notifications.choices import REMINDER_KINDS, DeliveryStatus, Kind
from notifications.models import Delivery, Notification, Preference
from notifications.services import send_reminders
from tests.factories import (
    ActionPlanFactory,
    ChallengeFactory,
    PersonFactory,
    UserFactory,
    WorkingGroupFactory,
)

pytestmark = pytest.mark.django_db

DUE = datetime.date(2019, 3, 31)


def at(day: datetime.date):
    """Travel to 06:00 on that day (the timer's hour) in the site's time zone."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(6)))
    return time_machine.travel(moment, tick=False)


def day(offset: int) -> datetime.date:
    return DUE + datetime.timedelta(days=offset)


@pytest.fixture(autouse=True)
def _email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.REMINDER_LEAD_DAYS = [14, 3]
    settings.STALE_DAYS = 60
    settings.SITE_URL = "https://tracker.example.org"


def make_point(person, *, deadline="2019-03-31", plan=None, description="Recommend tools"):
    plan = plan or ActionPlanFactory(title="PIM Lebanon Action Plan")
    group = WorkingGroupFactory(plan=plan)
    challenge = ChallengeFactory(working_group=group)
    return action_point_create(
        challenge=challenge,
        description=description,
        deadline=deadline,
        focal_points=[FocalPointAssignment(person=person)] if person else [],
    )


def run(on: datetime.date):
    with at(on):
        return send_reminders(on)


def new_kinds(result) -> list[tuple[str, str]]:
    return sorted(result.new)


def work_queue() -> None:
    """Run the queued tasks as the worker does. The worker closes the database
    connection between tasks: tests that call this are transactional."""
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


worker = pytest.mark.django_db(transaction=True)


def test_around_a_deadline_each_reminder_comes_once():
    jad = PersonFactory(name="Jad", email="Jad@Example.org")
    with at(day(-30)):
        point = make_point(jad)
    expected = {
        -15: [],
        -14: [("jad@example.org", Kind.DUE_SOON)],
        -13: [],
        -3: [("jad@example.org", Kind.DUE_SOON)],
        -2: [],
        0: [("jad@example.org", Kind.DUE_TODAY)],
        1: [("jad@example.org", Kind.OVERDUE)],
        7: [],
        8: [("jad@example.org", Kind.OVERDUE)],
        14: [],
        15: [("jad@example.org", Kind.OVERDUE)],
    }
    for offset, kinds in expected.items():
        assert new_kinds(run(day(offset))) == kinds, offset
    details = list(
        Notification.objects.filter(action_point=point, kind__in=REMINDER_KINDS)
        .order_by("id")
        .values_list("key", "detail")
    )
    assert details == [
        (f"due_soon:{point.pk}:2019-03-31:14", {"days": 14}),
        (f"due_soon:{point.pk}:2019-03-31:3", {"days": 3}),
        (f"due_today:{point.pk}:2019-03-31", {}),
        (f"overdue:{point.pk}:2019-03-31:0", {"days_late": 1}),
        (f"overdue:{point.pk}:2019-03-31:1", {"days_late": 8}),
        (f"overdue:{point.pk}:2019-03-31:2", {"days_late": 15}),
    ]


def test_a_missed_day_is_caught_up_the_next_day():
    jad = PersonFactory(name="Jad", email="jad@example.org")
    with at(day(-30)):
        point = make_point(jad)
    result = run(day(-13))
    assert new_kinds(result) == [("jad@example.org", Kind.DUE_SOON)]
    assert Notification.objects.get(action_point=point, kind=Kind.DUE_SOON).detail == {"days": 13}


def test_stale_is_a_nudge_once_from_the_sixtieth_day():
    last_change = datetime.date(2019, 1, 10)
    jad = PersonFactory(name="Jad", email="jad@example.org")
    with at(last_change):
        point = make_point(jad, deadline="")  # no deadline: only staleness applies
    assert new_kinds(run(last_change + datetime.timedelta(days=59))) == []
    assert new_kinds(run(last_change + datetime.timedelta(days=60))) == [
        ("jad@example.org", Kind.STALE)
    ]
    assert new_kinds(run(last_change + datetime.timedelta(days=61))) == []
    stale = Notification.objects.get(action_point=point, kind=Kind.STALE)
    assert stale.detail == {"last_change": "2019-01-10"}

    # An update makes it fresh; sixty days later it is stale again, and nudged again.
    updated_on = last_change + datetime.timedelta(days=70)
    with at(updated_on):
        progress_update_create(action_point=point, author=None, note="Draft shared")
    assert new_kinds(run(updated_on + datetime.timedelta(days=59))) == []
    assert new_kinds(run(updated_on + datetime.timedelta(days=60))) == [
        ("jad@example.org", Kind.STALE)
    ]


@worker
def test_overdue_and_stale_come_together_in_one_email():
    jad = PersonFactory(name="Jad", email="jad@example.org")
    with at(day(-100)):
        make_point(jad)
    result = run(day(1))
    assert new_kinds(result) == [("jad@example.org", Kind.OVERDUE), ("jad@example.org", Kind.STALE)]
    assert result.deliveries == 1
    work_queue()
    assert len(mail.outbox) == 1
    assert "Overdue by 1 day." in mail.outbox[0].body
    assert "No update since 2018-12-21." in mail.outbox[0].body


@pytest.mark.parametrize("status", [ActionPointStatus.COMPLETED, ActionPointStatus.CANCELLED])
def test_nothing_for_completed_or_cancelled_points(status):
    jad = PersonFactory(name="Jad", email="jad@example.org")
    with at(day(-30)):
        point = make_point(jad)
        progress_update_create(action_point=point, author=None, status=status, note="Closed.")
    for offset in (-14, -3, 0, 1, 8):
        assert new_kinds(run(day(offset))) == []


def test_nothing_for_closed_plans():
    jad = PersonFactory(name="Jad", email="jad@example.org")
    plan = ActionPlanFactory(status=PlanStatus.ACTIVE)
    with at(day(-30)):
        make_point(jad, plan=plan)
        plan_close(plan=plan, user=None)
    for offset in (-14, 0, 1):
        assert new_kinds(run(day(offset))) == []


def test_people_without_an_address_get_nothing_by_email_accounts_in_the_app():
    nobody = PersonFactory(name="No address")
    account = UserFactory(username="rana", email="")
    in_app_only = PersonFactory(name="Rana", user=account)
    via_account = PersonFactory(name="Omar", user=UserFactory(username="omar", email="omar@un.org"))
    with at(day(-30)):
        point = make_point(nobody)
        for person in (in_app_only, via_account):
            point.focal_points.create(person=person, role="support")
    result = run(day(-14))
    assert new_kinds(result) == [("", Kind.DUE_SOON), ("omar@un.org", Kind.DUE_SOON)]
    in_app = Notification.objects.get(recipient="")
    assert (in_app.user_id, in_app.person_id) == (account.pk, in_app_only.pk)
    assert result.deliveries == 1  # only the address gets an email
    assert list(Delivery.objects.values_list("recipient", flat=True)) == ["omar@un.org"]


def test_group_members_are_reminded_of_their_groups_points():
    leader = PersonFactory(name="Jad", email="jad@example.org")
    member = PersonFactory(name="Maria", email="maria@example.org")
    plan = ActionPlanFactory()
    group = WorkingGroupFactory(plan=plan, team_leader=leader)
    group.team_members.add(member, leader)
    with at(day(-30)):
        action_point_create(
            challenge=ChallengeFactory(working_group=group), description="X", deadline="2019-03-31"
        )
    assert new_kinds(run(day(-14))) == [
        ("jad@example.org", Kind.DUE_SOON),
        ("maria@example.org", Kind.DUE_SOON),
    ]


def test_preferences_choose_lead_days_and_mute_kinds():
    jad = PersonFactory(name="Jad", email="jad@example.org")
    Preference.objects.create(email="jad@example.org", lead_days=[7], muted_kinds=[Kind.OVERDUE])
    with at(day(-30)):
        make_point(jad)
    assert new_kinds(run(day(-14))) == []
    assert new_kinds(run(day(-7))) == [("jad@example.org", Kind.DUE_SOON)]
    assert new_kinds(run(day(-3))) == []
    assert new_kinds(run(day(0))) == [("jad@example.org", Kind.DUE_TODAY)]
    assert new_kinds(run(day(1))) == []


@worker
def test_one_email_a_day_bundles_everything_and_a_second_run_sends_nothing():
    jad = PersonFactory(name="Jad", email="jad@example.org")
    plan = ActionPlanFactory(title="PIM Lebanon Action Plan")
    with at(day(-30)):
        make_point(jad, plan=plan, description="Recommend tools")
        make_point(jad, plan=plan, description="Share the factbook", deadline="2019-03-17")
        make_point(jad, plan=plan, description="Map the assessments", deadline="2019-03-27")
    with at(day(-14)):
        first = send_reminders(day(-14))
        second = send_reminders(day(-14))
    assert (len(first.new), first.deliveries, first.tasks) == (3, 1, 1)
    assert (len(second.new), second.deliveries, second.tasks) == (0, 0, 0)
    work_queue()
    work_queue()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["jad@example.org"]
    # Being named focal point of the three, when they were written, comes along.
    assert message.subject == (
        "PIM Action Tracker: 6 items (1 due today, 2 deadline coming up, 3 named focal point)"
    )
    body = message.body
    assert (
        body.index("DUE TODAY")
        < body.index("Share the factbook")
        < body.index("DEADLINE COMING UP")
        < body.index("NAMED FOCAL POINT")
    )
    assert "Recommend tools" in body and "Map the assessments" in body
    assert Delivery.objects.get().status == DeliveryStatus.SENT


@worker
def test_events_of_the_day_wait_for_the_next_days_email():
    jad = PersonFactory(name="Jad", email="jad@example.org")
    with at(day(-30)):
        point = make_point(jad)
    with at(day(-14)):
        send_reminders(day(-14))
        work_queue()
    with at(day(-14) + datetime.timedelta(hours=3)):
        progress_update_create(action_point=point, author=None, note="Waiting for UNHCR input")
        again = send_reminders(day(-14))
        work_queue()
    assert (len(again.new), again.deliveries) == (0, 0)
    assert len(mail.outbox) == 1
    with at(day(-13)):
        next_day = send_reminders(day(-13))
        work_queue()
    assert next_day.deliveries == 1
    assert len(mail.outbox) == 2
    assert "Waiting for UNHCR input" in mail.outbox[1].body


@worker
def test_a_point_done_before_its_email_goes_is_left_out():
    jad = PersonFactory(name="Jad", email="jad@example.org")
    with at(day(-30)):
        point = make_point(jad)
    with at(day(-14)):
        send_reminders(day(-14))
        progress_update_create(
            action_point=point, author=None, status=ActionPointStatus.COMPLETED, note="Done."
        )
        work_queue()
    assert mail.outbox == []
    assert Delivery.objects.get().status == DeliveryStatus.NOTHING


def test_digest_for_coordinators_on_their_day_once_a_week():
    coordinator = UserFactory(username="coordinator", email="coord@example.org")
    jad = PersonFactory(name="Jad", email="jad@example.org")
    plan = ActionPlanFactory(title="PIM Lebanon Action Plan", status=PlanStatus.ACTIVE)
    plan.coordinators.add(coordinator)
    monday = datetime.date(2019, 3, 18)
    Preference.objects.create(email="coord@example.org", digest_weekday=monday.weekday())
    with at(monday - datetime.timedelta(days=40)):
        late = make_point(jad, plan=plan, description="Late one", deadline="2019-03-14")
        soon = make_point(jad, plan=plan, description="Soon one", deadline="2019-04-10")
        done = make_point(jad, plan=plan, description="Done one", deadline="2019-06-30")
    with at(monday - datetime.timedelta(days=2)):
        progress_update_create(
            action_point=done, author=None, status=ActionPointStatus.COMPLETED, note="Done."
        )
    result = run(monday)
    digest = Notification.objects.get(kind=Kind.DIGEST)
    assert digest.recipient == "coord@example.org"
    assert digest.detail == {
        "since": "2019-03-11",
        "completed": {"ids": [done.pk], "count": 1},
        "newly_overdue": {"ids": [late.pk], "count": 1},
        "due_soon": {"ids": [soon.pk], "count": 1},
    }
    assert result.deliveries == 2  # the coordinator's and Jad's
    assert new_kinds(run(monday + datetime.timedelta(days=1))) == []
    assert Notification.objects.filter(kind=Kind.DIGEST).count() == 1
    assert new_kinds(run(monday + datetime.timedelta(days=7))) == [
        ("coord@example.org", Kind.DIGEST),
        ("jad@example.org", Kind.OVERDUE),
    ]


def test_dry_run_records_nothing_and_the_command_prints_who_gets_what(capsys):
    jad = PersonFactory(name="Jad", email="jad@example.org")
    with at(day(-30)):
        point = make_point(jad)
    with at(day(-14)):
        call_command("send_reminders", "--today", "2019-03-17", "--dry-run")
    out = capsys.readouterr().out
    assert Notification.objects.filter(kind__in=REMINDER_KINDS).count() == 0
    assert "jad@example.org" in out
    assert "Deadline coming up" in out and point.description in out
    with at(day(-14)):
        call_command("send_reminders", "--today", "2019-03-17")
    assert (
        "1 new notification(s) recorded, 1 email(s) queued in 1 task(s)" in capsys.readouterr().out
    )


def test_the_command_refuses_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match='--today: "17/03/2019" is not a date like 2019-03-17.'):
        call_command("send_reminders", "--today", "17/03/2019")


def _world(points: int, people: int):
    plan = ActionPlanFactory(status=PlanStatus.ACTIVE)
    plan.coordinators.add(UserFactory(email=f"coord{points}@example.org"))
    persons = [PersonFactory(email=f"p{points}-{i}@example.org") for i in range(people)]
    group = WorkingGroupFactory(plan=plan, team_leader=persons[0])
    group.team_members.add(*persons[:3])
    challenge = ChallengeFactory(working_group=group)
    with at(day(-30)):
        for i in range(points):
            action_point_create(
                challenge=challenge,
                description=f"Point {i}",
                deadline=["2019-03-31", "2019-03-17", "2019-02-01"][i % 3],
                focal_points=[FocalPointAssignment(person=persons[i % people])],
            )


def test_query_count_does_not_grow_with_people_or_points():
    """The same queries at both sizes, but for the batched inserts of new rows
    (SQLite takes about a hundred rows a statement, PostgreSQL a thousand)."""
    shapes, inserts = [], []
    for points, people in ((6, 4), (60, 40)):
        Notification.objects.all().delete()
        Delivery.objects.all().delete()
        _world(points, people)
        with at(day(-14)), CaptureQueriesContext(connection) as queries:
            result = send_reminders(day(-14))
        assert result.deliveries > 0
        sql = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
        shapes.append([q[:40] for q in sql if not q.startswith("INSERT")])
        inserts.append(sum(q.startswith("INSERT") for q in sql))
    assert shapes[0] == shapes[1]
    assert len(shapes[0]) == 16
    assert inserts[0] == 3  # notifications, deliveries, the task
    assert inserts[1] <= 3 + 2


@worker
def test_a_description_on_several_lines_makes_a_one_line_subject():
    # A header holds one line: Django refuses the email otherwise (BadHeaderError).
    jad = PersonFactory(name="Jad", email="jad@example.org")
    with at(day(-30)):
        make_point(jad, description="Recommend tools\nto the IMWG\r\n(draft first)")
        send_reminders(day(-30))  # the naming goes out first
    work_queue()
    with at(day(0)):
        send_reminders(day(0))
    work_queue()

    assert [m.subject for m in mail.outbox][-1] == (
        "Due today: Recommend tools to the IMWG (draft first)"
    )
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
