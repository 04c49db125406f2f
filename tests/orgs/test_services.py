import pytest
from django.core.exceptions import ValidationError

from orgs.models import Organization, Person
from orgs.services import (
    normalize_name,
    organization_get_or_create,
    person_create,
)
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Jad", "jad"),
        ("  JAD ", "jad"),
        ("Anne  Marie", "anne marie"),
        ("anne\tmarie", "anne marie"),
    ],
)
def test_normalize_name_ignores_case_and_spacing(raw, key):
    assert normalize_name(raw) == key


def test_organization_get_or_create_finds_by_acronym_or_name():
    drc = OrganizationFactory(name="Danish Refugee Council", acronym="DRC")
    assert organization_get_or_create(name="drc") == drc
    assert organization_get_or_create(name=" danish  refugee council ") == drc
    assert Organization.objects.count() == 1


def test_organization_get_or_create_creates_acronym_for_short_capitals():
    unhcr = organization_get_or_create(name="UNHCR")
    assert (unhcr.name, unhcr.acronym, unhcr.kind) == ("UNHCR", "UNHCR", "other")


def test_organization_get_or_create_refuses_empty_name():
    with pytest.raises(ValidationError) as excinfo:
        organization_get_or_create(name="   ")
    assert excinfo.value.message_dict == {"name": ["An organization needs a name."]}
    assert Organization.objects.count() == 0


def test_person_create_cleans_the_name():
    person = person_create(name="  Anne   Marie ")
    assert person.name == "Anne Marie"


def test_person_create_refuses_bad_email_and_writes_nothing():
    with pytest.raises(ValidationError) as excinfo:
        person_create(name="Jad", email="not-an-email")
    assert list(excinfo.value.message_dict) == ["email"]
    assert Person.objects.count() == 0
