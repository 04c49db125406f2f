"""What was deleted since a moment: the plans, working groups, challenges, action
points and people a partner system must remove from its copy (`/api/v1/deleted/`).

Read from the history tables (django-simple-history writes a record of type "-"
for every deleted row, those of a cascade included), in one query: a UNION ALL of
the five kinds, each branch reading its table's history_date index from the later
of `since` and the page's cursor, ordered by (deleted, type, id) and limited.

- A row deleted and then created again with the same id (a fixture loaded again,
  a deleted record restored from its history) is not listed while it exists.
  Deleted, restored and deleted again, it is listed at each deletion: deleting
  twice is harmless to a copy.
- Who sees a deletion: whoever could see the object (actionplans.permissions:
  plan_seen, deleted_people_seen). A group, challenge or action point is judged
  by its plan, found through its parents: the living row if there is one, else
  any history record of it (a group never changes plan, nor a challenge group).
- A person deleted by a merge names the person kept (`replaced_by`), read from
  the reason the merge records (services.merge).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from actionplans import permissions as perms
from actionplans.models import ActionPlan, ActionPoint, Challenge, WorkingGroup
from actionplans.querysets import is_admin
from orgs.models import Person

if TYPE_CHECKING:  # the API's cursor position (stamp, id, kind); nothing else of the API
    from pim_tracker.api.sync import Position

PLAN = "plan"
WORKING_GROUP = "working_group"
CHALLENGE = "challenge"
ACTION_POINT = "action_point"
PERSON = "person"
KINDS = (ACTION_POINT, CHALLENGE, PERSON, PLAN, WORKING_GROUP)  # their order in a page

# services.merge's change reason; cut to 100 characters when the name is long, so
# only a reason shorter than that is read (a cut one could end in part of an id).
_MERGED = re.compile(r"Merged person (?P<merged>\d+) \(.*\) into (?P<kept>\d+)", re.DOTALL)
_REASON_LENGTH = 100


@dataclass(frozen=True)
class Deletion:
    type: str
    id: int
    deleted: datetime.datetime
    replaced_by: int | None = None


def _parent(model, ref: str, field: str) -> Coalesce:
    """The `field` of the `model` row whose id is in `ref` (of the outer query): from
    the living row, else from any of its history records."""
    live = model.objects.filter(pk=OuterRef(ref)).order_by().values(field)[:1]
    past = model.history.model.objects.filter(id=OuterRef(ref)).order_by().values(field)[:1]
    return Coalesce(Subquery(live), Subquery(past))


def _after(kind: str, since: datetime.datetime, after: Position | None) -> Q:
    """The branch's rows past the cursor, in the order (deleted, type, id): the
    history_date range first (the index), then the rows of the same instant."""
    if after is None:
        return Q(history_date__gte=since)
    start = Q(history_date__gte=max(since, after.stamp))
    if kind < after.kind:
        return start & Q(history_date__gt=after.stamp)
    if kind == after.kind:
        return start & (Q(history_date__gt=after.stamp) | Q(id__gt=after.id))
    return start


def _branch(
    model,
    kind: str,
    since: datetime.datetime,
    after: Position | None,
    seen: Q | None,
    parents: dict | None = None,
) -> QuerySet:
    rows = (
        model.history.model.objects.order_by()
        .filter(_after(kind, since, after), history_type="-")
        .filter(~Exists(model.objects.filter(pk=OuterRef("id"))))
    )
    if seen is not None:
        rows = rows.alias(**(parents or {})).filter(seen)
    reason = F("history_change_reason") if model is Person else Value(None, CharField())
    return rows.annotate(
        kind=Value(kind, CharField()),
        object_id=F("id"),
        deleted=F("history_date"),
        reason=reason,
    ).values_list("kind", "object_id", "deleted", "reason")


def _replaced_by(kind: str, object_id: int, reason: str | None) -> int | None:
    if kind != PERSON or not reason or len(reason) >= _REASON_LENGTH:
        return None
    match = _MERGED.fullmatch(reason)
    if match is None or int(match["merged"]) != object_id:
        return None
    return int(match["kept"])


def deleted_since(
    user, *, since: datetime.datetime, after: Position | None = None, limit: int
) -> list[Deletion]:
    """Up to `limit` deletions the user may learn of, at or after `since` and past
    `after`, in the order (deleted, type, id). One query (and, for those who may
    add people, can_manage_people's)."""
    if not user.is_authenticated or not user.is_active:
        return []
    # A deleted plan is judged by its history alone (it is not among the living).
    deleted_plans = None if is_admin(user) else Q(id__in=perms.deleted_plans_seen_by(user, since))
    group_plan = {"plan_ref": _parent(WorkingGroup, "working_group_id", "plan_id")}
    point_plan = {
        "group_ref": _parent(Challenge, "challenge_id", "working_group_id"),
        "plan_ref": _parent(WorkingGroup, "group_ref", "plan_id"),
    }
    branches = [
        _branch(ActionPlan, PLAN, since, after, deleted_plans),
        _branch(WorkingGroup, WORKING_GROUP, since, after, perms.plan_seen(user, "plan_id", since)),
        _branch(
            Challenge, CHALLENGE, since, after, perms.plan_seen(user, "plan_ref", since), group_plan
        ),
        _branch(
            ActionPoint,
            ACTION_POINT,
            since,
            after,
            perms.plan_seen(user, "plan_ref", since),
            point_plan,
        ),
        _branch(Person, PERSON, since, after, perms.deleted_people_seen(user)),
    ]
    rows = branches[0].union(*branches[1:], all=True).order_by("deleted", "kind", "object_id")
    return [
        Deletion(kind, object_id, deleted, _replaced_by(kind, object_id, reason))
        for kind, object_id, deleted, reason in rows[:limit]
    ]
