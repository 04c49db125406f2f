"""Pages in the time zone the user chose on the preferences page.

The zone is kept in the session (set at sign-in and when preferences are
saved), so pages cost no query for it.
"""

from __future__ import annotations

import zoneinfo

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

SESSION_KEY = "time_zone"


class TimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if name:
            try:
                timezone.activate(zoneinfo.ZoneInfo(name))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


def remember_time_zone(request, time_zone: str) -> None:
    """Keep the chosen zone for this session's pages (blank: the site's)."""
    if time_zone:
        request.session[SESSION_KEY] = time_zone
    else:
        request.session.pop(SESSION_KEY, None)


@receiver(user_logged_in)
def _on_sign_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    from notifications.recipients import address_of_user, preferences_for

    address = address_of_user(user)
    preference = preferences_for([address]).get(address) if address else None
    remember_time_zone(request, preference.time_zone if preference else "")
