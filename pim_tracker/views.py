"""Project-wide views: error pages (JSON under /api/, HTML elsewhere), the
sign-in lockout page and the rate-limited password reset."""

from __future__ import annotations

import hashlib
import math

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from rest_framework.throttling import SimpleRateThrottle

from pim_tracker.http import client_address
from pim_tracker.middleware import API_PREFIX


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return page_not_found(request, exception)


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """The answer to a sign-in django-axes refuses (AXES_LOCKOUT_CALLABLE), on the
    sign-in page and the admin's alike: a page saying why and for how long, 429."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60),
    }
    return render(request, "registration/locked_out.html", context, status=429)


class _PasswordResetThrottle(SimpleRateThrottle):
    """DRF's throttle (a sliding window in Django's cache, the API's own) for a
    page: the rate is read from a setting at each request, not at import."""

    setting = ""

    def get_rate(self) -> str:
        return getattr(settings, self.setting)


class PasswordResetClientThrottle(_PasswordResetThrottle):
    scope = "password_reset_client"
    setting = "PASSWORD_RESET_THROTTLE_CLIENT"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}


class PasswordResetEmailThrottle(_PasswordResetThrottle):
    scope = "password_reset_email"
    setting = "PASSWORD_RESET_THROTTLE_EMAIL"

    def __init__(self, email: str):
        super().__init__()
        # Hashed: any address makes a valid cache key, and none is kept in clear.
        self.ident = hashlib.sha256(email.strip().lower().encode()).hexdigest()

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.ident}


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, with its emails limited per email address (no one
    floods a mailbox) and per client (no one sprays addresses). The limits apply
    whether or not an account has the address, so the answer tells nothing about
    accounts; once over, the page says so (429) and no email is sent."""

    def form_valid(self, form):
        throttles = [
            PasswordResetClientThrottle(),
            PasswordResetEmailThrottle(form.cleaned_data["email"]),
        ]
        for throttle in throttles:
            if not throttle.allow_request(self.request, self):
                wait = math.ceil(throttle.wait() or 0)
                response = render(
                    self.request,
                    "registration/password_reset_throttled.html",
                    {"minutes": max(1, math.ceil(wait / 60))},
                    status=429,
                )
                response["Retry-After"] = str(wait)
                return response
        return super().form_valid(form)
