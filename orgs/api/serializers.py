"""Serializers of people and organizations."""

from __future__ import annotations

from rest_framework import serializers

from actionplans.permissions import can_manage_people, visible_organizations
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


class PersonSerializer(serializers.ModelSerializer):
    """Email addresses are personal data: shown only to those who manage people."""

    url = serializers.HyperlinkedIdentityField(view_name="api:person-detail")
    organization = VisibleOrganizationField(allow_null=True, required=False)
    email = serializers.EmailField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="Shown only to coordinators and administrators (null for others).",
    )

    class Meta:
        model = Person
        fields = ["id", "url", "name", "email", "organization", "created", "updated"]
        read_only_fields = ["created", "updated"]

    def to_representation(self, instance: Person) -> dict:
        data = super().to_representation(instance)
        if not self.context.get("show_email"):
            data["email"] = None
        return data

    def validate_email(self, value: str | None) -> str:
        return (value or "").strip()


def show_email(request) -> bool:
    return can_manage_people(request.user)
