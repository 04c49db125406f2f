"""XLSX: the plan laid out as the workshop wrote it (groups, then their challenges
with the action points beside them), and the flat rows on a second sheet. The
importer reads either sheet back.

The workshop sheet is for people: its words (sheet names, group and team lines,
headers) are in the language of the request, right to left in Arabic. The flat
sheet is the CSV export's rows, in English for machines (rows.FLAT_COLUMNS).

Every text a user wrote goes in through cells.safe_cell: neutralised (formula
injection) and without the control characters a workbook cannot hold (openpyxl
refuses them), so that no stored character can fail the export."""

from __future__ import annotations

import datetime
import io

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import get_language_bidi, gettext, gettext_noop
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from actionplans.choices import ActionPointStatus
from actionplans.exports.cells import safe_cell
from actionplans.exports.rows import (
    FLAT_COLUMNS,
    export_points,
    flat_rows,
    focal_points_text,
    group_people,
)
from actionplans.models import ActionPlan, ActionPoint, Challenge
from pim_tracker.characters import printable

BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6EC")
WRAP = Alignment(wrap_text=True, vertical="top")
PLAN_WIDTHS = (45, 60, 18, 30, 14, 10)
FLAT_WIDTHS = (24, 24, 14, 24, 40, 50, 14, 12, 12, 9, 30, 40, 30, 17, 20, 40, 40, 24, 10)
# Dates and times are date cells (numbers Excel sorts and filters as dates), shown so.
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "yyyy-mm-dd hh:mm"
# The flat sheet's date columns (1-based) and their formats.
_DATE_COLUMNS = (
    (FLAT_COLUMNS.index("Due date") + 1, DATE_FORMAT),
    (FLAT_COLUMNS.index("Last update") + 1, TIME_FORMAT),
)

# The workshop sheet's words, translated when the workbook is written.
# Translators: a sheet name of the exported workbook (at most 31 characters).
PLAN_SHEET = gettext_noop("Plan")
# Translators: a sheet name of the exported workbook (at most 31 characters).
FLAT_SHEET = gettext_noop("Action points")
# Translators: a group's line in the exported workbook. The importer reads it back: keep
# a word it knows for "group" (Groupe, المجموعة) before the number.
GROUP_LINE = gettext_noop("Group %(number)s: %(name)s")
# Translators: the team lines and column headers of the exported workbook. The importer
# reads them back: use the words it knows (actionplans/imports/table.py, COLUMN_ALIASES).
TEAM_LEADER = gettext_noop("Team leader")
TEAM_MEMBERS = gettext_noop("Team members")
PLAN_HEADER = (
    gettext_noop("Challenges"),
    gettext_noop("Action Point"),
    gettext_noop("Timeline / Deadline"),
    gettext_noop("Focal point"),
)
# Translators: column headers of the exported workbook's workshop sheet, after the four
# columns the importer reads there.
PROGRESS_HEADER = (gettext_noop("Status"), gettext_noop("Progress (%)"))
# What a sheet name cannot hold, and its longest length.
_NOT_IN_SHEET_NAMES = str.maketrans(dict.fromkeys("[]:*?/\\", " "))
_SHEET_NAME_MAX = 31


def plan_workbook(plan: ActionPlan) -> bytes:
    """An XLSX with the plan laid out as the workshop wrote it, plus a flat sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_name(gettext(PLAN_SHEET))
    _write_plan_sheet(sheet, plan)
    _write_flat_sheet(workbook.create_sheet(_sheet_name(gettext(FLAT_SHEET))), plan)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _sheet_name(text: str) -> str:
    """A translated sheet name as a workbook accepts it."""
    return text.translate(_NOT_IN_SHEET_NAMES).strip()[:_SHEET_NAME_MAX]


def _write_plan_sheet(sheet: Worksheet, plan: ActionPlan) -> None:
    """The title, then each group: its people, and its challenges' action points."""
    header = [gettext(word) for word in (*PLAN_HEADER, *PROGRESS_HEADER)]
    leader_label, members_label = gettext(TEAM_LEADER), gettext(TEAM_MEMBERS)
    sheet.sheet_view.rightToLeft = get_language_bidi()
    sheet.append([safe_cell(plan.title)])
    sheet["A1"].font = Font(bold=True, size=14)
    people = group_people(plan.working_groups.all())
    points_by_challenge: dict[int, list[ActionPoint]] = {}
    for point in export_points(plan):
        points_by_challenge.setdefault(point.challenge_id, []).append(point)
    groups = plan.working_groups.order_by("number").prefetch_related(
        Prefetch("challenges", queryset=Challenge.objects.order_by("number"))
    )
    for group in groups:
        leader, members = people.get(group.pk, ("", ""))
        sheet.append([])
        line = gettext(GROUP_LINE) % {"number": group.number, "name": group.name}
        sheet.append([safe_cell(line)])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=12)
        # Written only when known: the importer refuses a "Team leader" row without a name.
        if leader:
            sheet.append([leader_label, safe_cell(leader)])
        if members:
            sheet.append([members_label, safe_cell(members)])
        sheet.append(header)
        _style_header(sheet, sheet.max_row)
        for challenge in group.challenges.all():  # prefetched in order: no query per group
            _write_challenge(sheet, challenge, points_by_challenge.get(challenge.pk, []))
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = WRAP
    _set_widths(sheet, PLAN_WIDTHS)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _write_challenge(sheet: Worksheet, challenge: Challenge, points: list[ActionPoint]) -> None:
    """A challenge in the first column, beside its action points (one row each)."""
    label = safe_cell(f"{challenge.number}. {challenge.description}")
    if not points:
        sheet.append([label])
        return
    first = sheet.max_row + 1
    for index, point in enumerate(points):
        sheet.append(
            [
                label if index == 0 else None,
                safe_cell(point.description),
                safe_cell(point.deadline),
                safe_cell(focal_points_text(point)),
                str(ActionPointStatus(point.status).label),  # for people: in their language
                point.progress,
            ]
        )
    if len(points) > 1:
        # Merged like the workshop's table; the importer reads it back.
        sheet.merge_cells(start_row=first, start_column=1, end_row=sheet.max_row, end_column=1)


def _write_flat_sheet(sheet: Worksheet, plan: ActionPlan) -> None:
    """The flat rows, as in the CSV export, under a frozen header, with an autofilter
    over the whole table; dates as date cells."""
    for row in flat_rows(plan):  # neutralised already
        sheet.append([excel_value(value) for value in row])
        for column, number_format in _DATE_COLUMNS:
            cell = sheet.cell(sheet.max_row, column)
            if isinstance(cell.value, datetime.date):
                cell.number_format = number_format
    _style_header(sheet, 1)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(sheet.max_column)}{sheet.max_row}"
    _set_widths(sheet, FLAT_WIDTHS)


def excel_value(value: object) -> object:
    """A value as a workbook cell holds it: text printable (neutralised already), a time
    in the site's time zone without it (a workbook's times have none)."""
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    return printable(value)


def _style_header(sheet: Worksheet, row: int) -> None:
    for cell in sheet[row]:
        cell.font, cell.fill = BOLD, HEADER_FILL


def _set_widths(sheet: Worksheet, widths: tuple[int, ...]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
