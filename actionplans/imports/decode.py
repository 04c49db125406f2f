"""Bytes to rows of cells: TSV, CSV or XLSX, within the import limits.

The format is told from the content, not the file name: a ZIP signature is
XLSX, anything else is text whose encoding (UTF-8 with or without BOM,
UTF-16, Windows-1252) and delimiter (tab, comma or semicolon) are detected.
Every limit is checked here, as the table is read: the size of the upload
(IMPORT_MAX_BYTES), of the unpacked workbook (IMPORT_MAX_XLSX_UNCOMPRESSED_BYTES),
the rows (IMPORT_MAX_ROWS), the cells (IMPORT_MAX_CELLS, all sheets together) and the
columns of a sheet (XLSX_MAX_COLUMNS). A workbook is weighed before openpyxl parses
any of it (weight.py): what it would cost to read may not pass what IMPORT_MAX_CELLS
cells of values cost. Then it is read once, streamed (a workbook with formulas is
opened a second time for their saved values), rows, cells and text counted as they
come; a sheet's declared dimensions are never trusted.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import itertools
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from actionplans.imports.weight import weigh

Rows = list[list[object]]

XLSX_SIGNATURE = b"PK\x03\x04"
# A plan table is a few columns wide; a value further right is not part of one.
XLSX_MAX_COLUMNS = 100
# The last row of an Excel sheet: a row numbered past it is damage, not data.
XLSX_MAX_ROW = 1_048_576
# The most characters an Excel cell holds.
XLSX_MAX_CELL_CHARACTERS = 32_767
# What reading a workbook may cost (weight.py's units, some 4.5 µs each): so much for
# each cell of IMPORT_MAX_CELLS (a cell and its value weigh 4, its row and its shared
# string a little more), and so much for the frame of any workbook (parts, styles, theme).
XLSX_UNITS_PER_CELL = 6
XLSX_UNITS_FRAME = 20_000
_MIDNIGHT = datetime.time(0)


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _fail(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _unreadable(error: Exception) -> ValidationError:
    return _fail(_("The workbook cannot be read: %(error)s.") % {"error": error}, "xlsx")


def _damaged() -> ValidationError:
    return _fail(_("The file looks like an Excel workbook but is damaged."), "xlsx")


def sheet_rows(data: bytes) -> list[tuple[str, Rows]]:
    """Each sheet's name and rows: a workbook's sheets in order, or one unnamed sheet of
    text. Raises ValidationError when the bytes are no table or are over a limit."""
    if not data or not data.strip():
        raise _fail(_("The file is empty."), "empty")
    check_size(len(data))
    if data.startswith(XLSX_SIGNATURE):
        return xlsx_sheets(data)
    return [("", text_rows(decode_text(data)))]


def check_size(size: int) -> None:
    """Refuse a file over IMPORT_MAX_BYTES (an upload before it is read into memory)."""
    max_bytes = _limit("IMPORT_MAX_BYTES", 5 * 1024 * 1024)
    if size > max_bytes:
        raise _fail(
            _("The file is %(size)s MB; the most accepted is %(most)s MB.")
            % {"size": f"{size / (1024 * 1024):.1f}", "most": f"{max_bytes / (1024 * 1024):.0f}"},
            "too_large",
        )


def check_rows(rows: int) -> None:
    """Refuse a table of more than IMPORT_MAX_ROWS rows (all sheets together)."""
    max_rows = _limit("IMPORT_MAX_ROWS", 20_000)
    if rows > max_rows:
        raise _fail(
            _("The table has %(rows)s rows; the most accepted is %(most)s.")
            % {"rows": f"{rows:,}", "most": f"{max_rows:,}"},
            "too_many_rows",
        )


def check_cells(cells: int) -> None:
    """Refuse a table of more than IMPORT_MAX_CELLS cells (all sheets together): the
    cells of each row up to its last value, or the cells a workbook's sheets hold."""
    max_cells = _limit("IMPORT_MAX_CELLS", 200_000)
    if cells > max_cells:
        raise _fail(
            _("The table has %(cells)s cells; the most accepted is %(most)s.")
            % {"cells": f"{cells:,}", "most": f"{max_cells:,}"},
            "too_many_cells",
        )


