"""Pages of whole plans: the list, the plan page, creating, editing, closing,
reopening and deleting a plan, and its recent activity.

Every view finds its object through permissions.get_*_or_404 (hidden objects
are 404) and checks changes with permissions.require_* (403); the writing is
done by services.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from actionplans import permissions as perms
from actionplans import saved_views, selectors, services
from actionplans.filtersets import ActionPlanFilterSet, page_filterset
from actionplans.forms import ActionPlanForm, DeleteForm
from actionplans.models import (
    ActionPlan,
    ActionPoint,
    Challenge,
    DeadlineChange,
    FocalPoint,
    ProgressUpdate,
)
from actionplans.plan_page import chosen_sort, chosen_view, plan_body
from actionplans.views.counts import consequence_lines
from pim_tracker.errors import add_to_form, as_lines
from pim_tracker.http import posted
from pim_tracker.text import isolate


@require_http_methods(["GET"])
def plan_list(request: HttpRequest) -> HttpResponse:
    filterset = ActionPlanFilterSet(
        request.GET, queryset=ActionPlan.objects.visible_to(request.user), request=request
    )
    # An invalid filter shows its error and no plan, as on the plan page: silently
    # dropping it would list plans the user did not ask for.
    filtered = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = Paginator(filtered.order_by("title", "id"), 25).get_page(request.GET.get("page"))
    # Counts for the page's plans only, not for every plan the user may see.
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
    perms.require(perms.can_create_plan(request.user), _("Only coordinators can create plans."))
    form = ActionPlanForm(posted(request), user=request.user)
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
            add_to_form(form, error)
        else:
            messages.success(
                request, _("Plan “%(title)s” created.") % {"title": isolate(plan.title)}
            )
            return redirect(plan)
    return render(request, "actionplans/actionplan_form.html", {"nav": "plans", "form": form})


@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = perms.get_plan_or_404(request.user, pk)
    perms.require_plan_edit(request.user, plan)
    form = ActionPlanForm(posted(request), instance=plan, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_update(
                plan=plan,
                user=request.user,
                coordinators=data["coordinators"],
                **{name: data[name] for name in services.PLAN_FIELDS},
            )
        except ValidationError as error:
            plan.refresh_from_db()
            add_to_form(form, error)
        else:
            messages.success(request, _("Plan saved."))
            return redirect(plan)
    return render(
        request, "actionplans/actionplan_form.html", {"nav": "plans", "form": form, "plan": plan}
    )


def _state_change(request: HttpRequest, pk: int, change, done: str) -> HttpResponse:
    plan = perms.get_plan_or_404(request.user, pk)
    perms.require_plan_edit(request.user, plan)
    try:
        change(plan=plan, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(as_lines(error)))
    else:
        messages.success(request, done % {"title": isolate(plan.title)})
    return redirect(plan)


@require_POST
def plan_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _state_change(request, pk, services.plan_close, _("Plan “%(title)s” closed."))


@require_POST
def plan_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _state_change(request, pk, services.plan_reopen, _("Plan “%(title)s” reopened."))


@require_http_methods(["GET", "POST"])
def plan_delete(request: HttpRequest, pk: int) -> HttpResponse:
    plan = perms.get_plan_or_404(request.user, pk)
    perms.require_plan_edit(request.user, plan)
    form = DeleteForm(posted(request))
    if request.method == "POST" and form.is_valid():
        title = plan.title
        services.plan_delete(plan=plan, user=request.user)
        messages.success(
            request, _("Plan “%(title)s” deleted. Its history is kept.") % {"title": isolate(title)}
        )
        return redirect("actionplans:plan_list")
    points = ActionPoint.objects.of_plan(plan)
    consequences = consequence_lines(
        working_groups=plan.working_groups.count(),
        challenges=Challenge.objects.filter(working_group__plan=plan).count(),
        action_points=points.count(),
        focal_points=FocalPoint.objects.filter(action_point__in=points).count(),
        progress_updates=ProgressUpdate.objects.filter(action_point__in=points).count(),
        deadline_changes=DeadlineChange.objects.filter(action_point__in=points).count(),
    )
    return render(
        request,
        "actionplans/confirm_delete.html",
        {
            "nav": "plans",
            "form": form,
            "object_label": _("the plan “%(title)s”") % {"title": isolate(plan.title)},
            "consequences": consequences,
            "cancel_url": plan.get_absolute_url(),
            "plan": plan,
        },
    )


@require_http_methods(["GET"])
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = perms.get_plan_or_404(request.user, pk)
    # The page follows the plan's own order (groups, challenges, positions), or in
    # the table a column's (?sort=, from the column headers): the filter bar's
    # "Order by" is not offered (page_filterset).
    filterset = page_filterset(request.GET, request=request, plan=plan)
    filtered = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    can_edit = perms.can_edit_plan(request.user, plan) and plan.accepts_changes
    filtering = any(
        value for key, value in request.GET.items() if key not in ("page", "view", "sort")
    )
    view = chosen_view(request)
    body = plan_body(
        request,
        plan,
        filtered,
        today=timezone.localdate(),
        can_edit=can_edit,
        filtering=filtering,
        view=view,
        sort=chosen_sort(request) if view == "table" else "",
    )
    return render(
        request,
        "actionplans/actionplan_detail.html",
        {
            "nav": "plans",
            "plan": plan,
            "body": body,
            "filterset": filterset,
            "filtering": filtering,
            # The view and sort chosen stay when the filters change.
            "filter_keep": [
                (name, value)
                for name, value in (("view", request.GET.get("view")), ("sort", body.sort))
                if value and (name != "view" or value == body.view)
            ],
            "can_edit": can_edit,
            "can_manage": perms.can_edit_plan(request.user, plan),
            "saved_views": saved_views.page_block(request, filterset, plan=plan),
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
