"""Deadline extension requests: a member asks for more time on an action point,
a coordinator approves or declines; the plan's waiting requests on one page.

The action point page shows the panel (templates/actionplans/_extension_requests.html,
built by templatetags/extension_tags.py); its forms post here. A form with errors
comes back on this module's own page, with what was typed.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from actionplans import permissions as perms
from actionplans import services
from actionplans.forms import ExtensionDecisionForm, ExtensionRequestForm
from actionplans.models import ActionPoint, ExtensionRequest
from actionplans.querysets import PLAN_PATH
from actionplans.templatetags.extension_tags import extension_panel
from pim_tracker.errors import add_to_form
from pim_tracker.http import safe_next


def _page(request: HttpRequest, point: ActionPoint, **forms) -> HttpResponse:
    plan = point.challenge.working_group.plan
    can_update = perms.can_update_action_point(request.user, point) and plan.accepts_changes
    can_edit = perms.can_edit_plan(request.user, plan) and plan.accepts_changes
    panel = extension_panel(request.user, point, can_update=can_update, can_edit=can_edit, **forms)
    # A form the panel no longer shows (the plan closed, a request already waiting,
    # decided meanwhile) still says why it was refused.
    for given, shown in (
        (forms.get("ask_form"), panel.ask_form),
        (forms.get("decide_form"), panel.decide_form),
    ):
        if given is not None and given is not shown:
            for errors in given.errors.values():
                for error in errors:
                    messages.error(request, error)
    return render(
        request,
        "actionplans/extension_request_page.html",
        {"nav": "plans", "plan": plan, "point": point, "extension_panel": panel},
    )


def _done(request: HttpRequest, point: ActionPoint) -> HttpResponse:
    default = reverse("actionplans:actionpoint_detail", args=[point.pk]) + "#extension"
    return redirect(safe_next(request, default))


@require_http_methods(["GET", "HEAD", "POST"])
def extension_request_add(request: HttpRequest, pk: int) -> HttpResponse:
    point = perms.get_action_point_or_404(request.user, pk)
    perms.require_action_point_update(request.user, point)
    if request.method != "POST":
        return _page(request, point)
    form = ExtensionRequestForm(request.POST, prefix_id=f"ext{point.pk}")
    if form.is_valid():
        try:
            services.extension_request_create(
                action_point=point,
                user=request.user,
                new_deadline=form.cleaned_data["new_deadline"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(
                request,
                _("Your request for “%(deadline)s” was sent to the plan's coordinators.")
                % {"deadline": form.cleaned_data["new_deadline"]},
            )
            return _done(request, point)
    return _page(request, point, ask_form=form)


@require_POST
def extension_request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    extension = (
        ExtensionRequest.objects.filter(pk=pk)
        .select_related("requested_by__person", "action_point__challenge__working_group__plan")
        .first()
    )
    if extension is None:
        raise Http404(_("No such request."))
    point = perms.get_action_point_or_404(request.user, extension.action_point_id)
    perms.require_plan_edit(request.user, point.challenge.working_group.plan)
    form = ExtensionDecisionForm(request.POST, prefix_id=f"dec{extension.pk}")
    if form.is_valid():
        try:
            services.extension_request_decide(
                request=extension,
                user=request.user,
                approve=form.approve,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_to_form(form, error)
        else:
            if form.approve:
                done = _("Approved: the deadline is now “%(deadline)s”.")
            else:
                done = _("Declined: the deadline stays “%(deadline)s”.")
            point.refresh_from_db(fields=["deadline"])
            messages.success(request, done % {"deadline": point.deadline or _("none")})
            return _done(request, point)
    return _page(request, point, decide_form=form)


@require_safe
def plan_extension_requests(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan's requests waiting for a decision, oldest first, for its coordinators."""
    plan = perms.get_plan_or_404(request.user, pk)
    perms.require_plan_edit(request.user, plan)
    waiting = list(
        ExtensionRequest.objects.filter(
            status=ExtensionRequest.Status.PENDING, **{f"action_point__{PLAN_PATH}": plan}
        )
        .select_related("requested_by__person", "action_point__challenge__working_group")
        .order_by("requested_at", "id")
    )
    for extension in waiting:
        extension.form = ExtensionDecisionForm(prefix_id=f"dec{extension.pk}")
    return render(
        request,
        "actionplans/extension_requests.html",
        {
            "nav": "plans",
            "plan": plan,
            "waiting": waiting,
            "can_decide": plan.accepts_changes,
        },
    )
