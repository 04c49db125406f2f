"""Serializers of people and organizations."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from actionplans.permissions import attach_named_plans, can_manage_people, visible_organizations
from orgs.choices import OrganizationKind
from orgs.models import Organization, Person


class OrganizationSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:organization-detail")
    kind = serializers.ChoiceField(choices=OrganizationKind.choices, default=OrganizationKind.OTHER)

    class Meta:
        model = Organization
        fields = ["id", "url", "name", "acronym", "kind", "created", "updated"]
        read_only_fields = ["created", "updated"]


class VisibleOrganizationField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return visible_organizations(self.context["request"].user)


class NamedPlanSerializer(serializers.Serializer):
    """A plan a person is named in: enough to tell two namesakes apart."""

    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)


class PersonSerializer(serializers.ModelSerializer):
    """Email addresses are personal data: shown only to those who manage people.

    `plans` lists the plans the person is named in now (leader, member or focal
    point) that the reader may see, by title; the view reads them for a whole
    page in one query (actionplans.permissions.attach_named_plans).
    """

    url = serializers.HyperlinkedIdentityField(view_name="api:person-detail")
    organization = VisibleOrganizationField(allow_null=True, required=False)
    email = serializers.EmailField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="Shown only to coordinators and administrators (null for others).",
    )

    plans = serializers.SerializerMethodField(
        help_text="The plans the person is named in now that you may see (id and title)."
    )

    class Meta:
        model = Person
        fields = ["id", "url", "name", "email", "organization", "plans", "created", "updated"]
        read_only_fields = ["created", "updated"]

    @extend_schema_field(NamedPlanSerializer(many=True))
    def get_plans(self, person: Person) -> list[dict]:
        if not hasattr(person, "named_plans"):
            # A person just written (create, update) was not read through the
            # view's queryset: one query for them.
            attach_named_plans(self.context["request"].user, [person])
        return person.named_plans

    def to_representation(self, instance: Person) -> dict:
        data = super().to_representation(instance)
        if not self.context.get("show_email"):
            data["email"] = None
        return data

    def validate_email(self, value: str | None) -> str:
        return (value or "").strip()


def show_email(request) -> bool:
    return can_manage_people(request.user)
