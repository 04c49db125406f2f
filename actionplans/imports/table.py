"""What a read plan table is, and the rules both layouts read it by.

A table, whatever its layout or format, is read into a WorkshopTable: groups,
their challenges and action points, and every problem found (a RowIssue placed
by sheet, row and column letter). The column headers both layouts recognise,
the patterns of group lines and numbered challenges, how a cell is cleaned and
how a cell's deadline and focal points are checked live here, once. Headers, team
lines and group lines are read in English, French and Arabic, by orgs.matching's
match key (case, accents and Arabic letter variants ignored).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from actionplans.exports.cells import unneutralise
from actionplans.imports.pim import PimCells
from actionplans.parsing import FocalPointEntry, parse_deadline, parse_focal_points
from orgs.matching import match_key

ERROR = "error"
WARNING = "warning"

# Header words for each column key, in English, French and Arabic. A header cell names
# a key when its match key (orgs.matching.match_key: case, accents, Arabic letter
# variants, punctuation and spacing ignored) is an alias's, or an alias's followed by a
# plural "s" or "(s)"; a cell of words separated by "/" ("Calendrier / Échéance") names
# the key all of them name. The workshop layout reads the four columns of WORKSHOP_KEYS;
# the flat layout reads them all. The team_leader and team_members words also name the
# workshop layout's team lines, and the working_group words its group lines.
IGNORED = "ignored"
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "working_group": (
        *("working group", "group", "workstream"),
        *("groupe de travail", "groupe", "axe de travail"),
        *("مجموعة العمل", "المجموعة", "مجموعة", "فريق العمل"),
    ),
    "team_leader": (
        *("team leader",),
        *("chef d'équipe", "cheffe d'équipe", "chef(fe) d'équipe", "responsable d'équipe"),
        *("chef de groupe", "chef du groupe", "responsable du groupe"),
        *("قائد الفريق", "قائدة الفريق", "رئيس الفريق", "قائد المجموعة", "رئيس المجموعة"),
    ),
    "team_members": (
        *("team members",),
        *("membres de l'équipe", "membre de l'équipe", "membres du groupe"),
        *("أعضاء الفريق", "عضو الفريق", "أعضاء المجموعة"),
    ),
    "challenge": (
        *("challenge",),
        *("défi", "enjeu", "enjeux", "problème"),
        *("التحديات", "التحدي", "تحديات", "تحدي"),
    ),
    "action_point": (
        *("action point", "activity", "activities", "action"),
        *("point d'action", "points d'action", "activité", "mesure"),
        *("الإجراءات", "الإجراء", "إجراءات", "إجراء", "الأنشطة", "النشاط", "نقاط العمل"),
        "نقطة العمل",
    ),
    "deadline": (
        *("timeline / deadline", "deadline", "timeframe", "timeline"),
        *("échéance", "date limite", "date d'échéance", "délai", "échéancier", "calendrier"),
        *("الموعد النهائي", "الإطار الزمني", "الجدول الزمني", "الموعد", "المهلة"),
        "تاريخ الاستحقاق",
    ),
    "focal_points": (
        *("focal point", "responsible", "lead"),
        *("point focal", "points focaux", "responsable", "chef de file"),
        *("المسؤول", "المسؤولون", "المسؤولين", "جهة الاتصال", "جهات الاتصال"),
        *("نقطة الاتصال", "نقاط الاتصال", "نقطة الارتكاز", "نقاط الارتكاز"),
    ),
    "status": (
        *("status",),
        *("statut", "état"),
        *("الحالة", "حالة", "الوضع"),
    ),
    "progress": (
        *("progress", "progress (%)", "progress %", "% complete"),
        *("avancement", "progrès", "progrès (%)", "progression", "taux d'avancement"),
        "% réalisé",
        *("نسبة الإنجاز", "الإنجاز", "التقدم", "نسبة التقدم", "التقدم المحرز"),
    ),
    # Optional: what the action point advances in the PIM framework, and its priority
    # (imports/pim.py reads their values).
    "pim_categories": (
        *("pim category", "pim categories", "pim matrix category", "pim matrix categories"),
        *("catégorie pim", "catégories pim", "catégorie de la matrice pim"),
        *("فئة إدارة معلومات الحماية", "فئات إدارة معلومات الحماية"),
    ),
    "pim_principles": (
        *("pim principle", "pim principles"),
        *("principe pim", "principes pim"),
        *("مبدأ إدارة معلومات الحماية", "مبادئ إدارة معلومات الحماية"),
    ),
    "pim_process_step": (
        *("pim process step", "pim process", "pim step"),
        *("étape du processus pim", "étape pim"),
        *("مرحلة عملية إدارة معلومات الحماية", "مرحلة إدارة معلومات الحماية"),
    ),
    "priority": (
        *("priority",),
        *("priorité",),
        *("الأولوية", "أولوية"),
    ),
    # Written by the export (in English) and read back as nothing: derived (Due date, and
    # what the latest progress updates say) or global (Plan).
    IGNORED: (
        *("plan", "due date", "country", "id", "url"),
        *("latest note", "evidence link", "last update", "last update by"),
    ),
}
WORKSHOP_KEYS = ("challenge", "action_point", "deadline", "focal_points")
TEAM_KEYS = ("team_leader", "team_members")
_KEY_OF_ALIAS = {
    match_key(alias): key for key, aliases in COLUMN_ALIASES.items() for alias in aliases
}
_TEAM_WORDS = tuple(match_key(alias) for key in TEAM_KEYS for alias in COLUMN_ALIASES[key])

# "Group 2: Protection Monitoring", "Groupe de travail 1 - Données", "المجموعة ٣: الحماية":
# the words of a working group (COLUMN_ALIASES), its number and its name.
_GROUP_LINE = re.compile(r"^(\D*?)\s*(\d+)\s*[:.\-–]\s*(\S.*)$")
# "Groupe n° 2", "Group no. 2", "المجموعة رقم 2": a number's marker after the words.
_NUMBER_MARKS = (" n", " no", " رقم")
# "3. Trust between actors", "3) Trust", "٣. الثقة": a numbered challenge.
NUMBERED = re.compile(r"^(\d+)\s*[.)]\s*(.*)$", re.DOTALL)
# A team line's words are at most this long ("Membres de l'équipe", "Team members:").
_TEAM_LABEL_MAX = 40
# The Arabic comma separates names in Arabic text as "," does in English.
_ARABIC_COMMA = "\u060c"
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
        """ "Sheet “Plan”, row 3, column B: ..." in the active language."""
        values = {"sheet": self.sheet, "row": self.row, "column": self.column}
        values["message"] = self.message
        if self.sheet and self.column:
            return _("Sheet “%(sheet)s”, row %(row)s, column %(column)s: %(message)s") % values
        if self.sheet:
            return _("Sheet “%(sheet)s”, row %(row)s: %(message)s") % values
        if self.column:
            return _("Row %(row)s, column %(column)s: %(message)s") % values
        return _("Row %(row)s: %(message)s") % values


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
    # The focal-point cell as read when the table was (check_cells); None: unreadable.
    read_entries: list[FocalPointEntry] | None = None
    # Its PIM framework and priority as the optional columns say (None: not given).
    pim: PimCells = field(default_factory=PimCells)

    @property
    def focal_entries(self) -> list[FocalPointEntry]:
        """The focal points of the row; raises the cell's ValidationError if unreadable."""
        if self.read_entries is None:
            return parse_focal_points(self.focal_points)
        return list(self.read_entries)

    @property
    def read_focal_points(self) -> str:
        """How the focal-point cell is understood, for the preview: "Fanette (lead), ..." """
        try:
            entries = self.focal_entries
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
    text = str(unneutralise(value))
    # Most cells hold no whitespace but single spaces (any other is not printable):
    # nothing to collapse, spared the expression (a table has hundreds of thousands).
    if text.isprintable() and "  " not in text:
        return text.strip()
    return _SPACES.sub(" ", text).strip()


