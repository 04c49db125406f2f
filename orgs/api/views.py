"""Endpoints for people and organizations: read by the signed-in, written by
coordinators and administrators, with the pages' rules."""

from __future__ import annotations

from django.db import transaction
from rest_framework import mixins, viewsets

from actionplans import permissions as perms
from actionplans.api.base import ETagMixin, StrictFilterBackend, ThrottleFirstMixin
from actionplans.api.views import PERMISSIONS, api_schema
from orgs.api.serializers import OrganizationSerializer, PersonSerializer, show_email
from orgs.filtersets import OrganizationFilterSet, PersonFilterSet


class _NoDeleteViewSet(
    ThrottleFirstMixin,
    ETagMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """People and organizations are referenced by plans and their history: no DELETE."""

    permission_classes = PERMISSIONS
    filter_backends = [StrictFilterBackend]

    def perform_create(self, serializer) -> None:
        with transaction.atomic():
            instance = serializer.Meta.model(**serializer.validated_data)
            instance.full_clean()
            instance.save()
        serializer.instance = instance

    def perform_update(self, serializer) -> None:
        instance = serializer.instance
        with transaction.atomic():
            for name, value in serializer.validated_data.items():
                setattr(instance, name, value)
            instance.full_clean()
            instance.save()


@api_schema(OrganizationSerializer, destroy=False)
class OrganizationViewSet(_NoDeleteViewSet):
    """Organizations: every signed-in user reads them."""

    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet

    def get_queryset(self):
        return perms.visible_organizations(self.request.user).order_by("name", "id")

    def can_create(self, request) -> bool:
        return perms.can_manage_people(request.user)

    def can_change(self, request, obj) -> bool:
        return perms.can_manage_people(request.user)


@api_schema(PersonSerializer, destroy=False)
class PersonViewSet(_NoDeleteViewSet):
    """People named in the plans you may see."""

    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet

    def get_queryset(self):
        return perms.visible_people(self.request.user).order_by("name", "id")

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "show_email": show_email(self.request)}

    def can_create(self, request) -> bool:
        return perms.can_manage_people(request.user)

    def can_change(self, request, obj) -> bool:
        return perms.can_edit_person(request.user, obj)
