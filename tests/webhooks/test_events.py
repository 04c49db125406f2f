"""From the domain's signals to Delivery rows: one event per object and transaction
(the reduction rules), only what committed, only to matching subscriptions, and
nothing sent during the write itself."""

from __future__ import annotations

import time

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from actionplans import services as plan_services
from actionplans.choices import ActionPointStatus, PlanVisibility
from tests.api.helpers import token_client
from tests.users import build_world
from tests.webhooks.receiver import Answer
from webhooks import services
from webhooks.choices import DeliveryStatus, Event
from webhooks.models import Delivery

pytestmark = pytest.mark.django_db

RECEIVER = "http://127.0.0.1:9/hook"  # nothing is sent in these tests


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def subscription(world):
    subscription, _secret = services.subscription_create(
        owner=world.coordinator, target_url=RECEIVER, events=list(Event.values), plan=world.plan
    )
    return subscription


def made(**filters) -> list[tuple[str, int]]:
    return list(Delivery.objects.filter(**filters).order_by("id").values_list("event", "object_id"))


def second_point(world, django_capture_on_commit_callbacks):
    """Another action point of the plan, its own "created" delivery forgotten."""
    with django_capture_on_commit_callbacks(execute=True):
        point = plan_services.action_point_create(challenge=world.challenge, description="Second")
    Delivery.objects.all().delete()
    return point


def test_an_edit_is_one_updated_event(world, subscription, django_capture_on_commit_callbacks):
    point = world.action_point
    with django_capture_on_commit_callbacks(execute=True):
        plan_services.action_point_update(
            action_point=point, user=world.coordinator, description="A"
        )
        plan_services.action_point_update(action_point=point, user=world.coordinator, position=5)
    assert made() == [("action_point.updated", point.pk)]
    delivery = Delivery.objects.get()
    assert (delivery.subscription, delivery.object_type, delivery.status) == (
        subscription,
        "action_point",
        DeliveryStatus.PENDING,
    )
    assert delivery.payload is None  # rendered at the first attempt
    # One task per delivery, enqueued once the write committed.
    assert [task.args_kwargs["args"] for task in DBTaskResult.objects.all()] == [[delivery.pk]]


