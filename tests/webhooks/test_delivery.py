"""Sending deliveries to a receiver on loopback: the exact body and signature, the
retries and their backoff, giving up (pause and email), skipping what the owner
may not see, redirects, timeouts, and the target checked again at send time.

The receiver runs in a thread but never touches the database: these tests keep
the usual per-test transaction (the worker's own test is transactional)."""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from actionplans import services as plan_services
from actionplans.choices import PlanVisibility
from tests.users import build_world
from tests.webhooks.receiver import Answer
from webhooks import delivery as sending
from webhooks import services
from webhooks.choices import PING, DeliveryStatus, Event
from webhooks.models import Attempt, Delivery
from webhooks.signing import verify

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 11, 27, 8, 0, tzinfo=datetime.UTC)
SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def subscription(world, receiver):
    subscription, _secret = services.subscription_create(
        owner=world.coordinator,
        target_url=receiver.url(),
        events=list(Event.values),
        plan=world.plan,
        description="Partner",
    )
    return subscription


def edit(world, django_capture_on_commit_callbacks, text="Edited") -> Delivery:
    with django_capture_on_commit_callbacks(execute=True):
        plan_services.action_point_update(
            action_point=world.action_point, user=world.coordinator, description=text
        )
    return Delivery.objects.filter(event=Event.ACTION_POINT_UPDATED).order_by("-id").first()


def attempts(delivery: Delivery) -> list[tuple]:
    return list(
        Attempt.objects.filter(delivery=delivery).values_list(
            "number", "started_at", "response_code", "error", "succeeded"
        )
    )


def test_a_delivery_posts_the_signed_body_as_the_api_shows_it(
    world, subscription, receiver, django_capture_on_commit_callbacks, coordinator_api
):
    with time_machine.travel(T0, tick=False):
        delivery = edit(world, django_capture_on_commit_callbacks)
        assert sending.send(delivery.pk) == DeliveryStatus.SUCCEEDED

    [request] = receiver.requests
    body = json.loads(request.body)
    api = coordinator_api.get(f"/api/v1/action-points/{world.action_point.pk}/").json()
    api["url"] = api["url"].replace("http://testserver", "http://127.0.0.1:8000")
    assert body == {
        "id": str(delivery.event_id),
        "event": "action_point.updated",
        "occurred_at": "2026-11-27T08:00:00Z",
        "subscription": subscription.pk,
        "data": api,
    }
    assert body["data"]["description"] == "Edited"
    assert body["data"]["url"] == (
        f"http://127.0.0.1:8000/api/v1/action-points/{world.action_point.pk}/"
    )
    assert request.path == "/hook"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == "PIM-Action-Tracker-Webhooks/1"
    assert request.headers["X-PIM-Event"] == "action_point.updated"
    assert request.headers["X-PIM-Delivery"] == str(delivery.event_id)
    assert request.headers["Host"] == f"127.0.0.1:{receiver.port}"
    signature = request.headers["X-PIM-Signature"]
    assert signature.startswith(f"t={int(T0.timestamp())},v1=")
    with time_machine.travel(T0, tick=False):
        assert verify(request.body, signature, subscription.secret) is True
        assert verify(request.body, signature, "whsec_wrong") is False
    # The stored payload is the body sent, byte for byte.
    delivery.refresh_from_db()
    assert request.body == sending.payloads.encode(delivery.payload)
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 1, 200)
    assert (delivery.finished_at, delivery.next_attempt_at) == (T0, None)
    assert attempts(delivery) == [(1, T0, 200, "", True)]


@pytest.fixture
def coordinator_api(world):
    from tests.api.helpers import token_client

    return token_client(world.coordinator)


