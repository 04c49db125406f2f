"""Endpoints of the plans API: the same rules (permissions.py), filters
(filtersets.py), figures (dashboards.py) and writes (services/) as the pages.
"""

from __future__ import annotations

import operator
import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from actionplans import dashboards, services
from actionplans import permissions as perms
from actionplans.api.serializers import (
    FOCAL_POINT_COLUMNS,
    ActionPlanSerializer,
    ActionPointSerializer,
    ChallengeSerializer,
    DeadlineChangeSerializer,
    ExtensionDecisionSerializer,
    ExtensionRequestCreateSerializer,
    ExtensionRequestSerializer,
    PlanSummarySerializer,
    ProgressUpdateSerializer,
    RescheduleSerializer,
    SendBackSerializer,
    WorkingGroupSerializer,
)
from actionplans.choices import FocalPointRole
from actionplans.exports.responses import (
    XLSX,
    all_points_filename,
    export_response,
    points_csv_response,
)
from actionplans.filtersets import (
    ActionPlanFilterSet,
    ActionPointFilterSet,
    ChallengeFilterSet,
    WorkingGroupFilterSet,
)
from actionplans.models import (
    ActionPlan,
    ActionPoint,
    Challenge,
    ExtensionRequest,
    WorkingGroup,
    with_focal_points,
    with_pim_tags,
)
from actionplans.selectors import team_members_in_order
from pim_tracker.api.base import ETagMixin, StrictFilterBackend, ThrottleFirstMixin
from pim_tracker.api.permissions import PERMISSIONS
from pim_tracker.api.schema import ERRORS, IF_MATCH, WRITE_ERRORS, FileRenderer, api_schema
from pim_tracker.http import base_url


class PlanScopedViewSet(ThrottleFirstMixin, ETagMixin, viewsets.ModelViewSet):
    """Base of the plan-structure endpoints: writes need the plan's coordinator."""

    permission_classes = PERMISSIONS
    filter_backends = [StrictFilterBackend]
    plan_path = "plan"  # where the object's plan is, e.g. "challenge.working_group.plan"

    def plan_of(self, obj) -> ActionPlan:
        return operator.attrgetter(self.plan_path)(obj)

    def can_create(self, request) -> bool:
        # The target plan is known only once the body is read: see require_edit().
        return True

    def can_change(self, request, obj) -> bool:
        return perms.can_edit_plan(request.user, self.plan_of(obj))

    def require_edit(self, plan: ActionPlan) -> None:
        perms.require_plan_edit(self.request.user, plan)


