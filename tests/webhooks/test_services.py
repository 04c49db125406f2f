"""webhooks.services: who may make and change subscriptions, what is checked, the
secret shown once, pause and resume, the test event."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_tasks_db.models import DBTaskResult

from tests.users import build_world
from webhooks import services
from webhooks.choices import PING, DeliveryStatus, Event
from webhooks.models import Delivery, Subscription

pytestmark = pytest.mark.django_db

URL = "http://127.0.0.1:8765/hook"
MANAGERS_ONLY = "Only coordinators and administrators manage webhooks."


@pytest.fixture
def world():
    return build_world()


def make(world, **overrides):
    arguments = {
        "owner": world.coordinator,
        "target_url": URL,
        "events": [Event.ACTION_POINT_UPDATED],
        "plan": world.plan,
    }
    return services.subscription_create(**{**arguments, **overrides})


def errors(call, **arguments) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call(**arguments)
    return caught.value.message_dict


def test_a_coordinator_makes_a_subscription_and_sees_its_secret_once(world):
    subscription, secret = make(
        world,
        events=[Event.ACTION_POINT_UPDATED, Event.PLAN_UPDATED, Event.ACTION_POINT_UPDATED],
        description="  Partner DB  ",
    )
    assert re.fullmatch(r"whsec_[A-Za-z0-9_-]{43}", secret)
    stored = Subscription.objects.get()
    assert (stored.owner, stored.plan, stored.target_url) == (world.coordinator, world.plan, URL)
    assert stored.events == ["action_point.updated", "plan.updated"]
    assert (stored.description, stored.secret, stored.active) == ("Partner DB", secret, True)
    assert stored == subscription
    # The history never keeps the secret.
    assert not hasattr(stored.history.first(), "secret")


def test_administrators_make_all_plans_subscriptions(world):
    subscription, _secret = make(world, owner=world.admin, plan=None)
    assert subscription.plan is None


@pytest.mark.parametrize("role", ["member", "viewer", "outsider"])
def test_who_coordinates_nothing_may_not_make_one(world, role):
    with pytest.raises(PermissionDenied, match=f"^{MANAGERS_ONLY}$"):
        make(world, owner=getattr(world, role), plan=None)
    assert not Subscription.objects.exists()


def test_the_plan_must_be_visible_to_the_owner(world):
    assert errors(make, world=world, plan=world.other_plan) == {
        "plan": ["You may not see this plan."]
    }


def test_events_must_be_known_and_not_empty(world):
    assert errors(make, world=world, events=[]) == {"events": ["Choose at least one event."]}
    assert errors(make, world=world, events=["ping"]) == {
        "events": [
            'Unknown event "ping". Use one of: action_point.created, action_point.updated, '
            "action_point.rescheduled, action_point.completed, action_point.deleted, "
            "plan.updated."
        ]
    }
    assert errors(make, world=world, events="plan.updated") == {
        "events": ["Choose at least one event."]
    }


def test_the_target_is_checked(world, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    assert errors(make, world=world) == {
        "target_url": [
            "127.0.0.1 is a private or reserved address (127.0.0.1): "
            "webhooks go to public addresses only."
        ]
    }


def test_update_changes_what_is_given_and_checks_it(world):
    subscription, secret = make(world)
    services.subscription_update(
        subscription=subscription,
        user=world.coordinator,
        target_url="http://127.0.0.1:9999/other",
        events=[Event.ACTION_POINT_DELETED],
        active=False,
    )
    subscription.refresh_from_db()
    assert (subscription.target_url, subscription.events, subscription.active) == (
        "http://127.0.0.1:9999/other",
        ["action_point.deleted"],
        False,
    )
    assert (subscription.description, subscription.secret) == ("", secret)
    assert errors(
        services.subscription_update,
        subscription=subscription,
        user=world.coordinator,
        target_url="https://u:p@127.0.0.1/",
    ) == {
        "target_url": [
            "Do not put a user name or password in the address: each delivery is signed "
            "with the subscription's secret instead."
        ]
    }


@pytest.mark.parametrize("role", ["member", "viewer", "outsider"])
def test_only_the_owner_or_an_administrator_changes_it(world, role):
    subscription, _secret = make(world)
    user = getattr(world, role)
    world.other_plan.coordinators.add(user)  # may manage webhooks of their own
    for change in (
        lambda: services.subscription_update(subscription=subscription, user=user, events=[]),
        lambda: services.subscription_resume(subscription=subscription, user=user),
        lambda: services.secret_rotate(subscription=subscription, user=user),
        lambda: services.send_test_event(subscription=subscription, user=user),
        lambda: services.subscription_pause(subscription=subscription, reason="x", user=user),
        lambda: services.subscription_delete(subscription=subscription, user=user),
    ):
        with pytest.raises(PermissionDenied):
            change()
    services.subscription_update(subscription=subscription, user=world.admin, description="A")
    assert Subscription.objects.get().description == "A"


def test_pause_and_resume(world):
    subscription, _secret = make(world)
    services.subscription_update(subscription=subscription, user=world.coordinator, active=False)
    services.subscription_pause(subscription=subscription, reason="Receiver down")
    subscription.refresh_from_db()
    assert subscription.paused_at is not None
    assert subscription.paused_reason == "Receiver down"
    services.subscription_resume(subscription=subscription, user=world.coordinator)
    subscription.refresh_from_db()
    assert (subscription.paused_at, subscription.paused_reason, subscription.active) == (
        None,
        "",
        True,
    )


def test_rotating_the_secret_replaces_it(world):
    subscription, old = make(world)
    new = services.secret_rotate(subscription=subscription, user=world.coordinator)
    assert new != old
    assert new.startswith("whsec_")
    assert Subscription.objects.get().secret == new


def test_the_owner_deletes_it_even_after_losing_the_right_to_make_one(world):
    subscription, _secret = make(world)
    world.plan.coordinators.set([world.admin])
    services.subscription_delete(subscription=subscription, user=world.coordinator)
    assert not Subscription.objects.exists()


def test_a_test_event_is_a_ping_delivery_for_the_worker(world, django_capture_on_commit_callbacks):
    subscription, _secret = make(world)
    services.subscription_pause(subscription=subscription, reason="Down")
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.send_test_event(subscription=subscription, user=world.coordinator)
    assert (delivery.event, delivery.status, delivery.object_id) == (
        PING,
        DeliveryStatus.PENDING,
        None,
    )
    assert list(Delivery.objects.all()) == [delivery]
    assert [task.args_kwargs["args"] for task in DBTaskResult.objects.all()] == [[delivery.pk]]
