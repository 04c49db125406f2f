"""Project URL wiring."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from orgs.language_views import set_language
from pim_tracker.views import PasswordResetView

admin.site.site_header = _("PIM Action Tracker")
admin.site.site_title = _("PIM Action Tracker")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("admin/", admin.site.urls),
    # Django's, its emails rate-limited (before the include, which has the same path).
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    # The language switcher: Django's set_language, open to everyone, which also
    # saves a signed-in user's choice (django.conf.urls.i18n's URL and name).
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", include("pim_tracker.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("", include("actionplans.urls")),
    path("", include("orgs.urls")),
    path("", include("notifications.urls")),
    path("", include("webhooks.urls")),
]

handler404 = "pim_tracker.views.not_found"
