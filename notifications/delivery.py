"""Sending the day's emails: render each delivery, send it through Django's email
framework, and retry failures with backoff on the task framework.

A failure (a refused connection, an address the server rejects) is logged,
counted on its delivery and retried later; it never stops the other
recipients. After EMAIL_MAX_ATTEMPTS the delivery is marked failed, which the
admin lists (Notifications → Email deliveries).
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import smtplib

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from actionplans.choices import OPEN_STATUSES
from actionplans.models import ActionPoint
from notifications.choices import DeliveryStatus, Kind
from notifications.emails import compose
from notifications.models import Delivery, Notification
from orgs.language import languages_of

logger = logging.getLogger(__name__)

# Deliveries handed to one task: a worker sends them over one SMTP connection.
BATCH = 50
SENDABLE = [DeliveryStatus.QUEUED, DeliveryStatus.RETRYING]
# Kinds that lose their point once the action point is done or its plan closed.
ABOUT_OPEN_POINTS = {
    Kind.DUE_SOON,
    Kind.DUE_TODAY,
    Kind.OVERDUE,
    Kind.STALE,
    Kind.ASSIGNED,
    Kind.RESCHEDULED,
    Kind.COMMENTED,
}


def backoff(attempts: int) -> datetime.timedelta:
    """2, 8, 32, 128 minutes... after the first, second, third failure."""
    return datetime.timedelta(minutes=2 * 4 ** (attempts - 1))


def enqueue(delivery_ids: list[int], run_after: datetime.datetime | None = None) -> int:
    """Hand deliveries to the worker in batches; the number of tasks enqueued."""
    from notifications.tasks import deliver

    task = deliver.using(run_after=run_after) if run_after else deliver
    batches = [delivery_ids[i : i + BATCH] for i in range(0, len(delivery_ids), BATCH)]
    for batch in batches:
        task.enqueue(batch)
    return len(batches)


def _still_relevant(notification: Notification, points: dict[int, ActionPoint]) -> bool:
    if notification.plan.status == "closed":
        return False
    if notification.kind in ABOUT_OPEN_POINTS:
        point = points.get(notification.action_point_id)
        return point is not None and point.status in OPEN_STATUSES
    return True


def _points_for(notifications: list[Notification]) -> dict[int, ActionPoint]:
    """Every action point the messages show, digests' included, in one query."""
    ids = set()
    for notification in notifications:
        if notification.action_point_id:
            ids.add(notification.action_point_id)
        if notification.kind == Kind.DIGEST:
            for section in notification.detail.values():
                if isinstance(section, dict):
                    ids.update(section.get("ids", ()))
    points = ActionPoint.objects.filter(id__in=ids).select_related("challenge__working_group__plan")
    return {point.pk: point for point in points}


def send(delivery_ids: list[int]) -> dict[str, int]:
    """Send these deliveries (those still queued or retrying); counts by outcome."""
    with transaction.atomic():
        # Claimed under a row lock: a delivery enqueued twice is sent once.
        deliveries = list(
            Delivery.objects.select_for_update()
            .filter(
                id__in=delivery_ids, status__in=[DeliveryStatus.QUEUED, DeliveryStatus.RETRYING]
            )
            .order_by("id")
        )
        Delivery.objects.filter(id__in=[d.pk for d in deliveries]).update(
            status=DeliveryStatus.SENDING
        )
    notifications = list(
        Notification.objects.filter(delivery__in=deliveries)
        .select_related("plan")
        .order_by("created", "id")
    )
    points = _points_for(notifications)
    # Each message in its recipient's language: the batch's languages in one query.
    languages = languages_of(delivery.recipient for delivery in deliveries)
    by_delivery: dict[int, list[Notification]] = {}
    for notification in notifications:
        if _still_relevant(notification, points):
            by_delivery.setdefault(notification.delivery_id, []).append(notification)

    outcome = {"sent": 0, "failed": 0, "retrying": 0, "nothing": 0}
    # One SMTP connection for the batch; after a failure, the next message opens
    # a fresh one (the backend reopens a closed connection by itself).
    connection = get_connection(fail_silently=False)
    is_open = False
    try:
        for delivery in deliveries:
            items = by_delivery.get(delivery.pk)
            if not items:
                _finish(delivery, DeliveryStatus.NOTHING)
                outcome["nothing"] += 1
                continue
            try:
                if not is_open:
                    connection.open()
                    is_open = True
                message = compose(delivery, items, points, languages.get(delivery.recipient))
                message.connection = connection
                message.send()
            except (smtplib.SMTPException, OSError) as error:
                outcome[_failed(delivery, error)] += 1
                is_open = False
                with contextlib.suppress(smtplib.SMTPException, OSError):
                    connection.close()
            else:
                _finish(delivery, DeliveryStatus.SENT)
                outcome["sent"] += 1
    finally:
        # The server may have gone away: there is nothing to close then.
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()
    return outcome


def _finish(delivery: Delivery, status: str) -> None:
    delivery.status = status
    delivery.attempts += 1
    delivery.sent_at = timezone.now() if status == DeliveryStatus.SENT else None
    delivery.next_attempt_at = None
    delivery.save(update_fields=["status", "attempts", "sent_at", "next_attempt_at"])


def _failed(delivery: Delivery, error: Exception) -> str:
    delivery.attempts += 1
    delivery.last_error = f"{type(error).__name__}: {error}"[:2000]
    if delivery.attempts >= settings.EMAIL_MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
        logger.error(
            "Email to %s for %s failed %d times, giving up: %s",
            delivery.recipient,
            delivery.day,
            delivery.attempts,
            delivery.last_error,
        )
    else:
        delivery.status = DeliveryStatus.RETRYING
        delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
        logger.warning(
            "Email to %s for %s failed (attempt %d), retrying at %s: %s",
            delivery.recipient,
            delivery.day,
            delivery.attempts,
            delivery.next_attempt_at.isoformat(timespec="seconds"),
            delivery.last_error,
        )
    delivery.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])
    if delivery.status == DeliveryStatus.RETRYING:
        transaction.on_commit(lambda: enqueue([delivery.pk], run_after=delivery.next_attempt_at))
    return str(delivery.status)
