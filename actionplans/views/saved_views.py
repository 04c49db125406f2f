"""Saved views: save a page's filters under a name (from the page's "Saved views"
block), replace them, and the page that lists yours to rename, share or delete
them. Only a view's owner reaches it here: anyone else's answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from actionplans import permissions as perms
from actionplans import services
from actionplans.choices import SavedViewPage
from actionplans.saved_views import (
    SavedViewAddForm,
    SavedViewForm,
    SavedViewReplaceForm,
    view_url,
)
from pim_tracker.errors import add_to_form, as_lines
from pim_tracker.http import posted
from pim_tracker.text import isolate


@require_http_methods(["GET"])
def saved_view_list(request: HttpRequest) -> HttpResponse:
    """Your saved views, those of "my action points" first, then by plan."""
    views = list(
        perms.own_saved_views(request.user)
        .select_related("plan")
        .order_by("page", "plan__title", "plan_id", Lower("name"), "id")
    )
    shareable = perms.sharing_plan_ids(request.user, {v.plan_id for v in views if v.plan_id})
    for view in views:
        view.url = view_url(view)
        view.can_share = view.plan_id in shareable
    return render(request, "actionplans/saved_view_list.html", {"nav": "views", "views": views})


@require_http_methods(["GET", "POST"])
def saved_view_add(request: HttpRequest) -> HttpResponse:
    """Save the filters a page posts (its "Save these filters as…" form). On an error
    this page shows the form again, with the error beside its field."""
    data = request.POST if request.method == "POST" else request.GET
    page = data.get("page")
    plan = None
    if page == SavedViewPage.PLAN:
        plan_id = data.get("plan", "")
        if not plan_id.isdigit():
            raise Http404(_("No such plan."))
        plan = perms.get_plan_or_404(request.user, int(plan_id))
    can_share = plan is not None and perms.can_share_saved_view(request.user, plan)
    form = SavedViewAddForm(posted(request), initial=request.GET.dict(), can_share=can_share)
    if request.method == "POST" and form.is_valid():
        try:
            view = services.saved_view_create(
                owner=request.user,
                page=form.cleaned_data["page"],
                plan=plan,
                name=form.cleaned_data["name"],
                query=form.cleaned_data["query"],
                shared=form.cleaned_data.get("shared", False),
            )
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("View “%(name)s” saved.") % {"name": isolate(view.name)})
            return redirect(view_url(view))
    return render(
        request,
        "actionplans/saved_view_form.html",
        {"nav": "views", "form": form, "plan": plan, "adding": True},
    )


@require_POST
def saved_view_replace(request: HttpRequest) -> HttpResponse:
    """Replace the filters of one of your views with the page's current ones."""
    form = SavedViewReplaceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of your saved views."))
        return redirect("actionplans:saved_view_list")
    view = perms.get_saved_view_or_404(request.user, form.cleaned_data["view"])
    try:
        services.saved_view_update(view=view, user=request.user, query=form.cleaned_data["query"])
    except ValidationError as error:
        messages.error(request, " ".join(as_lines(error, with_fields=False)))
        return redirect("actionplans:saved_view_list")
    messages.success(
        request, _("The filters of “%(name)s” were replaced.") % {"name": isolate(view.name)}
    )
    return redirect(view_url(view))


@require_http_methods(["GET", "POST"])
def saved_view_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename a saved view; share it with the plan's members or stop sharing it."""
    view = perms.get_saved_view_or_404(request.user, pk)
    can_share = view.plan is not None and (
        view.shared or perms.can_share_saved_view(request.user, view.plan)
    )
    form = SavedViewForm(
        posted(request), initial={"name": view.name, "shared": view.shared}, can_share=can_share
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.saved_view_update(
                view=view,
                user=request.user,
                name=form.cleaned_data["name"],
                shared=form.cleaned_data.get("shared") if can_share else None,
            )
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("View “%(name)s” saved.") % {"name": isolate(view.name)})
            return redirect("actionplans:saved_view_list")
    return render(
        request,
        "actionplans/saved_view_form.html",
        {"nav": "views", "form": form, "view": view, "plan": view.plan},
    )


@require_POST
def saved_view_share(request: HttpRequest, pk: int) -> HttpResponse:
    """Share a view with the plan's members (shared=1) or stop sharing it (shared=0)."""
    view = perms.get_saved_view_or_404(request.user, pk)
    shared = request.POST.get("shared") == "1"
    try:
        services.saved_view_update(view=view, user=request.user, shared=shared)
    except ValidationError as error:
        messages.error(request, " ".join(as_lines(error, with_fields=False)))
    else:
        done = (
            _("View “%(name)s” shared with the plan's members.")
            if shared
            else _("View “%(name)s” is no longer shared.")
        )
        messages.success(request, done % {"name": isolate(view.name)})
    return redirect("actionplans:saved_view_list")


@require_http_methods(["GET", "POST"])
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a saved view, after a confirmation page."""
    view = perms.get_saved_view_or_404(request.user, pk)
    if request.method == "POST":
        name = view.name
        services.saved_view_delete(view=view, user=request.user)
        messages.success(request, _("View “%(name)s” deleted.") % {"name": isolate(name)})
        return redirect("actionplans:saved_view_list")
    return render(
        request,
        "actionplans/saved_view_delete.html",
        {"nav": "views", "view": view},
    )