def test_created_absorbs_the_changes_of_its_transaction(
    world, subscription, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        point = plan_services.action_point_create(
            challenge=world.challenge, description="New", created_by=world.coordinator
        )
        plan_services.action_point_update(
            action_point=point, user=world.coordinator, description="Newer"
        )
        plan_services.action_point_reschedule(
            action_point=point, new_deadline="2027-03", reason="Later", changed_by=None
        )
    assert made() == [("action_point.created", point.pk)]


def test_rescheduled_and_completed_are_sent_as_themselves_without_updated(
    world, subscription, django_capture_on_commit_callbacks
):
    point = world.action_point
    with django_capture_on_commit_callbacks(execute=True):
        plan_services.action_point_reschedule(
            action_point=point, new_deadline="2027-03", reason="Later", changed_by=None
        )
    assert made() == [("action_point.rescheduled", point.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        plan_services.progress_update_create(
            action_point=point,
            author=world.coordinator,
            status=ActionPointStatus.COMPLETED,
            note="Done",
        )
    assert made()[1:] == [("action_point.completed", point.pk)]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        plan_services.action_point_reschedule(
            action_point=point, new_deadline="2027-06", reason="Later", changed_by=None
        )
        plan_services.action_point_update(
            action_point=point, user=world.coordinator, description="Also"
        )
        plan_services.progress_update_create(
            action_point=point,
            author=world.coordinator,
            status=ActionPointStatus.IN_PROGRESS,
            progress=50,
            note="Reopened",
        )
    assert made()[2:] == [("action_point.rescheduled", point.pk)]


def test_deleted_absorbs_everything_and_keeps_what_it_was(
    world, subscription, django_capture_on_commit_callbacks
):
    point, point_id = world.action_point, world.action_point.pk
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        plan_services.action_point_update(
            action_point=point, user=world.coordinator, description="Last words"
        )
        plan_services.action_point_delete(action_point=point, user=world.coordinator)
    delivery = Delivery.objects.get()
    assert (delivery.event, delivery.object_id) == ("action_point.deleted", point_id)
    # Fixed at the event: the point is gone by the time it is sent.
    assert delivery.payload == {
        "id": str(delivery.event_id),
        "event": "action_point.deleted",
        "occurred_at": delivery.occurred_at.isoformat().replace("+00:00", "Z"),
        "subscription": subscription.pk,
        "data": {"id": point_id, "plan": world.plan.pk, "challenge": world.challenge.pk},
    }


def test_two_points_and_their_plan_are_one_event_each(
    world, subscription, django_capture_on_commit_callbacks
):
    other = second_point(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for point in (world.action_point, other, world.action_point):
            plan_services.action_point_update(
                action_point=point, user=world.coordinator, description=f"{point.pk}"
            )
        plan_services.plan_update(plan=world.plan, user=world.coordinator, title="Renamed")
    assert sorted(made()) == sorted(
        [
            ("action_point.updated", world.action_point.pk),
            ("action_point.updated", other.pk),
            ("plan.updated", world.plan.pk),
        ]
    )


def test_a_rolled_back_write_makes_no_delivery(
    world, subscription, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        plan_services.action_point_update(
            action_point=world.action_point, user=world.coordinator, description="No"
        )
        raise RuntimeError
    assert made() == []


def test_a_rolled_back_savepoint_drops_its_events_only(
    world, subscription, django_capture_on_commit_callbacks
):
    other = second_point(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            plan_services.action_point_delete(action_point=other, user=world.coordinator)
            raise RuntimeError
        plan_services.action_point_update(
            action_point=world.action_point, user=world.coordinator, description="Kept"
        )
    assert made() == [("action_point.updated", world.action_point.pk)]


def test_only_matching_subscriptions_get_deliveries(world, django_capture_on_commit_callbacks):
    def subscribe(owner, events, plan=None, **changes):
        subscription, _secret = services.subscription_create(
            owner=owner, target_url=RECEIVER, events=events, plan=plan
        )
        for name, value in changes.items():
            setattr(subscription, name, value)
        subscription.save()
        return subscription

    updated = [Event.ACTION_POINT_UPDATED]
    world.other_plan.coordinators.add(world.viewer)  # may manage webhooks, cannot see plan
    wanted = [
        subscribe(world.coordinator, updated, world.plan),
        subscribe(world.coordinator, updated),  # all plans the owner may see
        subscribe(world.admin, [Event.PLAN_UPDATED, Event.ACTION_POINT_UPDATED]),
    ]
    subscribe(world.coordinator, [Event.ACTION_POINT_CREATED], world.plan)  # other event
    subscribe(world.viewer, updated)  # may not see the plan
    subscribe(world.viewer, updated, world.other_plan)  # other plan
    subscribe(world.coordinator, updated, world.plan, active=False)
    subscribe(world.coordinator, updated, world.plan, paused_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        plan_services.action_point_update(
            action_point=world.action_point, user=world.coordinator, description="Seen"
        )
    assert list(
        Delivery.objects.order_by("subscription_id").values_list("subscription", flat=True)
    ) == [subscription.pk for subscription in wanted]
    # Once the plan is open to every signed-in user, the viewer's all-plans one too.
    with django_capture_on_commit_callbacks(execute=True):
        plan_services.plan_update(
            plan=world.plan, user=world.coordinator, visibility=PlanVisibility.SIGNED_IN
        )
        plan_services.action_point_update(
            action_point=world.action_point, user=world.coordinator, description="Seen by all"
        )
    assert Delivery.objects.filter(subscription__owner=world.viewer).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_receiver_that_is_down_does_not_slow_the_api_write(receiver):
    world = build_world()
    receiver.answers = [Answer(200, delay=5)]
    services.subscription_create(
        owner=world.coordinator, target_url=receiver.url(), events=list(Event.values)
    )
    client = token_client(world.coordinator)
    assert client.get(f"/api/v1/action-points/{world.action_point.pk}/").status_code == 200
    started = time.monotonic()
    response = client.patch(
        f"/api/v1/action-points/{world.action_point.pk}/",
        {"description": "Fast"},
        format="json",
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert elapsed < 4.5  # the receiver would take 5 s: it is not called at all
    assert receiver.requests == []  # the worker sends it, not the request
    assert made() == [("action_point.updated", world.action_point.pk)]
