"""Verifying a completed action point, or sending it back to in progress, from
its page: POST only, then back to the page with a message."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from actionplans import permissions as perms
from actionplans import services
from actionplans.forms import SendBackForm


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


@require_POST
def actionpoint_verify(request: HttpRequest, pk: int) -> HttpResponse:
    point = perms.get_action_point_or_404(request.user, pk)
    perms.require_verifier(request.user, point)
    try:
        services.action_point_verify(
            action_point=point, user=request.user, expected_version=_version(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Completion verified."))
    return redirect("actionplans:actionpoint_detail", pk=pk)


@require_POST
def actionpoint_send_back(request: HttpRequest, pk: int) -> HttpResponse:
    point = perms.get_action_point_or_404(request.user, pk)
    perms.require_verifier(request.user, point)
    form = SendBackForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(
                [
                    f"{form.fields[name].label}: {' '.join(errors)}"
                    if name in form.fields
                    else " ".join(errors)
                    for name, errors in form.errors.items()
                ]
            )
        services.action_point_send_back(
            action_point=point,
            user=request.user,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Sent back to in progress."))
    return redirect("actionplans:actionpoint_detail", pk=pk)
