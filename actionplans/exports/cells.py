"""Formula injection: text a spreadsheet would run as a formula is written with a
leading apostrophe, and read back without it (the importer undoes it)."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISED_STARTS = tuple("'" + start for start in FORMULA_STARTS)


def neutralise(value: object) -> object:
    """Text a spreadsheet would take for a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unneutralise(value: object) -> object:
    """A cell the export neutralised, as it was written."""
    if isinstance(value, str) and value.startswith(NEUTRALISED_STARTS):
        return value[1:]
    return value
