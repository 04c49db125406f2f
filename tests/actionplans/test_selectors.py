"""Read queries shared by services, views and the API."""

import pytest

from actionplans import selectors, services
from actionplans.services import FocalPointAssignment
from tests.factories import PersonFactory
from tests.users import build_world

pytestmark = pytest.mark.django_db


def test_plan_people_are_its_leaders_members_and_focal_points_once_each():
    world = build_world()
    leader, member, focal, both, elsewhere = (
        PersonFactory(name=name) for name in ("Leader", "Member", "Focal", "Both", "Elsewhere")
    )
    group = services.working_group_create(
        plan=world.plan, name="Protection", team_leader=leader, team_members=[member, both]
    )
    services.working_group_create(plan=world.plan, name="No leader yet")
    challenge = services.challenge_create(working_group=group, description="Gaps")
    services.action_point_create(
        challenge=challenge,
        description="Map services",
        focal_points=[FocalPointAssignment(focal, "lead"), FocalPointAssignment(both, "support")],
    )
    # Named in another plan only, in each role.
    other = services.working_group_create(
        plan=world.other_plan, name="Other", team_leader=elsewhere, team_members=[elsewhere]
    )
    services.action_point_create(
        challenge=services.challenge_create(working_group=other, description="Other"),
        description="Elsewhere",
        focal_points=[FocalPointAssignment(elsewhere, "lead")],
    )

    names = sorted(p.name for p in selectors.plan_people(plan=world.plan))

    # Jad leads and is a focal point of the world's group: listed once too.
    assert names == ["Both", "Focal", "Jad", "Leader", "Member"]
