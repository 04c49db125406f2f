"""Signed links in emails: one-click updates and one-click unsubscribes.

Both are signed with the site's SECRET_KEY (django.core.signing), each with its
own salt, so neither can be forged, altered, or used as the other. A one-click
update link names one person and one action point, expires after
ONE_CLICK_DAYS, and is spent by its first update (OneClickUse records its
nonce). An unsubscribe link names one address and the kinds it mutes; it does
not expire (RFC 8058 mail clients use it long after the message arrived).
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from pim_tracker.http import site_url

ONE_CLICK_SALT = "notifications.one-click"
UNSUBSCRIBE_SALT = "notifications.unsubscribe"


@dataclass(frozen=True)
class OneClick:
    person_id: int
    action_point_id: int
    nonce: str
    issued: datetime.datetime | None = None


def one_click_token(person_id: int, action_point_id: int, nonce: str | None = None) -> str:
    payload = {"p": person_id, "a": action_point_id, "n": nonce or secrets.token_hex(8)}
    return signing.dumps(payload, salt=ONE_CLICK_SALT, compress=True)


class LinkExpired(Exception):
    """A genuine link past its validity: the page says so (410) rather than 404."""


def read_one_click(token: str) -> OneClick:
    """The link's person and action point; BadSignature when forged or altered,
    LinkExpired when genuine but too old."""
    max_age = datetime.timedelta(days=settings.ONE_CLICK_DAYS)
    try:
        payload = signing.loads(token, salt=ONE_CLICK_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkExpired from None
    try:
        return OneClick(int(payload["p"]), int(payload["a"]), str(payload["n"]))
    except (KeyError, TypeError, ValueError):
        raise signing.BadSignature("Malformed one-click link.") from None


def one_click_url(token: str, action: str = "") -> str:
    path = reverse("notifications:one_click", args=[token])
    return site_url(f"{path}?do={action}" if action else path)


def unsubscribe_token(address: str, kinds: list[str]) -> str:
    return signing.dumps(
        {"e": address, "k": sorted(set(kinds))}, salt=UNSUBSCRIBE_SALT, compress=True
    )


def read_unsubscribe(token: str) -> tuple[str, list[str]]:
    """The address and kinds; BadSignature when forged or altered."""
    payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    try:
        return str(payload["e"]), [str(kind) for kind in payload["k"]]
    except (KeyError, TypeError):
        raise signing.BadSignature("Malformed unsubscribe link.") from None


def unsubscribe_url(address: str, kinds: list[str]) -> str:
    return site_url(reverse("notifications:unsubscribe", args=[unsubscribe_token(address, kinds)]))
