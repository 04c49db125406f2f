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
