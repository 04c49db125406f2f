"""Read the fuzzy deadline and focal-point cells that PIM action plans are written with.

Workshops write "Q1 of 2019" or "Fanette (Fred can advise)"; we keep those words as
written and derive what the tracker needs: a due date with its precision, and who is
lead, support or advisor. Both parsers are pure functions (no models, no database) so
forms, the API and the importer all read a cell the same way. Text that cannot be read
raises ``ValidationError`` naming the text, because guessing would put wrong dates and
wrong people on an action point without anyone noticing.
"""

import calendar
import datetime
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext, gettext_noop

from actionplans.choices import DeadlinePrecision, FocalPointRole

DEADLINE_MAX_LENGTH = 100
FOCAL_POINTS_MAX_LENGTH = 500
MIN_YEAR, MAX_YEAR = 1900, 2100


class DeadlineExamples(NamedTuple):
    """Deadlines as people write them in one language, and how the language lists them."""

    forms: tuple[str, ...]  # the last one is a word ("ongoing"): it is shown in quotes
    separator: str  # between two forms
    last: str  # how the last form follows the others, "{}" standing for it


# Shown in error messages and as help text, so users see what will be accepted, in the
# interface language. These are data, not interface text for the translators: they are
# deadlines as people type them in that language, and the tests read every one with
# parse_deadline, so no catalogue can offer a form the reader refuses. The sentence around
# them ("Cannot read the deadline ...") is interface text, translated with gettext.
DEADLINE_EXAMPLES_BY_LANGUAGE: dict[str, DeadlineExamples] = {
    "en": DeadlineExamples(
        ("2019-03-15", "15/03/2019", "March 2019", "Q1 2019", "H1 2019", "2019", "Q1-Q2 2019")
        + ("ongoing",),
        ", ",
        ', or "{}"',
    ),
    "fr": DeadlineExamples(
        ("15/03/2020", "15 mars 2020", "juin 2020", "fin juin 2020", "T1 2020", "S1 2020")
        + ("fin 2020", "T1-T2 2020", "en cours"),
        ", ",
        " ou «\u00a0{}\u00a0»",  # French quotes, with no-break spaces
    ),
    "ar": DeadlineExamples(
        ("١٥/٠٣/٢٠٢٠", "15 آذار 2020", "حزيران 2020", "يونيو 2020", "الربع الأول 2020")
        + ("النصف الأول 2020", "نهاية 2020", "مستمر"),
        "، ",
        "، أو «{}»",
    ),
}
DEFAULT_EXAMPLES_LANGUAGE = "en"


def deadline_examples(language: str | None = None) -> str:
    """The accepted forms to show, in `language` (default: the active one; else English).

    A regional variant uses its language's examples ("fr-ca" those of "fr").
    """
    code = (language or get_language() or DEFAULT_EXAMPLES_LANGUAGE).lower().split("-")[0]
    examples = DEADLINE_EXAMPLES_BY_LANGUAGE.get(code)
    examples = examples or DEADLINE_EXAMPLES_BY_LANGUAGE[DEFAULT_EXAMPLES_LANGUAGE]
    *dated, word = examples.forms
    return examples.separator.join(dated) + examples.last.format(word)


# For help texts built at import time: resolved in the language active when shown.
deadline_examples_lazy = lazy(deadline_examples, str)

# English, for machines and the API schema (stable whatever the request's language).
DEADLINE_EXAMPLES = deadline_examples(DEFAULT_EXAMPLES_LANGUAGE)
FOCAL_POINTS_EXAMPLES = (
    '"Jad", "Rana, Omar", "Fanette (Fred can advise)", "Jad (lead), Rana (support)", '
    'or "UNHCR (Jad)"'
)


class ParsedDeadline(NamedTuple):
    """A deadline read from text: its precision and the last day it allows (None if undated)."""

    precision: str
    due_date: datetime.date | None


class FocalPointEntry(NamedTuple):
    """One person answerable for an action point, as read from a focal-point cell."""

    name: str
    role: str
    organization: str | None
    note: str = ""


