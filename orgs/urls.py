"""People and organizations pages."""

from django.urls import path

from orgs import views

app_name = "orgs"

urlpatterns = [
    path("people/", views.person_list, name="person_list"),
    path("people/add/", views.person_add, name="person_add"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/add/", views.organization_add, name="organization_add"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("account/tokens/", views.apitoken_list, name="apitoken_list"),
    path("account/tokens/<int:pk>/revoke/", views.apitoken_revoke, name="apitoken_revoke"),
]
