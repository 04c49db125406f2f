"""Counts of records said in words: what a deletion takes with it, what an import did."""

from __future__ import annotations

from django.utils.translation import ngettext_lazy

# The English says "(s)" whatever the count; each language has its plural forms.
_COUNTED = {
    "working_groups": ngettext_lazy(
        "%(count)s working group(s)", "%(count)s working group(s)", "count"
    ),
    "challenges": ngettext_lazy("%(count)s challenge(s)", "%(count)s challenge(s)", "count"),
    "action_points": ngettext_lazy(
        "%(count)s action point(s)", "%(count)s action point(s)", "count"
    ),
    "focal_points": ngettext_lazy(
        "%(count)s focal point assignment(s)", "%(count)s focal point assignment(s)", "count"
    ),
    "progress_updates": ngettext_lazy(
        "%(count)s progress update(s)", "%(count)s progress update(s)", "count"
    ),
    "deadline_changes": ngettext_lazy(
        "%(count)s deadline change(s)", "%(count)s deadline change(s)", "count"
    ),
    "people": ngettext_lazy("%(count)s person(s)", "%(count)s person(s)", "count"),
}


def counted(kind: str, count: int) -> str:
    """counted("challenges", 2) == "2 challenge(s)", in the active language."""
    return str(_COUNTED[kind] % {"count": count})


def consequence_lines(**counts: int) -> list[str]:
    """One line per kind of record, in the order given: consequence_lines(challenges=2)."""
    return [counted(kind, count) for kind, count in counts.items()]
