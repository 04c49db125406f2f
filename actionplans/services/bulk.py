"""Bulk edit: one change applied to several action points of a plan, all or nothing.

A coordinator selects action points in the plan table and sets their status, adds
a focal point, adds or removes PIM categories and principles, sets the PIM process
step or the priority, or moves their deadlines (to one new deadline, or by a number
of months) with one reason.

One home for the rules: `bulk_edit_preview` builds the list of changes (`BulkEdit`:
for each action point, each field's old and new value, and the errors) without
writing anything; `BulkEdit.apply` executes that list through the per-point
services (progress_update_create, action_point_reschedule, focal_points_assign,
action_point_classify) in one transaction, so every action point gets its own
history entries under the same rules as a change made one by one. The preview page
shows the list; `action_points_bulk_edit` is preview then apply. Any error, found
while planning or raised by a service while applying, leaves the database untouched
and names the action point ("1.2.3 …") and the field.
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from actionplans.choices import (
    ActionPointStatus,
    DeadlinePrecision,
    FocalPointRole,
    PimCategory,
    PimPrinciple,
    PimProcessStep,
    Priority,
)
from actionplans.models import ActionPlan, ActionPoint, with_focal_points, with_pim_tags
from actionplans.permissions import can_bulk_edit, visible_people
from actionplans.services.action_points import FocalPointAssignment, focal_points_assign
from actionplans.services.classification import (
    action_point_classify,
    check_choice,
    check_slugs,
)
from actionplans.services.common import User, check_status, check_text, derive_deadline
from actionplans.services.updates import (
    MAX_NOTE_LENGTH,
    _check_evidence_url,
    action_point_reschedule,
    progress_update_create,
)
from orgs.models import Person
from pim_tracker.text import isolate

MAX_SHIFT_MONTHS = 120


@dataclass(frozen=True)
class BulkChanges:
    """What to change on every selected action point; None (or empty) leaves a part
    as it is.

    status: a status slug; note and evidence_url go with it ("what was done": the
    note is required when the status becomes completed).
    focal_person/focal_role: a person to add as a focal point in that role (a point
    where they have that role already is left as it is; another role is changed).
    pim_process_step: a step's slug, or "" to clear it.
    deadline: one new deadline for all; shift_months: move each dated deadline by
    that many months, keeping its precision. Either needs the reason.
    """

    status: str | None = None
    note: str = ""
    evidence_url: str = ""
    focal_person: Person | None = None
    focal_role: str = FocalPointRole.LEAD
    add_categories: tuple[str, ...] = ()
    remove_categories: tuple[str, ...] = ()
    add_principles: tuple[str, ...] = ()
    remove_principles: tuple[str, ...] = ()
    pim_process_step: str | None = None
    priority: str | None = None
    deadline: str | None = None
    shift_months: int | None = None
    reason: str = ""

    @property
    def moves_deadlines(self) -> bool:
        return self.deadline is not None or self.shift_months is not None

    @property
    def is_empty(self) -> bool:
        return not (
            self.status is not None
            or self.focal_person is not None
            or self.add_categories
            or self.remove_categories
            or self.add_principles
            or self.remove_principles
            or self.pim_process_step is not None
            or self.priority is not None
            or self.moves_deadlines
        )


@dataclass
class BulkRow:
    """One field of one action point in the preview: its value now and after."""

    field: str
    label: str
    old: str
    new: str
    note: str = ""  # why nothing changes where that needs saying ("no date to move")

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass
class BulkPoint:
    """One selected action point: the preview's rows, its errors, and the calls to make."""

    action_point: ActionPoint
    number: str
    rows: list[BulkRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    status: str | None = None
    new_deadline: str | None = None
    assignments: list[FocalPointAssignment] | None = None
    classify: dict = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(row.changed for row in self.rows)


@dataclass
class BulkEdit:
    """The planned change of every selected action point (bulk_edit_preview)."""

    plan: ActionPlan
    user: User
    changes: BulkChanges
    points: list[BulkPoint] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # of the whole change
    expected_versions: dict[int, int] = field(default_factory=dict)

    @property
    def all_errors(self) -> list[str]:
        return self.errors + [error for point in self.points for error in point.errors]

    @property
    def ok(self) -> bool:
        return not self.all_errors

    @property
    def changed_points(self) -> list[BulkPoint]:
        return [point for point in self.points if point.changed]

    @transaction.atomic
    def apply(self) -> int:
        """Write the planned changes through the per-point services, in one
        transaction; return how many action points changed. Raises ValidationError
        (nothing written) if the plan has errors or a service refuses a change."""
        if not self.ok:
            raise ValidationError(self.all_errors)
        for point in self.changed_points:
            self._apply_point(point)
        return len(self.changed_points)

    def _apply_point(self, point: BulkPoint) -> None:
        """One action point's calls, each a service that records its own history."""
        changes, user = self.changes, self.user
        calls: list[tuple[str, object, dict]] = []
        if point.classify:
            calls.append(
                (
                    next(iter(point.classify)),
                    action_point_classify,
                    {"user": user, **point.classify},
                )
            )
        if point.assignments is not None:
            calls.append(
                (
                    "focal_points",
                    focal_points_assign,
                    {"assignments": point.assignments, "user": user},
                )
            )
        if point.new_deadline is not None:
            calls.append(
                (
                    "deadline",
                    action_point_reschedule,
                    {
                        "new_deadline": point.new_deadline,
                        "reason": changes.reason,
                        "changed_by": user,
                    },
                )
            )
        if point.status is not None:
            calls.append(
                (
                    "status",
                    progress_update_create,
                    {
                        "author": user,
                        "status": point.status,
                        "note": changes.note,
                        "evidence_url": changes.evidence_url,
                    },
                )
            )
        # The version the preview was read at is checked before the point's first change.
        version = self.expected_versions.get(point.action_point.pk)
        for field_name, service, kwargs in calls:
            try:
                service(action_point=point.action_point, expected_version=version, **kwargs)
            except ValidationError as error:
                raise ValidationError(_point_errors(point, field_name, error)) from None
            version = None


# --- labels and values as the preview shows them ------------------------------------


def _labels() -> dict[str, str]:
    return {
        "status": _("Status"),
        "note": _("What was done"),
        "evidence_url": _("Evidence link"),
        "focal_points": _("Focal points"),
        "pim_categories": _("PIM categories"),
        "pim_principles": _("PIM principles"),
        "pim_process_step": _("PIM process step"),
        "priority": _("Priority"),
        "deadline": _("Deadline"),
        "shift_months": _("Move by months"),
        "reason": _("Reason"),
        "action_points": _("Action points"),
        NON_FIELD_ERRORS: "",
    }


def number_of(action_point: ActionPoint) -> str:
    """The action point's number as the plan writes it: group.challenge.position."""
    challenge = action_point.challenge
    return f"{challenge.working_group.number}.{challenge.number}.{action_point.position}"


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "…"


def _point_errors(point: BulkPoint, field_name: str, error: ValidationError) -> list[str]:
    """Each message of a service's error, naming the action point and the field."""
    labels = _labels()
    return [
        _("Action point %(number)s “%(text)s”: %(field)s: %(message)s")
        % {
            "number": point.number,
            "text": isolate(_short(point.action_point.description)),
            "field": labels.get(name, name) or labels[field_name],
            "message": message,
        }
        for name, message in _pairs(error, field_name)
    ]


def _pairs(error: ValidationError, field_name: str) -> list[tuple[str, str]]:
    """(field, message) of each message of an error; `field_name` when it names none."""
    if hasattr(error, "error_dict"):
        return [
            (name, message) for name, messages in error.message_dict.items() for message in messages
        ]
    return [(field_name, message) for message in error.messages]


def _field_errors(error: ValidationError, field_name: str) -> list[str]:
    """A validation error of the change itself (not of one point), its field named."""
    labels = _labels()
    return [
        _("%(field)s: %(message)s")
        % {"field": labels.get(name, name) or labels[field_name], "message": message}
        for name, message in _pairs(error, field_name)
    ]


def _choice_labels(choices, slugs: Iterable[str]) -> str:
    labels = dict(choices.choices)
    return ", ".join(str(labels[slug]) for slug in slugs) or "—"


def _focal_points_text(assignments: Sequence[FocalPointAssignment]) -> str:
    roles = dict(FocalPointRole.choices)
    return "; ".join(f"{a.person.name} ({roles[a.role]})" for a in assignments) or "—"


# --- moving a deadline by months, keeping its precision --------------------------------

_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_ISO_DAY = re.compile(r"\s*\d{4}-\d{1,2}-\d{1,2}\s*")
_NUMERIC_DAY = re.compile(r"\s*\d{1,2}([/.-])\d{1,2}\1\d{4}\s*")
_NUMERIC_MONTH = re.compile(r"\s*\d{1,2}([/.])\d{4}\s*")
_ISO_MONTH = re.compile(r"\s*\d{4}-\d{1,2}\s*")
_ABBREVIATED_MONTH = re.compile(r"\s*[A-Za-z]{3}\.?[ ,-]+\d{4}\s*")
# Periods of several months move by whole periods: the months in each.
_PERIOD_MONTHS = {
    DeadlinePrecision.QUARTER: 3,
    DeadlinePrecision.HALF: 6,
    DeadlinePrecision.YEAR: 12,
}


def _add_months(day: datetime.date, months: int, *, last_day: bool) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    length = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, length if last_day else min(day.day, length))