# Word processors turn "-" into en/em dashes; treat them all as a hyphen.
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-"))
_WHITESPACE_RE = re.compile(r"\s+")  # str patterns match \xa0 and tabs too


def _normalise(text: str) -> str:
    """Collapse any run of whitespace to one space and unify dashes."""
    return _WHITESPACE_RE.sub(" ", text.translate(_DASHES)).strip()


# --------------------------------------------------------------------------- deadlines

_UNDATED = {"", "ongoing", "on-going", "on going", "continuous", "continuously", "tbd", "tbc"}
_UNDATED |= {"to be determined", "to be confirmed"}
_LEADING_WORDS_RE = re.compile(
    r"(?:by|before|until|till|in|during|no later than|not later than|the|end(?: of)?)(?: |-(?=\d))"
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAMES = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t|tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_MONTH = rf"(?P<mon>{_MONTH_NAMES})\.?"
_ORDINALS = {"1": 1, "first": 1, "1st": 1, "2": 2, "second": 2, "2nd": 2}
_ORDINALS |= {"3": 3, "third": 3, "3rd": 3, "4": 4, "fourth": 4, "4th": 4}
_Q_ORD = r"(?P<n>first|second|third|fourth|1st|2nd|3rd|4th)"
_H_ORD = r"(?P<n>first|second|1st|2nd)"

# Each form must match the whole (lower-cased, normalised, translated) text. Group names:
# y = 4-digit year, yy = 2-digit year, m = month number, mon = month name, d = day, n = which
# quarter or half (absent in "mid-2019", the first half, and "early 2019", the first quarter).
_FORMS: dict[str, tuple[str, ...]] = {
    DeadlinePrecision.DAY: (
        r"(?P<y>\d{4})(?P<s>[-/.])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})",
        r"(?P<d>\d{1,2})(?P<s>[-/.])(?P<m>\d{1,2})(?P=s)(?P<y>\d{4})",  # day first
        rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?: of)?[ -]?{_MONTH}[ ,-]*(?P<y>\d{{4}})",
        rf"{_MONTH} (?P<d>\d{{1,2}})(?:st|nd|rd|th)?,? (?P<y>\d{{4}})",
    ),
    DeadlinePrecision.MONTH: (
        rf"{_MONTH}(?: of |[ ,-]*)(?P<y>\d{{4}})",
        # A 2-digit year only with a hyphen ("Mar-19"): "March 19" is a day without a year.
        rf"{_MONTH}-(?P<yy>\d{{2}})",
        # The beginning or middle of a month is read as that month, as its end is.
        rf"(?:early|mid|(?:beginning|start|middle) of)[ -]?{_MONTH}[ ,-]*(?P<y>\d{{4}})",
        r"(?P<m>\d{1,2})[-/.](?P<y>\d{4})",
        r"(?P<y>\d{4})-(?P<m>\d{1,2})",  # ISO 8601
    ),
    DeadlinePrecision.QUARTER: (
        r"q(?P<n>[1-4])(?: of |[ ,/-]+)(?P<y>\d{4})",
        r"(?P<y>\d{4})[ /-]?q(?P<n>[1-4])",
        rf"{_Q_ORD} quarter(?: of)? (?P<y>\d{{4}})",
        # The beginning of a year is its first quarter, as its middle is the end of its first
        # half ("mid-2019").
        r"(?:early(?: of)?|(?:beginning|start) of)[ -](?P<y>\d{4})",
    ),
    DeadlinePrecision.HALF: (
        r"h(?P<n>[12])(?: of |[ ,/-]+)(?P<y>\d{4})",
        r"(?P<y>\d{4})[ /-]?h(?P<n>[12])",
        rf"{_H_ORD} half(?: of)? (?P<y>\d{{4}})",
        r"mid[ -]?(?P<y>\d{4})",
    ),
    DeadlinePrecision.YEAR: (r"(?P<y>\d{4})",),
}
_SINGLE_FORMS = [
    (re.compile(pattern), precision) for precision, forms in _FORMS.items() for pattern in forms
]
_TRAILING = ".,;:! "  # punctuation ending a deadline: "Ongoing.", "March 2019."
_RANGE_SEPARATOR_RE = re.compile(r" ?- ?| (?:to|until|till|through) ")
# "from March to June 2019"; French "de" / "du" and Arabic "من" come out of the translation
# below as "of" ("1er trimestre de 2020"), so a range may begin with "of" too.
_RANGE_START_RE = re.compile(r"(?:from|of) ")

