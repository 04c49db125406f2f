"""State changes of action plans: one function per change, atomic and validating.

Views, the API and the importer all call these, so a rule holds the same way
whichever door a change comes through. Every function takes keyword
arguments only, validates before it writes, and raises
django.core.exceptions.ValidationError (with field names where they apply)
on bad input, leaving the database untouched.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.db.models.signals import m2m_changed
from simple_history.utils import bulk_create_with_history

from actionplans.choices import (
    ActionPointStatus,
    DeadlinePrecision,
    FocalPointRole,
    PlanStatus,
    PlanVisibility,
)
from actionplans.models import (
    ActionPlan,
    ActionPoint,
    Challenge,
    DeadlineChange,
    FocalPoint,
    ProgressUpdate,
    WorkingGroup,
)
from actionplans.parsing import ParsedDeadline, parse_deadline, parse_focal_points
from actionplans.selectors import plan_people, team_members_in_order
from actionplans.workshop import WorkshopTable
from orgs.models import Person
from orgs.services import (
    clean_name,
    normalize_name,
    organization_get_or_create,
    person_create,
)

User = AbstractBaseUser  # type alias for annotations: any user model instance

MAX_NOTE_LENGTH = 5000
_validate_url = URLValidator(schemes=["http", "https"])


class StaleVersionError(ValidationError):
    """Someone else saved the action point since the caller read it.

    Carries the current record so the caller can show what changed.
    """

    def __init__(self, current: ActionPoint) -> None:
        super().__init__(
            "Someone else changed this action point while you were editing it. "
            "Review their changes, then apply yours again.",
            code="stale_version",
        )
        self.current = current


@dataclass(frozen=True)
class FocalPointAssignment:
    """One person's part in an action point."""

    person: Person
    role: str = FocalPointRole.LEAD
    note: str = ""


# --- helpers ------------------------------------------------------------------


def _derive_deadline(
    text: str, *, keep_unreadable: bool, field: str = "deadline"
) -> ParsedDeadline:
    """Parse the deadline, or keep it undated when the caller explicitly asks."""
    try:
        return parse_deadline(text)
    except ValidationError as error:
        if keep_unreadable:
            return ParsedDeadline(DeadlinePrecision.NONE, None)
        raise ValidationError({field: error.messages}) from None


def _check_status(status: str) -> None:
    if status not in ActionPointStatus.values:
        allowed = ", ".join(ActionPointStatus.values)
        raise ValidationError({"status": f'Unknown status "{status}". Use one of: {allowed}.'})


def _check_progress(progress: object) -> int:
    # bool is an int in Python; True must not pass as 1 %.
    if isinstance(progress, bool) or not isinstance(progress, int):
        raise ValidationError({"progress": "Progress must be a whole number from 0 to 100."})
    if not 0 <= progress <= 100:
        raise ValidationError({"progress": f"Progress must be from 0 to 100, not {progress}."})
    return progress


def _check_text(value: str, *, field: str, label: str, required: bool, max_length: int) -> str:
    if not isinstance(value, str):
        raise ValidationError({field: f"{label} must be text."})
    if "\x00" in value:
        raise ValidationError({field: f"{label} contains a NUL character."})
    value = value.strip()
    if required and not value:
        raise ValidationError({field: f"{label} is required."})
    if len(value) > max_length:
        raise ValidationError(
            {field: f"{label} is {len(value)} characters long; the most is {max_length}."}
        )
    return value


def _lock(action_point: ActionPoint, expected_version: int | None) -> ActionPoint:
    """Re-read the row under a lock and check nobody saved since the caller read it."""
    current = ActionPoint.objects.select_for_update().get(pk=action_point.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleVersionError(current)
    return current


def _save(
    current: ActionPoint, user: User | None, fields: list[str], *, caller: ActionPoint
) -> None:
    """Save the locked copy with a new version and bring the caller's instance up to date."""
    # The row is locked by _lock, so a plain increment cannot race.
    current.version += 1
    current._history_user = user  # who made the change, for the history table
    current.save(update_fields=[*fields, "version", "updated"])
    if caller is not current:
        for field in ActionPoint._meta.concrete_fields:
            setattr(caller, field.attname, getattr(current, field.attname))


def _next_number(queryset, field: str) -> int:
    return (queryset.aggregate(top=Max(field))["top"] or 0) + 1


# --- plans, groups, challenges -------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    title: str,
    country: str = "",
    origin: str = "",
    status: str = PlanStatus.ACTIVE,
    visibility: str = PlanVisibility.MEMBERS,
    coordinators: Iterable[User] = (),
    created_by: User | None = None,
) -> ActionPlan:
    plan = ActionPlan(
        title=_check_text(title, field="title", label="Title", required=True, max_length=200),
        country=_check_text(
            country, field="country", label="Country", required=False, max_length=100
        ),
        origin=_check_text(origin, field="origin", label="Origin", required=False, max_length=300),
        status=status,
        visibility=visibility,
    )
    plan.full_clean()
    plan._history_user = created_by
    plan.save()
    plan.coordinators.set(list(coordinators))
    return plan


