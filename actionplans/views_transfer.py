"""Getting plans in and out: import (upload or paste, preview, confirm), exports
(CSV, HXL, XLSX) and the calendar feeds of deadlines."""

from __future__ import annotations

import base64
import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from actionplans import exporting, importing, services
from actionplans import permissions as perms
from actionplans.choices import PlanStatus, PlanVisibility
from actionplans.filtersets import ActionPointFilterSet
from actionplans.models import ActionPlan, ActionPoint, CalendarFeed, with_focal_points
from orgs.models import Person
from orgs.services import record_last_use

SESSION_PREFIX = "plan-import:"


class ImportForm(forms.Form):
    file = forms.FileField(
        label="File",
        required=False,
        help_text="An Excel workbook (.xlsx), CSV, or tab-separated text.",
    )
    text = forms.CharField(
        label="Or paste the table",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text="Copy the table from the slide or the spreadsheet and paste it here.",
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            # Before content() reads it into memory.
            importing.check_size(upload.size)
        return upload

    def clean(self) -> dict:
        data = super().clean()
        # A file or text refused by its own field (too large, NUL) is not "nothing given".
        given = data.get("file") or data.get("text", "").strip()
        if not given and not self.has_error("file") and not self.has_error("text"):
            raise ValidationError("Choose a file or paste a table.")
        return data

    def content(self) -> bytes:
        upload = self.cleaned_data.get("file")
        if upload:
            return upload.read()
        return self.cleaned_data["text"].encode("utf-8")


class NewPlanForm(forms.Form):
    title = forms.CharField(
        label="Title of the new plan",
        max_length=200,
        required=False,
        help_text="Empty: the title line of the table.",
    )
    country = forms.CharField(label="Country", max_length=100, required=False)
    origin = forms.CharField(
        label="Origin",
        max_length=300,
        required=False,
        help_text='The event it came from, e.g. "PIM training, Beirut, 10-13 Dec 2018".',
    )
    visibility = forms.ChoiceField(
        label="Visible to", choices=PlanVisibility.choices, initial=PlanVisibility.MEMBERS
    )


class ConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    keep_undated = forms.BooleanField(
        label="Keep unreadable deadlines as text without a date", required=False
    )


def _target(request: HttpRequest, pk: int | None) -> ActionPlan | None:
    if pk is None:
        perms.require(perms.can_create_plan(request.user), "Only coordinators can create plans.")
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
                table = importing.read_table(data)
            except ValidationError as error:
                upload_form.add_error(
                    "file" if upload_form.cleaned_data.get("file") else "text", error.messages
                )
            else:
                token = secrets.token_urlsafe(12)
                request.session[SESSION_PREFIX + token] = {
                    "data": base64.b64encode(data).decode(),
                    "options": plan_form.cleaned_data if plan_form else {},
                }
                return _preview(request, plan, table, ConfirmForm(initial={"token": token}))
    elif step == "confirm" and posted is not None:
        confirm = ConfirmForm(posted)
        stored = request.session.get(SESSION_PREFIX + request.POST.get("token", ""))
        if not confirm.is_valid() or stored is None:
            messages.error(request, "This import has expired or was done already: start again.")
            return redirect(request.path)
        table = importing.read_table(base64.b64decode(stored["data"]))
        options = stored["options"]
        try:
            result = services.plan_import(
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
            )
        except ValidationError as error:
            confirm.add_error(
                None,
                error.messages
                if not hasattr(error, "error_dict")
                else [m for ms in error.message_dict.values() for m in ms],
            )
            return _preview(request, plan, table, confirm)
        del request.session[SESSION_PREFIX + request.POST["token"]]
        messages.success(
            request,
            f"Imported: {result.groups} working group(s), {result.challenges} challenge(s), "
            f"{result.action_points} action point(s) and {result.people} person(s) added"
            + (
                f"; {result.unchanged} action point(s) were already there."
                if result.unchanged
                else "."
            ),
        )
        return redirect(result.plan)
    return render(request, "actionplans/import_form.html", context)


def _preview(request, plan, table, confirm: ConfirmForm) -> HttpResponse:
    blocking = [i for i in table.errors if i.code != "invalid_deadline"]
    return render(
        request,
        "actionplans/import_preview.html",
        {
            "nav": "plans",
            "plan": plan,
            "table": table,
            "counts": importing.table_counts(table),
            "confirm": confirm,
            "blocking": blocking,
            "undated": [i for i in table.errors if i.code == "invalid_deadline"],
        },
    )


# --- exports --------------------------------------------------------------------------


def _filename(plan: ActionPlan, suffix: str) -> str:
    return f"{slugify(plan.title) or 'plan'}-{timezone.localdate():%Y-%m-%d}{suffix}"


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def points_csv_response(points: QuerySet[ActionPoint], filename: str) -> StreamingHttpResponse:
    """These action points as the flat CSV, streamed row by row."""
    rows = exporting.flat_rows_of(points)
    response = StreamingHttpResponse(exporting.csv_lines(rows), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def all_points_filename() -> str:
    return f"action-points-{timezone.localdate():%Y-%m-%d}.csv"


def export_response(plan: ActionPlan, kind: str, base_url: str) -> HttpResponse:
    """The plan as CSV, HXL or XLSX; CSV and HXL are streamed row by row."""
    if kind == "csv":
        return points_csv_response(
            ActionPoint.objects.filter(challenge__working_group__plan=plan),
            _filename(plan, ".csv"),
        )
    elif kind == "hxl":
        rows = exporting.hxl_rows(plan, base_url)
        response = StreamingHttpResponse(exporting.csv_lines(rows), content_type="text/csv")
        name = _filename(plan, "-hxl.csv")
    else:
        response = HttpResponse(
            exporting.plan_workbook(plan),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name = _filename(plan, ".xlsx")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


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
            f"The filters are not valid:\n{problems}\n", content_type="text/plain; charset=utf-8"
        )
    return points_csv_response(filterset.qs, all_points_filename())


# --- calendar feeds ------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def calendar_feeds(request: HttpRequest) -> HttpResponse:
    """Your secret calendar addresses: one key, a feed per plan and per person."""
    feeds = CalendarFeed.objects.filter(user=request.user)
    if request.method == "POST":
        # One live key at a time: the page shows (and revokes) only one, so a second
        # (a double click) would be a secret address nobody could revoke.
        if not feeds.filter(revoked__isnull=True).exists():
            CalendarFeed.objects.create(user=request.user, key=secrets.token_urlsafe(32))
            messages.success(request, "New calendar address created.")
        return redirect("actionplans:calendar_feeds")
    active = feeds.filter(revoked__isnull=True).first()
    plans = ActionPlan.objects.visible_to(request.user).order_by("title")
    person = Person.objects.filter(user=request.user).first()
    base = base_url(request)
    return render(
        request,
        "actionplans/calendar_feeds.html",
        {
            "nav": "calendar",
            "feeds": feeds,
            "active": active,
            "plan_urls": [
                (p, base + reverse("actionplans:calendar_plan", args=[active.key, p.pk]))
                for p in plans
            ]
            if active
            else [],
            "person_url": base
            + reverse("actionplans:calendar_person", args=[active.key, person.pk])
            if active and person
            else "",
        },
    )


@require_POST
def calendar_feed_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    feed = get_object_or_404(CalendarFeed, pk=pk, user=request.user, revoked__isnull=True)
    feed.revoked = timezone.now()
    feed.save(update_fields=["revoked"])
    messages.success(request, "Calendar address revoked: subscriptions to it stop working.")
    return redirect("actionplans:calendar_feeds")


def _feed_user(key: str):
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(key=key, revoked__isnull=True, user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404("No such calendar.")
    record_last_use(feed)
    return feed.user


def _ics(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{name}.ics"'
    return response


@login_not_required  # calendar applications have no session: the key is the credential
@require_safe
def calendar_plan(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    user = _feed_user(key)
    plan = perms.get_plan_or_404(user, pk)
    body = exporting.calendar(
        f"Deadlines: {plan.title}", exporting.export_points(plan), base_url(request)
    )
    return _ics(body, slugify(plan.title) or "plan")


@login_not_required
@require_safe
def calendar_person(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    user = _feed_user(key)
    person = get_object_or_404(perms.visible_people(user), pk=pk)
    points = (
        ActionPoint.objects.visible_to(user)
        .filter(focal_points__person=person)
        .select_related("challenge__working_group__plan")
        .prefetch_related(with_focal_points())
        .order_by("due_date", "id")
        .distinct()
    )
    body = exporting.calendar(f"Deadlines: {person.name}", iter(points), base_url(request))
    return _ics(body, slugify(person.name) or "person")
