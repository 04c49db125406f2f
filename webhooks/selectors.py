"""Which webhook subscriptions an account reaches, for the pages and the API alike.

A subscription is its owner's: anyone else's answers 404 (its existence must not
leak), as saved views do. Administrators reach every one (they may already pause,
resume or delete any through the services). Making and changing them is for those
who may manage webhooks (actionplans.permissions.can_manage_webhooks): anyone else
is refused with a 403 before any lookup.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from actionplans.permissions import can_manage_webhooks, is_admin, require
from webhooks.models import Attempt, Delivery, Subscription


def require_webhook_manager(user) -> None:
    """403 for anyone who may not manage webhooks (the services' own message)."""
    require(can_manage_webhooks(user), _("Only coordinators and administrators manage webhooks."))


def subscriptions_of(user) -> QuerySet[Subscription]:
    """The subscriptions the user reaches, newest first, with their plan."""
    if not user.is_authenticated or not user.is_active:
        return Subscription.objects.none()
    subscriptions = Subscription.objects.select_related("plan")
    if not is_admin(user):
        subscriptions = subscriptions.filter(owner_id=user.pk)
    return subscriptions.order_by("-created", "-id")


def get_subscription_or_404(user, pk: int) -> Subscription:
    subscription = subscriptions_of(user).filter(pk=pk).first()
    if subscription is None:
        raise Http404(_("Not found."))
    return subscription


def delivery_log(subscription: Subscription) -> QuerySet[Delivery]:
    """The subscription's deliveries, newest first, each with its attempts in order."""
    return (
        Delivery.objects.filter(subscription=subscription)
        .prefetch_related(Prefetch("attempt_log", queryset=Attempt.objects.order_by("number")))
        .order_by("-created", "-id")
    )
