"""Reading the workshop layout of an action plan table.

The layout is the one PIM workshops write on a slide (see the seed file):

    PIM Lebanon Action Plan                       <- optional title line
    Group 1: Data Sharing
    Team leader     Jad
    Team members    Rana, Omar, Maria, Fred, Jad
    Challenges      Action Point    Timeline / Deadline    Focal point
    1. Lack of ...  IMWG to ...     Q1 of 2019             Jad
                    another action  2019                   Rana     <- same challenge

This module turns rows of cells (from tab-separated text here; CSV and XLSX
readers can feed the same rows) into a WorkshopTable: plain data plus every
problem found, each naming its row and column. It writes nothing; the
service plan_create_from_workshop does.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from actionplans.parsing import parse_deadline, parse_focal_points

ERROR = "error"
WARNING = "warning"

# Column keys and the header words that name them (compared without case,
# spacing or a trailing plural "s").
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "challenge": ("challenge",),
    "action_point": ("action point", "activity", "activities", "action"),
    "deadline": ("timeline / deadline", "timeline/deadline", "deadline", "timeframe", "timeline"),
    "focal_points": ("focal point", "responsible", "lead"),
}
COLUMN_LABELS = {
    "challenge": "Challenge",
    "action_point": "Action point",
    "deadline": "Deadline",
    "focal_points": "Focal point",
}

_GROUP = re.compile(r"^(?:working\s+)?group\s*(\d+)\s*[:.\-–]\s*(\S.*)$", re.IGNORECASE)
_LEADER = re.compile(r"^team\s+leaders?\s*:?\s*(.*)$", re.IGNORECASE)
_MEMBERS = re.compile(r"^team\s+members?\s*:?\s*(.*)$", re.IGNORECASE)
_NUMBERED = re.compile(r"^(\d+)\s*[.)]\s*(.*)$", re.DOTALL)
_SPACES = re.compile(r"\s+")


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
    """A cell's text with spacing collapsed (slides paste stray spaces and line breaks)."""
    if value is None:
        return ""
    return _SPACES.sub(" ", str(value)).strip()


def _header_key(cell: str) -> str | None:
    text = clean_cell(cell).casefold().rstrip(":")
    text = re.sub(r"\s*/\s*", " / ", text)
    for key, aliases in HEADER_ALIASES.items():
        for alias in aliases:
            alias = re.sub(r"\s*/\s*", " / ", alias)
            if text in (alias, alias + "s", alias + "(s)"):
                return key
    return None