@api_schema(ActionPlanSerializer)
class ActionPlanViewSet(ThrottleFirstMixin, ETagMixin, viewsets.ModelViewSet):
    """Action plans you may see; coordinators and administrators change them."""

    serializer_class = ActionPlanSerializer
    filterset_class = ActionPlanFilterSet
    permission_classes = PERMISSIONS
    filter_backends = [StrictFilterBackend]

    def get_queryset(self):
        plans = ActionPlan.objects.visible_to(self.request.user).order_by("title", "id")
        # The summary shows figures, not the plan's fields: no coordinators to read.
        return plans if self.action == "summary" else plans.prefetch_related("coordinators")

    def can_create(self, request) -> bool:
        return perms.can_create_plan(request.user)

    def can_change(self, request, obj) -> bool:
        return perms.can_edit_plan(request.user, obj)

    def perform_create(self, serializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.plan_create(
            title=data["title"],
            country=data.get("country", ""),
            origin=data.get("origin", ""),
            status=data["status"],
            visibility=data["visibility"],
            coordinators={self.request.user, *data.get("coordinators", [])},
            created_by=self.request.user,
        )

    def perform_update(self, serializer) -> None:
        data = dict(serializer.validated_data)
        coordinators = data.pop("coordinators", None)
        services.plan_update(
            plan=serializer.instance, user=self.request.user, coordinators=coordinators, **data
        )

    def perform_destroy(self, instance: ActionPlan) -> None:
        services.plan_delete(plan=instance, user=self.request.user)

    def _state_change(self, change) -> Response:
        plan = self.get_object()
        change(plan=plan, user=self.request.user)
        response = Response(self.get_serializer(plan).data)
        response["ETag"] = self.etag_for(plan)
        return response

    @extend_schema(request=None, responses={200: ActionPlanSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the plan: it stays readable, and nothing in it changes until reopened.
        A closed plan answers 400 (as does a PATCH of its status to "closed")."""
        return self._state_change(services.plan_close)

    @extend_schema(request=None, responses={200: ActionPlanSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Reopen a closed plan as active (a plan that is not closed answers 400)."""
        return self._state_change(services.plan_reopen)

    @extend_schema(responses={200: PlanSummarySerializer, **ERRORS})
    @action(detail=True, methods=["get"])
    def summary(self, request, pk=None):
        """The dashboard's headline figures and per-group figures, computed now."""
        plan = self.get_object()
        today = timezone.localdate()
        rows = dashboards.plan_rows(plan, today, people=False)
        data = {
            "plan": plan,
            "today": today,
            "headline": dashboards.headline(rows),
            "groups": dashboards.group_rows(rows),
        }
        return Response(PlanSummarySerializer(data).data)

    def _export(self, request, kind: str):
        plan = self.get_object()
        return export_response(plan, kind, base_url(request))

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR, **ERRORS})
    @action(
        detail=True,
        methods=["get"],
        url_path="export/csv",
        renderer_classes=[JSONRenderer, FileRenderer],
    )
    def export_csv(self, request, pk=None):
        """The plan as CSV in the flat layout (one row per action point), streamed."""
        return self._export(request, "csv")

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR, **ERRORS})
    @action(
        detail=True,
        methods=["get"],
        url_path="export/hxl",
        renderer_classes=[JSONRenderer, FileRenderer],
    )
    def export_hxl(self, request, pk=None):
        """The flat CSV with a row of HXL hashtags under the headers."""
        return self._export(request, "hxl")

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY, **ERRORS})
    @action(
        detail=True,
        methods=["get"],
        url_path="export/xlsx",
        renderer_classes=[JSONRenderer, FileRenderer],
    )
    def export_xlsx(self, request, pk=None):
        """The plan as an Excel workbook: the workshop's layout, plus a flat sheet."""
        return self._export(request, "xlsx")


@api_schema(WorkingGroupSerializer)
class WorkingGroupViewSet(PlanScopedViewSet):
    """Working groups of the plans you may see (filter: plan)."""

    serializer_class = WorkingGroupSerializer
    filterset_class = WorkingGroupFilterSet

    def get_queryset(self):
        return (
            WorkingGroup.objects.filter(plan__in=ActionPlan.objects.visible_to(self.request.user))
            .select_related("plan")
            .order_by("plan_id", "number")
        )

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        context["team_members"] = getattr(self, "_team_members", {})
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        # Members in the order written, for the whole page in one query.
        self._team_members = team_members_in_order([group.pk for group in page or []])
        return page

    def perform_create(self, serializer) -> None:
        data = serializer.validated_data
        self.require_edit(data["plan"])
        serializer.instance = services.working_group_create(
            plan=data["plan"],
            name=data["name"],
            number=data.get("number"),
            team_leader=data.get("team_leader"),
            team_members=data.get("team_member_ids", []),
            created_by=self.request.user,
        )

    def perform_update(self, serializer) -> None:
        group: WorkingGroup = serializer.instance
        data = serializer.validated_data
        if data.get("plan", group.plan) != group.plan:
            raise ValidationError({"plan": [_("A working group cannot move to another plan.")]})
        services.working_group_update(
            group=group,
            user=self.request.user,
            name=data.get("name", group.name),
            number=data.get("number", group.number),
            team_leader=data.get("team_leader", group.team_leader),
            team_members=data.get("team_member_ids", team_members_in_order([group.pk])[group.pk]),
        )


