"""Getting plans in and out: import (upload or paste, preview, confirm) and the
exports (CSV, HXL, XLSX) of a plan or of every action point you may see."""

from __future__ import annotations

import base64
import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from actionplans import permissions as perms
from actionplans.choices import PlanStatus, PlanVisibility
from actionplans.exports.responses import (
    all_points_filename,
    export_response,
    points_csv_response,
)
from actionplans.filtersets import ActionPointFilterSet
from actionplans.forms import ConfirmForm, ImportForm, NewPlanForm
from actionplans.imports import read, write
from actionplans.models import ActionPlan, ActionPoint
from actionplans.services import people
from actionplans.views.counts import counted
from pim_tracker.errors import as_lines
from pim_tracker.http import base_url

SESSION_PREFIX = "plan-import:"
# The preview shows this many action points, problems found and people named.
PREVIEW_MOST = 500


def _target(request: HttpRequest, pk: int | None) -> ActionPlan | None:
    if pk is None:
        perms.require(perms.can_create_plan(request.user), _("Only coordinators can create plans."))
        return None
    plan = perms.get_plan_or_404(request.user, pk)
    perms.require_plan_edit(request.user, plan)
    return plan


@require_http_methods(["GET", "HEAD", "POST"])
def plan_import(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Step 1: upload or paste; step 2: preview; step 3: confirm. Nothing is
    written before the confirmation, and then all or nothing."""
    plan = _target(request, pk)
    posted = request.POST if request.method == "POST" else None
    step = request.POST.get("step", "upload")
    upload_form = ImportForm(posted if step == "upload" else None, request.FILES or None)
    plan_form = NewPlanForm(posted) if plan is None else None
    context = {"nav": "plans", "plan": plan, "form": upload_form, "plan_form": plan_form}

    if step == "upload" and posted is not None:
        if upload_form.is_valid() and (plan_form is None or plan_form.is_valid()):
            data = upload_form.content()
            try:
                table = read.read_table(data)
            except ValidationError as error:
                upload_form.add_error(
                    "file" if upload_form.cleaned_data.get("file") else "text", error.messages
                )
            else:
                token = secrets.token_urlsafe(12)
                options = plan_form.cleaned_data if plan_form else {}
                request.session[SESSION_PREFIX + token] = {
                    "data": base64.b64encode(data).decode(),
                    "options": options,
                }
                named = _people(request, plan, table, options)
                confirm = ConfirmForm(initial={"token": token}, people=named)
                return _preview(request, plan, table, confirm)
    elif step == "confirm" and posted is not None:
        stored = request.session.get(SESSION_PREFIX + request.POST.get("token", ""))
        if stored is None:
            messages.error(request, _("This import has expired or was done already: start again."))
            return redirect(request.path)
        table = read.read_table(base64.b64decode(stored["data"]))
        options = stored["options"]
        # Who the names are now (the directory may have changed since the preview);
        # a choice must be one of the people offered now.
        confirm = ConfirmForm(posted, people=_people(request, plan, table, options))
        if not confirm.is_valid():
            return _preview(request, plan, table, confirm)
        try:
            result = write.plan_import(
                table=table,
                plan=plan,
                title=options.get("title", ""),
                country=options.get("country", ""),
                origin=options.get("origin", ""),
                visibility=options.get("visibility", PlanVisibility.MEMBERS),
                status=PlanStatus.ACTIVE,
                coordinators=[request.user],
                created_by=request.user,
                keep_unreadable_deadlines=confirm.cleaned_data["keep_undated"],
                people_choices=confirm.people_choices(),
            )
        except ValidationError as error:
            confirm.add_error(None, as_lines(error, with_fields=False))
            return _preview(request, plan, table, confirm)
        del request.session[SESSION_PREFIX + request.POST["token"]]
        messages.success(request, _imported(result))
        return redirect(result.plan)
    return render(request, "actionplans/import_form.html", context)


def _imported(result) -> str:
    """What an import did, in one sentence."""
    done = _(
        "Imported: %(working_groups)s, %(challenges)s, %(action_points)s and %(people)s added"
    ) % {
        "working_groups": counted("working_groups", result.groups),
        "challenges": counted("challenges", result.challenges),
        "action_points": counted("action_points", result.action_points),
        "people": counted("people", result.people),
    }
    if result.reused:
        done += ngettext(
            ", %(count)s person(s) of other plans named",
            ", %(count)s person(s) of other plans named",
            result.reused,
        ) % {"count": result.reused}
    if result.unchanged:
        done += ngettext(
            "; %(count)s action point(s) were already there.",
            "; %(count)s action point(s) were already there.",
            result.unchanged,
        ) % {"count": result.unchanged}
    else:
        done += "."
    if result.retagged:
        done += " " + ngettext(
            "%(count)s of them had their PIM tags or priority updated.",
            "%(count)s of them had their PIM tags or priority updated.",
            result.retagged,
        ) % {"count": result.retagged}
    return done


def _people(request, plan, table, options: dict) -> list[people.NamedPerson]:
    """Who each name of the table is for this user: the plan's people, people of
    the operation's plans they may see (with their plans), or new."""
    country = plan.country if plan is not None else options.get("country", "")
    named = people.match_names(
        write.table_people(table), plan=plan, country=country, user=request.user
    )
    people.describe_plans(named, request.user)
    return named


def _preview(request, plan, table, confirm: ConfirmForm) -> HttpResponse:
    blocking = [i for i in table.errors if i.code != "invalid_deadline"]
    # A table of thousands of rows takes seconds to show and nobody reads it all: the
    # first ones are shown, the counts tell the rest, and the confirmation imports all.
    groups, points_left = read.preview_groups(table, PREVIEW_MOST)
    # Every name that asks a choice is shown (the form needs it); the others up to the limit.
    people_rows = [
        (item, choice)
        for index, (item, choice) in enumerate(confirm.people_rows())
        if choice is not None or index < PREVIEW_MOST
    ]
    return render(
        request,
        "actionplans/import_preview.html",
        {
            "nav": "plans",
            "plan": plan,
            "table": table,
            "groups": groups,
            "points_left": points_left,
            # Past the limit, the errors first: they are what blocks the import.
            "issues": table.issues
            if len(table.issues) <= PREVIEW_MOST
            else (table.errors + table.warnings)[:PREVIEW_MOST],
            "issues_left": max(len(table.issues) - PREVIEW_MOST, 0),
            "people_rows": people_rows,
            "people_left": len(confirm.people) - len(people_rows),
            "counts": read.table_counts(table),
            "confirm": confirm,
            "blocking": blocking,
            "undated": [i for i in table.errors if i.code == "invalid_deadline"],
            # A column for the PIM framework and priority when the table gives any.
            "pim_given": any(
                point.pim.given
                for group in table.groups
                for challenge in group.challenges
                for point in challenge.action_points
            ),
        },
    )


# --- exports --------------------------------------------------------------------------


@require_safe
def plan_export(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    plan = perms.get_plan_or_404(request.user, pk)
    return export_response(plan, kind, base_url(request))


@require_safe
def action_points_export(request: HttpRequest) -> HttpResponse:
    """Every action point you may see, in all plans, as the flat CSV (streamed).

    Takes the filters of the plan page and the API (status, overdue, q, ...).
    """
    filterset = ActionPointFilterSet(
        request.GET, queryset=ActionPoint.objects.visible_to(request.user), request=request
    )
    if not filterset.is_valid():
        problems = "\n".join(
            f"{field}: {' '.join(messages)}" for field, messages in filterset.errors.items()
        )
        return HttpResponseBadRequest(
            f"{_('The filters are not valid:')}\n{problems}\n",
            content_type="text/plain; charset=utf-8",
        )
    return points_csv_response(filterset.qs, all_points_filename())