def test_a_failure_is_retried_with_backoff_until_it_succeeds(
    world, subscription, receiver, django_capture_on_commit_callbacks
):
    receiver.answers = [Answer(500), Answer(503), Answer(500), Answer(204)]
    with time_machine.travel(T0, tick=False) as clock:
        delivery = edit(world, django_capture_on_commit_callbacks)
        tasks = DBTaskResult.objects.count()
        assert sending.send(delivery.pk) == DeliveryStatus.RETRYING
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.response_code) == ("retrying", 1, 500)
        assert delivery.next_attempt_at == T0 + 30 * SECOND
        # The next attempt is a task of its own, to run no earlier than that.
        assert DBTaskResult.objects.count() == tasks + 1
        assert [
            (task.run_after, task.args_kwargs["args"])
            for task in DBTaskResult.objects.all()
            if task.run_after.year < 9999  # django-tasks-db's "whenever"
        ] == [(T0 + 30 * SECOND, [delivery.pk])]

        # A copy of the task running early does nothing.
        assert sending.send(delivery.pk) == "nothing to do"
        assert len(receiver.requests) == 1

        clock.move_to(T0 + 30 * SECOND)
        assert sending.send(delivery.pk) == DeliveryStatus.RETRYING
        delivery.refresh_from_db()
        assert delivery.next_attempt_at == T0 + 90 * SECOND  # 30 s + 60 s
        clock.move_to(T0 + 90 * SECOND)
        assert sending.send(delivery.pk) == DeliveryStatus.RETRYING
        delivery.refresh_from_db()
        assert delivery.next_attempt_at == T0 + 210 * SECOND  # + 120 s
        clock.move_to(T0 + 210 * SECOND)
        assert sending.send(delivery.pk) == DeliveryStatus.SUCCEEDED

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 4, 204)
    assert delivery.finished_at == T0 + 210 * SECOND
    assert attempts(delivery) == [
        (1, T0, 500, "The receiver answered 500.", False),
        (2, T0 + 30 * SECOND, 503, "The receiver answered 503.", False),
        (3, T0 + 90 * SECOND, 500, "The receiver answered 500.", False),
        (4, T0 + 210 * SECOND, 204, "", True),
    ]
    # Every attempt sent the same body; each signed with its own time.
    assert len({request.body for request in receiver.requests}) == 1
    assert [request.headers["X-PIM-Signature"][:12] for request in receiver.requests] == [
        f"t={int((T0 + offset * SECOND).timestamp())}"[:12] for offset in (0, 30, 90, 210)
    ]


def test_backoff_doubles_from_30_seconds_up_to_an_hour():
    assert [sending.backoff(n).total_seconds() for n in range(1, 10)] == [
        30, 60, 120, 240, 480, 960, 1920, 3600, 3600,
    ]  # fmt: skip


