"""Interface text left in English on a page rendered in another language.

A test helper (not a test): a page test renders a page in French or Arabic and
asks which English texts of the interface it still shows.

Contract
--------
``untranslated(html, language)`` returns the texts of `html` that the project's
catalogue for `language` translates but that the page shows in English; empty
when the page shows none. ``assert_translated(html, language)`` fails with the
list. A text found means one of: the string was never marked for translation
while the same words are marked elsewhere, it was marked but rendered outside
gettext (a label computed at import time with gettext instead of
gettext_lazy, a template without ``{% load i18n %}``...), or the page was not
rendered in `language` at all.

The catalogue (``Catalogue.for_language``) is the project's own:
``<LOCALE_PATHS>/<language>/LC_MESSAGES/django.po``, read as written (no
compilemessages needed). Django's and its apps' catalogues are not read: their
strings (the admin, form errors of django.contrib.auth) are Django's concern.

What is read on the page, as a person sees or hears it: every text node of the
document, <title> and <option>s included (entities decoded, whitespace
collapsed), and the attributes title, alt, placeholder, aria-label,
aria-description, and the value of <input type="submit|button|reset">.

What is left out:
- <script>, <style>, <template> and <textarea> contents (code, and text a
  person is writing);
- any element marked ``translate="no"`` (HTML's own marker for text that must
  stay as it is: codes, names, user data a page chooses to mark), with all it
  contains;
- any element whose ``lang`` attribute names another language than
  `language`, with all it contains (the switcher's "English" in lang="en").

User data is the caller's part of the contract: the checker cannot tell a plan
titled "Overdue" from the interface's "Overdue". Tests build their data with
text written in the target language (or in words no msgid uses), or mark it
translate="no"; then every English text found is the interface's.

When a text counts as English:
- an entry counts when it has a translation in `language` that is not empty,
  not fuzzy, and differs from the English (a word both languages share, like
  "Date" or "Plans" in French, never counts); entries without a translation
  are ignored here (``missing_translations`` lists them: completeness is a
  separate check);
- its msgid and msgid_plural are cut at inline HTML tags (a blocktranslate
  around <a> or <strong>) into pieces; in each piece a placeholder (``%(name)s``,
  and ``%s`` in python-format entries) matches any text;
- a piece without any letter outside its placeholders ("%(name)s (%(org)s)")
  never counts;
- a text node (or attribute) counts when it is a piece, entirely; a piece of at
  least two words also counts when it stands inside a longer node between
  non-letters ("3 notifications, 1 unread; newest first.");
- a text that is entirely one of the language's own translations never counts.
`ignore` takes msgids the caller knows a page shows in English on purpose.

Use, in a page test::

    from tests.i18n_check import assert_translated

    response = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    assert_translated(response.content.decode(), "fr", page=url)

(``Catalogue.for_language("fr")`` once, passed to each call, saves reading the
.po file per page; ``missing_translations(catalogue)`` checks completeness.)
"""

from __future__ import annotations

import ast
import functools
import html as html_lib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

SKIPPED_ELEMENTS = frozenset({"script", "style", "template", "textarea"})
VOID_ELEMENTS = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    }
)
TEXT_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label", "aria-description")
BUTTON_INPUTS = frozenset({"submit", "button", "reset"})

_SPACES = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]*>")
_NAMED = r"%\([^)]+\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"
_POSITIONAL = r"%[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"
_WORD = re.compile(r"[^\W\d_]+")


def normalize(text: str) -> str:
    """Whitespace collapsed (no-break spaces too) and trimmed."""
    return _SPACES.sub(" ", text).strip()


# --- the catalogue ---------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One message of a .po file: its English and its translations (one per plural form)."""

    msgid: str
    msgid_plural: str = ""
    msgstrs: tuple[str, ...] = ()
    flags: frozenset[str] = frozenset()
    msgctxt: str = ""

    @property
    def translated(self) -> bool:
        return "fuzzy" not in self.flags and bool(self.msgstrs) and all(self.msgstrs)

    @property
    def python_format(self) -> bool:
        return "python-format" in self.flags or bool(re.search(_NAMED, self.msgid))

    @property
    def english(self) -> tuple[str, ...]:
        return (self.msgid, self.msgid_plural) if self.msgid_plural else (self.msgid,)


