from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = _("Organizations and people")

    def ready(self) -> None:
        # A user's language applies from sign-in on (user_logged_in receiver).
        from orgs import language  # noqa: F401
