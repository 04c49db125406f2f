"""ETags on single objects and If-Match on writes: no silent overwrites.

An action point's tag is its version; other objects' their last change. A
PUT/PATCH (or an update or reschedule) with a stale If-Match is a 412 and
changes nothing.
"""

import gzip
import json

import pytest

from actionplans import services
from actionplans.models import ActionPoint, DeadlineChange, ProgressUpdate
from pim_tracker.api.base import ETagMixin
from tests.api.helpers import NOT_ALLOWED, NOT_FOUND, STALE
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def _tag(kind: str, obj) -> str:
    obj.refresh_from_db()
    stamp = obj.version if kind == "actionpoint" else obj.updated.isoformat()
    return f'"{kind}-{obj.pk}-{stamp}"'


def _objects(world) -> dict[str, tuple[str, object, dict]]:
    """url -> (kind, object, a valid PATCH body)."""
    org = OrganizationFactory(name="UNHCR", acronym="UNHCR")
    return {
        f"/api/v1/plans/{world.plan.pk}/": ("actionplan", world.plan, {"title": "New title"}),
        f"/api/v1/working-groups/{world.group.pk}/": (
            "workinggroup",
            world.group,
            {"name": "New name"},
        ),
        f"/api/v1/challenges/{world.challenge.pk}/": (
            "challenge",
            world.challenge,
            {"description": "New description"},
        ),
        f"/api/v1/action-points/{world.action_point.pk}/": (
            "actionpoint",
            world.action_point,
            {"description": "New description"},
        ),
        f"/api/v1/people/{world.member_person.pk}/": (
            "person",
            world.member_person,
            {"name": "Jad K."},
        ),
        f"/api/v1/organizations/{org.pk}/": ("organization", org, {"acronym": "HCR"}),
    }


def test_etag_on_every_detail(world, coordinator_client):
    for url, (kind, obj, _body) in _objects(world).items():
        response = coordinator_client.get(url)
        assert response.status_code == 200, url
        assert response["ETag"] == _tag(kind, obj), url


def test_etag_action_point_is_its_version(world, member_client):
    point = world.action_point
    url = f"/api/v1/action-points/{point.pk}/"
    assert member_client.get(url)["ETag"] == f'"actionpoint-{point.pk}-1"'
    services.progress_update_create(action_point=point, author=world.member, progress=10)
    assert member_client.get(url)["ETag"] == f'"actionpoint-{point.pk}-2"'


def test_etag_not_on_lists(world, member_client):
    assert not member_client.get("/api/v1/plans/").has_header("ETag")


def test_etag_patch_with_matching_if_match(world, coordinator_client):
    for url, (kind, obj, body) in _objects(world).items():
        old = coordinator_client.get(url)["ETag"]
        response = coordinator_client.patch(url, body, format="json", HTTP_IF_MATCH=old)
        assert response.status_code == 200, url
        assert response["ETag"] != old, url
        assert response["ETag"] == _tag(kind, obj), url
        assert coordinator_client.get(url)["ETag"] == response["ETag"], url
        field, value = next(iter(body.items()))
        assert getattr(obj, field) == value, url


def test_etag_patch_with_stale_if_match_is_412(world, coordinator_client):
    for url, (kind, obj, body) in _objects(world).items():
        stale = coordinator_client.get(url)["ETag"]
        field = next(iter(body))
        # Someone else changes the object after we read it.
        assert coordinator_client.patch(url, body, format="json").status_code == 200, url
        current = _tag(kind, obj)
        before = getattr(obj, field)

        response = coordinator_client.patch(
            url, {field: "Overwritten"}, format="json", HTTP_IF_MATCH=stale
        )

        assert response.status_code == 412, url
        assert response.json() == STALE, url
        assert _tag(kind, obj) == current, url
        assert getattr(obj, field) == before, url


def test_etag_put_with_stale_if_match_is_412(world, coordinator_client):
    point = world.action_point
    url = f"/api/v1/action-points/{point.pk}/"
    response = coordinator_client.put(
        url,
        {"challenge": world.challenge.pk, "description": "Replaced"},
        format="json",
        HTTP_IF_MATCH=f'"actionpoint-{point.pk}-0"',
    )
    assert response.status_code == 412
    assert response.json() == STALE
    point.refresh_from_db()
    assert (point.description, point.version) == ("IMWG to recommend standardized tools", 1)