def _unquote(line: str) -> str:
    # PO strings use C escapes (\" \\ \n \t), which Python's literal syntax reads alike.
    return ast.literal_eval(line.strip())


def parse_po(text: str) -> list[Entry]:
    """The entries of a .po file's text; the header and obsolete (#~) entries left out."""
    entries: list[Entry] = []
    current: dict[str, object] = {}
    key = ""

    def finish() -> None:
        nonlocal current, key
        if "msgid" in current and current["msgid"]:
            strings = current.get("msgstr", {})
            entries.append(
                Entry(
                    msgid=current["msgid"],
                    msgid_plural=current.get("msgid_plural", ""),
                    msgstrs=tuple(strings[index] for index in sorted(strings)),
                    flags=frozenset(current.get("flags", ())),
                    msgctxt=current.get("msgctxt", ""),
                )
            )
        current, key = {}, ""

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#,"):
            if "msgid" in current:
                finish()
            flags = {flag.strip() for flag in line[2:].split(",")}
            current["flags"] = set(current.get("flags", set())) | flags
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = _unquote(line)
            if key.startswith("msgstr["):
                index = int(key[7:-1])
                current["msgstr"][index] += value
            elif key == "msgstr":
                current["msgstr"][0] += value
            elif key:
                current[key] += value
        else:
            keyword, _space, rest = line.partition(" ")
            if keyword in ("msgctxt", "msgid") and "msgid" in current and key != "msgctxt":
                finish()
            value = _unquote(rest)
            if keyword.startswith("msgstr["):
                current.setdefault("msgstr", {})[int(keyword[7:-1])] = value
            elif keyword == "msgstr":
                current.setdefault("msgstr", {})[0] = value
            else:
                current[keyword] = value
            key = keyword
    finish()
    return entries


@dataclass
class Catalogue:
    """The entries of one language's catalogue."""

    entries: list[Entry]

    @classmethod
    def from_po(cls, text: str) -> Catalogue:
        return cls(parse_po(text))

    @classmethod
    def for_language(cls, language: str, locale_paths: Iterable[Path | str] | None = None):
        """The project's django.po for `language` in each of settings.LOCALE_PATHS."""
        if locale_paths is None:
            from django.conf import settings

            locale_paths = settings.LOCALE_PATHS
        files = [
            Path(base) / language / "LC_MESSAGES" / "django.po"
            for base in locale_paths
            if (Path(base) / language / "LC_MESSAGES" / "django.po").exists()
        ]
        if not files:
            raise FileNotFoundError(f"No django.po for {language!r} in {list(locale_paths)}")
        return cls([entry for path in files for entry in parse_po(path.read_text("utf-8"))])


def missing_translations(catalogue: Catalogue) -> list[str]:
    """The msgids with no translation (empty or fuzzy): a complete catalogue has none."""
    return [entry.msgid for entry in catalogue.entries if not entry.translated]


# --- patterns from the catalogue ---------------------------------------------------


def _pieces(message: str) -> list[str]:
    """The runs of text of a message, cut at inline tags, entities decoded."""
    return [normalize(html_lib.unescape(piece)) for piece in _TAG.split(message)]


def _placeholders(python_format: bool) -> re.Pattern:
    if python_format:
        return re.compile(f"({_NAMED}|{_POSITIONAL}|%%)")
    return re.compile(f"({_NAMED})")


def _piece_pattern(piece: str, python_format: bool) -> tuple[str, str, bool] | None:
    """(regex, literal text, has placeholders) for a piece of a message; None for a
    piece with no letters outside its placeholders."""
    parts = _placeholders(python_format).split(piece)
    regex, literal, placeholders = [], [], False
    for index, part in enumerate(parts):
        if index % 2 == 0:
            regex.append(re.escape(part).replace("\\ ", " "))
            literal.append(part)
        elif part == "%%":
            regex.append("%")
            literal.append("%")
        else:
            regex.append("(?:.*?)")
            literal.append(" ")
            placeholders = True
    text = normalize("".join(literal))
    if not any(character.isalpha() for character in text):
        return None
    return "".join(regex), text, placeholders


