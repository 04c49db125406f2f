"""Deadline extension requests: a member asks for more time, a coordinator decides.

Asking is open to whoever may update the action point (permissions.
can_update_action_point), while its plan is open and the point is neither
completed nor cancelled. The new deadline is read as people write it, by the
same parser as everywhere. One request per action point waits at a time.

Approving moves the deadline through action_point_reschedule, which records a
DeadlineChange kept on the request; declining needs a note. Each step sends
its signal (extension_requested, extension_decided) inside the transaction,
and the notifications app tells the other side.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from actionplans import signals
from actionplans.choices import ActionPointStatus
from actionplans.models import ActionPoint, ExtensionRequest
from actionplans.permissions import can_edit_plan, can_update_action_point
from actionplans.services.common import (
    User,
    check_text,
    derive_deadline,
    lock,
    require_open_plan_of,
    save_checked,
)
from actionplans.services.updates import action_point_reschedule
from orgs.services import normalize_name
from pim_tracker.text import isolate

MAX_REASON_LENGTH = 2000
MAX_NOTE_LENGTH = 2000
# The reason the DeadlineChange records has this many characters at most.
MAX_CHANGE_REASON = 2000
CLOSED_STATUSES = (ActionPointStatus.COMPLETED, ActionPointStatus.CANCELLED)


def _requester_name(user: User | None) -> str:
    if user is None:
        return _("someone")
    person = getattr(user, "person", None)
    return person.name if person is not None else user.get_username()


def _require_live_point(point: ActionPoint) -> None:
    if point.status in CLOSED_STATUSES:
        raise ValidationError(
            _("This action point is %(status)s: its deadline no longer needs more time.")
            % {"status": ActionPointStatus(point.status).label.lower()},
            code="point_closed",
        )


def extension_request_create(
    *, action_point: ActionPoint, user: User, new_deadline: str, reason: str
) -> ExtensionRequest:
    """Ask for a new deadline on an action point, saying why.

    PermissionDenied for someone who may not update the point; ValidationError
    for a closed plan, a completed or cancelled point, an unreadable or
    unchanged deadline, a missing reason, or a request already waiting.
    """
    if user is None or not can_update_action_point(user, action_point):
        raise PermissionDenied(
            _(
                "Only the plan's coordinators and this action point's group members "
                "and focal points can ask for more time."
            )
        )
    new_deadline = check_text(
        new_deadline,
        field="new_deadline",
        label=_("New deadline"),
        required=True,
        max_length=100,
    )
    reason = check_text(
        reason, field="reason", label=_("Reason"), required=True, max_length=MAX_REASON_LENGTH
    )
    parsed = derive_deadline(new_deadline, keep_unreadable=False, field="new_deadline")
    with transaction.atomic():
        require_open_plan_of(action_point)
        current = lock(action_point, None)  # one request at a time per action point
        _require_live_point(current)
        if normalize_name(new_deadline) == normalize_name(current.deadline):
            raise ValidationError(
                {"new_deadline": _("The deadline is already “%(d)s”.") % {"d": current.deadline}},
                code="unchanged",
            )
        waiting = ExtensionRequest.objects.filter(
            action_point=current, status=ExtensionRequest.Status.PENDING
        ).first()
        if waiting is not None:
            raise _already_waiting(waiting)
        request = ExtensionRequest(
            action_point=current,
            requested_by=user,
            current_deadline=current.deadline,
            new_deadline=new_deadline,
            new_due_date=parsed.due_date,
            reason=reason,
        )
        try:
            with transaction.atomic():
                save_checked(request, user)
        except IntegrityError:  # another request won the race despite the lock
            waiting = ExtensionRequest.objects.filter(
                action_point=current, status=ExtensionRequest.Status.PENDING
            ).first()
            raise _already_waiting(waiting) from None
        signals.extension_requested.send(sender=ExtensionRequest, request=request)
    return request


def _already_waiting(waiting: ExtensionRequest | None) -> ValidationError:
    if waiting is None:
        return ValidationError(
            _("A request for this action point is already waiting for a decision."),
            code="pending_exists",
        )
    return ValidationError(
        _(
            "A request to move this deadline to “%(new)s” (asked by %(who)s) is already "
            "waiting for a decision."
        )
        % {"new": waiting.new_deadline, "who": isolate(_requester_name(waiting.requested_by))},
        code="pending_exists",
    )


def _change_reason(request: ExtensionRequest, note: str) -> str:
    text = _("Extension asked by %(who)s: %(reason)s") % {
        "who": isolate(_requester_name(request.requested_by)),
        "reason": request.reason,
    }
    if note:
        text = f"{text}\n{_('Decision')}: {note}"
    if len(text) > MAX_CHANGE_REASON:
        text = text[: MAX_CHANGE_REASON - 1] + "…"
    return text


def extension_request_decide(
    *, request: ExtensionRequest, user: User, approve: bool, note: str = ""
) -> ExtensionRequest:
    """Approve (the deadline moves, a DeadlineChange is recorded and kept on the
    request) or decline (a note is required) a waiting request.

    Only the plan's coordinators and administrators decide. When the deadline
    already reads as asked (a coordinator moved it meanwhile), approving
    records the decision without a second change.
    """
    point = request.action_point
    plan = point.challenge.working_group.plan
    if user is None or not can_edit_plan(user, plan):
        raise PermissionDenied(_("Only the plan's coordinators can decide on extension requests."))
    note = check_text(
        note, field="note", label=_("Note"), required=False, max_length=MAX_NOTE_LENGTH
    )
    if not approve and not note:
        raise ValidationError(
            {"note": _("Say why you decline: the note goes to the person who asked.")},
            code="note_required",
        )
    with transaction.atomic():
        require_open_plan_of(point)
        current = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
        if current.status != ExtensionRequest.Status.PENDING:
            raise ValidationError(
                _("This request was %(status)s already.")
                % {"status": current.get_status_display().lower()},
                code="decided",
            )
        change = None
        if approve:
            point.refresh_from_db(fields=["deadline"])
            if current.new_deadline != point.deadline:
                change = action_point_reschedule(
                    action_point=point,
                    new_deadline=current.new_deadline,
                    reason=_change_reason(current, note),
                    changed_by=user,
                )
        current.status = (
            ExtensionRequest.Status.APPROVED if approve else ExtensionRequest.Status.DECLINED
        )
        current.decided_by = user
        current.decided_at = timezone.now()
        current.decision_note = note
        current.deadline_change = change
        save_checked(current, user)
        signals.extension_decided.send(sender=ExtensionRequest, request=current)
    for field in ExtensionRequest._meta.concrete_fields:
        setattr(request, field.attname, getattr(current, field.attname))
    request.deadline_change = change
    return request
