"""What a spreadsheet cell may hold. Formula injection: text a spreadsheet would run as
a formula is written with a leading apostrophe, and read back without it (the
importer undoes it). And every text cell is printable: no control character
(pim_tracker.characters.printable), which a workbook cannot hold."""

from __future__ import annotations

import functools
import unicodedata

from pim_tracker.characters import printable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What may hide before a formula's first character: the invisible format characters
# (byte order mark, zero-width spaces and joiners, direction marks: category Cf) and
# the controls an export leaves out (printable), which a spreadsheet may skip too.
_HIDING = {"Cf", "Cc"}


@functools.lru_cache(maxsize=1024)
def _starts_formula(character: str) -> bool:
    """The character, folded to its compatibility form (NFKC: the fullwidth "＝＋－＠",
    the small "﹦﹢﹣﹫", superscript "⁺"), starts a formula."""
    return unicodedata.normalize("NFKC", character).startswith(FORMULA_STARTS)


def needs_neutralising(text: str) -> bool:
    """A spreadsheet could take `text` for a formula: it starts with one of
    FORMULA_STARTS, or with a compatibility form of one (fullwidth "＝1+1"), after
    any invisible characters ("\\ufeff=1+1", "\\u200b=cmd")."""
    if not text:
        return False
    first = text[0]
    # Most text starts with a printable ASCII character: one comparison.
    if " " <= first < "\x7f":
        return first in "=+-@"
    if first.isalnum():  # no letter or digit folds to a formula's first character
        return False
    for character in text:
        if character in "\t\r" or unicodedata.category(character) not in _HIDING:
            return _starts_formula(character)
    return False


def neutralise(value: object) -> object:
    """Text a spreadsheet would take for a formula gets a leading apostrophe."""
    if isinstance(value, str) and needs_neutralising(value):
        return "'" + value
    return value


def unneutralise(value: object) -> object:
    """A cell the export neutralised, as it was written."""
    if isinstance(value, str) and value.startswith("'") and needs_neutralising(value[1:]):
        return value[1:]
    return value


def safe_cell(value: object) -> object:
    """A value as a spreadsheet cell holds it: printable, and neutralised."""
    return neutralise(printable(value))
