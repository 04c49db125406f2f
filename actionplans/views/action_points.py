"""Pages of action points: adding and editing them, reading one with its history,
progress updates (on its page, or inline on the plan page), rescheduling, and
the action points the user carries."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from actionplans import permissions as perms
from actionplans import saved_views, selectors, services
from actionplans.choices import ActionPointStatus
from actionplans.comments import page_context as comment_section
from actionplans.filtersets import ActionPointFilterSet, page_filterset
from actionplans.forms import (
    ActionPointForm,
    FocalPointFormSet,
    PeopleReading,
    ProgressUpdateForm,
    RescheduleForm,
    carried,
)
from actionplans.models import (
    ActionPlan,
    ActionPoint,
    WorkingGroup,
    with_focal_points,
    with_pim_tags,
)
from actionplans.plan_page import card_response, row_response, row_shape, update_form_response
from actionplans.verification_page import completion_context
from orgs.models import Person
from pim_tracker.errors import add_to_form
from pim_tracker.http import posted, safe_next


def _focal_point_initial(point: ActionPoint) -> list[dict]:
    return [
        {"name": fp.person.name, "person": str(fp.person_id), "role": fp.role, "note": fp.note}
        for fp in point.focal_points.select_related("person")
    ]


def _assignments(reading: PeopleReading) -> list[services.FocalPointAssignment]:
    """The focal points read from the rows (after reading.save_people)."""
    return [
        services.FocalPointAssignment(
            person=named.person, role=named.entry.role, note=named.entry.note
        )
        for named in reading.named
    ]


def _read_focal_points(request: HttpRequest, plan: ActionPlan, form, formset):
    """(reading, confirm): who the rows name once the forms are valid, and whether the
    user must confirm it first. (None, False) when there is nothing to save yet:
    a GET, invalid input, or the user chose to edit from the confirmation."""
    if request.method != "POST" or request.POST.get("people_step") == "edit":
        return None, False
    if not (form.is_valid() and formset.is_valid()):
        return None, False
    reading = formset.reading(request.user, plan)
    if not reading.resolve():
        return None, False
    return reading, not reading.confirmed(request.POST)


def _form_page(request: HttpRequest, plan: ActionPlan, context: dict, reading, confirm: bool):
    if confirm:
        context |= {"confirmation": reading, "carried": carried(request.POST)}
    return render(
        request,
        "actionplans/actionpoint_form.html",
        {
            "nav": "plans",
            "plan": plan,
            "people_names": selectors.plan_people_names(plan=plan),
            **context,
        },
    )


@require_http_methods(["GET", "POST"])
def actionpoint_add(request: HttpRequest, challenge_pk: int) -> HttpResponse:
    challenge = perms.get_challenge_or_404(request.user, challenge_pk)
    plan = challenge.working_group.plan
    perms.require_plan_edit(request.user, plan)
    data = request.POST if request.method == "POST" else None
    form = ActionPointForm(data)
    formset = FocalPointFormSet(data, prefix="fp", form_kwargs={"plan": plan})
    reading, confirm = _read_focal_points(request, plan, form, formset)
    if reading is not None and not confirm:
        try:
            with transaction.atomic():  # the new people named, and the action point
                reading.save_people(request.user)
                point = services.action_point_create(
                    challenge=challenge,
                    description=form.cleaned_data["description"],
                    deadline=form.cleaned_data["deadline"],
                    focal_points=_assignments(reading),
                    created_by=request.user,
                )
                services.action_point_classify(
                    action_point=point, user=request.user, **form.classification()
                )
        except ValidationError as error:
            add_to_form(form, error)
            confirm = False
        else:
            messages.success(request, _("Action point added."))
            return redirect(f"{plan.get_absolute_url()}#ap-{point.pk}")
    return _form_page(
        request,
        plan,
        {
            "challenge": challenge,
            "form": form,
            "formset": formset,
            "title": _("Add an action point to challenge %(number)s")
            % {"number": challenge.number},
        },
        reading,
        confirm,
    )


@require_http_methods(["GET", "POST"])
def actionpoint_edit(request: HttpRequest, pk: int) -> HttpResponse:
    point = perms.get_action_point_or_404(request.user, pk)
    plan = point.challenge.working_group.plan
    perms.require_plan_edit(request.user, plan)
    conflict = None
    if request.method == "POST":
        form = ActionPointForm(request.POST, instance=point)
        formset = FocalPointFormSet(request.POST, prefix="fp", form_kwargs={"plan": plan})
    else:
        form = ActionPointForm(initial=ActionPointForm.initial_of(point), instance=point)
        formset = FocalPointFormSet(
            initial=_focal_point_initial(point), prefix="fp", form_kwargs={"plan": plan}
        )
    reading, confirm = _read_focal_points(request, plan, form, formset)
    if reading is not None and not confirm:
        try:
            with transaction.atomic():  # the new people named, and the edit
                reading.save_people(request.user)
                services.action_point_edit(
                    action_point=point,
                    user=request.user,
                    description=form.cleaned_data["description"],
                    deadline=form.cleaned_data["deadline"],
                    deadline_reason=form.cleaned_data["deadline_reason"],
                    focal_points=_assignments(reading),
                    expected_version=form.cleaned_data.get("version") or point.version,
                )
                # The row is locked and its version checked by the edit above.
                services.action_point_classify(
                    action_point=point, user=request.user, **form.classification()
                )
        except services.StaleVersionError as error:
            conflict = _conflict(error.current, form.cleaned_data)
            lists = {name: request.POST.getlist(name) for name in ActionPointForm.PIM_LISTS}
            form = ActionPointForm(
                {**request.POST.dict(), **lists, "version": error.current.version}, instance=point
            )
            form.is_valid()
        except ValidationError as error:
            point.refresh_from_db()
            add_to_form(form, error)
        else:
            messages.success(request, _("Action point saved."))
            return redirect(f"{plan.get_absolute_url()}#ap-{point.pk}")
    return _form_page(
        request,
        plan,
        {
            "challenge": point.challenge,
            "point": point,
            "form": form,
            "formset": formset,
            "conflict": conflict,
            "title": _("Edit the action point"),
        },
        reading,
        confirm,
    )


# --- action points: reading, updating, rescheduling ---------------------------------


def _conflict(current: ActionPoint, mine: dict) -> dict:
    """What the other person saved, beside what this user tried, for the conflict notice."""
    rows = []
    for field, label in (
        ("status", _("Status")),
        ("progress", _("Progress")),
        ("description", _("Action point")),
        ("deadline", _("Deadline")),
    ):
        if field in mine and mine[field] is not None:
            theirs, yours = getattr(current, field), mine[field]
            if field == "status":
                theirs, yours = ActionPointStatus(theirs).label, ActionPointStatus(yours).label
            rows.append({"label": label, "theirs": theirs, "mine": yours})
    return {"current": current, "rows": rows}


def _point_context(request: HttpRequest, point: ActionPoint, **extra) -> dict:
    plan = point.challenge.working_group.plan
    prefetch_related_objects([point], with_pim_tags())  # its categories and principles
    can_update = perms.can_update_action_point(request.user, point) and plan.accepts_changes
    can_edit = perms.can_edit_plan(request.user, plan) and plan.accepts_changes
    context = {
        "nav": "plans",
        "plan": plan,
        "point": point,
        "focal_points": point.focal_points.select_related("person__organization"),
        "can_update": can_update,
        "can_edit": can_edit,
        "timeline": selectors.action_point_timeline(action_point=point),
        **comment_section(request.user, point),
        **completion_context(request.user, point),
    }
    if can_update and "update_form" not in extra:
        context["update_form"] = ProgressUpdateForm.for_point(point)
    if can_edit and "reschedule_form" not in extra:
        context["reschedule_form"] = RescheduleForm(initial={"version": point.version})
    context.update(extra)
    return context


@require_http_methods(["GET"])
def actionpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    point = perms.get_action_point_or_404(request.user, pk)
    return render(request, "actionplans/actionpoint_detail.html", _point_context(request, point))


@require_http_methods(["GET"])
def actionpoint_update_form(request: HttpRequest, pk: int) -> HttpResponse:
    """The inline update form of one card or table row, fetched when opened on a large plan."""
    point = perms.get_action_point_or_404(request.user, pk)
    perms.require_action_point_update(request.user, point)
    return update_form_response(request, point)


@require_POST
def actionpoint_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Post a progress update: from the action point's page, or inline on the plan page."""
    point = perms.get_action_point_or_404(request.user, pk)
    perms.require_action_point_update(request.user, point)
    form = ProgressUpdateForm.for_point(point, request.POST)
    conflict = None
    if form.is_valid():
        try:
            services.progress_update_create(
                action_point=point,
                author=request.user,
                status=form.cleaned_data["status"],
                progress=form.cleaned_data["progress"],
                note=form.cleaned_data["note"],
                evidence_url=form.cleaned_data["evidence_url"],
                expected_version=form.cleaned_data["version"],
            )
        except services.StaleVersionError as error:
            point.refresh_from_db()
            conflict = _conflict(error.current, form.cleaned_data)
            # The user's own values, ready to apply again on top of the other change.
            form = ProgressUpdateForm.for_point(
                point, {**request.POST.dict(), "version": point.version}
            )
            form.is_valid()
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Update recorded."))
            if request.htmx and row_shape(request):
                return row_response(request, point.pk, row_shape(request), saved=True)
            if request.htmx:
                return card_response(request, point.pk, saved=True)
            return redirect(
                safe_next(request, reverse("actionplans:actionpoint_detail", args=[pk]))
            )
    if request.htmx and row_shape(request):
        return row_response(request, point.pk, row_shape(request), form=form, conflict=conflict)
    if request.htmx:
        return card_response(request, point.pk, form=form, conflict=conflict)
    return render(
        request,
        "actionplans/actionpoint_detail.html",
        _point_context(request, point, update_form=form, conflict=conflict),
    )


