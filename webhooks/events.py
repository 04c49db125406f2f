"""The domain's signals become webhook deliveries once their transaction commits.

The services send their signals inside their transaction. Here each signal only
notes what happened to which object; when the transaction commits, the notes are
reduced to the events a receiver needs, one per object:

- "created" absorbs the changes made in the same transaction;
- "deleted" absorbs everything;
- "rescheduled" and "completed" are sent as themselves, and a plain "updated"
  only when nothing more specific happened to that point.

Then the matching subscriptions are read in one query (plus one per owner of an
all-plans subscription, for the plans they may see), their Delivery rows are
inserted in one statement and one task each is enqueued. Nothing here talks to a
receiver: a slow or dead receiver never slows the write that caused the event.

A rolled-back transaction (or savepoint) drops its notes: the flush is an
on_commit callback, and what it reads is checked against the database.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone

from actionplans import signals
from actionplans.models import ActionPlan, ActionPoint, DeadlineChange, ProgressUpdate
from webhooks import delivery as deliveries
from webhooks import payloads
from webhooks.choices import Event
from webhooks.models import Delivery, Subscription

CREATED, UPDATED, RESCHEDULED, COMPLETED, DELETED = (
    Event.ACTION_POINT_CREATED,
    Event.ACTION_POINT_UPDATED,
    Event.ACTION_POINT_RESCHEDULED,
    Event.ACTION_POINT_COMPLETED,
    Event.ACTION_POINT_DELETED,
)


@dataclass
class Note:
    """What happened to one object in one transaction."""

    object_type: str
    object_id: int
    occurred_at: datetime.datetime
    kinds: set[str] = field(default_factory=set)
    plan_id: int | None = None
    deleted: dict | None = None  # the data of a deletion, captured before the row went
    rows: dict[str, int] = field(default_factory=dict)  # kind -> the change/update row


def reduce(note: Note) -> list[str]:
    """The events one object's notes become (the module's rules)."""
    if note.object_type == payloads.PLAN:
        return [Event.PLAN_UPDATED]
    if DELETED in note.kinds:
        return [DELETED]
    if CREATED in note.kinds:
        return [CREATED]
    specific = [kind for kind in (RESCHEDULED, COMPLETED) if kind in note.kinds]
    return specific or [UPDATED]


def _note(object_type: str, object_id: int, kind: str, **extra) -> None:
    connection = transaction.get_connection()
    # This transaction's flush, if one is waiting: it is dropped with a rolled-back
    # transaction or savepoint, and then the notes it would have read go too.
    flush = getattr(connection, "pim_webhook_flush", None)
    if flush is None or not any(func is flush for _sids, func, _robust in connection.run_on_commit):
        connection.pim_webhook_notes = {}
        flush = None
    notes = connection.pim_webhook_notes
    key = (object_type, object_id)
    note = notes.get(key)
    if note is None:
        note = notes[key] = Note(object_type, object_id, timezone.now())
    note.kinds.add(kind)
    for name, value in extra.items():
        if name == "rows":
            note.rows.update(value)
        elif value is not None:
            setattr(note, name, value)
    if flush is None:
        flush = connection.pim_webhook_flush = functools.partial(_flush)  # this one's own
        # At once outside a transaction. Robust: the write has committed, so a failure
        # here is logged rather than turned into an error page for it.
        transaction.on_commit(flush, robust=True)


@receiver(signals.action_point_created, dispatch_uid="webhooks.created")
def _created(sender, action_point, **kwargs) -> None:
    _note(payloads.ACTION_POINT, action_point.pk, CREATED)


@receiver(signals.action_point_changed, dispatch_uid="webhooks.changed")
def _changed(sender, action_point, **kwargs) -> None:
    _note(payloads.ACTION_POINT, action_point.pk, UPDATED)


@receiver(signals.action_point_rescheduled, dispatch_uid="webhooks.rescheduled")
def _rescheduled(sender, change, **kwargs) -> None:
    _note(
        payloads.ACTION_POINT,
        change.action_point_id,
        RESCHEDULED,
        rows={RESCHEDULED: change.pk},
    )


@receiver(signals.action_point_completed, dispatch_uid="webhooks.completed")
def _completed(sender, update, **kwargs) -> None:
    _note(
        payloads.ACTION_POINT,
        update.action_point_id,
        COMPLETED,
        rows={COMPLETED: update.pk},
    )


@receiver(signals.action_point_deleted, dispatch_uid="webhooks.deleted")
def _deleted(sender, action_point_id, plan_id, challenge_id, **kwargs) -> None:
    _note(
        payloads.ACTION_POINT,
        action_point_id,
        DELETED,
        plan_id=plan_id,
        deleted=payloads.deleted_data(action_point_id, plan_id, challenge_id),
    )


@receiver(signals.plan_changed, dispatch_uid="webhooks.plan_changed")
def _plan_changed(sender, plan, **kwargs) -> None:
    _note(payloads.PLAN, plan.pk, Event.PLAN_UPDATED, plan_id=plan.pk)


def _happened(notes: list[Note]) -> list[tuple[Note, str]]:
    """(note, event) for what the database confirms: a savepoint rolled back inside
    the transaction may have dropped a creation, a deletion, a change or an update."""
    events = [(note, event) for note in notes for event in reduce(note)]
    point_ids = {
        note.object_id for note, _event in events if note.object_type == payloads.ACTION_POINT
    }
    # The plan of each point that still exists (no query in the write itself).
    existing = dict(
        ActionPoint.objects.filter(pk__in=point_ids).values_list(
            "pk", "challenge__working_group__plan_id"
        )
    )
    changes = {note.rows.get(RESCHEDULED) for note, event in events if event == RESCHEDULED}
    updates = {note.rows.get(COMPLETED) for note, event in events if event == COMPLETED}
    changes = set(DeadlineChange.objects.filter(pk__in=changes).values_list("pk", flat=True))
    updates = set(ProgressUpdate.objects.filter(pk__in=updates).values_list("pk", flat=True))
    kept = []
    for note, event in events:
        if note.object_type == payloads.ACTION_POINT:
            if (event == DELETED) == (note.object_id in existing):
                continue
            if event == RESCHEDULED and note.rows[RESCHEDULED] not in changes:
                continue
            if event == COMPLETED and note.rows[COMPLETED] not in updates:
                continue
            if event != DELETED:
                note.plan_id = existing[note.object_id]
        kept.append((note, event))
    return kept


def _flush() -> None:
    connection = transaction.get_connection()
    notes = list(getattr(connection, "pim_webhook_notes", {}).values())
    connection.pim_webhook_notes = {}
    connection.pim_webhook_flush = None
    if notes:
        make_deliveries(notes)


def make_deliveries(notes: list[Note]) -> list[int]:
    """Insert the deliveries of these notes and enqueue them; their ids."""
    live = Subscription.objects.filter(active=True, paused_at__isnull=True)
    if not live.exists():
        return []  # most sites: one query per write, nothing else
    events = _happened(notes)
    if not events:
        return []
    plan_ids = {note.plan_id for note, _event in events}
    subscriptions = list(
        live.filter(Q(plan_id__in=plan_ids) | Q(plan__isnull=True))
        .select_related("owner")
        .order_by("id")
    )
    # All-plans subscriptions: only the plans their owner may see (one query per owner).
    seen_by: dict[int, set[int]] = {}
    for subscription in subscriptions:
        if subscription.plan_id is None and subscription.owner_id not in seen_by:
            seen_by[subscription.owner_id] = set(
                ActionPlan.objects.visible_to(subscription.owner)
                .filter(pk__in=plan_ids)
                .values_list("pk", flat=True)
            )
    by_plan: dict[int, list[Subscription]] = defaultdict(list)
    for subscription in subscriptions:
        if subscription.plan_id is not None:
            by_plan[subscription.plan_id].append(subscription)
        else:
            for plan_id in seen_by[subscription.owner_id]:
                by_plan[plan_id].append(subscription)
    rows = []
    for note, event in events:
        for subscription in by_plan.get(note.plan_id, []):
            if event not in subscription.events:
                continue
            delivery = Delivery(
                subscription=subscription,
                event=event,
                object_type=note.object_type,
                object_id=note.object_id,
                occurred_at=note.occurred_at,
            )
            if event == DELETED:
                delivery.payload = payloads.body_of(delivery, note.deleted)
            rows.append(delivery)
    if not rows:
        return []
    created = Delivery.objects.bulk_create(rows)
    ids = [row.pk for row in created]
    deliveries.enqueue(ids)
    return ids
