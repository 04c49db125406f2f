"""The one router of /api/v1/: both apps' endpoints."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from actionplans.api.comments import CommentViewSet, WatchView
from actionplans.api.deleted import DeletedView
from actionplans.api.views import (
    ActionPlanViewSet,
    ActionPointViewSet,
    ChallengeViewSet,
    WorkingGroupViewSet,
)
from orgs.api.views import OrganizationViewSet, PersonViewSet
from webhooks.api import WebhookViewSet

app_name = "api"

router = DefaultRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("people", PersonViewSet, basename="person")
router.register("plans", ActionPlanViewSet, basename="actionplan")
router.register("working-groups", WorkingGroupViewSet, basename="workinggroup")
router.register("challenges", ChallengeViewSet, basename="challenge")
router.register("action-points", ActionPointViewSet, basename="actionpoint")
router.register(
    r"action-points/(?P<action_point_pk>[0-9]+)/comments", CommentViewSet, basename="comment"
)
router.register("webhooks", WebhookViewSet, basename="webhook")

urlpatterns = [
    *router.urls,
    path(
        "action-points/<int:action_point_pk>/watch/", WatchView.as_view(), name="actionpoint-watch"
    ),
    path("deleted/", DeletedView.as_view(), name="deleted"),
]
