"""What reading a workbook will cost, told before openpyxl parses any of it.

openpyxl builds Python objects from a workbook's XML, at very different costs: a
cell and its value some 20 µs, an inline string 40 µs, a shared string 25 µs, a
style, a name, a merged range or a validation rule 20 to 45 µs and up to a kilobyte
of memory. The size of the file says little about them: 80 KB unpack to 500,000
styles, which took 17 s and 420 MB to open; and a sheet without a <dimension> is
parsed twice. So each part of the archive is unpacked here, its elements counted at
C speed (bytes.count, and one regular expression over the cells: a tenth of a
second for 30 MB) and weighed by what openpyxl will make of them, in units of about
4.5 µs (measured with openpyxl 3.1 and defusedxml, which parses in Python).

An element not known as cheap weighs as much as the dearest kind, so that a part
written to look like another weighs no less than it costs.
"""

from __future__ import annotations

import functools
import re
import zipfile
from collections import Counter
from dataclasses import dataclass

# Among a sheet's cells (<sheetData>): a row, a cell, its value, its formula, an inline
# string (openpyxl reads it as rich text) and its text.
WEIGHT_CELLS = {b"row": 2, b"c": 3, b"v": 1, b"f": 3, b"is": 5, b"t": 1}
# Each of them once more in a sheet without a <dimension>: openpyxl reads it all once
# to find its size.
WEIGHT_UNSIZED = 1
# A shared string, or its text.
WEIGHT_STRINGS = {b"si": 3, b"t": 3}
# Every other element: styles, names, merged ranges, rules, rich text, and any
# element among the cells that is none of the above.
WEIGHT_OTHER = 10
# Opening a part of the archive, and a sheet of the workbook's list.
WEIGHT_PART = 50
WEIGHT_SHEET = 200

_SHEET_ROOTS = {b"worksheet", b"chartsheet", b"dialogsheet", b"macrosheet"}
# The first start tag: the part's root element, with its namespace prefix.
_ROOT = re.compile(rb"<(?![?!/])(?:([^\s/>:]+):)?([^\s/>]+)")


@dataclass
class Weight:
    """A workbook's weight (units: about 4.5 µs of reading each), and what it holds."""

    units: int = 0
    # Cells of its sheets (<c> elements, empty ones included).
    cells: int = 0
    # Sheets the workbook lists, and parts that are sheets: more of the first than of
    # the second means some part is read for several sheets.
    sheets: int = 0
    sheet_parts: int = 0
    # The weight of its heaviest part, which one listed sheet may read again.
    heaviest: int = 0
    formulas: bool = False
    # Weighing stopped when the units passed the budget: they are at least this.
    stopped: bool = False
    # A part in UTF-16, which the counting cannot read (Excel writes UTF-8).
    unreadable: bool = False


def weigh(archive: zipfile.ZipFile, budget: int) -> Weight:
    """The weight of every part of the archive, up to `budget` units: past it, the
    parts that follow are only looked at for their cells (for the message), and
    `stopped` is set (the workbook is too heavy anyway)."""
    weight = Weight()
    for info in archive.infolist():
        if info.is_dir():
            continue
        blob = archive.read(info)
        if _unreadable(blob):
            weight.unreadable = True
            return weight
        root = _root(blob)
        if weight.stopped:
            weight.cells += _some_cells(blob, root)
            continue
        weight.units += WEIGHT_PART + _weigh_part(blob, root, weight, budget - weight.units)
        weight.stopped = weight.units > budget
    if not weight.stopped:
        # A part several listed sheets point to is read for each.
        weight.units += WEIGHT_SHEET * weight.sheets
        weight.units += max(0, weight.sheets - weight.sheet_parts) * weight.heaviest
        if weight.formulas:
            # The values saved with the formulas are read in a second pass.
            weight.units *= 2
    return weight


def _unreadable(blob: bytes) -> bool:
    """XML in UTF-16, which the counting cannot read (Excel writes UTF-8)."""
    head = blob[:4]
    return head.startswith((b"\xff\xfe", b"\xfe\xff")) or (b"\x00" in head and b"<" in head)


