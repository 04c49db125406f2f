"""The notifications app in the admin: failed deliveries found by their status and
sent again by the Retry action; notifications and preferences listed read-only."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from notifications.admin_actions import deliveries_retry
from notifications.choices import DeliveryStatus, Kind
from notifications.models import Delivery, Notification, Preference
from tests.factories import ActionPointFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2019, 3, 17)
DELIVERIES = "/admin/notifications/delivery/"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def deliveries():
    return {
        "failed": Delivery.objects.create(
            recipient="bounce@example.org",
            day=DAY,
            status=DeliveryStatus.FAILED,
            attempts=5,
            last_error="SMTPRecipientsRefused: {'bounce@example.org': (550, b'No such user')}",
        ),
        "sent": Delivery.objects.create(
            recipient="jad@example.org", day=DAY, status=DeliveryStatus.SENT, attempts=1
        ),
        "retrying": Delivery.objects.create(
            recipient="slow@example.org", day=DAY, status=DeliveryStatus.RETRYING, attempts=2
        ),
    }


@pytest.fixture
def notification():
    point = ActionPointFactory()
    return Notification.objects.create(
        recipient="jad@example.org",
        kind=Kind.DUE_TODAY,
        plan=point.challenge.working_group.plan,
        action_point=point,
        key=f"due_today:{point.pk}:2019-03-17",
    )


@pytest.mark.parametrize(
    "url",
    [
        DELIVERIES,
        "/admin/notifications/notification/",
        "/admin/notifications/preference/",
    ],
)
def test_pages_need_an_administrator(client, url):
    assert client.get(url)["Location"] == f"/accounts/login/?next={url}"
    client.force_login(UserFactory(username="member"))
    assert client.get(url)["Location"] == f"/admin/login/?next={url}"


def test_changelists_and_records_open(admin_client, deliveries, notification):
    preference = Preference.objects.create(email="jad@example.org", muted_kinds=["stale"])
    urls = [
        "/admin/notifications/",
        DELIVERIES,
        f"{DELIVERIES}?status__exact=failed",
        f"{DELIVERIES}?day__gte=2019-03-17",
        f"{DELIVERIES}{deliveries['failed'].pk}/change/",
        "/admin/notifications/notification/",
        "/admin/notifications/notification/?kind__exact=due_today&read=no",
        "/admin/notifications/notification/?read=yes",
        f"/admin/notifications/notification/{notification.pk}/change/",
        "/admin/notifications/preference/",
        f"/admin/notifications/preference/{preference.pk}/change/",
    ]
    for url in urls:
        assert admin_client.get(url).status_code == 200, url


def test_the_failed_filter_lists_failed_deliveries_only(admin_client, deliveries):
    response = admin_client.get(f"{DELIVERIES}?status__exact=failed")
    rows = list(response.context["cl"].result_list)
    assert rows == [deliveries["failed"]]
    html = response.content.decode()
    assert "bounce@example.org" in html
    assert "550" in html  # the last error is shown
    assert "jad@example.org" not in html


def test_the_list_shows_the_columns_administrators_need(admin_client, deliveries):
    response = admin_client.get(DELIVERIES)
    assert response.context["cl"].list_display == [
        "action_checkbox",
        "recipient",
        "day",
        "status",
        "attempts",
        "error",
        "sent_at",
    ]
    assert {row.pk for row in response.context["cl"].result_list} == {
        delivery.pk for delivery in deliveries.values()
    }


def test_the_read_filter(admin_client, notification):
    response = admin_client.get("/admin/notifications/notification/?read=no")
    assert list(response.context["cl"].result_list) == [notification]
    response = admin_client.get("/admin/notifications/notification/?read=yes")
    assert list(response.context["cl"].result_list) == []


def test_nothing_is_added_changed_or_deleted_by_hand(admin_client, deliveries, notification):
    failed = deliveries["failed"]
    assert admin_client.get(f"{DELIVERIES}add/").status_code == 403
    response = admin_client.post(
        f"{DELIVERIES}{failed.pk}/change/",
        {"recipient": "x@example.org", "day": "2019-03-18", "status": "sent", "attempts": 0},
    )
    assert response.status_code == 403
    assert admin_client.post(f"{DELIVERIES}{failed.pk}/delete/", {"post": "yes"}).status_code == 403
    failed.refresh_from_db()
    assert (failed.recipient, failed.status) == ("bounce@example.org", DeliveryStatus.FAILED)
    assert Delivery.objects.count() == 3


def test_retry_action_queues_failed_deliveries_again(
    admin_client, deliveries, django_capture_on_commit_callbacks
):
    selected = [deliveries["failed"].pk, deliveries["sent"].pk]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            DELIVERIES,
            {"action": "retry", "_selected_action": selected, "index": 0},
            follow=True,
        )
    assert response.status_code == 200
    messages = [str(message) for message in response.context["messages"]]
    assert messages == [
        "1 failed delivery queued again.",
        "1 selected were not failed and were left as they are.",
    ]
    failed, sent = (Delivery.objects.get(pk=pk) for pk in selected)
    assert (failed.status, failed.attempts, failed.next_attempt_at) == (
        DeliveryStatus.QUEUED,
        5,
        None,
    )
    assert failed.last_error.startswith("SMTPRecipientsRefused")
    assert sent.status == DeliveryStatus.SENT
    # One task for the worker, with the re-queued delivery only.
    tasks = list(DBTaskResult.objects.all())
    assert len(tasks) == 1
    assert tasks[0].task_path == "notifications.tasks.deliver"
    assert tasks[0].args_kwargs == {"args": [[failed.pk]], "kwargs": {}}


def test_retry_sends_the_email_when_the_worker_runs(
    deliveries, notification, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    failed = deliveries["failed"]
    notification.recipient = failed.recipient
    notification.delivery = failed
    notification.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_retry(Delivery.objects.all()) == [failed.pk]
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.SENT
    assert [message.to for message in mail.outbox] == [["bounce@example.org"]]


def test_retry_leaves_every_other_status_alone(deliveries, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_retry([deliveries["sent"], deliveries["retrying"]]) == []
    assert dict(Delivery.objects.values_list("recipient", "status")) == {
        "bounce@example.org": DeliveryStatus.FAILED,
        "jad@example.org": DeliveryStatus.SENT,
        "slow@example.org": DeliveryStatus.RETRYING,
    }
    assert not DBTaskResult.objects.exists()
