"""The API of verified completion: completed_by/at and verified_by/at on action
points, POST verify/ and send-back/, per role, with exact codes and messages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actionplans import services
from actionplans.models import ActionPoint
from tests.api.helpers import token_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOT_COORDINATOR = {
    "detail": "Only the plan's coordinators can verify a completed action point or send it back."
}


def _url(point, action=""):
    return f"/api/v1/action-points/{point.pk}/{action}"


def _complete(world, user, point=None):
    services.progress_update_create(
        action_point=point or world.action_point, author=user, status="completed", note="Done."
    )


def test_completion_fields_are_read_only_and_null_while_open(world, member_client):
    body = member_client.get(_url(world.action_point)).json()
    assert {k: body[k] for k in ("completed_by", "completed_at", "verified_by", "verified_at")} == {
        "completed_by": None,
        "completed_at": None,
        "verified_by": None,
        "verified_at": None,
    }


def test_completing_through_the_api_needs_what_was_done(world, member_client):
    response = member_client.post(
        _url(world.action_point, "updates/"), {"status": "completed"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "note": ["Say what was done: a note is required to complete an action point."]
    }
    assert ActionPoint.objects.get(pk=world.action_point.pk).status == "not_started"


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_a_coordinator_or_admin_verifies_a_members_completion(world, clients, role):
    _complete(world, world.member)
    response = clients[role].post(_url(world.action_point, "verify/"))
    assert response.status_code == 200
    body = response.json()
    point = ActionPoint.objects.get(pk=world.action_point.pk)
    assert (body["status"], body["completed_by"], body["verified_by"]) == (
        "completed",
        "member",
        role,
    )
    assert body["verified_at"] == point.verified_at.isoformat().replace("+00:00", "Z")
    assert response["ETag"] == f'"actionpoint-{point.pk}-{point.version}"'


def test_the_completer_who_is_coordinator_may_not_verify(world, coordinator_client):
    _complete(world, world.coordinator)
    response = coordinator_client.post(_url(world.action_point, "verify/"))
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Someone other than the person who completed it must verify it."]
    }


@pytest.mark.parametrize(("role", "code"), [("member", 403), ("viewer", 404), ("outsider", 404)])
def test_others_may_not_verify(world, clients, role, code):
    _complete(world, world.coordinator)
    response = clients[role].post(_url(world.action_point, "verify/"))
    assert response.status_code == code
    if code == 403:
        assert response.json() == NOT_COORDINATOR
    assert ActionPoint.objects.get(pk=world.action_point.pk).verified_at is None


def test_a_read_only_token_may_not_verify(world, clients):
    _complete(world, world.member)
    assert clients["coordinator_ro"].post(_url(world.action_point, "verify/")).status_code == 403


def test_verifying_an_open_or_verified_point_is_a_400(world, coordinator_client, admin_client):
    response = coordinator_client.post(_url(world.action_point, "verify/"))
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Only a completed action point can be verified or sent back."]
    }
    _complete(world, world.member)
    assert coordinator_client.post(_url(world.action_point, "verify/")).status_code == 200
    response = admin_client.post(_url(world.action_point, "verify/"))
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["This action point is verified already."]}


def test_verify_honours_if_match(world, coordinator_client):
    _complete(world, world.member)
    point = ActionPoint.objects.get(pk=world.action_point.pk)
    stale = f'"actionpoint-{point.pk}-{point.version - 1}"'
    response = coordinator_client.post(_url(point, "verify/"), headers={"If-Match": stale})
    assert response.status_code == 412
    assert ActionPoint.objects.get(pk=point.pk).verified_at is None


def test_send_back_needs_a_reason(world, coordinator_client):
    _complete(world, world.member)
    response = coordinator_client.post(_url(world.action_point, "send-back/"), {}, format="json")
    assert response.status_code == 400
    assert response.json() == {"reason": ["This field is required."]}
    response = coordinator_client.post(
        _url(world.action_point, "send-back/"), {"reason": " "}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"reason": ["This field may not be blank."]}
    assert ActionPoint.objects.get(pk=world.action_point.pk).status == "completed"


def test_send_back_reopens_a_verified_point(world, coordinator_client, admin_client):
    _complete(world, world.member)
    coordinator_client.post(_url(world.action_point, "verify/"))
    response = admin_client.post(
        _url(world.action_point, "send-back/"), {"reason": "Minutes missing."}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["progress"], body["latest_note"]) == (
        "in_progress",
        90,
        "Minutes missing.",
    )
    assert [body[k] for k in ("completed_by", "completed_at", "verified_by", "verified_at")] == [
        None
    ] * 4


@pytest.mark.parametrize(("role", "code"), [("member", 403), ("viewer", 404)])
def test_others_may_not_send_back(world, clients, role, code):
    _complete(world, world.coordinator)
    response = clients[role].post(
        _url(world.action_point, "send-back/"), {"reason": "No."}, format="json"
    )
    assert response.status_code == code
    if code == 403:
        assert response.json() == NOT_COORDINATOR


def test_the_list_query_count_is_flat_with_completed_and_verified_points(world):
    client = token_client(world.coordinator)

    def grow(n):
        for i in range(n):
            point = services.action_point_create(challenge=world.challenge, description=f"P {i}")
            completer = UserFactory(username=f"completer{len(ActionPoint.objects.all())}")
            _complete(world, completer, point)
            services.action_point_verify(action_point=point, user=world.coordinator)

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/v1/action-points/")
        assert response.status_code == 200
        return len(captured), response.json()["count"]

    grow(1)
    count()  # the token's first use is recorded once: not part of the measure
    small, rows_small = count()
    grow(4)
    large, rows_large = count()
    assert (rows_small, rows_large) == (2, 6)
    assert small == large
