"""Authentication of /api/v1/: token and session, 401s in JSON, read-only tokens.

A token carries exactly its account's rights; a read-only token never writes,
whatever its owner may do. Nothing under /api/ redirects to the sign-in page.
"""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from actionplans.models import ActionPlan, ActionPoint, DeadlineChange, ProgressUpdate
from orgs.models import ApiToken, Organization, Person
from orgs.services import api_token_issue, api_token_revoke
from tests.api.helpers import NO_CREDENTIALS, NOT_FOUND, READ_ONLY, ids

pytestmark = pytest.mark.django_db

INVALID_TOKEN = {"detail": "Invalid, revoked or expired token."}
BAD_HEADER = {
    "detail": "Invalid Authorization header: use 'Token <key>', with no spaces in the key."
}


def _urls(world) -> list[str]:
    point = world.action_point.pk
    return [
        "/api/v1/",
        "/api/v1/organizations/",
        "/api/v1/people/",
        "/api/v1/plans/",
        f"/api/v1/plans/{world.plan.pk}/",
        f"/api/v1/plans/{world.plan.pk}/summary/",
        "/api/v1/working-groups/",
        "/api/v1/challenges/",
        "/api/v1/action-points/",
        f"/api/v1/action-points/{point}/",
        f"/api/v1/action-points/{point}/updates/",
        "/api/v1/plans/999999/",
    ]


def _with_header(value: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=value)
    return client


# --- no or bad credentials -------------------------------------------------------