def column_letter(index: int | None) -> str | None:
    """The spreadsheet's name of a column given by its 0-based index: 0 -> A, 26 -> AA."""
    return None if index is None else get_column_letter(index + 1)


def column_key(cell: str) -> str | None:
    """The column key a header cell names (see COLUMN_ALIASES), or None."""
    text = clean_cell(cell)
    if (key := _alias_key(match_key(text))) or "/" not in text:
        return key
    # "Calendrier / Échéance", "Responsable / Point focal": words that all name one key.
    keys = {_alias_key(match_key(part)) for part in text.split("/") if part.strip()}
    return keys.pop() if len(keys) == 1 else None


def _alias_key(key: str) -> str | None:
    """The column key of a cell's match key: an alias's, maybe with a plural "s"."""
    for candidate in (key, key.removesuffix(" s"), key.removesuffix("s")):
        if candidate in _KEY_OF_ALIAS:
            return _KEY_OF_ALIAS[candidate]
    return None


def group_line(text: str) -> tuple[int, str] | None:
    """The number and name of a group line ("Group 2: Protection", "Groupe 2 : Protection",
    "المجموعة 2: الحماية"), or None when the text is not one."""
    match = _GROUP_LINE.match(text)
    if match is None:
        return None
    words = match_key(match.group(1))
    for mark in _NUMBER_MARKS:
        words = words.removesuffix(mark)
    if _KEY_OF_ALIAS.get(words) != "working_group":
        return None
    return int(match.group(2)), match.group(3).strip()


