"""Merging two records of one person: everything `merged` carries moves to `kept`,
then `merged` is deleted; all or nothing, with history rows.

What moves: focal points (on an action point both carry, one row stays, with the
stronger role, lead > support > advisor, and both notes), team memberships (kept
takes merged's place in the group's order, or keeps their own when already a
member), group leadership, progress updates reported by merged, the plans merged
was ever named in (actionplans.models.Naming), the account, and merged's email and
organization when kept has none. Rows of apps above actionplans (notifications)
move through the `person_merged` signal, sent inside the transaction; a row of any
model still pointing at merged after that refuses the whole merge rather than
being deleted with it.

Refused, nothing written: a person with themself, two people with two different
email addresses (an address identifies a person: two addresses are two people),
two people who both have an account (an administrator must first unlink one).

Rows of closed plans move too: a merge corrects who a person is, not what a plan
says, and a duplicate in an archived plan could otherwise never be merged.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.models import HistoricalChanges
from simple_history.utils import bulk_update_with_history

from actionplans import signals
from actionplans.choices import FocalPointRole
from actionplans.models import ActionPoint, FocalPoint, Naming, ProgressUpdate, WorkingGroup
from actionplans.permissions import can_edit_person, is_admin
from actionplans.services.comments import comment_mentions_move
from actionplans.services.common import User
from actionplans.services.structure import set_team_members
from orgs.models import Organization, Person
from pim_tracker.text import isolate

# Lower is stronger: the role a combined focal point keeps.
ROLE_STRENGTH = {FocalPointRole.LEAD: 0, FocalPointRole.SUPPORT: 1, FocalPointRole.ADVISOR: 2}
NOTE_MAX_LENGTH = FocalPoint._meta.get_field("note").max_length


@dataclass
class CombinedFocalPoint:
    """An action point both people carry: kept's row stays with this role and note,
    merged's row is deleted."""

    kept: FocalPoint
    merged: FocalPoint
    role: str
    note: str

    @property
    def role_label(self) -> str:
        return FocalPointRole(self.role).label

    @property
    def changes(self) -> bool:
        return (self.role, self.note) != (self.kept.role, self.kept.note)


@dataclass
class MergePlan:
    """What a merge of `merged` into `kept` moves, read before anything is written:
    the confirmation page lists it, person_merge carries it out."""

    kept: Person
    merged: Person
    # merged's focal points on action points kept does not carry: they move as they are.
    focal_points: list[FocalPoint] = field(default_factory=list)
    combined: list[CombinedFocalPoint] = field(default_factory=list)
    # Groups merged is a member of; `joins` the ones kept is not yet a member of.
    memberships: list[WorkingGroup] = field(default_factory=list)
    joins: set[int] = field(default_factory=set)
    leaderships: list[WorkingGroup] = field(default_factory=list)
    progress_updates: list[ProgressUpdate] = field(default_factory=list)
    # Plans merged has been named in, with when (kept's own namings of the same
    # plans stay, with the earlier date).
    namings: dict[int, datetime.datetime] = field(default_factory=dict)
    account: User | None = None
    email: str = ""
    organization: Organization | None = None

    @property
    def action_point_ids(self) -> set[int]:
        return {fp.action_point_id for fp in self.focal_points} | {
            c.kept.action_point_id for c in self.combined
        }


def stronger_role(a: str, b: str) -> str:
    return a if ROLE_STRENGTH.get(a, 9) <= ROLE_STRENGTH.get(b, 9) else b


def joined_notes(a: str, b: str) -> str:
    """Both notes, once each, cut to the field's length."""
    notes = list(dict.fromkeys(note.strip() for note in (a, b) if note.strip()))
    text = "; ".join(notes)
    if len(text) > NOTE_MAX_LENGTH:
        text = text[: NOTE_MAX_LENGTH - 1] + "…"
    return text


# --- checks ----------------------------------------------------------------------------


