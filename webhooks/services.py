"""Every write to webhook subscriptions: made, changed, paused, resumed, deleted,
their secret rotated, a test event sent.

Who may: `permissions.can_manage_webhooks` to make or change one; a subscription
is changed by its owner (or an administrator). A subscription sees what its owner
sees: its plan must be visible to the owner, and every delivery is checked again
when it is sent (webhooks.payloads).
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from actionplans.models import ActionPlan
from actionplans.permissions import can_manage_webhooks, is_admin, require
from actionplans.services.common import check_text
from webhooks import delivery as deliveries
from webhooks.choices import PING, DeliveryStatus, Event
from webhooks.models import Delivery, Subscription
from webhooks.targets import check_target_url

SECRET_PREFIX = "whsec_"  # recognisable in a leaked file or a secret scanner


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def check_events(events: object) -> list[str]:
    """The events as stored: known names, each once, in the order given."""
    if not isinstance(events, list | tuple) or not events:
        raise ValidationError({"events": _("Choose at least one event.")})
    unknown = [str(event) for event in events if event not in Event.values]
    if unknown:
        raise ValidationError(
            {
                "events": _('Unknown event "%(event)s". Use one of: %(allowed)s.')
                % {"event": unknown[0], "allowed": ", ".join(Event.values)}
            }
        )
    return list(dict.fromkeys(events))


def _check_plan(owner, plan: ActionPlan | None) -> None:
    if plan is not None and not ActionPlan.objects.visible_to(owner).filter(pk=plan.pk).exists():
        raise ValidationError({"plan": _("You may not see this plan.")})


def _check_description(description: str) -> str:
    return check_text(
        description, field="description", label=_("Description"), required=False, max_length=200
    )


def _require_manager(user) -> None:
    require(can_manage_webhooks(user), _("Only coordinators and administrators manage webhooks."))


def _require_owner(subscription: Subscription, user) -> None:
    """The owner (while they may manage webhooks) or an administrator."""
    require(is_admin(user) or (user.pk == subscription.owner_id and can_manage_webhooks(user)))


@transaction.atomic
def subscription_create(
    *,
    owner,
    target_url: str,
    events: list[str],
    plan: ActionPlan | None = None,
    description: str = "",
) -> tuple[Subscription, str]:
    """A new subscription and its secret in clear (shown once)."""
    _require_manager(owner)
    _check_plan(owner, plan)
    subscription = Subscription.objects.create(
        owner=owner,
        plan=plan,
        target_url=check_target_url(target_url),
        events=check_events(events),
        description=_check_description(description),
        secret=new_secret(),
    )
    return subscription, subscription.secret


@transaction.atomic
def subscription_update(
    *,
    subscription: Subscription,
    user,
    target_url: str | None = None,
    events: list[str] | None = None,
    description: str | None = None,
    active: bool | None = None,
) -> Subscription:
    """Change what is given (None: unchanged). Pausing and resuming have their own
    services: `active` is the owner's switch, `paused_at` the engine's."""
    _require_owner(subscription, user)
    if target_url is not None:
        subscription.target_url = check_target_url(target_url)
    if events is not None:
        subscription.events = check_events(events)
    if description is not None:
        subscription.description = _check_description(description)
    if active is not None:
        if not isinstance(active, bool):
            raise ValidationError({"active": _("Active must be true or false.")})
        subscription.active = active
    subscription.save()
    return subscription


@transaction.atomic
def subscription_delete(*, subscription: Subscription, user) -> None:
    """The subscription and its delivery log. Its owner may always delete it, even
    after losing the right to make new ones."""
    require(is_admin(user) or user.pk == subscription.owner_id)
    subscription.delete()


@transaction.atomic
def subscription_pause(*, subscription: Subscription, reason: str, user=None) -> Subscription:
    """Stop new deliveries until someone resumes it. `user` None: the engine itself
    (a receiver that failed for WEBHOOK_RETRY_HOURS)."""
    if user is not None:
        _require_owner(subscription, user)
    subscription.paused_at = timezone.now()
    subscription.paused_reason = str(reason)[:300]
    subscription.save(update_fields=["paused_at", "paused_reason", "updated"])
    return subscription


@transaction.atomic
def subscription_resume(*, subscription: Subscription, user) -> Subscription:
    """Deliver again from now on (what happened while paused is not sent)."""
    _require_owner(subscription, user)
    subscription.paused_at = None
    subscription.paused_reason = ""
    subscription.active = True
    subscription.save(update_fields=["paused_at", "paused_reason", "active", "updated"])
    return subscription


@transaction.atomic
def secret_rotate(*, subscription: Subscription, user) -> str:
    """A new secret, in clear (shown once); the old one stops signing at once."""
    _require_owner(subscription, user)
    subscription.secret = new_secret()
    subscription.save(update_fields=["secret", "updated"])
    return subscription.secret


@transaction.atomic
def send_test_event(*, subscription: Subscription, user) -> Delivery:
    """A "ping" delivery, sent by the worker like any other (even while paused:
    the owner checks their receiver before resuming)."""
    _require_owner(subscription, user)
    delivery = Delivery.objects.create(
        subscription=subscription,
        event=PING,
        occurred_at=timezone.now(),
        status=DeliveryStatus.PENDING,
    )
    transaction.on_commit(lambda: deliveries.enqueue([delivery.pk]))
    return delivery
