"""The plan page's body (groups, challenges and the action points, as a table or
as cards, and the print tables) and a row or card alone (re-rendered for htmx
after an update), all rendered by the Jinja2 templates of
templates/jinja2/actionplans/."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.backends.utils import csrf_input
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from actionplans import permissions as perms
from actionplans import selectors
from actionplans.bulk_form import BulkEditForm
from actionplans.choices import ActionPointStatus
from actionplans.forms import ProgressUpdateForm
from actionplans.jinja_env import PageUrls
from actionplans.models import ActionPlan, ActionPoint, with_focal_points, with_pim_tags

# A workshop's plan has a few dozen action points: each card carries its form.
# Past that, forms are fetched when opened (htmx), or used on the point's page.
INLINE_FORMS_MAX = 40


# The views of the plan page: a table (the default, as the workshop wrote it) or cards.
VIEWS = ("table", "cards")

# The table's sortable columns: ?sort=<key> or ?sort=-<key> (descending). Rows
# without a value (no due date, never updated) come last either way; ties keep
# the workshop's order.
_STATUS_ORDER = {status: index for index, status in enumerate(ActionPointStatus.values)}
SORTS = {
    "due_date": (gettext_lazy("Due date"), lambda point: point.due_date),
    "status": (gettext_lazy("Status"), lambda point: _STATUS_ORDER.get(point.status)),
    "progress": (gettext_lazy("Progress"), lambda point: point.progress),
    "updated": (gettext_lazy("Last update"), lambda point: point.last_update_at),
}


def chosen_view(request: HttpRequest) -> str:
    view = request.GET.get("view", "")
    return view if view in VIEWS else "table"


def chosen_sort(request: HttpRequest) -> str:
    """The table's sort ("", "due_date", "-progress"...); anything else is ignored."""
    sort = request.GET.get("sort", "")
    return sort if sort.removeprefix("-") in SORTS else ""


@dataclass
class SortLink:
    key: str
    label: str
    url: str
    state: str  # aria-sort: "ascending", "descending" or "none"


@dataclass
class PlanBody:
    html: SafeString
    shown_count: int
    view: str = "table"
    sort: str = ""
    view_links: dict[str, str] = field(default_factory=dict)


def with_last_update(points: QuerySet[ActionPoint]) -> QuerySet[ActionPoint]:
    """When each point was last updated and by whom (the queryset's rule, the one the
    exports and the API use): subqueries in the same query, no query per row."""
    return points.with_last_update("last_update_at", "last_update_by")


def _last_update_day(point: ActionPoint) -> None:
    """The day of the point's last update, in the site's time zone."""
    at = point.last_update_at
    point.last_update_day = timezone.localdate(at) if at else None


def _query_string(params: QueryDict, **changes: str) -> str:
    """This page's query string with these parameters changed ("" removes one)."""
    query = params.copy()
    query.pop("page", None)
    for name, value in changes.items():
        query.pop(name, None)
        if value:
            query[name] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def _sort_links(params: QueryDict, sort: str) -> dict[str, SortLink]:
    links = {}
    for key, (label, _key) in SORTS.items():
        state = "ascending" if sort == key else "descending" if sort == f"-{key}" else "none"
        target = f"-{key}" if sort == key else key
        links[key] = SortLink(key, str(label), _query_string(params, sort=target), state)
    return links


def _sorted_points(points: list[ActionPoint], sort: str) -> list[ActionPoint]:
    key = SORTS[sort.removeprefix("-")][1]
    known = [point for point in points if key(point) is not None]
    unknown = [point for point in points if key(point) is None]
    known.sort(key=key, reverse=sort.startswith("-"))  # stable: ties keep workshop order
    return known + unknown


def plan_body(
    request: HttpRequest,
    plan: ActionPlan,
    points: QuerySet[ActionPoint],
    *,
    today: datetime.date,
    can_edit: bool,
    filtering: bool,
    view: str = "cards",
    sort: str = "",
) -> PlanBody:
    """The plan's groups with these of its action points (already filtered), as a
    table (sorted by `sort`: then one flat table) or as cards."""
    table = view == "table"
    points = points.prefetch_related(with_pim_tags())  # the rows' and cards' tags
    if table:
        points = with_last_update(points)
    layout = selectors.plan_layout(plan=plan, action_points=points, today=today)
    updatable = (
        perms.updatable_action_point_ids(request.user, plan) if plan.accepts_changes else set()
    )
    cards = [point for group in layout for c in group.challenges for point in c.action_points]
    inline_forms = len(cards) <= INLINE_FORMS_MAX
    for point in cards:
        point.can_update = updatable is None or point.pk in updatable
        point.update_form = (
            ProgressUpdateForm.for_point(point) if point.can_update and inline_forms else None
        )
    params = request.GET
    context = {
        "plan": plan,
        "layout": layout,
        "today": today,
        "can_edit": can_edit,
        "filtering": filtering,
        **_per_page(request),
    }
    if table:
        for group in layout:
            for c in group.challenges:
                for index, point in enumerate(c.action_points):
                    point.group = group.group
                    point.lead = index == 0  # the first row of its challenge names it
                    _last_update_day(point)
        context |= {
            "sort": sort,
            "sort_links": _sort_links(params, sort),
            "unsorted_url": _query_string(params, sort=""),
            "flat_points": _sorted_points(cards, sort) if sort else None,
            # The last column (update form, menu) only for who may use it.
            "actions": can_edit or any(point.can_update for point in cards),
            # The bulk edit bar (coordinators: can_edit is permissions.can_bulk_edit's
            # rule on an open plan); its rows' checkboxes come with can_edit.
            "bulk_form": BulkEditForm(plan=plan, user=request.user) if can_edit else None,
        }
    html = render_to_string(
        "actionplans/plan_table.html" if table else "actionplans/plan_groups.html",
        context,
        using="jinja2",
    )
    view_links = {
        "table": _query_string(params, view="", sort=sort),
        "cards": _query_string(params, view="cards", sort=""),
    }
    return PlanBody(
        mark_safe(html),  # escaped by the Jinja2 template
        len(cards),
        view=view,
        sort=sort,
        view_links=view_links,
    )


