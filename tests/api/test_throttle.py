"""Throttling: too many requests get a clear 429 with Retry-After.

The rates come from REST_FRAMEWORK's DEFAULT_THROTTLE_RATES, which DRF copies
onto the throttle classes when it imports them: the tests patch the classes,
and freeze the throttle's clock so the wait is exact.
"""

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from orgs.services import api_token_issue
from tests.api.helpers import token_client

pytestmark = pytest.mark.django_db

THROTTLED = {"detail": "Request was throttled. Expected available in 60 seconds."}
NOW = 1_700_000_000.0


@pytest.fixture(autouse=True)
def three_a_minute(monkeypatch):
    rates = {"user": "3/minute", "anon": "3/minute"}
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", rates)
    clock = {"now": NOW}
    monkeypatch.setattr(SimpleRateThrottle, "timer", lambda self: clock["now"])
    return clock


def test_throttle_fourth_request_is_429(world, member_client):
    statuses = [member_client.get("/api/v1/plans/").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    response = member_client.get("/api/v1/plans/")
    assert response.status_code == 429
    assert response.json() == THROTTLED
    assert response["Retry-After"] == "60"
    assert response["Content-Type"] == "application/json"


def test_throttle_counts_writes_and_reads_together(world, member_client):
    url = f"/api/v1/action-points/{world.action_point.pk}/"
    assert member_client.get(url).status_code == 200
    assert member_client.post(f"{url}updates/", {"progress": 10}, format="json").status_code == 201
    assert member_client.get(f"{url}updates/").status_code == 200
    response = member_client.post(f"{url}updates/", {"progress": 20}, format="json")
    assert response.status_code == 429
    assert response.json() == THROTTLED
    world.action_point.refresh_from_db()
    assert world.action_point.progress == 10


def test_throttle_wait_shrinks_with_time(world, member_client, three_a_minute):
    for _ in range(3):
        member_client.get("/api/v1/plans/")
    three_a_minute["now"] = NOW + 45
    response = member_client.get("/api/v1/plans/")
    assert response.status_code == 429
    assert response.json() == {"detail": "Request was throttled. Expected available in 15 seconds."}
    assert response["Retry-After"] == "15"


def test_throttle_window_passes(world, member_client, three_a_minute):
    for _ in range(3):
        member_client.get("/api/v1/plans/")
    assert member_client.get("/api/v1/plans/").status_code == 429
    three_a_minute["now"] = NOW + 61
    assert member_client.get("/api/v1/plans/").status_code == 200


def test_throttle_is_per_account_not_per_token(world, member_client):
    second = token_client(world.member)
    for _ in range(2):
        assert member_client.get("/api/v1/plans/").status_code == 200
    assert second.get("/api/v1/plans/").status_code == 200
    response = second.get("/api/v1/plans/")
    assert response.status_code == 429
    assert response.json() == THROTTLED


def test_throttle_other_accounts_unaffected(world, member_client, coordinator_client):
    for _ in range(3):
        member_client.get("/api/v1/plans/")
    assert member_client.get("/api/v1/plans/").status_code == 429
    assert coordinator_client.get("/api/v1/plans/").status_code == 200


def test_throttle_applies_to_session_users(world):
    client = APIClient()
    client.force_login(world.viewer)
    assert [client.get("/api/v1/plans/").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_throttle_applies_to_read_only_tokens(world, member_ro_client):
    codes = [member_ro_client.get("/api/v1/people/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_throttle_anonymous_requests_are_throttled_too(world, anonymous_client):
    # Throttles are checked before permissions: a client without credentials
    # gets 401 three times, then 429 like everyone else.
    codes = [anonymous_client.get("/api/v1/plans/").status_code for _ in range(5)]
    assert codes == [401, 401, 401, 429, 429]


def test_throttle_does_not_count_other_users_401s(world):
    _token, key = api_token_issue(user=world.member)
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token pim_wrong")
    # An invalid token is throttled as anonymous traffic (tests/api/test_throttling_bypass.py).
    assert [bad.get("/api/v1/plans/").status_code for _ in range(5)] == [401, 401, 401, 429, 429]
    good = APIClient()
    good.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert good.get("/api/v1/plans/").status_code == 200
