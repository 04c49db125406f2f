"""Exports of a plan: flat CSV (streamed), HXL, workshop-layout XLSX, iCalendar.

The flat CSV has the columns the importer reads back, so an export re-imports
to the same plan. Every text cell that a spreadsheet would run as a formula is
neutralised (formula injection).
"""

from __future__ import annotations

import datetime
import functools
import io
from collections.abc import Iterator

from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet, TextField, Value
from django.db.models.functions import Coalesce, Concat, NullIf
from django.urls import reverse

from actionplans.choices import ActionPointStatus, FocalPointRole
from actionplans.exports.cells import FORMULA_STARTS, neutralise
from actionplans.models import (
    ROLE_ORDER,
    ActionPlan,
    ActionPoint,
    Challenge,
    FocalPoint,
    WorkingGroup,
    with_focal_points,
)
from actionplans.parsing import looks_like_organization

CHUNK = 2000

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
]

# DOMAIN.md's HXL columns: (header, hashtag).
HXL_COLUMNS = [
    ("Plan id", "#meta+id"),
    ("Plan link", "#meta+url"),
    ("Country", "#country+name"),
    ("Working group", "#x_workinggroup+name"),
    ("Challenge", "#description+challenge"),
    ("Action point", "#activity+name"),
    ("Deadline as written", "#description+deadline"),
    ("Due date", "#date+end"),
    ("Status", "#status"),
    ("Progress (%)", "#x_progress+pct"),
    ("Lead", "#contact+name+lead"),
    ("Support", "#contact+name+support"),
    ("Advisor", "#contact+name+advisor"),
    ("Lead's organization", "#org+name"),
]


def export_points(plan: ActionPlan) -> Iterator[ActionPoint]:
    """The plan's action points in workshop order, read in chunks (constant memory)."""
    points: QuerySet[ActionPoint] = (
        ActionPoint.objects.filter(challenge__working_group__plan=plan)
        .select_related("challenge__working_group__plan")
        .prefetch_related(with_focal_points())
        .order_by("challenge__working_group__number", "challenge__number", "position", "id")
    )
    return points.iterator(chunk_size=CHUNK)


ROLE_LABELS = {role: label.lower() for role, label in FocalPointRole.choices}


@functools.lru_cache(maxsize=1024)
def _written_organization(organization: str | None) -> str | None:
    return organization if organization and looks_like_organization(organization) else None


def focal_point_text(name: str, role: str, note: str, organization: str | None) -> str:
    """ "Jad (lead, UNHCR) (tbc)": role, organization when it reads back as one, note."""
    written = _written_organization(organization)
    details = f"{ROLE_LABELS[role]}, {written}" if written else ROLE_LABELS[role]
    return f"{name} ({details}) ({note})" if note else f"{name} ({details})"


def focal_points_text(point: ActionPoint) -> str:
    """ "Fanette (lead), Fred (advisor)": what parse_focal_points reads back."""
    return ", ".join(
        focal_point_text(
            fp.person.name,
            fp.role,
            fp.note,
            fp.person.organization.short_name if fp.person.organization else None,
        )
        for fp in point.focal_point_list
    )


def _group_people(groups: QuerySet[WorkingGroup]) -> dict[int, tuple[str, str]]:
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


# Workshop order across plans: integers only, so that Python compares the keys
# of the two streams below exactly as the database sorted them.
WORKSHOP_ORDER = (
    "challenge__working_group__plan_id",
    "challenge__working_group__number",
    "challenge__number",
    "position",
    "id",
)
FLAT_FIELDS = (
    "challenge_id",
    "challenge__working_group__plan__title",
    "challenge__working_group_id",
    "challenge__working_group__name",
    "challenge__description",
    "description",
    "deadline",
    "due_date",
    "status",
    "progress",
)
FOCAL_FIELDS = (
    "person__name",
    "role",
    "note",
    "person__organization__acronym",
    "person__organization__name",
)


