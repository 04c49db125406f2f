"""Writes to organizations and people, shared by the importer, views and API."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction

from orgs.choices import OrganizationKind
from orgs.models import Organization, Person

_SPACES = re.compile(r"\s+")


def normalize_name(name: str) -> str:
    """The key two spellings of one name share: case and spacing ignored."""
    return _SPACES.sub(" ", name).strip().casefold()


def clean_name(name: str) -> str:
    """The name as stored: single spaces, no padding."""
    return _SPACES.sub(" ", name).strip()


def organization_find(*, name: str) -> Organization | None:
    """An organization whose name or acronym matches, ignoring case and spacing."""
    wanted = clean_name(name)
    if not wanted:
        return None
    return (
        Organization.objects.filter(name__iexact=wanted).first()
        or Organization.objects.filter(acronym__iexact=wanted).order_by("id").first()
    )


@transaction.atomic
def organization_get_or_create(
    *, name: str, kind: str = OrganizationKind.OTHER, acronym: str = ""
) -> Organization:
    """Find an organization by name or acronym, or create it.

    A short all-capitals name ("UNHCR") is what plans usually write; it is
    stored as both name and acronym until someone fills in the full name.
    """
    wanted = clean_name(name)
    if not wanted:
        raise ValidationError({"name": "An organization needs a name."})
    existing = organization_find(name=wanted)
    if existing is not None:
        return existing
    if not acronym and wanted.isupper() and " " not in wanted:
        acronym = wanted
    organization = Organization(name=wanted, acronym=acronym, kind=kind)
    organization.full_clean()
    organization.save()
    return organization


@transaction.atomic
def person_create(
    *, name: str, email: str = "", organization: Organization | None = None
) -> Person:
    person = Person(name=clean_name(name), email=email.strip(), organization=organization)
    person.full_clean()
    person.save()
    return person
