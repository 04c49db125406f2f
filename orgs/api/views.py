"""Endpoints for people and organizations: read by the signed-in, written by
coordinators and administrators, with the pages' rules."""

from __future__ import annotations

from rest_framework import mixins, viewsets

from actionplans import permissions as perms
from orgs.api import schema  # noqa: F401  (registers the token scheme)
from orgs.api.serializers import OrganizationSerializer, PersonSerializer, show_email
from orgs.filtersets import OrganizationFilterSet, PersonFilterSet
from orgs.models import Organization, Person
from orgs.services import (
    organization_create,
    organization_update,
    person_create,
    person_update,
)
from pim_tracker.api.base import ETagMixin, StrictFilterBackend, ThrottleFirstMixin
from pim_tracker.api.permissions import PERMISSIONS
from pim_tracker.api.schema import api_schema


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

    # Writes go through orgs.services: each viewset names its create and update service.
    def perform_create(self, serializer) -> None:
        serializer.instance = type(self).create_service(**serializer.validated_data)

    def perform_update(self, serializer) -> None:
        type(self).update_service(serializer.instance, **serializer.validated_data)


@api_schema(OrganizationSerializer, destroy=False)
class OrganizationViewSet(_NoDeleteViewSet):
    """Organizations: every signed-in user reads them; administrators, and the
    coordinators of every plan naming their people, change them
    (actionplans.permissions.can_edit_organization)."""

    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet

    @staticmethod
    def create_service(**data) -> Organization:
        return organization_create(**data)

    @staticmethod
    def update_service(organization: Organization, **data) -> Organization:
        return organization_update(organization=organization, **data)

    def get_queryset(self):
        return perms.visible_organizations(self.request.user).order_by("name", "id")

    def can_create(self, request) -> bool:
        return perms.can_manage_people(request.user)

    def can_change(self, request, obj) -> bool:
        if not perms.can_manage_people(request.user):
            return False
        # Refused with the page's message: who may edit it.
        perms.require_organization_edit(request.user, obj)
        return True


@api_schema(PersonSerializer, destroy=False)
class PersonViewSet(_NoDeleteViewSet):
    """People you may see (actionplans.permissions.visible_people), each with the
    visible plans they are named in. A person created here is recorded as created
    by the token's account (the rule on people named in no plan yet)."""

    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet

    @staticmethod
    def create_service(*, created_by, **data) -> Person:
        return person_create(**data, created_by=created_by)

    @staticmethod
    def update_service(person: Person, **data) -> Person:
        return person_update(person=person, **data)

    def perform_create(self, serializer) -> None:
        serializer.instance = self.create_service(
            **serializer.validated_data, created_by=self.request.user
        )

    def get_queryset(self):
        return perms.visible_people(self.request.user).order_by("name", "id")

    # The plans each person is named in: one query for a whole page.
    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            perms.attach_named_plans(self.request.user, page)
        return page

    def get_object(self) -> Person:
        return perms.attach_named_plans(self.request.user, [super().get_object()])[0]

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "show_email": show_email(self.request)}

    def can_create(self, request) -> bool:
        return perms.can_manage_people(request.user)

    def can_change(self, request, obj) -> bool:
        return perms.can_edit_person(request.user, obj)
