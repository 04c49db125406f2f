"""My action points: "My role" says how each point is the user's: their focal point
role, else their part in the point's working group, with no query per row."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    ActionPointFactory,
    ChallengeFactory,
    FocalPointFactory,
    PersonFactory,
    WorkingGroupFactory,
)
from tests.users import build_world

pytestmark = pytest.mark.django_db


def _roles(html: str) -> dict[str, str]:
    rows = re.findall(
        r'<a href="/action-points/\d+/" dir="auto">([^<]*)</a>.*?'
        r'<td class="hide-narrow">([^<]*)</td>',
        html,
        re.S,
    )
    return dict(rows)


def _add_group(world, number: int, *, leader=None, members=(), focal=None) -> None:
    group = WorkingGroupFactory(
        plan=world.plan, number=number, name=f"Group {number} name", team_leader=leader
    )
    group.team_members.add(*members)
    challenge = ChallengeFactory(working_group=group, number=1, description=f"Challenge {number}")
    point = ActionPointFactory(challenge=challenge, position=1, description=f"Point {number}")
    if focal:
        FocalPointFactory(action_point=point, person=focal, role="support")


def test_my_role_shows_focal_role_else_group_membership(client):
    world = build_world()
    someone = PersonFactory(name="Rana")
    _add_group(world, 2, leader=someone, members=[world.member_person])
    _add_group(world, 3, leader=world.member_person, members=[someone])
    _add_group(world, 4, leader=someone, members=[world.member_person], focal=world.member_person)
    client.force_login(world.member)

    response = client.get("/my/action-points/")

    assert _roles(response.content.decode()) == {
        "IMWG to recommend standardized tools": "Lead",
        "Point 2": "Team member of Group 2: Group 2 name",
        "Point 3": "Team leader of Group 3: Group 3 name",
        "Point 4": "Support",
    }


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/my/action-points/")
    assert response.status_code == 200
    return len(captured)


def test_my_role_costs_the_same_queries_for_few_and_many_points(client):
    world = build_world()
    client.force_login(world.member)
    someone = PersonFactory()
    _add_group(world, 2, leader=someone, members=[world.member_person])
    few = _queries(client)
    for number in range(3, 13):
        _add_group(world, number, leader=someone, members=[world.member_person])
    many = _queries(client)
    assert few == many
