"""Reading the workshop layout of an action plan table.

The layout is the one PIM workshops write on a slide (see the seed file):

    PIM Lebanon Action Plan                       <- optional title line
    Group 1: Data Sharing
    Team leader     Jad
    Team members    Rana, Omar, Maria, Fred, Jad
    Challenges      Action Point    Timeline / Deadline    Focal point
    1. Lack of ...  IMWG to ...     Q1 of 2019             Jad
                    another action  2019                   Rana     <- same challenge

The words may be French or Arabic too ("Groupe 1 : Partage des données", "Chef
d'équipe", "Défis | Actions | Échéance | Points focaux"; "المجموعة ١: تبادل البيانات",
"قائد الفريق", "التحديات | الإجراءات | الموعد النهائي | جهات الاتصال"): see
table.COLUMN_ALIASES.

read_workshop_rows() turns rows of cells (from any format, see decode.py) into a
WorkshopTable: plain data plus every problem found, each naming its row and
column. It writes nothing; imports.write.plan_import does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from actionplans.imports.pim import PIM_KEYS, PimCells, read_pim_cells
from actionplans.imports.table import (
    ERROR,
    IGNORED,
    NUMBERED,
    WARNING,
    WORKSHOP_KEYS,
    ActionPointRow,
    ChallengeRow,
    GroupBlock,
    RowIssue,
    WorkshopTable,
    check_cells,
    clean_cell,
    column_letter,
    group_line,
    header_columns,
    names_cell,
    split_names,
    team_line,
    unknown_columns,
)

# Columns the workbook's workshop sheet writes besides WORKSHOP_KEYS, which this layout
# does not read (not unknown: no warning).
EXPORTED_KEYS = ("status", "progress", IGNORED)


def read_workshop_rows(rows: Iterable[Sequence[object]], sheet: str = "") -> WorkshopTable:
    """Read rows of cells in the workshop layout. Row numbers are 1-based."""
    reader = _WorkshopReader(sheet)
    for number, raw in enumerate(rows, start=1):
        cells = [clean_cell(value) for value in raw]
        if any(cells):
            reader.read(number, cells)
    if not reader.table.groups:
        reader.issue(1, None, _('No working group found: start each group with "Group N: Name".'))
    return reader.table


def workshop_header(cells: Sequence[str]) -> dict[str, int] | None:
    """The columns of a workshop header row (it names a challenge and an action point
    column at least), else None."""
    columns = header_columns(cells, (*WORKSHOP_KEYS, *PIM_KEYS))
    return columns if {"challenge", "action_point"} <= columns.keys() else None


class _WorkshopReader:
    """The rows in order; what a row means depends on the group, the header and the
    challenge read above it."""

    def __init__(self, sheet: str) -> None:
        self.sheet = sheet
        self.table = WorkshopTable()
        self.group: GroupBlock | None = None
        self.columns: dict[str, int] | None = None
        self.challenge: ChallengeRow | None = None

    def issue(
        self, row: int, index: int | None, message: str, level: str = ERROR, code: str = ""
    ) -> None:
        self.table.issues.append(
            RowIssue(row, column_letter(index), message, level, code, self.sheet)
        )

    def cell(self, cells: list[str], key: str) -> str:
        index = self.columns.get(key) if self.columns else None
        return cells[index] if index is not None and index < len(cells) else ""

    def read(self, row: int, cells: list[str]) -> None:
        """One row with at least one filled cell."""
        first = cells[0]
        rest = " ".join(value for value in cells[1:] if value)
        group = group_line(first)
        if group and not rest:
            self.start_group(row, *group)
        elif self.group is None:
            self.before_groups(row, cells)
        elif self.columns is None and self.read_team_line(row, first, rest):
            pass  # a team line, read
        elif (header := workshop_header(cells)) is not None:
            self.columns = header
            # The export's status and progress columns are the flat sheet's to read back.
            self.table.issues += unknown_columns(
                cells, header, row, self.sheet, ignored=EXPORTED_KEYS
            )
        elif self.columns is None:
            self.issue(
                row,
                None,
                _(
                    "Expected a header row (Challenges, Action point, Deadline, Focal point) "
                    "before the challenges of group %(group)s."
                )
                % {"group": self.group.number},
            )
        else:
            self.body_row(row, cells)

    def start_group(self, row: int, number: int, name: str) -> None:
        """A "Group N: Name" line: a new group, whose header comes below it."""
        if any(existing.number == number for existing in self.table.groups):
            self.issue(
                row, None, _("Group %(group)s appears twice in the table.") % {"group": number}
            )
        self.group = GroupBlock(row=row, number=number, name=name)
        self.table.groups.append(self.group)
        self.columns = None
        self.challenge = None

    def before_groups(self, row: int, cells: list[str]) -> None:
        """Above the first group: the title line, or text that is ignored."""
        filled = [value for value in cells if value]
        if not self.table.title and len(filled) == 1 and workshop_header(cells) is None:
            self.table.title = filled[0]
        else:
            self.issue(
                row, None, _('Text before the first "Group N: Name" line was ignored.'), WARNING
            )

    def read_team_line(self, row: int, first: str, rest: str) -> bool:
        """A "Team leader" or "Team members" line, in any of the languages of
        table.COLUMN_ALIASES (names in the same cell or the next)."""
        assert self.group is not None
        line = team_line(first)
        if line is None:
            return False
        key, same_cell = line
        names = self.names(row, same_cell, rest)
        if key == "team_members":
            self.group.team_members = names
            return True
        if len(names) > 1:
            self.issue(row, 1, _("Give exactly one team leader."))
        self.group.team_leader = names[0] if names else ""
        return True

    def names(self, row: int, same_cell: str, rest: str) -> list[str]:
        """The names after "Team ...:" in the first cell, or else in the next cells."""
        try:
            return split_names(same_cell or rest)
        except ValidationError as error:
            self.issue(row, 0 if same_cell else 1, error.messages[0])
            return []

    def body_row(self, row: int, cells: list[str]) -> None:
        """A row under the header: a new challenge, an action point, or both."""
        assert self.columns is not None
        challenge_text = self.cell(cells, "challenge")
        if challenge_text:
            self.start_challenge(row, challenge_text)
        elif self.challenge is None:
            self.issue(
                row, self.columns["challenge"], _("An action point comes before any challenge.")
            )
            return
        self.action_point(row, cells, new_challenge=bool(challenge_text))

    def start_challenge(self, row: int, text: str) -> None:
        """A numbered challenge ("1. Lack of tools"); one without a number is numbered."""
        assert self.group is not None and self.columns is not None
        index = self.columns["challenge"]
        if match := NUMBERED.match(text):
            number, description = int(match.group(1)), match.group(2).strip()
        else:
            number = max((c.number for c in self.group.challenges), default=0) + 1
            description = text
            self.issue(
                row,
                index,
                _("The challenge has no number; it was numbered %(number)s.") % {"number": number},
                WARNING,
            )
        if any(existing.number == number for existing in self.group.challenges):
            self.issue(
                row,
                index,
                _("Challenge %(number)s appears twice in group %(group)s.")
                % {"number": number, "group": self.group.number},
            )
        if not description:
            self.issue(row, index, _("Challenge %(number)s has no text.") % {"number": number})
        self.challenge = ChallengeRow(row=row, number=number, description=description)
        self.group.challenges.append(self.challenge)

    def action_point(self, row: int, cells: list[str], new_challenge: bool) -> None:
        """The row's action point, added to the challenge in force."""
        assert self.columns is not None and self.challenge is not None
        description = self.cell(cells, "action_point")
        deadline = self.cell(cells, "deadline")
        focal_points = names_cell(self.cell(cells, "focal_points"))
        index = self.columns["action_point"]
        if not description:
            if deadline or focal_points:
                self.issue(
                    row,
                    index,
                    _("The action point is empty but the row has a deadline or focal point."),
                )
            elif new_challenge:
                self.issue(
                    row,
                    index,
                    _("Challenge %(number)s has no action point on this row.")
                    % {"number": self.challenge.number},
                    WARNING,
                )
            return
        issues, entries = check_cells(row, self.columns, deadline, focal_points, self.sheet)
        self.table.issues += issues
        columns = self.columns
        pim = read_pim_cells(
            lambda key: self.cell(cells, key),
            lambda key, message: self.issue(row, columns.get(key), message),
        )
        self.challenge.action_points.append(
            ActionPointRow(
                row=row,
                description=description,
                deadline=deadline,
                focal_points=focal_points,
                read_entries=entries,
                sheet=self.sheet,
                pim=pim or PimCells(),
            )
        )
