"""Mentions in comments: how "@someone" is written, resolved and shown.

A comment is stored with each mention as a token, `@[Fanette Dupont](person:12)`:
the person's id makes it unambiguous (two people of a plan may share a name),
the name keeps it readable in the API, in history and in an edit box. Pages
show the token as a highlighted "@Fanette Dupont".

People write mentions two ways, and `resolve` turns both into tokens:

- the comment box's suggestions (static/js/mentions.js) insert the token;
- "@" followed by a name, typed by hand (no JavaScript, the API): the longest run
  of words after the "@" that is exactly the name of someone who may be mentioned
  (compared by orgs.matching.match_key: case, accents and punctuation aside).
  When several such people share the name, nothing is written and the error
  lists each one's token to copy. An "@" followed by no one's name ("@home",
  an email address) stays text.

A token must name someone who may be mentioned (permissions.mentionable_people):
any other id, hidden or unknown, is an error that does not say which.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from orgs.matching import match_key
from orgs.models import Person

TOKEN = re.compile(r"@\[([^\[\]\n]{1,200})\]\(person:(\d{1,12})\)")
# "@" at the start or after anything but a letter or digit (not inside an email
# address), followed by a letter or digit.
_AT = re.compile(r"(?<![\w@])@(?=\w)")
# The words of a name typed after "@": runs of non-space on one line.
_WORD = re.compile(r"[^\s@\[\]]+")
_GAP = re.compile(r"[ \t]+")
_TRAILING = re.compile(r"[^\w]+$")
MAX_NAME_WORDS = 8


def token(person: Person) -> str:
    """The stored form of a mention of this person."""
    label = person.name.replace("[", "(").replace("]", ")").replace("\n", " ")
    return f"@[{label}](person:{person.pk})"


def token_ids(body: str) -> list[int]:
    """The ids of the people a stored body mentions, in order, each once."""
    return list(dict.fromkeys(int(match.group(2)) for match in TOKEN.finditer(body)))


def segments(body: str) -> list[tuple[str, bool]]:
    """The body as (text, is_mention) pieces for a template to show: a mention's
    text is "@" and the name it was written with."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in TOKEN.finditer(body):
        if match.start() > position:
            pieces.append((body[position : match.start()], False))
        pieces.append((f"@{match.group(1)}", True))
        position = match.end()
    if position < len(body):
        pieces.append((body[position:], False))
    return pieces


def plain(body: str) -> str:
    """The body as text, each token as "@name" (notifications, emails)."""
    return TOKEN.sub(lambda match: f"@{match.group(1)}", body)


def _typed_names(text: str, by_key: dict[str, list[Person]]) -> tuple[str, list[Person]]:
    """Text without tokens, with every "@name" of someone in `by_key` as a token."""
    out: list[str] = []
    found: list[Person] = []
    position = 0
    for at in _AT.finditer(text):
        if at.start() < position:
            continue  # inside a name already replaced
        ends = []
        cursor = at.end()
        for _i in range(MAX_NAME_WORDS):
            word = _WORD.match(text, cursor)
            if word is None:
                break
            ends.append(word.end())
            gap = _GAP.match(text, word.end())
            if gap is None:
                break
            cursor = gap.end()
        for end in reversed(ends):
            candidate = text[at.end() : end]
            candidate = _TRAILING.sub("", candidate)
            people = by_key.get(match_key(candidate), []) if candidate else []
            if not people:
                continue
            if len(people) > 1:
                raise ValidationError(
                    {
                        "body": _(
                            "“@%(name)s” could be several people of this plan. Write the one "
                            "you mean as shown here: %(candidates)s."
                        )
                        % {
                            "name": candidate,
                            "candidates": ", ".join(
                                f"{token(person)}"
                                + (
                                    f" ({person.organization.short_name})"
                                    if person.organization_id
                                    else ""
                                )
                                for person in people
                            ),
                        }
                    },
                    code="ambiguous_mention",
                )
            out.append(text[position : at.start()])
            out.append(token(people[0]))
            found.append(people[0])
            position = at.end() + len(candidate)
            break
    out.append(text[position:])
    return "".join(out), found


def resolve(body: str, people: Iterable[Person]) -> tuple[str, list[Person]]:
    """The body to store, every mention a token with the person's current name, and
    the people it mentions (in order, each once). `people` are those who may be
    mentioned. ValidationError on "body" for a token naming anyone else, or a typed
    name that is several people's."""
    by_id = {person.pk: person for person in people}
    by_key: dict[str, list[Person]] = defaultdict(list)
    for person in sorted(by_id.values(), key=lambda person: person.pk):
        by_key[match_key(person.name)].append(person)
    out: list[str] = []
    mentioned: list[Person] = []
    position = 0
    for match in [*TOKEN.finditer(body), None]:
        end = match.start() if match else len(body)
        text, found = _typed_names(body[position:end], by_key)
        out.append(text)
        mentioned.extend(found)
        if match is None:
            break
        person = by_id.get(int(match.group(2)))
        if person is None:
            raise ValidationError(
                {
                    "body": _(
                        "“%(mention)s”: you cannot mention this person here. Mention someone "
                        "named in this plan, or one of its coordinators."
                    )
                    % {"mention": match.group(0)}
                },
                code="unknown_mention",
            )
        out.append(token(person))
        mentioned.append(person)
        position = match.end()
    return "".join(out), list(dict.fromkeys(mentioned))