def test_after_the_retry_window_the_delivery_fails_and_the_subscription_pauses(
    world, subscription, receiver, django_capture_on_commit_callbacks
):
    receiver.answers = [Answer(500)] * 3
    hours = datetime.timedelta(hours=24)
    with time_machine.travel(T0, tick=False) as clock:
        delivery = edit(world, django_capture_on_commit_callbacks)
        sending.send(delivery.pk)
        # Near the end of the window, the last retry is at its very end.
        clock.move_to(T0 + hours - 10 * SECOND)
        delivery.refresh_from_db()
        delivery.next_attempt_at = None
        delivery.save()
        assert sending.send(delivery.pk) == DeliveryStatus.RETRYING
        delivery.refresh_from_db()
        assert delivery.next_attempt_at == T0 + hours
        clock.move_to(T0 + hours)
        assert sending.send(delivery.pk) == DeliveryStatus.FAILED

    delivery.refresh_from_db()
    subscription.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.finished_at) == ("failed", 3, T0 + hours)
    assert delivery.next_attempt_at is None
    assert subscription.paused_at == T0 + hours
    assert subscription.paused_reason == f"Delivery {delivery.event_id} failed for 24 hours."
    assert subscription.active is True
    [message] = mail.outbox
    assert message.to == ["coordinator@example.org"]
    assert message.subject == f"Webhook paused: {receiver.url()}"
    assert message.body == (
        "Hello,\n\n"
        "The PIM Action Tracker could not deliver an event to your webhook\n"
        f"{receiver.url()}\n"
        "for 24 hours (last answer: 500), so it has paused it: no new events are sent to "
        "it.\n\n"
        "Once the receiver works again, resume the webhook on its page:\n"
        f"http://127.0.0.1:8000/webhooks/{subscription.pk}/\n\n"
        "Events that happened while it was paused are not sent; read them from the API "
        "with ?updated_after= and /api/v1/deleted/."
    )

    # Paused: no new deliveries; resumed: delivered again.
    with django_capture_on_commit_callbacks(execute=True):
        plan_services.action_point_update(
            action_point=world.action_point, user=world.coordinator, description="While paused"
        )
    assert Delivery.objects.count() == 1
    services.subscription_resume(subscription=subscription, user=world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        plan_services.action_point_update(
            action_point=world.action_point, user=world.coordinator, description="Resumed"
        )
    assert Delivery.objects.count() == 2
    assert len(mail.outbox) == 1


def test_a_point_the_owner_may_no_longer_see_is_skipped_not_sent(
    world, receiver, django_capture_on_commit_callbacks
):
    # An all-plans subscription of the coordinator, who then stops coordinating.
    subscription, _secret = services.subscription_create(
        owner=world.coordinator, target_url=receiver.url(), events=[Event.ACTION_POINT_UPDATED]
    )
    delivery = edit(world, django_capture_on_commit_callbacks)
    world.plan.coordinators.set([world.admin])
    assert sending.send(delivery.pk) == DeliveryStatus.SKIPPED
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.payload) == ("skipped", 0, None)
    assert receiver.requests == []
    assert subscription.pk == delivery.subscription_id


def test_a_retry_is_skipped_once_the_owner_may_no_longer_see_the_point(
    world, subscription, receiver, django_capture_on_commit_callbacks
):
    receiver.answers = [Answer(500)]
    with time_machine.travel(T0, tick=False) as clock:
        delivery = edit(world, django_capture_on_commit_callbacks)
        sending.send(delivery.pk)
        world.plan.coordinators.set([world.admin])
        clock.move_to(T0 + 30 * SECOND)
        assert sending.send(delivery.pk) == DeliveryStatus.SKIPPED
    assert len(receiver.requests) == 1


def test_a_redirect_is_a_failure_and_is_not_followed(
    world, subscription, receiver, django_capture_on_commit_callbacks
):
    receiver.answers = [Answer(302, {"Location": receiver.url("/elsewhere")})]
    delivery = edit(world, django_capture_on_commit_callbacks)
    assert sending.send(delivery.pk) == DeliveryStatus.RETRYING
    assert [request.path for request in receiver.requests] == ["/hook"]
    [(number, _started, code, error, succeeded)] = attempts(delivery)
    assert (number, code, error, succeeded) == (1, 302, "The receiver answered 302.", False)


@override_settings(WEBHOOK_TIMEOUT_SECONDS=0.2)
def test_a_receiver_slower_than_the_timeout_fails_the_attempt(
    world, subscription, receiver, django_capture_on_commit_callbacks
):
    receiver.answers = [Answer(200, delay=0.6)]
    delivery = edit(world, django_capture_on_commit_callbacks)
    assert sending.send(delivery.pk) == DeliveryStatus.RETRYING
    [attempt] = Attempt.objects.filter(delivery=delivery)
    assert (attempt.response_code, attempt.error) == (None, "No answer within 0.2 seconds.")
    assert 200 <= attempt.duration_ms < 600


