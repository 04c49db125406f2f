"""Bulk edit of the plan table: the preview of a change to the selected action
points, and its confirmation (services.bulk: one list of changes for both)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from actionplans import permissions as perms
from actionplans import services
from actionplans.bulk_form import BulkEditForm
from actionplans.models import ActionPoint
from actionplans.services.bulk import number_of

# Posted again by the preview page's buttons; not part of the change.
_NOT_CARRIED = {"csrfmiddlewaretoken", "step"}


@require_http_methods(["GET", "POST"])
def plan_bulk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Three steps, each carrying the selection: GET (the plan table's bar), or POST
    step=choose (Back from the preview): the changes to make; step=preview: the
    preview, old and new value per action point and field; step=confirm (from the
    preview): apply all or nothing, back to the plan with how many changed."""
    plan = perms.get_plan_or_404(request.user, pk)
    perms.require_bulk_edit(request.user, plan)
    data = request.POST if request.method == "POST" else request.GET
    step = data.get("step", "preview") if request.method == "POST" else "choose"
    form = BulkEditForm(data, plan=plan, user=request.user)
    if step == "choose":
        return _choose(request, plan, form)
    edit = None
    errors: list[str] = []
    if form.is_valid():
        arguments = {
            "user": request.user,
            "plan": plan,
            "action_point_ids": form.cleaned_data["action_points"],
            "changes": form.changes(),
            "expected_versions": form.versions(),
        }
        edit = services.bulk_edit_preview(**arguments)
        errors = edit.all_errors
        if step == "confirm" and edit.ok:
            try:
                count = services.action_points_bulk_edit(**arguments).changed_points
            except ValidationError as error:
                errors = error.messages
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s action point changed.",
                        "%(count)s action points changed.",
                        len(count),
                    )
                    % {"count": len(count)},
                )
                return redirect("actionplans:plan_detail", pk=plan.pk)
    carried = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in _NOT_CARRIED and not name.startswith("version-")
        for value in values
    ]
    if edit is not None:
        carried += [
            (f"version-{point.action_point.pk}", point.action_point.version)
            for point in edit.points
        ]
    return render(
        request,
        "actionplans/bulk_edit_preview.html",
        {
            "nav": "plans",
            "plan": plan,
            "form": form,
            "edit": edit,
            "errors": errors,
            "carried": carried,
        },
        status=400 if errors or form.errors else 200,
    )


def _choose(request: HttpRequest, plan, form: BulkEditForm) -> HttpResponse:
    """The form of the changes, with the selected action points (ticked, to untick)."""
    field = form.fields["action_points"]
    try:
        ids = field.clean(field.widget.value_from_datadict(form.data, form.files, "action_points"))
    except ValidationError:
        ids = []
    selected = list(
        ActionPoint.objects.of_plan(plan)
        .filter(pk__in=ids)
        .select_related("challenge__working_group")
    )
    for point in selected:
        point.number = number_of(point)
    return render(
        request,
        "actionplans/bulk_edit_form.html",
        {"nav": "plans", "plan": plan, "form": form, "selected": selected},
    )
