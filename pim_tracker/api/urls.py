"""The one router of /api/v1/: both apps' endpoints."""

from rest_framework.routers import DefaultRouter

from actionplans.api.views import (
    ActionPlanViewSet,
    ActionPointViewSet,
    ChallengeViewSet,
    WorkingGroupViewSet,
)
from orgs.api.views import OrganizationViewSet, PersonViewSet

app_name = "api"

router = DefaultRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("people", PersonViewSet, basename="person")
router.register("plans", ActionPlanViewSet, basename="actionplan")
router.register("working-groups", WorkingGroupViewSet, basename="workinggroup")
router.register("challenges", ChallengeViewSet, basename="challenge")
router.register("action-points", ActionPointViewSet, basename="actionpoint")

urlpatterns = router.urls
