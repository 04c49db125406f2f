"""Completed against verified, for the plan dashboard and the portfolio: how many
action points are completed, how many of those a coordinator verified, and the
list of those awaiting verification (oldest completion first) for coordinators.

Awaiting verification means completed through the tracker (completed_at is set)
and not verified: a point added or imported as completed was never completed by
anyone here, so it is counted as completed but nobody is asked to verify it.
Two queries whatever the number of points: the counts, and one page of the list.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from actionplans import permissions as perms
from actionplans.choices import ActionPointStatus
from actionplans.models import ActionPlan, ActionPoint

AWAITING_LIMIT = 20
_COMPLETED = Q(status=ActionPointStatus.COMPLETED)
_AWAITING = _COMPLETED & Q(verified_at__isnull=True, completed_at__isnull=False)


@dataclass(frozen=True)
class VerificationFigures:
    completed: int
    verified: int
    awaiting: int
    # The oldest completions awaiting verification (None: not shown to this user).
    awaiting_points: list[ActionPoint] | None = None
    awaiting_more: int = 0


def _counts(points: QuerySet[ActionPoint]) -> dict[str, int]:
    return points.order_by().aggregate(
        completed=Count("id", filter=_COMPLETED),
        verified=Count("id", filter=_COMPLETED & Q(verified_at__isnull=False)),
        awaiting=Count("id", filter=_AWAITING),
    )


def _awaiting(points: QuerySet[ActionPoint]) -> list[ActionPoint]:
    """The oldest completions awaiting verification, each with completed_by_name: the
    name of the person of the account that completed it, else the account's username."""
    listed = list(
        points.filter(_AWAITING)
        .select_related("challenge__working_group__plan", "completed_by__person")
        .order_by("completed_at", "id")[:AWAITING_LIMIT]
    )
    for point in listed:
        user = point.completed_by
        person = getattr(user, "person", None) if user else None
        point.completed_by_name = (person.name if person else "") or (
            user.get_username() if user else ""
        )
    return listed


def plan_verification(user, plan: ActionPlan) -> VerificationFigures:
    """The plan's figures; its coordinators (and administrators) also get the list."""
    points = ActionPoint.objects.of_plan(plan)
    counts = _counts(points)
    if not perms.can_edit_plan(user, plan):
        return VerificationFigures(**counts)
    listed = _awaiting(points)
    return VerificationFigures(
        **counts, awaiting_points=listed, awaiting_more=counts["awaiting"] - len(listed)
    )


def portfolio_verification(user, plans: QuerySet[ActionPlan]) -> VerificationFigures:
    """The figures of these plans; the list holds the points of the plans the user
    coordinates among them (every plan for administrators), None when none."""
    counts = _counts(ActionPoint.objects.of_plans(plans))
    coordinated = plans if perms.is_admin(user) else plans.coordinated_by(user)
    if not perms.is_admin(user) and not coordinated.exists():
        return VerificationFigures(**counts)
    mine = ActionPoint.objects.of_plans(coordinated)
    awaiting = mine.filter(_AWAITING).count() if coordinated is not plans else counts["awaiting"]
    listed = _awaiting(mine)
    return VerificationFigures(
        **counts, awaiting_points=listed, awaiting_more=awaiting - len(listed)
    )