# --- French and Arabic: read by the English forms above, after a word-for-word translation.
#
# The text is first folded: compatibility forms undone (Arabic presentation forms, "1ᵉʳ",
# full-width digits), accents and Arabic vowel marks, hamzas and shadda dropped ("février"
# = "fevrier", "الأوّل" = "الاول"), Arabic-Indic and Eastern Arabic-Indic digits made Latin,
# the letter variants people type interchangeably unified, invisible direction marks removed.
_FOLDED_CHARACTERS = {
    **{chr(0x0660 + digit): str(digit) for digit in range(10)},  # ٠١٢٣٤٥٦٧٨٩
    **{chr(0x06F0 + digit): str(digit) for digit in range(10)},  # ۰۱۲۳۴۵۶۷۸۹
    **dict.fromkeys("\u2018\u2019\u02bc\u2032`", "'"),  # typographic apostrophes
    "\u060c": ",",  # Arabic comma
    "\u061b": ";",  # Arabic semicolon
    "\u0649": "\u064a",  # alef maksura -> yeh
    "\u06cc": "\u064a",  # Farsi yeh -> yeh
    "\u0629": "\u0647",  # teh marbuta -> heh ("نهايه" for "نهاية")
    "\u06a9": "\u0643",  # keheh -> kaf
    # Direction marks and isolates pasted with Arabic text, zero-width characters, the
    # byte-order mark and the tatweel (a stretching stroke): nothing to read in them.
    **dict.fromkeys("\u200b\u200c\u200d\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e", ""),
    **dict.fromkeys("\u2066\u2067\u2068\u2069\ufeff\u0640", ""),
}
_FOLD = str.maketrans(_FOLDED_CHARACTERS)


