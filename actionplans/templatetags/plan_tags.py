"""Badges that say, in words as well as colour, where an action point stands (the
Jinja2 templates of the plan page use the same), and small helpers of the pages."""

import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from actionplans.choices import ActionPointStatus

register = template.Library()


@register.simple_tag
def status_badge(status: str) -> str:
    label = ActionPointStatus(status).label
    return format_html('<span class="badge status-{}">{}</span>', status, label)


@register.simple_tag
def deadline_badge(point, today: datetime.date | None = None) -> str:
    """ "Overdue by N days" / "Due today" / "Due in N days", from the flags the
    database set on the row (ActionPointQuerySet.with_flags)."""
    if not (point.is_overdue or point.is_due_soon):
        return ""
    days = (point.due_date - (today or timezone.localdate())).days
    if point.is_overdue:
        late = -days
        words = ngettext("Overdue by %(days)s day", "Overdue by %(days)s days", late)
        return format_html('<span class="badge overdue">{}</span>', words % {"days": late})
    if days == 0:
        return format_html('<span class="badge soon">{}</span>', _("Due today"))
    words = ngettext("Due in %(days)s day", "Due in %(days)s days", days)
    return format_html('<span class="badge soon">{}</span>', words % {"days": days})


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
