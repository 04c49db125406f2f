from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = "Organizations and people"

    def ready(self) -> None:
        # A user's language applies from sign-in on (user_logged_in receiver).
        from orgs import language  # noqa: F401
