"""What a read plan table is, and the rules both layouts read it by.

A table, whatever its layout or format, is read into a WorkshopTable: groups,
their challenges and action points, and every problem found (a RowIssue placed
by sheet, row and column letter). The column headers both layouts recognise,
the patterns of group lines and numbered challenges, how a cell is cleaned and
how a cell's deadline and focal points are checked live here, once.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from openpyxl.utils import get_column_letter

from actionplans.exports.cells import unneutralise
from actionplans.parsing import parse_deadline, parse_focal_points

ERROR = "error"
WARNING = "warning"

# Header words for each column key. A header cell names a key when, without case,
# surrounding spaces or a trailing ":", it is an alias, or an alias followed by a
# plural "s" or "(s)". The workshop layout reads the four columns of WORKSHOP_KEYS;
# the flat layout reads them all.
IGNORED = "ignored"
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "working_group": ("working group", "group", "workstream"),
    "team_leader": ("team leader",),
    "team_members": ("team members",),
    "challenge": ("challenge",),
    "action_point": ("action point", "activity", "activities", "action"),
    "deadline": ("timeline / deadline", "deadline", "timeframe", "timeline"),
    "focal_points": ("focal point", "responsible", "lead"),
    "status": ("status",),
    "progress": ("progress", "progress (%)", "progress %", "% complete"),
    # Written by the export and read back as nothing: derived (Due date) or global (Plan).
    IGNORED: ("plan", "due date", "country", "id", "url"),
}
WORKSHOP_KEYS = ("challenge", "action_point", "deadline", "focal_points")
_KEY_OF_ALIAS = {alias: key for key, aliases in COLUMN_ALIASES.items() for alias in aliases}

# "Group 2: Protection Monitoring", "Working group 1 - Data": a group's number and name.
GROUP = re.compile(r"^(?:working\s+)?group\s*(\d+)\s*[:.\-–]\s*(\S.*)$", re.IGNORECASE)
# "3. Trust between actors", "3) Trust": a numbered challenge.
NUMBERED = re.compile(r"^(\d+)\s*[.)]\s*(.*)$", re.DOTALL)
# The workshop layout's team lines: "Team leader | Jad" or "Team leader: Jad".
LEADER = re.compile(r"^team\s+leaders?\s*:?\s*(.*)$", re.IGNORECASE)
MEMBERS = re.compile(r"^team\s+members?\s*:?\s*(.*)$", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_SLASH = re.compile(r"\s*/\s*")


@dataclass
class RowIssue:
    """A problem found in the table, placed by row (1-based) and column."""

    row: int
    column: str | None
    message: str
    level: str = ERROR
    code: str = ""
    sheet: str = ""

    def __str__(self) -> str:
        where = f"Row {self.row}" + (f", column {self.column}" if self.column else "")
        if self.sheet:
            where = f"Sheet “{self.sheet}”, {where[0].lower()}{where[1:]}"
        return f"{where}: {self.message}"


@dataclass
class ActionPointRow:
    row: int
    description: str
    deadline: str
    focal_points: str
    # Only the flat layout carries these; empty means "not started, 0 %".
    status: str = ""
    progress: int | None = None
    sheet: str = ""

    @property
    def read_focal_points(self) -> str:
        """How the focal-point cell is understood, for the preview: "Fanette (lead), ..." """
        try:
            entries = parse_focal_points(self.focal_points)
        except ValidationError:
            return ""
        return ", ".join(
            f"{e.name} ({e.role}{', ' + e.organization if e.organization else ''})"
            + (f"; {e.note}" if e.note else "")
            for e in entries
        )

    @property
    def due_date(self):
        try:
            return parse_deadline(self.deadline).due_date
        except ValidationError:
            return None


@dataclass
class ChallengeRow:
    row: int
    number: int
    description: str
    action_points: list[ActionPointRow] = field(default_factory=list)


@dataclass
class GroupBlock:
    row: int
    number: int
    name: str
    team_leader: str = ""
    team_members: list[str] = field(default_factory=list)
    challenges: list[ChallengeRow] = field(default_factory=list)


@dataclass
class WorkshopTable:
    title: str = ""
    groups: list[GroupBlock] = field(default_factory=list)
    issues: list[RowIssue] = field(default_factory=list)

    @property
    def errors(self) -> list[RowIssue]:
        return [issue for issue in self.issues if issue.level == ERROR]

    @property
    def warnings(self) -> list[RowIssue]:
        return [issue for issue in self.issues if issue.level == WARNING]


def clean_cell(value: object) -> str:
    """A cell's text as written: the export's formula neutralisation undone (so that an
    export re-imports as it was), spacing collapsed (slides paste stray spaces and line
    breaks)."""
    if value is None:
        return ""
    return _SPACES.sub(" ", str(unneutralise(value))).strip()


def column_letter(index: int | None) -> str | None:
    """The spreadsheet's name of a column given by its 0-based index: 0 -> A, 26 -> AA."""
    return None if index is None else get_column_letter(index + 1)


def column_key(cell: str) -> str | None:
    """The column key a header cell names (see COLUMN_ALIASES), or None."""
    text = _SLASH.sub(" / ", clean_cell(cell).casefold().rstrip(":"))
    for candidate in (text, text.removesuffix("(s)"), text.removesuffix("s")):
        if candidate in _KEY_OF_ALIAS:
            return _KEY_OF_ALIAS[candidate]
    return None


def header_columns(cells: Sequence[str], keys: Collection[str]) -> dict[str, int]:
    """The index of each of these keys the row names; the first column naming one wins."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = column_key(cell)
        if key in keys and key not in columns:
            columns[key] = index
    return columns


def unknown_columns(
    cells: Sequence[str],
    columns: dict[str, int],
    row: int,
    sheet: str,
    ignored: Collection[str] = (),
) -> list[RowIssue]:
    """A warning for each header cell that names no column read (nor one of `ignored`)."""
    used = set(columns.values())
    return [
        RowIssue(
            row, column_letter(index), f'Unknown column "{value}" was ignored.', WARNING, "", sheet
        )
        for index, value in enumerate(cells)
        if value and index not in used and column_key(value) not in ignored
    ]


def split_names(text: str) -> list[str]:
    """Team members as written ("Rana, Omar, Maria") -> names, in order."""
    return [entry.name for entry in parse_focal_points(text)]


def check_cells(
    row: int, columns: dict[str, int], deadline: str, focal_points: str, sheet: str
) -> list[RowIssue]:
    """Unreadable deadlines and focal points, placed in their columns."""
    issues = []
    try:
        parse_deadline(deadline)
    except ValidationError as error:
        issues.append(
            RowIssue(
                row,
                column_letter(columns.get("deadline")),
                error.messages[0],
                ERROR,
                "invalid_deadline",
                sheet,
            )
        )
    if "focal_points" in columns:
        try:
            parse_focal_points(focal_points)
        except ValidationError as error:
            issues.append(
                RowIssue(
                    row, column_letter(columns["focal_points"]), error.messages[0], ERROR, "", sheet
                )
            )
    return issues
