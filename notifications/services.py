"""Every write of the notifications app: the daily run, events turned into
notifications, reading and muting."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from actionplans.choices import OPEN_STATUSES
from actionplans.models import ActionPoint
from actionplans.selectors import people_carrying
from notifications import delivery as deliveries
from notifications.choices import DeliveryStatus, Kind
from notifications.models import Delivery, Notification, Preference
from notifications.recipients import (
    Recipient,
    default_preference,
    people_recipients,
    preferences_for,
    user_recipients,
)
from notifications.reminders import action_point_reminders, digests

BULK_BATCH = 1000


@dataclass
class RunResult:
    day: datetime.date
    found: list[Notification] = field(default_factory=list)
    # (address, kind) of each notification recorded (or, in a dry run, to be).
    new: list[tuple[str, str]] = field(default_factory=list)
    # A dry run's notifications to be recorded, unsaved, for printing.
    preview: list[Notification] = field(default_factory=list)
    deliveries: int = 0
    tasks: int = 0


def _ledger_key(address: str, user_id: int | None, key: str) -> tuple:
    """What the ledger's unique constraints compare: the address, else the account."""
    return (address, key) if address else (user_id, key)


def _is_new(candidates: list[Notification]) -> list[Notification]:
    """The candidates the ledger has not recorded yet (for a dry run: nothing written)."""
    recorded: set[tuple] = set()
    keys = sorted({notification.key for notification in candidates})
    for start in range(0, len(keys), 500):
        rows = Notification.objects.filter(key__in=keys[start : start + 500])
        recorded.update(
            _ledger_key(*row) for row in rows.values_list("recipient", "user_id", "key")
        )
    return [n for n in candidates if _ledger_key(n.recipient, n.user_id, n.key) not in recorded]


def send_reminders(today: datetime.date, *, dry_run: bool = False) -> RunResult:
    """Record what is due today and queue one email per address with anything waiting.

    Idempotent: the ledger (one notification per address and key) and the one
    delivery per address and day mean a second run on the same day finds
    nothing new and sends nothing.
    """
    result = RunResult(day=today)
    result.found = action_point_reminders(today) + digests(today)
    if dry_run:
        result.preview = _is_new(result.found)
        result.new = [(n.recipient, n.kind) for n in result.preview]
        return result

    started = timezone.now()
    with transaction.atomic():
        # Rows the ledger already holds are skipped by the database; the new ones
        # are those above the highest id before.
        last = _last_id(Notification)
        for notification in result.found:
            notification.created = started
        Notification.objects.bulk_create(result.found, batch_size=BULK_BATCH, ignore_conflicts=True)
        result.new = list(Notification.objects.filter(id__gt=last).values_list("recipient", "kind"))
        ids = queue_deliveries(today, started)
    result.deliveries = len(ids)
    result.tasks = deliveries.enqueue(ids)
    return result


def _last_id(model) -> int:
    return model.objects.aggregate(last=Max("id"))["last"] or 0


def queue_deliveries(today: datetime.date, started: datetime.datetime) -> list[int]:
    """One delivery today for each address with notifications waiting and no email
    yet today; the notifications join it. Ids of the deliveries created."""
    waiting = Notification.objects.filter(delivery__isnull=True, created__lte=started).exclude(
        recipient=""
    )
    addresses = set(waiting.values_list("recipient", flat=True).distinct())
    last = _last_id(Delivery)
    Delivery.objects.bulk_create(
        [Delivery(recipient=address, day=today, created=started) for address in addresses],
        batch_size=BULK_BATCH,
        ignore_conflicts=True,
    )
    todays = Delivery.objects.filter(
        recipient=OuterRef("recipient"), day=today, status=DeliveryStatus.QUEUED
    )
    waiting.update(delivery=Subquery(todays.values("pk")[:1]))
    return list(
        Delivery.objects.filter(id__gt=last, day=today, status=DeliveryStatus.QUEUED)
        .order_by("id")
        .values_list("pk", flat=True)
    )


# --- events --------------------------------------------------------------------------


def _record(
    recipients: Iterable[Recipient],
    *,
    kind: str,
    key: str,
    plan_id: int,
    action_point_id: int | None,
    detail: dict,
    actor=None,
) -> list[Notification]:
    """Notify each recipient once, except the person who did it and those who
    muted the kind; the ledger ignores a repeat."""
    recipients = [
        r for r in recipients if not (actor is not None and actor.pk and r.user_id == actor.pk)
    ]
    preferences = preferences_for(r.address for r in recipients if r.address)
    notifications = []
    seen = set()
    for recipient in recipients:
        identity = recipient.address or recipient.user_id
        if identity in seen:
            continue
        seen.add(identity)
        preference = preferences.get(recipient.address) or default_preference(recipient.address)
        if not preference.wants(kind):
            continue
        notifications.append(
            Notification(
                recipient=recipient.address,
                user_id=recipient.user_id,
                person_id=recipient.person_id,
                kind=kind,
                key=key,
                plan_id=plan_id,
                action_point_id=action_point_id,
                detail=detail,
            )
        )
    return Notification.objects.bulk_create(notifications, ignore_conflicts=True)


