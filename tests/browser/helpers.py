"""Small helpers shared by the browser tests."""

import re


def label(text: str) -> re.Pattern:
    """A field's label, exactly, with or without Django's ":" suffix."""
    return re.compile(rf"^\s*{re.escape(text)}:?\s*$")