def shifted_deadline(action_point: ActionPoint, months: int) -> str:
    """The action point's deadline moved by `months`, at its precision, written the
    way its deadline is written where that is a common form ("15/03/2027",
    "2027-03-15", "March 2027", "Mar 2027", "03/2027", "T1 2027", "S1 2027"), else in
    the plan's English forms ("2027-03-15", "March 2027", "Q1 2027", "H1 2027",
    "2027"). A range ("Q1-Q2 2027") is written as its last period moved. Raises
    ValidationError when the point has no date or the months are not whole periods
    of its precision (a quarter moves by 3, 6, ... months)."""
    precision, due, text = (
        action_point.deadline_precision,
        action_point.due_date,
        action_point.deadline,
    )
    if precision == DeadlinePrecision.NONE or due is None:
        raise ValidationError(_("It has no date to move."), code="undated")
    period = _PERIOD_MONTHS.get(precision, 1)
    if months % period:
        raise ValidationError(
            _(
                "“%(deadline)s” is a %(precision)s: it moves by whole periods of "
                "%(period)s months, not by %(months)s."
            )
            % {
                "deadline": isolate(text),
                "precision": DeadlinePrecision(precision).label.lower(),
                "period": period,
                "months": months,
            },
            code="shift_precision",
        )
    new = _add_months(due, months, last_day=precision != DeadlinePrecision.DAY)
    stripped = text.strip()
    if precision == DeadlinePrecision.DAY:
        if separator := _NUMERIC_DAY.fullmatch(text):
            sep = separator.group(1)
            result = f"{new.day:02d}{sep}{new.month:02d}{sep}{new.year}"
        elif re.search(r"[A-Za-z]", stripped) and not _ISO_DAY.fullmatch(text):
            result = f"{new.day} {_MONTH_NAMES[new.month - 1]} {new.year}"
        else:
            result = new.isoformat()
    elif precision == DeadlinePrecision.MONTH:
        if match := _NUMERIC_MONTH.fullmatch(text):
            result = f"{new.month:02d}{match.group(1)}{new.year}"
        elif _ISO_MONTH.fullmatch(text):
            result = f"{new.year}-{new.month:02d}"
        elif _ABBREVIATED_MONTH.fullmatch(text):
            result = f"{_MONTH_NAMES[new.month - 1][:3]} {new.year}"
        else:
            result = f"{_MONTH_NAMES[new.month - 1]} {new.year}"
    elif precision == DeadlinePrecision.QUARTER:
        letter = "T" if stripped[:1] in "Tt" else "Q"
        result = f"{letter}{(new.month - 1) // 3 + 1} {new.year}"
    elif precision == DeadlinePrecision.HALF:
        letter = "S" if stripped[:1] in "Ss" else "H"
        result = f"{letter}{(new.month - 1) // 6 + 1} {new.year}"
    else:
        result = str(new.year)
    # What is written must read back as the date meant (and within the years a
    # deadline may have): the parser is the judge.
    parsed = derive_deadline(result, keep_unreadable=False)
    if parsed.due_date != new or parsed.precision != precision:  # pragma: no cover - a bug
        raise ValidationError(_("Cannot write the moved deadline."), code="shift_unwritable")
    return result


