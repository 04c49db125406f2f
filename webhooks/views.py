"""The webhook pages: your subscriptions, a new one (its secret shown once), one
with its delivery log, edit, rotate the secret (the new one shown once), send a
test event, resume, delete.

Coordinators and administrators only: anyone else gets 403 before any lookup;
someone else's subscription is a 404 (webhooks.selectors). Every write goes
through webhooks.services. A secret is shown in the answer to the POST that made
it, never stored anywhere else for showing, never shown again.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from pim_tracker.errors import add_to_form, as_lines
from pim_tracker.http import posted
from webhooks import selectors, services
from webhooks.choices import Event
from webhooks.forms import WebhookEditForm, WebhookForm
from webhooks.models import Subscription

PAGE_SIZE = 25
NAV = "tokens"  # reached from the API tokens page

EVENT_LABELS = dict(Event.choices)


def _event_labels(subscription: Subscription) -> list[str]:
    return [str(EVENT_LABELS.get(event, event)) for event in subscription.events]


def _secret_page(request: HttpRequest, subscription: Subscription, secret: str) -> HttpResponse:
    return render(
        request,
        "webhooks/webhook_secret.html",
        {"nav": NAV, "subscription": subscription, "secret": secret},
    )


@require_http_methods(["GET"])
def webhook_list(request: HttpRequest) -> HttpResponse:
    """Your webhooks, newest first, each active or paused (with why)."""
    selectors.require_webhook_manager(request.user)
    subscriptions = list(selectors.subscriptions_of(request.user))
    for subscription in subscriptions:
        subscription.event_labels = _event_labels(subscription)
    return render(
        request, "webhooks/webhook_list.html", {"nav": NAV, "subscriptions": subscriptions}
    )


@require_http_methods(["GET", "POST"])
def webhook_add(request: HttpRequest) -> HttpResponse:
    """A new webhook; the answer shows its secret, once."""
    selectors.require_webhook_manager(request.user)
    form = WebhookForm(posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            subscription, secret = services.subscription_create(
                owner=request.user,
                plan=data["plan"],
                target_url=data["target_url"],
                events=data["events"],
                description=data["description"],
            )
        except ValidationError as error:
            add_to_form(form, error)
        else:
            return _secret_page(request, subscription, secret)
    return render(request, "webhooks/webhook_form.html", {"nav": NAV, "form": form})


@require_http_methods(["GET"])
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One webhook and its delivery log, newest first, a page at a time."""
    selectors.require_webhook_manager(request.user)
    subscription = selectors.get_subscription_or_404(request.user, pk)
    subscription.event_labels = _event_labels(subscription)
    page_obj = Paginator(selectors.delivery_log(subscription), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "webhooks/webhook_detail.html",
        {"nav": NAV, "subscription": subscription, "page_obj": page_obj},
    )


@require_http_methods(["GET", "POST"])
def webhook_edit(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.require_webhook_manager(request.user)
    subscription = selectors.get_subscription_or_404(request.user, pk)
    initial = {
        "target_url": subscription.target_url,
        "events": subscription.events,
        "description": subscription.description,
        "active": subscription.active,
    }
    form = WebhookEditForm(posted(request), initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.subscription_update(
                subscription=subscription,
                user=request.user,
                target_url=data["target_url"],
                events=data["events"],
                description=data["description"],
                active=data["active"],
            )
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Webhook saved."))
            return redirect("webhooks:webhook_detail", pk=subscription.pk)
    return render(
        request,
        "webhooks/webhook_form.html",
        {"nav": NAV, "form": form, "subscription": subscription},
    )


@require_POST
def webhook_rotate_secret(request: HttpRequest, pk: int) -> HttpResponse:
    """A new secret, shown in this answer only; the old one stops signing at once."""
    selectors.require_webhook_manager(request.user)
    subscription = selectors.get_subscription_or_404(request.user, pk)
    secret = services.secret_rotate(subscription=subscription, user=request.user)
    return _secret_page(request, subscription, secret)


@require_POST
def webhook_test(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.require_webhook_manager(request.user)
    subscription = selectors.get_subscription_or_404(request.user, pk)
    try:
        services.send_test_event(subscription=subscription, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(as_lines(error, with_fields=False)))
    else:
        messages.success(request, _("Test event queued: it appears in the delivery log once sent."))
    return redirect("webhooks:webhook_detail", pk=subscription.pk)


@require_POST
def webhook_resume(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.require_webhook_manager(request.user)
    subscription = selectors.get_subscription_or_404(request.user, pk)
    services.subscription_resume(subscription=subscription, user=request.user)
    messages.success(request, _("Webhook resumed: new events are sent again."))
    # The list's Resume button comes back to the list; the detail page's to itself.
    if request.POST.get("next") == "list":
        return redirect("webhooks:webhook_list")
    return redirect("webhooks:webhook_detail", pk=subscription.pk)


@require_http_methods(["GET", "POST"])
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a webhook and its delivery log, after a confirmation page."""
    selectors.require_webhook_manager(request.user)
    subscription = selectors.get_subscription_or_404(request.user, pk)
    if request.method == "POST":
        services.subscription_delete(subscription=subscription, user=request.user)
        messages.success(request, _("Webhook deleted."))
        return redirect("webhooks:webhook_list")
    return render(
        request, "webhooks/webhook_delete.html", {"nav": NAV, "subscription": subscription}
    )