def _fragments(piece: str, python_format: bool) -> list[str]:
    """The literal runs of a piece between its placeholders, those with letters."""
    parts = _placeholders(python_format).split(piece)[::2]
    return [part.strip() for part in parts if any(character.isalpha() for character in part)]


_EDGE_PLACEHOLDERS = re.compile(r"^(?:\(\?:\.\*\?\)\s*)+|(?:\s*\(\?:\.\*\?\))+$")


@dataclass
class _Pattern:
    """A piece of English: the whole text it matches, and what it matches inside a
    longer text (None: only whole texts). Compiled when first needed: compiling
    every piece of a catalogue costs seconds, a page needs few of them."""

    msgid: str
    exact: str
    inside: str | None
    words: frozenset[str]

    def matches(self, text: str) -> bool:
        if _regex(self.exact).fullmatch(text):
            return True
        return self.inside is not None and _regex(self.inside).search(text) is not None


@functools.cache
def _regex(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.S)


@dataclass
class _Matcher:
    """The English pieces to look for, indexed by their longest word, and the
    language's own texts (which never count)."""

    patterns: list[_Pattern] = field(default_factory=list)
    by_word: dict[str, list[int]] = field(default_factory=dict)
    own_texts: set[str] = field(default_factory=set)
    own_patterns: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, catalogue: Catalogue, ignore: Iterable[str] = ()) -> _Matcher:
        ignored = set(ignore)
        matcher = cls()
        entries = [entry for entry in catalogue.entries if entry.translated]
        own_fragments: list[str] = []
        for entry in entries:
            for msgstr in entry.msgstrs:
                for piece in _pieces(msgstr):
                    found = _piece_pattern(piece, entry.python_format)
                    if found is None:
                        continue
                    if found[2]:
                        matcher.own_patterns.append(found[0])
                        own_fragments.extend(_fragments(piece, entry.python_format))
                    else:
                        matcher.own_texts.add(normalize(found[1]))
        # Everything the language writes, to keep an English piece it also uses
        # (a name, an acronym) from counting inside a longer text.
        own_writing = "\n".join([*sorted(matcher.own_texts), *own_fragments])
        seen: set[tuple[str, str]] = set()
        for entry in entries:
            if entry.msgid in ignored or set(entry.english) <= set(entry.msgstrs):
                continue
            for english in entry.english:
                for piece in _pieces(english):
                    found = _piece_pattern(piece, entry.python_format)
                    if found is None or (entry.msgid, piece) in seen:
                        continue
                    seen.add((entry.msgid, piece))
                    regex, text, _placeholders_found = found
                    if text in matcher.own_texts:
                        continue
                    words = frozenset(word.casefold() for word in _WORD.findall(text))
                    inside = None
                    if len(_WORD.findall(text)) >= 2:
                        core = _EDGE_PLACEHOLDERS.sub("", regex)
                        inside = rf"(?<![^\W\d_]){core}(?![^\W\d_])"
                        # The search is slow on the whole catalogue: only when every
                        # literal part of the piece is somewhere in the language's texts.
                        if all(
                            fragment in own_writing
                            for fragment in _fragments(piece, entry.python_format)
                        ) and _regex(inside).search(own_writing):
                            inside = None
                    matcher.patterns.append(_Pattern(entry.msgid, regex, inside, words))
        for index, pattern in enumerate(matcher.patterns):
            # A text without the piece's longest word cannot show the piece.
            matcher.by_word.setdefault(max(pattern.words, key=len), []).append(index)
        return matcher

    def is_own(self, text: str) -> bool:
        """Whether the text is, entirely, one of the language's translations."""
        return text in self.own_texts or any(
            _regex(pattern).fullmatch(text) for pattern in self.own_patterns
        )

    def english_in(self, text: str) -> str | None:
        """The msgid whose English this text shows, or None."""
        words = {word.casefold() for word in _WORD.findall(text)}
        candidates = sorted({index for word in words for index in self.by_word.get(word, ())})
        for index in candidates:
            pattern = self.patterns[index]
            if not pattern.words <= words:
                continue
            if pattern.matches(text):
                return None if self.is_own(text) else pattern.msgid
        return None


