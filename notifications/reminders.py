"""What is due on a day: reminders for the people who carry action points and
weekly digests for coordinators, found with the domain's rules
(actionplans/querysets.py) in a fixed number of queries.

The rules, for an open action point of a plan that is not closed:
- due soon: on the first run within each lead time (14 and 3 days by default,
  each person's own choice), so a missed day is caught up the next day;
- due today: on the day;
- overdue: once a week while it stays overdue (weeks counted from the due date);
- stale: once each time it becomes stale (no change for STALE_DAYS).
Coordinators get a digest per plan on their digest day, once a week.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from actionplans.choices import ActionPointStatus
from actionplans.models import ActionPlan, ActionPoint, DeadlineChange, ProgressUpdate
from actionplans.querysets import PLAN_PATH, overdue_condition, stale_condition
from actionplans.selectors import people_carrying
from notifications.choices import Kind
from notifications.models import Notification, Preference
from notifications.recipients import (
    Recipient,
    default_preference,
    people_recipients,
    preferences_for,
    user_recipients,
)

WEEK = datetime.timedelta(days=7)
# Digest sections hold at most this many action points each (the total is counted).
DIGEST_LIMIT = 50


def _reminders(point: dict, today: datetime.date, preference: Preference):
    """The reminders one person gets today for one action point: one about its
    date (due soon, due today, overdue), and a nudge when it is stale."""
    due = point["due_date"]
    if due is not None:
        days = (due - today).days
        if days < 0 and preference.wants(Kind.OVERDUE):
            week = (-days - 1) // 7
            yield Kind.OVERDUE, f"overdue:{point['id']}:{due}:{week}", {"days_late": -days}
        elif days == 0 and preference.wants(Kind.DUE_TODAY):
            yield Kind.DUE_TODAY, f"due_today:{point['id']}:{due}", {}
        elif days > 0 and preference.wants(Kind.DUE_SOON):
            leads = [lead for lead in preference.leads() if lead >= days]
            if leads:
                lead = min(leads)
                yield Kind.DUE_SOON, f"due_soon:{point['id']}:{due}:{lead}", {"days": days}
    if point["is_stale"] and preference.wants(Kind.STALE):
        last_change = timezone.localdate(point["updated"])
        yield Kind.STALE, f"stale:{point['id']}:{last_change}", {"last_change": str(last_change)}


def action_point_reminders(today: datetime.date) -> list[Notification]:
    """Unsaved notifications for every reminder due today (those already sent are
    left to the ledger: saving them again changes nothing)."""
    preferences = preferences_for()
    default = default_preference("")
    longest = max(
        [*settings.REMINDER_LEAD_DAYS, *(max(p.lead_days or [0]) for p in preferences.values())]
    )
    points = (
        ActionPoint.objects.open()
        .in_live_plans()
        .filter(
            Q(due_date__gte=today, due_date__lte=today + datetime.timedelta(days=longest))
            | overdue_condition(today)
            | stale_condition(today)
        )
        .with_flags(today)
    )
    rows = list(points.values("id", "due_date", "updated", "is_stale", f"{PLAN_PATH}_id"))
    carriers = people_carrying(points)
    recipients = people_recipients({pid for people in carriers.values() for pid in people})

    notifications = []
    for point in rows:
        seen: set[tuple[str, int | None]] = set()
        for person_id in sorted(carriers.get(point["id"], ())):
            recipient = recipients.get(person_id)
            if recipient is None or (recipient.address, recipient.user_id) in seen:
                continue
            seen.add((recipient.address, recipient.user_id))
            preference = preferences.get(recipient.address, default)
            for reminder in _reminders(point, today, preference):
                kind, key, detail = reminder
                notifications.append(
                    _notification(
                        recipient, kind, key, detail, point[f"{PLAN_PATH}_id"], point["id"]
                    )
                )
    return notifications


def _notification(
    recipient: Recipient,
    kind: str,
    key: str,
    detail: dict,
    plan_id: int,
    action_point_id: int | None,
) -> Notification:
    return Notification(
        recipient=recipient.address,
        user_id=recipient.user_id,
        person_id=recipient.person_id,
        kind=kind,
        key=key,
        detail=detail,
        plan_id=plan_id,
        action_point_id=action_point_id,
    )


def digests(today: datetime.date) -> list[Notification]:
    """Unsaved weekly digests for coordinators whose digest day is today.

    Each section lists action point ids (at most DIGEST_LIMIT) with its count;
    the email shows them with links. Five queries for all plans together.
    """
    preferences = preferences_for()
    default = default_preference("")
    coordinators = list(
        ActionPlan.coordinators.through.objects.filter(
            actionplan__in=ActionPlan.objects.live()
        ).values_list("actionplan_id", "user_id")
    )
    recipients = user_recipients({user_id for _, user_id in coordinators})
    wanted: dict[int, list[Recipient]] = {}
    for plan_id, user_id in coordinators:
        recipient = recipients.get(user_id)
        if recipient is None:
            continue
        preference = preferences.get(recipient.address, default)
        if preference.digest_weekday == today.weekday() and preference.wants(Kind.DIGEST):
            wanted.setdefault(plan_id, []).append(recipient)
    if not wanted:
        return []

    sections = _digest_sections(today, wanted)
    year, week, _ = today.isocalendar()
    notifications = []
    for plan_id, plan_recipients in wanted.items():
        detail = {"since": (today - WEEK).isoformat(), **sections.get(plan_id, {})}
        for recipient in plan_recipients:
            notifications.append(
                _notification(
                    recipient,
                    Kind.DIGEST,
                    f"digest:{plan_id}:{year}-W{week:02d}",
                    detail,
                    plan_id,
                    None,
                )
            )
    return notifications


DIGEST_SECTIONS = ("completed", "newly_overdue", "due_soon", "stale", "rescheduled")


def _digest_sections(today: datetime.date, plans: Iterable[int]) -> dict[int, dict]:
    since = today - WEEK
    plan_ids = list(plans)
    points = ActionPoint.objects.filter(**{f"{PLAN_PATH}__in": plan_ids})
    in_week = Q(created__date__gte=since, created__date__lt=today)
    queries = {
        "completed": ProgressUpdate.objects.filter(
            in_week,
            action_point__in=points.values("id"),
            status=ActionPointStatus.COMPLETED,
        )
        .exclude(previous_status=ActionPointStatus.COMPLETED)
        .values_list(f"action_point__{PLAN_PATH}_id", "action_point_id"),
        "newly_overdue": points.filter(overdue_condition(today), due_date__gte=since)
        .in_workshop_order()
        .values_list(f"{PLAN_PATH}_id", "id"),
        "due_soon": points.due_soon(today)
        .order_by("due_date", "id")
        .values_list(f"{PLAN_PATH}_id", "id"),
        "stale": points.stale(today).in_workshop_order().values_list(f"{PLAN_PATH}_id", "id"),
        "rescheduled": DeadlineChange.objects.filter(
            action_point__in=points.values("id"),
            changed_at__date__gte=since,
            changed_at__date__lt=today,
        ).values_list(f"action_point__{PLAN_PATH}_id", "action_point_id"),
    }
    found: dict[int, dict[str, dict[int, None]]] = {}
    for name, query in queries.items():
        for plan_id, point_id in query:
            # A dict keeps the query's order and counts a point once.
            found.setdefault(plan_id, {}).setdefault(name, {})[point_id] = None
    return {
        plan_id: {
            name: {"ids": list(ids)[:DIGEST_LIMIT], "count": len(ids)}
            for name, ids in sections.items()
        }
        for plan_id, sections in found.items()
    }
