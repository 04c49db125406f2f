"""Action points: what they say, where they sit, who carries them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from actionplans import signals
from actionplans.choices import ActionPointStatus, FocalPointRole
from actionplans.models import ActionPoint, Challenge, FocalPoint
from actionplans.services.common import (
    User,
    check_progress,
    check_status,
    check_text,
    derive_deadline,
    lock,
    next_number,
    require_open,
    require_open_plan_of,
    save_checked,
    save_point,
)
from actionplans.services.namings import record_namings
from actionplans.services.updates import action_point_reschedule
from orgs.models import Person
from pim_tracker.characters import normalise_newlines
from pim_tracker.text import isolate


@dataclass(frozen=True)
class FocalPointAssignment:
    """One person's part in an action point."""

    person: Person
    role: str = FocalPointRole.LEAD
    note: str = ""


@transaction.atomic
def action_point_create(
    *,
    challenge: Challenge,
    description: str,
    deadline: str = "",
    position: int | None = None,
    status: str = ActionPointStatus.NOT_STARTED,
    progress: int | None = None,
    focal_points: Sequence[FocalPointAssignment] = (),
    created_by: User | None = None,
    keep_unreadable_deadline: bool = False,
) -> ActionPoint:
    """Add an action point under a challenge, at the end unless a position is given.

    keep_unreadable_deadline keeps text the parser cannot read as an undated
    deadline; only an import whose user ticked that option passes True.
    """
    require_open(challenge.working_group.plan)
    description = check_text(
        description, field="description", label=_("Description"), required=True, max_length=5000
    )
    deadline = check_text(
        deadline, field="deadline", label=_("Deadline"), required=False, max_length=100
    )
    parsed = derive_deadline(deadline, keep_unreadable=keep_unreadable_deadline)
    check_status(status)
    if progress is None:
        progress = 100 if status == ActionPointStatus.COMPLETED else 0
    progress = check_progress(progress)
    if status == ActionPointStatus.COMPLETED:
        progress = 100
    action_point = ActionPoint(
        challenge=challenge,
        position=position
        if position is not None
        else next_number(challenge.action_points, "position"),
        description=description,
        deadline=deadline,
        deadline_precision=parsed.precision,
        due_date=parsed.due_date,
        status=status,
        progress=progress,
    )
    check_assignments(focal_points)
    save_checked(action_point, created_by)
    _write_focal_points(action_point, focal_points, created_by)
    signals.action_point_created.send(
        sender=ActionPoint, action_point=action_point, user=created_by
    )
    return action_point


@transaction.atomic
def action_point_update(
    *,
    action_point: ActionPoint,
    user: User | None,
    description: str | None = None,
    position: int | None = None,
    challenge: Challenge | None = None,
    expected_version: int | None = None,
) -> ActionPoint:
    """Edit what an action point says and where it sits.

    Status and progress change through progress_update_create, the deadline
    through action_point_reschedule: both are recorded events.
    """
    require_open_plan_of(action_point)
    current = lock(action_point, expected_version)
    changed: list[str] = []
    if description is not None:
        description = check_text(
            description, field="description", label=_("Description"), required=True, max_length=5000
        )
        # An unchanged text changes nothing: saving an untouched form does not bump
        # the version (which would show others a conflict with nothing in it).
        if description != current.description:
            current.description = description
            changed.append("description")
    if challenge is not None and challenge.pk != current.challenge_id:
        if challenge.working_group.plan_id != current.challenge.working_group.plan_id:
            raise ValidationError({"challenge": _("An action point cannot move to another plan.")})
        current.challenge = challenge
        changed.append("challenge")
        if position is None:
            position = next_number(challenge.action_points, "position")
    if position is not None and position != current.position:
        current.position = position
        changed.append("position")
    if not changed:
        return action_point
    current.full_clean()
    save_point(current, user, changed, caller=action_point)
    return current


@transaction.atomic
def action_point_edit(
    *,
    action_point: ActionPoint,
    user: User | None,
    description: str | None = None,
    position: int | None = None,
    challenge: Challenge | None = None,
    deadline: str | None = None,
    deadline_reason: str = "",
    focal_points: Sequence[FocalPointAssignment] | None = None,
    expected_version: int | None = None,
) -> ActionPoint:
    """A coordinator's edit of an action point, all or nothing: what it says, where it
    sits, its deadline (a recorded move, which needs a reason) and its focal points.
    None leaves a part as it is."""
    action_point_update(
        action_point=action_point,
        user=user,
        description=description,
        position=position,
        challenge=challenge,
        expected_version=expected_version,
    )
    if deadline is not None and deadline.strip() != action_point.deadline:
        if not deadline_reason.strip():
            raise ValidationError(
                {
                    "deadline_reason": _(
                        "Say why the deadline moves: it is recorded with the change."
                    )
                }
            )
        action_point_reschedule(
            action_point=action_point,
            new_deadline=deadline,
            reason=deadline_reason,
            changed_by=user,
        )
    if focal_points is not None:
        focal_points_assign(action_point=action_point, assignments=focal_points, user=user)
    return action_point


