"""Read queries reused by services, views and the API."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from actionplans.choices import ActionPointStatus, FocalPointRole
from actionplans.models import (
    ActionPlan,
    ActionPoint,
    Challenge,
    DeadlineChange,
    FocalPoint,
    ProgressUpdate,
    WorkingGroup,
    with_focal_points,
)
from actionplans.querysets import PLAN_PATH, open_condition, overdue_condition
from orgs.models import Person
from pim_tracker.text import isolate


def plan_people(*, plan: ActionPlan) -> QuerySet[Person]:
    """Everyone named in the plan: team leaders, team members and focal points.

    Three id sets, each found through its own index, not an OR across joins with
    DISTINCT, whose rows multiply with the size of the whole database.
    """
    leaders = WorkingGroup.objects.filter(plan=plan, team_leader__isnull=False)
    members = WorkingGroup.team_members.through.objects.filter(workinggroup__plan=plan)
    focal_points = FocalPoint.objects.filter(**{f"action_point__{PLAN_PATH}": plan})
    return Person.objects.filter(
        Q(id__in=leaders.values("team_leader_id"))
        | Q(id__in=members.values("person_id"))
        | Q(id__in=focal_points.values("person_id"))
    )


def plan_people_names(*, plan: ActionPlan) -> list[str]:
    """The names offered while typing a leader, member or focal point of the plan."""
    return sorted({person.name for person in plan_people(plan=plan).only("name")})


def last_activity(points_path: str) -> Greatest:
    """The plan's own last change or its action points' latest, whichever is later."""
    # Coalesce: SQLite's GREATEST is NULL when any argument is (a plan with no points).
    return Greatest("updated", Coalesce(Max(f"{points_path}updated"), "updated"))


def plans_with_counts(plans: QuerySet[ActionPlan]) -> QuerySet[ActionPlan]:
    """Plans with their open, overdue and completed counts and last update, in one query."""
    today = timezone.localdate()
    points = "working_groups__challenges__action_points__"
    return plans.annotate(
        open_count=Count(f"{points}id", filter=open_condition(points)),
        overdue_count=Count(f"{points}id", filter=overdue_condition(today, points)),
        completed_count=Count(
            f"{points}id", filter=Q(**{f"{points}status": ActionPointStatus.COMPLETED})
        ),
        last_update=last_activity(points),
    )


@dataclass
class ChallengeView:
    challenge: Challenge
    action_points: list[ActionPoint]


@dataclass
class GroupView:
    group: WorkingGroup
    members: list[Person]
    challenges: list[ChallengeView]


def team_members_in_order(group_ids: list[int]) -> dict[int, list[Person]]:
    """Each group's members in the order they were written (one query for all groups).

    The membership table's ids follow the order of entry: the services add
    members in the order typed, as the workshop listed them.
    """
    through = WorkingGroup.team_members.through
    members: dict[int, list[Person]] = {group_id: [] for group_id in group_ids}
    rows = through.objects.filter(workinggroup_id__in=group_ids).select_related("person")
    for row in rows.order_by("id"):
        members[row.workinggroup_id].append(row.person)
    return members


def plan_layout(
    *,
    plan: ActionPlan,
    action_points: QuerySet[ActionPoint] | None = None,
    today: datetime.date | None = None,
) -> list[GroupView]:
    """The plan as the workshop wrote it: groups, their challenges, their action
    points (flagged overdue, due soon, stale for `today`).

    `action_points` (already filtered, e.g. by the filter bar) defaults to all of
    the plan's. A fixed number of queries whatever the plan's size.
    """
    if action_points is None:
        action_points = ActionPoint.objects.of_plan(plan)
    points = list(
        action_points.in_workshop_order()
        .with_flags(today or timezone.localdate())
        .prefetch_related(with_focal_points())
    )
    by_challenge: dict[int, list[ActionPoint]] = {}
    for point in points:
        by_challenge.setdefault(point.challenge_id, []).append(point)
    groups = list(
        plan.working_groups.select_related("team_leader")
        .prefetch_related(Prefetch("challenges", queryset=Challenge.objects.order_by("number")))
        .order_by("number")
    )
    members = team_members_in_order([group.pk for group in groups])
    layout = []
    for group in groups:
        challenges = []
        for challenge in group.challenges.all():
            challenge_points = by_challenge.get(challenge.pk, [])
            for point in challenge_points:
                point.challenge = challenge  # loaded once here, with its group
            challenges.append(ChallengeView(challenge, challenge_points))
        layout.append(GroupView(group, members[group.pk], challenges))
    return layout


@dataclass
class TimelineEntry:
    when: datetime.datetime
    kind: str  # "update", "deadline", "edit", "created", "deleted"
    who: str
    title: str
    details: list[str] = field(default_factory=list)
    note: str = ""
    link: str = ""


# Fields whose edits a timeline shows (label, attribute).
_EDIT_FIELDS = [
    (gettext_lazy("Description"), "description"),
    (gettext_lazy("Position"), "position"),
    (gettext_lazy("Challenge"), "challenge_id"),
]


def _user_label(user) -> str:
    return user.get_username() if user is not None else _("system")


def _changed(field: str, old: object, new: object) -> str:
    """ "Status: Not started → In progress" """
    return _("%(field)s: %(old)s → %(new)s") % {"field": field, "old": old, "new": new}


def _action_point_titles() -> dict[str, str]:
    """An action point's history entries: created (+), deleted (-), edited (~)."""
    return {
        "+": _("Action point created"),
        "-": _("Action point deleted"),
        "~": _("Action point edited"),
    }


