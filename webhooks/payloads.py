"""The JSON body of a delivery: the object as the API shows it to the
subscription's owner, or nothing at all (the delivery is skipped).

    {"id": "<event uuid>", "event": "action_point.updated",
     "occurred_at": "2026-11-27T22:10:00Z", "subscription": 12, "data": {...}}

`data` is what GET /api/v1/action-points/<id>/ (or /api/v1/plans/<id>/) answers
the owner: the API's serializer, fed by the same visibility rule and the same
queryset as the API's list, its links on SITE_URL. A deleted action point
carries {"id", "plan", "challenge"}, captured when it was deleted.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.utils.encoders import JSONEncoder

from actionplans.api.serializers import ActionPlanSerializer, ActionPointSerializer
from actionplans.models import ActionPlan, ActionPoint, with_focal_points, with_pim_tags
from webhooks.choices import PING, Event
from webhooks.models import Delivery

ACTION_POINT = "action_point"
PLAN = "plan"


class _SiteRequest(HttpRequest):
    """A GET on the site as its owner, its absolute links on SITE_URL (as in emails)."""

    def build_absolute_uri(self, location: str | None = None) -> str:
        return f"{settings.SITE_URL}{location or '/'}"


def owner_request(owner) -> Request:
    http = _SiteRequest()
    http.method = "GET"
    http.user = owner
    request = Request(http)
    request.user = owner
    return request


def visible_points(owner):
    """The action points the owner may see, read as the API's list reads them."""
    return (
        ActionPoint.objects.visible_to(owner)
        .with_flags(timezone.localdate())
        .with_last_update()
        .select_related("challenge__working_group", "completed_by", "verified_by")
        .prefetch_related(with_focal_points(), with_pim_tags())
    )


def visible_plans(owner):
    return ActionPlan.objects.visible_to(owner).prefetch_related("coordinators")


def _as_json(data) -> dict:
    # What the API's JSON renderer would write (dates, decimals, lazy strings).
    return json.loads(json.dumps(data, cls=JSONEncoder))


def data_for(delivery: Delivery) -> dict | None:
    """The object as the owner sees it now; None if they may not (skip it)."""
    subscription = delivery.subscription
    owner = subscription.owner
    if delivery.event == PING:
        return {}
    if delivery.object_type == PLAN:
        plan = visible_plans(owner).filter(pk=delivery.object_id).first()
        if plan is None:
            return None
        return _as_json(ActionPlanSerializer(plan, context={"request": owner_request(owner)}).data)
    point = visible_points(owner).filter(pk=delivery.object_id).first()
    if point is None:
        return None
    if subscription.plan_id is not None and point.challenge.working_group.plan_id != (
        subscription.plan_id
    ):
        return None  # moved to another plan since the event
    return _as_json(ActionPointSerializer(point, context={"request": owner_request(owner)}).data)


def body_of(delivery: Delivery, data: dict) -> dict:
    return {
        "id": str(delivery.event_id),
        "event": delivery.event,
        "occurred_at": serializers.DateTimeField().to_representation(delivery.occurred_at),
        "subscription": delivery.subscription_id,
        "data": data,
    }


def deleted_data(action_point_id: int, plan_id: int, challenge_id: int) -> dict:
    return {"id": action_point_id, "plan": plan_id, "challenge": challenge_id}


def may_still_see(delivery: Delivery) -> bool:
    """Whether the owner may see what a fixed payload is about, at a retry (or at
    the first attempt of a deletion, whose payload was fixed at the event)."""
    owner = delivery.subscription.owner
    if delivery.event == PING:
        return owner.is_active
    if delivery.event == Event.ACTION_POINT_DELETED:
        plan_id = (delivery.payload or {}).get("data", {}).get("plan")
        return ActionPlan.objects.visible_to(owner).filter(pk=plan_id).exists()
    if delivery.object_type == PLAN:
        return ActionPlan.objects.visible_to(owner).filter(pk=delivery.object_id).exists()
    return ActionPoint.objects.visible_to(owner).filter(pk=delivery.object_id).exists()


def encode(payload: dict) -> bytes:
    """The exact bytes sent: the same for every attempt of a delivery (keys sorted,
    whatever order the database kept them in)."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
