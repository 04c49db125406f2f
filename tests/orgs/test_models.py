"""Organizations and people: uniqueness rules held by the database."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from orgs.models import Organization, Person
from tests.factories import OrganizationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_organization_name_unique_ignoring_case():
    OrganizationFactory(name="UNHCR")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganizationFactory(name="unhcr")


def test_organization_name_clash_is_a_clear_validation_error():
    OrganizationFactory(name="Danish Refugee Council")
    duplicate = Organization(name="DANISH refugee council", kind="ingo")
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert excinfo.value.messages == ["An organization with this name already exists."]


def test_organization_unknown_kind_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganizationFactory(kind="company")


def test_organization_str_shows_acronym():
    assert str(Organization(name="Danish Refugee Council", acronym="DRC")) == (
        "Danish Refugee Council (DRC)"
    )
    assert str(Organization(name="IMWG")) == "IMWG"


def test_person_email_unique_ignoring_case_when_set():
    PersonFactory(email="jad@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(email="JAD@example.org")


def test_people_without_email_do_not_clash():
    PersonFactory(email="")
    PersonFactory(email="")
    assert Person.objects.filter(email="").count() == 2


def test_person_needs_a_name():
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(name="")


def test_person_user_link_is_one_to_one():
    user = UserFactory()
    PersonFactory(user=user)
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(user=user)


def test_person_history_survives_deletion():
    person = PersonFactory(name="Fanette")
    person_id = person.pk
    person.delete()
    assert [
        r.history_type for r in Person.history.filter(id=person_id).order_by("history_date")
    ] == [
        "+",
        "-",
    ]
