"""Read queries reused by services, views and the API."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from actionplans.models import ActionPlan, ActionPoint
from orgs.models import Person


def plan_people(*, plan: ActionPlan) -> QuerySet[Person]:
    """Everyone named in the plan: team leaders, team members and focal points."""
    return Person.objects.filter(
        Q(led_groups__plan=plan)
        | Q(working_groups__plan=plan)
        | Q(focal_points__action_point__challenge__working_group__plan=plan)
    ).distinct()


def plan_action_points(*, plan: ActionPlan) -> QuerySet[ActionPoint]:
    """The plan's action points in the order the workshop wrote them."""
    return (
        ActionPoint.objects.filter(challenge__working_group__plan=plan)
        .select_related("challenge__working_group")
        .order_by("challenge__working_group__number", "challenge__number", "position")
    )