# --- the page ----------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """An English text on the page: where ("text" or the attribute), what, which msgid."""

    where: str
    text: str
    msgid: str

    def __str__(self) -> str:
        return f"{self.where}: {self.text!r} (msgid {self.msgid!r})"


def _other_language(value: str | None, language: str) -> bool:
    if value is None:
        return False
    wanted = language.lower().split("-")[0]
    return value.strip().lower().replace("_", "-").split("-")[0] != wanted


class _Texts(HTMLParser):
    """The visible texts of a page, in order: (where, text)."""

    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.language = language
        self.texts: list[tuple[str, str]] = []
        self._skipping: str | None = None  # the tag name of the element being skipped
        self._depth = 0  # nesting of that same tag name inside it

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID_ELEMENTS:
            self._void(tag, attrs)
            return
        if self._skipping is not None:
            if tag == self._skipping:
                self._depth += 1
            return
        values = dict(attrs)
        if (
            tag in SKIPPED_ELEMENTS
            or (values.get("translate") or "").lower() == "no"
            or _other_language(values.get("lang"), self.language)
            and tag != "html"
        ):
            self._skipping, self._depth = tag, 1
            return
        self._attributes(values)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID_ELEMENTS:
            self._void(tag, attrs)
        elif self._skipping is None:
            self._attributes(dict(attrs))

    def _void(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skipping is not None:
            return
        values = dict(attrs)
        if (values.get("translate") or "").lower() == "no" or _other_language(
            values.get("lang"), self.language
        ):
            return
        self._attributes(values)
        if tag == "input" and (values.get("type") or "").lower() in BUTTON_INPUTS:
            self._add("value", values.get("value") or "")

    def _attributes(self, values: dict[str, str | None]) -> None:
        for name in TEXT_ATTRIBUTES:
            if values.get(name):
                self._add(name, values[name])

    def handle_endtag(self, tag: str) -> None:
        if self._skipping is not None and tag == self._skipping:
            self._depth -= 1
            if self._depth == 0:
                self._skipping = None

    def handle_data(self, data: str) -> None:
        if self._skipping is None:
            self._add("text", data)

    def _add(self, where: str, text: str) -> None:
        text = normalize(text)
        if any(character.isalpha() for character in text):
            self.texts.append((where, text))


def visible_texts(html: str, language: str) -> list[tuple[str, str]]:
    """(where, text) for every text of the page the checker reads (see the contract)."""
    parser = _Texts(language)
    parser.feed(html)
    parser.close()
    return parser.texts


def untranslated(
    html: str,
    language: str,
    catalogue: Catalogue | None = None,
    *,
    ignore: Iterable[str] = (),
) -> list[Finding]:
    """The English texts of the interface on this page rendered in `language`."""
    if catalogue is None:
        catalogue = Catalogue.for_language(language)
    matcher = _Matcher.build(catalogue, ignore)
    findings = []
    for where, text in visible_texts(html, language):
        msgid = matcher.english_in(text)
        if msgid is not None:
            findings.append(Finding(where, text, msgid))
    return findings


def assert_translated(
    html: str,
    language: str,
    catalogue: Catalogue | None = None,
    *,
    ignore: Iterable[str] = (),
    page: str = "the page",
) -> None:
    """Fail with every English text of the interface found on the page."""
    findings = untranslated(html, language, catalogue, ignore=ignore)
    assert not findings, f"{page} in {language!r} shows English text:\n" + "\n".join(
        f"  {finding}" for finding in findings
    )
