"""Sending a delivery: one attempt per task, the next one enqueued on failure.

An attempt renders the payload if it is the first (then keeps it, so every retry
sends the same body), checks again that the owner may see what it is about
(skipped otherwise), checks the target again (webhooks.targets) and POSTs to the
very address it checked. A 2xx answer succeeds; anything else (a 3xx included:
redirects are never followed), a timeout or a refused connection fails, and the
next attempt is enqueued after `backoff(n)`: 30 s, doubling, at most an hour,
until WEBHOOK_RETRY_HOURS after the first attempt. Then the delivery fails, the
subscription is paused and its owner is told by email.

Finished deliveries older than LOG_DAYS are deleted when another delivery of the
same subscription finishes: the log stays bounded without a timer.
"""

from __future__ import annotations

import datetime
import time

import urllib3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from orgs.language import language_of
from pim_tracker.http import site_url
from webhooks import payloads, signing
from webhooks.choices import PING, DeliveryStatus
from webhooks.models import Attempt, Delivery, Subscription
from webhooks.targets import Target, resolve_target

FIRST_BACKOFF = datetime.timedelta(seconds=30)
MAX_BACKOFF = datetime.timedelta(hours=1)
LOG_DAYS = 30
MAX_ERROR = 300  # Attempt.error
USER_AGENT = "PIM-Action-Tracker-Webhooks/1"
FINAL = (DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED, DeliveryStatus.SKIPPED)


def backoff(attempts: int) -> datetime.timedelta:
    """30 s after the first failure, then doubling: 1, 2, 4 ... minutes, at most an hour."""
    return min(FIRST_BACKOFF * 2 ** (attempts - 1), MAX_BACKOFF)


def enqueue(delivery_ids: list[int], run_after: datetime.datetime | None = None) -> int:
    """One task per delivery (each is retried on its own schedule)."""
    from webhooks.tasks import deliver

    task = deliver.using(run_after=run_after) if run_after else deliver
    for delivery_id in delivery_ids:
        task.enqueue(delivery_id)
    return len(delivery_ids)


# --- the HTTP request ----------------------------------------------------------------


def _host_header(target: Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.scheme == "https" else 80
    return host if target.port == default else f"{host}:{target.port}"


def post(target: Target, body: bytes, headers: dict[str, str]) -> int:
    """POST to the checked address; the status code. Raises urllib3's errors."""
    seconds = settings.WEBHOOK_TIMEOUT_SECONDS
    timeout = urllib3.Timeout(connect=seconds, read=seconds)
    options = {"port": target.port, "timeout": timeout, "retries": False, "maxsize": 1}
    if target.scheme == "https":
        # Connect to the checked IP address, but say and verify the host name (SNI and
        # the certificate), as a request to the name would.
        pool = urllib3.HTTPSConnectionPool(
            target.address,
            cert_reqs="CERT_REQUIRED",
            server_hostname=target.host,
            assert_hostname=target.host,
            **options,
        )
    else:
        pool = urllib3.HTTPConnectionPool(target.address, **options)
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": _host_header(target)},
            redirect=False,
            retries=False,
            assert_same_host=False,
            preload_content=False,
        )
        try:
            response.read(64 * 1024, decode_content=False)  # enough to keep the connection sane
        finally:
            response.release_conn()
        return response.status
    finally:
        pool.close()


def headers_for(delivery: Delivery, body: bytes, now: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-PIM-Event": delivery.event,
        "X-PIM-Delivery": str(delivery.event_id),
        "X-PIM-Signature": signing.signature_header(body, delivery.subscription.secret, now),
    }


# --- one attempt -----------------------------------------------------------------------


def _claim(delivery_id: int) -> Delivery | None:
    """The delivery to attempt now, or None: finished, or a duplicate task early."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .filter(pk=delivery_id)
            .select_related("subscription__owner")
            .first()
        )
        if delivery is None or delivery.status in FINAL:
            return None
        now = timezone.now()
        if delivery.next_attempt_at and delivery.next_attempt_at > now:
            return None
        # A lease: a second copy of this task finds it taken until the attempt is over.
        lease = datetime.timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 2 + 60)
        delivery.next_attempt_at = now + lease
        delivery.save(update_fields=["next_attempt_at"])
    return delivery


def _finish(delivery: Delivery, status: str, now: datetime.datetime) -> None:
    delivery.status = status
    delivery.finished_at = now
    delivery.next_attempt_at = None
    delivery.save()
    prune(delivery.subscription_id, now)


def prune(subscription_id: int, now: datetime.datetime) -> int:
    """Delete the subscription's finished deliveries older than LOG_DAYS."""
    cutoff = now - datetime.timedelta(days=LOG_DAYS)
    deleted, _by_model = Delivery.objects.filter(
        subscription_id=subscription_id, created__lt=cutoff, status__in=FINAL
    ).delete()
    return deleted


def _first_attempt_at(delivery: Delivery, now: datetime.datetime) -> datetime.datetime:
    first = delivery.attempt_log.filter(number=1).values_list("started_at", flat=True).first()
    return first or now


