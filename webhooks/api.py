"""Webhook subscriptions in the API: `/api/v1/webhooks/`.

- GET the list (yours, newest first; `updated_after` as on every list), POST one
  (201, with its `secret`: the only answer that shows it besides rotate-secret);
- GET, PUT, PATCH, DELETE `/api/v1/webhooks/{id}/` (the plan is fixed when made);
- GET `{id}/deliveries/`: the delivery log, newest first, each with its attempts;
- POST `{id}/test/`: a "ping" delivery, sent by the worker (202, the delivery);
- POST `{id}/resume/`: deliver again after a pause;
- POST `{id}/rotate-secret/`: a new secret, shown in this answer only.

Coordinators and administrators only (403 for anyone else); someone else's
subscription is a 404. A secret or token in the query string is refused (400):
addresses end up in logs. Every write goes through webhooks.services.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from actionplans.api.serializers import VisiblePlanField
from pim_tracker.api.base import ETagMixin, StrictFilterBackend, ThrottleFirstMixin
from pim_tracker.api.permissions import PERMISSIONS
from pim_tracker.api.schema import ERRORS, IF_MATCH, WRITE_ERRORS
from webhooks import selectors, services
from webhooks.choices import PING, DeliveryStatus, Event
from webhooks.models import Attempt, Delivery, Subscription

# Query parameters that would put a credential into an address (and so into logs).
SECRET_PARAMETERS = ("secret", "token")

EVENTS_SCHEMA = {
    "type": "array",
    "items": {"type": "string", "enum": Event.values},
    "minItems": 1,
    "description": "The events to send: " + ", ".join(Event.values) + ".",
}


@extend_schema_field(EVENTS_SCHEMA)
class EventsField(serializers.ListField):
    """A list of event names; unknown names are refused by the service, with its message."""

    child = serializers.CharField(max_length=100)

    def __init__(self, **kwargs) -> None:
        super().__init__(allow_empty=True, max_length=50, **kwargs)


class WebhookSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:webhook-detail")
    plan = VisiblePlanField(
        allow_null=True,
        required=False,
        help_text="The plan whose events are sent; null: every plan you may see. "
        "Fixed when the webhook is made.",
    )
    target_url = serializers.CharField(
        help_text="Where the events are posted: https (http on loopback in development)."
    )
    events = EventsField()
    description = serializers.CharField(required=False, allow_blank=True, default="")
    active = serializers.BooleanField(required=False, default=True)

    class Meta:
        model = Subscription
        fields = [
            "id", "url", "plan", "target_url", "events", "description", "active",
            "paused_at", "paused_reason", "created", "updated",
        ]  # fmt: skip
        read_only_fields = ["paused_at", "paused_reason", "created", "updated"]


class WebhookUpdateSerializer(WebhookSerializer):
    plan = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="Fixed when the webhook is made."
    )
    description = serializers.CharField(required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)


class WebhookWithSecretSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="Signs every delivery (X-PIM-Signature). Shown in this answer only: "
        "store it now.",
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attempt
        fields = ["number", "started_at", "duration_ms", "response_code", "error", "succeeded"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    event = serializers.CharField(
        read_only=True, help_text="One of the events, or " + PING + " for a test event."
    )
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, read_only=True)
    attempt_log = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id", "event", "event_id", "object_type", "object_id", "status", "attempts",
            "response_code", "occurred_at", "next_attempt_at", "finished_at", "created",
            "attempt_log",
        ]  # fmt: skip
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(responses={200: WebhookSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: WebhookSerializer, **ERRORS}),
    create=extend_schema(
        request=WebhookSerializer, responses={201: WebhookWithSecretSerializer, **ERRORS}
    ),
    update=extend_schema(
        parameters=[IF_MATCH],
        request=WebhookUpdateSerializer,
        responses={200: WebhookSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        parameters=[IF_MATCH],
        request=WebhookUpdateSerializer,
        responses={200: WebhookSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(responses={204: None, **ERRORS}),
)
class WebhookViewSet(ThrottleFirstMixin, ETagMixin, viewsets.ModelViewSet):
    """Your webhook subscriptions (an administrator's: every one)."""

    serializer_class = WebhookSerializer
    permission_classes = PERMISSIONS
    filter_backends = [StrictFilterBackend]
    lookup_value_regex = "[0-9]+"
    # The delivery log has no `updated`: a delivery's row is its creation.
    sync_fields = {"deliveries": "created"}

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        for name in SECRET_PARAMETERS:
            if name in request.query_params:
                raise exceptions.ValidationError(
                    {
                        name: [
                            _(
                                "Never put a secret or token in an address (it ends up in "
                                "logs): send the token in the Authorization header."
                            )
                        ]
                    }
                )

    def check_permissions(self, request) -> None:
        super().check_permissions(request)
        selectors.require_webhook_manager(request.user)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema's generator
            return Subscription.objects.none()
        return selectors.subscriptions_of(self.request.user)

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return WebhookUpdateSerializer
        return WebhookSerializer

    # Rules (pim_tracker.api.permissions) asks these; the services say who may.
    def can_create(self, request) -> bool:
        return True

    def can_change(self, request, obj) -> bool:
        return True

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        subscription, _secret = services.subscription_create(
            owner=request.user,
            target_url=data["target_url"],
            events=data["events"],
            plan=data.get("plan"),
            description=data.get("description", ""),
        )
        if not data.get("active", True):
            subscription = services.subscription_update(
                subscription=subscription, user=request.user, active=False
            )
        return self._with_secret(subscription, status.HTTP_201_CREATED)

    def perform_update(self, serializer) -> None:
        data = serializer.validated_data
        services.subscription_update(
            subscription=serializer.instance,
            user=self.request.user,
            target_url=data.get("target_url"),
            events=data.get("events"),
            description=data.get("description"),
            active=data.get("active"),
        )

    def perform_destroy(self, instance: Subscription) -> None:
        services.subscription_delete(subscription=instance, user=self.request.user)

    def _with_secret(self, subscription: Subscription, code: int) -> Response:
        data = WebhookWithSecretSerializer(subscription, context=self.get_serializer_context())
        response = Response(data.data, status=code)
        response["ETag"] = self.etag_for(subscription)
        return response

    def _answer(self, subscription: Subscription) -> Response:
        subscription.refresh_from_db()
        response = Response(self.get_serializer(subscription).data)
        response["ETag"] = self.etag_for(subscription)
        return response

    @extend_schema(responses={200: DeliverySerializer(many=True), **ERRORS})
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        """The delivery log, newest first (with updated_after: by creation, oldest
        first, paged by cursor), each delivery with its attempts."""
        page = self.paginate_queryset(selectors.delivery_log(self.get_object()))
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)

    @extend_schema(request=None, responses={202: DeliverySerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Send a "ping" event now (the worker sends it, even while paused): its
        delivery, to follow in the log."""
        delivery = services.send_test_event(subscription=self.get_object(), user=request.user)
        delivery = selectors.delivery_log(delivery.subscription).get(pk=delivery.pk)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: WebhookSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        """Deliver again from now on (what happened during the pause is not sent)."""
        subscription = services.subscription_resume(
            subscription=self.get_object(), user=request.user
        )
        return self._answer(subscription)

    @extend_schema(request=None, responses={200: WebhookWithSecretSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        """A new secret, in this answer only; the old one stops signing at once."""
        subscription = self.get_object()
        services.secret_rotate(subscription=subscription, user=request.user)
        subscription.refresh_from_db()
        return self._with_secret(subscription, status.HTTP_200_OK)