def can_merge(user, kept: Person, merged: Person) -> bool:
    """Administrators merge anyone; coordinators two people they may both edit."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return is_admin(user) or (can_edit_person(user, kept) and can_edit_person(user, merged))


def check_mergeable(kept: Person, merged: Person) -> None:
    """The refusals that do not depend on who asks: a ValidationError saying why."""
    if kept.pk == merged.pk:
        raise ValidationError(
            _("%(name)s cannot be merged with themself.") % {"name": isolate(kept.name)},
            code="self",
        )
    if kept.email and merged.email and kept.email.casefold() != merged.email.casefold():
        raise ValidationError(
            _(
                "%(kept)s (%(kept_email)s) and %(merged)s (%(merged_email)s) have different "
                "email addresses: an address identifies one person, so they are two people "
                "and cannot be merged."
            )
            % {
                "kept": isolate(kept.name),
                "kept_email": kept.email,
                "merged": isolate(merged.name),
                "merged_email": merged.email,
            },
            code="different_emails",
        )
    if kept.user_id is not None and merged.user_id is not None:
        raise ValidationError(
            _(
                "%(kept)s and %(merged)s both have an account: a person has one account, "
                "so an administrator must unlink one of them before merging."
            )
            % {"kept": isolate(kept.name), "merged": isolate(merged.name)},
            code="two_accounts",
        )


# --- reading what would move ---------------------------------------------------------


def merge_plan(*, kept: Person, merged: Person) -> MergePlan:
    """What merging `merged` into `kept` moves (nothing written; a fixed number of
    queries whatever the number of rows)."""
    plan = MergePlan(kept=kept, merged=merged)
    path = "action_point__challenge__working_group__plan"
    kept_rows = {
        fp.action_point_id: fp for fp in FocalPoint.objects.filter(person=kept).select_related(path)
    }
    for fp in FocalPoint.objects.filter(person=merged).select_related(path):
        mine = kept_rows.get(fp.action_point_id)
        if mine is None:
            plan.focal_points.append(fp)
        else:
            plan.combined.append(
                CombinedFocalPoint(
                    kept=mine,
                    merged=fp,
                    role=stronger_role(mine.role, fp.role),
                    note=joined_notes(mine.note, fp.note),
                )
            )
    # Each group read once, so that a group merged leads and belongs to is one
    # instance, whose history rows then record both changes.
    through = WorkingGroup.team_members.through
    member_of = set(through.objects.filter(person=merged).values_list("workinggroup_id", flat=True))
    groups = list(
        WorkingGroup.objects.filter(Q(team_leader=merged) | Q(pk__in=member_of))
        .select_related("plan")
        .order_by("plan__title", "plan_id", "number")
    )
    plan.memberships = [group for group in groups if group.pk in member_of]
    plan.leaderships = [group for group in groups if group.team_leader_id == merged.pk]
    plan.joins = member_of - set(
        through.objects.filter(person=kept, workinggroup__in=member_of).values_list(
            "workinggroup_id", flat=True
        )
    )
    plan.progress_updates = list(
        ProgressUpdate.objects.filter(reported_by=merged).select_related(
            "action_point__challenge__working_group__plan"
        )
    )
    plan.namings = dict(Naming.objects.filter(person=merged).values_list("plan_id", "first_named"))
    if merged.user_id is not None and kept.user_id is None:
        plan.account = merged.user
    if merged.email and not kept.email:
        plan.email = merged.email
    if merged.organization_id is not None and kept.organization_id is None:
        plan.organization = merged.organization
    return plan


# --- merging -------------------------------------------------------------------------


def _reason(plan: MergePlan) -> str:
    return f"Merged person {plan.merged.pk} ({plan.merged.name}) into {plan.kept.pk}"[:100]


def _move_namings(plan: MergePlan) -> None:
    """Merged's plans become kept's, each once, with the earlier first naming."""
    shared = set()
    for naming in Naming.objects.filter(person=plan.kept, plan__in=plan.namings):
        shared.add(naming.plan_id)
        if plan.namings[naming.plan_id] < naming.first_named:
            Naming.objects.filter(pk=naming.pk).update(first_named=plan.namings[naming.plan_id])
    Naming.objects.filter(person=plan.merged).exclude(plan__in=shared).update(person=plan.kept)
    Naming.objects.filter(person=plan.merged).delete()


def _move_focal_points(plan: MergePlan, user: User | None, reason: str) -> None:
    for combined in plan.combined:
        combined.merged._history_user = user
        combined.merged._change_reason = reason
        combined.merged.delete()
        if combined.changes:
            combined.kept.role, combined.kept.note = combined.role, combined.note
            combined.kept._history_user = user
            combined.kept._change_reason = reason
            combined.kept.save(update_fields=["role", "note"])
    for focal_point in plan.focal_points:
        focal_point.person = plan.kept
    if plan.focal_points:
        bulk_update_with_history(
            plan.focal_points,
            FocalPoint,
            ["person"],
            default_user=user,
            default_change_reason=reason,
        )
    # The action points read differently (their focal points' people): their
    # version goes up, so a form or API client that read them before sees a
    # conflict, and so does `updated`, so a partner's sync (?updated_after=) reads
    # them again. (It also restarts their "stale" clock, as any change does.)
    ActionPoint.objects.filter(pk__in=plan.action_point_ids).update(
        version=F("version") + 1, updated=timezone.now()
    )


def _move_groups(plan: MergePlan, user: User | None, reason: str) -> None:
    now = timezone.now()
    for group in plan.leaderships:
        group.team_leader = plan.kept
        group.updated = now
    if plan.leaderships:
        bulk_update_with_history(
            plan.leaderships,
            WorkingGroup,
            ["team_leader", "updated"],
            default_user=user,
            default_change_reason=reason,
        )
    through = WorkingGroup.team_members.through
    members: dict[int, list[Person]] = {}
    rows = (
        through.objects.filter(workinggroup__in=plan.memberships)
        .select_related("person")
        .order_by("id")
    )
    for row in rows:
        members.setdefault(row.workinggroup_id, []).append(row.person)
    for group in plan.memberships:
        # kept takes the earlier of the two places (set_team_members keeps the first).
        wanted = [
            plan.kept if person.pk == plan.merged.pk else person for person in members[group.pk]
        ]
        group._history_user = user
        group._change_reason = reason
        set_team_members(group, wanted)


def person_merge(*, kept: Person, merged: Person, user: User) -> Person:
    """Move everything `merged` carries to `kept`, then delete `merged`.

    Raises ValidationError (nothing written) for a person with themself, two email
    addresses or two accounts; PermissionDenied when the user may not edit both.
    Returns kept, as saved.
    """
    if kept.pk == merged.pk:
        check_mergeable(kept, merged)
    if not can_merge(user, kept, merged):
        raise PermissionDenied(
            _("Only administrators, and coordinators who may edit both people, can merge them.")
        )
    with transaction.atomic():
        locked = {
            person.pk: person
            for person in Person.objects.select_for_update(of=("self",))
            .select_related("user", "organization")
            .filter(pk__in=[kept.pk, merged.pk])
            .order_by("pk")
        }
        if len(locked) != 2:
            raise ValidationError(
                _("One of these people no longer exists: reload the page."), code="gone"
            )
        kept, merged = locked[kept.pk], locked[merged.pk]
        check_mergeable(kept, merged)
        plan = merge_plan(kept=kept, merged=merged)
        reason = _reason(plan)
        _move_namings(plan)
        _move_focal_points(plan, user, reason)
        _move_groups(plan, user, reason)
        for update in plan.progress_updates:
            update.reported_by = kept
        if plan.progress_updates:
            bulk_update_with_history(
                plan.progress_updates,
                ProgressUpdate,
                ["reported_by"],
                default_user=user,
                default_change_reason=reason,
            )
        comment_mentions_move(kept=kept, merged=merged)
        signals.person_merged.send(sender=Person, kept=kept, merged=merged, user=user)
        _require_nothing_left(merged)
        merged._history_user = user
        merged._change_reason = reason
        merged.delete()
        changed = []
        if plan.account is not None:
            kept.user = plan.account
            changed.append("user")
        if plan.email:
            kept.email = plan.email
            changed.append("email")
        if plan.organization is not None:
            kept.organization = plan.organization
            changed.append("organization")
        if changed:
            kept._history_user = user
            kept._change_reason = reason
            kept.save(update_fields=[*changed, "updated"])
    return kept


def _require_nothing_left(merged: Person) -> None:
    """Every row of every model that points at a person has moved: a relation this
    module does not know (a new model) must not be deleted, or silently emptied,
    with the merged person. History tables keep pointing at the past, as they should."""
    for relation in Person._meta.get_fields(include_hidden=True):
        if not relation.auto_created or relation.concrete or relation.many_to_many:
            continue  # not a reverse relation; many-to-many: through its table's key
        model = relation.related_model
        if issubclass(model, HistoricalChanges):
            continue
        if model._default_manager.filter(**{relation.field.name: merged}).exists():
            raise RuntimeError(
                f"{model._meta.label}.{relation.field.name} still points at the merged person: "
                "person_merge (or a person_merged receiver) must move it."
            )