def send(delivery_id: int) -> str:
    """Make one attempt of the delivery; its status afterwards."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return "nothing to do"
    subscription = delivery.subscription
    now = timezone.now()
    if delivery.event != PING and (not subscription.active or subscription.paused_at):
        _finish(delivery, DeliveryStatus.FAILED, now)  # switched off or paused since
        return delivery.status
    if delivery.payload is None:
        data = payloads.data_for(delivery)
        if data is None:
            _finish(delivery, DeliveryStatus.SKIPPED, now)
            return delivery.status
        delivery.payload = payloads.body_of(delivery, data)
    elif not payloads.may_still_see(delivery):
        _finish(delivery, DeliveryStatus.SKIPPED, now)
        return delivery.status
    body = payloads.encode(delivery.payload)

    number = delivery.attempts + 1
    started = time.monotonic()
    code, error = None, ""
    try:
        target = resolve_target(subscription.target_url)
        code = post(target, body, headers_for(delivery, body, int(now.timestamp())))
        if not 200 <= code < 300:
            error = _("The receiver answered %(code)s.") % {"code": code}
    except ValidationError as refused:
        error = " ".join(refused.messages)
    except (urllib3.exceptions.HTTPError, OSError) as failure:  # OSError: a socket's own
        error = _describe(failure)
    duration_ms = int((time.monotonic() - started) * 1000)
    succeeded = not error
    Attempt.objects.create(
        delivery=delivery,
        number=number,
        started_at=now,
        duration_ms=duration_ms,
        response_code=code,
        error=error[:MAX_ERROR],
        succeeded=succeeded,
    )
    delivery.attempts = number
    delivery.response_code = code
    if succeeded:
        _finish(delivery, DeliveryStatus.SUCCEEDED, now)
        return delivery.status
    give_up_at = _first_attempt_at(delivery, now) + datetime.timedelta(
        hours=settings.WEBHOOK_RETRY_HOURS
    )
    if now >= give_up_at:
        _finish(delivery, DeliveryStatus.FAILED, now)
        _pause_after_failure(subscription, delivery)
        return delivery.status
    delivery.status = DeliveryStatus.RETRYING
    delivery.next_attempt_at = min(now + backoff(number), give_up_at)
    delivery.save()
    enqueue([delivery.pk], run_after=delivery.next_attempt_at)
    return delivery.status


def _describe(failure: Exception) -> str:
    # NewConnectionError (refused, unreachable) is a ConnectTimeoutError in urllib3.
    timed_out = isinstance(failure, urllib3.exceptions.TimeoutError) and not isinstance(
        failure, urllib3.exceptions.NewConnectionError
    )
    if timed_out:
        return _("No answer within %(seconds)s seconds.") % {
            "seconds": settings.WEBHOOK_TIMEOUT_SECONDS
        }
    if isinstance(failure, urllib3.exceptions.SSLError):
        return _("The TLS connection failed: %(reason)s") % {"reason": failure}
    reason = getattr(failure, "reason", None) or failure
    return _("The connection failed: %(reason)s") % {"reason": reason}


# --- giving up -------------------------------------------------------------------------


def _pause_after_failure(subscription: Subscription, delivery: Delivery) -> None:
    from webhooks.services import subscription_pause

    subscription.refresh_from_db()
    if subscription.paused_at is not None:
        return  # told already
    hours = settings.WEBHOOK_RETRY_HOURS
    reason = _("Delivery %(id)s failed for %(hours)s hours.") % {
        "id": delivery.event_id,
        "hours": hours,
    }
    subscription_pause(subscription=subscription, reason=reason)
    tell_owner(subscription, delivery)


def manage_url(subscription: Subscription) -> str:
    """The subscription's page (where it is resumed), as an absolute link."""
    try:
        return site_url(reverse("webhooks:webhook_detail", args=[subscription.pk]))
    except NoReverseMatch:  # the pages are not installed: the site itself
        return settings.SITE_URL


def tell_owner(subscription: Subscription, delivery: Delivery) -> None:
    owner = subscription.owner
    if not owner.email:
        return
    with translation.override(language_of(owner.email)):
        subject = _("Webhook paused: %(url)s") % {"url": subscription.target_url}
        body = _(
            "Hello,\n\n"
            "The PIM Action Tracker could not deliver an event to your webhook\n"
            "%(url)s\n"
            "for %(hours)s hours (last answer: %(answer)s), so it has paused it: no new "
            "events are sent to it.\n\n"
            "Once the receiver works again, resume the webhook on its page:\n"
            "%(manage)s\n\n"
            "Events that happened while it was paused are not sent; read them from the "
            "API with ?updated_after= and /api/v1/deleted/."
        ) % {
            "url": subscription.target_url,
            "hours": settings.WEBHOOK_RETRY_HOURS,
            "answer": delivery.response_code or _("no answer"),
            "manage": manage_url(subscription),
        }
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [owner.email])
