"""/api/v1/action-points/{id}/comments/ and /watch/: per role, errors, query counts."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actionplans import services
from actionplans.choices import PlanVisibility
from actionplans.models import Comment, Watch
from tests.api.helpers import NOT_FOUND, READ_ONLY, iso, token_client
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def fanette(world):
    person = PersonFactory(name="Fanette Dupont")
    world.group.team_members.add(person)
    return person


def _url(world, suffix=""):
    return f"/api/v1/action-points/{world.action_point.pk}/comments/{suffix}"


@pytest.mark.parametrize("role", ["admin", "coordinator", "member"])
def test_post_comment_with_mention(clients, world, fanette, role):
    response = clients[role].post(_url(world), {"body": "Ask @Fanette Dupont"}, format="json")
    assert response.status_code == 201, response.content
    comment = Comment.objects.get()
    assert response.json() == {
        "id": comment.pk,
        "body": f"Ask @[Fanette Dupont](person:{fanette.pk})",
        "author": role,
        "mentions": [{"id": fanette.pk, "name": "Fanette Dupont"}],
        "created": iso(comment.created),
        "edited": None,
        "deleted_at": None,
        "deleted_by": None,
        "updated": iso(comment.updated),
    }


def test_viewer_of_open_plan_may_comment(clients, world):
    world.plan.visibility = PlanVisibility.SIGNED_IN
    world.plan.save()
    assert clients["viewer"].post(_url(world), {"body": "hi"}, format="json").status_code == 201


@pytest.mark.parametrize("role", ["viewer", "outsider"])
def test_hidden_point_is_404(clients, world, role):
    assert clients[role].get(_url(world)).json() == NOT_FOUND
    response = clients[role].post(_url(world), {"body": "hi"}, format="json")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert not Comment.objects.exists()


def test_blank_body_is_400(member_client, world):
    response = member_client.post(_url(world), {"body": "  "}, format="json")
    assert (response.status_code, response.json()) == (
        400,
        {"body": ["This field may not be blank."]},
    )


def test_mention_of_hidden_person_is_400(member_client, world):
    secret = PersonFactory(name="Secret")
    world.other_plan.working_groups.first().team_members.add(secret)
    body = f"@[Secret](person:{secret.pk})"
    response = member_client.post(_url(world), {"body": body}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "body": [
            f"“{body}”: you cannot mention this person here. Mention someone named in this "
            "plan, or one of its coordinators."
        ]
    }
    assert not Comment.objects.exists()


def test_read_only_token_cannot_post(member_ro_client, world):
    response = member_ro_client.post(_url(world), {"body": "hi"}, format="json")
    assert (response.status_code, response.json()) == (403, READ_ONLY)


def test_patch_by_author_within_window_then_too_late(world):
    client = token_client(world.member)
    with time_machine.travel(T0, tick=False):
        comment = services.comment_create(
            action_point=world.action_point, author=world.member, body="first"
        )
    with time_machine.travel(T0 + datetime.timedelta(minutes=10), tick=False):
        response = client.patch(_url(world, f"{comment.pk}/"), {"body": "second"}, format="json")
    assert response.status_code == 200
    assert (response.json()["body"], response.json()["edited"]) == (
        "second",
        iso(T0 + datetime.timedelta(minutes=10)),
    )
    with time_machine.travel(T0 + datetime.timedelta(minutes=16), tick=False):
        response = client.patch(_url(world, f"{comment.pk}/"), {"body": "third"}, format="json")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "A comment can be edited for 15 minutes after it is posted; this one was "
        "posted on 2 Mar 2026, 09:00. Post a new comment instead."
    }


def test_patch_by_someone_else_is_403(coordinator_client, world):
    comment = services.comment_create(
        action_point=world.action_point, author=world.member, body="first"
    )
    response = coordinator_client.patch(_url(world, f"{comment.pk}/"), {"body": "x"}, format="json")
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "Only its author can edit a comment."},
    )


def test_put_is_not_allowed(member_client, world):
    comment = services.comment_create(
        action_point=world.action_point, author=world.member, body="first"
    )
    assert member_client.put(_url(world, f"{comment.pk}/"), {"body": "x"}).status_code == 405


def test_delete_by_coordinator_then_listed_without_body(clients, world):
    comment = services.comment_create(
        action_point=world.action_point, author=world.member, body="first"
    )
    response = clients["member"].delete(_url(world, f"{comment.pk}/"))
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "Only the plan's coordinators can delete a comment."},
    )
    assert clients["coordinator"].delete(_url(world, f"{comment.pk}/")).status_code == 204
    comment.refresh_from_db()
    item = clients["member"].get(_url(world)).json()["results"][0]
    assert item == {
        "id": comment.pk,
        "body": None,
        "author": "member",
        "mentions": [],
        "created": iso(comment.created),
        "edited": None,
        "deleted_at": iso(comment.deleted_at),
        "deleted_by": "coordinator",
        "updated": iso(comment.updated),
    }


def test_comment_of_another_point_is_404(coordinator_client, world):
    comment = services.comment_create(
        action_point=world.action_point, author=world.coordinator, body="first"
    )
    url = f"/api/v1/action-points/{world.other_action_point.pk}/comments/{comment.pk}/"
    assert world.other_plan.coordinators.count() == 0
    assert coordinator_client.delete(url).status_code == 404


def test_watch_endpoint(clients, world):
    url = f"/api/v1/action-points/{world.action_point.pk}/watch/"
    member = clients["member"]
    assert member.get(url).json() == {"watching": False}
    assert member.post(url).json() == {"watching": True}
    assert member.post(url).json() == {"watching": True}
    assert Watch.objects.filter(user=world.member).count() == 1
    assert member.delete(url).json() == {"watching": False}
    assert not Watch.objects.exists()
    assert clients["viewer"].post(url).status_code == 404
    assert clients["member_ro"].post(url).status_code == 403
    assert clients["anonymous"].get(url).status_code == 401


def _list_queries(client, world, fanette, count):
    Comment.objects.all().delete()
    for number in range(count):
        services.comment_create(
            action_point=world.action_point,
            author=world.member,
            body=f"Note {number} @Fanette Dupont",
        )
    client.get(_url(world))  # the token's first use of the day is recorded once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url(world))
    assert response.status_code == 200
    assert len(response.json()["results"]) == count
    return len(queries)


def test_list_queries_do_not_grow(member_client, world, fanette):
    assert _list_queries(member_client, world, fanette, 2) == _list_queries(
        member_client, world, fanette, 20
    )
