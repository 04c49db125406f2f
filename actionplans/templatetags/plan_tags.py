"""Badges that say, in words as well as colour, where an action point stands (the
Jinja2 templates of the plan page use the same), and small helpers of the pages."""

import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from actionplans.choices import ActionPointStatus, PimCategory, PimPrinciple, Priority

register = template.Library()


@register.simple_tag
def status_badge(status: str) -> str:
    label = ActionPointStatus(status).label
    return format_html('<span class="badge status-{}">{}</span>', status, label)


@register.simple_tag
def priority_badge(priority: str) -> str:
    """ "High priority" on a high-priority action point; nothing on a normal one."""
    if priority != Priority.HIGH:
        return ""
    return format_html('<span class="badge priority-high">{}</span>', _("High priority"))


@register.simple_tag
def pim_category_tags(point) -> str:
    """The action point's PIM categories as a small list of tags (read from the list
    with_pim_tags() prefetched); nothing without one."""
    labels = [(PimCategory(slug).label,) for slug in point.pim_categories]
    if not labels:
        return ""
    return format_html(
        '<ul class="pim-tags" aria-label="{}">{}</ul>',
        _("PIM categories"),
        format_html_join("", "<li>{}</li>", labels),
    )


# The slugs of both lists differ: one table reads either.
_PIM_LABELS = {**dict(PimCategory.choices), **dict(PimPrinciple.choices)}


@register.filter
def pim_labels(slugs: list[str]) -> list[str]:
    """PIM category or principle slugs -> their labels, in the active language."""
    return [str(_PIM_LABELS[slug]) for slug in slugs]


@register.filter
def human_duration(days: int | None) -> str:
    """A number of days in words: "1 day", "30 days" (under 31 days), "1 month",
    "11 months" (under a year, whole months rounded down), "2 years 3 months",
    "1 year" (a year or more; "0 months" left out). A month is a twelfth of 365
    days, so 31 days is "1 month" and 365 days "1 year". Negative days count as
    positive: the words say how long, the caller says before or after."""
    if days is None or days == "":
        return ""
    days = abs(int(days))
    if days < 31:
        return ngettext("%(num)d day", "%(num)d days", days) % {"num": days}
    total_months = days * 12 // 365
    years, months = divmod(total_months, 12)
    month_words = ngettext("%(num)d month", "%(num)d months", months) % {"num": months}
    if not years:
        return month_words
    year_words = ngettext("%(num)d year", "%(num)d years", years) % {"num": years}
    if not months:
        return year_words
    # Translators: a duration of whole years and months, e.g. "2 years 3 months".
    return _("%(years)s %(months)s") % {"years": year_words, "months": month_words}


@register.simple_tag
def deadline_badge(point, today: datetime.date | None = None) -> str:
    """ "Overdue by 2 months" / "Due today" / "Due in 5 days", from the flags the
    database set on the row (ActionPointQuerySet.with_flags)."""
    if not (point.is_overdue or point.is_due_soon):
        return ""
    days = (point.due_date - (today or timezone.localdate())).days
    if point.is_overdue:
        # Translators: on a late action point's badge, e.g. "Overdue by 2 years 3 months".
        words = _("Overdue by %(duration)s") % {"duration": human_duration(-days)}
        return format_html('<span class="badge overdue">{}</span>', words)
    if days == 0:
        return format_html('<span class="badge soon">{}</span>', _("Due today"))
    # Translators: on an action point's badge, e.g. "Due in 5 days".
    words = _("Due in %(duration)s") % {"duration": human_duration(days)}
    return format_html('<span class="badge soon">{}</span>', words)


@register.filter
def percent(value: float | None) -> str:
    """0.6667 -> "67 %"; None (nothing to count) -> "—"."""
    if value is None:
        return "—"
    return f"{round(value * 100)} %"


def _sort_state(current: str, key: str) -> str:
    return "ascending" if current == key else "descending" if current == f"-{key}" else "none"


@register.simple_tag(takes_context=True)
def sort_header(context, key: str, label: str, css: str = "") -> str:
    """A column header that sorts by it, and the other way round when it already does."""
    current = context.get("sort", "")
    state = _sort_state(current, key)
    target = f"-{key}" if current == key else key
    arrow = {"ascending": " ▲", "descending": " ▼"}.get(state, "")
    return format_html(
        '<th scope="col" class="{}" aria-sort="{}"><a href="?sort={}">{}{}</a></th>',
        css,
        state,
        target,
        label,
        arrow,
    )