def flat_rows(plan: ActionPlan) -> Iterator[list[object]]:
    """Header, then one row per action point of the plan: the flat layout."""
    return flat_rows_of(ActionPoint.objects.filter(challenge__working_group__plan=plan))


def flat_rows_of(points: QuerySet[ActionPoint]) -> Iterator[list[object]]:
    """Header, then one row per action point, plan by plan in workshop order.

    Constant memory, no model instances and a fixed number of queries, in one
    transaction (a single read-only snapshot on PostgreSQL). On PostgreSQL one
    server-side cursor reads the action points with their focal points packed
    by the database (_postgresql_rows); elsewhere two ordered streams, the
    action points and their focal points, are merged here (_merged_rows).
    `make bench` compares it with PostgreSQL's COPY.
    """
    yield FLAT_COLUMNS
    points = points.prefetch_related(None)
    database = points.db
    db_connection = transaction.get_connection(database)
    outermost = not db_connection.in_atomic_block
    with transaction.atomic(using=database, savepoint=False):
        if outermost and db_connection.vendor == "postgresql":
            with db_connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                # Every row will be read: plan for the whole result, not the first
                # 10 % that PostgreSQL assumes of a cursor.
                cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
        people = _group_people(
            WorkingGroup.objects.using(database).filter(
                pk__in=points.values("challenge__working_group_id")
            )
        )
        rows = _FlatRows(people)
        if db_connection.vendor == "postgresql":
            yield from _postgresql_rows(points, rows)
        else:
            yield from _merged_rows(points, rows)


class _FlatRows:
    """Builds the flat rows; the cells a challenge's action points share are
    made once per challenge (and kept for the current plan only)."""

    def __init__(self, people: dict[int, tuple[str, str]]) -> None:
        self.people = people
        self.status_labels = dict(ActionPointStatus.choices)
        self.shared: dict[int, list[str]] = {}
        self.plan_id: int | None = None

    def row(self, point: tuple, focal_points: str) -> list[object]:
        """`point`: the values of WORKSHOP_ORDER and FLAT_FIELDS, in that order
        (more may follow). Called 100,000 times for a large export: it reads by
        position and tests for formulas inline."""
        if point[0] != self.plan_id:
            self.shared, self.plan_id = {}, point[0]
        shared = self.shared.get(point[5])
        if shared is None:
            _plan, group_number, challenge_number, _pos, _id, _challenge, plan_title = point[:7]
            group_id, group_name, challenge_description = point[7:10]
            leader, members = self.people.get(group_id, ("", ""))
            shared = self.shared[point[5]] = [
                neutralise(plan_title),
                neutralise(f"Group {group_number}: {group_name}"),
                neutralise(leader),
                neutralise(members),
                neutralise(f"{challenge_number}. {challenge_description}"),
            ]
        description, deadline, due_date, status, progress = point[10:15]
        return [
            *shared,
            "'" + description if description.startswith(FORMULA_STARTS) else description,
            "'" + deadline if deadline.startswith(FORMULA_STARTS) else deadline,
            due_date.isoformat() if due_date else "",
            self.status_labels[status],
            progress,  # a number, in the workbook too
            "'" + focal_points if focal_points.startswith(FORMULA_STARTS) else focal_points,
        ]


# Separators of the focal points PostgreSQL packs into one text per action point:
# control characters no name or note is expected to hold (if one does, the
# unpacking notices and reads that point's focal points on their own).
_ENTRY, _FIELD = "\x1e", "\x1f"


