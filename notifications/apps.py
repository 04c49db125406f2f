from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # The domain's services send signals; this app turns them into notifications.
        from notifications import middleware, receivers  # noqa: F401
