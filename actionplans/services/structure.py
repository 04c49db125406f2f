"""A plan's structure: working groups and their members, challenges, and the
order of groups, challenges and action points."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.db.models.signals import m2m_changed
from django.utils import timezone
from django.utils.translation import gettext as _

from actionplans.models import ActionPlan, ActionPoint, Challenge, WorkingGroup
from actionplans.services.common import (
    User,
    check_text,
    next_number,
    require_open,
    require_open_plan_of,
    save_checked,
)
from actionplans.services.namings import record_namings
from orgs.models import Person
from pim_tracker.characters import TextKind


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
    require_open(plan)
    group = WorkingGroup(
        plan=plan,
        number=number if number is not None else next_number(plan.working_groups, "number"),
        name=_group_name(name),
        team_leader=team_leader,
    )
    save_checked(group, created_by)
    set_team_members(group, team_members)
    record_namings(plan.pk, [group.team_leader_id])
    return group


def _group_name(name: str) -> str:
    return check_text(
        name, field="name", label=_("Name"), required=True, max_length=200, kind=TextKind.NAME
    )


def new_working_group(
    plan: ActionPlan, number: int, name: str, team_leader: Person | None
) -> WorkingGroup:
    """An unsaved group with the checks of working_group_create that need no query:
    its fields (numbers up to 32767) and its number's constraint. The caller answers for
    what needs one: a number not yet in the plan, a saved plan and leader."""
    group = WorkingGroup(plan=plan, number=number, name=_group_name(name), team_leader=team_leader)
    group.full_clean(
        exclude=["plan", "team_leader"], validate_unique=False, validate_constraints=False
    )
    if number < 1:  # the model's constraint, with its message (full_clean's would query)
        raise ValidationError(_constraint("actionplans_group_number_positive"))
    return group


def working_groups_create(
    *,
    groups: list[tuple[WorkingGroup, list[Person]]],
    created_by: User | None = None,
) -> None:
    """Save many new groups of one plan (new_working_group's), each with its members, in a
    fixed number of queries (an import's); each group's history records its creation
    with its members, as the library writes it, in bulk."""
    if not groups:
        return
    new = [group for group, _members in groups]
    require_open(new[0].plan)
    WorkingGroup.objects.bulk_create(new, batch_size=1000)
    through = WorkingGroup.team_members.through
    memberships = through.objects.bulk_create(
        [
            through(workinggroup=group, person=person)
            for group, members in groups
            for person in dict.fromkeys(members)
        ],
        batch_size=1000,
    )
    # A historical row per group, and its members' rows pointing at it.
    history = WorkingGroup.history.bulk_history_create(
        new, batch_size=1000, default_user=created_by
    )
    history_of = {row.id: row for row in history}
    member_history = WorkingGroup.history.model.team_members.model
    member_history.objects.bulk_create(
        [
            member_history(
                history=history_of[row.workinggroup_id],
                id=row.id,
                workinggroup_id=row.workinggroup_id,
                person_id=row.person_id,
            )
            for row in memberships
        ],
        batch_size=1000,
    )
    record_namings(
        new[0].plan_id,
        [group.team_leader_id for group in new] + [row.person_id for row in memberships],
    )


def _constraint(name: str) -> str:
    constraint = next(c for c in WorkingGroup._meta.constraints if c.name == name)
    return constraint.get_violation_error_message()


def set_team_members(group: WorkingGroup, team_members: Iterable[Person]) -> None:
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
    # The group reads differently (its team_members): a new `updated`, so a partner's
    # sync (?updated_after=) reads it again, whoever changed the list (an import, a merge).
    group.updated = timezone.now()
    WorkingGroup.objects.filter(pk=group.pk).update(updated=group.updated)
    record_namings(group.plan_id, [person.pk for person in wanted])
    m2m_changed.send(
        sender=through,
        instance=group,
        action="post_add",
        reverse=False,
        model=Person,
        pk_set={person.pk for person in wanted},
        using=group._state.db,
    )


def new_challenge(working_group: WorkingGroup, number: int, description: str) -> Challenge:
    """An unsaved challenge with its description checked."""
    return Challenge(
        working_group=working_group,
        number=number,
        description=check_text(
            description, field="description", label=_("Description"), required=True, max_length=5000
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
    require_open(working_group.plan)
    if number is None:
        number = next_number(working_group.challenges, "number")
    challenge = new_challenge(working_group, number, description)
    save_checked(challenge, created_by)
    return challenge


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
        raise ValidationError({"direction": _('Direction must be "up" or "down".')})
    if isinstance(obj, WorkingGroup):
        require_open(obj.plan)
        siblings, field = WorkingGroup.objects.filter(plan_id=obj.plan_id), "number"
    elif isinstance(obj, Challenge):
        require_open(obj.working_group.plan)
        siblings, field = Challenge.objects.filter(working_group_id=obj.working_group_id), "number"
    else:
        require_open_plan_of(obj)
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
    require_open(group.plan)
    group.name = check_text(
        name, field="name", label=_("Name"), required=True, max_length=200, kind=TextKind.NAME
    )
    group.number = number
    group.team_leader = team_leader
    save_checked(group, user)
    set_team_members(group, team_members)
    record_namings(group.plan_id, [group.team_leader_id])
    return group


@transaction.atomic
def challenge_update(
    *, challenge: Challenge, user: User | None, description: str, number: int
) -> Challenge:
    require_open(challenge.working_group.plan)
    challenge.description = check_text(
        description, field="description", label=_("Description"), required=True, max_length=5000
    )
    challenge.number = number
    save_checked(challenge, user)
    return challenge


@transaction.atomic
def working_group_delete(*, group: WorkingGroup, user: User | None) -> None:
    """Delete a group with its challenges and action points; the history keeps them."""
    require_open(group.plan)
    group._history_user = user
    group.delete()


@transaction.atomic
def challenge_delete(*, challenge: Challenge, user: User | None) -> None:
    """Delete a challenge with its action points; the history keeps them."""
    require_open(challenge.working_group.plan)
    challenge._history_user = user
    challenge.delete()
