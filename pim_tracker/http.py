"""Small helpers every page shares."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.utils.http import url_has_allowed_host_and_scheme
from rest_framework.throttling import BaseThrottle


def posted(request: HttpRequest) -> QueryDict | None:
    """The POST data to bind a form to, or None on GET.

    Not `request.POST or None`: an empty POST (no box ticked, no field sent) must
    still bind the form, so that it shows its errors instead of a blank form.
    """
    return request.POST if request.method == "POST" else None


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` address the request names, if it stays on this site; else `default`."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def base_url(request: HttpRequest) -> str:
    """This site's address as the request reached it, without a trailing slash."""
    return request.build_absolute_uri("/").rstrip("/")


def site_url(path: str) -> str:
    """An absolute link for a message read outside the site (an email): SITE_URL
    and the path. Requests build theirs from the request (base_url)."""
    return f"{settings.SITE_URL}{path}"


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address, as the API's throttles, the sign-in lockout
    (django-axes) and the password reset limits all see it.

    DRF's rule (REST_FRAMEWORK["NUM_PROXIES"], which is NUM_PROXIES): REMOTE_ADDR
    when no proxy is trusted, whatever X-Forwarded-For says; behind N proxies, the
    address the outermost of them appended. Anything that is not an IP address
    (a proxy counted wrong) falls back to REMOTE_ADDR: axes stores the address in
    an IP address column.
    """
    ident = BaseThrottle().get_ident(request)
    try:
        return str(ipaddress.ip_address(ident))
    except ValueError:
        return request.META.get("REMOTE_ADDR")