@transaction.atomic
def working_group_create(
    *,
    plan: ActionPlan,
    name: str,
    number: int | None = None,
    team_leader: Person | None = None,
    team_members: Iterable[Person] = (),
    created_by: User | None = None,
) -> WorkingGroup:
    group = WorkingGroup(
        plan=plan,
        number=number if number is not None else _next_number(plan.working_groups, "number"),
        name=_check_text(name, field="name", label="Name", required=True, max_length=200),
        team_leader=team_leader,
    )
    group.full_clean()
    group._history_user = created_by
    group.save()
    _set_team_members(group, team_members)
    return group


def _set_team_members(group: WorkingGroup, team_members: Iterable[Person]) -> None:
    """Keep the members in the order given: it is the order the plan lists them."""
    wanted = list(dict.fromkeys(team_members))
    through = WorkingGroup.team_members.through
    current = [row.person_id for row in through.objects.filter(workinggroup=group).order_by("id")]
    if current == [person.pk for person in wanted]:
        return
    # Rewritten in order (RelatedManager.add() goes through a set and loses
    # it), then one m2m_changed signal so the history records the new list once.
    through.objects.filter(workinggroup=group).delete()
    through.objects.bulk_create(through(workinggroup=group, person=p) for p in wanted)
    m2m_changed.send(
        sender=through,
        instance=group,
        action="post_add",
        reverse=False,
        model=Person,
        pk_set={person.pk for person in wanted},
        using=group._state.db,
    )


def _new_challenge(working_group: WorkingGroup, number: int, description: str) -> Challenge:
    """An unsaved challenge with its description checked."""
    return Challenge(
        working_group=working_group,
        number=number,
        description=_check_text(
            description, field="description", label="Description", required=True, max_length=5000
        ),
    )


@transaction.atomic
def challenge_create(
    *,
    working_group: WorkingGroup,
    description: str,
    number: int | None = None,
    created_by: User | None = None,
) -> Challenge:
    if number is None:
        number = _next_number(working_group.challenges, "number")
    challenge = _new_challenge(working_group, number, description)
    challenge.full_clean()
    challenge._history_user = created_by
    challenge.save()
    return challenge