@require_http_methods(["GET", "POST"])
def actionpoint_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    point = perms.get_action_point_or_404(request.user, pk)
    perms.require_plan_edit(request.user, point.challenge.working_group.plan)
    form = RescheduleForm(posted(request), initial={"version": point.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.action_point_reschedule(
                action_point=point,
                new_deadline=form.cleaned_data["deadline"],
                reason=form.cleaned_data["reason"],
                changed_by=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except services.StaleVersionError as error:
            point.refresh_from_db()
            conflict = _conflict(error.current, form.cleaned_data)
            form = RescheduleForm({**request.POST.dict(), "version": point.version})
            form.is_valid()
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(
                request,
                _("Deadline moved to “%(deadline)s”.")
                % {"deadline": point.deadline or _("no deadline")},
            )
            return redirect("actionplans:actionpoint_detail", pk=pk)
    return render(
        request,
        "actionplans/actionpoint_detail.html",
        _point_context(request, point, reschedule_form=form, conflict=conflict, focus="reschedule"),
    )


# --- my action points ----------------------------------------------------------------


def _chosen_ordering(filterset: ActionPointFilterSet) -> list[str]:
    """The fields of the filter bar's "Order by", if the user chose one."""
    if not filterset.is_valid():
        return []
    ordering = filterset.filters["ordering"]
    return [
        ordering.get_ordering_value(param)
        for param in filterset.form.cleaned_data.get("ordering") or []
    ]


def _with_my_role(user, points: list[ActionPoint]) -> list[ActionPoint]:
    """Each point's my_role: the user's focal point role(s) ("Lead"), else their part
    in the point's working group ("Team leader of Group 1: Data Sharing", "Team member
    of ..."). Two queries for the page, whatever its size: the person, and which of
    the page's groups they are a member of (focal points and leaders are loaded)."""
    person_id = Person.objects.filter(user_id=user.pk).values_list("id", flat=True).first()
    group_ids = {point.challenge.working_group_id for point in points}
    member_of = set(
        WorkingGroup.team_members.through.objects.filter(
            workinggroup_id__in=group_ids, person_id=person_id
        ).values_list("workinggroup_id", flat=True)
    )
    for point in points:
        group = point.challenge.working_group
        roles = [
            str(fp.get_role_display()) for fp in point.focal_point_list if fp.person_id == person_id
        ]
        if roles:
            point.my_role = pgettext("list separator", ", ").join(roles)
        elif person_id is not None and group.team_leader_id == person_id:
            point.my_role = _("Team leader of %(group)s") % {"group": group}
        elif group.pk in member_of:
            point.my_role = _("Team member of %(group)s") % {"group": group}
        else:
            point.my_role = ""
    return points


@require_http_methods(["GET"])
def my_action_points(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    filterset = page_filterset(request.GET, request=request)  # the user's action points
    points = (
        (filterset.qs if filterset.is_valid() else filterset.queryset.none())
        .select_related("challenge__working_group__plan")
        .prefetch_related(with_focal_points(), with_pim_tags())
        .with_flags(today)
        # A chosen "Order by" comes first; overdue first is the default and the tie-break.
        .order_by(
            *_chosen_ordering(filterset),
            "-is_overdue",
            "-is_open",
            F("due_date").asc(nulls_last=True),
            "id",
        )
    )
    page = Paginator(points, 50).get_page(request.GET.get("page"))
    page.object_list = _with_my_role(request.user, list(page.object_list))
    return render(
        request,
        "actionplans/my_action_points.html",
        {
            "nav": "mine",
            "filterset": filterset,
            "page_obj": page,
            "has_person": perms.is_linked_to_person(request.user),
            "saved_views": saved_views.page_block(request, filterset, plan=None),
        },
    )
