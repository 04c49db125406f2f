"""The rows every export is made of: the flat layout (one row per action point,
the columns the importer reads back), the focal points as text, and a plan's
action points in workshop order.

Every text cell a spreadsheet would run as a formula is neutralised (formula
injection, cells.py); the importer undoes it. Characters no export can write are
left out where the rows are written (csv.py, xlsx.py).
"""

from __future__ import annotations

import datetime
import functools
import itertools
from collections.abc import Iterator

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone, translation

from actionplans.choices import (
    ActionPointStatus,
    FocalPointRole,
    PimCategory,
    PimPrinciple,
    PimProcessStep,
    Priority,
)
from actionplans.exports.cells import neutralise
from actionplans.exports.reading import (
    CHUNK,
    PIM_SEPARATOR,
    points_with_focal_points,
    snapshot,
)
from actionplans.models import (
    ActionPlan,
    ActionPoint,
    WorkingGroup,
    with_focal_points,
    with_pim_tags,
)
from actionplans.parsing import looks_like_organization

# The flat layout's columns, in English whatever the language of the request: CSV and
# the workbook's flat sheet are read by machines (and by the importer), so their column
# names, like their status and role words, never change with the language.
FLAT_COLUMNS = [
    "Plan",
    "Working group",
    "Team leader",
    "Team members",
    "Challenge",
    "Action point",
    "Deadline",
    "Due date",
    "Status",
    "Progress",
    "Focal points",
    # What the latest progress updates say: the note of the latest with a note, the
    # evidence link of the latest with a link, when the latest was made and by whom.
    "Latest note",
    "Evidence link",
    "Last update",
    "Last update by",
    # What it advances in the PIM framework, and its priority (English labels, several
    # separated by PIM_LIST_SEPARATOR): the importer reads them back (imports/pim.py).
    "PIM categories",
    "PIM principles",
    "PIM process step",
    "Priority",
]
# Several PIM categories or principles in one cell (the importer splits on ";").
PIM_LIST_SEPARATOR = "; "

# The cells a challenge's action points share: plan, group, team leader,
# members, challenge (what csv_blocks may write once for all of them).
SHARED_CELLS = FLAT_COLUMNS.index("Action point")


@functools.cache
def english_labels(choices: type[models.Choices]) -> dict[str, str]:
    """Each value's label in English, whatever the language of the request: the words
    the flat export writes for machines (and the importer reads back)."""
    with translation.override("en"):
        return {value: str(label) for value, label in choices.choices}


def export_points(
    plan: ActionPlan, *, last_update: bool = False, pim_tags: bool = False
) -> Iterator[ActionPoint]:
    """The plan's action points in workshop order, with their focal points, read in
    chunks (constant memory): what the HXL, XLSX and calendar exports write.

    `last_update`: with what their latest progress updates say (with_last_update).
    `pim_tags`: with their PIM tags (with_pim_tags; one query more per chunk)."""
    points: QuerySet[ActionPoint] = (
        ActionPoint.objects.of_plan(plan)
        .in_workshop_order()
        .select_related("challenge__working_group__plan")
        .prefetch_related(with_focal_points())
    )
    if last_update:
        points = points.with_last_update()
    if pim_tags:
        points = points.prefetch_related(with_pim_tags())
    return points.iterator(chunk_size=CHUNK)


def update_time(value: datetime.datetime | None) -> datetime.datetime | str:
    """The time of a last update as the exports write it: in the site's time zone, to
    the second ("2026-11-20 14:03:00+00:00" in CSV); "" when there is none."""
    if value is None:
        return ""
    return value.astimezone(timezone.get_current_timezone()).replace(microsecond=0)


def update_cells(point) -> list[object]:
    """The last four cells of a flat row: latest note, evidence link, last update and
    its author (neutralised; "" for none). `point` has UPDATE_VALUES by name."""
    if point.last_update_at is None:  # no update at all: nothing to say
        return ["", "", "", ""]
    return [
        neutralise(point.latest_note or ""),
        neutralise(point.latest_evidence_url or ""),
        update_time(point.last_update_at),
        neutralise(point.last_update_by or ""),
    ]


def pim_slugs(text: str | None) -> tuple[list[str], list[str]]:
    """The PIM categories and principles of reading.pim_values' text, each in its
    framework's order (their slugs differ)."""
    slugs = set(text.split(PIM_SEPARATOR)) if text else set()
    return (
        [slug for slug in PimCategory.values if slug in slugs],
        [slug for slug in PimPrinciple.values if slug in slugs],
    )


