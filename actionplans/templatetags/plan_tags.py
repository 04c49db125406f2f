"""Badges that say, in words as well as colour, where an action point stands."""

import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from actionplans.choices import OPEN_STATUSES, ActionPointStatus, FocalPointRole

register = template.Library()

SOON_DAYS = 30


@register.simple_tag
def status_badge(status: str) -> str:
    label = ActionPointStatus(status).label
    return format_html('<span class="badge status-{}">{}</span>', status, label)


@register.simple_tag
def deadline_badge(point, today: datetime.date | None = None) -> str:
    """ "Overdue by N days" / "Due today" / "Due in N days" for open, dated points."""
    if point.status not in OPEN_STATUSES or point.due_date is None:
        return ""
    days = (point.due_date - (today or timezone.localdate())).days
    if days < 0:
        return format_html(
            '<span class="badge overdue">Overdue by {} day{}</span>',
            -days,
            "" if days == -1 else "s",
        )
    if days == 0:
        return format_html('<span class="badge soon">Due today</span>')
    if days <= SOON_DAYS:
        return format_html(
            '<span class="badge soon">Due in {} day{}</span>', days, "" if days == 1 else "s"
        )
    return ""


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


PRINT_HEAD = (
    "<thead><tr><th>Challenge</th><th>Action point</th><th>Deadline</th>"
    "<th>Focal point</th><th>Status</th></tr></thead>"
)


@register.simple_tag
def print_tables(layout) -> str:
    """The plan as the workshop wrote it, one table per group, shown by the print
    stylesheet only. Written here rather than as template loops: it is on every
    plan page, and for 500 action points the loops took a third of the page's
    time (a test holds it to what those loops wrote)."""
    today = timezone.localdate()
    roles = {role: f" ({label.lower()})" for role, label in FocalPointRole.choices}
    roles[FocalPointRole.LEAD] = ""
    tables = []
    for g in layout:
        leader = g.group.team_leader.name if g.group.team_leader else ""
        caption = format_html(
            "Group {}: {} — Team leader: {}; Team members: {}",
            g.group.number,
            g.group.name,
            leader or "—",
            ", ".join(person.name for person in g.members),
        )
        rows = []
        for c in g.challenges:
            label = f"{c.challenge.number}. {c.challenge.description}"
            if not c.action_points:
                rows.append(format_html('<tr><td>{}</td><td colspan="4"></td></tr>', label))
            for index, point in enumerate(c.action_points):
                focal_points = ", ".join(
                    fp.person.name + roles[fp.role] for fp in point.focal_point_list
                )
                overdue = ", overdue" if point.is_overdue(today) else ""
                rows.append(
                    format_html(
                        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}, {} %{}</td></tr>",
                        "" if index else label,
                        point.description,
                        point.deadline,
                        focal_points,
                        point.get_status_display(),
                        point.progress,
                        overdue,
                    )
                )
        tables.append(
            format_html(
                '<table class="print-table print-only"><caption>{}</caption>{}<tbody>{}</tbody>'
                "</table>",
                caption,
                mark_safe(PRINT_HEAD),
                mark_safe("".join(rows)),
            )
        )
    return mark_safe("".join(tables))
