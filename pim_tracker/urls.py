"""Project URL wiring."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "PIM Action Tracker"
admin.site.site_title = "PIM Action Tracker"
admin.site.index_title = "Administration"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("actionplans.urls")),
    path("", include("orgs.urls")),
    path("", RedirectView.as_view(pattern_name="actionplans:plan_list", permanent=False)),
]
