"""The API's one parser: JSON, where every way a body can fail to parse is a 400.

DRF's JSONParser turns a ValueError (bad syntax, invalid UTF-8, NaN) into a
ParseError, but not the RecursionError of a deeply nested document (2 KB of
"[[[[…": Python's parser recurses once per level), which was an HTML 500. A
number of thousands of digits is a ValueError whose message tells the client to
call sys.set_int_max_str_digits(): it is refused earlier, with a message for an
API client. A lone surrogate ("\\ud800": half of a UTF-16 pair, no character) is
refused too: quoted back in an error message, it made the answer fail to encode.
Nothing the API reads is nested more than a few levels or holds a number of more
than 19 digits.
"""

from __future__ import annotations

import codecs
import re

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

# The escape of a surrogate (U+D800–U+DFFF): a pair is an emoji, a lone one nothing.
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
# Longer than any id (2**63 - 1 has 19 digits), far below Python's 4,300.
MAX_DIGITS = 100


def _parse_int(digits: str) -> int:
    length = len(digits.lstrip("-"))
    if length > MAX_DIGITS:
        raise ParseError(
            _("JSON parse error - a number has %(digits)d digits; the most is %(most)d.")
            % {"digits": length, "most": MAX_DIGITS}
        )
    return int(digits)


class JSONParser(parsers.JSONParser):
    """DRF's JSONParser (its text encodings, its strict constants), with a 400 for a
    document nested too deeply, a number too long, or a lone surrogate."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})  # text encodings only
        try:
            text = codecs.getreader(encoding)(stream).read()
            parse_constant = json.strict_constant if self.strict else None
            data = json.loads(text, parse_constant=parse_constant, parse_int=_parse_int)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None  # as DRF words it
        except RecursionError:
            raise ParseError(_("JSON parse error - the document is nested too deeply.")) from None
        # A decoded body holds no surrogate: only a \ud800 escape writes one.
        if _ESCAPED_SURROGATE.search(text):
            _refuse_lone_surrogates(data)
        return data


def _refuse_lone_surrogates(data: object) -> None:
    """Half of a UTF-16 pair ("\\ud800" alone) is no character: no database stores
    it, and an error message that quotes it cannot be written as UTF-8."""
    try:
        json.dumps(data, ensure_ascii=False, allow_nan=True).encode()
    except UnicodeEncodeError as exc:
        raise ParseError(
            _("JSON parse error - a string holds half of a surrogate pair (%(code)s).")
            % {"code": f"U+{ord(exc.object[exc.start]):04X}"}
        ) from None
    except RecursionError:
        raise ParseError(_("JSON parse error - the document is nested too deeply.")) from None
