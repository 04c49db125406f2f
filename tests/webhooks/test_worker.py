"""End to end: an API write, the real `db_worker` command, a receiver on loopback."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from tests.api.helpers import token_client
from tests.users import build_world
from tests.webhooks.receiver import Answer
from webhooks import services
from webhooks.choices import DeliveryStatus, Event
from webhooks.models import Attempt, Delivery
from webhooks.signing import verify


def work_queue() -> None:
    """Run the queued tasks as the worker does (tests/notifications does the same)."""
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_the_worker_delivers_an_api_write_to_the_receiver(receiver):
    world = build_world()
    subscription, secret = services.subscription_create(
        owner=world.coordinator,
        target_url=receiver.url(),
        events=[Event.ACTION_POINT_UPDATED],
        plan=world.plan,
    )
    response = token_client(world.coordinator).patch(
        f"/api/v1/action-points/{world.action_point.pk}/",
        {"description": "Sent by the worker"},
        format="json",
    )
    assert response.status_code == 200
    assert receiver.requests == []

    work_queue()

    [request] = receiver.requests
    delivery = Delivery.objects.get()
    assert verify(request.body, request.headers["X-PIM-Signature"], secret) is True
    body = json.loads(request.body)
    assert (body["id"], body["event"], body["subscription"]) == (
        str(delivery.event_id),
        "action_point.updated",
        subscription.pk,
    )
    assert body["data"]["description"] == "Sent by the worker"
    assert body["data"]["id"] == world.action_point.pk
    assert (delivery.status, delivery.attempts, delivery.response_code) == (
        DeliveryStatus.SUCCEEDED,
        1,
        200,
    )
    assert list(Attempt.objects.values_list("number", "response_code", "succeeded")) == [
        (1, 200, True)
    ]


@pytest.mark.django_db(transaction=True)
def test_the_worker_enqueues_a_retry_for_later(receiver):
    world = build_world()
    receiver.answers = [Answer(500)]
    subscription, _secret = services.subscription_create(
        owner=world.coordinator, target_url=receiver.url(), events=[Event.ACTION_POINT_UPDATED]
    )
    token_client(world.coordinator).patch(
        f"/api/v1/action-points/{world.action_point.pk}/", {"description": "X"}, format="json"
    )
    work_queue()
    work_queue()  # the retry waits for its time: nothing more is sent now
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("retrying", 1, 500)
    assert len(receiver.requests) == 1
    assert subscription.deliveries.count() == 1
