"""The status report for the monthly meeting (exports/status_report.py): a page to
print (or save as PDF) and a workbook of one sheet per plan, for one plan or for
every plan the user may see."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from actionplans import permissions as perms
from actionplans.exports.responses import XLSX
from actionplans.exports.status_report import (
    COLUMNS,
    SECTIONS,
    section_cells,
    status_report_workbook,
    status_reports,
)
from actionplans.forms import StatusReportForm
from actionplans.models import ActionPlan


def _shown(value: object) -> tuple[str, str]:
    """A cell as the page shows it: its text, and the address when it is a link."""
    if isinstance(value, datetime.datetime):
        return dateformat.format(timezone.localtime(value), "Y-m-d H:i"), ""
    if isinstance(value, datetime.date):
        return value.isoformat(), ""
    if value is None:
        return "", ""
    text = str(value)
    return text, text if text.startswith(("https://", "http://")) else ""


def _page(request: HttpRequest, plans, plan: ActionPlan | None, download: str) -> HttpResponse:
    form = StatusReportForm(request.GET)
    today = timezone.localdate()
    context = {"nav": "plans" if plan else "portfolio", "plan": plan, "form": form, "today": today}
    if form.is_valid():
        since = form.cleaned_data["since"]
        context.update(
            since=since,
            download=f"{download}?{urlencode({'since': since.isoformat()})}",
            reports=[
                (
                    report,
                    [
                        (
                            name,
                            _(heading),
                            [_(header) for header in COLUMNS[name]],
                            [
                                [_shown(value) for value in section_cells(name, row)]
                                for row in getattr(report, name)
                            ],
                        )
                        for name, heading in SECTIONS
                    ],
                )
                for report in status_reports(plans, since, today)
            ],
        )
    return render(request, "actionplans/status_report.html", context)


def _download(request: HttpRequest, plans, name: str) -> HttpResponse:
    form = StatusReportForm(request.GET)
    if not form.is_valid():
        problems = "\n".join(
            f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()
        )
        return HttpResponseBadRequest(
            f"{_('The date is not valid:')}\n{problems}\n",
            content_type="text/plain; charset=utf-8",
        )
    today = timezone.localdate()
    since = form.cleaned_data["since"]
    body = status_report_workbook(status_reports(plans, since, today), since, today)
    response = HttpResponse(body, content_type=XLSX)
    filename = f"{slugify(name) or 'plans'}-status-{since:%Y-%m-%d}-{today:%Y-%m-%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def plan_status_report(request: HttpRequest, pk: int) -> HttpResponse:
    plan = perms.get_plan_or_404(request.user, pk)
    download = reverse("actionplans:plan_status_report_xlsx", args=[plan.pk])
    return _page(request, ActionPlan.objects.filter(pk=plan.pk), plan, download)


@require_safe
def plan_status_report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    plan = perms.get_plan_or_404(request.user, pk)
    return _download(request, ActionPlan.objects.filter(pk=plan.pk), plan.title)


@require_safe
def status_report(request: HttpRequest) -> HttpResponse:
    """Every plan the user may see."""
    plans = ActionPlan.objects.visible_to(request.user).order_by("title", "id")
    return _page(request, plans, None, reverse("actionplans:status_report_xlsx"))


@require_safe
def status_report_xlsx(request: HttpRequest) -> HttpResponse:
    plans = ActionPlan.objects.visible_to(request.user).order_by("title", "id")
    return _download(request, plans, "plans")
