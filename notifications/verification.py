"""Verified completion turned into notifications: a completed action point is to
verify by the plan's coordinators other than whoever completed it (TO_VERIFY);
one sent back goes to whoever completed it, with the reason (SENT_BACK). The
ledger (one notification per recipient and key) and the muting preferences are
services._record's."""

from __future__ import annotations

from notifications.choices import Kind
from notifications.recipients import people_recipients, user_recipients
from notifications.services import _name, _record


def notify_to_verify(*, update, user) -> None:
    """The plan's coordinators, but not the completer (their account, or the account
    of the person who completed it from a one-click link)."""
    point = update.action_point
    plan = point.challenge.working_group.plan
    if not plan.accepts_changes:
        return
    recipients = [
        recipient
        for recipient in user_recipients(plan.coordinators.values_list("id", flat=True)).values()
        if not (update.reported_by_id and recipient.person_id == update.reported_by_id)
    ]
    _record(
        recipients,
        kind=Kind.TO_VERIFY,
        key=f"to_verify:{update.pk}",
        plan_id=plan.pk,
        action_point_id=point.pk,
        detail={
            "by": _name(user) or (update.reported_by.name if update.reported_by else ""),
            "note": update.note[:500],
            "evidence_url": update.evidence_url,
        },
        actor=user,
    )


def notify_sent_back(*, update, user, completed_by, completed_by_person) -> None:
    """Whoever completed it: their account, else the person (by their email)."""
    if completed_by is not None:
        recipients = list(user_recipients([completed_by.pk]).values())
    elif completed_by_person is not None:
        recipients = list(people_recipients([completed_by_person.pk]).values())
    else:
        return
    point = update.action_point
    _record(
        recipients,
        kind=Kind.SENT_BACK,
        key=f"sent_back:{update.pk}",
        plan_id=point.challenge.working_group.plan_id,
        action_point_id=point.pk,
        detail={"reason": update.note[:500], "by": _name(user)},
        actor=user,
    )
