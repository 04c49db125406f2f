"""Where a webhook may be sent: a public https address, checked when the
subscription is saved and again at each attempt.

The check resolves the host name and refuses any address inside a private
network (loopback, link-local, private, reserved, multicast, unspecified, or
otherwise not global): the server must not be used to reach what only it can
reach (SSRF). The request then connects to the very address that was checked
(`Target.address`), so a name that resolves differently a moment later (DNS
rebinding) cannot redirect it; the Host header and the TLS certificate check
still use the name.

WEBHOOK_ALLOW_PRIVATE_TARGETS (on with DEBUG and in the tests) lifts the address
rule, and allows plain http to a loopback address, for a receiver on the
developer's machine.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_LENGTH = 500  # Subscription.target_url

# Query keys that carry credentials: the signature header is the one way to
# authenticate a delivery, and a URL ends up in logs.
SECRET_KEYS = frozenset(
    {
        "access_token",
        "api_key",
        "apikey",
        "auth",
        "client_secret",
        "key",
        "password",
        "passwd",
        "pwd",
        "secret",
        "sig",
        "signature",
        "token",
    }
)


@dataclass(frozen=True)
class Target:
    """A checked target: what to connect to and what to say to it."""

    scheme: str
    host: str  # the name as written (Host header, TLS server name)
    port: int
    address: str  # the checked IP address to connect to
    path: str  # path and query string


def _refuse(message: str) -> ValidationError:
    return ValidationError({"target_url": message})


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not (
        address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
        or not address.is_global
    )


def _parse(url: object):
    if not isinstance(url, str) or not url.strip():
        raise _refuse(_("Enter the address to send the events to."))
    url = url.strip()
    if len(url) > MAX_LENGTH:
        raise _refuse(
            _("The address is %(length)s characters long; the most is %(most)s.")
            % {"length": len(url), "most": MAX_LENGTH}
        )
    if any(ord(character) < 33 or ord(character) == 127 for character in url):
        raise _refuse(_("The address may not contain spaces or control characters."))
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise _refuse(_("Use an https:// address."))
    if "@" in parts.netloc:
        raise _refuse(
            _(
                "Do not put a user name or password in the address: each delivery is "
                "signed with the subscription's secret instead."
            )
        )
    if not parts.hostname:
        raise _refuse(_("The address has no host name."))
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise _refuse(_("The port must be a number from 1 to 65535.")) from None
    for key, _value in parse_qsl(parts.query, keep_blank_values=True):
        if key.strip().lower().replace("-", "_") in SECRET_KEYS:
            raise _refuse(
                _(
                    'Put secrets in the signature header, not in the address ("%(key)s"): '
                    "check X-PIM-Signature with the subscription's secret."
                )
                % {"key": key}
            )
    return url, parts, scheme, port


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise _refuse(_('The host name "%(host)s" does not resolve.') % {"host": host}) from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise _refuse(_('The host name "%(host)s" does not resolve.') % {"host": host})
    return addresses


def resolve_target(url: object) -> Target:
    """The target, checked now: ValidationError {"target_url": message} if refused."""
    url, parts, scheme, port = _parse(url)
    host = parts.hostname
    if not host.isascii():  # an internationalised name: its ASCII form, for DNS and Host
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise _refuse(
                _('The host name "%(host)s" does not resolve.') % {"host": parts.hostname}
            ) from None
    allow_private = settings.WEBHOOK_ALLOW_PRIVATE_TARGETS
    addresses = _resolve(host, port)
    # Every address the name has must pass: the connection uses the first.
    ips = [ipaddress.ip_address(address.split("%", 1)[0]) for address in addresses]
    if not allow_private:
        for ip in ips:
            if not _is_public(ip):
                raise _refuse(
                    _(
                        "%(host)s is a private or reserved address (%(address)s): "
                        "webhooks go to public addresses only."
                    )
                    % {"host": host, "address": ip}
                )
    if scheme != "https" and not (allow_private and all(ip.is_loopback for ip in ips)):
        raise _refuse(_("Use an https:// address."))
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=scheme, host=host, port=port, address=addresses[0], path=path)


def check_target_url(url: object) -> str:
    """The address to store (stripped), or ValidationError {"target_url": message}."""
    resolve_target(url)
    return url.strip()
