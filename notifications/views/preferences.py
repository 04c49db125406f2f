"""The notification preferences page and the one-click unsubscribe page.

Preferences belong to the address the emails go to (notifications.recipients):
a signed-in user edits those of their own address. The unsubscribe page is for
anyone holding a link from an email: the signed token (address and kinds) is the
credential, so it needs neither a session nor a CSRF token (RFC 8058 mail
clients POST to it without either).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from actionplans.permissions import can_edit_person
from notifications import services
from notifications.choices import Kind
from notifications.forms import PreferenceForm
from notifications.links import read_unsubscribe
from notifications.middleware import remember_time_zone
from notifications.preferences import preference_save, preference_unmute
from notifications.recipients import address_of_user, default_preference, preferences_for
from orgs.models import Person
from pim_tracker.errors import add_to_form
from pim_tracker.http import posted


@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """What the signed-in user's address receives; without an address, where to set one."""
    address = address_of_user(request.user)
    person = Person.objects.filter(user_id=request.user.pk).first()
    form = None
    if address:
        preference = preferences_for([address]).get(address) or default_preference(address)
        form = PreferenceForm(posted(request), preference=preference)
        if form.is_valid():
            try:
                preference_save(
                    address=address,
                    muted_kinds=form.muted_kinds(),
                    lead_days=form.cleaned_data["lead_days"],
                    digest_weekday=form.cleaned_data["digest_weekday"],
                    time_zone=form.cleaned_data["time_zone"],
                )
            except ValidationError as error:
                add_to_form(form, error)
            else:
                remember_time_zone(request, form.cleaned_data["time_zone"])
                messages.success(request, _("Your notification preferences are saved."))
                return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {
            "nav": "notification_preferences",
            "address": address,
            "form": form,
            "person": person,
            "can_edit_person": person is not None and can_edit_person(request.user, person),
        },
    )


def masked(address: str) -> str:
    """a***@example.org: enough to recognise one's own address, not to harvest it."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def _read(token: str) -> tuple[str, list[str]]:
    """The address and the known kinds of a genuine link; 404 for anything else."""
    try:
        address, kinds = read_unsubscribe(token)
    except signing.BadSignature:
        raise Http404("No such link.") from None
    kinds = [kind for kind in Kind.values if kind in set(kinds)]
    if not address or not kinds:
        raise Http404("No such link.")
    return address, kinds


@login_not_required  # people follow it from an email, signed in or not: the token is the key
@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without cookies
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (mail scanners open links: nothing changes); POST mutes the link's
    kinds for its address, or takes them back when the page's undo button says so."""
    address, kinds = _read(token)
    state = "ask"
    if request.method == "POST":
        if request.POST.get("action") == "resubscribe":
            preference_unmute(address=address, kinds=kinds)
            state = "resubscribed"
        else:
            services.mute(address=address, kinds=kinds)
            state = "unsubscribed"
    response = render(
        request,
        "notifications/unsubscribe.html",
        {
            "state": state,
            "address": masked(address),
            "kinds": [Kind(kind).label for kind in kinds],
            "token": token,
        },
    )
    response["X-Robots-Tag"] = "noindex"
    return response
