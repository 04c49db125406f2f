"""Issue 17, finding 9: choosing coordinators listed every active account.

Coordinators saw every active username, administrators included. Now the plan
form offers the people of the operation (actionplans.permissions.coordinator_choices):
the active accounts of the people the user may see, their own and the plan's
current coordinators; administrators' accounts only when they coordinate the plan
already. Anyone else is added by typing a username or email; administrators see all.
"""

import re

import pytest

from actionplans.models import ActionPlan
from tests.factories import FocalPointFactory, PersonFactory, UserFactory
from tests.users import build_world

pytestmark = pytest.mark.django_db

PLAN = {
    "title": "PIM Iraq Action Plan",
    "country": "Iraq",
    "origin": "",
    "status": "active",
    "visibility": "members",
}


@pytest.fixture
def world():
    """build_world(), plus: an account of someone named only in the hidden plan, an
    inactive account named in the plan, and the administrator named in the plan too."""
    world = build_world()
    world.hidden = UserFactory(username="hidden")
    FocalPointFactory(
        action_point=world.other_action_point,
        person=PersonFactory(name="Hidden", user=world.hidden),
    )
    world.retired = UserFactory(username="retired", is_active=False)
    world.group.team_members.add(PersonFactory(name="Retired", user=world.retired))
    world.group.team_members.add(PersonFactory(name="Site Admin", user=world.admin))
    return world


def _offered(response) -> list[str]:
    """The usernames the coordinators list offers, as rendered."""
    html = response.content.decode()
    select = re.search(r'<select name="coordinators".*?</select>', html, re.S).group(0)
    return re.findall(r"<option [^>]*>([^<]*)</option>", select)


# --- what is offered ------------------------------------------------------------------------


def test_coordinator_choices_for_a_coordinator_are_the_people_they_see(client, world):
    client.force_login(world.coordinator)

    response = client.get("/plans/add/")

    assert response.status_code == 200
    assert _offered(response) == ["coordinator", "member"]


def test_coordinator_choices_for_an_admin_are_every_active_account(client, world):
    client.force_login(world.admin)

    response = client.get("/plans/add/")

    assert _offered(response) == ["admin", "coordinator", "hidden", "member", "outsider", "viewer"]


def test_coordinator_choices_on_edit_add_the_plan_coordinators(client, world):
    world.plan.coordinators.add(world.outsider)
    client.force_login(world.coordinator)

    response = client.get(f"/plans/{world.plan.pk}/edit/")

    assert _offered(response) == ["coordinator", "member", "outsider"]


def test_coordinator_choices_offer_an_admin_only_when_coordinating_the_plan(client, world):
    client.force_login(world.coordinator)
    # Named in the plan, the administrator is still not offered...
    assert "admin" not in _offered(client.get(f"/plans/{world.plan.pk}/edit/"))

    world.plan.coordinators.add(world.admin)

    # ...unless a coordinator of this plan already, and of this plan only.
    assert _offered(client.get(f"/plans/{world.plan.pk}/edit/")) == [
        "admin",
        "coordinator",
        "member",
    ]
    assert _offered(client.get("/plans/add/")) == ["coordinator", "member"]


def test_coordinator_choices_unlisted_account_cannot_be_posted_by_id(client, world):
    client.force_login(world.coordinator)

    response = client.post("/plans/add/", PLAN | {"coordinators": [world.viewer.pk]})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "coordinators": [
            f"Select a valid choice. {world.viewer.pk} is not one of the available choices."
        ]
    }
    assert not ActionPlan.objects.filter(title=PLAN["title"]).exists()


# --- typing an account ---------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["viewer", " VIEWER@example.org "])
def test_coordinator_typed_username_or_email_is_added(client, world, typed):
    client.force_login(world.coordinator)

    response = client.post(
        "/plans/add/", PLAN | {"coordinators": [world.member.pk], "add_coordinator": typed}
    )

    plan = ActionPlan.objects.get(title=PLAN["title"])
    assert response.status_code == 302
    assert sorted(user.username for user in plan.coordinators.all()) == [
        "coordinator",
        "member",
        "viewer",
    ]


def test_coordinator_typed_on_edit_keeps_the_chosen(client, world):
    client.force_login(world.coordinator)

    response = client.post(
        f"/plans/{world.plan.pk}/edit/",
        PLAN | {"coordinators": [world.coordinator.pk], "add_coordinator": "outsider"},
    )

    assert response.status_code == 302
    assert sorted(user.username for user in world.plan.coordinators.all()) == [
        "coordinator",
        "outsider",
    ]


def test_coordinator_typed_alone_is_enough_on_edit(client, world):
    # The chosen list emptied, the typed account is the plan's coordinator.
    client.force_login(world.coordinator)

    response = client.post(f"/plans/{world.plan.pk}/edit/", PLAN | {"add_coordinator": "viewer"})

    assert response.status_code == 302
    assert [user.username for user in world.plan.coordinators.all()] == ["viewer"]


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("nobody", "No account has the username or email “nobody”."),
        ("retired", "The account “retired” is disabled."),
    ],
)
def test_coordinator_typed_unknown_or_disabled_account_is_refused(client, world, typed, error):
    client.force_login(world.coordinator)

    response = client.post("/plans/add/", PLAN | {"add_coordinator": typed})

    assert response.status_code == 200
    assert response.context["form"].errors == {"add_coordinator": [error]}
    assert not ActionPlan.objects.filter(title=PLAN["title"]).exists()


def test_coordinator_form_shows_the_typing_field(client, world):
    client.force_login(world.coordinator)

    response = client.get("/plans/add/")

    assert list(response.context["form"].fields) == [
        "title",
        "country",
        "origin",
        "status",
        "visibility",
        "coordinators",
        "add_coordinator",
    ]
    html = response.content.decode()
    assert '<label for="id_add_coordinator">Add a coordinator:</label>' in html
    assert "The username or email address of an account that is not listed above." in html
