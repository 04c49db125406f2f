"""Filters for people and organizations, shared by the pages and the REST API.

One FilterSet per listable model (NetBox's convention). Choice querysets are
limited to what the requesting user may see, as in actionplans.filtersets.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from actionplans.permissions import can_manage_people, visible_organizations
from orgs.choices import OrganizationKind
from orgs.models import Organization, Person


def _organizations(request) -> QuerySet[Organization]:
    if request is None:
        return Organization.objects.none()
    return visible_organizations(request.user)


class PersonFilterSet(django_filters.FilterSet):
    """Filters of the people list."""

    q = django_filters.CharFilter(
        method="filter_text",
        label=_("Search"),
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("Name, email, organization or acronym."),
    )
    organization = django_filters.ModelChoiceFilter(
        queryset=_organizations, label=_("Organization"), empty_label=_("All organizations")
    )

    class Meta:
        model = Person
        fields: list[str] = []

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        matches = (
            Q(name__icontains=value)
            | Q(organization__name__icontains=value)
            | Q(organization__acronym__icontains=value)
        )
        # Emails are shown only to those who manage people; matching on them
        # for anyone else would let a search reveal an address letter by letter.
        if self.request is not None and can_manage_people(self.request.user):
            matches |= Q(email__icontains=value)
        return queryset.filter(matches)


class OrganizationFilterSet(django_filters.FilterSet):
    """Filters of the organization list."""

    q = django_filters.CharFilter(
        method="filter_text",
        label=_("Search"),
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("Name or acronym."),
    )
    kind = django_filters.ChoiceFilter(
        choices=OrganizationKind.choices, label=_("Kind"), empty_label=_("All kinds")
    )

    class Meta:
        model = Organization
        fields: list[str] = []

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(acronym__icontains=value))
