"""What every service shares: input checks, the action point's row lock and
version, and the rule that a closed plan is read-only."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import Max, Model
from django.utils.translation import gettext as _

from actionplans import signals
from actionplans.choices import ActionPointStatus, DeadlinePrecision
from actionplans.models import ActionPlan, ActionPoint
from actionplans.parsing import ParsedDeadline, parse_deadline
from pim_tracker.characters import TextKind, check_characters

User = AbstractBaseUser  # type alias for annotations: any user model instance


class StaleVersionError(ValidationError):
    """Someone else saved the action point since the caller read it.

    Carries the current record so the caller can show what changed.
    """

    def __init__(self, current: ActionPoint) -> None:
        super().__init__(
            _(
                "Someone else changed this action point while you were editing it. "
                "Review their changes, then apply yours again."
            ),
            code="stale_version",
        )
        self.current = current


def derive_deadline(text: str, *, keep_unreadable: bool, field: str = "deadline") -> ParsedDeadline:
    """Parse the deadline, or keep it undated when the caller explicitly asks."""
    try:
        return parse_deadline(text)
    except ValidationError as error:
        if keep_unreadable:
            return ParsedDeadline(DeadlinePrecision.NONE, None)
        raise ValidationError({field: error.messages}) from None


_STATUSES = frozenset(ActionPointStatus.values)


def check_status(status: str) -> None:
    if status not in _STATUSES:
        allowed = ", ".join(ActionPointStatus.values)
        raise ValidationError(
            {
                "status": _('Unknown status "%(status)s". Use one of: %(allowed)s.')
                % {"status": status, "allowed": allowed}
            }
        )


def check_progress(progress: object) -> int:
    # bool is an int in Python; True must not pass as 1 %.
    if isinstance(progress, bool) or not isinstance(progress, int):
        raise ValidationError({"progress": _("Progress must be a whole number from 0 to 100.")})
    if not 0 <= progress <= 100:
        raise ValidationError(
            {
                "progress": _("Progress must be from 0 to 100, not %(progress)s.")
                % {"progress": progress}
            }
        )
    return progress


def check_text(
    value: str,
    *,
    field: str,
    label: str,
    required: bool,
    max_length: int,
    kind: TextKind = TextKind.TEXT,
) -> str:
    """The text to store, stripped, its line breaks as line feeds; or a ValidationError
    on `field` saying what is wrong. The characters it may hold depend on its
    `kind` (pim_tracker.characters: no control character in any text; no direction
    override in a name or a link; no invisible character in a link)."""
    if not isinstance(value, str):
        raise ValidationError({field: _("%(label)s must be text.") % {"label": label}})
    if "\x00" in value:
        raise ValidationError({field: _("%(label)s contains a NUL character.") % {"label": label}})
    value = check_characters(value, field=field, label=label, kind=kind).strip()
    if required and not value:
        raise ValidationError({field: _("%(label)s is required.") % {"label": label}})
    if len(value) > max_length:
        raise ValidationError(
            {
                field: _("%(label)s is %(length)s characters long; the most is %(most)s.")
                % {"label": label, "length": len(value), "most": max_length}
            }
        )
    return value


def lock(action_point: ActionPoint, expected_version: int | None) -> ActionPoint:
    """Re-read the row under a lock and check nobody saved since the caller read it.

    With its challenge, group and plan, which the receivers of the write's signals
    read (notifications, webhooks): one query instead of four. Only the action
    point's row is locked (`of`): a lock on the plan's row would make every write in
    the plan wait for the others."""
    current = (
        ActionPoint.objects.select_related("challenge__working_group__plan")
        .select_for_update(of=("self",))
        .get(pk=action_point.pk)
    )
    if expected_version is not None and current.version != expected_version:
        raise StaleVersionError(current)
    return current


def save_point(
    current: ActionPoint, user: User | None, fields: list[str], *, caller: ActionPoint
) -> None:
    """Save the locked copy with a new version and bring the caller's instance up to date."""
    # The row is locked by _lock, so a plain increment cannot race.
    current.version += 1
    current._history_user = user  # who made the change, for the history table
    current.save(update_fields=[*fields, "version", "updated"])
    signals.action_point_changed.send(sender=ActionPoint, action_point=current, user=user)
    if caller is not current:
        for field in ActionPoint._meta.concrete_fields:
            setattr(caller, field.attname, getattr(current, field.attname))


def next_number(queryset, field: str) -> int:
    return (queryset.aggregate(top=Max(field))["top"] or 0) + 1


def save_checked(instance: Model, user: User | None) -> None:
    """Check every field and constraint of the record, then save it, with who did
    it for the history tables."""
    instance.full_clean()
    instance._history_user = user
    instance.save()


def require_open(plan: ActionPlan) -> None:
    """A closed plan is read-only until it is reopened: nothing in it changes."""
    if not plan.accepts_changes:
        raise ValidationError(
            _("This plan is closed: reopen it before changing it."), code="plan_closed"
        )


def require_open_plan_of(action_point: ActionPoint) -> None:
    """require_open for the plan of an action point (read fresh: one small query)."""
    status = (
        ActionPlan.objects.filter(working_groups__challenges__action_points=action_point.pk)
        .values_list("status", flat=True)
        .first()
    )
    require_open(ActionPlan(status=status))
