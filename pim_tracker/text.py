"""Text people wrote, placed inside a sentence of the interface.

A plan title in Arabic inside a French flash message ("Plan « خطة لبنان 2019 » créé."),
or a Latin name inside an Arabic one, is reordered by the Unicode bidirectional
algorithm together with the sentence around it: digits and punctuation at its
edges jump to the wrong side. Unicode's isolates (FIRST STRONG ISOLATE U+2068 …
POP DIRECTIONAL ISOLATE U+2069, what HTML's <bdi> does) lay the inserted text out
by its own first strong character, apart from the sentence.

`isolate` is for sentences built in Python (flash messages, page titles, errors,
email subjects, calendar text); templates use dir="auto" on the element instead.
"""

from __future__ import annotations

import re

from django.utils.translation import get_language_bidi

FIRST_STRONG_ISOLATE = "\u2068"
POP_DIRECTIONAL_ISOLATE = "\u2069"
# Hebrew, Arabic, Syriac, Thaana, N'Ko, Samaritan, Mandaic and the Arabic
# presentation forms: the right-to-left scripts.
RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def isolate(value: object) -> str:
    """`value` as text, isolated when it could be reordered with the sentence: when
    the interface is right-to-left or the text holds right-to-left letters. Text in
    a left-to-right interface with left-to-right letters only is returned as it is."""
    text = str(value)
    if not text or not (get_language_bidi() or RIGHT_TO_LEFT.search(text)):
        return text
    return f"{FIRST_STRONG_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}"
