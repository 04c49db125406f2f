"""Reading an action point's PIM framework and priority from a table's optional
columns: "PIM category", "PIM principle", "PIM process step" and "Priority" (the
flat export writes them, so a plan goes out and back in with its tags).

A value is a slug ("protection_monitoring") or a label in English, French or
Arabic ("Protection monitoring", "Suivi de protection"), read by its match key
(orgs.matching: case, accents and Arabic letter variants ignored). Categories and
principles take several values, separated by ";" (what the export writes) or ","
(a label holding a comma, "Data responsibility, protection and security", is read
whole). An empty cell is None: "not given", which leaves an existing point's
values as they are. An unknown value is an error placed in its cell, naming the
values allowed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from actionplans.choices import PimCategory, PimPrinciple, PimProcessStep, Priority
from orgs.matching import match_key

# The column keys of table.COLUMN_ALIASES read here, and the choices of each.
PIM_KEYS = ("pim_categories", "pim_principles", "pim_process_step", "priority")
CHOICES: dict[str, type[models.TextChoices]] = {
    "pim_categories": PimCategory,
    "pim_principles": PimPrinciple,
    "pim_process_step": PimProcessStep,
    "priority": Priority,
}
MULTIPLE = ("pim_categories", "pim_principles")
# What separates several values in one cell: ";" (the export's), the Arabic
# semicolon, then "," and the Arabic comma when the parts are no label of their own.
_PARTS = re.compile("[;\u061b]")
_COMMAS = re.compile("[,\u060c]")


@dataclass
class PimCells:
    """What a row says of the PIM framework and priority; None: the cell is empty."""

    pim_categories: list[str] | None = None
    pim_principles: list[str] | None = None
    pim_process_step: str | None = None
    priority: str | None = None

    @property
    def given(self) -> bool:
        return any(getattr(self, key) is not None for key in PIM_KEYS)

    @property
    def lines(self) -> list[str]:
        return preview_lines(self)


@functools.cache
def _slug_of_word(key: str) -> dict[str, str]:
    """Each value's words (its slug, its label in each language of the site) by their
    match key -> the slug."""
    choices = CHOICES[key]
    words: dict[str, str] = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for value, label in choices.choices:
                words.setdefault(match_key(str(label)), value)
    for value in choices.values:
        words[match_key(value)] = value
    return words


def _allowed(key: str) -> str:
    """The values allowed, as labels in the active language."""
    return ", ".join(str(label) for _value, label in CHOICES[key].choices)


def _split(text: str, words: dict[str, str]) -> tuple[list[str], list[str]]:
    """The slugs a cell of several values names, and the parts that name none. Within
    a ";"-separated part, commas separate values unless the longest run of
    comma-separated pieces is one label."""
    slugs, unknown = [], []
    for part in _PARTS.split(text):
        pieces = [piece.strip() for piece in _COMMAS.split(part)]
        start = 0
        while start < len(pieces):
            if not pieces[start]:
                start += 1
                continue
            for end in range(len(pieces), start, -1):
                slug = words.get(match_key(", ".join(pieces[start:end])))
                if slug is not None:
                    slugs.append(slug)
                    start = end
                    break
            else:
                unknown.append(pieces[start])
                start += 1
    return slugs, unknown


def read_pim_cells(
    cell: Callable[[str], str], issue: Callable[[str, str], None]
) -> PimCells | None:
    """The row's PIM values from `cell(key)` (a column the table lacks reads ""); an
    unknown value is reported through `issue(key, message)` and gives None."""
    found = PimCells()
    ok = True
    for key in PIM_KEYS:
        text = cell(key).strip()
        if not text:
            continue
        words = _slug_of_word(key)
        if key in MULTIPLE:
            slugs, unknown = _split(text, words)
            value: object = list(dict.fromkeys(slugs))
        else:
            slug = words.get(match_key(text))
            value, unknown = slug, ([] if slug is not None else [text])
        if unknown:
            # The message of services.classification's check: one translation.
            issue(
                key,
                _('Unknown value "%(values)s". Use one of: %(allowed)s.')
                % {"values": '", "'.join(unknown), "allowed": _allowed(key)},
            )
            ok = False
            continue
        setattr(found, key, value)
    return found if ok else None


def labels(key: str, value: list[str] | str | None) -> str:
    """The values as labels in the active language, for the preview: "" for none."""
    if value is None:
        return ""
    names = dict(CHOICES[key].choices)
    slugs = value if isinstance(value, list) else [value] if value else []
    return "; ".join(str(names[slug]) for slug in slugs)


def preview_lines(pim: PimCells) -> list[str]:
    """What a row gives, one line per value given, for the import preview:
    "PIM categories: Population data; Protection monitoring"."""
    names = {
        "pim_categories": _("PIM categories"),
        "pim_principles": _("PIM principles"),
        "pim_process_step": _("PIM process step"),
        "priority": _("Priority"),
    }
    return [
        _("%(name)s: %(values)s")
        % {"name": names[key], "values": labels(key, getattr(pim, key)) or "—"}
        for key in PIM_KEYS
        if getattr(pim, key) is not None
    ]
