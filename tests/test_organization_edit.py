"""Issue 17, finding 9: any coordinator could rename any organization, changing
what other plans show.

An organization is used by the plans that name its people now (team leader, team
member, focal point). It is edited by administrators and by the coordinators of
every plan that uses it (actionplans.permissions.can_edit_organization); others get
a 403 on the page and in the API, which tells them to ask an administrator, and no
Edit button.
"""

import pytest
from django.core.cache import cache
from pytest_django.asserts import assertContains, assertNotContains

from actionplans.permissions import can_edit_organization, plans_using_organization
from orgs.models import Organization
from tests.api.helpers import NOT_ALLOWED, token_client
from tests.factories import (
    ActionPlanFactory,
    ActionPointFactory,
    ChallengeFactory,
    FocalPointFactory,
    OrganizationFactory,
    PersonFactory,
    UserFactory,
    WorkingGroupFactory,
)
from tests.users import build_world

pytestmark = pytest.mark.django_db

REFUSED = (
    "Only administrators and the coordinators of every plan that names people of this "
    "organization can edit it: ask an administrator to make the change."
)
EDIT_BUTTON = "Edit organization</a>"
CHANGE = {"name": "Danish Refugee Council (DRC)", "acronym": "DRC", "kind": "ingo"}


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world():
    """build_world(); DRC's Jad is named in "PIM Lebanon Action Plan" (the coordinator's
    plan) and DRC's Rana in "Second plan", which another account coordinates."""
    world = build_world()
    world.drc = OrganizationFactory(name="Danish Refugee Council", acronym="DRC")
    world.member_person.organization = world.drc
    world.member_person.save()
    world.second_plan = ActionPlanFactory(title="Second plan")
    world.second_coordinator = UserFactory(username="second")
    world.second_plan.coordinators.add(world.second_coordinator)
    group = WorkingGroupFactory(plan=world.second_plan, number=1)
    world.rana = PersonFactory(name="Rana", organization=world.drc)
    group.team_members.add(world.rana)
    return world


def _name(world) -> str:
    world.drc.refresh_from_db()
    return world.drc.name


# --- the rule --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["leader", "member", "focal point"])
def test_organization_used_by_plans_naming_its_people_in_any_role(world, role):
    third = ActionPlanFactory(title="Third plan")
    group = WorkingGroupFactory(plan=third, number=1)
    person = PersonFactory(name="Omar", organization=world.drc)
    if role == "leader":
        group.team_leader = person
        group.save()
    elif role == "member":
        group.team_members.add(person)
    else:
        point = ActionPointFactory(challenge=ChallengeFactory(working_group=group, number=1))
        FocalPointFactory(action_point=point, person=person)

    assert sorted(plans_using_organization(world.drc).values_list("title", flat=True)) == [
        "PIM Lebanon Action Plan",
        "Second plan",
        "Third plan",
    ]


def test_organization_edit_rule_by_role(world):
    unused = OrganizationFactory(name="Unused")

    assert can_edit_organization(world.admin, world.drc) is True
    assert can_edit_organization(world.coordinator, world.drc) is False
    assert can_edit_organization(world.second_coordinator, world.drc) is False
    assert can_edit_organization(world.member, world.drc) is False
    # Nobody's plan changes: whoever may add organizations may edit it.
    assert can_edit_organization(world.coordinator, unused) is True
    assert can_edit_organization(world.member, unused) is False

    world.second_plan.coordinators.add(world.coordinator)

    assert can_edit_organization(world.coordinator, world.drc) is True


# --- the pages -------------------------------------------------------------------------------


def test_organization_edit_page_refused_to_coordinator_of_one_of_two_plans(client, world):
    client.force_login(world.coordinator)
    url = f"/organizations/{world.drc.pk}/edit/"

    get = client.get(url)
    post = client.post(url, CHANGE)

    assert (get.status_code, post.status_code) == (403, 403)
    assertContains(get, REFUSED, status_code=403)
    assert _name(world) == "Danish Refugee Council"


def test_organization_edit_page_for_coordinator_of_every_plan_using_it(client, world):
    world.second_plan.coordinators.add(world.coordinator)
    client.force_login(world.coordinator)
    url = f"/organizations/{world.drc.pk}/edit/"

    assert client.get(url).status_code == 200
    response = client.post(url, CHANGE)

    assert response.status_code == 302
    assert response["Location"] == f"/organizations/{world.drc.pk}/"
    assert _name(world) == "Danish Refugee Council (DRC)"


def test_organization_edit_page_always_for_admin(client, world):
    client.force_login(world.admin)
    url = f"/organizations/{world.drc.pk}/edit/"

    assert client.get(url).status_code == 200
    assert client.post(url, CHANGE).status_code == 302
    assert _name(world) == "Danish Refugee Council (DRC)"


def test_organization_detail_edit_button_only_for_who_may_edit(client, world):
    url = f"/organizations/{world.drc.pk}/"

    client.force_login(world.coordinator)
    response = client.get(url)
    assertNotContains(response, EDIT_BUTTON)
    assertContains(response, f'<p class="help">{REFUSED}</p>', html=True)

    client.force_login(world.admin)
    response = client.get(url)
    assertContains(response, EDIT_BUTTON)
    assertNotContains(response, REFUSED)

    # Who may not manage organizations at all is told nothing about editing.
    client.force_login(world.member)
    response = client.get(url)
    assertNotContains(response, EDIT_BUTTON)
    assertNotContains(response, REFUSED)


# --- the API ---------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["patch", "put"])
def test_organization_api_change_refused_to_coordinator_of_one_of_two_plans(world, method):
    client = token_client(world.coordinator)

    response = getattr(client, method)(
        f"/api/v1/organizations/{world.drc.pk}/", CHANGE, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"detail": REFUSED}
    assert _name(world) == "Danish Refugee Council"


@pytest.mark.parametrize("method", ["patch", "put"])
def test_organization_api_change_by_coordinator_of_every_plan_and_admin(world, method):
    world.second_plan.coordinators.add(world.coordinator)
    url = f"/api/v1/organizations/{world.drc.pk}/"

    response = getattr(token_client(world.coordinator), method)(url, CHANGE, format="json")
    assert response.status_code == 200
    assert _name(world) == "Danish Refugee Council (DRC)"

    response = getattr(token_client(world.admin), method)(
        url, CHANGE | {"name": "DRC"}, format="json"
    )
    assert response.status_code == 200
    assert _name(world) == "DRC"


def test_organization_api_change_refused_to_non_managers_as_before(world):
    response = token_client(world.member).patch(
        f"/api/v1/organizations/{world.drc.pk}/", {"name": "X"}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == NOT_ALLOWED
    assert Organization.objects.filter(name="X").count() == 0
