"""No N+1: each list page runs the same number of queries at two data sizes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actionplans.choices import PlanVisibility
from actionplans.services import (
    FocalPointAssignment,
    action_point_create,
    action_point_reschedule,
    challenge_create,
    plan_create,
    progress_update_create,
    working_group_create,
)
from tests.factories import OrganizationFactory, PersonFactory, UserFactory
from tests.users import build_world

pytestmark = pytest.mark.django_db


def _grow(world, groups: int) -> None:
    """Add groups, each with 2 challenges of 2 action points with 2 focal points,
    an update and a reschedule, and a new plan the member takes part in."""
    for g in range(groups):
        leader = PersonFactory(organization=OrganizationFactory())
        group = working_group_create(
            plan=world.plan,
            name=f"Extra group {g}",
            team_leader=leader,
            team_members=[leader, world.member_person, PersonFactory()],
        )
        for c in range(2):
            challenge = challenge_create(working_group=group, description=f"Challenge {c}")
            for deadline in ("Q1 2019", "2030"):
                point = action_point_create(
                    challenge=challenge,
                    description=f"Action {g}.{c} {deadline}",
                    deadline=deadline,
                    focal_points=[
                        FocalPointAssignment(world.member_person, "lead"),
                        FocalPointAssignment(
                            PersonFactory(organization=leader.organization), "support"
                        ),
                    ],
                )
                progress_update_create(
                    action_point=point, author=world.member, status="in_progress", progress=20
                )
                action_point_reschedule(
                    action_point=point, new_deadline="H2 2031", reason="Funding", changed_by=None
                )
        other = plan_create(title=f"Another plan {g}", visibility=PlanVisibility.SIGNED_IN)
        other.coordinators.add(world.coordinator)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


URLS = [
    "/plans/",
    "/plans/{plan}/",
    "/plans/{plan}/?status=in_progress&overdue=true&q=Action",
    "/plans/{plan}/?view=cards",
    "/plans/{plan}/?sort=-updated",
    "/plans/{plan}/activity/",
    "/my/action-points/",
    "/action-points/{point}/",
]


@pytest.mark.parametrize("role", ["coordinator", "member", "admin"])
def test_page_query_counts_do_not_grow(client, role):
    world = build_world()
    client.force_login(getattr(world, role))
    urls = [url.format(plan=world.plan.pk, point=world.action_point.pk) for url in URLS]

    _grow(world, 1)
    small = {url: _queries(client, url) for url in urls}
    _grow(world, 4)
    large = {url: _queries(client, url) for url in urls}

    assert large == small


def test_plan_page_query_count_is_small(client):
    world = build_world()
    _grow(world, 3)
    client.force_login(world.member)
    # Session, user, person link, plan lookup, membership, updatable ids,
    # points, focal points, PIM tags, groups, members, challenges, the navigation's
    # unread notifications, the saved views and whether one may share them: a fixed
    # dozen or so.
    assert _queries(client, f"/plans/{world.plan.pk}/") <= 19


def test_viewer_plan_list_counts_are_exact(client):
    world = build_world(visibility=PlanVisibility.SIGNED_IN)
    client.force_login(UserFactory())
    response = client.get("/plans/")
    plans = {plan.title: plan for plan in response.context["page_obj"]}
    assert list(plans) == ["PIM Lebanon Action Plan"]
    plan = plans["PIM Lebanon Action Plan"]
    assert (plan.open_count, plan.overdue_count, plan.completed_count) == (1, 0, 0)
    assert world.plan.pk == plan.pk