def _history_entries(
    records: list, titles: dict[str, str], *, fields: list[tuple[str, str]]
) -> list[TimelineEntry]:
    """History rows of one or more objects -> entries naming the fields that changed.

    Records must be ordered oldest first per object; diffs are computed here in
    Python so a timeline costs one query however long it is.
    """
    entries: list[TimelineEntry] = []
    previous: dict[int, object] = {}
    for record in records:
        before = previous.get(record.id)
        previous[record.id] = record
        who = _user_label(record.history_user)
        if record.history_type == "+":
            entries.append(TimelineEntry(record.history_date, "created", who, titles["+"]))
        elif record.history_type == "-":
            entries.append(TimelineEntry(record.history_date, "deleted", who, titles["-"]))
        elif before is not None:
            details = [
                _changed(str(title), getattr(before, attname), getattr(record, attname))
                for title, attname in fields
                if getattr(before, attname) != getattr(record, attname)
            ]
            if details:
                entries.append(
                    TimelineEntry(record.history_date, "edit", who, titles["~"], details)
                )
    return entries


def _focal_point_entries(action_point: ActionPoint) -> list[TimelineEntry]:
    """Who was added, removed or given another role, from the focal points' history."""
    records = list(
        FocalPoint.history.filter(action_point_id=action_point.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    names = dict(
        Person.objects.filter(pk__in={r.person_id for r in records}).values_list("id", "name")
    )
    entries: list[TimelineEntry] = []
    previous: dict[int, object] = {}
    for record in records:
        name = names.get(record.person_id, _("a deleted person"))
        role = FocalPointRole(record.role).label.lower()
        before = previous.get(record.id)
        previous[record.id] = record
        who = _user_label(record.history_user)
        if record.history_type == "+":
            title = _("Focal point added: %(name)s (%(role)s)") % {
                "name": isolate(name),
                "role": role,
            }
        elif record.history_type == "-":
            title = _("Focal point removed: %(name)s") % {"name": isolate(name)}
        elif before is not None and before.role != record.role:
            old = FocalPointRole(before.role).label.lower()
            title = _("Focal point %(name)s: %(old)s → %(new)s") % {
                "name": isolate(name),
                "old": old,
                "new": role,
            }
        else:
            continue
        entries.append(TimelineEntry(record.history_date, "edit", who, title))
    return entries


def action_point_timeline(*, action_point: ActionPoint) -> list[TimelineEntry]:
    """Progress updates, deadline changes and edits of one action point, newest first."""
    entries: list[TimelineEntry] = []
    for update in action_point.progress_updates.select_related("author"):
        details = []
        if update.status != update.previous_status:
            details.append(
                _("Status: %(old)s → %(new)s")
                % {
                    "old": ActionPointStatus(update.previous_status).label,
                    "new": ActionPointStatus(update.status).label,
                }
            )
        if update.progress != update.previous_progress:
            details.append(
                _("Progress: %(old)s %% → %(new)s %%")
                % {"old": update.previous_progress, "new": update.progress}
            )
        entries.append(
            TimelineEntry(
                update.created,
                "update",
                _user_label(update.author),
                _("Progress update"),
                details,
                note=update.note,
                link=update.evidence_url,
            )
        )
    for change in action_point.deadline_changes.select_related("changed_by"):
        old = change.old_deadline or _("no deadline")
        new = change.new_deadline or _("no deadline")
        details = [_("Deadline: %(old)s → %(new)s") % {"old": isolate(old), "new": isolate(new)}]
        if change.days_moved is not None:
            days = change.days_moved
            details.append(
                ngettext("Moved by %(days)s day", "Moved by %(days)s days", days) % {"days": days}
            )
        entries.append(
            TimelineEntry(
                change.changed_at,
                "deadline",
                _user_label(change.changed_by),
                _("Rescheduled"),
                details,
                note=change.reason,
            )
        )
    # Edits of what the action point says and where it sits; status, progress
    # and deadline changes are already there as updates and reschedules.
    records = list(
        action_point.history.select_related("history_user").order_by("history_date", "history_id")
    )
    entries.extend(_history_entries(records, _action_point_titles(), fields=_EDIT_FIELDS))
    entries.extend(_focal_point_entries(action_point))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


def plan_activity(*, plan: ActionPlan, limit: int = 100) -> list[TimelineEntry]:
    """What happened in a plan recently: updates, reschedules and edits, newest first."""
    updates = (
        ProgressUpdate.objects.filter(**{f"action_point__{PLAN_PATH}": plan})
        .select_related("author", "action_point")
        .order_by("-created")[:limit]
    )
    changes = (
        DeadlineChange.objects.filter(**{f"action_point__{PLAN_PATH}": plan})
        .select_related("changed_by", "action_point")
        .order_by("-changed_at")[:limit]
    )
    entries = [
        TimelineEntry(
            u.created,
            "update",
            _user_label(u.author),
            _("Progress update on “%(point)s”") % {"point": isolate(u.action_point)},
            [
                _("%(status)s, %(progress)s %%")
                % {"status": ActionPointStatus(u.status).label, "progress": u.progress}
            ],
            note=u.note,
            link=reverse("actionplans:actionpoint_detail", args=[u.action_point_id]),
        )
        for u in updates
    ] + [
        TimelineEntry(
            c.changed_at,
            "deadline",
            _user_label(c.changed_by),
            _("Rescheduled “%(point)s”") % {"point": isolate(c.action_point)},
            [
                _("Deadline: %(old)s → %(new)s")
                % {
                    "old": isolate(c.old_deadline or _("no deadline")),
                    "new": isolate(c.new_deadline or _("no deadline")),
                }
            ],
            note=c.reason,
            link=reverse("actionplans:actionpoint_detail", args=[c.action_point_id]),
        )
        for c in changes
    ]
    group_ids = WorkingGroup.history.filter(plan_id=plan.pk).values("id")
    structure = [
        (
            WorkingGroup.history.filter(plan_id=plan.pk),
            {"+": _("Working group created: %(what)s"), "-": _("Working group deleted: %(what)s")},
        ),
        (
            Challenge.history.filter(working_group_id__in=group_ids),
            {"+": _("Challenge created: %(what)s"), "-": _("Challenge deleted: %(what)s")},
        ),
    ]
    for queryset, titles in structure:
        records = list(
            queryset.select_related("history_user")
            .filter(history_type__in=["+", "-"])
            .order_by("-history_date")[:limit]
        )
        for record in records:
            verb = "created" if record.history_type == "+" else "deleted"
            entries.append(
                TimelineEntry(
                    record.history_date,
                    "created" if verb == "created" else "deleted",
                    _user_label(record.history_user),
                    titles[record.history_type] % {"what": record.instance},
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


def people_carrying(points: QuerySet[ActionPoint]) -> dict[int, set[int]]:
    """Who carries each of these action points, by id: its focal points, and its
    group's leader and members. Three queries whatever the number of points."""
    carriers: dict[int, set[int]] = {}
    group_of: dict[int, int] = dict(points.values_list("id", "challenge__working_group_id"))
    for point_id, person_id in FocalPoint.objects.filter(
        action_point__in=points.values("id")
    ).values_list("action_point_id", "person_id"):
        carriers.setdefault(point_id, set()).add(person_id)
    group_people: dict[int, set[int]] = {}
    groups = set(group_of.values())
    for group_id, leader_id in WorkingGroup.objects.filter(
        id__in=groups, team_leader__isnull=False
    ).values_list("id", "team_leader_id"):
        group_people.setdefault(group_id, set()).add(leader_id)
    for group_id, person_id in WorkingGroup.team_members.through.objects.filter(
        workinggroup_id__in=groups
    ).values_list("workinggroup_id", "person_id"):
        group_people.setdefault(group_id, set()).add(person_id)
    for point_id, group_id in group_of.items():
        carriers.setdefault(point_id, set()).update(group_people.get(group_id, ()))
    return carriers
