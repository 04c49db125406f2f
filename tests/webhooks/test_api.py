"""/api/v1/webhooks/: a coordinator's subscriptions, their secret shown once, the
delivery log, the test event, resume, and who may do what."""

from __future__ import annotations

import datetime
import uuid

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.api.helpers import (
    NO_CREDENTIALS,
    NOT_FOUND,
    READ_ONLY,
    STALE,
    token_client,
)
from tests.users import build_world
from webhooks import services
from webhooks.choices import PING
from webhooks.models import Attempt, Delivery, Subscription

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 11, 27, 8, 0, tzinfo=datetime.UTC)
STAMP = "2026-11-27T08:00:00Z"
TARGET = "http://127.0.0.1:8765/hooks"
BASE = "http://testserver/api/v1"
MANAGERS_ONLY = {"detail": "Only coordinators and administrators manage webhooks."}
SECRET_IN_ADDRESS = (
    "Never put a secret or token in an address (it ends up in logs): send the token in "
    "the Authorization header."
)


@pytest.fixture(autouse=True)
def _frozen_clock_and_fresh_throttles():
    cache.clear()
    with time_machine.travel(T0, tick=False):
        yield
    cache.clear()


@pytest.fixture
def world(db):
    return build_world()


def _subscription(owner, **kwargs) -> Subscription:
    values = {"target_url": TARGET, "events": ["action_point.created"], **kwargs}
    subscription, _secret = services.subscription_create(owner=owner, **values)
    return subscription


def _shown(subscription: Subscription, **changes) -> dict:
    """A subscription as the API shows it (never its secret)."""
    return {
        "id": subscription.pk,
        "url": f"{BASE}/webhooks/{subscription.pk}/",
        "plan": subscription.plan_id,
        "target_url": subscription.target_url,
        "events": subscription.events,
        "description": subscription.description,
        "active": subscription.active,
        "paused_at": None,
        "paused_reason": "",
        "created": STAMP,
        "updated": STAMP,
        **changes,
    }


# --- create, and the secret shown once ------------------------------------------------


def test_webhook_create_answers_201_with_the_secret_once(world):
    client = token_client(world.coordinator)

    response = client.post(
        "/api/v1/webhooks/",
        {
            "plan": world.plan.pk,
            "target_url": TARGET,
            "events": ["action_point.created", "plan.updated", "action_point.created"],
            "description": "5W database",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    subscription = Subscription.objects.get()
    assert (subscription.owner, subscription.plan) == (world.coordinator, world.plan)
    body = response.json()
    assert body == {
        **_shown(subscription),
        "events": ["action_point.created", "plan.updated"],
        "description": "5W database",
        "secret": subscription.secret,
    }
    assert body["secret"].startswith("whsec_")
    assert (
        response["ETag"] == f'"subscription-{subscription.pk}-{subscription.updated.isoformat()}"'
    )
    # Never again: neither the list nor the object shows it.
    listed = client.get("/api/v1/webhooks/").json()
    shown = client.get(f"/api/v1/webhooks/{subscription.pk}/").json()
    assert listed == {"count": 1, "next": None, "previous": None, "results": [shown]}
    assert "secret" not in shown
    assert subscription.secret not in str(listed)


def test_webhook_create_for_all_plans_with_plan_null(world):
    response = token_client(world.coordinator).post(
        "/api/v1/webhooks/",
        {"plan": None, "target_url": TARGET, "events": ["plan.updated"]},
        format="json",
    )

    assert response.status_code == 201
    assert (response.json()["plan"], Subscription.objects.get().plan) == (None, None)


def test_webhook_create_inactive(world):
    response = token_client(world.coordinator).post(
        "/api/v1/webhooks/",
        {"target_url": TARGET, "events": ["plan.updated"], "active": False},
        format="json",
    )

    assert (response.status_code, response.json()["active"]) == (201, False)
    assert Subscription.objects.get().active is False


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"events": ["action_point.exploded"]},
            {
                "events": [
                    'Unknown event "action_point.exploded". Use one of: action_point.created, '
                    "action_point.updated, action_point.rescheduled, action_point.completed, "
                    "action_point.deleted, plan.updated."
                ]
            },
        ),
        ({"events": []}, {"events": ["Choose at least one event."]}),
        ({"target_url": "ftp://127.0.0.1/hooks"}, {"target_url": ["Use an https:// address."]}),
        (
            {"target_url": "javascript:alert(1)"},
            {"target_url": ["Use an https:// address."]},
        ),
        (
            {"target_url": "http://127.0.0.1:8765/hooks?secret=abc"},
            {
                "target_url": [
                    'Put secrets in the signature header, not in the address ("secret"): '
                    "check X-PIM-Signature with the subscription's secret."
                ]
            },
        ),
        ({"target_url": ""}, {"target_url": ["This field may not be blank."]}),
        ({"plan": 10**6}, {"plan": ['Invalid pk "1000000" - object does not exist.']}),
    ],
    ids=[
        "unknown event",
        "no event",
        "ftp",
        "javascript",
        "secret in the target",
        "blank",
        "no such plan",
    ],
)
def test_webhook_create_refuses_bad_input(world, body, expected):
    valid = {"target_url": TARGET, "events": ["plan.updated"]}

    response = token_client(world.coordinator).post(
        "/api/v1/webhooks/", {**valid, **body}, format="json"
    )

    assert (response.status_code, response.json()) == (400, expected)
    assert not Subscription.objects.exists()


