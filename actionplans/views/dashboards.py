"""Dashboard pages: one plan's status at a glance (now or as of a past day), and
the portfolio of every plan the user may see. Figures come from dashboards.py."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from actionplans import charts, dashboards
from actionplans import permissions as perms
from actionplans.choices import ActionPointStatus
from actionplans.forms import AsOfForm
from actionplans.models import ActionPlan
from actionplans.querysets import due_soon_days, stale_days
from pim_tracker.text import isolate

STATUS_LEGEND = [(f"s-{status}", label) for status, label in ActionPointStatus.choices]


def _list_titles() -> dict[str, str]:
    soon, stale = due_soon_days(), stale_days()
    return {
        "overdue": _("Overdue (oldest first)"),
        "due_soon": ngettext("Due in the next %(days)s day", "Due in the next %(days)s days", soon)
        % {"days": soon},
        "stale": ngettext("Not updated for %(days)s day", "Not updated for %(days)s days", stale)
        % {"days": stale},
        "blocked": str(ActionPointStatus.BLOCKED.label),
    }


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
            "today_note": charts.today_note(dashboard.quarters, dashboard.today),
            "quarter_chart": charts.quarter_chart(
                dashboard.quarters,
                today=dashboard.today,
                title=_("Action points due and done per quarter"),
            ),
            "legend": charts.legend(STATUS_LEGEND),
            "quarter_legend": charts.legend(
                [("chart-due", _("Due (planned)")), ("chart-done", _("Done (delivered)"))]
            ),
            "lists": [(titles[name], name, rows) for name, rows in dashboard.lists.items()],
            "due_soon_days": due_soon_days(),
            "stale_days": stale_days(),
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
    rows = dashboards.portfolio(ActionPlan.objects.visible_to(request.user))
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
        },
    )