def pim_cells(point) -> list[str]:
    """The last four cells of a flat row: PIM categories, principles, process step (English
    labels) and priority. `point` has pim_tag_text, pim_process_step and priority by name."""
    categories, principles = pim_slugs(point.pim_tag_text)
    category_labels, principle_labels = english_labels(PimCategory), english_labels(PimPrinciple)
    return [
        PIM_LIST_SEPARATOR.join(category_labels[slug] for slug in categories),
        PIM_LIST_SEPARATOR.join(principle_labels[slug] for slug in principles),
        english_labels(PimProcessStep).get(point.pim_process_step, ""),
        english_labels(Priority)[point.priority],
    ]


# --- focal points as text -------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def _written_organization(organization: str | None) -> str | None:
    return organization if organization and looks_like_organization(organization) else None


def focal_point_text(name: str, role: str, note: str, organization: str | None) -> str:
    """ "Jad (lead, UNHCR) (tbc)": role, organization when it reads back as one, note."""
    written = _written_organization(organization)
    # "lead", "support", "advisor": the words parse_focal_points reads.
    word = english_labels(FocalPointRole)[role].lower()
    details = f"{word}, {written}" if written else word
    return f"{name} ({details}) ({note})" if note else f"{name} ({details})"


def focal_points_text(point: ActionPoint) -> str:
    """ "Fanette (lead), Fred (advisor)": what parse_focal_points reads back.

    `point` comes with its focal points prefetched (with_focal_points)."""
    return ", ".join(
        focal_point_text(
            fp.person.name,
            fp.role,
            fp.note,
            fp.person.organization.short_name if fp.person.organization else None,
        )
        for fp in point.focal_point_list
    )


# --- the flat rows --------------------------------------------------------------------


def group_people(groups: QuerySet[WorkingGroup]) -> dict[int, tuple[str, str]]:
    """Team leader and members, as written, of each group: two queries."""
    leaders = dict(groups.order_by().values_list("pk", "team_leader__name"))
    members: dict[int, list[str]] = {pk: [] for pk in leaders}
    # The membership table's ids follow the order of entry (selectors.team_members_in_order).
    memberships = (
        WorkingGroup.team_members.through.objects.filter(
            workinggroup__in=groups.order_by().values("pk")
        )
        .order_by("id")
        .values_list("workinggroup_id", "person__name")
    )
    for group_id, name in memberships:
        members[group_id].append(name)
    return {pk: (leader or "", ", ".join(members[pk])) for pk, leader in leaders.items()}


def flat_rows(plan: ActionPlan) -> Iterator[list[object]]:
    """Header, then one row per action point of the plan: the flat layout."""
    return flat_rows_of(ActionPoint.objects.of_plan(plan))


def flat_rows_of(points: QuerySet[ActionPoint]) -> Iterator[list[object]]:
    """Header, then one row per action point, plan by plan in workshop order.

    Constant memory, no model instances, values read by name, and a fixed number
    of queries (reading.points_with_focal_points), all in one transaction: a
    single read-only snapshot on PostgreSQL, so that every query sees the same
    plans.
    """
    yield FLAT_COLUMNS
    status_labels = english_labels(ActionPointStatus)
    database = points.db
    with snapshot(database):
        people = group_people(
            WorkingGroup.objects.using(database).filter(
                pk__in=points.values("challenge__working_group_id")
            )
        )
        stream = points_with_focal_points(points.prefetch_related(None))
        challenge_id, shared = None, []
        try:
            for point, focal_points in stream:
                # The cells a challenge's action points share are made once per challenge.
                if point.challenge_id != challenge_id:
                    challenge_id, shared = point.challenge_id, _challenge_cells(point, people)
                description, deadline = point.description, point.deadline
                texts = ", ".join(itertools.starmap(focal_point_text, focal_points))
                yield [
                    *shared,
                    neutralise(description),
                    neutralise(deadline),
                    point.due_date or "",  # a date: "2019-03-31" in CSV, a date cell in XLSX
                    status_labels[point.status],
                    point.progress,  # a number, in the workbook too
                    neutralise(texts),
                    *update_cells(point),
                    *pim_cells(point),  # fixed words: nothing to neutralise
                ]
        finally:
            # Close the cursor while the transaction that holds it is open: a client
            # that stops reading mid-file ends up here too.
            stream.close()


def _challenge_cells(point, people: dict[int, tuple[str, str]]) -> list[object]:
    """The first SHARED_CELLS cells: plan, group, team leader, members, challenge."""
    leader, members = people.get(point.group_id, ("", ""))
    return [
        neutralise(point.plan_title),
        neutralise(f"Group {point.group_number}: {point.group_name}"),
        neutralise(leader),
        neutralise(members),
        neutralise(f"{point.challenge_number}. {point.challenge_description}"),
    ]
