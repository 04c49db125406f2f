"""The webhook pages: list, new (secret shown once), detail with the delivery log,
edit, rotate secret, test event, resume, delete; coordinators only, owners only."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.users import build_world
from webhooks import services
from webhooks.models import Attempt, Delivery, Subscription

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 11, 27, 8, 0, tzinfo=datetime.UTC)
TARGET = "http://127.0.0.1:8765/hooks"
ONCE = "Copy it now; it will not be shown again."


@pytest.fixture
def world():
    return build_world()


def _subscription(owner, **kwargs) -> Subscription:
    values = {"target_url": TARGET, "events": ["action_point.created"], **kwargs}
    subscription, _secret = services.subscription_create(owner=owner, **values)
    return subscription


def _delivery(subscription: Subscription, minutes: int, codes: list[int]) -> Delivery:
    at = T0 + datetime.timedelta(minutes=minutes)
    delivery = Delivery.objects.create(
        subscription=subscription,
        event="action_point.updated",
        object_type="action_point",
        object_id=41,
        occurred_at=at,
        status="succeeded" if codes[-1] < 300 else "retrying",
        attempts=len(codes),
        response_code=codes[-1],
    )
    for number, code in enumerate(codes, start=1):
        Attempt.objects.create(
            delivery=delivery,
            number=number,
            started_at=at,
            duration_ms=37 * number,
            response_code=code,
            succeeded=code < 300,
        )
    return delivery


def _text(response) -> str:
    return response.content.decode()


# --- list, new, secret shown once --------------------------------------------------------


def test_webhook_list_shows_state_and_resume(client, world):
    active = _subscription(world.coordinator, plan=world.plan, description="5W database")
    paused = _subscription(world.coordinator, target_url="http://127.0.0.1:9/down")
    with time_machine.travel(T0, tick=False):
        services.subscription_pause(subscription=paused, reason="No answer for 24 hours")
    client.force_login(world.coordinator)

    response = client.get("/webhooks/")

    assert response.status_code == 200
    page = _text(response)
    assert list(response.context["subscriptions"]) == [paused, active]
    assert "PIM Lebanon Action Plan" in page and "5W database" in page
    assert "All plans I may see" in page
    assert "Paused" in page and "27 Nov 2026, 08:00" in page
    assert "No answer for 24 hours" in page
    assert page.count(">Resume<") == 1
    assert f'action="/webhooks/{paused.pk}/resume/"' in page
    assert paused.secret not in page and active.secret not in page


def test_webhook_list_empty(client, world):
    client.force_login(world.coordinator)

    response = client.get("/webhooks/")

    assert "No webhook yet." in _text(response)


def test_webhook_new_form_offers_visible_plans_and_events(client, world):
    client.force_login(world.coordinator)

    response = client.get("/webhooks/add/")

    assert response.status_code == 200
    form = response.context["form"]
    assert [str(label) for _value, label in form.fields["plan"].choices] == [
        "All plans I may see",
        "PIM Lebanon Action Plan",
    ]
    page = _text(response)
    assert page.count('type="checkbox" name="events"') == 6
    assert "<legend>Events</legend>" in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_webhook_new_shows_the_secret_once(client, world):
    client.force_login(world.coordinator)

    response = client.post(
        "/webhooks/add/",
        {
            "plan": world.plan.pk,
            "target_url": TARGET,
            "events": ["action_point.created", "plan.updated"],
            "description": "Cluster 5W",
        },
    )

    subscription = Subscription.objects.get()
    assert (subscription.owner, subscription.plan, subscription.events) == (
        world.coordinator,
        world.plan,
        ["action_point.created", "plan.updated"],
    )
    assert response.status_code == 200
    page = _text(response)
    assert ONCE in page and subscription.secret in page
    # Never again.
    for url in (
        "/webhooks/",
        f"/webhooks/{subscription.pk}/",
        f"/webhooks/{subscription.pk}/edit/",
    ):
        again = client.get(url)
        assert again.status_code == 200
        assert subscription.secret not in _text(again) and ONCE not in _text(again)


def test_webhook_new_for_all_plans(client, world):
    client.force_login(world.coordinator)

    client.post("/webhooks/add/", {"plan": "", "target_url": TARGET, "events": ["plan.updated"]})

    assert Subscription.objects.get().plan is None


def test_webhook_new_shows_errors_beside_the_fields(client, world):
    client.force_login(world.coordinator)

    response = client.post(
        "/webhooks/add/", {"plan": world.other_plan.pk, "target_url": "ftp://x", "events": []}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "plan": ["Select a valid choice. That choice is not one of the available choices."],
        "events": ["This field is required."],
    }
    response = client.post(
        "/webhooks/add/", {"target_url": "ftp://127.0.0.1/x", "events": ["plan.updated"]}
    )
    assert response.context["form"].errors == {"target_url": ["Use an https:// address."]}
    assert not Subscription.objects.exists()


# --- who may --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "viewer", "outsider"])
def test_webhook_pages_are_for_coordinators_only(client, world, role):
    subscription = _subscription(world.coordinator)
    client.force_login(getattr(world, role))

    answers = {
        url: client.get(url).status_code
        for url in (
            "/webhooks/",
            "/webhooks/add/",
            f"/webhooks/{subscription.pk}/",
            f"/webhooks/{subscription.pk}/edit/",
            f"/webhooks/{subscription.pk}/delete/",
        )
    }
    posted = client.post(f"/webhooks/{subscription.pk}/test/").status_code

    assert set(answers.values()) == {403} and posted == 403
    assert not Delivery.objects.exists()


def test_webhook_pages_of_another_coordinator_are_not_found(client, world):
    theirs = _subscription(world.coordinator)
    world.plan.coordinators.add(world.viewer)
    client.force_login(world.viewer)
    base = f"/webhooks/{theirs.pk}/"

    answers = [
        client.get(base).status_code,
        client.get(base + "edit/").status_code,
        client.post(base + "edit/", {"target_url": TARGET, "events": ["plan.updated"]}).status_code,
        client.get(base + "delete/").status_code,
        client.post(base + "delete/").status_code,
        client.post(base + "test/").status_code,
        client.post(base + "resume/").status_code,
        client.post(base + "rotate-secret/").status_code,
    ]

    assert answers == [404] * 8
    assert theirs.pk not in [s.pk for s in client.get("/webhooks/").context["subscriptions"]]
    assert Subscription.objects.filter(pk=theirs.pk, events=["action_point.created"]).exists()


def test_webhook_actions_need_a_post(client, world):
    subscription = _subscription(world.coordinator)
    client.force_login(world.coordinator)

    answers = [
        client.get(f"/webhooks/{subscription.pk}/{action}/").status_code
        for action in ("test", "resume", "rotate-secret")
    ]

    assert answers == [405, 405, 405]


def test_api_tokens_page_links_to_webhooks_for_coordinators(client, world):
    client.force_login(world.coordinator)
    coordinator_page = _text(client.get("/account/tokens/"))
    client.force_login(world.member)
    member_page = _text(client.get("/account/tokens/"))

    assert 'href="/webhooks/"' in coordinator_page
    assert 'href="/webhooks/"' not in member_page


# --- detail, test event, rotate, edit, resume, delete ----------------------------------------


def test_webhook_detail_shows_the_delivery_log_newest_first(client, world):
    subscription = _subscription(world.coordinator)
    older = _delivery(subscription, 1, [500, 200])
    newer = _delivery(subscription, 2, [503])
    client.force_login(world.coordinator)

    response = client.get(f"/webhooks/{subscription.pk}/")

    assert response.status_code == 200
    assert list(response.context["page_obj"].object_list) == [newer, older]
    page = _text(response)
    assert "1. 500 · 37 ms" in page and "2. 200 · 74 ms" in page and "1. 503 · 37 ms" in page
    assert "Delivered" in page and "Failed, will retry" in page
    assert page.count(">Send test event<") == 1
    assert subscription.secret not in page


def test_webhook_detail_pages_the_log(client, world):
    subscription = _subscription(world.coordinator)
    for minute in range(30):
        _delivery(subscription, minute, [200])
    client.force_login(world.coordinator)

    first = client.get(f"/webhooks/{subscription.pk}/")
    second = client.get(f"/webhooks/{subscription.pk}/?page=2")

    assert len(first.context["page_obj"].object_list) == 25
    assert len(second.context["page_obj"].object_list) == 5
    assert "Page 1 of 2" in _text(first)


def test_webhook_send_test_event(client, world):
    subscription = _subscription(world.coordinator)
    client.force_login(world.coordinator)

    response = client.post(f"/webhooks/{subscription.pk}/test/", follow=True)

    assert response.redirect_chain == [(f"/webhooks/{subscription.pk}/", 302)]
    assert Delivery.objects.get().event == "ping"
    assert "Test event queued: it appears in the delivery log once sent." in _text(response)


def test_webhook_rotate_secret_shows_the_new_one_once(client, world):
    subscription = _subscription(world.coordinator)
    old = subscription.secret
    client.force_login(world.coordinator)

    response = client.post(f"/webhooks/{subscription.pk}/rotate-secret/")

    subscription.refresh_from_db()
    assert subscription.secret != old
    assert ONCE in _text(response) and subscription.secret in _text(response)
    assert subscription.secret not in _text(client.get(f"/webhooks/{subscription.pk}/"))


def test_webhook_edit(client, world):
    subscription = _subscription(world.coordinator, plan=world.plan)
    client.force_login(world.coordinator)
    form = client.get(f"/webhooks/{subscription.pk}/edit/")

    response = client.post(
        f"/webhooks/{subscription.pk}/edit/",
        {"target_url": "http://127.0.0.1:8766/new", "events": ["plan.updated"], "description": ""},
    )

    assert "plan" not in form.context["form"].fields
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.target_url, subscription.events, subscription.active) == (
        "http://127.0.0.1:8766/new",
        ["plan.updated"],
        False,  # the box was not ticked
    )
    assert subscription.plan == world.plan


def test_webhook_resume(client, world):
    subscription = _subscription(world.coordinator)
    services.subscription_pause(subscription=subscription, reason="Down")
    client.force_login(world.coordinator)

    response = client.post(f"/webhooks/{subscription.pk}/resume/", {"next": "list"})

    assert (response.status_code, response["Location"]) == (302, "/webhooks/")
    subscription.refresh_from_db()
    assert (subscription.paused_at, subscription.paused_reason) == (None, "")


def test_webhook_delete_after_confirmation(client, world):
    subscription = _subscription(world.coordinator)
    client.force_login(world.coordinator)

    confirm = client.get(f"/webhooks/{subscription.pk}/delete/")
    response = client.post(f"/webhooks/{subscription.pk}/delete/")

    assert confirm.status_code == 200
    assert f'Delete the webhook to <bdi class="url" translate="no">{TARGET}</bdi>?' in _text(
        confirm
    )
    assert Subscription.objects.filter(pk=subscription.pk).exists() is False
    assert (response.status_code, response["Location"]) == (302, "/webhooks/")


# --- no query grows with the rows --------------------------------------------------------------


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_queries_webhook_pages_do_not_grow(client, world):
    subscription = _subscription(world.coordinator, plan=world.plan)
    _delivery(subscription, 1, [500, 200])
    client.force_login(world.coordinator)
    detail = f"/webhooks/{subscription.pk}/"
    client.get("/webhooks/")  # the session's first read: not counted

    small = (_count(client, "/webhooks/"), _count(client, detail))
    for n in range(6):
        _subscription(world.coordinator, plan=world.plan if n % 2 else None)
        _delivery(subscription, 2 + n, [500, 502, 200])
    large = (_count(client, "/webhooks/"), _count(client, detail))

    assert large == small
