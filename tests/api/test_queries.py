"""No N+1 in the API: every list endpoint runs the same number of queries
whether it returns a few rows or many.

Each role reads each list at two data sizes; the larger one has more groups,
challenges, action points, focal points, organizations, people, updates and
plans, and the counts must be equal.
"""

import datetime

import pytest
import time_machine
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
from tests.api.helpers import token_client
from tests.factories import OrganizationFactory, PersonFactory
from tests.users import build_world

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/organizations/",
    "/api/v1/people/",
    "/api/v1/plans/",
    "/api/v1/working-groups/",
    "/api/v1/challenges/",
    "/api/v1/action-points/",
    "/api/v1/action-points/{point}/updates/",
]
# Filtered lists and the summary: their extra queries must not grow either.
EXTRAS = [
    "/api/v1/working-groups/?plan={plan}",
    "/api/v1/challenges/?plan={plan}",
    "/api/v1/action-points/?plan={plan}&status=in_progress&status=not_started&q=Action",
    "/api/v1/action-points/?overdue=false&ordering=-due_date&focal_point={person}",
    "/api/v1/people/?q=Person",
    "/api/v1/plans/{plan}/summary/",
]


@pytest.fixture
def world_and_shared(db):
    """The standard world plus a plan open to every signed-in user (the viewer's)."""
    world = build_world()
    shared = plan_create(title="Shared plan", visibility=PlanVisibility.SIGNED_IN)
    shared.coordinators.add(world.coordinator)
    group = working_group_create(plan=shared, name="Shared group")
    challenge = challenge_create(working_group=group, description="Shared challenge")
    point = action_point_create(challenge=challenge, description="Shared action")
    return world, shared, point


def _grow(world, shared, shared_point, groups: int) -> None:
    """More of everything, in both the members-only plan and the shared one."""
    for g in range(groups):
        for plan in (world.plan, shared):
            leader = PersonFactory(organization=OrganizationFactory())
            group = working_group_create(
                plan=plan,
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
                        action_point=point, new_deadline="H2 2031", reason="Later", changed_by=None
                    )
        for point in (world.action_point, shared_point):
            progress_update_create(action_point=point, author=world.member, note=f"Note {g}")
            progress_update_create(action_point=point, author=None, note=f"Anonymous {g}")
        other = plan_create(title=f"Another plan {g}", visibility=PlanVisibility.SIGNED_IN)
        other.coordinators.add(world.coordinator)


def _measure(client, urls: list[str]) -> dict[str, tuple[int, int]]:
    """url -> (queries, rows returned)."""
    result = {}
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (url, response.content)
        body = response.json()
        result[url] = (len(captured), body.get("count", body.get("total")))
    return result


# The clock stands still: a token or feed key records its use at most once a minute, and a
# slow run would otherwise count that write in one measurement and not the other.
@time_machine.travel(datetime.datetime(2026, 11, 27, 12, tzinfo=datetime.UTC), tick=False)
@pytest.mark.parametrize("role", ["admin", "coordinator", "member", "viewer", "member_ro"])
def test_queries_list_endpoints_do_not_grow(world_and_shared, role):
    world, shared, shared_point = world_and_shared
    user = world.member if role == "member_ro" else getattr(world, role)
    client = token_client(user, read_only=role == "member_ro")
    # The viewer sees only the shared plan: read its action point's updates.
    point = shared_point if role == "viewer" else world.action_point
    plan = shared if role == "viewer" else world.plan
    fill = {"point": point.pk, "plan": plan.pk, "person": world.member_person.pk}
    urls = [url.format(**fill) for url in LISTS + EXTRAS]
    client.get("/api/v1/")  # the token's first use records last_used: not counted

    _grow(world, shared, shared_point, 1)
    small = _measure(client, urls)
    _grow(world, shared, shared_point, 4)
    large = _measure(client, urls)

    assert {url: q for url, (q, _rows) in large.items()} == {
        url: q for url, (q, _rows) in small.items()
    }
    # Every list did return more rows the second time: the comparison means something.
    grown = [url for url in urls[: len(LISTS)] if large[url][1] > small[url][1]]
    assert grown == urls[: len(LISTS)], (role, small, large)


def test_queries_counts_are_small(world_and_shared):
    """The exact counts for a coordinator: a fixed handful per list."""
    world, shared, shared_point = world_and_shared
    client = token_client(world.coordinator)
    client.get("/api/v1/")
    _grow(world, shared, shared_point, 2)
    urls = [url.format(point=world.action_point.pk) for url in LISTS]
    counts = {url: q for url, (q, _rows) in _measure(client, urls).items()}
    assert all(count <= 8 for count in counts.values()), counts