def test_webhook_create_refuses_a_plan_the_coordinator_may_not_see(world):
    response = token_client(world.coordinator).post(
        "/api/v1/webhooks/",
        {"plan": world.other_plan.pk, "target_url": TARGET, "events": ["plan.updated"]},
        format="json",
    )

    assert (response.status_code, response.json()) == (
        400,
        {"plan": [f'Invalid pk "{world.other_plan.pk}" - object does not exist.']},
    )


def test_webhook_create_refuses_private_targets_in_production(world, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False

    response = token_client(world.coordinator).post(
        "/api/v1/webhooks/",
        {"target_url": "https://127.0.0.1/hooks", "events": ["plan.updated"]},
        format="json",
    )

    assert (response.status_code, response.json()) == (
        400,
        {
            "target_url": [
                "127.0.0.1 is a private or reserved address (127.0.0.1): "
                "webhooks go to public addresses only."
            ]
        },
    )


@pytest.mark.parametrize("name", ["secret", "token"])
def test_webhook_requests_with_a_secret_in_the_query_string_are_refused(world, name):
    client = token_client(world.coordinator)
    subscription = _subscription(world.coordinator)

    answers = [
        client.get("/api/v1/webhooks/", {name: "whsec_abc"}),
        client.get(f"/api/v1/webhooks/{subscription.pk}/", {name: "x"}),
        client.post(
            f"/api/v1/webhooks/?{name}=x",
            {"target_url": TARGET, "events": ["plan.updated"]},
            format="json",
        ),
    ]

    assert [(r.status_code, r.json()) for r in answers] == [(400, {name: [SECRET_IN_ADDRESS]})] * 3
    assert Subscription.objects.count() == 1


# --- who may ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "viewer", "outsider"])
def test_webhooks_are_for_coordinators_only(world, role):
    client = token_client(getattr(world, role))
    subscription = _subscription(world.coordinator)

    answers = [
        client.get("/api/v1/webhooks/"),
        client.post(
            "/api/v1/webhooks/", {"target_url": TARGET, "events": ["plan.updated"]}, format="json"
        ),
        client.get(f"/api/v1/webhooks/{subscription.pk}/"),
        client.post(f"/api/v1/webhooks/{subscription.pk}/test/"),
    ]

    assert [(r.status_code, r.json()) for r in answers] == [(403, MANAGERS_ONLY)] * 4
    assert Subscription.objects.count() == 1


def test_webhooks_need_credentials():
    response = APIClient().get("/api/v1/webhooks/")

    assert (response.status_code, response.json()) == (401, NO_CREDENTIALS)


def test_webhooks_read_only_token_reads_but_never_writes(world):
    client = token_client(world.coordinator, read_only=True)
    subscription = _subscription(world.coordinator)

    listed = client.get("/api/v1/webhooks/")
    answers = [
        client.post(
            "/api/v1/webhooks/", {"target_url": TARGET, "events": ["plan.updated"]}, format="json"
        ),
        client.patch(f"/api/v1/webhooks/{subscription.pk}/", {"active": False}, format="json"),
        client.delete(f"/api/v1/webhooks/{subscription.pk}/"),
        client.post(f"/api/v1/webhooks/{subscription.pk}/rotate-secret/"),
        client.post(f"/api/v1/webhooks/{subscription.pk}/test/"),
        client.post(f"/api/v1/webhooks/{subscription.pk}/resume/"),
    ]

    assert listed.status_code == 200
    assert [(r.status_code, r.json()) for r in answers] == [(403, READ_ONLY)] * 6
    assert Subscription.objects.get().active is True
    assert not Delivery.objects.exists()


def test_webhooks_of_another_coordinator_are_not_found(world):
    other = world.viewer
    world.plan.coordinators.add(other)  # a second coordinator of the same plan
    theirs = _subscription(world.coordinator)
    client = token_client(other)
    url = f"/api/v1/webhooks/{theirs.pk}/"

    answers = [
        client.get(url),
        client.patch(url, {"description": "Mine now"}, format="json"),
        client.put(url, {"target_url": TARGET, "events": ["plan.updated"]}, format="json"),
        client.delete(url),
        client.get(url + "deliveries/"),
        client.post(url + "test/"),
        client.post(url + "resume/"),
        client.post(url + "rotate-secret/"),
    ]

    assert client.get("/api/v1/webhooks/").json()["results"] == []
    assert [(r.status_code, r.json()) for r in answers] == [(404, NOT_FOUND)] * 8
    theirs.refresh_from_db()
    assert (theirs.description, Delivery.objects.count()) == ("", 0)


def test_webhooks_an_administrator_sees_every_one(world):
    theirs = _subscription(world.coordinator)

    response = token_client(world.admin).get(f"/api/v1/webhooks/{theirs.pk}/")

    assert (response.status_code, response.json()) == (200, _shown(theirs))


# --- update, delete --------------------------------------------------------------------


def test_webhook_patch_changes_what_is_given(world):
    subscription = _subscription(world.coordinator, plan=world.plan)
    client = token_client(world.coordinator)

    with time_machine.travel(T0 + datetime.timedelta(minutes=5), tick=False):
        response = client.patch(
            f"/api/v1/webhooks/{subscription.pk}/",
            {"events": ["plan.updated"], "active": False, "plan": None},
            format="json",
        )

    assert response.status_code == 200, response.content
    assert response.json() == _shown(
        subscription,
        events=["plan.updated"],
        active=False,
        plan=world.plan.pk,  # fixed when made
        updated="2026-11-27T08:05:00Z",
    )
    subscription.refresh_from_db()
    assert (subscription.events, subscription.active, subscription.plan) == (
        ["plan.updated"],
        False,
        world.plan,
    )


def test_webhook_put_needs_the_target_and_events(world):
    subscription = _subscription(world.coordinator)

    response = token_client(world.coordinator).put(
        f"/api/v1/webhooks/{subscription.pk}/", {"description": "x"}, format="json"
    )

    assert (response.status_code, response.json()) == (
        400,
        {"target_url": ["This field is required."], "events": ["This field is required."]},
    )


def test_webhook_patch_with_a_stale_etag_is_412(world):
    subscription = _subscription(world.coordinator)

    response = token_client(world.coordinator).patch(
        f"/api/v1/webhooks/{subscription.pk}/",
        {"description": "x"},
        format="json",
        HTTP_IF_MATCH='"subscription-1-2020-01-01T00:00:00+00:00"',
    )

    assert (response.status_code, response.json()) == (412, STALE)


def test_webhook_patch_refuses_an_unknown_event(world):
    subscription = _subscription(world.coordinator)

    response = token_client(world.coordinator).patch(
        f"/api/v1/webhooks/{subscription.pk}/", {"events": ["ping"]}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["events"]
    assert response.json()["events"][0].startswith('Unknown event "ping".')


def test_webhook_delete(world):
    subscription = _subscription(world.coordinator)

    response = token_client(world.coordinator).delete(f"/api/v1/webhooks/{subscription.pk}/")

    assert (response.status_code, response.content) == (204, b"")
    assert not Subscription.objects.exists()


# --- rotate, test, resume, deliveries ----------------------------------------------------


def test_webhook_rotate_secret_shows_the_new_one_once(world):
    subscription = _subscription(world.coordinator)
    old = subscription.secret
    client = token_client(world.coordinator)

    response = client.post(f"/api/v1/webhooks/{subscription.pk}/rotate-secret/")

    subscription.refresh_from_db()
    assert subscription.secret != old
    assert (response.status_code, response.json()) == (
        200,
        {**_shown(subscription), "secret": subscription.secret},
    )
    assert (
        subscription.secret
        not in client.get(f"/api/v1/webhooks/{subscription.pk}/").content.decode()
    )


def test_webhook_test_event_is_a_202_with_its_delivery(world):
    subscription = _subscription(world.coordinator)

    response = token_client(world.coordinator).post(f"/api/v1/webhooks/{subscription.pk}/test/")

    delivery = Delivery.objects.get()
    assert (delivery.subscription, delivery.event) == (subscription, PING)
    assert (response.status_code, response.json()) == (
        202,
        {
            "id": delivery.pk,
            "event": "ping",
            "event_id": str(delivery.event_id),
            "object_type": "",
            "object_id": None,
            "status": "pending",
            "attempts": 0,
            "response_code": None,
            "occurred_at": STAMP,
            "next_attempt_at": None,
            "finished_at": None,
            "created": STAMP,
            "attempt_log": [],
        },
    )


def test_webhook_resume_clears_the_pause(world):
    subscription = _subscription(world.coordinator)
    services.subscription_pause(subscription=subscription, reason="Failed for 24 hours")
    client = token_client(world.coordinator)
    paused = client.get(f"/api/v1/webhooks/{subscription.pk}/").json()

    response = client.post(f"/api/v1/webhooks/{subscription.pk}/resume/")

    assert (paused["paused_at"], paused["paused_reason"]) == (STAMP, "Failed for 24 hours")
    assert (response.status_code, response.json()) == (200, _shown(subscription))
    subscription.refresh_from_db()
    assert (subscription.paused_at, subscription.active) == (None, True)


def _delivery(subscription: Subscription, *, minutes: int, codes: list[int]) -> Delivery:
    at = T0 + datetime.timedelta(minutes=minutes)
    delivery = Delivery.objects.create(
        subscription=subscription,
        event="action_point.created",
        object_type="action_point",
        object_id=7,
        occurred_at=at,
        status="succeeded" if codes and codes[-1] < 300 else "retrying",
        attempts=len(codes),
        response_code=codes[-1] if codes else None,
        finished_at=at if codes and codes[-1] < 300 else None,
    )
    Delivery.objects.filter(pk=delivery.pk).update(created=at)
    for number, code in enumerate(codes, start=1):
        Attempt.objects.create(
            delivery=delivery,
            number=number,
            started_at=at,
            duration_ms=100 * number,
            response_code=code,
            error="" if code < 300 else f"HTTP {code}",
            succeeded=code < 300,
        )
    return delivery


def test_webhook_deliveries_newest_first_with_their_attempts(world):
    subscription = _subscription(world.coordinator)
    first = _delivery(subscription, minutes=1, codes=[500, 200])
    second = _delivery(subscription, minutes=2, codes=[503])
    event_id = uuid.UUID(str(first.event_id))

    response = token_client(world.coordinator).get(
        f"/api/v1/webhooks/{subscription.pk}/deliveries/"
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], [d["id"] for d in body["results"]]) == (2, [second.pk, first.pk])
    assert body["results"][1] == {
        "id": first.pk,
        "event": "action_point.created",
        "event_id": str(event_id),
        "object_type": "action_point",
        "object_id": 7,
        "status": "succeeded",
        "attempts": 2,
        "response_code": 200,
        "occurred_at": "2026-11-27T08:01:00Z",
        "next_attempt_at": None,
        "finished_at": "2026-11-27T08:01:00Z",
        "created": "2026-11-27T08:01:00Z",
        "attempt_log": [
            {
                "number": 1,
                "started_at": "2026-11-27T08:01:00Z",
                "duration_ms": 100,
                "response_code": 500,
                "error": "HTTP 500",
                "succeeded": False,
            },
            {
                "number": 2,
                "started_at": "2026-11-27T08:01:00Z",
                "duration_ms": 200,
                "response_code": 200,
                "error": "",
                "succeeded": True,
            },
        ],
    }


def test_webhook_deliveries_sync_by_creation(world):
    subscription = _subscription(world.coordinator)
    _delivery(subscription, minutes=1, codes=[200])
    second = _delivery(subscription, minutes=2, codes=[200])
    third = _delivery(subscription, minutes=3, codes=[200])
    client = token_client(world.coordinator)
    url = f"/api/v1/webhooks/{subscription.pk}/deliveries/"

    page = client.get(url, {"updated_after": "2026-11-27T08:02:00Z", "limit": 1}).json()
    rest = client.get(page["next"]).json()

    assert [d["id"] for d in page["results"]] == [second.pk]
    assert ([d["id"] for d in rest["results"]], rest["next"]) == ([third.pk], None)


def test_webhook_list_syncs_by_updated(world):
    old = _subscription(world.coordinator)
    with time_machine.travel(T0 + datetime.timedelta(hours=1), tick=False):
        new = _subscription(world.coordinator)
    client = token_client(world.coordinator)

    response = client.get("/api/v1/webhooks/", {"updated_after": "2026-11-27T08:30:00Z"})
    bad = client.get("/api/v1/webhooks/", {"updated_after": "yesterday"})

    assert [s["id"] for s in response.json()["results"]] == [new.pk]
    assert old.pk != new.pk
    assert (bad.status_code, list(bad.json())) == (400, ["updated_after"])


# --- no query grows with the rows ---------------------------------------------------------


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured)


def test_queries_webhook_lists_do_not_grow(world):
    client = token_client(world.coordinator)
    client.get("/api/v1/")  # the token's first use records last_used: not counted
    subscription = _subscription(world.coordinator, plan=world.plan)
    deliveries = f"/api/v1/webhooks/{subscription.pk}/deliveries/"
    _delivery(subscription, minutes=1, codes=[500, 200])

    small = (_count(client, "/api/v1/webhooks/"), _count(client, deliveries))
    for n in range(5):
        _subscription(world.coordinator, plan=world.plan if n % 2 else None)
        _delivery(subscription, minutes=2 + n, codes=[500, 502, 200])
    large = (_count(client, "/api/v1/webhooks/"), _count(client, deliveries))

    assert large == small
    assert client.get(deliveries).json()["count"] == 6
