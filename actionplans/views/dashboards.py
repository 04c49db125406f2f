"""Dashboard pages: one plan's status at a glance (now or as of a past day), and
the portfolio of every plan the user may see. Figures come from dashboards.py."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from actionplans import charts, dashboards, pim_breakdown
from actionplans import permissions as perms
from actionplans.choices import OPEN_STATUSES, ActionPointStatus
from actionplans.forms import AsOfForm
from actionplans.jinja_env import PageUrls
from actionplans.models import ActionPlan
from actionplans.querysets import due_soon_days, stale_days
from actionplans.templatetags.plan_tags import sort_header
from actionplans.verification_figures import plan_verification, portfolio_verification
from pim_tracker.text import isolate

STATUS_LEGEND = [(f"s-{status}", label) for status, label in ActionPointStatus.choices]


def _list_titles() -> dict[str, str]:
    soon, stale = due_soon_days(), stale_days()
    return {
        "overdue": _("Overdue (high priority first, then oldest)"),
        "due_soon": ngettext("Due in the next %(days)s day", "Due in the next %(days)s days", soon)
        % {"days": soon},
        "stale": ngettext("Not updated for %(days)s day", "Not updated for %(days)s days", stale)
        % {"days": stale},
        "blocked": str(ActionPointStatus.BLOCKED.label),
    }


def _more_urls(plan: ActionPlan, today: datetime.date) -> dict[str, str]:
    """The plan page filtered to (at least) each list's action points, for "and N
    more": the filter bar's own parameters, and the table's sort (?sort=, ignored
    by the page if unknown). Stale has no filter: the open ones."""
    url = reverse("actionplans:plan_detail", args=[plan.pk])
    open_statuses = [("status", status) for status in OPEN_STATUSES]
    soon = today + datetime.timedelta(days=due_soon_days())
    queries = {
        "overdue": [("overdue", "true"), ("sort", "due_date")],
        "due_soon": [
            *open_statuses,
            ("due_after", today.isoformat()),
            ("due_before", soon.isoformat()),
            ("sort", "due_date"),
        ],
        "stale": open_statuses,
        "blocked": [("status", ActionPointStatus.BLOCKED), ("sort", "due_date")],
    }
    return {name: f"{url}?{urlencode(query)}" for name, query in queries.items()}


def _as_of_note(dashboard: dashboards.PlanDashboard) -> str:
    """What the plan held on the "as of" day, or that it was not entered yet."""
    day = dateformat.format(dashboard.today, "j M Y")
    if dashboard.before_entry:
        return _(
            "This plan was entered in the tracker on %(entered)s; on %(day)s it held nothing yet."
        ) % {"entered": dateformat.format(dashboard.entered, "j M Y"), "day": day}
    total = dashboard.headline.total
    return ngettext(
        "On %(day)s the plan held %(count)s action point.",
        "On %(day)s the plan held %(count)s action points.",
        total,
    ) % {"day": day, "count": total}


def _render_with_body(request: HttpRequest, page: str, body: str, context: dict) -> HttpResponse:
    """The page (a Django template: head, form, base) with its body, the long part of
    tables and charts, rendered by a Jinja2 template (templates/jinja2/actionplans/
    <body>_body.html: several times faster; actionplans/jinja_env.py)."""
    body_context = {**context, "url": PageUrls()}
    html = render_to_string(f"actionplans/{body}_body.html", body_context, request, using="jinja2")
    return render(request, page, {**context, "body": mark_safe(html)})  # escaped by Jinja2


@require_safe
def plan_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    plan = perms.get_plan_or_404(request.user, pk)
    form = AsOfForm(request.GET or None)
    day = form.cleaned_data["as_of"] if form.is_valid() else None
    today = timezone.localdate()
    if day and day < today:
        dashboard = dashboards.plan_dashboard_as_of(plan, day)
    else:
        dashboard = dashboards.plan_dashboard(plan, today)
    headline = dashboard.headline
    titles = _list_titles()
    more = _more_urls(plan, today) if dashboard.live else {}
    if dashboard.live:
        status_title = _("Action points by status")
    else:
        status_title = _("Action points by status on %(day)s") % {
            "day": dateformat.format(dashboard.today, "d M Y")
        }
    context = {
        "nav": "plans",
        "plan": plan,
        "form": form,
        "d": dashboard,
        "today": dashboard.today,
        "status_rows": [
            (status, label, headline.by_status[status])
            for status, label in ActionPointStatus.choices
        ],
        "status_chart": charts.status_bar(headline.by_status, title=status_title),
        "group_charts": [
            (
                row,
                charts.status_bar(
                    row.by_status,
                    title=_("Group %(number)s: %(name)s")
                    % {"number": row.number, "name": isolate(row.name)},
                ),
                charts.status_words(row.by_status, skip_zero=True),
            )
            for row in dashboard.groups
        ],
        "as_of_note": "" if dashboard.live else _as_of_note(dashboard),
        "today_note": charts.today_note(dashboard.timeline, dashboard.today),
        "quarter_chart": charts.quarter_chart(
            dashboard.timeline,
            today=dashboard.today,
            title=_("Action points due and done per quarter"),
        ),
        "legend": charts.legend(STATUS_LEGEND),
        "quarter_legend": charts.legend(
            [("chart-due", _("Due (planned)")), ("chart-done", _("Done (delivered)"))]
        ),
        "lists": [
            (
                titles[name],
                name,
                rows,
                dashboard.list_totals[name] - len(rows),
                more.get(name, ""),
            )
            for name, rows in dashboard.lists.items()
        ],
        "due_soon_days": due_soon_days(),
        "stale_days": stale_days(),
        "verification": plan_verification(request.user, plan) if dashboard.live else None,
        "pim": pim_breakdown.plan_pim_breakdown(plan, today) if dashboard.live else None,
    }
    return _render_with_body(request, "actionplans/actionplan_dashboard.html", "dashboard", context)


def _page_url(request: HttpRequest, anchor: str = "", **params) -> str:
    """This page's address with these parameters changed (None: left out)."""
    query = request.GET.copy()
    for name, value in params.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    return f"?{query.urlencode()}{anchor}"