def _carriers_of(point: ActionPoint) -> list[Recipient]:
    people = people_carrying(ActionPoint.objects.filter(pk=point.pk)).get(point.pk, set())
    return list(people_recipients(people).values())


def _live(point: ActionPoint) -> bool:
    plan = point.challenge.working_group.plan
    return plan.accepts_changes and point.status in OPEN_STATUSES


def notify_focal_point_named(*, action_point: ActionPoint, person, user) -> None:
    if not _live(action_point):
        return
    recipient = people_recipients([person.pk]).get(person.pk)
    if recipient is None:
        return
    _record(
        [recipient],
        kind=Kind.ASSIGNED,
        key=f"assigned:{action_point.pk}:{person.pk}:{timezone.now():%Y%m%dT%H%M%S.%f}",
        plan_id=action_point.challenge.working_group.plan_id,
        action_point_id=action_point.pk,
        detail={"by": _name(user)},
        actor=user,
    )


def notify_rescheduled(*, change, user) -> list[Recipient]:
    """Tell the carriers of the point; returns them (watchers hear of it only once)."""
    point = change.action_point
    if not _live(point):
        return []
    recipients = _carriers_of(point)
    _record(
        recipients,
        kind=Kind.RESCHEDULED,
        key=f"rescheduled:{change.pk}",
        plan_id=point.challenge.working_group.plan_id,
        action_point_id=point.pk,
        detail={
            "old": change.old_deadline,
            "new": change.new_deadline,
            "reason": change.reason[:500],
            "by": _name(user),
        },
        actor=user,
    )
    return recipients


def notify_commented(*, update, user) -> list[Recipient]:
    """Tell the carriers of the point about an update with a note; returns them."""
    point = update.action_point
    if not update.note or not _live(point):
        return []
    recipients = _carriers_of(point)
    if update.reported_by_id:
        recipients = [r for r in recipients if r.person_id != update.reported_by_id]
    _record(
        recipients,
        kind=Kind.COMMENTED,
        key=f"commented:{update.pk}",
        plan_id=point.challenge.working_group.plan_id,
        action_point_id=point.pk,
        detail={
            "note": update.note[:500],
            "status": update.get_status_display(),
            "progress": update.progress,
            "by": _name(user) or (update.reported_by.name if update.reported_by else ""),
        },
        actor=user,
    )
    return recipients


def notify_extension_requested(*, request) -> None:
    point = request.action_point
    plan = point.challenge.working_group.plan
    if not plan.accepts_changes:
        return
    coordinators = user_recipients(plan.coordinators.values_list("id", flat=True)).values()
    _record(
        coordinators,
        kind=Kind.EXTENSION_REQUESTED,
        key=f"extension_requested:{request.pk}",
        plan_id=plan.pk,
        action_point_id=point.pk,
        detail={
            "current": request.current_deadline,
            "new": request.new_deadline,
            "reason": request.reason[:500],
            "by": _name(request.requested_by),
        },
        actor=request.requested_by,
    )


def notify_extension_decided(*, request) -> None:
    if request.requested_by_id is None:
        return
    point = request.action_point
    _record(
        user_recipients([request.requested_by_id]).values(),
        kind=Kind.EXTENSION_DECIDED,
        key=f"extension_decided:{request.pk}",
        plan_id=point.challenge.working_group.plan_id,
        action_point_id=point.pk,
        detail={
            "approved": request.status == "approved",
            "new": request.new_deadline,
            "note": request.decision_note[:500],
            "by": _name(request.decided_by),
        },
        actor=request.decided_by,
    )


def _name(user) -> str:
    if user is None:
        return ""
    person = getattr(user, "person", None)
    return person.name if person is not None else user.get_username()


# --- reading and muting ----------------------------------------------------------------


def mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread when no ids are given)."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(id__in=list(ids))
    return rows.update(read_at=timezone.now())


def mute(*, address: str, kinds: Iterable[str]) -> Preference:
    """Stop emails of these kinds to this address (one-click unsubscribe)."""
    address = address.strip().lower()
    valid = [kind for kind in kinds if kind in Kind.values]
    with transaction.atomic():
        preference, _ = Preference.objects.select_for_update().get_or_create(email=address)
        preference.muted_kinds = sorted(set(preference.muted_kinds) | set(valid))
        preference.save()
    return preference
