"""The standard users of view tests: administrator, coordinator, member, viewer, outsider.

`plan_world` builds one members-only plan with one group, challenge and action
point, and a second members-only plan the others have no part in.
"""

from dataclasses import dataclass

from actionplans.choices import PlanVisibility
from actionplans.models import ActionPlan, ActionPoint, Challenge, WorkingGroup
from orgs.models import Person
from tests.factories import (
    ActionPlanFactory,
    ActionPointFactory,
    ChallengeFactory,
    FocalPointFactory,
    PersonFactory,
    UserFactory,
    WorkingGroupFactory,
)


@dataclass
class World:
    plan: ActionPlan
    group: WorkingGroup
    challenge: Challenge
    action_point: ActionPoint
    other_plan: ActionPlan
    other_action_point: ActionPoint
    member_person: Person
    admin: object
    coordinator: object
    member: object
    viewer: object
    outsider: object


def build_world(*, visibility: str = PlanVisibility.MEMBERS) -> World:
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    coordinator = UserFactory(username="coordinator")
    member = UserFactory(username="member")
    viewer = UserFactory(username="viewer")
    outsider = UserFactory(username="outsider")

    plan = ActionPlanFactory(title="PIM Lebanon Action Plan", visibility=visibility)
    plan.coordinators.add(coordinator)
    member_person = PersonFactory(name="Jad", user=member)
    group = WorkingGroupFactory(plan=plan, number=1, name="Data Sharing", team_leader=member_person)
    group.team_members.add(member_person)
    challenge = ChallengeFactory(working_group=group, number=1, description="Lack of tools")
    action_point = ActionPointFactory(
        challenge=challenge, position=1, description="IMWG to recommend standardized tools"
    )
    FocalPointFactory(action_point=action_point, person=member_person, role="lead")

    other_plan = ActionPlanFactory(title="Other plan", visibility=PlanVisibility.MEMBERS)
    other_group = WorkingGroupFactory(plan=other_plan, number=1, name="Other group")
    other_challenge = ChallengeFactory(working_group=other_group, number=1, description="Other")
    other_action_point = ActionPointFactory(
        challenge=other_challenge, position=1, description="Secret action"
    )
    return World(
        plan=plan,
        group=group,
        challenge=challenge,
        action_point=action_point,
        other_plan=other_plan,
        other_action_point=other_action_point,
        member_person=member_person,
        admin=admin,
        coordinator=coordinator,
        member=member,
        viewer=viewer,
        outsider=outsider,
    )