# Translated only if a message shows them: an import checks tens of thousands.
_focal_point_where = lazy(lambda number: _("Focal point %(number)s") % {"number": number}, str)
_focal_point_note = lazy(lambda where: _("%(where)s note") % {"where": where}, str)
_ROLES = FocalPointRole.values  # (an enum's values are built anew at each reading)


def check_assignments(assignments: Sequence[FocalPointAssignment]) -> None:
    seen: set[int] = set()
    roles = _ROLES
    for index, assignment in enumerate(assignments):
        where = _focal_point_where(index + 1)
        if assignment.person.pk is None:
            raise ValidationError(
                {"focal_points": _("%(where)s: the person is not saved.") % {"where": where}}
            )
        if assignment.person.pk in seen:
            raise ValidationError(
                {
                    "focal_points": _("%(where)s: %(name)s is listed twice.")
                    % {"where": where, "name": isolate(assignment.person.name)}
                }
            )
        seen.add(assignment.person.pk)
        if assignment.role not in roles:
            allowed = ", ".join(roles)
            raise ValidationError(
                {
                    "focal_points": _(
                        '%(where)s: unknown role "%(role)s". Use one of: %(allowed)s.'
                    )
                    % {"where": where, "role": assignment.role, "allowed": allowed}
                }
            )
        check_text(
            assignment.note,
            field="focal_points",
            label=_focal_point_note(where),
            required=False,
            max_length=200,
        )


def _write_focal_points(
    action_point: ActionPoint, assignments: Sequence[FocalPointAssignment], user: User | None
) -> tuple[list[FocalPoint], bool]:
    """Bring the focal point rows in line with the assignments; say whether any changed."""
    wanted = {assignment.person.pk for assignment in assignments}
    existing = {fp.person_id: fp for fp in action_point.focal_points.all()}
    changed = False
    for person_id, focal_point in existing.items():
        if person_id not in wanted:
            focal_point._history_user = user
            focal_point.delete()
            changed = True
    result: list[FocalPoint] = []
    for assignment in assignments:
        note = normalise_newlines(assignment.note).strip()  # as check_text stores text
        focal_point = existing.get(assignment.person.pk)
        named = focal_point is None
        if named:
            focal_point = FocalPoint(action_point=action_point, person=assignment.person)
        elif focal_point.role == assignment.role and focal_point.note == note:
            result.append(focal_point)
            continue
        focal_point.role = assignment.role
        focal_point.note = note
        focal_point._history_user = user
        focal_point.save()
        if named:
            record_namings(action_point.challenge.working_group.plan_id, [assignment.person.pk])
            signals.focal_point_named.send(
                sender=FocalPoint, action_point=action_point, person=assignment.person, user=user
            )
        result.append(focal_point)
        changed = True
    return result, changed


@transaction.atomic
def focal_points_assign(
    *,
    action_point: ActionPoint,
    assignments: Sequence[FocalPointAssignment],
    user: User | None = None,
    expected_version: int | None = None,
) -> list[FocalPoint]:
    """Make the action point's focal points exactly these people in these roles.

    People no longer listed are removed, roles and notes of the others updated.
    """
    check_assignments(assignments)
    require_open_plan_of(action_point)
    current = lock(action_point, expected_version)
    result, changed = _write_focal_points(current, assignments, user)
    if changed:
        save_point(current, user, [], caller=action_point)
    # The caller's copy may hold a prefetched list (with_focal_points): now stale.
    action_point.__dict__.pop("prefetched_focal_points", None)
    return result


@transaction.atomic
def action_point_delete(*, action_point: ActionPoint, user: User | None) -> None:
    """Delete an action point with its focal points, updates and deadline changes;
    the history keeps them."""
    require_open_plan_of(action_point)
    signals.action_point_deleted.send(
        sender=ActionPoint,
        action_point_id=action_point.pk,
        plan_id=action_point.challenge.working_group.plan_id,
        challenge_id=action_point.challenge_id,
        user=user,
    )
    action_point._history_user = user
    action_point.delete()