@api_schema(ChallengeSerializer)
class ChallengeViewSet(PlanScopedViewSet):
    """Challenges of the plans you may see (filters: plan, working_group)."""

    serializer_class = ChallengeSerializer
    filterset_class = ChallengeFilterSet
    plan_path = "working_group.plan"

    def get_queryset(self):
        return (
            Challenge.objects.filter(
                working_group__plan__in=ActionPlan.objects.visible_to(self.request.user)
            )
            .select_related("working_group__plan")
            .order_by("working_group__plan_id", "working_group__number", "number")
        )

    def perform_create(self, serializer) -> None:
        data = serializer.validated_data
        self.require_edit(data["working_group"].plan)
        serializer.instance = services.challenge_create(
            working_group=data["working_group"],
            description=data["description"],
            number=data.get("number"),
            created_by=self.request.user,
        )

    def perform_update(self, serializer) -> None:
        challenge: Challenge = serializer.instance
        data = serializer.validated_data
        if data.get("working_group", challenge.working_group) != challenge.working_group:
            raise ValidationError(
                {"working_group": [_("A challenge cannot move to another group.")]}
            )
        services.challenge_update(
            challenge=challenge,
            user=self.request.user,
            description=data.get("description", challenge.description),
            number=data.get("number", challenge.number),
        )


_VERSION = re.compile(r'^(?:W/)?"actionpoint-(\d+)-(\d+)"$')


def _expected_version(request, point: ActionPoint) -> int | None:
    """The version named by If-Match, so the service re-checks it under a row lock."""
    match = _VERSION.match(request.headers.get("If-Match", "").strip())
    if match and int(match.group(1)) == point.pk:
        return int(match.group(2))
    return None