def _postgresql_rows(points: QuerySet[ActionPoint], rows: _FlatRows) -> Iterator[list[object]]:
    """The flat rows by one query: the action points in workshop order, each with
    its focal points aggregated (STRING_AGG) in one join, read through a
    server-side cursor. Against two merged streams: 1.8 -> 1.3 s for 100,000
    action points, and 244 -> 49 ms for a 500-point plan's export."""
    from django.contrib.postgres.aggregates import StringAgg

    database = points.db
    focal_points = _focal_points_of_points(points)
    organization = Coalesce(
        NullIf("person__organization__acronym", Value("")),
        "person__organization__name",
        Value(""),
    )
    packed = (
        focal_points.order_by()
        .values("action_point_id")
        .annotate(
            entries=Count("id"),
            packed=StringAgg(
                Concat(
                    "person__name",
                    Value(_FIELD),
                    "role",
                    Value(_FIELD),
                    "note",
                    Value(_FIELD),
                    organization,
                    output_field=TextField(),
                ),
                delimiter=_ENTRY,
                order_by=(ROLE_ORDER, "id"),
            ),
        )
        .values_list("action_point_id", "entries", "packed")
    )
    point_columns = ", ".join(_POINT_COLUMNS)
    point_sql, point_params = (
        points.order_by()
        .values_list(*WORKSHOP_ORDER, *FLAT_FIELDS)
        .query.get_compiler(using=database)
        .as_sql()
    )
    packed_sql, packed_params = packed.query.get_compiler(using=database).as_sql()
    sql = (
        f"SELECT p.*, f.entries, f.packed FROM ({point_sql}) AS p({point_columns}) "
        f"LEFT JOIN ({packed_sql}) AS f(action_point_id, entries, packed) "
        "ON f.action_point_id = p.point_id "
        f"ORDER BY {', '.join(f'p.{column}' for column in _POINT_COLUMNS[:5])}"
    )
    cursor = transaction.get_connection(database).chunked_cursor()
    try:
        cursor.execute(sql, (*point_params, *packed_params))
        row = rows.row
        while batch := cursor.fetchmany(CHUNK):
            for point in batch:  # the 15 flat values, then entries and packed
                texts = _unpacked(point[16], point[15]) if point[16] else ""
                if texts is None:
                    texts = _focal_points_of(point[4], database)
                yield row(point, texts)
    finally:
        # Close the cursor while the transaction that holds it is open: a client
        # that stops reading mid-file ends up here too.
        cursor.close()


_POINT_COLUMNS = (
    "plan_id",
    "group_number",
    "challenge_number",
    "position",
    "point_id",
    "challenge_id",
    "plan_title",
    "group_id",
    "group_name",
    "challenge_description",
    "description",
    "deadline",
    "due_date",
    "status",
    "progress",
)


def _unpacked(packed: str, entries: int) -> str | None:
    """ "Jad (lead, UNHCR), Rana (support) (tbc)" from the packed focal points;
    None if a separator turns up inside a name or note (the count disagrees)."""
    parts = packed.split(_ENTRY)
    if len(parts) != entries:
        return None
    texts = []
    for part in parts:
        fields = part.split(_FIELD)
        if len(fields) != 4:
            return None
        texts.append(focal_point_text(*fields))
    return ", ".join(texts)


def _focal_points_of_points(points: QuerySet[ActionPoint]) -> QuerySet[FocalPoint]:
    """The focal points of these action points: every focal point, with no
    subquery, when the action points are not filtered."""
    focal_points = FocalPoint.objects.using(points.db).all()
    if points.query.has_filters():
        focal_points = focal_points.filter(action_point__in=points.order_by().values("id"))
    return focal_points


def _focal_text(fields: tuple) -> str:
    """The text of one focal point from the values of FOCAL_FIELDS."""
    name, role, note, acronym, organization = fields
    return focal_point_text(name, role, note, acronym or organization)


def _focal_points_of(point_id: int, database: str) -> str:
    focal_points = (
        FocalPoint.objects.using(database)
        .filter(action_point_id=point_id)
        .order_by(ROLE_ORDER, "id")
        .values_list(*FOCAL_FIELDS)
    )
    return ", ".join(_focal_text(fields) for fields in focal_points)


