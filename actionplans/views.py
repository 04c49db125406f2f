"""Pages of the action plans: list, plan page, structure editing, updates, history.

Every view finds its object through permissions.get_*_or_404 (hidden objects
are 404) and checks changes with permissions.require_* (403); the writing is
done by services.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from actionplans import permissions as perms
from actionplans import selectors, services
from actionplans.choices import ActionPointStatus
from actionplans.filtersets import ActionPlanFilterSet, ActionPointFilterSet
from actionplans.forms import (
    ActionPlanForm,
    ActionPointForm,
    ChallengeForm,
    DeleteForm,
    FocalPointFormSet,
    ProgressUpdateForm,
    RescheduleForm,
    WorkingGroupForm,
)
from actionplans.models import ActionPlan, ActionPoint, Challenge, FocalPoint, with_focal_points
from orgs.models import Person

# --- helpers ---------------------------------------------------------------------

INLINE_FORMS_MAX = 40


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _posted(request: HttpRequest) -> QueryDict | None:
    """The POST data to bind a form to, or None on GET.

    Not `request.POST or None`: an empty POST (no box ticked, no field sent) must
    still bind the form, so that it shows its errors instead of a blank form.
    """
    return request.POST if request.method == "POST" else None


def _apply_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form, by field where it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _people_names(plan: ActionPlan) -> list[str]:
    """Names offered while typing a leader, member or focal point."""
    return sorted({p.name for p in selectors.plan_people(plan=plan).only("name")})


def _plan_url(plan: ActionPlan) -> str:
    return reverse("actionplans:plan_detail", args=[plan.pk])


def _point_anchor(point: ActionPoint) -> str:
    return f"{_plan_url(point.challenge.working_group.plan)}#ap-{point.pk}"


# --- plans -----------------------------------------------------------------------


@require_http_methods(["GET"])
def plan_list(request: HttpRequest) -> HttpResponse:
    filterset = ActionPlanFilterSet(
        request.GET, queryset=ActionPlan.objects.visible_to(request.user), request=request
    )
    # An invalid filter shows its error and no plan, as on the plan page: silently
    # dropping it would list plans the user did not ask for.
    filtered = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = Paginator(filtered.order_by("title", "id"), 25).get_page(request.GET.get("page"))
    # Counts for the page's plans only: aggregating every plan's action points
    # to show 25 of them cost half a second at 100,000 action points.
    page.object_list = list(
        selectors.plans_with_counts(
            ActionPlan.objects.filter(pk__in=[plan.pk for plan in page.object_list])
        ).order_by("title", "id")
    )
    return render(
        request,
        "actionplans/actionplan_list.html",
        {
            "nav": "plans",
            "filterset": filterset,
            "page_obj": page,
            "can_create": perms.can_create_plan(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def plan_add(request: HttpRequest) -> HttpResponse:
    perms.require(perms.can_create_plan(request.user), "Only coordinators can create plans.")
    form = ActionPlanForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(
                title=form.cleaned_data["title"],
                country=form.cleaned_data["country"],
                origin=form.cleaned_data["origin"],
                status=form.cleaned_data["status"],
                visibility=form.cleaned_data["visibility"],
                coordinators={request.user, *form.cleaned_data["coordinators"]},
                created_by=request.user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Plan “{plan.title}” created.")
            return redirect(plan)
    return render(request, "actionplans/actionplan_form.html", {"nav": "plans", "form": form})


@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = perms.get_plan_or_404(request.user, pk)
    perms.require_plan_edit(request.user, plan)
    form = ActionPlanForm(_posted(request), instance=plan)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_update(
                plan=plan,
                user=request.user,
                coordinators=data["coordinators"],
                **{
                    name: data[name]
                    for name in ("title", "country", "origin", "status", "visibility")
                },
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Plan saved.")
            return redirect(plan)
    return render(
        request, "actionplans/actionplan_form.html", {"nav": "plans", "form": form, "plan": plan}
    )


@require_POST
def plan_close(request: HttpRequest, pk: int) -> HttpResponse:
    plan = perms.get_plan_or_404(request.user, pk)
    perms.require_plan_edit(request.user, plan)
    try:
        services.plan_close(plan=plan, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Plan “{plan.title}” closed.")
    return redirect(plan)


@require_http_methods(["GET", "POST"])
def plan_delete(request: HttpRequest, pk: int) -> HttpResponse:
    plan = perms.get_plan_or_404(request.user, pk)
    perms.require_plan_edit(request.user, plan)
    form = DeleteForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        title = plan.title
        services.plan_delete(plan=plan, user=request.user)
        messages.success(request, f"Plan “{title}” deleted. Its history is kept.")
        return redirect("actionplans:plan_list")
    points = ActionPoint.objects.filter(challenge__working_group__plan=plan)
    consequences = [
        f"{plan.working_groups.count()} working group(s)",
        f"{Challenge.objects.filter(working_group__plan=plan).count()} challenge(s)",
        f"{points.count()} action point(s)",
        f"{FocalPoint.objects.filter(action_point__in=points).count()} focal point assignment(s)",
        f"{services.ProgressUpdate.objects.filter(action_point__in=points).count()} "
        "progress update(s)",
        f"{services.DeadlineChange.objects.filter(action_point__in=points).count()} "
        "deadline change(s)",
    ]
    return render(
        request,
        "actionplans/confirm_delete.html",
        {
            "nav": "plans",
            "form": form,
            "object_label": f"the plan “{plan.title}”",
            "consequences": consequences,
            "cancel_url": _plan_url(plan),
            "plan": plan,
        },
    )


@require_http_methods(["GET"])
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = perms.get_plan_or_404(request.user, pk)
    base = ActionPoint.objects.filter(challenge__working_group__plan=plan)
    filterset = ActionPointFilterSet(request.GET, queryset=base, request=request, plan=plan)
    # The page follows the plan's own order (groups, challenges, positions): an
    # "Order by" control would do nothing here, so it is not offered.
    del filterset.filters["ordering"]
    filtered = filterset.qs if filterset.is_valid() else base.none()
    layout = selectors.plan_layout(plan=plan, action_points=filtered)
    updatable = perms.updatable_action_point_ids(request.user, plan)
    can_edit = perms.can_edit_plan(request.user, plan)
    points = [p for group in layout for c in group.challenges for p in c.action_points]
    # A workshop's plan has a few dozen action points: each card carries its form.
    # Past that, forms are fetched when opened (htmx), or used on the point's page.
    inline_forms = len(points) <= INLINE_FORMS_MAX
    for point in points:
        point.can_update = updatable is None or point.pk in updatable
        point.update_form = _update_form(point) if point.can_update and inline_forms else None
    filtering = any(value for key, value in request.GET.items() if key != "page")
    return render(
        request,
        "actionplans/actionplan_detail.html",
        {
            "nav": "plans",
            "plan": plan,
            "layout": layout,
            "filterset": filterset,
            "filtering": filtering,
            "can_edit": can_edit,
            "people_names": _people_names(plan) if can_edit else [],
            "shown_count": sum(len(c.action_points) for g in layout for c in g.challenges),
        },
    )


@require_http_methods(["GET"])
def plan_activity(request: HttpRequest, pk: int) -> HttpResponse:
    plan = perms.get_plan_or_404(request.user, pk)
    return render(
        request,
        "actionplans/actionplan_activity.html",
        {"nav": "plans", "plan": plan, "entries": selectors.plan_activity(plan=plan)},
    )


# --- working groups and challenges -----------------------------------------------


def _group_people(plan: ActionPlan, form: WorkingGroupForm) -> tuple[Person | None, list[Person]]:
    people = services.PlanPeople(plan)
    leader_name = form.cleaned_data["team_leader"]
    leader = people.get(leader_name) if leader_name else None
    members = [people.get(name) for name in form.cleaned_data["team_members"]]
    return leader, members


@require_http_methods(["GET", "POST"])
def workinggroup_add(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = perms.get_plan_or_404(request.user, plan_pk)
    perms.require_plan_edit(request.user, plan)
    form = WorkingGroupForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                leader, members = _group_people(plan, form)
                group = services.working_group_create(
                    plan=plan,
                    number=form.cleaned_data["number"],
                    name=form.cleaned_data["name"],
                    team_leader=leader,
                    team_members=members,
                    created_by=request.user,
                )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{group} added.")
            return redirect(f"{_plan_url(plan)}#group-{group.pk}")
    return _structure_form(request, plan, form, "Add a working group")


@require_http_methods(["GET", "POST"])
def workinggroup_edit(request: HttpRequest, pk: int) -> HttpResponse:
    group = perms.get_group_or_404(request.user, pk)
    plan = group.plan
    perms.require_plan_edit(request.user, plan)
    initial = {
        "number": group.number,
        "name": group.name,
        "team_leader": group.team_leader.name if group.team_leader else "",
        "team_members": ", ".join(
            p.name for p in selectors.team_members_in_order([group.pk])[group.pk]
        ),
    }
    form = WorkingGroupForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                leader, members = _group_people(plan, form)
                services.working_group_update(
                    group=group,
                    user=request.user,
                    name=form.cleaned_data["name"],
                    number=form.cleaned_data["number"] or group.number,
                    team_leader=leader,
                    team_members=members,
                )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{group} saved.")
            return redirect(f"{_plan_url(plan)}#group-{group.pk}")
    return _structure_form(request, plan, form, f"Edit {group}")


@require_http_methods(["GET", "POST"])
def challenge_add(request: HttpRequest, group_pk: int) -> HttpResponse:
    group = perms.get_group_or_404(request.user, group_pk)
    perms.require_plan_edit(request.user, group.plan)
    form = ChallengeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            challenge = services.challenge_create(
                working_group=group,
                number=form.cleaned_data["number"],
                description=form.cleaned_data["description"],
                created_by=request.user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Challenge {challenge.number} added to {group}.")
            return redirect(f"{_plan_url(group.plan)}#challenge-{challenge.pk}")
    return _structure_form(request, group.plan, form, f"Add a challenge to {group}")


@require_http_methods(["GET", "POST"])
def challenge_edit(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = perms.get_challenge_or_404(request.user, pk)
    plan = challenge.working_group.plan
    perms.require_plan_edit(request.user, plan)
    form = ChallengeForm(
        _posted(request),
        initial={"number": challenge.number, "description": challenge.description},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.challenge_update(
                challenge=challenge,
                user=request.user,
                description=form.cleaned_data["description"],
                number=form.cleaned_data["number"] or challenge.number,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Challenge {challenge.number} saved.")
            return redirect(f"{_plan_url(plan)}#challenge-{challenge.pk}")
    return _structure_form(request, plan, form, f"Edit challenge {challenge.number}")


def _structure_form(request: HttpRequest, plan: ActionPlan, form, title: str) -> HttpResponse:
    return render(
        request,
        "actionplans/structure_form.html",
        {
            "nav": "plans",
            "plan": plan,
            "form": form,
            "title": title,
            "people_names": _people_names(plan),
        },
    )


_MOVABLE = {
    "group": (perms.get_group_or_404, lambda o: o.plan, "group"),
    "challenge": (perms.get_challenge_or_404, lambda o: o.working_group.plan, "challenge"),
    "actionpoint": (perms.get_action_point_or_404, lambda o: o.challenge.working_group.plan, "ap"),
}


def _move(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    getter, plan_of, anchor = _MOVABLE[kind]
    obj = getter(request.user, pk)
    plan = plan_of(obj)
    perms.require_plan_edit(request.user, plan)
    try:
        services.sibling_move(
            obj=obj, direction=request.POST.get("direction", ""), user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{_plan_url(plan)}#{anchor}-{obj.pk}")


@require_POST
def workinggroup_move(request: HttpRequest, pk: int) -> HttpResponse:
    return _move(request, "group", pk)


@require_POST
def challenge_move(request: HttpRequest, pk: int) -> HttpResponse:
    return _move(request, "challenge", pk)


@require_POST
def actionpoint_move(request: HttpRequest, pk: int) -> HttpResponse:
    return _move(request, "actionpoint", pk)


def _delete(request: HttpRequest, obj, plan: ActionPlan, label: str, consequences: list[str]):
    form = DeleteForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            obj.delete()
        messages.success(request, f"Deleted {label}. Its history is kept.")
        return redirect(plan)
    return render(
        request,
        "actionplans/confirm_delete.html",
        {
            "nav": "plans",
            "form": form,
            "plan": plan,
            "object_label": label,
            "consequences": consequences,
            "cancel_url": _plan_url(plan),
        },
    )


@require_http_methods(["GET", "POST"])
def workinggroup_delete(request: HttpRequest, pk: int) -> HttpResponse:
    group = perms.get_group_or_404(request.user, pk)
    perms.require_plan_edit(request.user, group.plan)
    points = ActionPoint.objects.filter(challenge__working_group=group)
    return _delete(
        request,
        group,
        group.plan,
        f"“{group}”",
        [f"{group.challenges.count()} challenge(s)", f"{points.count()} action point(s)"],
    )


@require_http_methods(["GET", "POST"])
def challenge_delete(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = perms.get_challenge_or_404(request.user, pk)
    plan = challenge.working_group.plan
    perms.require_plan_edit(request.user, plan)
    return _delete(
        request,
        challenge,
        plan,
        f"challenge {challenge.number} of {challenge.working_group}",
        [f"{challenge.action_points.count()} action point(s)"],
    )


@require_http_methods(["GET", "POST"])
def actionpoint_delete(request: HttpRequest, pk: int) -> HttpResponse:
    point = perms.get_action_point_or_404(request.user, pk)
    plan = point.challenge.working_group.plan
    perms.require_plan_edit(request.user, plan)
    return _delete(
        request,
        point,
        plan,
        f"the action point “{point}”",
        [
            f"{point.focal_points.count()} focal point assignment(s)",
            f"{point.progress_updates.count()} progress update(s)",
            f"{point.deadline_changes.count()} deadline change(s)",
        ],
    )


# --- action points: structure ----------------------------------------------------


def _focal_point_initial(point: ActionPoint) -> list[dict]:
    return [
        {"name": fp.person.name, "role": fp.role, "note": fp.note}
        for fp in point.focal_points.select_related("person")
    ]


def _assignments(plan: ActionPlan, formset) -> list[services.FocalPointAssignment]:
    people = services.PlanPeople(plan)
    return [
        services.FocalPointAssignment(person=people.get(name), role=role, note=note)
        for name, role, note in formset.entries()
    ]


@require_http_methods(["GET", "POST"])
def actionpoint_add(request: HttpRequest, challenge_pk: int) -> HttpResponse:
    challenge = perms.get_challenge_or_404(request.user, challenge_pk)
    plan = challenge.working_group.plan
    perms.require_plan_edit(request.user, plan)
    data = request.POST if request.method == "POST" else None
    form = ActionPointForm(data)
    formset = FocalPointFormSet(data, prefix="fp")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            with transaction.atomic():
                point = services.action_point_create(
                    challenge=challenge,
                    description=form.cleaned_data["description"],
                    deadline=form.cleaned_data["deadline"],
                    focal_points=_assignments(plan, formset),
                    created_by=request.user,
                )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Action point added.")
            return redirect(f"{_plan_url(plan)}#ap-{point.pk}")
    return render(
        request,
        "actionplans/actionpoint_form.html",
        {
            "nav": "plans",
            "plan": plan,
            "challenge": challenge,
            "form": form,
            "formset": formset,
            "people_names": _people_names(plan),
            "title": f"Add an action point to challenge {challenge.number}",
        },
    )


@require_http_methods(["GET", "POST"])
def actionpoint_edit(request: HttpRequest, pk: int) -> HttpResponse:
    point = perms.get_action_point_or_404(request.user, pk)
    plan = point.challenge.working_group.plan
    perms.require_plan_edit(request.user, plan)
    conflict = None
    if request.method == "POST":
        form = ActionPointForm(request.POST, instance=point)
        formset = FocalPointFormSet(request.POST, prefix="fp")
        if form.is_valid() and formset.is_valid():
            version = form.cleaned_data.get("version") or point.version
            try:
                with transaction.atomic():
                    # Always called, for its version check; an unchanged description is
                    # not passed, so saving an untouched form does not bump the version
                    # (which would show others a conflict with nothing in it).
                    description = form.cleaned_data["description"]
                    services.action_point_update(
                        action_point=point,
                        user=request.user,
                        description=description if description != point.description else None,
                        expected_version=version,
                    )
                    if form.cleaned_data["deadline"] != point.deadline:
                        services.action_point_reschedule(
                            action_point=point,
                            new_deadline=form.cleaned_data["deadline"],
                            reason=form.cleaned_data["deadline_reason"],
                            changed_by=request.user,
                        )
                    services.focal_points_assign(
                        action_point=point,
                        assignments=_assignments(plan, formset),
                        user=request.user,
                    )
            except services.StaleVersionError as error:
                conflict = _conflict(error.current, form.cleaned_data)
                form = ActionPointForm(
                    {**request.POST.dict(), "version": error.current.version}, instance=point
                )
                form.is_valid()
            except ValidationError as error:
                point.refresh_from_db()
                _apply_errors(form, error)
            else:
                messages.success(request, "Action point saved.")
                return redirect(f"{_plan_url(plan)}#ap-{point.pk}")
    else:
        form = ActionPointForm(
            initial={
                "description": point.description,
                "deadline": point.deadline,
                "version": point.version,
            },
            instance=point,
        )
        formset = FocalPointFormSet(initial=_focal_point_initial(point), prefix="fp")
    return render(
        request,
        "actionplans/actionpoint_form.html",
        {
            "nav": "plans",
            "plan": plan,
            "challenge": point.challenge,
            "point": point,
            "form": form,
            "formset": formset,
            "conflict": conflict,
            "people_names": _people_names(plan),
            "title": "Edit the action point",
        },
    )


# --- action points: reading, updating, rescheduling ---------------------------------


def _update_form(point: ActionPoint, data=None) -> ProgressUpdateForm:
    return ProgressUpdateForm(
        data,
        initial={"status": point.status, "progress": point.progress, "version": point.version},
        prefix_id=f"ap{point.pk}",
    )


def _conflict(current: ActionPoint, mine: dict) -> dict:
    """What the other person saved, beside what this user tried, for the conflict notice."""
    rows = []
    for field, label in (
        ("status", "Status"),
        ("progress", "Progress"),
        ("description", "Action point"),
        ("deadline", "Deadline"),
    ):
        if field in mine and mine[field] is not None:
            theirs, yours = getattr(current, field), mine[field]
            if field == "status":
                theirs, yours = ActionPointStatus(theirs).label, ActionPointStatus(yours).label
            rows.append({"label": label, "theirs": theirs, "mine": yours})
    return {"current": current, "rows": rows}


def _point_context(request: HttpRequest, point: ActionPoint, **extra) -> dict:
    plan = point.challenge.working_group.plan
    can_update = perms.can_update_action_point(request.user, point)
    can_edit = perms.can_edit_plan(request.user, plan)
    context = {
        "nav": "plans",
        "plan": plan,
        "point": point,
        "focal_points": point.focal_points.select_related("person__organization"),
        "can_update": can_update,
        "can_edit": can_edit,
        "timeline": selectors.action_point_timeline(action_point=point),
    }
    if can_update and "update_form" not in extra:
        context["update_form"] = _update_form(point)
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
    """The inline update form of one card, fetched when opened on a large plan."""
    point = perms.get_action_point_or_404(request.user, pk)
    perms.require_action_point_update(request.user, point)
    point.update_form = _update_form(point)
    return render(request, "actionplans/_quick_update_form.html", {"point": point})


@require_POST
def actionpoint_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Post a progress update: from the action point's page, or inline on the plan page."""
    point = perms.get_action_point_or_404(request.user, pk)
    perms.require_action_point_update(request.user, point)
    form = _update_form(point, request.POST)
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
            form = _update_form(point, {**request.POST.dict(), "version": point.version})
            form.is_valid()
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Update recorded.")
            if request.htmx:
                return _card(request, point, saved=True)
            return redirect(
                _safe_next(request, reverse("actionplans:actionpoint_detail", args=[pk]))
            )
    if request.htmx:
        return _card(request, point, form=form, conflict=conflict)
    return render(
        request,
        "actionplans/actionpoint_detail.html",
        _point_context(request, point, update_form=form, conflict=conflict),
    )