@api_schema(ActionPointSerializer)
class ActionPointViewSet(PlanScopedViewSet):
    """Action points of the plans you may see, with the plan page's filters.

    Status and progress change through `updates/`, the deadline of an existing
    action point through `reschedule/` (or a write of `deadline` with a
    `deadline_reason`): each is a recorded event.
    """

    serializer_class = ActionPointSerializer
    filterset_class = ActionPointFilterSet
    filtered_actions = ("export_csv",)  # besides the list
    plan_path = "challenge.working_group.plan"
    # Progress updates never change: a sync of `updates/` (?updated_after=) reads them
    # by when they were made (pim_tracker.api.sync).
    sync_fields = {"updates": "created"}

    # Events recorded on one action point, answered with the event, not the point: the
    # point is read plainly, with its plan for the permission check (the service
    # re-reads it under a lock), not with the list's flags, latest update and tags.
    event_actions = ("updates", "reschedule")

    def get_queryset(self):
        if self.action in self.event_actions:
            return ActionPoint.objects.visible_to(self.request.user).select_related(
                "challenge__working_group__plan"
            )
        return (
            ActionPoint.objects.visible_to(self.request.user)
            .with_flags(timezone.localdate())
            .with_last_update()
            .select_related("challenge__working_group", "completed_by", "verified_by")
            .prefetch_related(with_focal_points(*FOCAL_POINT_COLUMNS), with_pim_tags())
            .in_workshop_order()
        )

    def _reread(self, point: ActionPoint) -> ActionPoint:
        """The written action point as a list shows it (with its flags for today)."""
        return self.get_queryset().get(pk=point.pk)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        # ?ordering= replaces the whole order: the id breaks ties, so that pages
        # of equal statuses or dates neither overlap nor skip an action point.
        order = queryset.query.order_by
        if order and order[-1] not in ("id", "pk"):
            queryset = queryset.order_by(*order, "id")
        return queryset

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR, **ERRORS}, filters=True)
    @action(
        detail=False,
        methods=["get"],
        url_path="export/csv",
        renderer_classes=[JSONRenderer, FileRenderer],
    )
    def export_csv(self, request):
        """Every action point you may see, with the list's filters, as the flat CSV
        (one row per action point, plan by plan in workshop order), streamed."""
        points = self.filter_queryset(self.get_queryset())
        return points_csv_response(points, all_points_filename())

    def can_change(self, request, obj: ActionPoint) -> bool:
        if self.action in ("updates", "extension_requests"):
            return perms.can_update_action_point(request.user, obj)
        if self.action in ("verify", "send_back"):
            # The role's 403 with its message; the completer's refusal is the service's 400.
            perms.require_verifier(request.user, obj)
            return True
        return super().can_change(request, obj)

    @extend_schema(
        parameters=[IF_MATCH],
        request=None,
        responses={200: ActionPointSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def verify(self, request, pk=None):
        """Verify a completed action point (the plan's coordinators and administrators,
        not whoever completed it): sets `verified_by` and `verified_at`.

        400 when it is not completed, is verified already, or you completed it.
        Send If-Match with the action point's ETag to refuse it when someone
        changed the point meanwhile (412).
        """
        point = self.get_object()
        if self._if_match_failed(request, point):
            return self._precondition_failed()
        services.action_point_verify(
            action_point=point,
            user=request.user,
            expected_version=_expected_version(request, point),
        )
        point = self._reread(point)
        response = Response(ActionPointSerializer(point, context={"request": request}).data)
        response["ETag"] = self.etag_for(point)
        return response

    @extend_schema(
        parameters=[IF_MATCH],
        request=SendBackSerializer,
        responses={200: ActionPointSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="send-back", filterset_class=None)
    def send_back(self, request, pk=None):
        """Send a completed action point (verified or not) back to in progress, with a
        reason (the plan's coordinators and administrators, not whoever completed it).

        Recorded as a progress update whose note is the reason; the progress goes
        back to what it was before the completion (90 when unknown); the
        completion and verification are cleared.
        """
        point = self.get_object()
        if self._if_match_failed(request, point):
            return self._precondition_failed()
        serializer = SendBackSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.action_point_send_back(
            action_point=point,
            user=request.user,
            reason=serializer.validated_data["reason"],
            expected_version=_expected_version(request, point),
        )
        point = self._reread(point)
        response = Response(ActionPointSerializer(point, context={"request": request}).data)
        response["ETag"] = self.etag_for(point)
        return response

    @staticmethod
    def _assignments(items: list[dict]) -> list[services.FocalPointAssignment]:
        return [
            services.FocalPointAssignment(
                person=item["person"],
                role=item.get("role", FocalPointRole.LEAD),  # a PATCH skips the default
                note=item.get("note", ""),
            )
            for item in items
        ]

    @staticmethod
    def _classification(data: dict) -> dict:
        """The arguments of services.action_point_classify: what the request sent
        (None leaves a part as it is)."""
        names = ("pim_categories", "pim_principles", "pim_process_step", "priority")
        return {name: data.get(name) for name in names}

    def perform_create(self, serializer) -> None:
        data = serializer.validated_data
        challenge = data["challenge"]
        self.require_edit(challenge.working_group.plan)
        with transaction.atomic():  # the action point and its tags, all or nothing
            point = services.action_point_create(
                challenge=challenge,
                description=data["description"],
                deadline=data.get("deadline", ""),
                position=data.get("position"),
                focal_points=self._assignments(data.get("focal_point_list", [])),
                created_by=self.request.user,
            )
            services.action_point_classify(
                action_point=point, user=self.request.user, **self._classification(data)
            )
        serializer.instance = self._reread(point)

    def perform_update(self, serializer) -> None:
        point: ActionPoint = serializer.instance
        data = serializer.validated_data
        focal_points = data.get("focal_point_list")
        with transaction.atomic():  # the edit and the tags, all or nothing
            services.action_point_edit(
                action_point=point,
                user=self.request.user,
                description=data.get("description"),
                position=data.get("position"),
                challenge=data.get("challenge"),
                # The serializer fills in "" for a deadline the request did not send.
                deadline=data["deadline"] if "deadline" in self.request.data else None,
                deadline_reason=data.get("deadline_reason", ""),
                focal_points=None if focal_points is None else self._assignments(focal_points),
                expected_version=_expected_version(self.request, point),
            )
            # The row is locked and its version checked by the edit above.
            services.action_point_classify(
                action_point=point, user=self.request.user, **self._classification(data)
            )
        serializer.instance = self._reread(point)

    @extend_schema(methods=["GET"], responses={200: ProgressUpdateSerializer(many=True), **ERRORS})
    @extend_schema(
        methods=["POST"],
        parameters=[IF_MATCH],
        request=ProgressUpdateSerializer,
        responses={201: ProgressUpdateSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["get", "post"], filterset_class=None)
    def updates(self, request, pk=None):
        """Progress updates, newest first; POST one (status, progress, note, evidence_url).

        Completing sets progress to 100. Send If-Match with the action point's
        ETag to refuse the update when someone changed it meanwhile (412).
        """
        point = self.get_object()
        if request.method == "GET":
            updates = point.progress_updates.select_related("author").order_by("-created", "-id")
            page = self.paginate_queryset(updates)
            return self.get_paginated_response(ProgressUpdateSerializer(page, many=True).data)
        if self._if_match_failed(request, point):
            return self._precondition_failed()
        serializer = ProgressUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        update = services.progress_update_create(
            action_point=point,
            author=request.user,
            status=data.get("status"),
            progress=data.get("progress"),
            note=data.get("note", ""),
            evidence_url=data.get("evidence_url", ""),
            expected_version=_expected_version(request, point),
        )
        response = Response(ProgressUpdateSerializer(update).data, status=status.HTTP_201_CREATED)
        response["ETag"] = self.etag_for(point)
        return response

    @extend_schema(
        parameters=[IF_MATCH],
        request=RescheduleSerializer,
        responses={201: DeadlineChangeSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def reschedule(self, request, pk=None):
        """Move the deadline, saying why: recorded as a deadline change."""
        point = self.get_object()
        if self._if_match_failed(request, point):
            return self._precondition_failed()
        serializer = RescheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        change = services.action_point_reschedule(
            action_point=point,
            new_deadline=serializer.validated_data["deadline"],
            reason=serializer.validated_data["reason"],
            changed_by=request.user,
            expected_version=_expected_version(request, point),
        )
        response = Response(DeadlineChangeSerializer(change).data, status=status.HTTP_201_CREATED)
        response["ETag"] = self.etag_for(point)
        return response

    @extend_schema(
        methods=["GET"], responses={200: ExtensionRequestSerializer(many=True), **ERRORS}
    )
    @extend_schema(
        methods=["POST"],
        request=ExtensionRequestCreateSerializer,
        responses={201: ExtensionRequestSerializer, **ERRORS},
    )
    @action(
        detail=True, methods=["get", "post"], url_path="extension-requests", filterset_class=None
    )
    def extension_requests(self, request, pk=None):
        """Requests for more time, newest first; POST one (new_deadline, reason).

        Anyone who may update the action point may ask, while the plan is open and
        the point is neither completed nor cancelled; one request waits at a time.
        Coordinators see every request, members the waiting one and their own.
        """
        point = self.get_object()
        if request.method == "GET":
            rows = point.extension_requests.select_related("requested_by", "decided_by")
            if not perms.can_edit_plan(request.user, self.plan_of(point)):
                if perms.can_update_action_point(request.user, point):
                    rows = rows.filter(
                        Q(status=ExtensionRequest.Status.PENDING) | Q(requested_by=request.user)
                    )
                else:
                    rows = rows.none()
            page = self.paginate_queryset(rows.order_by("-requested_at", "-id"))
            return self.get_paginated_response(ExtensionRequestSerializer(page, many=True).data)
        serializer = ExtensionRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        extension = services.extension_request_create(
            action_point=point,
            user=request.user,
            new_deadline=serializer.validated_data["new_deadline"],
            reason=serializer.validated_data["reason"],
        )
        return Response(ExtensionRequestSerializer(extension).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ExtensionDecisionSerializer,
        responses={200: ExtensionRequestSerializer, **ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="extension-requests/decide",
        filterset_class=None,
    )
    def extension_decide(self, request, pk=None):
        """Approve or decline the request waiting on this action point (coordinators).

        Approving moves the deadline and records a deadline change; declining
        needs a note. Both notify the person who asked.
        """
        point = self.get_object()
        serializer = ExtensionDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        waiting = point.extension_requests.filter(status=ExtensionRequest.Status.PENDING).first()
        if waiting is None:
            raise DjangoValidationError(
                _("No request for more time is waiting on this action point.")
            )
        services.extension_request_decide(
            request=waiting,
            user=request.user,
            approve=serializer.validated_data["approve"],
            note=serializer.validated_data["note"],
        )
        waiting = ExtensionRequest.objects.select_related("requested_by", "decided_by").get(
            pk=waiting.pk
        )
        return Response(ExtensionRequestSerializer(waiting).data)
