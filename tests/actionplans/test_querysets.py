"""The domain's rules at their boundaries, where they are written (querysets.py):
overdue, due soon, stale, workshop order and a plan's action points. Every
other test takes these for granted."""

import datetime

import pytest
from django.utils import timezone

from actionplans.choices import ActionPointStatus, DeadlinePrecision
from actionplans.models import ActionPoint
from actionplans.querysets import end_of_day
from tests.factories import ActionPlanFactory, ActionPointFactory, ChallengeFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2020, 1, 15)


def _due_in(days: int, status: str = ActionPointStatus.NOT_STARTED) -> ActionPoint:
    progress = 100 if status == ActionPointStatus.COMPLETED else 0
    return ActionPointFactory(
        description=f"due in {days}",
        due_date=TODAY + datetime.timedelta(days=days),
        deadline_precision=DeadlinePrecision.DAY,
        status=status,
        progress=progress,
    )


def _changed_days_ago(days: int, *, hour: int = 12) -> ActionPoint:
    point = ActionPointFactory(description=f"changed {days} days ago")
    moment = datetime.datetime.combine(TODAY - datetime.timedelta(days=days), datetime.time(hour))
    ActionPoint.objects.filter(pk=point.pk).update(updated=timezone.make_aware(moment))
    return point


def _names(queryset) -> set[str]:
    return set(queryset.values_list("description", flat=True))


def test_overdue_is_open_and_due_before_today():
    for days in (-31, -1, 0, 1):
        _due_in(days)
    ActionPointFactory(description="undated")
    assert _names(ActionPoint.objects.overdue(TODAY)) == {"due in -31", "due in -1"}


@pytest.mark.parametrize(
    "status", [ActionPointStatus.COMPLETED, ActionPointStatus.CANCELLED], ids=str
)
def test_closed_action_points_are_never_overdue_due_soon_or_stale(status):
    _due_in(-1, status)
    _due_in(0, status)
    assert not ActionPoint.objects.overdue(TODAY).exists()
    assert not ActionPoint.objects.due_soon(TODAY).exists()
    ActionPoint.objects.update(updated=timezone.make_aware(datetime.datetime(2010, 1, 1)))
    assert not ActionPoint.objects.stale(TODAY).exists()


@pytest.mark.parametrize(
    "status", [ActionPointStatus.IN_PROGRESS, ActionPointStatus.BLOCKED], ids=str
)
def test_every_open_status_can_be_overdue(status):
    _due_in(-1, status)
    assert _names(ActionPoint.objects.overdue(TODAY)) == {"due in -1"}


def test_due_soon_is_today_to_thirty_days_ahead():
    for days in (-1, 0, 1, 30, 31):
        _due_in(days)
    assert _names(ActionPoint.objects.due_soon(TODAY)) == {"due in 0", "due in 1", "due in 30"}


def test_due_soon_follows_the_setting(settings):
    settings.DUE_SOON_DAYS = 7
    for days in (7, 8):
        _due_in(days)
    assert _names(ActionPoint.objects.due_soon(TODAY)) == {"due in 7"}


def test_stale_is_not_changed_for_sixty_days():
    for days in (59, 60, 61):
        _changed_days_ago(days)
    # Any time on the 60th day before today counts: the day is over by today.
    _changed_days_ago(60, hour=23)
    assert _names(ActionPoint.objects.stale(TODAY)) == {
        "changed 60 days ago",
        "changed 61 days ago",
    }
    assert ActionPoint.objects.stale(TODAY).count() == 3


def test_stale_follows_the_setting(settings):
    settings.STALE_DAYS = 10
    for days in (9, 10):
        _changed_days_ago(days)
    assert _names(ActionPoint.objects.stale(TODAY)) == {"changed 10 days ago"}


def test_with_flags_says_what_the_filters_select():
    for days in (-1, 0, 31):
        _due_in(days)
    _due_in(-5, ActionPointStatus.COMPLETED)
    ActionPointFactory(description="undated")
    flags = {
        row["description"]: (row["is_open"], row["is_overdue"], row["is_due_soon"])
        for row in ActionPoint.objects.with_flags(TODAY).values(
            "description", "is_open", "is_overdue", "is_due_soon"
        )
    }
    assert flags == {
        "due in -1": (True, True, False),
        "due in 0": (True, False, True),
        "due in 31": (True, False, False),
        "due in -5": (False, False, False),
        "undated": (True, False, False),
    }


def test_end_of_day_is_the_last_moment_of_the_day_in_the_site_time_zone(settings):
    settings.TIME_ZONE = "Asia/Beirut"
    moment = end_of_day(TODAY)
    assert timezone.localtime(moment).replace(tzinfo=None) == datetime.datetime(
        2020, 1, 15, 23, 59, 59, 999999
    )


def test_of_plan_and_workshop_order():
    plan = ActionPlanFactory()
    first = ChallengeFactory(working_group__plan=plan, working_group__number=1, number=2)
    second = ChallengeFactory(working_group__plan=plan, working_group__number=2, number=1)
    earlier = ChallengeFactory(working_group=first.working_group, number=1)
    for challenge, position in ((second, 1), (first, 2), (first, 1), (earlier, 1)):
        ActionPointFactory(
            challenge=challenge, position=position, description=f"{challenge.pk}-{position}"
        )
    ActionPointFactory(description="another plan")
    ordered = ActionPoint.objects.of_plan(plan).in_workshop_order()
    assert list(ordered.values_list("description", flat=True)) == [
        f"{earlier.pk}-1",
        f"{first.pk}-1",
        f"{first.pk}-2",
        f"{second.pk}-1",
    ]
