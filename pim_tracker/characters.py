"""Which characters stored text may hold, and what an export leaves out.

Text pasted from a word processor, a PDF or a chat carries characters nobody sees:
Word writes a manual line break as a vertical tab (U+000B), and a spreadsheet
cannot hold one (the Excel export failed on it). The rules, one home for every
door (forms, API and import all reach them through the services):

- **Control characters** (C0 U+0000–U+001F, DEL U+007F, C1 U+0080–U+009F) are
  refused in any stored text, except tab and line feed. A carriage return is a
  line break as browsers send it (CRLF) or as old Macs wrote it (CR): it becomes
  a line feed (`normalise_newlines`), never an error.
- **Direction formatting** characters — the embeddings and overrides (LRE, RLE,
  PDF, LRO, RLO: U+202A–U+202E) and the isolates (LRI, RLI, FSI, PDI:
  U+2066–U+2069) — are refused in names (plan titles, countries, origins, groups,
  organizations, tokens; people's names have their stricter rule in
  orgs.matching.check_name) and in links. An override makes a name or a link read
  as another one (after U+202E, "fdp.exe" shows as "exe.pdf"); a stored isolate
  would close the isolate the interface puts around a name in its sentences
  (pim_tracker.text.isolate), and let what follows reorder the sentence. The
  direction *marks* (LRM, RLM, ALM) are allowed: each is an invisible letter of
  one direction and overrides nothing. Descriptions and notes keep every
  direction character: Arabic text from word processors carries embeddings, and
  the pages show such text in `dir="auto"` elements that end their effect.
- **Links** hold no invisible format character at all (category Cf: zero-width
  spaces, the byte order mark, direction marks too): a link is copied and
  followed, not read.

Exports sanitise what older rows hold (`printable`): a workbook's XML cannot
hold most control characters, and no export may fail on a character.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class TextKind(StrEnum):
    """What a stored text is, for the characters it may hold."""

    TEXT = "text"  # descriptions, notes, reasons, deadlines
    NAME = "name"  # titles, names, countries, origins, acronyms
    LINK = "link"  # URLs


# Controls refused in stored text: every C0 but tab and line feed (carriage returns
# are turned into line feeds first), DEL and C1; lone surrogates, which no
# database encoding accepts.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Embeddings, overrides and their pop (U+202A–U+202E), isolates (U+2066–U+2069).
_DIRECTION = re.compile("[\u202a-\u202e\u2066-\u2069]")
# What an export leaves out: what the XML of a workbook (and RFC 5545 text) cannot
# hold — C0 controls but tab, line feed and carriage return, surrogates and the
# non-characters U+FFFE, U+FFFF — and the controls the services refuse (DEL, C1).
_NOT_PRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR as LF: one line break, whichever system wrote it."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def code_point(character: str) -> str:
    """ "U+000B": how a message names a character nobody can see."""
    return f"U+{ord(character):04X}"


def refused_character(text: str, kind: TextKind = TextKind.TEXT) -> tuple[str, str] | None:
    """The first character `text` may not hold as `kind`, with why (its message's
    kind: "control", "direction" or "invisible"); None when every character may
    stay. Line breaks are normalised before (`normalise_newlines`)."""
    if match := _CONTROL.search(text):
        return match.group(), "control"
    if kind == TextKind.TEXT:
        return None
    if match := _DIRECTION.search(text):
        return match.group(), "direction"
    if kind == TextKind.LINK:
        for character in text:
            if unicodedata.category(character) == "Cf":
                return character, "invisible"
    return None


def check_characters(text: str, *, field: str, label: str, kind: TextKind) -> str:
    """`text` with its line breaks normalised, or a ValidationError on `field` that
    names the character and the field (`label`, as the form shows it)."""
    text = normalise_newlines(text)
    refused = refused_character(text, kind)
    if refused is None:
        return text
    character, why = refused
    values = {"label": label, "character": code_point(character)}
    if why == "control":
        message = _(
            "%(label)s contains a control character (%(character)s), often pasted "
            "from another program: remove it."
        )
    elif why == "direction":
        message = _(
            "%(label)s contains a character that changes the direction of the text "
            "(%(character)s): remove it."
        )
    else:
        message = _("%(label)s contains an invisible character (%(character)s): remove it.")
    raise ValidationError({field: message % values})


def printable(value: object) -> object:
    """Text without the characters an export cannot write (see the module); other
    values as they are."""
    if isinstance(value, str) and _NOT_PRINTABLE.search(value):
        return _NOT_PRINTABLE.sub("", value)
    return value


def printable_text(text: str) -> str:
    """`printable` for text known to be text (a whole block of CSV)."""
    return _NOT_PRINTABLE.sub("", text)
