"""Badges that say, in words as well as colour, where an action point stands, and
the parts of the plan page written in Python for speed (its cards, its print tables)."""

import datetime
import html

from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from actionplans.choices import ActionPointStatus, FocalPointRole

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
        return format_html(
            '<span class="badge overdue">Overdue by {} day{}</span>',
            -days,
            "" if days == -1 else "s",
        )
    if days == 0:
        return format_html('<span class="badge soon">Due today</span>')
    return format_html(
        '<span class="badge soon">Due in {} day{}</span>', days, "" if days == 1 else "s"
    )


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
                overdue = ", overdue" if point.is_overdue else ""
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


def _url(context, name: str, pk: int) -> str:
    """The URL named `name` for this pk, reversed once per page rather than once per
    card (500 cards made 3,500 calls to reverse(), a tenth of a plan page's time)."""
    urls = context.render_context.setdefault("_card_urls", {})
    if name not in urls:
        marker = "2147483647"
        urls[name] = [_e(part) for part in reverse(name, args=[int(marker)]).rsplit(marker, 1)]
    head, tail = urls[name]
    return f"{head}{pk}{tail}"  # an int between two escaped parts


def _included(context, name: str, point) -> str:
    """A template of the card's, rendered as {% include %} would."""
    with context.push(point=point):
        return context.template.engine.get_template(name).render(context)


@register.simple_tag(takes_context=True)
def action_point_card(context, point) -> str:
    """An action point's card on the plan page (also re-rendered alone for htmx).

    Written here rather than as a template included once per card: for 500
    action points the template took two thirds of the plan page's time. Every
    value goes through _e (escaped as the template escaped it); a test holds the
    card to what that template wrote. Reads `can_edit` and, for a card
    re-rendered after an update, `saved`, `conflict` and `open_form`.
    """
    pk = point.pk
    detail = _url(context, "actionplans:actionpoint_detail", pk)
    dated = (
        f' <span class="muted">(by {_e(date_filter(point.due_date, "j M Y"))})</span>'
        if point.due_date
        else ""
    )
    focal_points = point.focal_point_list
    people = "".join(
        f"<span>{_e(fp.person.name)}"
        + (f" ({_e(fp.person.organization.short_name)})" if fp.person.organization else "")
        + f" – {_e(fp.get_role_display().lower())}"
        + (f", {_e(fp.note)}" if fp.note else "")
        + ("" if index == len(focal_points) - 1 else ";")
        + "</span>"
        for index, fp in enumerate(focal_points)
    )
    parts = [
        f'<li class="action-point" id="ap-{pk}">',
        '<p class="message success" role="status">Update recorded.</p>'
        if context.get("saved")
        else "",
        _included(context, "actionplans/_conflict.html", point) if context.get("conflict") else "",
        f'<div><a href="{detail}">{_e(point.description)}</a></div>',
        f'<div class="ap-meta"><span>Deadline: <strong>{_e(point.deadline or "none")}</strong>'
        f"{dated}</span> {deadline_badge(point, _today(context))} {status_badge(point.status)} "
        f'<span><progress max="100" value="{_e(point.progress)}" aria-hidden="true"></progress>'
        f" {_e(point.progress)} %</span></div>",
        '<div class="ap-meta">Focal points: '
        + (people or '<span class="muted">none</span>')
        + "</div>",
    ]
    if getattr(point, "can_update", False):
        if getattr(point, "update_form", None):
            form = _included(context, "actionplans/_quick_update_form.html", point)
        else:  # Large plans: the form is fetched when opened, to keep the page light.
            plan = _url(context, "actionplans:plan_detail", point.challenge.working_group.plan_id)
            form = (
                f'<div id="ap-{pk}-form" hx-get="'
                f'{_url(context, "actionplans:actionpoint_update_form", pk)}" '
                'hx-trigger="toggle once from:closest details" hx-swap="innerHTML"><p>'
                f'<a href="{detail}?next={plan}%23ap-{pk}#update-title">Update it on the action'
                " point's page</a></p></div>"
            )
        parts.append(
            f'<details class="quick-update"{" open" if context.get("open_form") else ""}>'
            f"<summary>Update status</summary>{form}</details>"
        )
    if context.get("can_edit"):
        parts.append(
            '<div class="ap-actions"><a class="button secondary small" href="'
            f'{_url(context, "actionplans:actionpoint_edit", pk)}">Edit<span'
            ' class="visually-hidden"> action point</span></a><form method="post" action="'
            f'{_url(context, "actionplans:actionpoint_move", pk)}" class="inline">'
            f'{_csrf_input(context)}<button class="secondary small" name="direction" value="up"'
            ' aria-label="Move action point up">↑</button><button class="secondary small"'
            ' name="direction" value="down" aria-label="Move action point down">↓</button>'
            '</form><a class="button secondary small" href="'
            f'{_url(context, "actionplans:actionpoint_delete", pk)}">Delete</a></div>'
        )
    parts.append("</li>")
    return mark_safe("".join(parts))


def _e(value) -> str:
    """conditional_escape without its lazy-string wrapper (with format_html, that
    machinery was almost half of the cards' time): safe strings as they are,
    anything else escaped."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _today(context) -> datetime.date:
    if "_today" not in context.render_context:
        context.render_context["_today"] = timezone.localdate()
    return context.render_context["_today"]


def _csrf_input(context) -> str:
    """{% csrf_token %}, once per page: the token is the same for every card."""
    if "_csrf_input" not in context.render_context:
        context.render_context["_csrf_input"] = CsrfTokenNode().render(context)
    return context.render_context["_csrf_input"]
