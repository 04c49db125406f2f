"""ActionPointSerializer writes its JSON directly, for speed: it must equal what
DRF's field-by-field serialisation gives, for every kind of action point
(every status and deadline precision, undated, with and without an
organization, with notes on focal points, no focal point at all)."""

import json

import pytest
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.request import Request

from actionplans.api.serializers import ActionPointSerializer
from actionplans.choices import ActionPointStatus, DeadlinePrecision
from actionplans.models import ActionPoint, FocalPoint
from actionplans.synthetic import generate
from tests.api.helpers import token_client
from tests.factories import (
    ActionPointFactory,
    FocalPointFactory,
    OrganizationFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def points():
    generate(plans=3, action_points=120, seed=3)
    challenge = ActionPoint.objects.first().challenge
    bare = ActionPointFactory(challenge=challenge, position=99, deadline="", description="No one")
    noted = ActionPointFactory(challenge=challenge, position=100, deadline="ongoing")
    FocalPointFactory(
        action_point=noted, person=PersonFactory(organization=None), role="advisor", note="tbc"
    )
    lrc = OrganizationFactory(name="Lebanese Red Cross", acronym="LRC")
    FocalPointFactory(action_point=noted, person=PersonFactory(organization=lrc), role="lead")
    return bare, noted


def generic(items: list[ActionPoint]) -> list[dict]:
    request = Request(RequestFactory().get("/api/v1/action-points/"))
    serializer = ActionPointSerializer(context={"request": request, "today": timezone.localdate()})
    return json.loads(json.dumps([serializer.generic_representation(p) for p in items]))


def test_the_list_equals_drf_for_every_kind_of_action_point(points):
    client = token_client(UserFactory(is_staff=True, is_superuser=True))
    results = []
    for offset in (0, 100):
        response = client.get(f"/api/v1/action-points/?limit=100&offset={offset}")
        assert response.status_code == 200
        results += response.json()["results"]
    assert len(results) == 122
    items = ActionPoint.objects.in_bulk([r["id"] for r in results])
    assert results == generic([items[r["id"]] for r in results])
    # The data covers what the representation branches on.
    statuses = {r["status"] for r in results}
    assert statuses == set(ActionPointStatus.values)
    precisions = {r["deadline_precision"] for r in results}
    assert set(DeadlinePrecision.values) <= precisions
    assert any(r["due_date"] is None for r in results)
    assert any(r["is_overdue"] for r in results)
    assert any(r["focal_points"] == [] for r in results)
    focal = [f for r in results for f in r["focal_points"]]
    assert any(f["organization"] is None for f in focal)
    assert any(f["organization"] is not None for f in focal)
    assert any(f["note"] == "tbc" for f in focal)
    assert [f["organization"] for f in focal if f["role"] == "lead"].count("LRC") == 1
    assert FocalPoint.objects.filter(note="tbc").count() == 1


def test_the_detail_equals_drf(points):
    _bare, noted = points
    client = token_client(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(f"/api/v1/action-points/{noted.pk}/")
    assert response.status_code == 200
    assert response.json() == generic([noted])[0]
    assert response.json()["url"] == f"http://testserver/api/v1/action-points/{noted.pk}/"