@transaction.atomic
def plan_update(
    *,
    plan: ActionPlan,
    user: User | None,
    coordinators: Iterable[User] | None = None,
    **fields: object,
) -> ActionPlan:
    """Change a plan's own fields (title, country, origin, status, visibility) and
    its coordinators. A plan keeps at least one coordinator, so someone can run it."""
    allowed = {"title", "country", "origin", "status", "visibility"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(f"Cannot change {', '.join(sorted(unknown))} here.")
    for name, value in fields.items():
        setattr(plan, name, value.strip() if isinstance(value, str) else value)
    if coordinators is not None:
        coordinators = list(coordinators)
        if not coordinators:
            raise ValidationError({"coordinators": "A plan needs at least one coordinator."})
    plan.full_clean()
    plan._history_user = user
    plan.save()
    if coordinators is not None:
        plan.coordinators.set(coordinators)
    return plan


def plan_close(*, plan: ActionPlan, user: User | None) -> ActionPlan:
    """Close a plan: it stays readable, and its figures stop moving."""
    if plan.status == PlanStatus.CLOSED:
        raise ValidationError("This plan is already closed.", code="already_closed")
    return plan_update(plan=plan, user=user, status=PlanStatus.CLOSED)


@transaction.atomic
def plan_delete(*, plan: ActionPlan, user: User | None) -> None:
    """Delete a plan and everything in it; the history tables keep every deleted row.

    Rows deleted by the cascade are recorded with the request's user by
    HistoryRequestMiddleware.
    """
    plan._history_user = user
    plan.delete()


def _swap(a, b, field: str, user: User | None) -> None:
    """Swap two siblings' numbers without breaking the unique constraint midway.

    Both saves go through the model, so the history records the move (and an
    action point's version goes up like any other change).
    """
    model = type(a)
    originals = {a.pk: a, b.pk: b}
    a, b = (model.objects.select_for_update().get(pk=obj.pk) for obj in (a, b))
    first, second = getattr(a, field), getattr(b, field)
    top = model.objects.aggregate(top=Max(field))["top"] or 0
    model.objects.filter(pk=a.pk).update(**{field: top + 1})
    for obj, value in ((b, first), (a, second)):
        setattr(obj, field, value)
        fields = [field, "updated"]
        if isinstance(obj, ActionPoint):
            obj.version += 1
            fields.append("version")
        obj._history_user = user
        obj.save(update_fields=fields)
        for name in fields:  # the caller's instances stay current
            setattr(originals[obj.pk], name, getattr(obj, name))


@transaction.atomic
def sibling_move(
    *, obj: WorkingGroup | Challenge | ActionPoint, direction: str, user: User | None = None
) -> bool:
    """Move a group, challenge or action point one place up or down among its siblings.

    Returns False when it is already first or last.
    """
    if direction not in ("up", "down"):
        raise ValidationError({"direction": 'Direction must be "up" or "down".'})
    if isinstance(obj, WorkingGroup):
        siblings, field = WorkingGroup.objects.filter(plan_id=obj.plan_id), "number"
    elif isinstance(obj, Challenge):
        siblings, field = Challenge.objects.filter(working_group_id=obj.working_group_id), "number"
    else:
        siblings, field = ActionPoint.objects.filter(challenge_id=obj.challenge_id), "position"
    value = getattr(obj, field)
    if direction == "up":
        neighbour = siblings.filter(**{f"{field}__lt": value}).order_by(f"-{field}").first()
    else:
        neighbour = siblings.filter(**{f"{field}__gt": value}).order_by(field).first()
    if neighbour is None:
        return False
    _swap(obj, neighbour, field, user)
    return True


@transaction.atomic
def working_group_update(
    *,
    group: WorkingGroup,
    user: User | None,
    name: str,
    number: int,
    team_leader: Person | None,
    team_members: Iterable[Person],
) -> WorkingGroup:
    group.name = _check_text(name, field="name", label="Name", required=True, max_length=200)
    group.number = number
    group.team_leader = team_leader
    group.full_clean()
    group._history_user = user
    group.save()
    _set_team_members(group, team_members)
    return group


@transaction.atomic
def challenge_update(
    *, challenge: Challenge, user: User | None, description: str, number: int
) -> Challenge:
    challenge.description = _check_text(
        description, field="description", label="Description", required=True, max_length=5000
    )
    challenge.number = number
    challenge.full_clean()
    challenge._history_user = user
    challenge.save()
    return challenge


# --- action points -------------------------------------------------------------


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
    description = _check_text(
        description, field="description", label="Description", required=True, max_length=5000
    )
    deadline = _check_text(
        deadline, field="deadline", label="Deadline", required=False, max_length=100
    )
    parsed = _derive_deadline(deadline, keep_unreadable=keep_unreadable_deadline)
    _check_status(status)
    if progress is None:
        progress = 100 if status == ActionPointStatus.COMPLETED else 0
    progress = _check_progress(progress)
    if status == ActionPointStatus.COMPLETED:
        progress = 100
    action_point = ActionPoint(
        challenge=challenge,
        position=position
        if position is not None
        else _next_number(challenge.action_points, "position"),
        description=description,
        deadline=deadline,
        deadline_precision=parsed.precision,
        due_date=parsed.due_date,
        status=status,
        progress=progress,
    )
    _check_assignments(focal_points)
    action_point.full_clean()
    action_point._history_user = created_by
    action_point.save()
    _write_focal_points(action_point, focal_points, created_by)
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
    current = _lock(action_point, expected_version)
    changed: list[str] = []
    if description is not None:
        current.description = _check_text(
            description, field="description", label="Description", required=True, max_length=5000
        )
        changed.append("description")
    if challenge is not None and challenge.pk != current.challenge_id:
        if challenge.working_group.plan_id != current.challenge.working_group.plan_id:
            raise ValidationError({"challenge": "An action point cannot move to another plan."})
        current.challenge = challenge
        changed.append("challenge")
        if position is None:
            position = _next_number(challenge.action_points, "position")
    if position is not None:
        current.position = position
        changed.append("position")
    if not changed:
        return action_point
    current.full_clean()
    _save(current, user, changed, caller=action_point)
    return current


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
) -> ProgressUpdate:
    """Report on an action point: new status and progress, a note, evidence.

    Leaving status or progress out keeps the current value. Completing sets
    progress to 100 whatever was sent, as DOMAIN.md says; reopening a
    completed point is allowed and recorded like any other change.
    """
    note = _check_text(note, field="note", label="Note", required=False, max_length=MAX_NOTE_LENGTH)
    evidence_url = _check_text(
        evidence_url, field="evidence_url", label="Evidence link", required=False, max_length=500
    )
    if evidence_url:
        try:
            _validate_url(evidence_url)
        except ValidationError:
            raise ValidationError(
                {"evidence_url": f'"{evidence_url}" is not a web address (http:// or https://).'}
            ) from None
    if status is not None:
        _check_status(status)
    if progress is not None:
        _check_progress(progress)

    current = _lock(action_point, expected_version)
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
                    "Nothing to record: change the status or progress, "
                    "or add a note or evidence link.",
                    code="no_change",
                )
            }
        )

    update = ProgressUpdate(
        action_point=current,
        author=author,
        previous_status=current.status,
        previous_progress=current.progress,
        status=new_status,
        progress=new_progress,
        note=note,
        evidence_url=evidence_url,
    )
    update.full_clean()
    update._history_user = author
    update.save()

    current.status = new_status
    current.progress = new_progress
    _save(current, author, ["status", "progress"], caller=action_point)
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
    new_deadline = _check_text(
        new_deadline, field="deadline", label="Deadline", required=False, max_length=100
    )
    reason = _check_text(reason, field="reason", label="Reason", required=True, max_length=2000)
    parsed = _derive_deadline(new_deadline, keep_unreadable=False)
    current = _lock(action_point, expected_version)
    if new_deadline == current.deadline:
        raise ValidationError({"deadline": f'The deadline is already "{new_deadline}".'})

    change = DeadlineChange(
        action_point=current,
        old_deadline=current.deadline,
        old_due_date=current.due_date,
        new_deadline=new_deadline,
        new_due_date=parsed.due_date,
        changed_by=changed_by,
        reason=reason,
    )
    change.full_clean()
    change._history_user = changed_by
    change.save()

    current.deadline = new_deadline
    current.due_date = parsed.due_date
    current.deadline_precision = parsed.precision
    _save(current, changed_by, ["deadline", "due_date", "deadline_precision"], caller=action_point)
    return change


