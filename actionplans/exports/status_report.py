"""The status report for the IMWG's monthly meeting: for each plan, what changed since
a day, read from the records the services keep.

- completed: action points completed now whose completion (the progress update that
  took them to "completed") is on or after the day;
- moved: their deadline changes on or after the day (old and new deadline and due date,
  the reason);
- newly late: open action points whose due date fell between the day and today: the
  overdue rule (querysets.overdue) and a due date from the day on;
- updates: the progress updates made on or after the day, with their notes.

A fixed number of queries for any number of plans (status_reports); the page
(views/status_report.py) and the workbook (status_report_workbook) show the same rows.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language_bidi, gettext, gettext_noop
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from actionplans.choices import ActionPointStatus
from actionplans.exports.cells import safe_cell
from actionplans.exports.rows import focal_points_text
from actionplans.models import (
    ActionPlan,
    ActionPoint,
    DeadlineChange,
    ProgressUpdate,
    with_focal_points,
)
from actionplans.querysets import PLAN_PATH

# The longest "since" a report goes back (a form field's limit, not a rule of the domain).
MAX_DAYS = 3660


@dataclass
class ReportRow:
    """One line of a section: the action point, and what the section says of it."""

    point: ActionPoint
    when: datetime.datetime | datetime.date | None = None
    by: str = ""
    update: ProgressUpdate | None = None
    change: DeadlineChange | None = None

    @property
    def group(self) -> str:
        group = self.point.challenge.working_group
        return gettext("Group %(number)s: %(name)s") % {"number": group.number, "name": group.name}

    @property
    def status_label(self) -> str:
        status = self.update.status if self.update else self.point.status
        return str(ActionPointStatus(status).label)


@dataclass
class PlanReport:
    plan: ActionPlan
    completed: list[ReportRow] = field(default_factory=list)
    moved: list[ReportRow] = field(default_factory=list)
    newly_late: list[ReportRow] = field(default_factory=list)
    updates: list[ReportRow] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.completed or self.moved or self.newly_late or self.updates)


def start_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment of a day in the site's time zone: "since" includes the day."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def display_name(user, person=None) -> str:
    """Who did it: the account's full name, else its username, else the person who
    reported it from a reminder's link (querysets.last_update_values does the same in SQL)."""
    if user is not None:
        return user.get_full_name() or user.get_username()
    return person.name if person is not None else ""


def status_reports(
    plans: QuerySet[ActionPlan], since: datetime.date, today: datetime.date
) -> list[PlanReport]:
    """Each plan's report (in the order of `plans`), since the start of `since`.

    Six queries whatever the number of plans and rows: the plans, the completions,
    the deadline changes, the newly late action points and their focal points, the
    progress updates."""
    reports = {plan.pk: PlanReport(plan) for plan in plans}
    start = start_of_day(since)
    in_plans = {f"action_point__{PLAN_PATH}__in": list(reports)}
    point_path = "action_point__challenge__working_group"

    completions = (
        ProgressUpdate.objects.filter(
            **in_plans,
            created__gte=start,
            status=ActionPointStatus.COMPLETED,
            action_point__status=ActionPointStatus.COMPLETED,  # still completed
        )
        .exclude(previous_status=ActionPointStatus.COMPLETED)
        .select_related(point_path, "author", "reported_by")
        .order_by("created", "id")
    )
    completed: dict[int, ReportRow] = {}
    for update in completions:  # completed twice since: the last time counts
        completed[update.action_point_id] = ReportRow(
            update.action_point,
            update.created,
            display_name(update.author, update.reported_by),
            update=update,
        )
    for row in sorted(completed.values(), key=lambda row: row.when):
        reports[row.point.challenge.working_group.plan_id].completed.append(row)

    changes = (
        DeadlineChange.objects.filter(**in_plans, changed_at__gte=start)
        .select_related(point_path, "changed_by")
        .order_by("changed_at", "id")
    )
    for change in changes:
        reports[change.action_point.challenge.working_group.plan_id].moved.append(
            ReportRow(
                change.action_point,
                change.changed_at,
                display_name(change.changed_by),
                change=change,
            )
        )

    late = (
        ActionPoint.objects.filter(**{f"{PLAN_PATH}__in": list(reports)})
        .overdue(today)
        .filter(due_date__gte=since)
        .select_related("challenge__working_group")
        .prefetch_related(with_focal_points())
        .order_by("due_date", *ActionPoint._meta.ordering)
    )
    for point in late:
        reports[point.challenge.working_group.plan_id].newly_late.append(
            ReportRow(point, point.due_date, focal_points_text(point))
        )

    updates = (
        ProgressUpdate.objects.filter(**in_plans, created__gte=start)
        .select_related(point_path, "author", "reported_by")
        .order_by("created", "id")
    )
    for update in updates:
        reports[update.action_point.challenge.working_group.plan_id].updates.append(
            ReportRow(
                update.action_point,
                update.created,
                display_name(update.author, update.reported_by),
                update=update,
            )
        )
    return list(reports.values())


# --- the workbook ----------------------------------------------------------------------

