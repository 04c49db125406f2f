"""Who completed an action point and what they said was done: read by the
verification rule (permissions.can_verify), its services, the action point's
page and the notifications.

The point keeps completed_by and completed_at; what was done (the note and the
evidence link) is on the progress update that completed it, the latest update
that moved it into completed. A person without an account who completed it from
a one-click link is that update's reported_by (completed_by is then None).
"""

from __future__ import annotations

from actionplans.choices import ActionPointStatus
from actionplans.models import ActionPoint, ProgressUpdate
from orgs.models import Person


def completing_update(action_point: ActionPoint) -> ProgressUpdate | None:
    """The progress update that completed the point (None when it is not completed,
    or was created or imported completed: nobody completed it here)."""
    if action_point.status != ActionPointStatus.COMPLETED:
        return None
    return (
        ProgressUpdate.objects.filter(action_point=action_point, status=ActionPointStatus.COMPLETED)
        .exclude(previous_status=ActionPointStatus.COMPLETED)
        .select_related("author", "reported_by")
        .order_by("-created", "-id")
        .first()
    )


def completed_it(user, action_point: ActionPoint, update: ProgressUpdate | None = None) -> bool:
    """Whether the user is who completed the point: its completed_by, or, when a
    person without an account completed it from a one-click link, the account
    linked to that person since. `update` is completing_update's answer when the
    caller has it already."""
    if not user.is_authenticated or action_point.status != ActionPointStatus.COMPLETED:
        return False
    if action_point.completed_by_id is not None:
        return action_point.completed_by_id == user.pk
    if update is None:
        update = completing_update(action_point)
    if update is None or update.reported_by_id is None:
        return False
    return Person.objects.filter(pk=update.reported_by_id, user_id=user.pk).exists()
