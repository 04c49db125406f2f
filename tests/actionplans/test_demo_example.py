"""load_demo's example plan: dates relative to the day it is loaded, so that the
dashboards' overdue, due-soon, blocked and stale lists, "as of" and the portfolio
show something on first run; the seed plan stays as the workshop wrote it."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from actionplans.choices import ActionPointStatus
from actionplans.dashboards import plan_rows_as_of
from actionplans.demo import DEMO_TITLE
from actionplans.demo_example import EXAMPLE_TITLE
from actionplans.models import ActionPlan, ActionPoint, DeadlineChange, ProgressUpdate
from tests.actionplans.test_load_demo import _snapshot

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 3, 10)


def _at(day: datetime.date):
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))
    return time_machine.travel(moment, tick=False)


def _load(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def example():
    with _at(TODAY):
        _load()
    return ActionPlan.objects.get(title=EXAMPLE_TITLE)


def _days(offset: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=offset)


def test_the_example_plan_has_something_in_every_list(example):
    points = ActionPoint.objects.of_plan(example)
    assert points.count() == 9
    assert sorted(points.overdue(TODAY).values_list("due_date", flat=True)) == [
        _days(-75),
        _days(-5),
    ]
    assert sorted(points.due_soon(TODAY).values_list("due_date", flat=True)) == [
        _days(7),
        _days(21),
    ]
    assert list(points.stale(TODAY).values_list("description", flat=True)) == [
        "Set up a shared repository of anonymised datasets"
    ]
    assert list(
        points.filter(status=ActionPointStatus.BLOCKED).values_list("description", flat=True)
    ) == ["Sign data-sharing agreements with the line ministries"]
    assert points.filter(status=ActionPointStatus.COMPLETED).count() == 2
    # Deadlines are written as a workshop would write a day.
    assert points.get(due_date=_days(-5)).deadline == "5 March 2027"
    # Its people are the seed plan's; Jad (the member account) carries some of it.
    people = set(points.values_list("focal_points__person__name", flat=True))
    assert people == {"Rana", "Omar", "Maria", "Jad", "Fred", "Fanette"}
    assert [u.username for u in example.coordinators.all()] == ["demo-coordinator"]
    assert (example.status, example.visibility) == ("active", "signed_in")


def test_the_example_plan_has_months_of_history(example):
    assert example.created == timezone.make_aware(datetime.datetime(2026, 9, 11, 10))
    updates = ProgressUpdate.objects.filter(action_point__in=ActionPoint.objects.of_plan(example))
    assert updates.count() == 16
    days = sorted(update.created.date() for update in updates)
    assert (days[0], days[-1]) == (_days(-160), _days(-7))
    [change] = DeadlineChange.objects.filter(action_point__in=ActionPoint.objects.of_plan(example))
    assert (change.old_due_date, change.new_due_date, change.changed_at.date()) == (
        _days(-120),
        _days(-75),
        _days(-125),
    )
    assert change.reason == "Partners asked for more time to send their data."
    # The last update of each point is when it last changed (what "stale" reads).
    for point in ActionPoint.objects.of_plan(example):
        last = point.progress_updates.order_by("-created").first()
        assert point.updated == last.created, point.description
    # Every history row is dated when it happened, none "now".
    moment = timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time()))
    assert not ActionPoint.history.filter(
        challenge__working_group__plan=example, history_date__gte=moment
    ).exists()


def test_as_of_sixty_days_ago_the_example_plan_held_less(example):
    now = plan_rows_as_of(example, TODAY)
    then = plan_rows_as_of(example, _days(-60))
    assert (len(now.points), len(then.points)) == (9, 8)
    assert "Run a session on responsible data sharing for new staff" not in [
        row.description for row in then.points
    ]
    # The point completed a week ago was still in progress, at 50 %.
    [mapped] = [row for row in then.points if row.description.startswith("Map the information")]
    assert (mapped.status, mapped.progress) == ("in_progress", 50)
    # Before the plan was entered, it held nothing.
    assert plan_rows_as_of(example, _days(-181)).points == []


def test_a_point_completed_by_the_member_awaits_the_coordinators_verification(example):
    from django.contrib.auth import get_user_model

    from actionplans import services
    from actionplans.completion import completing_update
    from actionplans.permissions import can_verify

    users = get_user_model().objects
    member, coordinator = users.get(username="demo-member"), users.get(username="demo-coordinator")
    completed = ActionPoint.objects.of_plan(example).filter(status=ActionPointStatus.COMPLETED)
    assert sorted(
        (p.description, p.completed_by_id, p.completed_at, p.verified_at) for p in completed
    ) == [
        (
            "Draft the data-sharing protocol",
            member.pk,
            timezone.make_aware(datetime.datetime.combine(_days(-35), datetime.time(10))),
            None,
        ),
        (
            "Map the information systems of the partners",
            None,
            timezone.make_aware(datetime.datetime.combine(_days(-7), datetime.time(10))),
            None,
        ),
    ]
    point = completed.get(completed_by=member)
    update = completing_update(point)
    assert (update.author, update.note) == (member, "Protocol endorsed by the IMWG.")
    assert (can_verify(coordinator, point), can_verify(member, point)) == (True, False)
    with _at(TODAY):
        services.action_point_verify(action_point=point, user=coordinator)
    point.refresh_from_db()
    assert (point.verified_by, point.verified_at.date()) == (coordinator, TODAY)


def test_loading_again_on_a_later_day_adds_nothing(example):
    before = _snapshot()
    with _at(_days(40)):
        output = _load()
    assert _snapshot() == before
    assert f'Already there: plan "{EXAMPLE_TITLE}" (id {example.pk}).' in output
    assert ActionPlan.objects.filter(title=EXAMPLE_TITLE).count() == 1


def test_loading_the_example_notifies_nobody(example):
    from notifications.models import Notification

    assert Notification.objects.count() == 0


def test_no_example_keeps_the_demo_to_the_seed_plan():
    with _at(TODAY):
        _load("--no-example")
    assert list(ActionPlan.objects.values_list("title", flat=True)) == [DEMO_TITLE]


def test_the_example_plan_is_tagged_with_the_pim_framework(example):
    from actionplans.dashboards import plan_dashboard
    from actionplans.models import with_pim_tags

    points = ActionPoint.objects.of_plan(example).prefetch_related(with_pim_tags())
    tagged = {
        p.description: (p.pim_categories, p.pim_principles, p.pim_process_step, p.priority)
        for p in points
        if p.pim_categories or p.pim_principles or p.pim_process_step or p.priority != "normal"
    }

    assert tagged == {
        "Agree on a joint calendar of needs assessments": (
            ["protection_needs_assessment"],
            ["coordination_collaboration"],
            "assess_information_landscape",
            "high",
        ),
        "Publish the 3W map of who does what where": (
            ["population_data", "sectoral_systems_other"],
            ["coordination_collaboration"],
            "implement_im_systems",
            "normal",
        ),
        "Share the multi-sector assessment report with all sectors": (
            ["protection_needs_assessment"],
            ["defined_purpose"],
            "",
            "normal",
        ),
        "Draft the data-sharing protocol": (
            ["sectoral_systems_other"],
            ["informed_consent_confidentiality", "data_responsibility_protection_security"],
            "design_im_systems",
            "normal",
        ),
        "Sign data-sharing agreements with the line ministries": (
            [],
            ["data_responsibility_protection_security"],
            "",
            "normal",
        ),
    }
    # The high-priority one comes first in what is late, before the older one.
    with _at(TODAY):
        overdue = plan_dashboard(example, TODAY).lists["overdue"]
    assert [p.due_date for p in overdue] == [_days(-5), _days(-75)]
