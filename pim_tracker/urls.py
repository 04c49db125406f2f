"""Project URL wiring."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

admin.site.site_header = "PIM Action Tracker"
admin.site.site_title = "PIM Action Tracker"
admin.site.index_title = "Administration"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include("pim_tracker.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("", include("actionplans.urls")),
    path("", include("orgs.urls")),
    path("", include("notifications.urls")),
    path("", RedirectView.as_view(pattern_name="actionplans:plan_list", permanent=False)),
]

handler404 = "pim_tracker.views.not_found"
