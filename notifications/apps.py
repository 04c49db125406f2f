from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # The domain's services send signals; this app turns them into notifications.
        from notifications import middleware, receivers  # noqa: F401
