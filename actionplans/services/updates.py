"""What happens to an action point over time: progress updates and moved deadlines,
each a recorded event."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from actionplans import signals
from actionplans.choices import ActionPointStatus
from actionplans.models import ActionPoint, DeadlineChange, ProgressUpdate
from actionplans.services.common import (
    User,
    check_progress,
    check_status,
    check_text,
    derive_deadline,
    lock,
    require_open_plan_of,
    save_checked,
    save_point,
)
from orgs.models import Person
from pim_tracker.characters import TextKind

MAX_NOTE_LENGTH = 5000
_validate_url = URLValidator(schemes=["http", "https"])


def _check_evidence_url(url: str) -> str:
    url = check_text(
        url,
        field="evidence_url",
        label=_("Evidence link"),
        required=False,
        max_length=500,
        kind=TextKind.LINK,
    )
    if url:
        try:
            _validate_url(url)
        except ValidationError:
            raise ValidationError(
                {
                    "evidence_url": _('"%(url)s" is not a web address (http:// or https://).')
                    % {"url": url}
                }
            ) from None
    return url


@transaction.atomic
def progress_update_create(
    *,
    action_point: ActionPoint,
    author: User | None,
    status: str | None = None,
    progress: int | None = None,
    note: str = "",
    evidence_url: str = "",
    expected_version: int | None = None,
    reported_by: Person | None = None,
) -> ProgressUpdate:
    """Report on an action point: new status and progress, a note, evidence.

    reported_by is the person of the plan who reported it when no account did
    (a one-click link from a reminder email).

    Leaving status or progress out keeps the current value. Completing sets
    progress to 100 whatever was sent, as docs/domain.md says; reopening a
    completed point is allowed and recorded like any other change.

    Completing is an account of what was done: the note is required then, and
    the point remembers who completed it and when (completed_by is None when a
    person without an account completed it from a one-click link: the update's
    reported_by says who). Any update that takes the point out of completed
    clears its completion and verification.
    """
    note = check_text(
        note, field="note", label=_("Note"), required=False, max_length=MAX_NOTE_LENGTH
    )
    evidence_url = _check_evidence_url(evidence_url)
    if status is not None:
        check_status(status)
    if progress is not None:
        check_progress(progress)

    require_open_plan_of(action_point)
    current = lock(action_point, expected_version)
    new_status = status if status is not None else current.status
    new_progress = progress if progress is not None else current.progress
    if new_status == ActionPointStatus.COMPLETED:
        new_progress = 100
    if (
        new_status == current.status
        and new_progress == current.progress
        and not note
        and not evidence_url
    ):
        raise ValidationError(
            {
                NON_FIELD_ERRORS: ValidationError(
                    _(
                        "Nothing to record: change the status or progress, "
                        "or add a note or evidence link."
                    ),
                    code="no_change",
                )
            }
        )

    completing = (
        new_status == ActionPointStatus.COMPLETED and current.status != ActionPointStatus.COMPLETED
    )
    reopening = (
        current.status == ActionPointStatus.COMPLETED and new_status != ActionPointStatus.COMPLETED
    )
    if completing and not note:
        raise ValidationError(
            {
                "note": ValidationError(
                    _("Say what was done: a note is required to complete an action point."),
                    code="completion_note_required",
                )
            }
        )

    update = ProgressUpdate(
        action_point=current,
        author=author,
        reported_by=reported_by,
        previous_status=current.status,
        previous_progress=current.progress,
        status=new_status,
        progress=new_progress,
        note=note,
        evidence_url=evidence_url,
    )
    save_checked(update, author)

    current.status = new_status
    current.progress = new_progress
    fields = ["status", "progress"]
    if completing or reopening:
        # Verified only while completed (a database constraint): a new completion
        # waits for a new verification.
        current.completed_by = author if completing else None
        current.completed_at = timezone.now() if completing else None
        current.verified_by = None
        current.verified_at = None
        fields += ["completed_by", "completed_at", "verified_by", "verified_at"]
    save_point(current, author, fields, caller=action_point)
    signals.progress_recorded.send(sender=ProgressUpdate, update=update, user=author)
    if completing:
        signals.action_point_completed.send(sender=ProgressUpdate, update=update, user=author)
    return update


@transaction.atomic
def action_point_reschedule(
    *,
    action_point: ActionPoint,
    new_deadline: str,
    reason: str,
    changed_by: User | None,
    expected_version: int | None = None,
) -> DeadlineChange:
    """Move a deadline and record the move: old and new words and dates, who, why."""
    new_deadline = check_text(
        new_deadline, field="deadline", label=_("Deadline"), required=False, max_length=100
    )
    reason = check_text(reason, field="reason", label=_("Reason"), required=True, max_length=2000)
    parsed = derive_deadline(new_deadline, keep_unreadable=False)
    require_open_plan_of(action_point)
    current = lock(action_point, expected_version)
    if new_deadline == current.deadline:
        raise ValidationError(
            {"deadline": _('The deadline is already "%(deadline)s".') % {"deadline": new_deadline}}
        )

    change = DeadlineChange(
        action_point=current,
        old_deadline=current.deadline,
        old_due_date=current.due_date,
        new_deadline=new_deadline,
        new_due_date=parsed.due_date,
        changed_by=changed_by,
        reason=reason,
    )
    save_checked(change, changed_by)

    current.deadline = new_deadline
    current.due_date = parsed.due_date
    current.deadline_precision = parsed.precision
    save_point(
        current, changed_by, ["deadline", "due_date", "deadline_precision"], caller=action_point
    )
    signals.action_point_rescheduled.send(sender=DeadlineChange, change=change, user=changed_by)
    return change