def _check_assignments(assignments: Sequence[FocalPointAssignment]) -> None:
    seen: set[int] = set()
    for index, assignment in enumerate(assignments):
        where = f"Focal point {index + 1}"
        if assignment.person.pk is None:
            raise ValidationError({"focal_points": f"{where}: the person is not saved."})
        if assignment.person.pk in seen:
            raise ValidationError(
                {"focal_points": f"{where}: {assignment.person.name} is listed twice."}
            )
        seen.add(assignment.person.pk)
        if assignment.role not in FocalPointRole.values:
            allowed = ", ".join(FocalPointRole.values)
            raise ValidationError(
                {
                    "focal_points": f'{where}: unknown role "{assignment.role}". '
                    f"Use one of: {allowed}."
                }
            )
        _check_text(
            assignment.note,
            field="focal_points",
            label=f"{where} note",
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
        note = assignment.note.strip()
        focal_point = existing.get(assignment.person.pk)
        if focal_point is None:
            focal_point = FocalPoint(action_point=action_point, person=assignment.person)
        elif focal_point.role == assignment.role and focal_point.note == note:
            result.append(focal_point)
            continue
        focal_point.role = assignment.role
        focal_point.note = note
        focal_point._history_user = user
        focal_point.save()
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
    _check_assignments(assignments)
    current = _lock(action_point, expected_version)
    result, changed = _write_focal_points(current, assignments, user)
    if changed:
        _save(current, user, [], caller=action_point)
    # The caller's copy may hold a prefetched list (with_focal_points): now stale.
    action_point.__dict__.pop("prefetched_focal_points", None)
    return result


# --- whole plans from a workshop table -----------------------------------------


class PlanPeople:
    """People of one plan by name, ignoring case and spacing; new names create people."""

    def __init__(self, plan: ActionPlan) -> None:
        self.by_name = {normalize_name(person.name): person for person in plan_people(plan=plan)}
        self.created = 0
        self._organizations: dict[str, object] = {}

    def _organization(self, name: str | None):
        if not name:
            return None
        if name not in self._organizations:
            self._organizations[name] = organization_get_or_create(name=name)
        return self._organizations[name]

    def prepare(self, entries: Iterable[tuple[str, str | None]], user: User | None = None) -> None:
        """Create every new person of a table at once (with their history rows):
        one by one, each costs a validation and two inserts."""
        new: dict[str, Person] = {}
        for name, organization in entries:
            key = normalize_name(name)
            name = clean_name(name)
            if key in self.by_name or key in new or not name or len(name) > 200:
                continue  # known, or left to get() and person_create's own checks
            new[key] = Person(name=name, organization=self._organization(organization))
        created = bulk_create_with_history(
            list(new.values()), Person, batch_size=1000, default_user=user
        )
        self.by_name.update(zip(new, created, strict=True))
        self.created += len(created)

    def get(self, name: str, organization: str | None = None) -> Person:
        key = normalize_name(name)
        person = self.by_name.get(key)
        org = self._organization(organization)
        if person is None:
            person = person_create(name=name, organization=org)
            self.by_name[key] = person
            self.created += 1
        elif org is not None and person.organization_id is None:
            person.organization = org
            person.save(update_fields=["organization", "updated"])
        return person


@dataclass
class ImportResult:
    """What an import created, and what it found already there."""

    plan: ActionPlan
    plan_created: bool
    groups: int = 0
    challenges: int = 0
    action_points: int = 0
    people: int = 0
    unchanged: int = 0


@transaction.atomic
def plan_import(
    *,
    table: WorkshopTable,
    plan: ActionPlan | None = None,
    title: str = "",
    country: str = "",
    origin: str = "",
    status: str = PlanStatus.ACTIVE,
    visibility: str = PlanVisibility.MEMBERS,
    coordinators: Iterable[User] = (),
    created_by: User | None = None,
    keep_unreadable_deadlines: bool = False,
) -> ImportResult:
    """Write a read table into a new plan, or into an existing one.

    All or nothing: a table with errors writes no row. Unreadable deadlines
    block the import unless keep_unreadable_deadlines is set. Importing the
    same table twice creates nothing the second time: groups and challenges
    are matched by number, action points by their text within the challenge,
    people by name within the plan.
    """
    errors = table.errors
    if keep_unreadable_deadlines:
        errors = [issue for issue in errors if issue.code != "invalid_deadline"]
    if errors:
        raise ValidationError([str(issue) for issue in errors], code="invalid_table")
    plan_created = plan is None
    if plan is None:
        title = clean_name(title or table.title)
        if not title:
            raise ValidationError({"title": "Give the new plan a title."})
        if ActionPlan.objects.filter(title__iexact=title).exists():
            raise ValidationError(
                {
                    "title": f"A plan titled “{title}” exists already: import into it instead, "
                    "so that nothing is duplicated."
                }
            )
        plan = plan_create(
            title=title,
            country=country,
            origin=origin,
            status=status,
            visibility=visibility,
            coordinators=coordinators,
            created_by=created_by,
        )
    result = ImportResult(plan=plan, plan_created=plan_created)
    # Each cell read once (it was twice: people first, then the action points).
    focal_entries = {
        id(point): parse_focal_points(point.focal_points)
        for block in table.groups
        for challenge in block.challenges
        for point in challenge.action_points
    }
    people = PlanPeople(plan)
    people.prepare(_table_people(table, focal_entries), created_by)
    pending: list[tuple[Challenge, object, list[FocalPointAssignment]]] = []
    new_challenges: list[Challenge] = []
    groups = {group.number: group for group in plan.working_groups.all()}
    for block in table.groups:
        leader = people.get(block.team_leader) if block.team_leader else None
        members = [people.get(name) for name in block.team_members]
        group = groups.get(block.number)
        if group is None:
            group = working_group_create(
                plan=plan,
                number=block.number,
                name=block.name,
                team_leader=leader,
                team_members=members,
                created_by=created_by,
            )
            result.groups += 1
        else:
            # Keep what is there; add who is new.
            current = team_members_in_order([group.pk])[group.pk]
            added = [p for p in members if p not in current]
            if added or (leader and group.team_leader_id is None):
                _set_team_members(group, current + added)
                if leader and group.team_leader_id is None:
                    group.team_leader = leader
                    group._history_user = created_by
                    group.save(update_fields=["team_leader", "updated"])
        challenges = {c.number: c for c in group.challenges.all()}
        for row in block.challenges:
            challenge = challenges.get(row.number)
            if challenge is None:
                # Created in bulk below, with the checks of challenge_create: the
                # number is unique here (the dict is keyed by it), 1 to 32767.
                if not 1 <= row.number <= 32767:
                    raise ValidationError(
                        {"number": f"Challenge number {row.number} is not between 1 and 32767."}
                    )
                challenge = _new_challenge(group, row.number, row.description)
                challenges[row.number] = challenge
                new_challenges.append(challenge)
                result.challenges += 1
                existing: set[str] = set()
            else:
                existing = {
                    normalize_name(text)
                    for text in challenge.action_points.values_list("description", flat=True)
                }
            for point in row.action_points:
                if normalize_name(point.description) in existing:
                    result.unchanged += 1
                    continue
                assignments = [
                    FocalPointAssignment(
                        person=people.get(entry.name, entry.organization),
                        role=entry.role,
                        note=entry.note,
                    )
                    for entry in focal_entries[id(point)]
                ]
                pending.append((challenge, point, assignments))
                existing.add(normalize_name(point.description))
    # One challenge_create per challenge cost ~12 ms (validation queries, history):
    # 1,657 challenges took 20 s of a 10,000-row import.
    bulk_create_with_history(new_challenges, Challenge, batch_size=1000, default_user=created_by)
    result.action_points = _bulk_create_points(
        pending, created_by=created_by, keep_unreadable=keep_unreadable_deadlines
    )
    result.people = people.created
    return result


def _table_people(
    table: WorkshopTable, focal_entries: dict[int, list]
) -> Iterator[tuple[str, str | None]]:
    """Every (name, organization) the table names, in the order it names them."""
    for block in table.groups:
        if block.team_leader:
            yield block.team_leader, None
        for name in block.team_members:
            yield name, None
        for challenge in block.challenges:
            for point in challenge.action_points:
                for entry in focal_entries[id(point)]:
                    yield entry.name, entry.organization


def _bulk_create_points(
    pending: list[tuple[Challenge, object, list[FocalPointAssignment]]],
    *,
    created_by: User | None,
    keep_unreadable: bool,
) -> int:
    """Create many action points with their focal points and history rows in a few
    queries: the same checks as action_point_create, row by row, then bulk inserts.
    (One action_point_create per row costs ~10 queries: 10,000 rows took minutes.)"""
    if not pending:
        return 0
    tops = dict(
        ActionPoint.objects.filter(challenge__in={c.pk for c, _row, _fp in pending})
        .values("challenge_id")
        .annotate(top=Max("position"))
        .values_list("challenge_id", "top")
    )
    points: list[ActionPoint] = []
    for challenge, row, assignments in pending:
        tops[challenge.pk] = position = tops.get(challenge.pk, 0) + 1
        deadline = _check_text(
            row.deadline, field="deadline", label="Deadline", required=False, max_length=100
        )
        parsed = _derive_deadline(deadline, keep_unreadable=keep_unreadable)
        status = row.status or ActionPointStatus.NOT_STARTED
        _check_status(status)
        progress = 100 if status == ActionPointStatus.COMPLETED else (row.progress or 0)
        _check_progress(progress)
        _check_assignments(assignments)
        points.append(
            ActionPoint(
                challenge=challenge,
                position=position,
                description=_check_text(
                    row.description,
                    field="description",
                    label="Description",
                    required=True,
                    max_length=5000,
                ),
                deadline=deadline,
                deadline_precision=parsed.precision,
                due_date=parsed.due_date,
                status=status,
                progress=progress,
            )
        )
    created = bulk_create_with_history(
        points, ActionPoint, batch_size=1000, default_user=created_by
    )
    focal_points = [
        FocalPoint(action_point=point, person=a.person, role=a.role, note=a.note.strip())
        for point, (_challenge, _row, assignments) in zip(created, pending, strict=True)
        for a in assignments
    ]
    bulk_create_with_history(focal_points, FocalPoint, batch_size=1000, default_user=created_by)
    return len(created)


def plan_create_from_workshop(*, table: WorkshopTable, **options) -> ActionPlan:
    """A new plan from a read table (see plan_import)."""
    return plan_import(table=table, plan=None, **options).plan
