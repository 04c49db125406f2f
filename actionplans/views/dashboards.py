"""Dashboard pages: one plan's status at a glance (now or as of a past day), and
the portfolio of every plan the user may see. Figures come from dashboards.py."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from actionplans import charts, dashboards, pim_breakdown
from actionplans import permissions as perms
from actionplans.choices import OPEN_STATUSES, ActionPointStatus
from actionplans.forms import AsOfForm
from actionplans.models import ActionPlan
from actionplans.querysets import due_soon_days, stale_days
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
    return render(
        request,
        "actionplans/actionplan_dashboard.html",
        {
            "nav": "plans",
            "plan": plan,
            "form": form,
            "d": dashboard,
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
        },
    )


SORTS = {
    "title": lambda r: r.plan.title.casefold(),
    "country": lambda r: r.plan.country.casefold(),
    "status": lambda r: r.plan.status,
    "completion": lambda r: (r.counts.completion_rate is None, r.counts.completion_rate or 0),
    "overdue": lambda r: r.counts.overdue,
    "due_soon": lambda r: r.due_soon,
    "last_activity": lambda r: r.last_activity,
}


@require_safe
def portfolio(request: HttpRequest) -> HttpResponse:
    plans = ActionPlan.objects.visible_to(request.user)
    today = timezone.localdate()
    rows = dashboards.portfolio(plans, today)
    late = Paginator(dashboards.late_points(plans, today), dashboards.LATE_PAGE_SIZE).get_page(
        request.GET.get("late_page")
    )
    people, organizations = dashboards.portfolio_workload(plans, today)
    limit = dashboards.WORKLOAD_LIMIT
    sort = request.GET.get("sort", "title")
    key, descending = sort.removeprefix("-"), sort.startswith("-")
    error = ""
    if key not in SORTS:
        error = _("Cannot sort by “%(sort)s”; sorted by plan instead.") % {"sort": sort}
        key, descending, sort = "title", False, "title"
    rows.sort(key=SORTS[key], reverse=descending)
    totals = dashboards.portfolio_totals(rows)
    return render(
        request,
        "actionplans/portfolio.html",
        {
            "nav": "dashboard",
            "rows": rows,
            "totals": totals,
            "due_soon_total": sum(r.due_soon for r in rows),
            "sort": sort,
            "sort_error": error,
            "columns": [
                ("title", _("Plan"), ""),
                ("country", _("Country"), ""),
                ("status", _("Status"), ""),
                ("completion", _("Completion"), "num"),
                ("overdue", _("Overdue"), "num"),
                ("due_soon", _("Due soon"), "num"),
                ("last_activity", _("Last activity"), ""),
            ],
            "status_rows": [
                (status, label, totals.by_status[status])
                for status, label in ActionPointStatus.choices
            ],
            "status_chart": charts.status_bar(
                totals.by_status, title=_("Action points by status, all plans")
            ),
            "legend": charts.legend(STATUS_LEGEND),
            "late": late,
            "today": today,
            "people": people[:limit],
            "people_more": max(len(people) - limit, 0),
            "organizations": organizations[:limit],
            "organizations_more": max(len(organizations) - limit, 0),
            "due_soon_days": due_soon_days(),
            "verification": portfolio_verification(request.user, plans),
            "pim": pim_breakdown.portfolio_pim_breakdown(plans, today),
        },
    )