# --- text ----------------------------------------------------------------------------------


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
                    _("The file starts like %(encoding)s text but is not.")
                    % {"encoding": encoding},
                    "encoding",
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
            _(
                "This is not a table: the file holds binary data. "
                "Upload a spreadsheet (.xlsx), CSV or tab-separated text."
            ),
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
            _("Cannot tell the text's encoding: save it as UTF-8 (or as an Excel workbook)."),
            "encoding",
        ) from None


def text_rows(text: str) -> list[list[str]]:
    """Rows of a tab-, comma- or semicolon-separated text, told from its lines."""
    text = text.lstrip("\ufeff")
    lines = list(itertools.islice((line for line in io.StringIO(text) if line.strip()), 50))
    counts = {d: sum(line.count(d) for line in lines) for d in ("\t", ",", ";")}
    delimiter = max(counts, key=lambda d: (counts[d], d == "\t"))
    if delimiter == "\t":
        return tab_rows(text)
    return _csv_rows(csv.reader(io.StringIO(text), delimiter=delimiter))


def tab_rows(text: str) -> list[list[str]]:
    """Rows of tab-separated text, as pasted from a slide or a spreadsheet."""
    # Slides paste quotes as text ("VASyR quality assurance package"), not CSV quoting.
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter="\t", quoting=csv.QUOTE_NONE)
    return _csv_rows(reader)


def _csv_rows(reader: Iterable[list[str]]) -> list[list[str]]:
    """The rows, within IMPORT_MAX_ROWS and IMPORT_MAX_CELLS: past either, the rest is
    counted, for the message, and not kept."""
    max_rows, max_cells = _limit("IMPORT_MAX_ROWS", 20_000), _limit("IMPORT_MAX_CELLS", 200_000)
    rows: list[list[str]] = []
    count = cells = 0
    try:
        for row in reader:
            count += 1
            cells += len(row)
            if count <= max_rows and cells <= max_cells:
                rows.append(row)
    except csv.Error as error:
        raise _fail(
            _("The text cannot be read as a table: %(error)s.") % {"error": error}, "csv"
        ) from None
    check_rows(count)
    check_cells(cells)
    return rows


# --- XLSX ----------------------------------------------------------------------------------


