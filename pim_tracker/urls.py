"""Project URL wiring."""

from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "PIM Action Tracker"
admin.site.site_title = "PIM Action Tracker"
admin.site.index_title = "Administration"

urlpatterns = [
    path("admin/", admin.site.urls),
    # The browser application arrives with the web-application issue; until then
    # the admin (login required) is the way in.
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