# --- the planner --------------------------------------------------------------------


def _check_changes(user: User, changes: BulkChanges) -> tuple[BulkChanges, list[str]]:
    """The change with its texts cleaned, and the errors of the change itself."""
    errors: list[str] = []
    cleaned: dict = {}

    def check(field_name: str, function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except ValidationError as error:
            errors.extend(_field_errors(error, field_name))
            return None

    if changes.is_empty:
        errors.append(_("Choose at least one change to make."))
    if changes.status is not None:
        check("status", check_status, changes.status)
        note = check(
            "note",
            check_text,
            changes.note,
            field="note",
            label=_("Note"),
            required=False,
            max_length=MAX_NOTE_LENGTH,
        )
        cleaned["note"] = note or ""
        cleaned["evidence_url"] = (
            check("evidence_url", _check_evidence_url, changes.evidence_url) or ""
        )
        if changes.status == ActionPointStatus.COMPLETED and note == "":
            errors.append(
                _("%(field)s: %(message)s")
                % {
                    "field": _("What was done"),
                    "message": _(
                        "Say what was done: a note is required to complete an action point."
                    ),
                }
            )
    if changes.focal_person is not None:
        if changes.focal_role not in FocalPointRole.values:
            check(
                "focal_points",
                check_choice,
                "focal_points",
                changes.focal_role,
                FocalPointRole.values,
                blank=False,
            )
        elif not visible_people(user).filter(pk=changes.focal_person.pk).exists():
            errors.append(
                _("%(field)s: %(message)s")
                % {"field": _("Focal points"), "message": _("No such person.")}
            )
    for name, allowed in (
        ("add_categories", PimCategory.values),
        ("remove_categories", PimCategory.values),
        ("add_principles", PimPrinciple.values),
        ("remove_principles", PimPrinciple.values),
    ):
        target = "pim_categories" if "categories" in name else "pim_principles"
        cleaned[name] = tuple(
            check(target, check_slugs, target, getattr(changes, name), allowed) or ()
        )
    for added, removed, target in (
        ("add_categories", "remove_categories", "pim_categories"),
        ("add_principles", "remove_principles", "pim_principles"),
    ):
        both = set(cleaned[added]) & set(cleaned[removed])
        if both:
            errors.append(
                _("%(field)s: %(message)s")
                % {
                    "field": _labels()[target],
                    "message": _("Cannot add and remove the same tag: %(tags)s.")
                    % {"tags": ", ".join(sorted(both))},
                }
            )
    if changes.pim_process_step is not None:
        check(
            "pim_process_step",
            check_choice,
            "pim_process_step",
            changes.pim_process_step,
            PimProcessStep.values,
            blank=True,
        )
    if changes.priority is not None:
        check("priority", check_choice, "priority", changes.priority, Priority.values, blank=False)
    if changes.deadline is not None and changes.shift_months is not None:
        errors.append(
            _("%(field)s: %(message)s")
            % {
                "field": _("Deadline"),
                "message": _("Give a new deadline or a number of months, not both."),
            }
        )
    if changes.deadline is not None:
        deadline = check(
            "deadline",
            check_text,
            changes.deadline,
            field="deadline",
            label=_("Deadline"),
            required=False,
            max_length=100,
        )
        if deadline is not None:
            check("deadline", derive_deadline, deadline, keep_unreadable=False)
            cleaned["deadline"] = deadline
    if changes.shift_months is not None:
        months = changes.shift_months
        if (
            isinstance(months, bool)
            or not isinstance(months, int)
            or months == 0
            or (abs(months) > MAX_SHIFT_MONTHS)
        ):
            errors.append(
                _("%(field)s: %(message)s")
                % {
                    "field": _("Move by months"),
                    "message": _("Give a whole number of months from -%(most)s to %(most)s, not 0.")
                    % {"most": MAX_SHIFT_MONTHS},
                }
            )
    if changes.moves_deadlines:
        reason = check(
            "reason",
            check_text,
            changes.reason,
            field="reason",
            label=_("Reason"),
            required=True,
            max_length=2000,
        )
        cleaned["reason"] = reason or ""
    return _replace(changes, cleaned), errors


def _replace(changes: BulkChanges, cleaned: dict) -> BulkChanges:
    values = {name: getattr(changes, name) for name in BulkChanges.__dataclass_fields__}
    return BulkChanges(**(values | cleaned))


def _choice_row(point: BulkPoint, field: str, choices, old: str, new: str) -> bool:
    """Add the row of a field with fixed choices ("—" for none); whether it changes."""
    names = dict(choices.choices)
    point.rows.append(
        BulkRow(field, _labels()[field], str(names.get(old, "—")), str(names.get(new, "—")))
    )
    return old != new


def _plan_point(point: BulkPoint, changes: BulkChanges) -> None:
    """Fill in the rows and the calls of one action point."""
    labels = _labels()
    ap = point.action_point
    if (
        changes.status is not None
        and changes.status in ActionPointStatus.values
        and _choice_row(point, "status", ActionPointStatus, ap.status, changes.status)
    ):
        point.status = changes.status
    if changes.focal_person is not None and changes.focal_role in FocalPointRole.values:
        current = [
            FocalPointAssignment(person=fp.person, role=fp.role, note=fp.note)
            for fp in ap.focal_point_list
        ]
        wanted: list[FocalPointAssignment] = []
        found = False
        for assignment in current:
            if assignment.person.pk == changes.focal_person.pk:
                found = True
                assignment = FocalPointAssignment(
                    person=assignment.person, role=changes.focal_role, note=assignment.note
                )
            wanted.append(assignment)
        if not found:
            wanted.append(
                FocalPointAssignment(person=changes.focal_person, role=changes.focal_role)
            )
        row = BulkRow(
            "focal_points",
            labels["focal_points"],
            _focal_points_text(current),
            _focal_points_text(wanted),
        )
        point.rows.append(row)
        if row.changed:
            point.assignments = wanted
    for kind, choices, added, removed in (
        ("pim_categories", PimCategory, changes.add_categories, changes.remove_categories),
        ("pim_principles", PimPrinciple, changes.add_principles, changes.remove_principles),
    ):
        if not (added or removed):
            continue
        old = getattr(ap, kind)
        new = [
            slug
            for slug in choices.values
            if (slug in old or slug in added) and slug not in removed
        ]
        point.rows.append(
            BulkRow(kind, labels[kind], _choice_labels(choices, old), _choice_labels(choices, new))
        )
        if new != old:
            point.classify[kind] = new
    # A blank process step clears it; a priority must be one of the choices.
    for name, choices, new in (
        ("pim_process_step", PimProcessStep, changes.pim_process_step),
        ("priority", Priority, changes.priority),
    ):
        if (
            new is not None
            and (new in choices.values or name == "pim_process_step")
            and _choice_row(point, name, choices, getattr(ap, name), new)
        ):
            point.classify[name] = new
    if changes.deadline is not None:
        row = BulkRow("deadline", labels["deadline"], ap.deadline or "—", changes.deadline or "—")
        point.rows.append(row)
        if changes.deadline != ap.deadline:
            point.new_deadline = changes.deadline
    elif changes.shift_months:
        try:
            new_text = shifted_deadline(ap, changes.shift_months)
        except ValidationError as error:
            if error.code == "undated":
                point.rows.append(
                    BulkRow(
                        "deadline",
                        labels["deadline"],
                        ap.deadline or "—",
                        ap.deadline or "—",
                        note=_("Not movable: it has no date."),
                    )
                )
            else:
                point.errors.extend(_point_errors(point, "deadline", error))
        else:
            point.rows.append(BulkRow("deadline", labels["deadline"], ap.deadline or "—", new_text))
            point.new_deadline = new_text


def bulk_edit_preview(
    *,
    user: User,
    plan: ActionPlan,
    action_point_ids: Iterable[int],
    changes: BulkChanges,
    expected_versions: dict[int, int] | None = None,
) -> BulkEdit:
    """What the change would do to each selected action point, and its errors;
    nothing is written. Raises PermissionDenied for who may not bulk edit the plan
    (permissions.can_bulk_edit)."""
    if not can_bulk_edit(user, plan):
        raise PermissionDenied(
            _("Only the plan's coordinators can change several action points at once.")
        )
    changes, errors = _check_changes(user, changes)
    edit = BulkEdit(
        plan=plan,
        user=user,
        changes=changes,
        errors=errors,
        expected_versions=expected_versions or {},
    )
    if not plan.accepts_changes:
        edit.errors.insert(0, _("This plan is closed: reopen it before changing it."))
    ids = list(dict.fromkeys(action_point_ids))
    if not ids:
        edit.errors.append(_("Select at least one action point."))
        return edit
    points = {
        point.pk: point
        for point in ActionPoint.objects.of_plan(plan)
        .filter(pk__in=ids)
        .select_related("challenge__working_group")
        .prefetch_related(with_focal_points(), with_pim_tags())
    }
    missing = [str(pk) for pk in ids if pk not in points]
    if missing:
        edit.errors.append(
            _("Not action points of this plan: %(ids)s.") % {"ids": ", ".join(missing)}
        )
    ordered = sorted(
        points.values(),
        key=lambda ap: (ap.challenge.working_group.number, ap.challenge.number, ap.position),
    )
    for action_point in ordered:
        point = BulkPoint(action_point=action_point, number=number_of(action_point))
        _plan_point(point, changes)
        edit.points.append(point)
    if not edit.all_errors and not edit.changed_points:
        edit.errors.append(
            _("Nothing to change: the selected action points have these values already.")
        )
    return edit


def action_points_bulk_edit(
    *,
    user: User,
    plan: ActionPlan,
    action_point_ids: Iterable[int],
    changes: BulkChanges,
    expected_versions: dict[int, int] | None = None,
) -> BulkEdit:
    """Apply one change to several action points of a plan, all or nothing: the
    preview's change list, executed by BulkEdit.apply. Raises PermissionDenied, or
    ValidationError listing every error (each naming its action point and field)
    with nothing written."""
    with transaction.atomic():
        edit = bulk_edit_preview(
            user=user,
            plan=plan,
            action_point_ids=action_point_ids,
            changes=changes,
            expected_versions=expected_versions,
        )
        edit.apply()
    return edit