def test_auth_no_header_is_401_with_token_challenge(world, anonymous_client):
    for url in _urls(world):
        response = anonymous_client.get(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"] == "Token"
        assert response["Content-Type"] == "application/json"
        assert response.json() == NO_CREDENTIALS
        assert not response.has_header("Location")


def test_auth_anonymous_write_is_401_and_writes_nothing(world, anonymous_client):
    point = world.action_point
    responses = [
        anonymous_client.post("/api/v1/plans/", {"title": "New"}, format="json"),
        anonymous_client.patch(f"/api/v1/plans/{world.plan.pk}/", {"title": "X"}, format="json"),
        anonymous_client.delete(f"/api/v1/plans/{world.plan.pk}/"),
        anonymous_client.post(
            f"/api/v1/action-points/{point.pk}/updates/", {"note": "Hi"}, format="json"
        ),
        anonymous_client.post(
            f"/api/v1/action-points/{point.pk}/reschedule/",
            {"deadline": "Q1 2019", "reason": "Late"},
            format="json",
        ),
    ]
    assert [r.status_code for r in responses] == [401, 401, 401, 401, 401]
    assert all(r.json() == NO_CREDENTIALS for r in responses)
    assert ActionPlan.objects.count() == 2
    world.plan.refresh_from_db()
    assert world.plan.title == "PIM Lebanon Action Plan"
    assert (ProgressUpdate.objects.count(), DeadlineChange.objects.count()) == (0, 0)


def test_auth_unknown_token_is_401(world):
    response = _with_header("Token pim_not-a-real-key").get("/api/v1/plans/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == INVALID_TOKEN


def test_auth_revoked_token_is_401(world):
    token, key = api_token_issue(user=world.coordinator)
    client = _with_header(f"Token {key}")
    assert ids(client.get("/api/v1/plans/")) == [world.plan.pk]

    api_token_revoke(token=token)
    response = client.get("/api/v1/plans/")

    assert response.status_code == 401
    assert response.json() == INVALID_TOKEN


def test_auth_inactive_user_token_is_401(world):
    _token, key = api_token_issue(user=world.member)
    world.member.is_active = False
    world.member.save(update_fields=["is_active"])

    response = _with_header(f"Token {key}").get("/api/v1/plans/")

    assert response.status_code == 401
    assert response.json() == INVALID_TOKEN


@pytest.mark.parametrize("header", ["Token", "Token one two", "token a b c"])
def test_auth_malformed_header_is_401(world, header):
    response = _with_header(header).get("/api/v1/plans/")
    assert response.status_code == 401
    assert response.json() == BAD_HEADER


def test_auth_undecodable_key_is_401(world):
    response = _with_header("Token pim_\xe9t\xe9").get("/api/v1/plans/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_auth_other_scheme_is_401_not_authenticated(world):
    response = _with_header("Bearer abcdef").get("/api/v1/plans/")
    assert response.status_code == 401
    assert response.json() == NO_CREDENTIALS


def test_auth_keyword_is_case_insensitive(world):
    _token, key = api_token_issue(user=world.member)
    assert ids(_with_header(f"token {key}").get("/api/v1/plans/")) == [world.plan.pk]


def test_auth_token_carries_its_owners_rights(world, clients):
    expected = {
        "admin": [world.other_plan.pk, world.plan.pk],
        "coordinator": [world.plan.pk],
        "member": [world.plan.pk],
        "viewer": [],
        "outsider": [],
        "member_ro": [world.plan.pk],
        "coordinator_ro": [world.plan.pk],
    }
    assert {role: ids(clients[role].get("/api/v1/plans/")) for role in expected} == expected


# --- last use ----------------------------------------------------------------------


def test_auth_last_used_recorded(world):
    token, key = api_token_issue(user=world.member)
    assert token.last_used is None
    before = timezone.now()

    response = _with_header(f"Token {key}").get("/api/v1/plans/")

    assert response.status_code == 200
    token.refresh_from_db()
    assert before <= token.last_used <= timezone.now()


def test_auth_last_used_written_at_most_once_a_minute(world):
    token, key = api_token_issue(user=world.member)
    client = _with_header(f"Token {key}")
    recent = timezone.now() - datetime.timedelta(seconds=10)
    ApiToken.objects.filter(pk=token.pk).update(last_used=recent)

    assert client.get("/api/v1/plans/").status_code == 200
    token.refresh_from_db()
    assert token.last_used == recent

    old = timezone.now() - datetime.timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used=old)
    assert client.get("/api/v1/plans/").status_code == 200
    token.refresh_from_db()
    assert token.last_used > old + datetime.timedelta(minutes=1)


def test_auth_revoked_token_last_used_not_touched(world):
    token, key = api_token_issue(user=world.member)
    api_token_revoke(token=token)
    assert _with_header(f"Token {key}").get("/api/v1/plans/").status_code == 401
    token.refresh_from_db()
    assert token.last_used is None


# --- read-only tokens --------------------------------------------------------------


def test_auth_read_only_token_reads(world, member_ro_client, coordinator_ro_client):
    point = world.action_point.pk
    assert ids(member_ro_client.get("/api/v1/action-points/")) == [point]
    assert ids(coordinator_ro_client.get("/api/v1/action-points/")) == [point]
    response = member_ro_client.get(f"/api/v1/action-points/{point}/")
    assert response.status_code == 200
    assert response.json()["id"] == point
    assert member_ro_client.get(f"/api/v1/action-points/{point}/updates/").status_code == 200
    assert coordinator_ro_client.get(f"/api/v1/plans/{world.plan.pk}/summary/").status_code == 200


def test_auth_read_only_token_hidden_object_still_404(world, member_ro_client):
    response = member_ro_client.get(f"/api/v1/action-points/{world.other_action_point.pk}/")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_auth_read_only_member_token_cannot_post_update(world, member_ro_client):
    point = world.action_point
    response = member_ro_client.post(
        f"/api/v1/action-points/{point.pk}/updates/",
        {"status": "in_progress", "progress": 50},
        format="json",
    )
    assert response.status_code == 403
    assert response.json() == READ_ONLY
    assert ProgressUpdate.objects.count() == 0
    point.refresh_from_db()
    assert (point.status, point.progress, point.version) == ("not_started", 0, 1)


def test_auth_read_only_coordinator_token_writes_nothing(world, coordinator_ro_client):
    client = coordinator_ro_client
    plan, point = world.plan, world.action_point
    responses = {
        "create plan": client.post("/api/v1/plans/", {"title": "New"}, format="json"),
        "patch plan": client.patch(f"/api/v1/plans/{plan.pk}/", {"title": "X"}, format="json"),
        "put plan": client.put(f"/api/v1/plans/{plan.pk}/", {"title": "X"}, format="json"),
        "delete plan": client.delete(f"/api/v1/plans/{plan.pk}/"),
        "create group": client.post(
            "/api/v1/working-groups/", {"plan": plan.pk, "name": "G"}, format="json"
        ),
        "delete group": client.delete(f"/api/v1/working-groups/{world.group.pk}/"),
        "patch challenge": client.patch(
            f"/api/v1/challenges/{world.challenge.pk}/", {"description": "X"}, format="json"
        ),
        "patch point": client.patch(
            f"/api/v1/action-points/{point.pk}/", {"description": "X"}, format="json"
        ),
        "delete point": client.delete(f"/api/v1/action-points/{point.pk}/"),
        "update": client.post(
            f"/api/v1/action-points/{point.pk}/updates/", {"note": "X"}, format="json"
        ),
        "reschedule": client.post(
            f"/api/v1/action-points/{point.pk}/reschedule/",
            {"deadline": "Q1 2019", "reason": "X"},
            format="json",
        ),
        "create person": client.post("/api/v1/people/", {"name": "Rana"}, format="json"),
        "patch person": client.patch(
            f"/api/v1/people/{world.member_person.pk}/", {"name": "X"}, format="json"
        ),
        "create organization": client.post(
            "/api/v1/organizations/", {"name": "UNHCR"}, format="json"
        ),
    }
    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 403)
    assert all(r.json() == READ_ONLY for r in responses.values())
    plan.refresh_from_db()
    point.refresh_from_db()
    assert (plan.title, point.description, point.version) == (
        "PIM Lebanon Action Plan",
        "IMWG to recommend standardized tools",
        1,
    )
    assert ActionPlan.objects.count() == 2
    assert ActionPoint.objects.count() == 2
    assert (ProgressUpdate.objects.count(), DeadlineChange.objects.count()) == (0, 0)
    assert list(Person.objects.values_list("name", flat=True)) == ["Jad"]
    assert Organization.objects.count() == 0


def test_auth_read_only_token_write_to_missing_id_is_403_too(member_ro_client):
    # The read-only rule answers before any lookup: an id tells nothing.
    response = member_ro_client.patch(
        "/api/v1/action-points/999999/", {"description": "X"}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == READ_ONLY


# --- session (the browser) ---------------------------------------------------------


def test_auth_session_works_for_logged_in_user(world):
    client = APIClient()
    client.force_login(world.member)
    assert ids(client.get("/api/v1/plans/")) == [world.plan.pk]
    response = client.post(
        f"/api/v1/action-points/{world.action_point.pk}/updates/",
        {"status": "in_progress", "progress": 30},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["author"] == "member"


def test_auth_session_write_needs_csrf_token(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.member)
    response = client.post(
        f"/api/v1/action-points/{world.action_point.pk}/updates/", {"note": "X"}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "CSRF Failed: CSRF cookie not set."}
    assert ProgressUpdate.objects.count() == 0


def test_auth_token_needs_no_csrf_token(world):
    _token, key = api_token_issue(user=world.member)
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.post(
        f"/api/v1/action-points/{world.action_point.pk}/updates/", {"note": "X"}, format="json"
    )
    assert response.status_code == 201


def test_auth_bad_token_is_401_even_with_session(world):
    client = APIClient()
    client.force_login(world.member)
    client.credentials(HTTP_AUTHORIZATION="Token pim_wrong")
    response = client.get("/api/v1/plans/")
    assert response.status_code == 401
    assert response.json() == INVALID_TOKEN


def test_auth_session_of_inactive_user_is_401(world):
    client = APIClient()
    client.force_login(world.member)
    world.member.is_active = False
    world.member.save(update_fields=["is_active"])
    response = client.get("/api/v1/plans/")
    assert response.status_code == 401
    assert response.json() == NO_CREDENTIALS


# --- never a redirect --------------------------------------------------------------


def test_auth_api_never_redirects_to_login(world, monkeypatch):
    # Many anonymous requests in a row: lift the anonymous rate for this test.
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "10000/minute"})
    clients = [APIClient(), _with_header("Token pim_wrong"), _with_header("Token")]
    for client in clients:
        for url in _urls(world):
            for method in ("get", "post", "patch", "delete"):
                response = getattr(client, method)(url, follow=False)
                assert response.status_code == 401, (method, url)
                assert not response.has_header("Location"), (method, url)
                assert "/accounts/login/" not in response.content.decode()


def test_auth_pages_still_redirect_to_login(world):
    # The API's exemption is only for /api/: the pages still ask to sign in.
    response = APIClient().get("/plans/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/plans/"