def test_a_refused_connection_fails_the_attempt(world, django_capture_on_commit_callbacks):
    from tests.webhooks.receiver import Receiver

    closed = Receiver()
    url = closed.url()
    closed.server.server_close()  # the port is free again: nothing listens
    services.subscription_create(
        owner=world.coordinator, target_url=url, events=[Event.ACTION_POINT_UPDATED]
    )
    delivery = edit(world, django_capture_on_commit_callbacks)
    assert sending.send(delivery.pk) == DeliveryStatus.RETRYING
    [attempt] = Attempt.objects.filter(delivery=delivery)
    assert attempt.response_code is None
    assert attempt.error.startswith("The connection failed: ")


def test_the_target_is_checked_again_when_sent(
    world, subscription, receiver, django_capture_on_commit_callbacks, settings
):
    delivery = edit(world, django_capture_on_commit_callbacks)
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    assert sending.send(delivery.pk) == DeliveryStatus.RETRYING
    assert receiver.requests == []
    [attempt] = Attempt.objects.filter(delivery=delivery)
    assert attempt.error == (
        "127.0.0.1 is a private or reserved address (127.0.0.1): "
        "webhooks go to public addresses only."
    )


def test_a_host_name_is_connected_to_by_its_checked_address_with_its_host_header(
    world, receiver, django_capture_on_commit_callbacks
):
    services.subscription_create(
        owner=world.coordinator,
        target_url=receiver.url("/in?page=1", host="localhost"),
        events=[Event.ACTION_POINT_UPDATED],
    )
    delivery = edit(world, django_capture_on_commit_callbacks)
    assert sending.send(delivery.pk) == DeliveryStatus.SUCCEEDED
    [request] = receiver.requests
    assert (request.path, request.headers["Host"]) == ("/in?page=1", f"localhost:{receiver.port}")


def test_a_ping_carries_no_data(world, subscription, receiver, django_capture_on_commit_callbacks):
    with time_machine.travel(T0, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            delivery = services.send_test_event(subscription=subscription, user=world.coordinator)
        assert sending.send(delivery.pk) == DeliveryStatus.SUCCEEDED
    [request] = receiver.requests
    assert json.loads(request.body) == {
        "id": str(delivery.event_id),
        "event": PING,
        "occurred_at": "2026-11-27T08:00:00Z",
        "subscription": subscription.pk,
        "data": {},
    }
    assert request.headers["X-PIM-Event"] == "ping"


def test_a_plan_event_carries_the_plan_as_the_api_shows_it(
    world, subscription, receiver, django_capture_on_commit_callbacks, coordinator_api
):
    with django_capture_on_commit_callbacks(execute=True):
        plan_services.plan_update(
            plan=world.plan, user=world.coordinator, visibility=PlanVisibility.SIGNED_IN
        )
    delivery = Delivery.objects.get(event=Event.PLAN_UPDATED)
    assert sending.send(delivery.pk) == DeliveryStatus.SUCCEEDED
    api = coordinator_api.get(f"/api/v1/plans/{world.plan.pk}/").json()
    api["url"] = api["url"].replace("http://testserver", "http://127.0.0.1:8000")
    assert json.loads(receiver.requests[0].body)["data"] == api
    assert api["visibility"] == "signed_in"


def test_finished_deliveries_older_than_30_days_are_pruned(
    world, subscription, receiver, django_capture_on_commit_callbacks
):
    with time_machine.travel(T0, tick=False) as clock:
        old = edit(world, django_capture_on_commit_callbacks, "Old")
        sending.send(old.pk)
        clock.move_to(T0 + datetime.timedelta(days=30))
        kept = edit(world, django_capture_on_commit_callbacks, "Kept")
        kept_id = kept.pk
        sending.send(kept_id)
        assert Delivery.objects.filter(pk=old.pk).exists()  # exactly 30 days: kept
        clock.move_to(T0 + datetime.timedelta(days=30, seconds=1))
        new = edit(world, django_capture_on_commit_callbacks, "New")
        sending.send(new.pk)
    assert set(Delivery.objects.values_list("pk", flat=True)) == {kept_id, new.pk}
