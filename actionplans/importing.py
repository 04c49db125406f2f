"""Reading action-plan tables from files: TSV, CSV and XLSX, workshop or flat layout.

read_table(data) turns the bytes of an upload (or pasted text) into a
WorkshopTable: the groups, challenges and action points it holds, and every
problem found, placed by sheet, row and column. It writes nothing; the
service plan_import() in services.py does, atomically.

The format is told from the content, not the file name: a ZIP signature is
XLSX, anything else is text whose encoding (UTF-8 with or without BOM,
UTF-16, Windows-1252) and delimiter (tab or comma/semicolon) are detected.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import zipfile
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError

from actionplans.choices import ActionPointStatus
from actionplans.exports.cells import unneutralise
from actionplans.workshop import (
    ERROR,
    WARNING,
    ActionPointRow,
    ChallengeRow,
    GroupBlock,
    RowIssue,
    WorkshopTable,
    _check_cells,
    _column_letter,
    _split_names,
    clean_cell,
    read_workshop_rows,
)

XLSX_SIGNATURE = b"PK\x03\x04"
# A plan table is a few columns wide; a value further right is not part of one.
XLSX_MAX_COLUMNS = 100

# Flat layout: the columns the CSV export writes, and the words people use.
FLAT_ALIASES: dict[str, tuple[str, ...]] = {
    "working_group": ("working group", "group", "workstream", "working groups"),
    "team_leader": ("team leader",),
    "team_members": ("team members",),
    "challenge": ("challenge", "challenges"),
    "action_point": (
        "action point",
        "action points",
        "activity",
        "activities",
        "action",
        "actions",
    ),
    "deadline": ("deadline", "timeline / deadline", "timeline", "timeframe"),
    "focal_points": ("focal point", "focal points", "responsible", "lead"),
    "status": ("status",),
    "progress": ("progress", "progress (%)", "progress %", "% complete"),
    # Written by the export, read back as nothing: derived or global.
    "_ignored": ("plan", "due date", "country", "id", "url"),
}
STATUS_WORDS = {
    **{value: value for value in ActionPointStatus.values},
    **{label.casefold(): value for value, label in ActionPointStatus.choices},
    "done": ActionPointStatus.COMPLETED,
    "ongoing": ActionPointStatus.IN_PROGRESS,
    "on hold": ActionPointStatus.BLOCKED,
}
_GROUP_CELL = re.compile(r"^(?:working\s+)?group\s*(\d+)\s*[:.\-–]\s*(\S.*)$", re.IGNORECASE)
_NUMBERED = re.compile(r"^(\d+)\s*[.)]\s*(.*)$", re.DOTALL)


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _fail(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


# --- bytes -> rows -------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """Text in UTF-8 (BOM or not), UTF-16 (Excel's "Unicode text") or Windows-1252."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise _fail(
                    f"The file starts like {encoding} text but is not.", "encoding"
                ) from None
    # UTF-16 without a BOM: every other byte of ASCII text is zero.
    if len(data) >= 4 and data.count(b"\x00") * 3 >= len(data):
        # ASCII in UTF-16 has its zero bytes second (little-endian) or first (big-endian).
        little = data[1::2].count(0) >= data[0::2].count(0)
        for encoding in ("utf-16-le", "utf-16-be") if little else ("utf-16-be", "utf-16-le"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if "\x00" not in text:
                return text
    if b"\x00" in data:
        raise _fail(
            "This is not a table: the file holds binary data. "
            "Upload a spreadsheet (.xlsx), CSV or tab-separated text.",
            "binary",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise _fail(
            "Cannot tell the text's encoding: save it as UTF-8 (or as an Excel workbook).",
            "encoding",
        ) from None


def text_rows(text: str) -> list[list[str]]:
    """Rows of a tab-, comma- or semicolon-separated text, told from its lines."""
    text = text.lstrip("\ufeff")
    lines = [line for line in text.splitlines() if line.strip()][:50]
    counts = {d: sum(line.count(d) for line in lines) for d in ("\t", ",", ";")}
    delimiter = max(counts, key=lambda d: (counts[d], d == "\t"))
    if delimiter == "\t":
        # Slides paste quotes as text ("VASyR quality assurance package"), not CSV quoting.
        reader = csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    else:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        return list(reader)
    except csv.Error as error:
        raise _fail(f"The text cannot be read as a table: {error}.", "csv") from None


def _check_zip(data: bytes) -> None:
    """Refuse archives that would unpack to far more than their size (zip bombs)."""
    limit = _limit("IMPORT_MAX_XLSX_UNCOMPRESSED_BYTES", 50 * 1024 * 1024)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise _fail("The file looks like an Excel workbook but is damaged.", "xlsx") from None
    if total > limit:
        raise _fail(
            f"The workbook unpacks to {total // (1024 * 1024)} MB; the most accepted is "
            f"{limit // (1024 * 1024)} MB.",
            "too_large",
        )
    if "xl/workbook.xml" not in names:
        raise _fail("This ZIP file is not an Excel workbook (.xlsx).", "xlsx")


def xlsx_sheets(data: bytes) -> list[tuple[str, list[list[object]]]]:
    """Each sheet's rows. Formulas are never evaluated: their cached value is read,
    or, when the file has none, the formula as text."""
    import openpyxl  # imported here: only uploads of workbooks pay for it

    _check_zip(data)
    try:
        values = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        formulas = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except Exception as error:  # openpyxl raises many kinds on damaged files
        raise _fail(f"The workbook cannot be read: {error}.", "xlsx") from None
    # The rows are built from the cells the file holds, not from the grid up to the
    # farthest one: iter_rows() would make 17 billion cells of one value in XFD1048576.
    # (_cells is openpyxl's own sparse store; there is no public sparse access.)
    max_rows = _limit("IMPORT_MAX_ROWS", 20_000)
    sheets = []
    for sheet in values.worksheets:
        raw = formulas[sheet.title]
        found: dict[int, dict[int, object]] = {}
        for (row, column), formula_cell in raw._cells.items():
            cell = sheet._cells.get((row, column))
            value = cell.value if cell is not None else None
            if value is None and formula_cell.data_type == "f":
                # An array formula's text is on .text; a plain one is the string itself.
                value = str(getattr(formula_cell.value, "text", formula_cell.value))
            if value is None:
                continue
            if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
                # A date cell (Excel keeps dates as midnight): ISO, as parse_deadline reads it.
                value = value.date().isoformat()
            if column > XLSX_MAX_COLUMNS:
                raise _fail(
                    f"Sheet “{sheet.title}” has a value in cell {_column_letter(column - 1)}"
                    f"{row}; a plan table has at most {XLSX_MAX_COLUMNS} columns.",
                    "too_many_columns",
                )
            found.setdefault(row, {})[column] = value
        sheets.append((sheet.title, found))
    total_rows = sum(max(found, default=0) for _title, found in sheets)
    if total_rows > max_rows:
        raise _fail(
            f"The table has {total_rows:,} rows; the most accepted is {max_rows:,}.",
            "too_many_rows",
        )
    return [
        (
            title,
            [
                [found.get(row, {}).get(column) for column in range(1, max(found[row]) + 1)]
                if row in found
                else []
                for row in range(1, max(found, default=0) + 1)
            ],
        )
        for title, found in sheets
    ]


# --- rows -> table ---------------------------------------------------------------------


def _flat_key(cell: str) -> str | None:
    text = re.sub(r"\s*/\s*", " / ", clean_cell(cell).casefold().rstrip(":"))
    for key, aliases in FLAT_ALIASES.items():
        if text in aliases or text.rstrip("s") in aliases:
            return key
    return None


def _flat_header(cells: Sequence[str]) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = _flat_key(cell)
        if key and key not in columns:
            columns[key] = index
    if {"working_group", "challenge", "action_point"} <= columns.keys():
        return columns
    return None


def is_flat(rows: list[list[object]]) -> bool:
    """The flat layout starts (after blank lines) with a header naming the working group."""
    for raw in rows[:5]:
        cells = [clean_cell(value) for value in raw]
        if any(cells):
            # Not the whole header: read_flat_rows says which column is missing.
            return any(_flat_key(cell) == "working_group" for cell in cells)
    return False


def read_flat_rows(rows: list[list[object]], sheet: str = "") -> WorkshopTable:
    """One row per action point: working group, challenge, action point, deadline, ..."""
    table = WorkshopTable()
    columns: dict[str, int] | None = None
    groups: dict[str, GroupBlock] = {}
    challenges: dict[tuple[int, str], ChallengeRow] = {}

    def issue(row: int, key: str | None, message: str, level: str = ERROR, code: str = ""):
        column = _column_letter(columns[key]) if key and columns and key in columns else None
        table.issues.append(RowIssue(row, column, message, level, code, sheet))

    for row_number, raw in enumerate(rows, start=1):
        cells = [clean_cell(value) for value in raw]
        if not any(cells):
            continue
        if columns is None:
            columns = _flat_header(cells)
            if columns is None:
                issue(
                    row_number,
                    None,
                    "Expected a header row naming Working group, Challenge and Action point.",
                )
                return table
            for index, value in enumerate(cells):
                # The export's own derived columns (Plan, Due date) are not unknown.
                if value and index not in columns.values() and _flat_key(value) != "_ignored":
                    table.issues.append(
                        RowIssue(
                            row_number,
                            _column_letter(index),
                            f'Unknown column "{value}" was ignored.',
                            WARNING,
                            "",
                            sheet,
                        )
                    )
            continue

        def cell(key: str, cells: list[str] = cells, columns: dict = columns) -> str:
            index = columns.get(key)
            return cells[index] if index is not None and index < len(cells) else ""

        group_text = cell("working_group")
        if not group_text:
            issue(row_number, "working_group", "The working group is empty.")
            continue
        group = groups.get(group_text.casefold())
        if group is None:
            match = _GROUP_CELL.match(group_text)
            number = int(match.group(1)) if match else len(groups) + 1
            name = match.group(2).strip() if match else group_text
            if any(g.number == number for g in groups.values()):
                issue(row_number, "working_group", f"Group {number} appears with two names.")
                continue
            group = GroupBlock(row=row_number, number=number, name=name)
            if cell("team_leader"):
                group.team_leader = clean_cell(cell("team_leader"))
            if cell("team_members"):
                group.team_members = _split_names(cell("team_members"))
            groups[group_text.casefold()] = group
            table.groups.append(group)

        challenge_text = cell("challenge")
        if not challenge_text:
            issue(row_number, "challenge", "The challenge is empty.")
            continue
        challenge = challenges.get((group.number, challenge_text.casefold()))
        if challenge is None:
            match = _NUMBERED.match(challenge_text)
            if match:
                number, text = int(match.group(1)), match.group(2).strip()
            else:
                number, text = len(group.challenges) + 1, challenge_text
            if any(c.number == number for c in group.challenges):
                issue(
                    row_number,
                    "challenge",
                    f"Challenge {number} appears twice in group {group.number}.",
                )
                continue
            challenge = ChallengeRow(row=row_number, number=number, description=text)
            challenges[(group.number, challenge_text.casefold())] = challenge
            group.challenges.append(challenge)

        description = cell("action_point")
        if not description:
            issue(row_number, "action_point", "The action point is empty.")
            continue
        status = ""
        if cell("status"):
            status = STATUS_WORDS.get(cell("status").casefold(), "")
            if not status:
                issue(
                    row_number,
                    "status",
                    f'Unknown status "{cell("status")}". Use one of: '
                    + ", ".join(label for _v, label in ActionPointStatus.choices)
                    + ".",
                )
                continue
        progress = None
        if cell("progress"):
            text = cell("progress").rstrip("%").strip()
            try:
                progress = round(float(text))
            except ValueError:
                progress = -1
            if not 0 <= progress <= 100:
                issue(
                    row_number,
                    "progress",
                    f'Progress "{cell("progress")}" is not a number from 0 to 100.',
                )
                continue
        before = len(table.issues)
        _check_cells(table, row_number, columns, cell("deadline"), cell("focal_points"))
        for found in table.issues[before:]:
            found.sheet = sheet
        challenge.action_points.append(
            ActionPointRow(
                row=row_number,
                description=description,
                deadline=cell("deadline"),
                focal_points=cell("focal_points"),
                status=status,
                progress=progress,
                sheet=sheet,
            )
        )
    if columns is None:
        table.issues.append(RowIssue(1, None, "The table is empty.", ERROR, "empty", sheet))
    elif not table.groups and not table.errors:
        table.issues.append(
            RowIssue(1, None, "The table has a header but no action points.", ERROR, "empty", sheet)
        )
    return table


def _unneutralise(rows: list[list[object]]) -> list[list[object]]:
    """Undo the export's formula neutralisation, so that an export re-imports as it was."""
    return [[unneutralise(value) for value in row] for row in rows]


def _read_rows(rows: list[list[object]], sheet: str = "") -> WorkshopTable:
    rows = _unneutralise(rows)
    if is_flat(rows):
        return read_flat_rows(rows, sheet)
    table = read_workshop_rows(rows)
    for found in table.issues:
        found.sheet = sheet
    for group in table.groups:
        for challenge in group.challenges:
            for point in challenge.action_points:
                point.sheet = sheet
    return table


def _skip_repeated_groups(
    name: str, table: WorkshopTable, flat_groups: dict[int, str]
) -> WorkshopTable:
    """A workshop-layout sheet without the groups a flat sheet of the workbook holds too.

    The export writes each group twice: on the "Plan" sheet in the workshop's layout, and
    on the flat "Action points" sheet, which also has status and progress; that one is read.
    """
    repeated = [group for group in table.groups if group.number in flat_groups]
    if not repeated:
        return table
    # A group's rows run from its "Group N:" line to the next group's.
    starts = sorted(group.row for group in table.groups)
    spans = [
        (group.row, min((row for row in starts if row > group.row), default=10**9))
        for group in repeated
    ]
    kept = WorkshopTable(
        title=table.title,
        groups=[group for group in table.groups if group.number not in flat_groups],
        issues=[
            issue
            for issue in table.issues
            if not any(first <= issue.row < after for first, after in spans)
        ],
    )
    for group in repeated:
        kept.issues.append(
            RowIssue(
                group.row,
                None,
                f"Group {group.number} is on sheet “{flat_groups[group.number]}” too; "
                "it was read from there.",
                WARNING,
                "",
                name,
            )
        )
    return kept


def _merge(tables: list[tuple[str, WorkshopTable, bool]]) -> WorkshopTable:
    """Sheets of one workbook as one table: one group per sheet, or several."""
    merged = WorkshopTable()
    flat_groups = {
        group.number: name for name, table, flat in tables if flat for group in table.groups
    }
    with_groups = [name for name, table, _flat in tables if table.groups]
    for name, table, flat in tables:
        if not flat and table.groups:
            kept = _skip_repeated_groups(name, table, flat_groups)
            if not kept.groups:  # every group of this sheet is on a flat sheet
                merged.title = merged.title or table.title
                merged.issues.extend(kept.warnings)
                continue
            table = kept
        if not table.groups and with_groups:
            merged.issues.append(
                RowIssue(
                    1, None, "No working group on this sheet; it was skipped.", WARNING, "", name
                )
            )
            continue
        merged.title = merged.title or table.title
        merged.issues.extend(table.issues)
        for group in table.groups:
            if any(g.number == group.number for g in merged.groups):
                merged.issues.append(
                    RowIssue(
                        group.row,
                        None,
                        f"Group {group.number} appears twice in the workbook.",
                        ERROR,
                        "",
                        name,
                    )
                )
                continue
            merged.groups.append(group)
    return merged


def check_size(size: int) -> None:
    """Refuse a file over IMPORT_MAX_BYTES (an upload before it is read into memory)."""
    max_bytes = _limit("IMPORT_MAX_BYTES", 5 * 1024 * 1024)
    if size > max_bytes:
        raise _fail(
            f"The file is {size / (1024 * 1024):.1f} MB; the most accepted is "
            f"{max_bytes / (1024 * 1024):.0f} MB.",
            "too_large",
        )


def read_table(data: bytes) -> WorkshopTable:
    """Read an uploaded or pasted plan table; raises ValidationError when it cannot."""
    if not data or not data.strip():
        raise _fail("The file is empty.", "empty")
    check_size(len(data))
    if data.startswith(XLSX_SIGNATURE):
        sheets = xlsx_sheets(data)
    else:
        sheets = [("", text_rows(decode_text(data)))]
    max_rows = _limit("IMPORT_MAX_ROWS", 20_000)
    total_rows = sum(len(rows) for _name, rows in sheets)
    if total_rows > max_rows:
        raise _fail(
            f"The table has {total_rows:,} rows; the most accepted is {max_rows:,}.",
            "too_many_rows",
        )
    tables = [(name, _read_rows(rows, name), is_flat(rows)) for name, rows in sheets]
    if len(tables) == 1:
        return tables[0][1]
    return _merge(tables)


def table_counts(table: WorkshopTable) -> dict[str, int]:
    challenges = [c for g in table.groups for c in g.challenges]
    return {
        "groups": len(table.groups),
        "challenges": len(challenges),
        "action_points": sum(len(c.action_points) for c in challenges),
    }