def _header_columns(cells: Sequence[str]) -> dict[str, int] | None:
    """Map column keys to indexes when the row is a header row, else None."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = _header_key(cell)
        if key and key not in columns:
            columns[key] = index
    if "challenge" in columns and "action_point" in columns:
        return columns
    return None


def _split_names(text: str) -> list[str]:
    """Team members as written ("Rana, Omar, Maria") -> names, in order."""
    return [entry.name for entry in parse_focal_points(text)]


def read_workshop_rows(rows: Iterable[Sequence[object]]) -> WorkshopTable:
    """Read rows of cells in the workshop layout. Row numbers are 1-based."""
    table = WorkshopTable()
    group: GroupBlock | None = None
    columns: dict[str, int] | None = None
    challenge: ChallengeRow | None = None

    def cell(cells: list[str], key: str) -> str:
        index = columns.get(key) if columns else None
        return cells[index] if index is not None and index < len(cells) else ""

    for row_number, raw in enumerate(rows, start=1):
        cells = [clean_cell(value) for value in raw]
        filled = [value for value in cells if value]
        if not filled:
            continue
        first = cells[0] if cells else ""
        rest = " ".join(value for value in cells[1:] if value)

        match = _GROUP.match(first)
        if match and not rest:
            number = int(match.group(1))
            if any(existing.number == number for existing in table.groups):
                table.issues.append(
                    RowIssue(row_number, None, f"Group {number} appears twice in the table.")
                )
            group = GroupBlock(row=row_number, number=number, name=match.group(2).strip())
            table.groups.append(group)
            columns = None
            challenge = None
            continue

        if group is None:
            if not table.title and len(filled) == 1 and _header_columns(cells) is None:
                table.title = filled[0]
            else:
                table.issues.append(
                    RowIssue(
                        row_number,
                        None,
                        'Text before the first "Group N: Name" line was ignored.',
                        WARNING,
                    )
                )
            continue

        match = _LEADER.match(first)
        if match and columns is None:
            names = _split_names(match.group(1) or rest)
            if len(names) > 1:
                table.issues.append(
                    RowIssue(row_number, "B", "Give exactly one team leader.", ERROR)
                )
            group.team_leader = names[0] if names else ""
            continue
        match = _MEMBERS.match(first)
        if match and columns is None:
            group.team_members = _split_names(match.group(1) or rest)
            continue

        header = _header_columns(cells)
        if header is not None:
            columns = header
            for index, value in enumerate(cells):
                if value and index not in header.values():
                    table.issues.append(
                        RowIssue(
                            row_number,
                            _column_letter(index),
                            f'Unknown column "{value}" was ignored.',
                            WARNING,
                        )
                    )
            continue
        if columns is None:
            table.issues.append(
                RowIssue(
                    row_number,
                    None,
                    "Expected a header row (Challenges, Action point, Deadline, Focal point) "
                    f"before the challenges of group {group.number}.",
                )
            )
            continue

        challenge_text = cell(cells, "challenge")
        if challenge_text:
            match = _NUMBERED.match(challenge_text)
            if match:
                number, description = int(match.group(1)), match.group(2).strip()
            else:
                number = max((c.number for c in group.challenges), default=0) + 1
                description = challenge_text
                table.issues.append(
                    RowIssue(
                        row_number,
                        _column_letter(columns["challenge"]),
                        f"The challenge has no number; it was numbered {number}.",
                        WARNING,
                    )
                )
            if any(existing.number == number for existing in group.challenges):
                table.issues.append(
                    RowIssue(
                        row_number,
                        _column_letter(columns["challenge"]),
                        f"Challenge {number} appears twice in group {group.number}.",
                    )
                )
            if not description:
                table.issues.append(
                    RowIssue(
                        row_number,
                        _column_letter(columns["challenge"]),
                        f"Challenge {number} has no text.",
                    )
                )
            challenge = ChallengeRow(row=row_number, number=number, description=description)
            group.challenges.append(challenge)
        elif challenge is None:
            table.issues.append(
                RowIssue(
                    row_number,
                    _column_letter(columns["challenge"]),
                    "An action point comes before any challenge.",
                )
            )
            continue

        description = cell(cells, "action_point")
        deadline = cell(cells, "deadline")
        focal_points = cell(cells, "focal_points")
        if not description:
            if deadline or focal_points:
                table.issues.append(
                    RowIssue(
                        row_number,
                        _column_letter(columns["action_point"]),
                        "The action point is empty but the row has a deadline or focal point.",
                    )
                )
            elif not challenge_text:
                continue
            else:
                table.issues.append(
                    RowIssue(
                        row_number,
                        _column_letter(columns["action_point"]),
                        f"Challenge {challenge.number} has no action point on this row.",
                        WARNING,
                    )
                )
            continue
        _check_cells(table, row_number, columns, deadline, focal_points)
        challenge.action_points.append(
            ActionPointRow(
                row=row_number,
                description=description,
                deadline=deadline,
                focal_points=focal_points,
            )
        )

    if not table.groups:
        table.issues.append(
            RowIssue(1, None, 'No working group found: start each group with "Group N: Name".')
        )
    return table


def _check_cells(
    table: WorkshopTable, row: int, columns: dict[str, int], deadline: str, focal_points: str
) -> None:
    """Report unreadable deadlines and focal points where they are."""
    try:
        parse_deadline(deadline)
    except ValidationError as error:
        table.issues.append(
            RowIssue(
                row, _column_letter(columns["deadline"]), error.messages[0], code="invalid_deadline"
            )
        )
    if "focal_points" in columns:
        try:
            parse_focal_points(focal_points)
        except ValidationError as error:
            table.issues.append(
                RowIssue(row, _column_letter(columns["focal_points"]), error.messages[0])
            )


def _column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the spreadsheet's own names for columns."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def read_workshop_tsv(text: str) -> WorkshopTable:
    """Read tab-separated text, as pasted from a slide or a spreadsheet."""
    # Slides carry quote characters inside cells ("VASyR quality assurance
    # package"); they are text, not CSV quoting.
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter="\t", quoting=csv.QUOTE_NONE)
    return read_workshop_rows(reader)
