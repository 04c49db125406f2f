"""Where "/" and signing in lead: members to "My action points", coordinators and
administrators to the plan list; a ?next= still wins."""

import pytest

from tests.users import build_world

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough test password"


@pytest.fixture
def world():
    world = build_world()
    for user in (world.admin, world.coordinator, world.member, world.viewer):
        user.set_password(PASSWORD)
        user.save()
    return world


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        ("member", "/my/action-points/"),
        ("coordinator", "/plans/"),
        ("admin", "/plans/"),
        ("viewer", "/plans/"),
    ],
)
def test_home_sends_each_role_to_its_page(client, world, role, landing):
    client.force_login(getattr(world, role))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == landing


def test_home_signed_out_asks_to_sign_in_first(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


@pytest.mark.parametrize(
    ("role", "landing"), [("member", "/my/action-points/"), ("coordinator", "/plans/")]
)
def test_signing_in_lands_on_the_roles_page(client, world, role, landing):
    response = client.post(
        "/accounts/login/", {"username": getattr(world, role).username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/")["Location"] == landing


@pytest.mark.parametrize("role", ["member", "coordinator"])
def test_next_wins_over_the_landing_page(client, world, role):
    response = client.post(
        f"/accounts/login/?next=/plans/{world.plan.pk}/",
        {"username": getattr(world, role).username, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{world.plan.pk}/"
