"""An action point shows its focal points' names and organizations: renaming either
gives the points a new `updated` and version, so a partner's sync reads them again."""

import datetime

import pytest
import time_machine

from actionplans.models import ActionPoint
from orgs.services import organization_update, person_update
from tests.factories import (
    ActionPointFactory,
    FocalPointFactory,
    OrganizationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

BEFORE = datetime.datetime(2026, 1, 1, 9, 0, tzinfo=datetime.UTC)
LATER = datetime.datetime(2026, 2, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def points():
    with time_machine.travel(BEFORE, tick=False):
        unhcr = OrganizationFactory(name="UN Refugee Agency", acronym="UNHCR")
        jad = PersonFactory(name="Jad", organization=unhcr)
        other = PersonFactory(name="Fanette", organization=OrganizationFactory())
        carried = ActionPointFactory()
        FocalPointFactory(action_point=carried, person=jad)
        elsewhere = ActionPointFactory()
        FocalPointFactory(action_point=elsewhere, person=other)
    return carried, elsewhere, jad, unhcr


def _state(point) -> tuple:
    point = ActionPoint.objects.get(pk=point.pk)
    return point.updated, point.version


@pytest.mark.parametrize(
    ("change", "moves"),
    [
        (lambda jad, unhcr: person_update(person=jad, name="Jad Haddad"), True),
        (lambda jad, unhcr: person_update(person=jad, organization=None), True),
        (lambda jad, unhcr: organization_update(organization=unhcr, acronym="HCR"), True),
        (lambda jad, unhcr: person_update(person=jad, email="jad@example.org"), False),
        (lambda jad, unhcr: person_update(person=jad, name="Jad"), False),
        (lambda jad, unhcr: organization_update(organization=unhcr, kind=unhcr.kind), False),
    ],
    ids=["rename", "organization", "acronym", "email", "same-name", "same-kind"],
)
def test_a_change_shown_on_a_point_moves_its_updated(points, change, moves):
    carried, elsewhere, jad, unhcr = points
    before, version = _state(carried)

    with time_machine.travel(LATER, tick=False):
        change(jad, unhcr)

    assert _state(carried) == ((LATER, version + 1) if moves else (before, version))
    assert _state(elsewhere)[0] == BEFORE
