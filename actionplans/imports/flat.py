"""Reading the flat layout: one row per action point, as the CSV export writes it.

    Working group | Team leader | Team members | Challenge | Action point | Deadline | ...
    Group 1: Data | Jad         | Rana, Omar   | 1. Lack   | IMWG to ...  | Q1 2019  | ...
    Group 1: Data | Jad         | Rana, Omar   | 1. Lack   | Another one  | 2019     | ...

The group and the challenge are repeated on each row; a row whose group (or
challenge) was seen before adds to it. Columns come in any order, named by the
words of table.COLUMN_ALIASES (English, French or Arabic); status and progress are
read too, the status in words of any of the three languages (STATUS_WORDS).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from actionplans.choices import ActionPointStatus
from actionplans.imports.pim import PimCells, read_pim_cells
from actionplans.imports.table import (
    COLUMN_ALIASES,
    ERROR,
    IGNORED,
    NUMBERED,
    ActionPointRow,
    ChallengeRow,
    GroupBlock,
    RowIssue,
    WorkshopTable,
    check_cells,
    clean_cell,
    column_key,
    column_letter,
    group_line,
    header_columns,
    names_cell,
    split_names,
    unknown_columns,
)
from orgs.matching import match_key

FLAT_KEYS = tuple(key for key in COLUMN_ALIASES if key != IGNORED)
# The words of the status column, in English, French and Arabic, read by their match key
# (case, accents and Arabic letter variants ignored). The statuses' values
# ("in_progress") read too: their match key is their English label's.
STATUS_WORDS: dict[str, tuple[str, ...]] = {
    ActionPointStatus.NOT_STARTED: (
        *("not started", "not yet started", "to do"),
        *("non commencé", "non commencée", "pas commencé", "pas encore commencé", "à faire"),
        *("لم يبدأ", "لم يبدأ بعد", "لم تبدأ"),
    ),
    ActionPointStatus.IN_PROGRESS: (
        *("in progress", "ongoing", "started"),
        *("en cours", "commencé", "commencée"),
        *("قيد التنفيذ", "جار", "جاري", "قيد الإنجاز", "مستمر"),
    ),
    ActionPointStatus.BLOCKED: (
        *("blocked", "on hold", "stalled"),
        *("bloqué", "bloquée", "en attente", "suspendu", "suspendue"),
        *("متوقف", "متوقفة", "معلق", "معلقة", "متعثر"),
    ),
    ActionPointStatus.COMPLETED: (
        *("completed", "complete", "done", "finished"),
        *("terminé", "terminée", "achevé", "achevée", "fait", "faite", "réalisé", "réalisée"),
        *("مكتمل", "مكتملة", "منجز", "منجزة", "تم", "منتهي"),
    ),
    ActionPointStatus.CANCELLED: (
        *("cancelled", "canceled", "dropped"),
        *("annulé", "annulée", "abandonné", "abandonnée"),
        *("ملغى", "ملغاة", "ملغي", "ألغي"),
    ),
}
_STATUS_OF_WORD = {
    match_key(word): status for status, words in STATUS_WORDS.items() for word in words
}


def is_flat(rows: Sequence[Sequence[object]]) -> bool:
    """The flat layout starts (after blank lines) with a header naming the working group."""
    for raw in rows[:5]:
        cells = [clean_cell(value) for value in raw]
        if any(cells):
            # Not the whole header: read_flat_rows says which column is missing.
            return any(column_key(cell) == "working_group" for cell in cells)
    return False


def read_flat_rows(rows: Sequence[Sequence[object]], sheet: str = "") -> WorkshopTable:
    """One row per action point: working group, challenge, action point, deadline, ..."""
    reader = _FlatReader(sheet)
    for number, raw in enumerate(rows, start=1):
        cells = [clean_cell(value) for value in raw]
        if not any(cells):
            continue
        if reader.columns is not None:
            reader.read(number, cells)
        elif not reader.header(number, cells):
            return reader.table
    if reader.columns is None:
        reader.issue(1, None, _("The table is empty."), code="empty")
    elif not reader.table.groups and not reader.table.errors:
        reader.issue(1, None, _("The table has a header but no action points."), code="empty")
    return reader.table


class _FlatReader:
    """The rows in order, with the groups and challenges read so far (by their text)."""

    def __init__(self, sheet: str) -> None:
        self.sheet = sheet
        self.table = WorkshopTable()
        self.columns: dict[str, int] | None = None
        self.groups: dict[str, GroupBlock] = {}
        self.challenges: dict[tuple[int, str], ChallengeRow] = {}

    def issue(self, row: int, key: str | None, message: str, code: str = "") -> None:
        """An error placed in the column of `key`, when the table has that column."""
        index = self.columns.get(key) if key and self.columns else None
        self.table.issues.append(
            RowIssue(row, column_letter(index), message, ERROR, code, self.sheet)
        )

    def cell(self, cells: list[str], key: str) -> str:
        assert self.columns is not None
        index = self.columns.get(key)
        return cells[index] if index is not None and index < len(cells) else ""

    def header(self, row: int, cells: list[str]) -> bool:
        """The first filled row: which column holds what. False when it is no header."""
        columns = header_columns(cells, FLAT_KEYS)
        if not {"working_group", "challenge", "action_point"} <= columns.keys():
            self.issue(
                row,
                None,
                _("Expected a header row naming Working group, Challenge and Action point."),
            )
            return False
        self.columns = columns
        # The export's own derived columns (Plan, Due date) are not unknown.
        self.table.issues += unknown_columns(cells, columns, row, self.sheet, ignored={IGNORED})
        return True

    def read(self, row: int, cells: list[str]) -> None:
        """One action point, with its group and challenge when they are new."""
        group = self.group(row, cells)
        if group is None:
            return
        challenge = self.challenge(row, cells, group)
        if challenge is None:
            return
        description = self.cell(cells, "action_point")
        if not description:
            self.issue(row, "action_point", _("The action point is empty."))
            return
        # An unreadable status or progress ends the row: its other cells are not checked.
        status = self.status(row, cells)
        if status is None:
            return
        progress = self.progress(row, cells)
        if progress == -1:
            return
        deadline = self.cell(cells, "deadline")
        focal_points = names_cell(self.cell(cells, "focal_points"))
        assert self.columns is not None
        issues, entries = check_cells(row, self.columns, deadline, focal_points, self.sheet)
        self.table.issues += issues
        pim = read_pim_cells(
            lambda key: self.cell(cells, key), lambda key, message: self.issue(row, key, message)
        )
        challenge.action_points.append(
            ActionPointRow(
                row=row,
                description=description,
                deadline=deadline,
                focal_points=focal_points,
                read_entries=entries,
                status=status,
                progress=progress,
                sheet=self.sheet,
                pim=pim or PimCells(),
            )
        )

    def group(self, row: int, cells: list[str]) -> GroupBlock | None:
        """The row's group: "Group 2: Name", or a name numbered in order of appearance."""
        text = self.cell(cells, "working_group")
        if not text:
            self.issue(row, "working_group", _("The working group is empty."))
            return None
        if group := self.groups.get(text.casefold()):
            return group
        if line := group_line(text):
            number, name = line
        else:
            number, name = len(self.groups) + 1, text
        if any(g.number == number for g in self.groups.values()):
            self.issue(
                row,
                "working_group",
                _("Group %(group)s appears with two names.") % {"group": number},
            )
            return None
        group = GroupBlock(row=row, number=number, name=name)
        group.team_leader = self.cell(cells, "team_leader")
        if members := self.cell(cells, "team_members"):
            try:
                group.team_members = split_names(members)
            except ValidationError as error:
                self.issue(row, "team_members", error.messages[0])
        self.groups[text.casefold()] = group
        self.table.groups.append(group)
        return group

    def challenge(self, row: int, cells: list[str], group: GroupBlock) -> ChallengeRow | None:
        """The row's challenge in its group: "1. Text", or a text numbered in order."""
        text = self.cell(cells, "challenge")
        if not text:
            self.issue(row, "challenge", _("The challenge is empty."))
            return None
        if challenge := self.challenges.get((group.number, text.casefold())):
            return challenge
        if match := NUMBERED.match(text):
            number, description = int(match.group(1)), match.group(2).strip()
        else:
            number, description = len(group.challenges) + 1, text
        if any(c.number == number for c in group.challenges):
            self.issue(
                row,
                "challenge",
                _("Challenge %(number)s appears twice in group %(group)s.")
                % {"number": number, "group": group.number},
            )
            return None
        challenge = ChallengeRow(row=row, number=number, description=description)
        self.challenges[(group.number, text.casefold())] = challenge
        group.challenges.append(challenge)
        return challenge

    def status(self, row: int, cells: list[str]) -> str | None:
        """The status a word names ("Done", "on hold", ...); "" when none; None when unknown."""
        text = self.cell(cells, "status")
        if not text:
            return ""
        if status := _STATUS_OF_WORD.get(match_key(text)):
            return status
        labels = ", ".join(str(label) for _value, label in ActionPointStatus.choices)
        self.issue(
            row,
            "status",
            _('Unknown status "%(status)s". Use one of: %(statuses)s.')
            % {"status": text, "statuses": labels},
        )
        return None

    def progress(self, row: int, cells: list[str]) -> int | None:
        """Progress in percent ("40", "40 %", "12.6"); None when empty; -1 when unreadable."""
        text = self.cell(cells, "progress")
        if not text:
            return None
        try:
            progress = round(float(text.rstrip("%").strip()))
        except (ValueError, OverflowError):  # "soon", "nan", "inf"
            progress = -1
        if not 0 <= progress <= 100:
            self.issue(
                row,
                "progress",
                _('Progress "%(progress)s" is not a number from 0 to 100.') % {"progress": text},
            )
            return -1
        return progress
