"""One rule for telling whether two written names are the same person's.

Every door uses it: forms, the API, the importer, invitations, the
duplicates page. Two names match when their keys are equal:

- Unicode compatibility forms folded (NFKC: full-width letters, ligatures);
- case folded ("Omar" = "OMAR", "Straße" = "STRASSE");
- accents and other combining marks ignored ("Fanette" = "Fânette",
  Arabic short vowels and shadda too); the stored name keeps them;
- Arabic letter variants folded: alef with hamza or madda and alef wasla to
  bare alef, taa marbuta to haa, alef maqsura to yaa, hamza on waw or yaa to
  the bare letter; tatweel (the stretching stroke) dropped;
- spacing collapsed and punctuation ignored ("Jean-Paul" = "Jean Paul").

Initials do not match full names ("O. Said" is not "Omar Said"): a key never
guesses. Whether a matching name is the same person also depends on where it
is written; see orgs/directory.py.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

NAME_MAX_LENGTH = 200

_ARABIC = str.maketrans(
    {
        "\u0623": "\u0627",  # أ alef with hamza above
        "\u0625": "\u0627",  # إ alef with hamza below
        "\u0622": "\u0627",  # آ alef with madda
        "\u0671": "\u0627",  # ٱ alef wasla
        "\u0629": "\u0647",  # ة taa marbuta -> haa
        "\u0649": "\u064a",  # ى alef maqsura -> yaa
        "\u0624": "\u0648",  # ؤ waw with hamza
        "\u0626": "\u064a",  # ئ yaa with hamza
        "\u0640": None,  # ـ tatweel
    }
)
_SPACES = re.compile(r"\s+")
# Letters, digits and marks are a name; everything else separates its words.
_NOT_WORD = re.compile(r"[^\w]+|_+")


def _control(character: str) -> bool:
    return unicodedata.category(character) in {"Cc", "Cf", "Cs", "Co"} and character not in (
        "\u200c",  # zero-width non-joiner: part of Persian and some Arabic spellings
        "\u200d",  # zero-width joiner
    )


def clean_name(name: str) -> str:
    """The name as stored and shown: single spaces, no padding, composed (NFC)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", name)).strip()


def check_name(name: str, *, field: str = "name") -> str:
    """The name to store, or a ValidationError that says what is wrong with it."""
    if any(_control(character) for character in name.replace("\t", " ").replace("\n", " ")):
        raise ValidationError(
            {field: _("A name cannot contain control characters (copied from another program?).")}
        )
    cleaned = clean_name(name)
    if not cleaned:
        raise ValidationError({field: _("A person needs a name.")})
    if not match_key(cleaned):
        raise ValidationError(
            {field: _('"%(name)s" has no letters: write the person\'s name.') % {"name": cleaned}}
        )
    if len(cleaned) > NAME_MAX_LENGTH:
        raise ValidationError(
            {
                field: _("A name has at most %(max)d characters (this one has %(length)d).")
                % {"max": NAME_MAX_LENGTH, "length": len(cleaned)}
            }
        )
    return cleaned


@functools.lru_cache(maxsize=8192)  # a pure function, asked for the same names all along an import
def match_key(name: str) -> str:
    """The key two spellings of one name share (see the module's rule)."""
    text = unicodedata.normalize("NFKC", name).casefold().translate(_ARABIC)
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = _NOT_WORD.sub(" ", bare).split()
    return " ".join(words)