def _per_page(request: HttpRequest) -> dict:
    """What every card repeats, made once per page: the CSRF field (each
    csrf_input would mask the token anew) and the links (reversed once per view)."""
    return {"request": request, "csrf_input": csrf_input(request), "url": PageUrls()}


def _point_to_swap(points: QuerySet[ActionPoint], pk: int) -> ActionPoint:
    """The action point a card or a row shows again after a save, with its plan and
    focal points."""
    return (
        points.select_related("challenge__working_group__plan")
        .prefetch_related(with_focal_points(), with_pim_tags())
        .get(pk=pk)
    )


def _conflict_html(conflict: dict | None) -> str:
    """The other person's values beside yours, after a version conflict."""
    return (
        render_to_string("actionplans/_conflict.html", {"conflict": conflict}) if conflict else ""
    )


def card_response(
    request: HttpRequest,
    pk: int,
    *,
    form: ProgressUpdateForm | None = None,
    conflict: dict | None = None,
    saved: bool = False,
) -> HttpResponse:
    """An action point's card, as the plan page shows it, for htmx to swap in."""
    today = timezone.localdate()
    point = _point_to_swap(ActionPoint.objects.with_flags(today), pk)
    plan = point.challenge.working_group.plan
    point.can_update = plan.accepts_changes
    point.update_form = form or ProgressUpdateForm.for_point(point)
    conflict_html = _conflict_html(conflict)
    # The card says "Update recorded." itself: the next page must not say it again.
    list(messages.get_messages(request))
    html = render_to_string(
        "actionplans/action_point_card.html",
        {
            "point": point,
            "today": today,
            "can_edit": perms.can_edit_plan(request.user, plan) and plan.accepts_changes,
            "saved": saved,
            "conflict_html": mark_safe(conflict_html),  # escaped by its template
            "open_form": form is not None,
            **_per_page(request),
        },
        using="jinja2",
    )
    return HttpResponse(html)


# How the table shows a row, sent back by its forms (?row=...) so that the row
# re-rendered after a save fits its table: under its challenge ("lead": the first
# row of its challenge, which names it) or in the flat, sorted table.
ROW_SHAPES = ("grouped", "lead", "flat")


def row_shape(request: HttpRequest) -> str:
    """The table row shape an htmx request asks for, or "" for a card."""
    shape = request.GET.get("row", "")
    return shape if shape in ROW_SHAPES else ""


def row_response(
    request: HttpRequest,
    pk: int,
    shape: str,
    *,
    form: ProgressUpdateForm | None = None,
    conflict: dict | None = None,
    saved: bool = False,
) -> HttpResponse:
    """An action point's row of the plan table, for htmx to swap in."""
    today = timezone.localdate()
    point = _point_to_swap(with_last_update(ActionPoint.objects.with_flags(today)), pk)
    plan = point.challenge.working_group.plan
    point.group = point.challenge.working_group
    point.lead = shape == "lead"
    _last_update_day(point)
    point.can_update = plan.accepts_changes and perms.can_update_action_point(request.user, point)
    point.update_form = (form or ProgressUpdateForm.for_point(point)) if point.can_update else None
    conflict_html = _conflict_html(conflict)
    list(messages.get_messages(request))  # the row says "Update recorded." itself
    html = render_to_string(
        "actionplans/plan_table_row.html",
        {
            "point": point,
            "today": today,
            "flat": shape == "flat",
            "can_edit": perms.can_edit_plan(request.user, plan) and plan.accepts_changes,
            "saved": saved,
            "conflict_html": mark_safe(conflict_html),  # escaped by its template
            "open_form": form is not None,
            **_per_page(request),
        },
        using="jinja2",
    )
    return HttpResponse(html)


def update_form_response(request: HttpRequest, point: ActionPoint) -> HttpResponse:
    """One card's or row's update form alone, fetched when opened on a large plan."""
    point.update_form = ProgressUpdateForm.for_point(point)
    shape = row_shape(request)
    if shape:
        point.lead = shape == "lead"
        html = render_to_string(
            "actionplans/row_update_form.html",
            {"point": point, "flat": shape == "flat", **_per_page(request)},
            using="jinja2",
        )
    else:
        html = render_to_string(
            "actionplans/quick_update_form.html",
            {"point": point, **_per_page(request)},
            using="jinja2",
        )
    return HttpResponse(html)
