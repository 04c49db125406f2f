from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionplansConfig(AppConfig):
    name = "actionplans"
    verbose_name = _("Action plans")

    def ready(self) -> None:
        # People and organizations shown on action points (orgs' signals).
        from actionplans import receivers  # noqa: F401
