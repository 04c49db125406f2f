"""Badges that say, in words as well as colour, where an action point stands."""

import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html

from actionplans.choices import OPEN_STATUSES, ActionPointStatus

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