def check_zip(data: bytes) -> bool:
    """Refuse an archive that unpacks to far more than its size (a zip bomb), or whose
    XML would cost more to read than IMPORT_MAX_CELLS cells of values (weight.py):
    styles, names or rules by the hundred thousand, cells past the limit. Nothing of
    it is parsed yet. True when it holds formulas (their saved values are a second read).
    """
    limit = _limit("IMPORT_MAX_XLSX_UNCOMPRESSED_BYTES", 50 * 1024 * 1024)
    max_cells = _limit("IMPORT_MAX_CELLS", 200_000)
    budget = XLSX_UNITS_PER_CELL * max_cells + XLSX_UNITS_FRAME
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
            if total > limit:
                raise _fail(
                    _("The workbook unpacks to %(size)s MB; the most accepted is %(most)s MB.")
                    % {"size": total // (1024 * 1024), "most": limit // (1024 * 1024)},
                    "too_large",
                )
            if "xl/workbook.xml" not in archive.namelist():
                raise _fail(_("This ZIP file is not an Excel workbook (.xlsx)."), "xlsx")
            # The sizes are the archive's word; reading stops at them (a part longer
            # than it says fails its checksum), so the budget holds.
            weight = weigh(archive, budget)
    # Unsupported compression (NotImplementedError), an encrypted part (RuntimeError).
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
        raise _damaged() from None
    if weight.unreadable:
        raise _damaged()
    check_cells(weight.cells)
    if weight.units > budget:
        raise _fail(
            _(
                "The workbook is too heavy to read: with its formatting, rules and text it "
                "counts for more than %(most)s cells, the most accepted. Copy the table into "
                "a new workbook, or save it as CSV."
            )
            % {"most": f"{max_cells:,}"},
            "too_complex",
        )
    return weight.formulas


def xlsx_sheets(data: bytes) -> list[tuple[str, Rows]]:
    """Each sheet's rows, each up to its last value. Formulas are never evaluated: their
    cached value is read or, when the file has none, the formula as text.

    The workbook is weighed first (check_zip), then opened once and its sheets
    streamed (openpyxl's read-only mode), rows, cells and text counted as they come
    (_Tally); past IMPORT_MAX_ROWS the sheets that follow are not read. Each row is as
    wide as the cells the file holds: one value in XFD1048576 costs a million empty
    rows to skip, not a grid of 17 billion cells. Only a workbook with formulas is
    opened again, for the values saved with them, and only its rows with formulas are
    read then.
    """
    has_formulas = check_zip(data)
    tally = _Tally()
    sheets: list[tuple[str, Rows, dict[tuple[int, int], object]]] = []
    with _workbook(data, data_only=False) as workbook:
        for sheet in workbook.worksheets:
            rows, formulas = _read_sheet(sheet, tally)
            sheets.append((sheet.title, rows, formulas))
            if tally.rows > tally.max_rows:
                break
    check_rows(tally.rows)
    if has_formulas and any(formulas for _title, _rows, formulas in sheets):
        # A formula's saved value is only read with data_only, which hides the formula.
        with _workbook(data, data_only=True) as workbook:
            for title, rows, formulas in sheets:
                if formulas:
                    _put_cached_values(workbook[title], rows, formulas)
    return [(title, rows) for title, rows, _formulas in sheets]


@contextmanager
def _workbook(data: bytes, data_only: bool) -> Iterator[openpyxl.Workbook]:
    """The workbook opened for streaming, and closed after; a damaged one is refused."""
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception as error:  # openpyxl raises many kinds on damaged files
        raise _unreadable(error) from None
    try:
        yield workbook
    except ValidationError:
        raise
    except Exception as error:  # a damaged sheet shows only when it is streamed
        raise _unreadable(error) from None
    finally:
        workbook.close()


class _Tally:
    """The rows, cells and text of a workbook's sheets so far, against the limits.

    The cells are counted as openpyxl hands them over: each row as wide as its last
    cell, even an empty one with formatting (what Excel's used range shows), since
    that is what reading costs; past IMPORT_MAX_CELLS reading stops. The text of the
    cells kept may not pass IMPORT_MAX_BYTES characters either: a workbook repeats a
    shared string at no cost in its size, and the table's readers go through every
    character.
    """

    def __init__(self) -> None:
        self.max_rows = _limit("IMPORT_MAX_ROWS", 20_000)
        self.max_cells = _limit("IMPORT_MAX_CELLS", 200_000)
        self.max_text = _limit("IMPORT_MAX_BYTES", 5 * 1024 * 1024)
        self.rows = self.cells = self.text = 0

    def count_cells(self, width: int, sheet: str, number: int) -> None:
        self.cells += width
        if self.cells > self.max_cells:
            raise _fail(
                _(
                    "The table has more than %(most)s cells, the most accepted: sheet "
                    "“%(sheet)s” reaches that at row %(row)s (empty cells with formatting "
                    "count too)."
                )
                % {"most": f"{self.max_cells:,}", "sheet": sheet, "row": f"{number:,}"},
                "too_many_cells",
            )

    def count_text(self, cells: list[object], sheet: str, number: int) -> None:
        for index, value in enumerate(cells):
            if isinstance(value, str):
                if len(value) > XLSX_MAX_CELL_CHARACTERS:
                    raise _fail(
                        _(
                            "Sheet “%(sheet)s”, cell %(cell)s: %(length)s characters; a cell "
                            "holds at most %(most)s, as in Excel."
                        )
                        % {
                            "sheet": sheet,
                            "cell": f"{get_column_letter(index + 1)}{number}",
                            "length": f"{len(value):,}",
                            "most": f"{XLSX_MAX_CELL_CHARACTERS:,}",
                        },
                        "cell_too_long",
                    )
                self.text += len(value)
        if self.text > self.max_text:
            raise _fail(
                _("The table holds more than %(most)s MB of text, the most accepted.")
                % {"most": f"{self.max_text / (1024 * 1024):.0f}"},
                "too_much_text",
            )


def _read_sheet(sheet: Any, tally: _Tally) -> tuple[Rows, dict[tuple[int, int], object]]:
    """The sheet's rows while the table is within IMPORT_MAX_ROWS (past it, rows are
    counted, for the message, not kept), and the formulas among them by (row, column)
    index. Adds the number of its last row with a value to tally.rows."""
    # The dimensions a file declares may be wrong (or absurdly large): the cells decide.
    sheet.reset_dimensions()
    keep = tally.max_rows - tally.rows
    rows: Rows = []
    formulas: dict[tuple[int, int], object] = {}
    last = 0
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > XLSX_MAX_ROW:  # openpyxl fills the gap to any row number it is given
            raise _damaged()
        if not values:  # a row the file leaves out
            continue
        tally.count_cells(len(values), sheet.title, number)
        cells = _row_cells(values, sheet.title, number)
        if not cells:
            continue
        last = number
        if number <= keep:
            tally.count_text(cells, sheet.title, number)
            rows.extend([] for _blank in range(number - 1 - len(rows)))
            rows.append(cells)
            for index, value in enumerate(cells):
                if _is_formula(value):
                    formulas[(number - 1, index)] = value
    tally.rows += last
    return rows, formulas


def _row_cells(values: tuple, title: str, number: int) -> list[object]:
    """A row's values up to its last one, dates at midnight as ISO dates; a value right
    of XLSX_MAX_COLUMNS is refused."""
    if len(values) > XLSX_MAX_COLUMNS:
        # A row is as wide as its last cell, even an empty formatted one far right (XFD):
        # the values beyond the limit are looked for, not copied.
        beyond = values[XLSX_MAX_COLUMNS:]
        if beyond.count(None) < len(beyond):
            column = XLSX_MAX_COLUMNS + next(i for i, v in enumerate(beyond) if v is not None)
            raise _fail(
                _(
                    "Sheet “%(sheet)s” has a value in cell %(cell)s; a plan table has at "
                    "most %(most)s columns."
                )
                % {
                    "sheet": title,
                    "cell": f"{get_column_letter(column + 1)}{number}",
                    "most": XLSX_MAX_COLUMNS,
                },
                "too_many_columns",
            )
        values = values[:XLSX_MAX_COLUMNS]
    end = len(values)
    while end and values[end - 1] is None:
        end -= 1
    cells = list(values[:end])
    for index, value in enumerate(cells):
        if isinstance(value, datetime.datetime):
            cells[index] = _date(value)
    return cells


def _date(value: datetime.datetime) -> object:
    # Excel keeps a date as a datetime at midnight: ISO, as parse_deadline reads it.
    return value.date().isoformat() if value.time() == _MIDNIGHT else value


def _is_formula(value: object) -> bool:
    """A formula as openpyxl gives it without cached values (or text starting with "=",
    which the values pass reads back unchanged)."""
    if isinstance(value, str):
        return value.startswith("=")
    return isinstance(value, (ArrayFormula, DataTableFormula))


def _put_cached_values(sheet: Any, rows: Rows, formulas: dict[tuple[int, int], object]) -> None:
    """Each formula replaced by the value saved with it, or by its text when none was."""
    sheet.reset_dimensions()
    wanted = {row for row, _column in formulas}
    saved = {
        index: values
        for index, values in enumerate(sheet.iter_rows(values_only=True, max_row=max(wanted) + 1))
        if index in wanted
    }
    for (row, column), formula in formulas.items():
        values = saved.get(row, ())
        value = values[column] if column < len(values) else None
        if isinstance(value, datetime.datetime):
            value = _date(value)
        # An array formula's text is on .text; a plain one is the string itself.
        rows[row][column] = value if value is not None else str(getattr(formula, "text", formula))