def _fold(text: str) -> str:
    """Lower-case text without accents or vowel marks, digits Latin (see above)."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if unicodedata.category(char) != "Mn")
    return bare.translate(_FOLD).lower()


_MONTH_WORDS: dict[str, tuple[str, ...]] = {
    # French (the English abbreviations "sept", "oct", "nov", "dec" are French ones too), the
    # Levantine and Iraqi (Syriac) names, the Egyptian and Gulf ones with their spellings,
    # then the Maghreb's (from French: "جوان", "أوت"; the rest are the Egyptian names).
    "january": ("janvier", "janv", "كانون الثاني", "كانون ثاني", "يناير", "جانفي"),
    "february": ("février", "févr", "fév", "شباط", "فبراير", "فيفري"),
    "march": ("mars", "آذار", "مارس"),
    "april": ("avril", "avr", "نيسان", "أبريل", "إبريل", "أفريل"),
    "may": ("mai", "أيار", "مايو", "ماي"),
    "june": ("juin", "حزيران", "يونيو", "يونيه", "جوان"),
    "july": ("juillet", "juil", "تموز", "يوليو", "يوليه", "جويلية"),
    "august": ("août", "آب", "أغسطس", "أوت"),
    "september": ("septembre", "أيلول", "سبتمبر"),
    "october": ("octobre", "تشرين الأول", "تشرين أول", "أكتوبر"),
    "november": ("novembre", "تشرين الثاني", "تشرين ثاني", "نوفمبر"),
    "december": ("décembre", "déc", "كانون الأول", "كانون أول", "ديسمبر"),
}
_OTHER_WORDS: dict[str, tuple[str, ...]] = {
    # quarters and halves
    "quarter": ("trimestre",),
    "half": ("semestre",),
    "q1": ("الربع الأول",),
    "q2": ("الربع الثاني",),
    "q3": ("الربع الثالث",),
    "q4": ("الربع الرابع",),
    "h1": ("النصف الأول",),
    "h2": ("النصف الثاني",),
    "1st": ("1er", "1re", "1ère", "premier", "première"),
    "2nd": ("2e", "2ème", "2nde", "deuxième", "seconde"),
    "3rd": ("3e", "3ème", "troisième"),
    "4th": ("4e", "4ème", "quatrième"),
    # where in the period
    "end": ("fin", "نهاية", "آخر"),
    "mid": ("mi", "milieu", "milieu de", "منتصف"),
    "early": ("début", "au début", "au début de", "début de", "بداية", "مطلع", "أوائل"),
    # leading words, tolerated as their English ones are
    "by": ("d'ici", "pour", "بحلول"),
    "by end": ("à fin", "بنهاية", "مع نهاية"),
    "by the end": ("à la fin",),
    "before": ("avant", "قبل"),
    "no later than": ("au plus tard", "pas plus tard que", "في موعد أقصاه"),
    "until": ("jusqu'à", "jusqu'au", "jusqu'en", "حتى", "لغاية"),
    "in": ("en", "في"),
    "during": ("courant", "dans le courant de", "dans le courant du", "au cours de")
    + ("au cours du", "pendant", "durant", "خلال"),
    "the": ("le", "la"),
    "of": ("de", "du", "من"),
    "of ": ("d'",),  # elided: "fin d'avril 2020"
    "from": ("depuis",),
    "to": ("à", "au", "إلى"),
    # no date
    "ongoing": ("en cours", "مستمر", "مستمرة", "قيد التنفيذ", "جاري", "جارية", "جاري التنفيذ"),
    "continuous": ("continu", "continue", "en continu", "en permanence", "متواصل"),
    "continuously": ("بشكل مستمر",),
    "to be determined": ("à déterminer", "à définir", "à préciser", "يحدد لاحقا", "سيحدد لاحقا")
    + ("غير محدد",),
    "to be confirmed": ("à confirmer",),
    # words that add nothing: "fin de l'année 2020", "نهاية عام 2020", "شهر حزيران 2020"
    "": ("l'année", "l'an", "année", "mois de", "mois d'", "عام", "العام", "لعام", "سنة")
    + ("السنة", "لسنة", "شهر"),
}
_TRANSLATIONS: dict[str, str] = {
    _fold(word): english
    for table in (_MONTH_WORDS, _OTHER_WORDS)
    for english, words in table.items()
    for word in words
}
_LETTER_BEFORE, _LETTER_AFTER = r"(?<![^\W\d_])", r"(?![^\W\d_])"  # a letter, not a digit
_WORDS_RE = re.compile(
    "|".join(
        _LETTER_BEFORE + re.escape(word) + ("" if word.endswith("'") else _LETTER_AFTER)
        for word in sorted(_TRANSLATIONS, key=len, reverse=True)  # "en cours" before "en"
    )
)
# Before the words: abbreviations glued to a number, and a year's Gregorian "م" ("2020م").
_ABBREVIATIONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"{_LETTER_BEFORE}t([1-4])(?!\w)"), r"q\1"),  # trimestre: T1 2020
    (re.compile(rf"{_LETTER_BEFORE}s([12])(?!\w)"), r"h\1"),  # semestre: S1 2020
    (re.compile(r"الربع ?([1-4])(?!\d)"), r"q\1"),  # the words carry no marks to fold
    (re.compile(r"النصف ?([12])(?!\d)"), r"h\1"),
    (re.compile(rf"(?<=\d) ?م{_LETTER_AFTER}"), ""),
]
# After the words: a month named in both traditions, as UN Arabic does: "حزيران/يونيه 2020".
_MONTH_TWICE_RE = re.compile(rf"\b({_MONTH_NAMES}) ?/ ?\1\b")


def _translate(folded: str) -> str:
    """Turn French and Arabic words of folded text into the English ones the forms are made of."""
    body = folded
    for pattern, replacement in _ABBREVIATIONS:
        body = pattern.sub(replacement, body)
    body = _WORDS_RE.sub(lambda match: _TRANSLATIONS[match[0]], body)
    return _MONTH_TWICE_RE.sub(r"\1", _normalise(body))


# Interface text, translated when raised (the language of the request); the examples are
# put in before ValidationError formats "%(value)s", so its params stay {"value": text}.
_CANNOT_READ = gettext_noop(
    'Cannot read the deadline "%(value)s". Write it as, for example: %(examples)s.'
)
_REVERSED = gettext_noop(
    'The deadline "%(value)s" ends before it starts. Write it as, for example: %(examples)s.'
)
_DEADLINE_TOO_LONG = gettext_noop(
    'The deadline "%(value).40s…" is too long: use at most %(limit)s characters. '
    "Write it as, for example: %(examples)s."
)
_DEADLINE_NUL = gettext_noop(
    "Cannot read the deadline %(value)r: it contains a NUL character. "
    "Write it as, for example: %(examples)s."
)


def _deadline_error(message: str, text: str) -> ValidationError:
    fixed = {"examples": deadline_examples(), "limit": str(DEADLINE_MAX_LENGTH)}
    message = gettext(message)
    for name, value in fixed.items():
        message = message.replace(f"%({name})s", value.replace("%", "%%"))
    return ValidationError(message, code="invalid_deadline", params={"value": text})


def _build(precision: str, groups: dict[str, str | None]) -> tuple[str, datetime.date] | None:
    """Turn one matched form into (precision, last day), or None if the numbers are impossible."""
    year = int(groups["y"]) if groups.get("y") else 2000 + int(groups["yy"] or 0)
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    if precision == DeadlinePrecision.YEAR:
        month = 12
    elif precision == DeadlinePrecision.HALF:
        month = 6 * _ORDINALS[groups.get("n") or "1"]
    elif precision == DeadlinePrecision.QUARTER:
        month = 3 * _ORDINALS[groups.get("n") or "1"]
    elif groups.get("m"):
        month = int(groups["m"] or 0)
    else:
        month = _MONTHS.index((groups["mon"] or "")[:3]) + 1
    if not 1 <= month <= 12:
        return None
    if precision != DeadlinePrecision.DAY:
        return precision, datetime.date(year, month, calendar.monthrange(year, month)[1])
    try:
        return precision, datetime.date(year, month, int(groups["d"] or 0))
    except ValueError:  # 31/02/2019, 32/01/2019
        return None


def _parse_single(text: str) -> tuple[str, datetime.date] | None:
    """Read one period ("Q1 2019"), tolerating leading words such as "by the end of"."""
    while match := _LEADING_WORDS_RE.match(text):
        text = text[match.end() :]
    for pattern, precision in _SINGLE_FORMS:
        if match := pattern.fullmatch(text):
            return _build(precision, match.groupdict())
    return None


def _parse_range(text: str) -> tuple[tuple[str, datetime.date], tuple[str, datetime.date]] | None:
    """Read "<first> - <last>"; the first part may borrow its year from the last: "Jan-Mar 2019"."""
    if match := _RANGE_START_RE.match(text):
        text = text[match.end() :]
    for separator in _RANGE_SEPARATOR_RE.finditer(text):
        first_text, last_text = text[: separator.start()], text[separator.end() :]
        last = _parse_single(last_text)
        if last is None:
            continue
        tail = last_text.split(" ")
        candidates = [first_text] + [
            f"{first_text} {' '.join(tail[i:])}" for i in range(1, len(tail))
        ]
        for candidate in candidates:
            if first := _parse_single(candidate):
                return first, last
    return None


def parse_deadline(text: str) -> ParsedDeadline:
    """Read a written deadline into its precision and last allowed day (see docs/domain.md).

    English, French and Arabic are read alike, whatever the interface language: "T1 2020"
    and "الربع الأول ٢٠٢٠" as "Q1 2020". A range counts as its last part ("Q1-Q2 2019" is
    quarter, 2019-06-30). Raises ValidationError(code="invalid_deadline") for anything else,
    its examples in the active language.
    """
    read = _read_deadline(text)
    if isinstance(read, ParsedDeadline):
        return read
    raise _deadline_error(read, text)


# A table of thousands of rows repeats its deadlines ("Q1 2019", "ongoing"), and an import
# reads each cell twice (the preview, then the write): the reading is a pure function of
# the text, so it is kept. Errors are kept as their message, translated when raised.
@functools.lru_cache(maxsize=4096)
def _read_deadline(text: str) -> ParsedDeadline | str:
    """The deadline text reads as, or the message (untranslated) of why it does not."""
    if "\x00" in text:
        return _DEADLINE_NUL
    if len(text) > DEADLINE_MAX_LENGTH:
        return _DEADLINE_TOO_LONG
    folded = _normalise(_fold(text)).rstrip(_TRAILING)
    body = _translate(folded).rstrip(_TRAILING)
    if folded and not body:  # only words that add nothing ("عام", "l'année"): not "no date"
        return _CANNOT_READ
    while match := _LEADING_WORDS_RE.match(body):
        body = body[match.end() :]
    if body in _UNDATED:
        return ParsedDeadline(DeadlinePrecision.NONE, None)
    if single := _parse_single(body):
        return ParsedDeadline(*single)
    parts = _parse_range(body)
    if parts is None:
        return _CANNOT_READ
    (_, first_due), (precision, last_due) = parts
    if last_due < first_due:  # "2019-2018" is a typo, not a deadline
        return _REVERSED
    return ParsedDeadline(precision, last_due)


# ------------------------------------------------------------------------- focal points

_ROLE_WORDS: dict[str, str] = {
    **dict.fromkeys(["lead", "co-lead", "co lead", "colead", "focal point"], FocalPointRole.LEAD),
    **dict.fromkeys(["support", "supporting"], FocalPointRole.SUPPORT),
    **dict.fromkeys(["advisor", "adviser", "advise", "advisory"], FocalPointRole.ADVISOR),
}
_ROLE_STRENGTH = {FocalPointRole.LEAD: 3, FocalPointRole.SUPPORT: 2, FocalPointRole.ADVISOR: 1}
_MODAL = r"(?:can|could|will|would|may|might|shall|to) (?:also )?"
# "(Fred can advise)", "(advised by Fred)", "(with support from Rana)", "(Rana to support)".
_HELPER_PHRASES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"(?P<who>.+?) {_MODAL}advise", re.I), FocalPointRole.ADVISOR),
    (re.compile(r"advi(?:sed|ce) (?:by|from) (?P<who>.+)", re.I), FocalPointRole.ADVISOR),
    (re.compile(rf"(?P<who>.+?) {_MODAL}support", re.I), FocalPointRole.SUPPORT),
    (re.compile(r"(?:with )?support(?:ed)? (?:from|by) (?P<who>.+)", re.I), FocalPointRole.SUPPORT),
]
# "and" / "&" only as whole words, so "Anderson" and "M&E" stay intact.
_SEPARATOR = r"(?:[,;/+\n]|(?<!\S)(?:&|and)(?!\S))"
_LIST_SEPARATOR_RE = re.compile(rf"\s*{_SEPARATOR}(?:\s*{_SEPARATOR})*\s*", re.I)
_MASKED_GROUP_RE = re.compile(r"\(\x00*\)")
_ORGANIZATION_TOKEN_RE = re.compile(r"[A-Za-z0-9&-]{2,12}")
_NOTE_WORDS = {"tbc", "tbd", "tba", "to be confirmed", "to be determined", "asap"}
_NAME_PARTICLES = {"al", "el", "abu", "bin", "ben", "de", "da", "di", "du", "la", "le", "van"}
_NAME_PUNCTUATION = " .,;:-*_\"'`"
_FOCAL_POINTS_NUL = "Cannot read the focal points %(value)r: it contains a NUL character."
_FOCAL_POINTS_TOO_LONG = (
    f'The focal points "%(value).40s…" are too long: '
    f"use at most {FOCAL_POINTS_MAX_LENGTH} characters."
)
_MAX_NESTING = 2  # "UNHCR (Jad (lead), Rana)" is as deep as real cells go
_TOO_DEEP = 'Cannot read the focal points "%(value)s": parentheses are nested too deeply.'
_UNBALANCED = 'Cannot read the focal points "%(value)s": a parenthesis is not closed or not opened.'


@dataclass
class _Draft:
    """A focal point being read; role None means "decide from its position in the list"."""

    name: str
    role: str | None = None
    organization: str | None = None
    notes: list[str] = field(default_factory=list)


def _focal_points_error(problem: str, text: str) -> ValidationError:
    message = f"{problem} Write them as, for example: {FOCAL_POINTS_EXAMPLES}."
    return ValidationError(message, code="invalid_focal_points", params={"value": text})


def looks_like_organization(token: str) -> bool:
    """Tell an acronym such as UNHCR, DRC, M&E or MoSA from a person's name.

    2-12 letters, digits, "&" or "-", no spaces, at least two capitals and no more lower-case
    letters than capitals (so "MoSA" and "iMMAP" pass but "McDonald" does not). "TBC" and
    the like are placeholders, not organizations.
    """
    token = token.strip()
    if not _ORGANIZATION_TOKEN_RE.fullmatch(token) or token.lower() in _NOTE_WORDS:
        return False
    upper = sum(char.isupper() for char in token)
    return upper >= 2 and upper >= sum(char.islower() for char in token)


def _looks_like_person(name: str) -> bool:
    """Capitalised words ("Jad", "Rana El Khoury"), not a remark such as "tbc" or "from May"."""
    words = name.split()
    return (
        0 < len(words) <= 5
        and name.lower() not in _NOTE_WORDS
        and not any(char.isdigit() for char in name)
        and all(w[0].isupper() or w.split("-")[0].lower() in _NAME_PARTICLES for w in words)
    )


def _mask_parentheses(text: str) -> str:
    """Replace what is inside parentheses by NULs (rejected in input), keeping positions."""
    if "(" not in text:
        return text  # most segments: nothing to mask
    depth, masked = 0, []
    for char in text:
        depth -= char == ")"
        masked.append(char if depth == 0 else "\x00")
        depth += char == "("
    return "".join(masked)


def _split_list(text: str) -> list[str]:
    """Split "Rana, Omar and Fred" on separators outside parentheses."""
    masked, pieces, start = _mask_parentheses(text), [], 0
    for separator in _LIST_SEPARATOR_RE.finditer(masked):
        pieces.append(text[start : separator.start()])
        start = separator.end()
    pieces.append(text[start:])
    return [piece for piece in map(_normalise, pieces) if piece]


def _parse_list(text: str) -> list[_Draft]:
    return [draft for segment in _split_list(text) for draft in _parse_segment(segment)]


def _apply_roles_and_organization(draft: _Draft, content: str) -> bool:
    """Read "(lead)", "(UNHCR)" or "(lead, UNHCR)" onto draft; False if it is something else."""
    parts = {
        part.strip(" ."): _ROLE_WORDS.get(part.strip(" .").lower()) for part in content.split(",")
    }
    if not all(role or looks_like_organization(part) for part, role in parts.items()):
        return False
    for part, role in parts.items():
        if role:
            draft.role = role
        else:
            draft.organization = part
    return True


def _parse_helpers(content: str) -> list[_Draft] | None:
    """Read "(Fred can advise)" and similar into the helpers it names, or None if it is not one."""
    for pattern, role in _HELPER_PHRASES:
        if match := pattern.fullmatch(content):
            helpers = _parse_list(match["who"])
            for helper in helpers:
                helper.role = helper.role or role
            return helpers
    return None


def _parse_segment(segment: str) -> list[_Draft]:
    """Read one list item: a name (or organization) followed by any parenthetical remarks."""
    masked = _mask_parentheses(segment)
    groups = [
        _normalise(segment[m.start() + 1 : m.end() - 1]) for m in _MASKED_GROUP_RE.finditer(masked)
    ]
    head = _normalise(_MASKED_GROUP_RE.sub(" ", masked)).strip(_NAME_PUNCTUATION)
    if not head:  # "(Jad)": nothing outside to attach to, so the parentheses hold the names
        return [draft for content in groups for draft in _parse_list(content)]
    draft, helpers, members = _Draft(head), [], []
    for content in filter(None, groups):
        if _apply_roles_and_organization(draft, content):
            continue
        if (found := _parse_helpers(content)) is not None:
            helpers.extend(found)
            continue
        people = _parse_list(content) if looks_like_organization(head) else []
        if people and all(_looks_like_person(person.name) for person in people):
            members.extend(people)  # "UNHCR (Jad, Rana)"
            continue
        draft.notes.append(content)  # never drop what we could not read: keep it as a note
    if not members:
        return [draft, *helpers]
    # The head named the people's organization; it is not a focal point itself.
    for member in members:
        member.organization = member.organization or head
    members[0].notes.extend(draft.notes)
    return [*members, *helpers]


def _assign_default_roles(drafts: list[_Draft]) -> None:
    """People without a stated role: the first is lead unless someone is lead, the rest support."""
    has_lead = any(draft.role == FocalPointRole.LEAD for draft in drafts)
    for draft in drafts:
        if draft.role is None:
            draft.role = FocalPointRole.SUPPORT if has_lead else FocalPointRole.LEAD
            has_lead = True


def _merge_duplicates(drafts: list[_Draft]) -> list[_Draft]:
    """Keep each person once (case-insensitively), at the first place, with the strongest role."""
    kept: dict[str, _Draft] = {}
    for draft in drafts:
        first = kept.setdefault(draft.name.casefold(), draft)
        if first is draft:
            continue
        if _ROLE_STRENGTH[draft.role or ""] > _ROLE_STRENGTH[first.role or ""]:
            first.role = draft.role
        first.organization = first.organization or draft.organization
        first.notes.extend(note for note in draft.notes if note not in first.notes)
    return list(kept.values())


def parse_focal_points(text: str) -> list[FocalPointEntry]:
    """Read a focal-point cell into people (see _parse_focal_points); a new list each time."""
    return list(_parse_focal_points(text))


# An import reads each focal-point cell twice (the table, then its people) and a
# workshop table repeats the same cells ("IMWG", "Jad (lead), Rana"): the entries are
# immutable, and a cell is read once. Errors are raised, never kept.
@functools.lru_cache(maxsize=4096)
def _parse_focal_points(text: str) -> tuple[FocalPointEntry, ...]:
    """Read a focal-point cell into people with roles, organizations and notes.

    "Fanette (Fred can advise)" gives Fanette lead and Fred advisor; in a list the first
    person leads and the others support unless roles are written. An acronym in
    parentheses is the person's organization ("Jad (UNHCR)"), and an acronym followed by
    names is theirs ("UNHCR (Jad)"). A lone acronym such as "IMWG" is kept as the *name*
    of who is responsible, because that is what the plan says. Parentheses we cannot read
    are kept in ``note``. Line breaks outside parentheses separate people.
    """
    if "\x00" in text:
        raise _focal_points_error(_FOCAL_POINTS_NUL, text)
    if len(text) > FOCAL_POINTS_MAX_LENGTH:
        raise _focal_points_error(_FOCAL_POINTS_TOO_LONG, text)
    depth = deepest = 0
    if "(" in text or ")" in text:
        for char in text:
            depth += (char == "(") - (char == ")")
            deepest = max(deepest, depth)
            if depth < 0:
                break
    if depth != 0:
        raise _focal_points_error(_UNBALANCED, text)
    if deepest > _MAX_NESTING:  # the reader recurses into parentheses: bound it
        raise _focal_points_error(_TOO_DEEP, text)
    drafts = _parse_list(_SPACES_RE.sub(" ", text.replace("\r", "\n")))
    _assign_default_roles(drafts)
    return tuple(
        FocalPointEntry(d.name, d.role or "", d.organization, "; ".join(d.notes))
        for d in _merge_duplicates(drafts)
    )


_SPACES_RE = re.compile(r"[^\S\n]+")
