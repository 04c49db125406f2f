"""Reading notifications."""

from notifications.models import Notification


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_of(user):
    return Notification.objects.filter(user=user).select_related("plan", "action_point")