def _pages(request: HttpRequest, page, parameter: str, anchor: str = "", **reset) -> dict:
    """Previous and next links of a page of a list (Django's Page)."""
    return {
        "previous": _page_url(request, anchor, **{parameter: page.previous_page_number()}, **reset)
        if page.has_previous()
        else "",
        "next": _page_url(request, anchor, **{parameter: page.next_page_number()}, **reset)
        if page.has_next()
        else "",
    }


@require_safe
def portfolio(request: HttpRequest) -> HttpResponse:
    """A page of the plans the user may see (PLANS_PAGE_SIZE, sorted), each with its
    figures; the totals and the status chart over all of them; what is late, who
    carries what, verification and the PIM framework over the plans of the page."""
    plans = ActionPlan.objects.visible_to(request.user)
    today = timezone.localdate()
    sort = request.GET.get("sort", "title")
    error = ""
    if sort.removeprefix("-") not in dashboards.PORTFOLIO_SORTS:
        error = _("Cannot sort by “%(sort)s”; sorted by plan instead.") % {"sort": sort}
        sort = "title"
    page = dashboards.portfolio_page(
        plans,
        today,
        sort=sort,
        number=request.GET.get("page"),
        per_page=dashboards.PLANS_PAGE_SIZE,
    )
    rows = page.object_list
    shown = ActionPlan.objects.filter(pk__in=[row.plan.pk for row in rows])
    late = Paginator(dashboards.late_points(shown, today), dashboards.LATE_PAGE_SIZE).get_page(
        request.GET.get("late_page")
    )
    people, organizations = dashboards.portfolio_workload(shown, today)
    limit = dashboards.WORKLOAD_LIMIT
    totals = dashboards.portfolio_totals(plans, today)
    columns = [
        ("title", _("Plan"), ""),
        ("country", _("Country"), ""),
        ("status", _("Status"), ""),
        ("completion", _("Completion"), "num"),
        ("overdue", _("Overdue"), "num"),
        ("due_soon", _("Due soon"), "num"),
        ("last_activity", _("Last activity"), ""),
    ]
    context = {
        "nav": "dashboard",
        "rows": rows,
        "page": page,
        "page_links": _pages(request, page, "page", late_page=None),
        "paged": page.paginator.num_pages > 1,
        "totals": totals,
        "due_soon_total": totals.due_soon,
        "sort": sort,
        "sort_error": error,
        "sort_headers": [sort_header({"sort": sort}, *column) for column in columns],
        "status_rows": [
            (status, label, totals.by_status[status]) for status, label in ActionPointStatus.choices
        ],
        "status_chart": charts.status_bar(
            totals.by_status, title=_("Action points by status, all plans")
        ),
        "legend": charts.legend(STATUS_LEGEND),
        "late": late,
        "late_links": _pages(request, late, "late_page", "#late"),
        "today": today,
        "people": people[:limit],
        "people_more": max(len(people) - limit, 0),
        "organizations": organizations[:limit],
        "organizations_more": max(len(organizations) - limit, 0),
        "due_soon_days": due_soon_days(),
        "verification": portfolio_verification(request.user, shown),
        "pim": pim_breakdown.portfolio_pim_breakdown(shown, today),
    }
    return _render_with_body(request, "actionplans/portfolio.html", "portfolio", context)