def test_etag_if_match_star_and_lists(world, coordinator_client):
    point = world.action_point
    url = f"/api/v1/action-points/{point.pk}/"
    response = coordinator_client.patch(
        url, {"description": "One"}, format="json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 200
    response = coordinator_client.patch(
        url,
        {"description": "Two"},
        format="json",
        HTTP_IF_MATCH=f'"actionpoint-{point.pk}-1", "actionpoint-{point.pk}-2"',
    )
    assert response.status_code == 200
    assert response["ETag"] == f'"actionpoint-{point.pk}-3"'


def test_etag_of_another_object_is_stale(world, admin_client):
    point, other = world.action_point, world.other_action_point
    response = admin_client.patch(
        f"/api/v1/action-points/{point.pk}/",
        {"description": "X"},
        format="json",
        HTTP_IF_MATCH=f'"actionpoint-{other.pk}-1"',
    )
    assert response.status_code == 412
    point.refresh_from_db()
    assert point.version == 1


def test_etag_permissions_answer_before_if_match(world, clients):
    url = f"/api/v1/plans/{world.plan.pk}/"
    stale = {"format": "json", "HTTP_IF_MATCH": '"actionplan-0-stale"'}
    response = clients["member"].patch(url, {"title": "X"}, **stale)
    assert (response.status_code, response.json()) == (403, NOT_ALLOWED)
    response = clients["outsider"].patch(url, {"title": "X"}, **stale)
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


# --- updates and reschedule ---------------------------------------------------------------


def test_etag_update_post_with_matching_if_match(world, member_client):
    point = world.action_point
    url = f"/api/v1/action-points/{point.pk}/"
    tag = member_client.get(url)["ETag"]
    response = member_client.post(
        f"{url}updates/", {"progress": 30}, format="json", HTTP_IF_MATCH=tag
    )
    assert response.status_code == 201
    assert response["ETag"] == f'"actionpoint-{point.pk}-2"'
    assert member_client.get(url)["ETag"] == response["ETag"]


def test_etag_update_post_with_stale_if_match_is_412(world, member_client):
    point = world.action_point
    url = f"/api/v1/action-points/{point.pk}/"
    stale = member_client.get(url)["ETag"]
    services.progress_update_create(action_point=point, author=world.coordinator, progress=50)

    response = member_client.post(
        f"{url}updates/", {"status": "completed"}, format="json", HTTP_IF_MATCH=stale
    )

    assert response.status_code == 412
    assert response.json() == STALE
    point.refresh_from_db()
    assert (point.status, point.progress, point.version) == ("not_started", 50, 2)
    assert ProgressUpdate.objects.count() == 1


def test_etag_reschedule_with_stale_if_match_is_412(world, coordinator_client):
    point = world.action_point
    response = coordinator_client.post(
        f"/api/v1/action-points/{point.pk}/reschedule/",
        {"deadline": "Q2 2019", "reason": "Late"},
        format="json",
        HTTP_IF_MATCH=f'"actionpoint-{point.pk}-0"',
    )
    assert response.status_code == 412
    assert response.json() == STALE
    point.refresh_from_db()
    assert (point.deadline, point.version) == ("", 1)
    assert DeadlineChange.objects.count() == 0


def test_etag_reschedule_with_matching_if_match(world, coordinator_client):
    point = world.action_point
    response = coordinator_client.post(
        f"/api/v1/action-points/{point.pk}/reschedule/",
        {"deadline": "Q2 2019", "reason": "Late"},
        format="json",
        HTTP_IF_MATCH=f'"actionpoint-{point.pk}-1"',
    )
    assert response.status_code == 201
    assert response["ETag"] == f'"actionpoint-{point.pk}-2"'


# --- a change between the If-Match check and the row lock ---------------------------------


@pytest.fixture
def race(monkeypatch):
    """Let the first If-Match check pass, as if another write landed just after it."""
    monkeypatch.setattr(ETagMixin, "_if_match_failed", lambda self, request, obj: False)


def test_etag_race_on_patch_is_412(world, coordinator_client, race):
    point = world.action_point
    services.progress_update_create(action_point=point, author=world.member, progress=10)
    response = coordinator_client.patch(
        f"/api/v1/action-points/{point.pk}/",
        {"description": "Mine"},
        format="json",
        HTTP_IF_MATCH=f'"actionpoint-{point.pk}-1"',
    )
    assert response.status_code == 412
    assert response.json() == STALE
    point.refresh_from_db()
    assert (point.description, point.version) == ("IMWG to recommend standardized tools", 2)


def test_etag_race_on_update_post_is_412(world, member_client, race):
    point = world.action_point
    services.progress_update_create(action_point=point, author=world.coordinator, progress=10)
    response = member_client.post(
        f"/api/v1/action-points/{point.pk}/updates/",
        {"progress": 90},
        format="json",
        HTTP_IF_MATCH=f'"actionpoint-{point.pk}-1"',
    )
    assert response.status_code == 412
    assert response.json() == STALE
    assert ProgressUpdate.objects.count() == 1
    assert ActionPoint.objects.get(pk=point.pk).progress == 10


def test_etag_of_a_gzipped_response_is_weak_and_still_matches(world, coordinator_client):
    # A client that accepts gzip gets the tag as weak (W/"..."): sent back in
    # If-Match it still names the version, and a stale one is still a 412.
    point = world.action_point
    url = f"/api/v1/action-points/{point.pk}/"
    read = coordinator_client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert read["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(read.content)) == coordinator_client.get(url).json()
    weak = read["ETag"]
    assert weak == f'W/"actionpoint-{point.pk}-1"'

    response = coordinator_client.patch(
        url, {"description": "Changed"}, format="json", HTTP_IF_MATCH=weak
    )
    assert response.status_code == 200
    update = coordinator_client.post(
        f"{url}updates/", {"progress": 30}, format="json", HTTP_IF_MATCH=weak
    )
    assert update.status_code == 412
    assert update.json() == STALE
    point.refresh_from_db()
    assert (point.description, point.progress, point.version) == ("Changed", 0, 2)