def _root(blob: bytes) -> tuple[bytes, bytes] | None:
    """The namespace prefix ("x:", or b"") and the name of the part's root element: no
    name (b"") when it has none or hides it behind a comment or a DTD; None when the
    part is not XML (an image: openpyxl cannot parse it)."""
    start = blob.find(b"<")
    if start < 0 or blob[:start].strip() not in (b"", b"\xef\xbb\xbf"):
        return None
    root = _ROOT.search(blob, start)
    if root is None or b"<!" in blob[start : root.start()]:
        return b"", b""
    prefix = root.group(1)
    return (prefix + b":" if prefix else b""), root.group(2)


def _weigh_part(blob: bytes, root: tuple[bytes, bytes] | None, weight: Weight, room: int) -> int:
    """One part's units, adding its cells, sheets and formulas to `weight`."""
    if root is None:
        return 0
    elements = _elements(blob)
    prefix, name = root
    if name in _SHEET_ROOTS:
        weight.sheet_parts += 1
    if elements > room:
        # Every element weighs 1 at least: too heavy, whatever they are.
        weight.cells += _some_cells(blob, root)
        units = elements
    elif name == b"workbook":
        weight.sheets += len(_named(prefix, b"sheet").findall(blob))
        units = WEIGHT_OTHER * elements
    elif name == b"sst":
        units = _weigh_kinds(_named(prefix, b"si|t").findall(blob), WEIGHT_STRINGS, elements)
    elif name in _SHEET_ROOTS:
        units = _weigh_sheet(blob, prefix, elements, weight)
    else:
        units = WEIGHT_OTHER * elements
    weight.heaviest = max(weight.heaviest, units)
    return units


def _some_cells(blob: bytes, root: tuple[bytes, bytes] | None) -> int:
    """The cells of a sheet in their common forms (<c>, <c .../>, <c r="A1">): a lower
    bound, quick to count, for a message."""
    if root is None or root[1] not in _SHEET_ROOTS:
        return 0
    return sum(blob.count(b"<" + root[0] + b"c" + end) for end in (b">", b" ", b"/"))


def _weigh_sheet(blob: bytes, prefix: bytes, elements: int, weight: Weight) -> int:
    """A sheet: its rows, cells, values, formulas and inline texts weigh little, the rest
    (formats, merged ranges, rules) much more."""
    data = _named(prefix, b"sheetData", closed=False).search(blob)
    if data is None:
        return WEIGHT_OTHER * elements
    end = blob.find(b"</" + prefix + b"sheetData", data.end())
    if end < 0:
        return WEIGHT_OTHER * elements
    found = _named(prefix, b"row|c|v|f|is|t").findall(blob, data.end(), end)
    kinds = Counter(found)
    weight.cells += kinds[b"c"]
    weight.formulas = weight.formulas or kinds[b"f"] > 0
    units = _weigh_kinds(found, WEIGHT_CELLS, elements, kinds)
    if _named(prefix, b"dimension").search(blob, 0, data.start()) is None:
        units += WEIGHT_UNSIZED * len(found)
    return units


def _weigh_kinds(
    found: list[bytes], weights: dict[bytes, int], elements: int, kinds: Counter | None = None
) -> int:
    """The weight of the elements `found` by kind, and of the rest of the part's."""
    kinds = Counter(found) if kinds is None else kinds
    return sum(weights[kind] * count for kind, count in kinds.items()) + WEIGHT_OTHER * (
        elements - len(found)
    )


def _elements(blob: bytes) -> int:
    """The start tags in blob: every "<" but those of end tags, declarations, comments
    and processing instructions (a "<" inside a comment counts: an overcount)."""
    return blob.count(b"<") - blob.count(b"</") - blob.count(b"<!") - blob.count(b"<?")


@functools.cache
def _named(prefix: bytes, names: bytes, closed: bool = True) -> re.Pattern[bytes]:
    """Start tags of these names ("a|b") with the part's namespace prefix; the group is
    the name. With closed=False, not the empty form (<sheetData/> holds nothing)."""
    after = rb"[\s/>]" if closed else rb"[\s>]"
    return re.compile(b"<" + re.escape(prefix) + b"(" + names + b")" + after)
