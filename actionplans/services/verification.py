"""Verified completion: a coordinator other than whoever completed an action point
verifies it, or sends it back to in progress with a reason.

Who may do it is permissions.can_verify (the plan's coordinators and
administrators, not the completer); a user who is no coordinator gets
PermissionDenied, every other refusal is a ValidationError saying why, and
nothing is written.

Sending back records a progress update to in progress, its note the reason, so
the timeline and the notifications tell it like any update; the point's
completion and verification are cleared by that update. Its progress goes back
to what it was before the completion when that was some progress (1 to 99 %),
else (unknown, none, or completed straight from 100 %) to 90 %: "nearly done",
never 100 % while in progress.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from actionplans import signals
from actionplans.choices import ActionPointStatus
from actionplans.completion import completed_it, completing_update
from actionplans.models import ActionPoint, ProgressUpdate
from actionplans.permissions import require_verifier
from actionplans.services.common import (
    User,
    check_text,
    lock,
    require_open_plan_of,
    save_point,
)
from actionplans.services.updates import progress_update_create

MAX_REASON_LENGTH = 2000
# The progress of a point sent back when the one before its completion is unknown.
SENT_BACK_PROGRESS = 90


def _require_completed(point: ActionPoint) -> None:
    if point.status != ActionPointStatus.COMPLETED:
        raise ValidationError(
            _("Only a completed action point can be verified or sent back."),
            code="not_completed",
        )


@transaction.atomic
def action_point_verify(
    *, action_point: ActionPoint, user: User, expected_version: int | None = None
) -> ActionPoint:
    """Record that a coordinator other than the completer checked the completion."""
    require_verifier(user, action_point)
    require_open_plan_of(action_point)
    current = lock(action_point, expected_version)
    _require_completed(current)
    if current.verified_at is not None:
        raise ValidationError(_("This action point is verified already."), code="already_verified")
    if completed_it(user, current):
        raise ValidationError(
            _("Someone other than the person who completed it must verify it."),
            code="own_completion",
        )
    current.verified_by = user
    current.verified_at = timezone.now()
    save_point(current, user, ["verified_by", "verified_at"], caller=action_point)
    signals.action_point_verified.send(sender=ActionPoint, action_point=action_point, user=user)
    return action_point


@transaction.atomic
def action_point_send_back(
    *,
    action_point: ActionPoint,
    user: User,
    reason: str,
    expected_version: int | None = None,
) -> ProgressUpdate:
    """Reopen a completed point (verified or not) as in progress, saying why."""
    require_verifier(user, action_point)
    reason = check_text(
        reason, field="reason", label=_("Reason"), required=True, max_length=MAX_REASON_LENGTH
    )
    require_open_plan_of(action_point)
    current = lock(action_point, expected_version)
    _require_completed(current)
    completion = completing_update(current)
    if completed_it(user, current, completion):
        raise ValidationError(
            _(
                "Someone other than the person who completed it must send it back: "
                "to reopen your own completion, record a progress update."
            ),
            code="own_completion",
        )
    completed_by = current.completed_by
    completed_by_person = (
        completion.reported_by if completion is not None and completed_by is None else None
    )
    before = completion.previous_progress if completion is not None else None
    progress = before if before is not None and 0 < before < 100 else SENT_BACK_PROGRESS
    update = progress_update_create(
        action_point=action_point,
        author=user,
        status=ActionPointStatus.IN_PROGRESS,
        progress=progress,
        note=reason,
        expected_version=current.version,
    )
    signals.action_point_sent_back.send(
        sender=ProgressUpdate,
        update=update,
        user=user,
        completed_by=completed_by,
        completed_by_person=completed_by_person,
    )
    return update
