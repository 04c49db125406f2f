"""The one-click update page of a reminder email's links: no password, the signed
link is the credential (notifications/one_click.py checks it).

GET shows the action point and changes nothing: mail scanners and link previews
open links before people do. `?do=completed` or `?do=in_progress` (the email's
"Done" and "In progress" buttons) puts one big confirm button first, so a field
officer on a phone updates in one tap; without it the page offers both buttons
and a small form. POST records, then shows what was recorded (no redirect: the
link is spent, opening it again answers 410).

The token is in the address: no page of it is cached, and no link on it sends
the address on as a Referer.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from actionplans.choices import ActionPointStatus
from notifications.one_click import (
    LinkGone,
    LinkInvalid,
    OneClickTarget,
    one_click_update,
    resolve,
)
from pim_tracker.errors import add_to_form

# The email's one-tap actions and the status each records.
QUICK_ACTIONS = {
    "in_progress": ActionPointStatus.IN_PROGRESS,
    "completed": ActionPointStatus.COMPLETED,
}


class OneClickUpdateForm(forms.Form):
    """What the person reports: status, progress, a note, evidence."""

    status = forms.ChoiceField(label=_("Status"), choices=ActionPointStatus.choices)
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"step": 1, "inputmode": "numeric"}),
        help_text=_("Completing sets 100 %."),
    )
    note = forms.CharField(
        label=_("What was done (required to complete)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Marking it completed needs a few words on what was done."),
    )
    evidence_url = forms.URLField(
        label=_("Evidence link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    # The version the person saw: someone else's change in between is not overwritten.
    version = forms.IntegerField(widget=forms.HiddenInput)

    @classmethod
    def for_target(cls, target: OneClickTarget, data=None, **initial) -> OneClickUpdateForm:
        point = target.action_point
        return cls(
            data,
            initial={
                "status": point.status,
                "progress": point.progress,
                "version": point.version,
                **initial,
            },
        )


def _private(response: HttpResponse) -> HttpResponse:
    """The address holds the token: keep it out of caches, Referer headers and indexes."""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _unavailable(request: HttpRequest, *, gone: bool) -> HttpResponse:
    """404 for a link that never was (or no longer is) for this person and point, 410
    for one that expired or was used; neither names the plan."""
    return _private(
        render(
            request,
            "notifications/one_click_unavailable.html",
            {"gone": gone},
            status=410 if gone else 404,
        )
    )


def _quick_action(request: HttpRequest) -> str:
    value = (request.POST if request.method == "POST" else request.GET).get("do", "")
    return value if value in QUICK_ACTIONS else ""


# No CSRF check: the token in the address is the only credential, and a page that
# could forge this POST would need the token, with which it could POST anyway.
# The check would also refuse the form: with "Referrer-Policy: no-referrer" the
# browser sends "Origin: null", which Django's CSRF check rejects.
@csrf_exempt
@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def one_click(request: HttpRequest, token: str) -> HttpResponse:
    try:
        target = resolve(token)
        if request.method == "POST":
            return _record(request, target)
    except LinkInvalid:
        return _unavailable(request, gone=False)
    except LinkGone:
        # Expired, used before, or spent by another submit a moment ago.
        return _unavailable(request, gone=True)
    return _page(request, target, action=_quick_action(request))


def _record(request: HttpRequest, target: OneClickTarget) -> HttpResponse:
    """Record the update; the page again with the errors when it cannot be."""
    point = target.action_point
    action = _quick_action(request)
    if action:
        # A one-tap button: the status only, and for "Done" what was done (the
        # confirmation asks for it). Should the service refuse it, the full form
        # shows the error, set to what the button asked for.
        values = {"status": QUICK_ACTIONS[action]}
        if action == "completed":
            values["note"] = request.POST.get("note", "")
        form = OneClickUpdateForm.for_target(
            target,
            {
                "status": values["status"],
                "progress": point.progress,
                "note": values.get("note", ""),
                "version": point.version,
            },
        )
    else:
        values = None
        form = OneClickUpdateForm.for_target(target, request.POST)
    if form.is_valid():
        if values is None:
            values = {
                "status": form.cleaned_data["status"],
                "progress": form.cleaned_data["progress"],
                "note": form.cleaned_data["note"],
                "evidence_url": form.cleaned_data["evidence_url"],
                "expected_version": form.cleaned_data["version"],
            }
        try:
            update = one_click_update(target, **values)
        except ValidationError as error:
            add_to_form(form, error)
        else:
            context = {"target": target, "point": point, "plan": target.plan, "recorded": update}
            return _private(render(request, "notifications/one_click.html", context))
    return _page(request, target, form=form)


def _page(
    request: HttpRequest,
    target: OneClickTarget,
    *,
    action: str = "",
    form: OneClickUpdateForm | None = None,
) -> HttpResponse:
    point = target.action_point
    # "Done" on a point that is done already: say so, and offer the form (a note
    # on a completed or cancelled point is still welcome).
    already = bool(action) and point.status == QUICK_ACTIONS[action]
    context = {
        "target": target,
        "point": point,
        "plan": target.plan,
        "action": "" if already else action,
        "already": already,
        "form": form or OneClickUpdateForm.for_target(target),
        "quick_actions": [
            (name, status) for name, status in QUICK_ACTIONS.items() if status != point.status
        ],
    }
    return _private(render(request, "notifications/one_click.html", context))