def _card(request: HttpRequest, point: ActionPoint, *, form=None, conflict=None, saved=False):
    """The action point's card on the plan page, re-rendered for htmx."""
    point = (
        ActionPoint.objects.with_flags(timezone.localdate())
        .select_related("challenge__working_group__plan")
        .prefetch_related(with_focal_points())
        .get(pk=point.pk)
    )
    point.can_update = True
    point.update_form = form or _update_form(point)
    # The message is shown in the card itself; don't repeat it on the next page.
    list(messages.get_messages(request))
    return render(
        request,
        "actionplans/_action_point_card.html",
        {
            "point": point,
            "conflict": conflict,
            "saved": saved,
            "open_form": form is not None,
            "can_edit": perms.can_edit_plan(request.user, point.challenge.working_group.plan),
        },
    )


@require_http_methods(["GET", "POST"])
def actionpoint_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    point = perms.get_action_point_or_404(request.user, pk)
    perms.require_plan_edit(request.user, point.challenge.working_group.plan)
    form = RescheduleForm(_posted(request), initial={"version": point.version})
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
            _apply_errors(form, error)
        else:
            messages.success(request, f"Deadline moved to “{point.deadline or 'no deadline'}”.")
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


@require_http_methods(["GET"])
def my_action_points(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    base = perms.my_action_points(request.user)
    filterset = ActionPointFilterSet(request.GET, queryset=base, request=request, within=base)
    points = (
        (filterset.qs if filterset.is_valid() else base.none())
        .select_related("challenge__working_group__plan")
        .prefetch_related(with_focal_points())
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
    return render(
        request,
        "actionplans/my_action_points.html",
        {
            "nav": "mine",
            "filterset": filterset,
            "page_obj": page,
            "has_person": perms.is_linked_to_person(request.user),
        },
    )