def _merged_rows(points: QuerySet[ActionPoint], rows: _FlatRows) -> Iterator[list[object]]:
    """The flat rows from two ordered streams merged here: the action points, and
    their focal points."""
    points_stream = (
        points.order_by(*WORKSHOP_ORDER)
        .values_list(*WORKSHOP_ORDER, *FLAT_FIELDS)
        .iterator(chunk_size=CHUNK)
    )
    focal_points = _focal_points_of_points(points)
    focal_stream = (
        focal_points.order_by(*(f"action_point__{key}" for key in WORKSHOP_ORDER), ROLE_ORDER, "id")
        .values_list(*(f"action_point__{key}" for key in WORKSHOP_ORDER), *FOCAL_FIELDS)
        .iterator(chunk_size=CHUNK)
    )
    try:
        pending = next(focal_stream, None)
        for point in points_stream:
            texts = []
            # Both streams are in the same order: take this point's focal points. In
            # one snapshot they hold the same points; if not (a caller's transaction
            # that is not), skip what sorts before this point rather than stall.
            while pending is not None:
                if pending[4] == point[4]:
                    texts.append(_focal_text(pending[5:]))
                elif pending[:5] > point[:5]:
                    break
                pending = next(focal_stream, None)
            yield rows.row(point, ", ".join(texts))
    finally:
        # Close both cursors while the transaction that holds them is open.
        points_stream.close()
        focal_stream.close()


def hxl_rows(plan: ActionPlan, base_url: str) -> Iterator[list[object]]:
    """HXL: headers, then the hashtag row, then one row per action point."""
    yield [header for header, _tag in HXL_COLUMNS]
    yield [tag for _header, tag in HXL_COLUMNS]
    plan_url = base_url + reverse("actionplans:plan_detail", args=[plan.pk])
    for point in export_points(plan):
        by_role: dict[str, list[str]] = {role: [] for role in FocalPointRole.values}
        lead_orgs: list[str] = []
        for fp in point.focal_point_list:
            by_role[fp.role].append(fp.person.name)
            if fp.role == FocalPointRole.LEAD and fp.person.organization:
                lead_orgs.append(fp.person.organization.short_name)
        group = point.challenge.working_group
        yield [
            neutralise(value)
            for value in (
                plan.pk,
                plan_url,
                plan.country,
                group.name,
                point.challenge.description,
                point.description,
                point.deadline,
                point.due_date.isoformat() if point.due_date else "",
                point.status,
                point.progress,
                ", ".join(by_role[FocalPointRole.LEAD]),
                ", ".join(by_role[FocalPointRole.SUPPORT]),
                ", ".join(by_role[FocalPointRole.ADVISOR]),
                ", ".join(dict.fromkeys(lead_orgs)),
            )
        ]


def csv_cell(value: object) -> str:
    """One cell exactly as csv.writer's default (excel) dialect writes it: quoted
    only when it holds a comma, a double quote or a line break."""
    if value.__class__ is not str:
        value = "" if value is None else str(value)
    if '"' in value or "," in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_lines(rows: Iterator[list[object]], block: int = 256) -> Iterator[str]:
    """CSV text in blocks of `block` rows: one chunk per row costs the response
    more than writing the row (100,000 rows: about a second). The rows are
    joined here rather than by csv.writer, which took three times as long
    (0.74 s for 100,000 rows); a test holds both to the same text."""
    # A BOM so that Excel opens UTF-8 (Arabic, French names) correctly.
    yield "\ufeff"
    lines: list[str] = []
    for row in rows:
        line = ",".join([csv_cell(value) for value in row])
        # csv.writer quotes a record that would otherwise be an empty line.
        lines.append(line if line or len(row) != 1 else '""')
        if len(lines) == block:
            lines.append("")
            yield "\r\n".join(lines)
            lines = []
    if lines:
        lines.append("")
        yield "\r\n".join(lines)


# --- XLSX: the workshop's table, and a flat sheet ---------------------------------------


