"""Serializers of the plans API. They validate and shape JSON; services write."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from actionplans.choices import (
    ActionPointStatus,
    FocalPointRole,
    PimCategory,
    PimPrinciple,
    PimProcessStep,
    PlanStatus,
    PlanVisibility,
    Priority,
)
from actionplans.models import (
    ActionPlan,
    ActionPoint,
    Challenge,
    DeadlineChange,
    ExtensionRequest,
    FocalPoint,
    ProgressUpdate,
    WorkingGroup,
)
from actionplans.parsing import DEADLINE_EXAMPLES
from actionplans.permissions import visible_people
from actionplans.selectors import team_members_in_order

MAX_ID = 2**63 - 1  # the largest BigAutoField id


class VisiblePlanField(serializers.PrimaryKeyRelatedField):
    """A plan id the user may see: any other id is "does not exist", as for a 404."""

    def get_queryset(self):
        return ActionPlan.objects.visible_to(self.context["request"].user)


class VisibleGroupField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return WorkingGroup.objects.filter(
            plan__in=ActionPlan.objects.visible_to(self.context["request"].user)
        ).select_related("plan")


class VisibleChallengeField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Challenge.objects.filter(
            working_group__plan__in=ActionPlan.objects.visible_to(self.context["request"].user)
        ).select_related("working_group__plan")


class VisiblePersonField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return visible_people(self.context["request"].user)


class ActionPlanSerializer(serializers.HyperlinkedModelSerializer):
    id = serializers.IntegerField(read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:actionplan-detail")
    status = serializers.ChoiceField(choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    visibility = serializers.ChoiceField(
        choices=PlanVisibility.choices, default=PlanVisibility.MEMBERS
    )
    coordinators = serializers.SlugRelatedField(
        slug_field="username",
        many=True,
        required=False,
        queryset=get_user_model().objects.filter(is_active=True),
        help_text="Usernames of the accounts that run the plan. The creator is always added.",
    )

    class Meta:
        model = ActionPlan
        fields = [
            "id", "url", "title", "country", "origin", "status", "visibility",
            "coordinators", "created", "updated",
        ]  # fmt: skip
        read_only_fields = ["created", "updated"]


class WorkingGroupSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:workinggroup-detail")
    plan = VisiblePlanField()
    number = serializers.IntegerField(min_value=1, max_value=32767, required=False)
    team_leader = VisiblePersonField(allow_null=True, required=False)
    team_members = serializers.SerializerMethodField()
    team_member_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        write_only=True,
        required=False,
        max_length=500,
        help_text="Person ids of the team members, in the order the plan lists them.",
    )

    class Meta:
        model = WorkingGroup
        fields = [
            "id", "url", "plan", "number", "name", "team_leader", "team_members",
            "team_member_ids", "created", "updated",
        ]  # fmt: skip
        read_only_fields = ["created", "updated"]
        # Numbers are optional (the service appends): no UniqueTogetherValidator,
        # which would make them required; the service's full_clean checks uniqueness.
        validators: list = []

    def validate_team_member_ids(self, value: list[int]) -> list:
        """Ids -> people, keeping the order; an id the user cannot see does not exist."""
        # An id beyond the database's integer range exists nowhere (and would not bind).
        possible = [pk for pk in value if pk <= MAX_ID]
        people = visible_people(self.context["request"].user).in_bulk(possible)
        missing = [pk for pk in value if pk not in people]
        if missing:
            raise serializers.ValidationError(
                _("No such person: %(ids)s.") % {"ids": ", ".join(map(str, missing))}
            )
        if len(set(value)) != len(value):
            raise serializers.ValidationError(_("A person is listed twice."))
        return [people[pk] for pk in value]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_team_members(self, group: WorkingGroup) -> list[int]:
        ordered = self.context.get("team_members", {})
        if group.pk in ordered:
            return [person.pk for person in ordered[group.pk]]
        # One group (retrieve, create, update): the written order, not the name order.
        return [person.pk for person in team_members_in_order([group.pk])[group.pk]]


class ChallengeSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:challenge-detail")
    plan = serializers.IntegerField(source="working_group.plan_id", read_only=True)
    working_group = VisibleGroupField()
    number = serializers.IntegerField(min_value=1, max_value=32767, required=False)

    class Meta:
        model = Challenge
        fields = [
            "id",
            "url",
            "plan",
            "working_group",
            "number",
            "description",
            "created",
            "updated",
        ]
        read_only_fields = ["created", "updated"]
        # Numbers are optional (the service appends): no UniqueTogetherValidator,
        # which would make them required; the service's full_clean checks uniqueness.
        validators: list = []


# The columns FocalPointSerializer reads (besides the keys): what a list prefetches
# (with_focal_points). A field read beyond them costs a query per focal point, which
# tests/api/test_queries.py would show.
FOCAL_POINT_COLUMNS = (
    "role", "note", "person__name", "person__organization__acronym", "person__organization__name",
)  # fmt: skip


class FocalPointSerializer(serializers.ModelSerializer):
    person = VisiblePersonField()
    name = serializers.CharField(source="person.name", read_only=True)
    organization = serializers.SerializerMethodField()
    role = serializers.ChoiceField(choices=FocalPointRole.choices, default=FocalPointRole.LEAD)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    class Meta:
        model = FocalPoint
        fields = ["person", "name", "organization", "role", "note"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_organization(self, focal_point: FocalPoint) -> str | None:
        organization = focal_point.person.organization
        return organization.short_name if organization else None


class SlugListField(serializers.MultipleChoiceField):
    """Slugs of a fixed list (PIM categories or principles), a JSON array in the
    list's order: the schema shows an array of the enum; an unknown slug is a 400
    on the field naming it."""

    def to_internal_value(self, data) -> list[str]:
        given = super().to_internal_value(data)
        return [slug for slug in self.choices if slug in given]

    def to_representation(self, value) -> list[str]:
        return list(value)


class BlankAsNullChoiceField(serializers.ChoiceField):
    """A choice that may be unset: read as null, written as null or ""."""

    def to_internal_value(self, data) -> str:
        return "" if data is None else super().to_internal_value(data)

    def validate_empty_values(self, data):
        if data is None:
            return True, ""
        return super().validate_empty_values(data)

    def to_representation(self, value) -> str | None:
        return value or None


class ActionPointSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:actionpoint-detail")
    plan = serializers.IntegerField(source="challenge.working_group.plan_id", read_only=True)
    working_group = serializers.IntegerField(source="challenge.working_group_id", read_only=True)
    challenge = VisibleChallengeField()
    position = serializers.IntegerField(min_value=1, max_value=32767, required=False)
    deadline = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text=f"As people write it, e.g. {DEADLINE_EXAMPLES}.",
    )
    deadline_reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="Why the deadline moves: needed when an update changes the deadline.",
    )
    is_overdue = serializers.BooleanField(
        read_only=True,
        help_text="Open and due before today (the deadline rules of the whole application).",
    )
    # Read from the list with_focal_points() prefetched (one query for a whole page).
    focal_points = FocalPointSerializer(many=True, required=False, source="focal_point_list")
    # What the latest progress updates say, annotated by the queryset (with_last_update):
    # the same four values as the flat exports' last columns; null without an update.
    latest_note = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="The note of the latest progress update that has one.",
    )
    latest_evidence_url = serializers.URLField(
        read_only=True,
        allow_null=True,
        help_text="The evidence link of the latest progress update that has one.",
    )
    last_update_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When the latest progress update was made."
    )
    last_update_by = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="Who made the latest progress update: the account's full name, else its "
        "username, else the person who reported it from a reminder.",
    )
    # Verified completion (services.action_point_verify / action_point_send_back): the
    # accounts by username, as the updates' authors; null while not completed or verified.
    completed_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="The account that marked it completed; null when it is not completed, was "
        "added completed, or was completed from a reminder by a person without an account.",
    )
    completed_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When it was marked completed."
    )
    verified_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="The coordinator who verified the completion; null while awaiting it.",
    )
    verified_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When the completion was verified."
    )
    # The PIM framework and priority, read from the tags with_pim_tags() prefetched,
    # written by services.action_point_classify (coordinators, like every edit).
    priority = serializers.ChoiceField(
        choices=Priority.choices, required=False, help_text='"high" or "normal" (the default).'
    )
    pim_categories = SlugListField(
        choices=PimCategory.choices,
        required=False,
        help_text="Slugs of the PIM Matrix categories it advances; a write replaces the list.",
    )
    pim_principles = SlugListField(
        choices=PimPrinciple.choices,
        required=False,
        help_text="Slugs of the PIM principles it applies; a write replaces the list.",
    )
    pim_process_step = BlankAsNullChoiceField(
        choices=PimProcessStep.choices,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text='The step of the PIM process it belongs to; null (or "") for none.',
    )

    class Meta:
        model = ActionPoint
        fields = [
            "id", "url", "plan", "working_group", "challenge", "position", "description",
            "deadline", "deadline_reason", "due_date", "deadline_precision", "status",
            "progress", "is_overdue", "priority", "pim_categories", "pim_principles",
            "pim_process_step", "focal_points", "latest_note", "latest_evidence_url",
            "last_update_at", "last_update_by", "completed_by", "completed_at", "verified_by",
            "verified_at", "version", "created", "updated",
        ]  # fmt: skip
        # Numbers are optional (the service appends): no UniqueTogetherValidator,
        # which would make them required; the service's full_clean checks uniqueness.
        validators: list = []
        read_only_fields = [
            "due_date", "deadline_precision", "status", "progress", "version", "created",
            "updated",
        ]  # fmt: skip

    def validate_focal_points(self, value: list[dict]) -> list[dict]:
        seen: set[int] = set()
        for index, item in enumerate(value, start=1):
            # A PATCH makes the nested items partial too: the person is still required.
            if "person" not in item:
                raise serializers.ValidationError(
                    _("Focal point %(number)s: the person is required.") % {"number": index}
                )
            if item["person"].pk in seen:
                raise serializers.ValidationError(
                    _("Focal point %(number)s: %(name)s is listed twice.")
                    % {"number": index, "name": item["person"].name}
                )
            seen.add(item["person"].pk)
        return value


class ProgressUpdateSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    status = serializers.ChoiceField(choices=ActionPointStatus.choices, required=False)
    progress = serializers.IntegerField(min_value=0, max_value=100, required=False)
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    evidence_url = serializers.URLField(
        max_length=500, required=False, allow_blank=True, default=""
    )

    class Meta:
        model = ProgressUpdate
        extra_kwargs = {
            "created": {
                "help_text": "When it was made. A progress update never changes: a sync "
                "(?updated_after=) reads updates by this moment."
            }
        }
        fields = [
            "id", "action_point", "author", "created", "previous_status", "previous_progress",
            "status", "progress", "note", "evidence_url",
        ]  # fmt: skip
        read_only_fields = [
            "action_point", "author", "created", "previous_status", "previous_progress",
        ]  # fmt: skip


class SendBackSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, help_text="Why it goes back to in progress: sent to who completed it."
    )


class RescheduleSerializer(serializers.Serializer):
    deadline = serializers.CharField(
        max_length=100, allow_blank=True, help_text=f"The new deadline, e.g. {DEADLINE_EXAMPLES}."
    )
    reason = serializers.CharField(max_length=2000, help_text="Why the deadline moves.")


class DeadlineChangeSerializer(serializers.ModelSerializer):
    changed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = DeadlineChange
        extra_kwargs = {
            "changed_at": {
                "help_text": "When the deadline moved. A deadline change never changes "
                "afterwards: it has no `updated`."
            }
        }
        fields = [
            "id", "action_point", "old_deadline", "old_due_date", "new_deadline",
            "new_due_date", "changed_by", "changed_at", "reason",
        ]  # fmt: skip
        read_only_fields = fields


class StatusCountsSerializer(serializers.Serializer):
    not_started = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    blocked = serializers.IntegerField()
    completed = serializers.IntegerField()
    cancelled = serializers.IntegerField()


class GroupSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="group_id")
    number = serializers.IntegerField()
    name = serializers.CharField()
    total = serializers.IntegerField()
    by_status = StatusCountsSerializer()
    completion_rate = serializers.FloatField(allow_null=True)
    overdue = serializers.IntegerField()


class PlanSummarySerializer(serializers.Serializer):
    plan = serializers.IntegerField(source="plan.pk")
    as_of = serializers.DateField(source="today")
    total = serializers.IntegerField(source="headline.total")
    by_status = StatusCountsSerializer(source="headline.by_status")
    completion_rate = serializers.FloatField(source="headline.completion_rate", allow_null=True)
    overdue = serializers.IntegerField(source="headline.overdue")
    due_soon = serializers.IntegerField(source="headline.due_soon")
    stale = serializers.IntegerField(source="headline.stale")
    rescheduled = serializers.IntegerField(source="headline.rescheduled")
    working_groups = GroupSummarySerializer(source="groups", many=True)


# --- deadline extension requests -------------------------------------------------------


class ExtensionRequestSerializer(serializers.ModelSerializer):
    requested_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    decided_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = ExtensionRequest
        fields = [
            "id", "action_point", "status", "current_deadline", "new_deadline", "new_due_date",
            "reason", "requested_by", "requested_at", "decided_by", "decided_at",
            "decision_note", "deadline_change", "updated",
        ]  # fmt: skip
        read_only_fields = fields


class ExtensionRequestCreateSerializer(serializers.Serializer):
    new_deadline = serializers.CharField(
        max_length=100, help_text=f"The deadline asked for, e.g. {DEADLINE_EXAMPLES}."
    )
    reason = serializers.CharField(max_length=2000, help_text="Why more time is needed.")


class ExtensionDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField(
        help_text="true moves the deadline (recorded as a deadline change); false declines."
    )
    note = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Sent to the person who asked; needed to decline.",
    )
