"""Dashboard pages: who sees them, what they show, and their query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actionplans.choices import PlanVisibility
from actionplans.services import (
    FocalPointAssignment,
    action_point_create,
    challenge_create,
    plan_create,
    working_group_create,
)
from tests.factories import PersonFactory
from tests.users import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build_world()
    world.action_point.deadline, world.action_point.due_date = "2019", datetime.date(2019, 12, 31)
    world.action_point.deadline_precision = "year"
    world.action_point.save()
    return world


@pytest.mark.parametrize("role", ["admin", "coordinator", "member"])
def test_plan_dashboard_shows_figures_to_who_sees_the_plan(client, world, role):
    client.force_login(getattr(world, role))
    response = client.get(f"/plans/{world.plan.pk}/dashboard/")
    assert response.status_code == 200
    d = response.context["d"]
    assert (d.live, d.headline.total, d.headline.overdue) == (True, 1, 1)
    html = response.content.decode()
    assert '<dd id="figure-overdue">1</dd>' in html
    assert 'role="img"' in html and "<title id=" in html
    assert "Not started 1, In progress 0, Blocked 0, Completed 0, Cancelled 0." in html


@pytest.mark.parametrize("role", ["viewer", "outsider"])
def test_plan_dashboard_is_404_for_users_who_cannot_see_the_plan(client, world, role):
    client.force_login(getattr(world, role))
    assert client.get(f"/plans/{world.plan.pk}/dashboard/").status_code == 404


def test_plan_dashboard_open_to_viewer_when_plan_is_open_to_all(client):
    world = build_world(visibility=PlanVisibility.SIGNED_IN)
    client.force_login(world.viewer)
    assert client.get(f"/plans/{world.plan.pk}/dashboard/").status_code == 200


def test_plan_dashboard_requires_login(client, world):
    url = f"/plans/{world.plan.pk}/dashboard/"
    response = client.get(url)
    assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={url}")


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_plan_dashboard_refuses_writes(client, world, method):
    client.force_login(world.coordinator)
    assert getattr(client, method)(f"/plans/{world.plan.pk}/dashboard/").status_code == 405


def test_plan_dashboard_as_of_a_past_day(client, world):
    client.force_login(world.coordinator)
    response = client.get(f"/plans/{world.plan.pk}/dashboard/?as_of=2018-12-01")
    d = response.context["d"]
    assert (d.live, d.today, d.headline.total) == (False, datetime.date(2018, 12, 1), 0)
    assert "<h1>Dashboard as of 1 Dec 2018</h1>" in response.content.decode()


@pytest.mark.parametrize(
    ("value", "message"),
    [("2999-01-01", "Pick today or a day in the past."), ("yesterday", "Enter a valid date.")],
)
def test_plan_dashboard_bad_as_of_is_a_field_error(client, world, value, message):
    client.force_login(world.coordinator)
    response = client.get(f"/plans/{world.plan.pk}/dashboard/?as_of={value}")
    assert response.status_code == 200
    assert response.context["form"].errors == {"as_of": [message]}
    assert response.context["d"].live is True


def test_portfolio_lists_visible_plans_with_totals(client, world):
    client.force_login(world.member)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r.plan.title, r.counts.overdue) for r in rows] == [("PIM Lebanon Action Plan", 1)]
    assert "Other plan" not in response.content.decode()
    assert response.context["totals"].total == 1


def test_portfolio_sorts_and_reports_bad_sort(client, world):
    client.force_login(world.admin)
    titles = lambda r: [row.plan.title for row in r.context["rows"]]  # noqa: E731
    assert titles(client.get("/dashboard/?sort=-overdue")) == [
        "PIM Lebanon Action Plan",
        "Other plan",
    ]
    assert titles(client.get("/dashboard/?sort=title")) == ["Other plan", "PIM Lebanon Action Plan"]
    response = client.get("/dashboard/?sort=budget")
    assert response.context["sort_error"] == "Cannot sort by “budget”; sorted by plan instead."
    assert titles(response) == ["Other plan", "PIM Lebanon Action Plan"]


def test_portfolio_for_user_without_plans_is_empty(client, world):
    client.force_login(world.outsider)
    response = client.get("/dashboard/")
    assert response.context["rows"] == []
    assert "No plan to show." in response.content.decode()


def _grow(world, n):
    for i in range(n):
        plan = plan_create(title=f"Plan {i}", visibility=PlanVisibility.SIGNED_IN)
        plan.coordinators.add(world.coordinator)
        group = working_group_create(plan=world.plan, name=f"Group {i}")
        challenge = challenge_create(working_group=group, description="C")
        for deadline in ("2019", "2031"):
            action_point_create(
                challenge=challenge,
                description=f"{i} {deadline}",
                deadline=deadline,
                focal_points=[FocalPointAssignment(PersonFactory(), "lead")],
            )


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url", ["/dashboard/", "/plans/{plan}/dashboard/", "/plans/{plan}/dashboard/?as_of={day}"]
)
def test_dashboard_pages_query_count_does_not_grow(client, world, url):
    client.force_login(world.coordinator)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    target = url.format(plan=world.plan.pk, day=yesterday.isoformat())
    _grow(world, 1)
    small = _queries(client, target)
    _grow(world, 4)
    assert _queries(client, target) == small
