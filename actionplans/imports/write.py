"""Writing a read table into a plan: all or nothing, and nothing twice."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from actionplans.choices import (
    ActionPointStatus,
    PimCategory,
    PimPrinciple,
    PimProcessStep,
    PimTagKind,
    PlanStatus,
    PlanVisibility,
    Priority,
)
from actionplans.imports.pim import PimCells
from actionplans.imports.table import WorkshopTable
from actionplans.models import (
    ActionPlan,
    ActionPoint,
    Challenge,
    FocalPoint,
    PimTag,
    WorkingGroup,
)
from actionplans.selectors import team_members_in_order
from actionplans.services.action_points import FocalPointAssignment, check_assignments
from actionplans.services.classification import (
    action_point_classify,
    check_choice,
    check_slugs,
)
from actionplans.services.common import (
    User,
    check_progress,
    check_status,
    check_text,
    derive_deadline,
    require_open,
)
from actionplans.services.namings import record_namings
from actionplans.services.people import AMBIGUOUS_STOP, NamedPerson, PlanPeople
from actionplans.services.plans import plan_create
from actionplans.services.structure import (
    new_challenge,
    new_working_group,
    set_team_members,
    working_groups_create,
)
from orgs.services import clean_name, normalize_name
from pim_tracker.text import isolate


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
    # People of other plans of the operation named in this one (not counted in people).
    reused: int = 0
    # Names several people of the operation bear, with who was chosen or created.
    ambiguous: list[NamedPerson] = field(default_factory=list)
    # Action points already there (counted in unchanged) whose PIM tags, process step
    # or priority the table changed.
    retagged: int = 0


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
    people_choices: Mapping[str, int | None] | None = None,
    ambiguous: str = AMBIGUOUS_STOP,
) -> ImportResult:
    """Write a read table into a new plan, or into an existing one.

    All or nothing: a table with errors writes no row. Unreadable deadlines
    block the import unless keep_unreadable_deadlines is set. Importing the
    same table twice creates nothing the second time: groups and challenges
    are matched by number, action points by their text within the challenge.

    People are found by name (actionplans/services/people.py): the plan's own
    first, then, for a plan with a country, people created_by may see who are
    named in plans of that country (created_by None, as for manage.py
    import_plan: everyone's). A name several of them bear takes the choice of
    people_choices ({name key: person id, or None for a new person}); without
    one, `ambiguous` decides: AMBIGUOUS_STOP refuses the import naming them,
    AMBIGUOUS_NEW creates a new person.
    """
    errors = table.errors
    if keep_unreadable_deadlines:
        errors = [issue for issue in errors if issue.code != "invalid_deadline"]
    if errors:
        raise ValidationError([str(issue) for issue in errors], code="invalid_table")
    plan_created = plan is None
    if plan is None:
        plan = _new_plan(
            title=title or table.title,
            country=country,
            origin=origin,
            status=status,
            visibility=visibility,
            coordinators=coordinators,
            created_by=created_by,
        )
    else:
        require_open(plan)
    writer = _Writer(plan, table, created_by, people_choices, ambiguous)
    for block in table.groups:
        writer.group(block)
    return writer.finish(plan_created, keep_unreadable_deadlines)


def _new_plan(*, title: str, created_by: User | None, **options) -> ActionPlan:
    title = clean_name(title)
    if not title:
        raise ValidationError({"title": _("Give the new plan a title.")})
    # Titles need not be unique (docs/domain.md): the check only spares the user a
    # duplicate of a plan they could import into. Among the plans created_by may see
    # (all for None, as for manage.py import_plan): a hidden plan's title does not
    # clash, and the answer must not tell that it exists.
    plans = (
        ActionPlan.objects.all()
        if created_by is None
        else ActionPlan.objects.visible_to(created_by)
    )
    if plans.filter(title__iexact=title).exists():
        raise ValidationError(
            {
                "title": _(
                    "A plan titled “%(title)s” exists already: import into it instead, "
                    "so that nothing is duplicated."
                )
                % {"title": isolate(title)}
            }
        )
    return plan_create(title=title, created_by=created_by, **options)


class _Writer:
    """One import's steps: its people first (in bulk), then group by group, the
    groups and challenges it adds and the action points it does not find there."""

    def __init__(
        self,
        plan: ActionPlan,
        table: WorkshopTable,
        created_by: User | None,
        people_choices: Mapping[str, int | None] | None,
        ambiguous: str,
    ) -> None:
        self.plan, self.created_by = plan, created_by
        self.result = ImportResult(plan=plan, plan_created=False)
        # Each focal-point cell is parsed once, for the people and for the action points.
        self.focal_entries = {
            id(point): point.focal_entries
            for block in table.groups
            for challenge in block.challenges
            for point in challenge.action_points
        }
        self.people = PlanPeople(plan)
        self.people.prepare(
            _table_people(table, self.focal_entries),
            created_by,
            choices=people_choices,
            ambiguous=ambiguous,
        )
        self.groups = {group.number: group for group in plan.working_groups.all()}
        # The challenges already there, and their action points' texts, in two queries.
        self.challenges: dict[int, dict[int, Challenge]] = {g.pk: {} for g in self.groups.values()}
        for challenge in Challenge.objects.filter(working_group__plan=plan):
            self.challenges[challenge.working_group_id][challenge.number] = challenge
        self.existing = self._existing_points(table)
        # The members of the groups already there that the table names, in one query.
        self.members = team_members_in_order(
            [self.groups[block.number].pk for block in table.groups if block.number in self.groups]
        )
        self.new_groups: list[tuple[WorkingGroup, list]] = []
        self.pending: list[tuple[Challenge, object, list[FocalPointAssignment]]] = []
        # Action points already there whose row gives PIM values: (id, PimCells).
        self.reclassify: list[tuple[int, PimCells]] = []
        self.new_challenges: list[Challenge] = []

    def _existing_points(self, table: WorkshopTable) -> dict[int, dict[str, int | None]]:
        """For each challenge already there that the table names: its action points'
        texts (normalised) and ids."""
        named = [
            challenge.pk
            for block in table.groups
            if block.number in self.groups
            for row in block.challenges
            if (challenge := self.challenges[self.groups[block.number].pk].get(row.number))
        ]
        existing: dict[int, dict[str, int | None]] = {pk: {} for pk in named}
        if named:
            rows = ActionPoint.objects.filter(challenge__in=named).values_list(
                "challenge_id", "id", "description"
            )
            for challenge_id, pk, text in rows:
                existing[challenge_id][normalize_name(text)] = pk
        return existing

    def group(self, block) -> None:
        leader = self.people.get(block.team_leader) if block.team_leader else None
        members = [self.people.get(name) for name in block.team_members]
        group = self.groups.get(block.number)
        if group is None:
            # Created in bulk by finish() (working_groups_create); its challenges are new.
            group = new_working_group(self.plan, block.number, block.name, leader)
            self.new_groups.append((group, members))
            self.result.groups += 1
            challenges: dict[int, Challenge] = {}
        else:
            self._add_people(group, leader, members)
            challenges = self.challenges[group.pk]
        for row in block.challenges:
            self.challenge(group, challenges, row)

    def _add_people(self, group, leader, members) -> None:
        """Keep who is there; add who is new."""
        current = self.members[group.pk]
        added = [person for person in members if person not in current]
        if added:
            set_team_members(group, current + added)
        if leader and group.team_leader_id is None:
            group.team_leader = leader
            group._history_user = self.created_by
            group.save(update_fields=["team_leader", "updated"])
            record_namings(group.plan_id, [leader.pk])

    def challenge(self, group, challenges: dict, row) -> None:
        challenge = challenges.get(row.number)
        if challenge is None:
            # Created in bulk by finish(), with the checks of challenge_create: the
            # number is unique here (the dict is keyed by it), 1 to 32767.
            if not 1 <= row.number <= 32767:
                raise ValidationError(
                    {
                        "number": _("Challenge number %(number)s is not between 1 and 32767.")
                        % {"number": row.number}
                    }
                )
            challenge = challenges[row.number] = new_challenge(group, row.number, row.description)
            self.new_challenges.append(challenge)
            self.result.challenges += 1
            existing: dict[str, int | None] = {}
        else:
            existing = self.existing[challenge.pk]
        for point in row.action_points:
            key = normalize_name(point.description)
            if key in existing:
                self.result.unchanged += 1
                # An action point already there takes the PIM values its row gives; an
                # empty cell leaves its own as they are (docs/domain.md, Imports).
                if existing[key] is not None and point.pim.given:
                    self.reclassify.append((existing[key], point.pim))
                continue
            assignments = [
                FocalPointAssignment(
                    person=self.people.get(entry.name, entry.organization),
                    role=entry.role,
                    note=entry.note,
                )
                for entry in self.focal_entries[id(point)]
            ]
            self.pending.append((challenge, point, assignments))
            existing[key] = None

    def finish(self, plan_created: bool, keep_unreadable: bool) -> ImportResult:
        working_groups_create(groups=self.new_groups, created_by=self.created_by)
        # In bulk: challenge_create, one challenge at a time, runs validation queries and
        # writes history row by row, which a table of thousands of challenges cannot afford.
        _bulk_create(self.new_challenges, Challenge, self.created_by)
        self.result.action_points = _bulk_create_points(
            self.pending, created_by=self.created_by, keep_unreadable=keep_unreadable
        )
        self.result.retagged = self._reclassify()
        self.result.people = self.people.created
        self.result.reused = self.people.reused
        self.result.ambiguous = self.people.ambiguous
        self.result.plan_created = plan_created
        return self.result

    def _reclassify(self) -> int:
        """Set the PIM values rows give to action points already there, through the
        one service (it validates, bumps the version, keeps history): how many changed."""
        points = ActionPoint.objects.in_bulk([pk for pk, _pim in self.reclassify])
        changed = 0
        for pk, pim in self.reclassify:
            point = points[pk]
            version = point.version
            action_point_classify(
                action_point=point,
                user=self.created_by,
                pim_categories=pim.pim_categories,
                pim_principles=pim.pim_principles,
                pim_process_step=pim.pim_process_step,
                priority=pim.priority,
            )
            changed += point.version != version
        return changed


def table_people(table: WorkshopTable) -> list[tuple[str, str | None]]:
    """Every (name, organization) a read table names, for its preview: a focal-point
    cell that cannot be read (an error the preview shows) names nobody."""
    focal_entries = {}
    for block in table.groups:
        for challenge in block.challenges:
            for point in challenge.action_points:
                try:
                    focal_entries[id(point)] = point.focal_entries
                except ValidationError:
                    focal_entries[id(point)] = []
    return list(_table_people(table, focal_entries))


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


# The PIM tags an import writes: (kind, the row's and the service's field, choices).
_TAG_KINDS = (
    (PimTagKind.CATEGORY, "pim_categories", PimCategory),
    (PimTagKind.PRINCIPLE, "pim_principles", PimPrinciple),
)


def _bulk_create_points(
    pending: list[tuple[Challenge, object, list[FocalPointAssignment]]],
    *,
    created_by: User | None,
    keep_unreadable: bool,
) -> int:
    """Create many action points with their focal points and history rows in a few
    queries: the same checks as action_point_create, row by row, then bulk inserts.
    (action_point_create runs several queries per row: too many for a table of
    thousands of rows.)"""
    if not pending:
        return 0
    tops = dict(
        ActionPoint.objects.filter(challenge__in={c.pk for c, _row, _fp in pending})
        .values("challenge_id")
        .annotate(top=Max("position"))
        .values_list("challenge_id", "top")
    )
    points: list[ActionPoint] = []
    # The choices, read once (an enum's values are built anew at each reading).
    priorities, steps = Priority.values, PimProcessStep.values
    tag_kinds = [(kind, name, choices.values) for kind, name, choices in _TAG_KINDS]
    deadline_label, description_label = _("Deadline"), _("Description")
    for challenge, row, assignments in pending:
        tops[challenge.pk] = position = tops.get(challenge.pk, 0) + 1
        deadline = check_text(
            row.deadline, field="deadline", label=deadline_label, required=False, max_length=100
        )
        parsed = derive_deadline(deadline, keep_unreadable=keep_unreadable)
        status = row.status or ActionPointStatus.NOT_STARTED
        check_status(status)
        progress = 100 if status == ActionPointStatus.COMPLETED else (row.progress or 0)
        check_progress(progress)
        check_assignments(assignments)
        pim: PimCells = row.pim
        points.append(
            ActionPoint(
                challenge=challenge,
                position=position,
                description=check_text(
                    row.description,
                    field="description",
                    label=description_label,
                    required=True,
                    max_length=5000,
                ),
                deadline=deadline,
                deadline_precision=parsed.precision,
                due_date=parsed.due_date,
                status=status,
                progress=progress,
                # Checked as action_point_classify checks them (the reader found slugs).
                priority=check_choice(
                    "priority", pim.priority or Priority.NORMAL, priorities, blank=False
                ),
                pim_process_step=check_choice(
                    "pim_process_step", pim.pim_process_step or "", steps, blank=True
                ),
            )
        )
    created = _bulk_create(points, ActionPoint, created_by)
    tags = [
        PimTag(action_point=point, kind=kind, slug=slug)
        for point, (_challenge, row, _fp) in zip(created, pending, strict=True)
        for kind, field_name, allowed in tag_kinds
        for slug in check_slugs(field_name, getattr(row.pim, field_name) or [], allowed)
    ]
    _bulk_create(tags, PimTag, created_by)
    focal_points = [
        FocalPoint(action_point=point, person=a.person, role=a.role, note=a.note.strip())
        for point, (_challenge, _row, assignments) in zip(created, pending, strict=True)
        for a in assignments
    ]
    _bulk_create(focal_points, FocalPoint, created_by)
    if pending:
        plan_id = pending[0][0].working_group.plan_id
        record_namings(plan_id, [focal_point.person_id for focal_point in focal_points])
    return len(created)


def _bulk_create(objs: list, model, created_by: User | None) -> list:
    """Insert the rows and their history rows ("+", by the importer), in batches."""
    return bulk_create_with_history(objs, model, batch_size=1000, default_user=created_by)


def plan_create_from_workshop(*, table: WorkshopTable, **options) -> ActionPlan:
    """A new plan from a read table (see plan_import)."""
    return plan_import(table=table, plan=None, **options).plan
