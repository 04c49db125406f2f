"""Calendar feeds: the secret addresses at which calendar applications read deadlines."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from actionplans.models import CalendarFeed
from actionplans.services.common import User, save_checked


@transaction.atomic
def calendar_feed_create(*, user: User) -> CalendarFeed:
    """The user's live feed key, made if there is none.

    One live key at a time: the page shows (and revokes) only one, so a second
    (a double click) would be a secret address nobody could revoke.
    """
    feed = CalendarFeed.objects.filter(user=user, revoked__isnull=True).first()
    if feed is None:
        feed = CalendarFeed(user=user, key=secrets.token_urlsafe(32))
        save_checked(feed, user)
    return feed


def calendar_feed_revoke(*, feed: CalendarFeed, user: User | None) -> CalendarFeed:
    """Revoke a key: every subscription made with it stops working."""
    if feed.revoked is None:
        feed.revoked = timezone.now()
        feed._history_user = user
        feed.save(update_fields=["revoked"])
    return feed
