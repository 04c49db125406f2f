"""API throttling cannot be sidestepped (issue 17, finding 7).

A request whose authentication fails (an invalid, revoked or malformed token)
is throttled like anonymous traffic: DRF authenticates before it throttles, and
used to answer such requests 401 as fast as they came. Clients are told apart by
REMOTE_ADDR unless NUM_PROXIES trusted proxies are declared: a forged
X-Forwarded-For does not make a new client.
"""

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from tests.api.helpers import token_client

pytestmark = pytest.mark.django_db

THROTTLED = {"detail": "Request was throttled. Expected available in 60 seconds."}
INVALID = {"detail": "Invalid, revoked or expired token."}


@pytest.fixture(autouse=True)
def three_a_minute(monkeypatch):
    rates = {"user": "3/minute", "anon": "3/minute"}
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(SimpleRateThrottle, "timer", lambda self: 1_700_000_000.0)


@pytest.fixture
def one_trusted_proxy(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def bad_token_client() -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token pim_not-a-real-key")
    return client


def test_throttling_invalid_token_is_throttled_after_the_anonymous_rate(world):
    client = bad_token_client()

    responses = [client.get("/api/v1/plans/") for _ in range(5)]

    assert [r.status_code for r in responses] == [401, 401, 401, 429, 429]
    assert responses[0].json() == INVALID
    assert responses[0]["WWW-Authenticate"] == "Token"
    assert responses[3].json() == THROTTLED
    assert responses[3]["Retry-After"] == "60"
    assert responses[3]["Content-Type"] == "application/json"


def test_throttling_invalid_token_on_writes_too(world):
    client = bad_token_client()
    url = f"/api/v1/action-points/{world.action_point.pk}/updates/"

    codes = [client.post(url, {"progress": 10}, format="json").status_code for _ in range(4)]

    assert codes == [401, 401, 401, 429]


def test_throttling_malformed_authorization_header_is_throttled(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token two words")

    codes = [client.get("/api/v1/plans/").status_code for _ in range(4)]

    assert codes == [401, 401, 401, 429]


def test_throttling_invalid_tokens_and_no_credentials_share_the_anonymous_budget(world):
    bad = bad_token_client()
    anonymous = APIClient()

    codes = [
        bad.get("/api/v1/plans/").status_code,
        anonymous.get("/api/v1/plans/").status_code,
        bad.get("/api/v1/people/").status_code,
        anonymous.get("/api/v1/plans/").status_code,
    ]

    assert codes == [401, 401, 401, 429]


def test_throttling_invalid_token_counts_once_per_request(world):
    # The throttle runs once for a failed authentication, not again for the 401.
    client = bad_token_client()
    assert [client.get("/api/v1/plans/").status_code for _ in range(3)] == [401, 401, 401]
    assert client.get("/api/v1/plans/").status_code == 429


def test_throttling_invalid_token_on_the_schema_too(world):
    # The schema is not one of the API's viewsets: the exception handler throttles it.
    client = bad_token_client()

    codes = [client.get("/api/schema/").status_code for _ in range(4)]

    assert codes == [401, 401, 401, 429]


def test_throttling_invalid_tokens_do_not_use_up_a_valid_token(world):
    bad = bad_token_client()
    for _ in range(5):
        bad.get("/api/v1/plans/")

    assert token_client(world.member).get("/api/v1/plans/").status_code == 200


def test_throttling_rotating_forwarded_for_is_one_client_without_trusted_proxy(world):
    client = APIClient()

    codes = [
        client.get("/api/v1/plans/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(1, 6)
    ]

    assert codes == [401, 401, 401, 429, 429]


def test_throttling_rotating_forwarded_for_with_invalid_token_is_one_client(world):
    client = bad_token_client()

    codes = [
        client.get("/api/v1/plans/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(1, 6)
    ]

    assert codes == [401, 401, 401, 429, 429]


def test_throttling_forwarded_address_is_the_client_behind_one_trusted_proxy(
    world, one_trusted_proxy
):
    client = APIClient()

    rotating = [
        client.get("/api/v1/plans/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(1, 6)
    ]
    same = [
        client.get("/api/v1/plans/", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code
        for _ in range(4)
    ]

    assert rotating == [401] * 5
    assert same == [401, 401, 401, 429]


def test_throttling_trusted_proxy_takes_the_address_it_appended(world, one_trusted_proxy):
    # The client may send its own X-Forwarded-For; the proxy appends the address
    # it saw, the last one, which is the one counted.
    client = APIClient()

    codes = [
        client.get("/api/v1/plans/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 198.51.100.1").status_code
        for n in range(4)
    ]

    assert codes == [401, 401, 401, 429]
