"""The one rule set: the table of roles of docs/domain.md, checked for each role."""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission

from actionplans import permissions as perms
from actionplans.choices import PlanVisibility
from actionplans.models import ActionPlan
from tests.factories import ActionPointFactory, ChallengeFactory, FocalPointFactory, PersonFactory
from tests.users import build_world

pytestmark = pytest.mark.django_db

ROLES = ["admin", "coordinator", "member", "viewer", "outsider"]


@pytest.fixture
def world():
    return build_world()


def _user(world, role):
    return getattr(world, role)


@pytest.mark.parametrize(
    ("role", "sees", "edits", "updates"),
    [
        ("admin", True, True, True),
        ("coordinator", True, True, True),
        ("member", True, False, True),
        ("viewer", False, False, False),
        ("outsider", False, False, False),
    ],
)
def test_members_only_plan_rules(world, role, sees, edits, updates):
    user = _user(world, role)
    assert perms.can_view_plan(user, world.plan) is sees
    assert perms.can_edit_plan(user, world.plan) is edits
    assert perms.can_update_action_point(user, world.action_point) is updates
    assert (world.plan in ActionPlan.objects.visible_to(user)) is sees


@pytest.mark.parametrize(
    ("role", "sees", "edits", "updates"),
    [
        ("admin", True, True, True),
        ("coordinator", True, True, True),
        ("member", True, False, True),
        ("viewer", True, False, False),
        ("outsider", True, False, False),
    ],
)
def test_signed_in_plan_rules(role, sees, edits, updates):
    world = build_world(visibility=PlanVisibility.SIGNED_IN)
    user = _user(world, role)
    assert perms.can_view_plan(user, world.plan) is sees
    assert perms.can_edit_plan(user, world.plan) is edits
    assert perms.can_update_action_point(user, world.action_point) is updates


def test_anonymous_sees_and_changes_nothing(world):
    anonymous = AnonymousUser()
    assert list(ActionPlan.objects.visible_to(anonymous)) == []
    assert perms.can_view_plan(anonymous, world.plan) is False
    assert perms.can_edit_plan(anonymous, world.plan) is False
    assert perms.can_create_plan(anonymous) is False
    assert list(perms.visible_people(anonymous)) == []


def test_inactive_coordinator_loses_rights(world):
    world.coordinator.is_active = False
    world.coordinator.save()
    assert perms.can_view_plan(world.coordinator, world.plan) is False
    assert perms.can_edit_plan(world.coordinator, world.plan) is False


def test_member_of_plan_a_cannot_see_members_only_plan_b(world):
    assert (
        ActionPlan.objects.visible_to(world.member).filter(pk=world.other_plan.pk).exists() is False
    )
    assert perms.can_update_action_point(world.member, world.other_action_point) is False


def test_member_updates_only_points_of_their_groups_or_focal_points(world):
    # A second group in the same plan, where the member has no part.
    other_challenge = ChallengeFactory(working_group__plan=world.plan, working_group__number=2)
    elsewhere = ActionPointFactory(challenge=other_challenge)
    assert perms.can_update_action_point(world.member, elsewhere) is False
    # Being a focal point there is enough.
    FocalPointFactory(action_point=elsewhere, person=world.member_person, role="support")
    assert perms.can_update_action_point(world.member, elsewhere) is True


def test_focal_point_alone_makes_a_member(world):
    person = PersonFactory(user=world.viewer)
    FocalPointFactory(action_point=world.action_point, person=person, role="advisor")
    assert perms.can_view_plan(world.viewer, world.plan) is True
    assert perms.can_update_action_point(world.viewer, world.action_point) is True
    assert perms.can_edit_plan(world.viewer, world.plan) is False


def test_roles_are_read_afresh_after_a_change(world):
    # Nothing is cached on the user object: a role given in the middle of a request
    # (a plan created, a person linked) counts at once.
    assert perms.can_edit_plan(world.viewer, world.plan) is False
    assert perms.can_create_plan(world.viewer) is False
    world.plan.coordinators.add(world.viewer)
    assert perms.can_edit_plan(world.viewer, world.plan) is True
    assert perms.can_create_plan(world.viewer) is True
    assert perms.is_linked_to_person(world.outsider) is False
    PersonFactory(user=world.outsider)
    assert perms.is_linked_to_person(world.outsider) is True


def test_updatable_ids_for_a_plan(world):
    assert perms.updatable_action_point_ids(world.coordinator, world.plan) is None
    assert perms.updatable_action_point_ids(world.member, world.plan) == {world.action_point.pk}
    assert perms.updatable_action_point_ids(world.viewer, world.plan) == set()


@pytest.mark.parametrize(
    ("role", "creates"),
    [("admin", True), ("coordinator", True), ("member", False), ("viewer", False)],
)
def test_who_creates_plans(world, role, creates):
    assert perms.can_create_plan(_user(world, role)) is creates


def test_add_permission_lets_a_user_create_plans(world):
    world.viewer.user_permissions.add(Permission.objects.get(codename="add_actionplan"))
    world.viewer.refresh_from_db()
    assert perms.can_create_plan(world.viewer) is True


def test_my_action_points_are_the_members_own(world):
    assert list(perms.my_action_points(world.member)) == [world.action_point]
    assert list(perms.my_action_points(world.viewer)) == []
    assert list(perms.my_action_points(world.coordinator)) == []


def test_visible_people_hides_people_of_hidden_plans(world):
    hidden = FocalPointFactory(action_point=world.other_action_point).person
    assert hidden not in perms.visible_people(world.member)
    assert world.member_person in perms.visible_people(world.member)
    assert hidden in perms.visible_people(world.admin)
    assert list(perms.visible_people(world.outsider)) == []


@pytest.mark.parametrize("getter", ["get_plan_or_404", "get_action_point_or_404"])
def test_hidden_objects_are_404(world, getter):
    from django.http import Http404

    target = world.other_plan if getter == "get_plan_or_404" else world.other_action_point
    with pytest.raises(Http404):
        getattr(perms, getter)(world.member, target.pk)
    assert getattr(perms, getter)(world.admin, target.pk) == target
