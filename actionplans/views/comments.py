"""Comments and watching on an action point's page; people suggested after "@".

The comments section of the action point's page (templates/actionplans/
_comments.html) posts here; each view answers with a redirect back to it, or the
page again with the form's errors. Everything works without JavaScript;
static/js/mentions.js adds the suggestions while typing a mention.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from actionplans import comments as reading
from actionplans import mentions, services
from actionplans import permissions as perms
from actionplans.forms import CommentForm
from actionplans.models import Comment
from pim_tracker.errors import add_to_form

MAX_SUGGESTIONS = 10


def _back(point_pk: int, anchor: str = "comments") -> HttpResponse:
    return redirect(reverse("actionplans:actionpoint_detail", args=[point_pk]) + f"#{anchor}")


def _get_comment_or_404(user, pk: int) -> Comment:
    """A comment on an action point the user may see (404 otherwise)."""
    comment = (
        Comment.objects.select_related(
            "action_point__challenge__working_group__plan", "author__person"
        )
        .filter(pk=pk)
        .first()
    )
    if comment is None or not perms.can_see_action_point(user, comment.action_point):
        raise Http404(_("No such comment."))
    return comment


@require_POST
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    point = perms.get_action_point_or_404(request.user, pk)
    perms.require_comment(request.user, point)
    form = CommentForm(request.POST, auto_id="id_comment_%s")
    if form.is_valid():
        try:
            comment = services.comment_create(
                action_point=point, author=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Comment posted. You now watch this action point."))
            return _back(pk, f"comment-{comment.pk}")
    return _form_page(request, point, form)


def _form_page(request: HttpRequest, point, form: CommentForm, comment=None) -> HttpResponse:
    """The comment's own page: its form again with the errors (or to edit it)."""
    return render(
        request,
        "actionplans/comment_form.html",
        {
            "nav": "plans",
            "comment": comment,
            "point": point,
            "form": form,
            "edit_until": perms.comment_edit_deadline(comment) if comment else None,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _get_comment_or_404(request.user, pk)
    point = comment.action_point
    if not perms.can_edit_comment(request.user, comment):
        if comment.author_id != request.user.pk:
            raise PermissionDenied(_("Only its author can edit a comment."))
        messages.error(
            request,
            _("This comment can no longer be edited: post a new comment instead."),
        )
        return _back(point.pk, f"comment-{comment.pk}")
    form = CommentForm(request.POST if request.method == "POST" else None, auto_id="id_comment_%s")
    if request.method == "GET":
        form = CommentForm(initial={"body": comment.body}, auto_id="id_comment_%s")
    elif form.is_valid():
        try:
            services.comment_edit(
                comment=comment, user=request.user, body=form.cleaned_data["body"]
            )
        except PermissionDenied as error:
            messages.error(request, str(error))
            return _back(point.pk, f"comment-{comment.pk}")
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Comment saved."))
            return _back(point.pk, f"comment-{comment.pk}")
    return _form_page(request, point, form, comment)


@require_http_methods(["GET", "POST"])
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _get_comment_or_404(request.user, pk)
    point = comment.action_point
    perms.require(
        perms.can_delete_comment(request.user, comment),
        _("Only the plan's coordinators can delete a comment."),
    )
    if request.method == "POST":
        try:
            services.comment_delete(comment=comment, user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Comment deleted."))
        return _back(point.pk, f"comment-{comment.pk}")
    return render(
        request,
        "actionplans/comment_delete.html",
        {
            "nav": "plans",
            "comment": comment,
            "point": point,
            "segments": mentions.segments(comment.body),
            "author_name": reading.user_name(comment.author),
        },
    )


@require_POST
def watch_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """POST watch=1 to watch the action point, watch=0 to stop."""
    point = perms.get_action_point_or_404(request.user, pk)
    if request.POST.get("watch") == "1":
        services.watch_start(action_point=point, user=request.user)
        messages.success(request, _("You now watch this action point."))
    else:
        services.watch_stop(action_point=point, user=request.user)
        messages.success(request, _("You no longer watch this action point."))
    return _back(pk, "watch")


@require_GET
def mention_suggest(request: HttpRequest, pk: int) -> JsonResponse:
    """GET ?q=<typed after @>: up to ten people who may be mentioned on this action
    point (permissions.mentionable_people, among those the user may see), as
    {"results": [{"id", "name", "organization", "token"}]}."""
    point = perms.get_action_point_or_404(request.user, pk)
    people = reading.mention_suggestions(
        request.user, point, request.GET.get("q", "")[:200], limit=MAX_SUGGESTIONS
    )
    return JsonResponse(
        {
            "results": [
                {
                    "id": person.pk,
                    "name": person.name,
                    "organization": person.organization.short_name
                    if person.organization_id
                    else "",
                    "token": mentions.token(person),
                }
                for person in people
            ]
        }
    )