def team_line(text: str) -> tuple[str, str] | None:
    """A team line's key (team_leader or team_members) and the names written after its
    words in the same cell ("Team leader: Jad", "Chef d'équipe Jad", "قائد الفريق"), or
    None when the text does not start with a team line's words."""
    if not match_key(text[: _TEAM_LABEL_MAX + 1]).startswith(_TEAM_WORDS):
        return None
    # The longest start of the text, up to a space or a punctuation mark, that is a team
    # line's words: what follows it is names.
    found = None
    for index in range(1, min(len(text), _TEAM_LABEL_MAX) + 1):
        if index < len(text) and (text[index].isalnum() or unicodedata.combining(text[index])):
            continue
        if (name := column_key(text[:index])) in TEAM_KEYS:
            found = name, index
    if found is None:
        return None
    name, index = found
    rest = text[index:].strip()
    return name, rest.removeprefix(":").strip()


def names_cell(text: str) -> str:
    """A cell of names (focal points, team members) with Arabic commas read as commas."""
    return text.replace(_ARABIC_COMMA, ",")


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
            row,
            column_letter(index),
            _('Unknown column "%(column)s" was ignored.') % {"column": value},
            WARNING,
            "",
            sheet,
        )
        for index, value in enumerate(cells)
        if value and index not in used and column_key(value) not in ignored
    ]


def split_names(text: str) -> list[str]:
    """Team members as written ("Rana, Omar, Maria") -> names, in order."""
    return [entry.name for entry in parse_focal_points(names_cell(text))]


def check_cells(
    row: int, columns: dict[str, int], deadline: str, focal_points: str, sheet: str
) -> tuple[list[RowIssue], list[FocalPointEntry] | None]:
    """Unreadable deadlines and focal points, placed in their columns; and the focal
    points as read (None when the cell cannot be read), so that nothing reads a cell
    twice."""
    issues, entries = [], None
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
            entries = parse_focal_points(focal_points)
        except ValidationError as error:
            issues.append(
                RowIssue(
                    row, column_letter(columns["focal_points"]), error.messages[0], ERROR, "", sheet
                )
            )
    else:
        entries = []
    return issues, entries
