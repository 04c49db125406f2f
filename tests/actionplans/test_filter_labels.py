"""Every filter menu says what its empty choice means ("Any status", "Overdue: Any /
Yes / No"): none shows Django's "---------" or "Unknown"."""

import datetime
import re

import pytest
from django.test import RequestFactory

from actionplans.filtersets import (
    ActionPlanFilterSet,
    ActionPointFilterSet,
    ChallengeFilterSet,
    WorkingGroupFilterSet,
)
from actionplans.models import ActionPoint
from orgs.filtersets import OrganizationFilterSet, PersonFilterSet
from tests.factories import ActionPointFactory
from tests.users import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_of():
    world = build_world()
    request = RequestFactory().get("/")
    request.user = world.coordinator
    return world, request


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))


def _first_options(filterset) -> dict[str, str]:
    html = str(filterset.form)
    assert "---------" not in html
    assert "Unknown" not in html
    names = re.findall(r'<select name="(\w+)"', html)
    return {name: _options(html, name)[0] for name in names}


def test_action_point_filters_say_any(request_of):
    world, request = request_of
    filterset = ActionPointFilterSet({}, queryset=ActionPoint.objects.all(), request=request)
    assert _first_options(filterset) == {
        "plan": "Any plan",
        "working_group": "Any working group",
        "challenge": "Any challenge",
        "focal_point": "Anyone",
        "organization": "Any organization",
        "overdue": "Any",
        "pim_process_step": "Any step",
        "priority": "Any priority",
        "ordering": "Default order",
    }
    assert _options(str(filterset.form), "overdue") == ["Any", "Yes", "No"]


def test_the_plan_pages_filters_say_any(request_of):
    world, request = request_of
    filterset = ActionPointFilterSet(
        {}, queryset=ActionPoint.objects.all(), request=request, plan=world.plan
    )
    assert _first_options(filterset) == {
        "working_group": "Any working group",
        "focal_point": "Anyone",
        "organization": "Any organization",
        "overdue": "Any",
        "pim_process_step": "Any step",
        "priority": "Any priority",
        "ordering": "Default order",
    }


@pytest.mark.parametrize(("value", "count"), [("true", 1), ("false", 2), ("unknown", 3), ("", 3)])
def test_the_overdue_menu_still_filters(request_of, value, count):
    world, request = request_of
    ActionPointFactory(
        challenge=world.challenge,
        position=9,
        deadline="March 2019",
        due_date=datetime.date(2019, 3, 31),
        deadline_precision="month",
    )
    filterset = ActionPointFilterSet(
        {"overdue": value}, queryset=ActionPoint.objects.all(), request=request
    )
    assert filterset.is_valid()
    assert filterset.qs.count() == count


def test_plan_list_and_api_filters_say_any(request_of):
    world, request = request_of
    assert _first_options(ActionPlanFilterSet({}, request=request)) == {"status": "Any status"}
    assert _first_options(WorkingGroupFilterSet({}, request=request)) == {"plan": "Any plan"}
    assert _first_options(ChallengeFilterSet({}, request=request)) == {
        "plan": "Any plan",
        "working_group": "Any working group",
    }


def test_people_and_organization_filters_say_all(request_of):
    world, request = request_of
    assert _first_options(PersonFilterSet({}, request=request)) == {
        "organization": "All organizations"
    }
    assert _first_options(OrganizationFilterSet({}, request=request)) == {"kind": "All kinds"}