# Translators: the title of a plan's sheet in the status report workbook.
REPORT_TITLE = gettext_noop("Status report: %(plan)s")
SINCE = gettext_noop("Changes since")
PRINTED_ON = gettext_noop("Printed on")
COMPLETED = gettext_noop("Completed")
MOVED = gettext_noop("Deadlines moved")
NEWLY_LATE = gettext_noop("Newly late")
UPDATES = gettext_noop("Progress updates and notes")
NOTHING = gettext_noop("Nothing.")
ACTION_POINT = gettext_noop("Action point")
WORKING_GROUP = gettext_noop("Working group")
BY = gettext_noop("By")
COLUMNS = {
    "completed": (ACTION_POINT, WORKING_GROUP, gettext_noop("Completed on"), BY),
    "moved": (
        ACTION_POINT,
        WORKING_GROUP,
        gettext_noop("Moved on"),
        gettext_noop("Old deadline"),
        gettext_noop("Old due date"),
        gettext_noop("New deadline"),
        gettext_noop("New due date"),
        gettext_noop("Reason"),
        BY,
    ),
    "newly_late": (
        ACTION_POINT,
        WORKING_GROUP,
        gettext_noop("Due date"),
        gettext_noop("Status"),
        gettext_noop("Progress (%)"),
        gettext_noop("Focal points"),
    ),
    "updates": (
        gettext_noop("Date"),
        ACTION_POINT,
        WORKING_GROUP,
        BY,
        gettext_noop("Status"),
        gettext_noop("Progress (%)"),
        gettext_noop("Note"),
        gettext_noop("Evidence link"),
    ),
}
SECTIONS = (
    ("completed", COMPLETED),
    ("moved", MOVED),
    ("newly_late", NEWLY_LATE),
    ("updates", UPDATES),
)
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "yyyy-mm-dd hh:mm"
WIDTHS = (50, 28, 16, 20, 16, 20, 16, 40, 30)
_NOT_IN_SHEET_NAMES = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def section_cells(name: str, row: ReportRow) -> list[object]:
    """A row's cells in a section, as COLUMNS names them: text, numbers, dates."""
    point = row.point
    if name == "completed":
        return [point.description, row.group, row.when, row.by]
    if name == "moved":
        change = row.change
        assert change is not None
        return [
            point.description,
            row.group,
            row.when,
            change.old_deadline,
            change.old_due_date,
            change.new_deadline,
            change.new_due_date,
            change.reason,
            row.by,
        ]
    if name == "newly_late":
        return [
            point.description,
            row.group,
            point.due_date,
            row.status_label,
            point.progress,
            row.by,
        ]
    update = row.update
    assert update is not None
    return [
        row.when,
        point.description,
        row.group,
        row.by,
        row.status_label,
        update.progress,
        update.note,
        update.evidence_url,
    ]


def _cell(value: object) -> object:
    """A cell: text made safe (formula injection, control characters), times in the
    site's time zone without it (a workbook's times have none)."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    if value is None or isinstance(value, (datetime.date, int)):
        return value
    return safe_cell(str(value))


def _sheet_name(title: str, taken: set[str]) -> str:
    """A plan's sheet name: its title as a workbook accepts it, unique in the workbook."""
    base = title.translate(_NOT_IN_SHEET_NAMES).strip()[:31] or "Plan"
    name, number = base, 2
    while name.casefold() in taken:
        suffix = f" ({number})"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(name.casefold())
    return name


def status_report_workbook(
    reports: list[PlanReport], since: datetime.date, today: datetime.date
) -> bytes:
    """One sheet per plan: the title, the day since and the day printed, then each
    section under its heading, its rows under a header (or "Nothing.")."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for report in reports:
        sheet = workbook.create_sheet(_sheet_name(report.plan.title, taken))
        sheet.sheet_view.rightToLeft = get_language_bidi()
        sheet.append([_cell(gettext(REPORT_TITLE) % {"plan": report.plan.title})])
        sheet["A1"].font = Font(bold=True, size=14)
        for label, day in ((SINCE, since), (PRINTED_ON, today)):
            sheet.append([gettext(label), day])
            sheet.cell(sheet.max_row, 2).number_format = DATE_FORMAT
        for name, heading in SECTIONS:
            sheet.append([])
            sheet.append([gettext(heading)])
            sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=12)
            rows = getattr(report, name)
            if not rows:
                sheet.append([gettext(NOTHING)])
                continue
            sheet.append([gettext(header) for header in COLUMNS[name]])
            for cell in sheet[sheet.max_row]:
                cell.font = bold
            for row in rows:
                sheet.append([_cell(value) for value in section_cells(name, row)])
                for cell in sheet[sheet.max_row]:
                    if isinstance(cell.value, datetime.datetime):
                        cell.number_format = TIME_FORMAT
                    elif isinstance(cell.value, datetime.date):
                        cell.number_format = DATE_FORMAT
                    cell.alignment = wrap
        for index, width in enumerate(WIDTHS, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if not reports:  # a workbook needs a sheet
        workbook.create_sheet(_sheet_name(gettext(REPORT_TITLE) % {"plan": ""}, taken))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