def plan_workbook(plan: ActionPlan) -> bytes:
    """An XLSX with the plan laid out as the workshop wrote it, plus a flat sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Plan"[:31]
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE6EC")
    wrap = Alignment(wrap_text=True, vertical="top")
    sheet.append([neutralise(plan.title)])
    sheet["A1"].font = Font(bold=True, size=14)
    people = _group_people(plan.working_groups.all())
    points_by_challenge: dict[int, list[ActionPoint]] = {}
    challenges = {}
    for point in export_points(plan):
        points_by_challenge.setdefault(point.challenge_id, []).append(point)
        challenges[point.challenge_id] = point.challenge
    groups = plan.working_groups.order_by("number").prefetch_related(
        Prefetch("challenges", queryset=Challenge.objects.order_by("number"))
    )
    for group in groups:
        leader, members = people.get(group.pk, ("", ""))
        sheet.append([])
        sheet.append([neutralise(f"Group {group.number}: {group.name}")])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=12)
        # Written only when known: the importer refuses a "Team leader" row without a name.
        if leader:
            sheet.append(["Team leader", neutralise(leader)])
        if members:
            sheet.append(["Team members", neutralise(members)])
        sheet.append(["Challenges", "Action Point", "Timeline / Deadline", "Focal point"])
        for cell in sheet[sheet.max_row]:
            cell.font, cell.fill = bold, header_fill
        for challenge in group.challenges.all():  # prefetched in order: no query per group
            points = points_by_challenge.get(challenge.pk, [])
            first = sheet.max_row + 1
            label = neutralise(f"{challenge.number}. {challenge.description}")
            if not points:
                sheet.append([label])
                continue
            for index, point in enumerate(points):
                sheet.append(
                    [
                        label if index == 0 else None,
                        neutralise(point.description),
                        neutralise(point.deadline),
                        neutralise(focal_points_text(point)),
                    ]
                )
            if len(points) > 1:
                # Merged like the workshop's table; the importer reads it back.
                sheet.merge_cells(
                    start_row=first, start_column=1, end_row=sheet.max_row, end_column=1
                )
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
    for index, width in enumerate((45, 60, 18, 30), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    flat = workbook.create_sheet("Action points")
    for row in flat_rows(plan):
        flat.append(row)
    for cell in flat[1]:
        cell.font, cell.fill = bold, header_fill
    flat.freeze_panes = "A2"
    for index, width in enumerate((24, 24, 14, 24, 40, 50, 14, 12, 12, 9, 30), start=1):
        flat.column_dimensions[get_column_letter(index)].width = width
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# --- iCalendar ------------------------------------------------------------------------------


def calendar(name: str, points: Iterator[ActionPoint], base_url: str) -> bytes:
    """One all-day event per dated action point, on its due date."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//PIM Action Tracker//Deadlines//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    stamp = datetime.datetime.now(datetime.UTC)
    for point in points:
        if point.due_date is None:
            continue
        group = point.challenge.working_group
        lines = [
            f"Deadline as written: {point.deadline}",
            f"Status: {ActionPointStatus(point.status).label}, {point.progress} %",
            f"Focal points: {focal_points_text(point) or 'none'}",
            f"Plan: {group.plan.title}",
            f"Group {group.number}: {group.name}",
            f"Challenge {point.challenge.number}: {point.challenge.description}",
        ]
        url = base_url + reverse("actionplans:actionpoint_detail", args=[point.pk])
        event = Event()
        event.add("uid", f"actionpoint-{point.pk}@pim-action-tracker")
        event.add("dtstamp", stamp)
        event.add("dtstart", point.due_date)
        event.add("dtend", point.due_date + datetime.timedelta(days=1))
        event.add("summary", point.description[:200])
        event.add("description", "\n".join(lines) + f"\n{url}")
        event.add("url", url)
        cal.add_component(event)
    return cal.to_ical()
