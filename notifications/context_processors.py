"""The unread count in the navigation."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def unread(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        from notifications.selectors import unread_count

        return unread_count(user)

    # Lazily evaluated: one query, only on pages that show the navigation.
    return {"nav_unread_notifications": SimpleLazyObject(count)}
