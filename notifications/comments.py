"""Notifications about comments and watched action points (notifications/receivers.py).

- A person mentioned in a comment, with an active account that may see the action
  point, gets MENTIONED (an edit notifies only the people it mentions for the
  first time; the ledger key is per comment, so never twice).
- The watchers of an action point get WATCHED for a new progress update, a moved
  deadline and a new comment, if they may still see it, never for their own
  action, and only when the event does not already reach them by a more specific
  kind: the carriers told of an update or a move (COMMENTED, RESCHEDULED), the
  people mentioned in the comment (MENTIONED, even if they muted it).

Like every event, these go through services._record: muted kinds are left out.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model

from actionplans.mentions import plain
from actionplans.models import ActionPoint, Watch
from actionplans.permissions import can_see_action_point
from notifications.choices import Kind
from notifications.models import Notification
from notifications.recipients import Recipient, people_recipients, user_recipients
from notifications.services import _name, _record

EXCERPT = 500


def _who_may_see(point: ActionPoint, user_ids: Iterable[int]) -> list[int]:
    """The active accounts among these that may see the action point (one check each:
    the few watchers or mentioned people of one event)."""
    users = get_user_model().objects.filter(pk__in=set(user_ids), is_active=True)
    return [user.pk for user in users if can_see_action_point(user, point)]


def notify_mentioned(*, comment, people: Iterable, user) -> list[Recipient]:
    """MENTIONED to each person mentioned with an account that may see the point;
    returns them."""
    point = comment.action_point
    reachable = people_recipients(person.pk for person in people)
    allowed = set(_who_may_see(point, (r.user_id for r in reachable.values() if r.user_id)))
    recipients = [r for r in reachable.values() if r.user_id in allowed]
    _record(
        recipients,
        kind=Kind.MENTIONED,
        key=f"mentioned:{comment.pk}",
        plan_id=point.challenge.working_group.plan_id,
        action_point_id=point.pk,
        detail={"by": _name(user), "comment": plain(comment.body)[:EXCERPT]},
        actor=user,
    )
    return recipients


def notify_watchers(
    *,
    point: ActionPoint,
    key: str,
    detail: dict,
    user,
    told: Iterable[Recipient] = (),
    skip_user_ids: Iterable[int] = (),
) -> None:
    """WATCHED to the watchers who may still see the point, except the actor, those
    `told` of it by a more specific kind and `skip_user_ids`."""
    if not point.challenge.working_group.plan.accepts_changes:
        return
    skip = {r.user_id for r in told if r.user_id} | set(skip_user_ids)
    if user is not None:
        skip.add(user.pk)
    watchers = Watch.objects.filter(action_point=point).exclude(user_id__in=skip)
    allowed = _who_may_see(point, watchers.values_list("user_id", flat=True))
    _record(
        user_recipients(allowed).values(),
        kind=Kind.WATCHED,
        key=f"watched:{key}",
        plan_id=point.challenge.working_group.plan_id,
        action_point_id=point.pk,
        detail={"by": _name(user), **detail},
        actor=user,
    )


def on_comment(*, comment, mentioned: Iterable, user) -> None:
    """A comment posted (or edited: mentions only)."""
    notify_mentioned(comment=comment, people=mentioned, user=user)
    if comment.edited is not None:
        return
    mentioned_accounts = [
        account
        for account in comment.mentions.values_list("user_id", flat=True)
        if account is not None
    ]
    notify_watchers(
        point=comment.action_point,
        key=f"comment:{comment.pk}",
        detail={"event": "comment", "comment": plain(comment.body)[:EXCERPT]},
        user=user,
        skip_user_ids=mentioned_accounts,
    )


def on_update(*, update, user, told: list[Recipient]) -> None:
    reporter = update.reported_by.user_id if update.reported_by_id else None
    notify_watchers(
        point=update.action_point,
        key=f"update:{update.pk}",
        detail={
            "event": "update",
            "note": update.note[:EXCERPT],
            "status": update.get_status_display(),
            "progress": update.progress,
            "by": _name(user) or (update.reported_by.name if update.reported_by else ""),
        },
        user=user,
        told=told,
        skip_user_ids=[reporter] if reporter else [],
    )


def on_rescheduled(*, change, user, told: list[Recipient]) -> None:
    notify_watchers(
        point=change.action_point,
        key=f"rescheduled:{change.pk}",
        detail={
            "event": "rescheduled",
            "old": change.old_deadline,
            "new": change.new_deadline,
            "reason": change.reason[:EXCERPT],
        },
        user=user,
        told=told,
    )


def on_comment_deleted(*, comment) -> None:
    """The notifications of a deleted comment lose its text (the page shows it deleted)."""
    keys = [f"mentioned:{comment.pk}", f"watched:comment:{comment.pk}"]
    for notification in Notification.objects.filter(key__in=keys):
        detail = {k: v for k, v in notification.detail.items() if k != "comment"}
        notification.detail = {**detail, "deleted": True}
        notification.save(update_fields=["detail"])
