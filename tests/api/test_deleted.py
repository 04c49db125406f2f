"""/api/v1/deleted/: what a partner removes from its copy (plans, groups, challenges,
action points, people), from the history tables, paged like every sync read.

Moments are frozen (time_machine, tick=False), so each deletion's time is exact;
a cascade written at one instant is ordered by (type, id).
"""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from actionplans.choices import PlanVisibility
from actionplans.services import (
    action_point_create,
    action_point_delete,
    challenge_create,
    challenge_delete,
    person_merge,
    plan_create,
    plan_delete,
    working_group_create,
    working_group_delete,
)
from tests.api.helpers import token_client
from tests.factories import FocalPointFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/deleted/"
T0 = datetime.datetime(2026, 11, 20, 8, 0, tzinfo=datetime.UTC)
SINCE = "2026-11-20T00:00:00Z"


def at(minutes: int) -> datetime.datetime:
    return T0 + datetime.timedelta(minutes=minutes)


def z(moment: datetime.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def read(client: APIClient, query: str = f"updated_after={SINCE}") -> dict:
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200, response.content
    return response.json()


def cursor_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["cursor"][0]


def page(*items: dict) -> dict:
    return {"next": None, "previous": None, "results": list(items)}


def item(kind: str, pk: int, moment: datetime.datetime, **extra) -> dict:
    return {"type": kind, "id": pk, "deleted": z(moment), **extra}


# --- each kind, once deleted -------------------------------------------------------


def test_deleted_lists_each_kind_after_its_delete(world, admin_client):
    plan = world.plan
    with time_machine.travel(at(0), tick=False):
        group = working_group_create(plan=plan, name="Extra group")
        challenge = challenge_create(working_group=group, description="Extra challenge")
        spare = challenge_create(working_group=world.group, description="Spare challenge")
        point = action_point_create(challenge=challenge, description="Extra action")
        duplicate = PersonFactory(name="Jad (copy)")
    # A deleted object's pk is None: the ids, before.
    ids = {"point": point.pk, "spare": spare.pk, "challenge": challenge.pk, "group": group.pk}
    ids |= {"duplicate": duplicate.pk, "other_plan": world.other_plan.pk}
    other_challenge = world.other_action_point.challenge
    ids |= {"other_challenge": other_challenge.pk, "other_group": other_challenge.working_group_id}
    ids |= {"other_point": world.other_action_point.pk}
    assert read(admin_client) == page()

    with time_machine.travel(at(1), tick=False):
        action_point_delete(action_point=point, user=world.admin)
    with time_machine.travel(at(2), tick=False):
        challenge_delete(challenge=spare, user=world.admin)
    with time_machine.travel(at(3), tick=False):
        working_group_delete(group=group, user=world.admin)
    with time_machine.travel(at(4), tick=False):
        person_merge(kept=world.member_person, merged=duplicate, user=world.admin)
    with time_machine.travel(at(5), tick=False):
        plan_delete(plan=world.other_plan, user=world.admin)

    assert read(admin_client) == page(
        item("action_point", ids["point"], at(1)),
        item("challenge", ids["spare"], at(2)),
        # The group's cascade: its challenge, then the group (one instant: by type).
        item("challenge", ids["challenge"], at(3)),
        item("working_group", ids["group"], at(3)),
        item("person", ids["duplicate"], at(4), replaced_by=world.member_person.pk),
        # The plan's cascade: everything in it.
        item("action_point", ids["other_point"], at(5)),
        item("challenge", ids["other_challenge"], at(5)),
        item("plan", ids["other_plan"], at(5)),
        item("working_group", ids["other_group"], at(5)),
    )


def test_deleted_plan_lists_its_cascade_to_who_could_see_it(world, clients):
    plan = world.plan
    ids = {
        "plan": plan.pk,
        "group": world.group.pk,
        "challenge": world.challenge.pk,
        "point": world.action_point.pk,
    }
    with time_machine.travel(at(1), tick=False):
        plan_delete(plan=plan, user=world.coordinator)

    cascade = page(
        item("action_point", ids["point"], at(1)),
        item("challenge", ids["challenge"], at(1)),
        item("plan", ids["plan"], at(1)),
        item("working_group", ids["group"], at(1)),
    )
    # Its coordinator, and its member (team leader and focal point), could see it.
    assert read(clients["coordinator"]) == cascade
    assert read(clients["member"]) == cascade
    assert read(clients["member_ro"]) == cascade
    # A members-only plan: others never saw it, nor see it go.
    assert read(clients["viewer"]) == page()
    assert read(clients["outsider"]) == page()


def test_deleted_hidden_plan_not_listed_to_coordinator_of_another(world, coordinator_client):
    hidden = world.other_action_point
    with time_machine.travel(at(1), tick=False):
        action_point_delete(action_point=hidden, user=world.admin)
    with time_machine.travel(at(2), tick=False):
        plan_delete(plan=world.other_plan, user=world.admin)

    assert read(coordinator_client) == page()


def test_deleted_plan_open_to_signed_in_users_listed_to_viewer(world, viewer_client):
    with time_machine.travel(at(0), tick=False):
        shared = plan_create(title="Shared plan", visibility=PlanVisibility.SIGNED_IN)
        group = working_group_create(plan=shared, name="Shared group")
    pk, group_pk = shared.pk, group.pk
    with time_machine.travel(at(1), tick=False):
        plan_delete(plan=shared, user=world.admin)

    assert read(viewer_client) == page(
        item("plan", pk, at(1)), item("working_group", group_pk, at(1))
    )


def test_deleted_plan_listed_to_its_coordinator_at_deletion_only(world):
    former = UserFactory(username="former")
    world.plan.coordinators.add(former)
    world.plan.coordinators.remove(former)
    pk = world.plan.pk
    with time_machine.travel(at(1), tick=False):
        plan_delete(plan=world.plan, user=world.coordinator)

    assert item("plan", pk, at(1)) in read(token_client(world.coordinator))["results"]
    assert read(token_client(former)) == page()


def test_deleted_action_point_of_visible_plan_listed_to_member(world, member_client):
    pk = world.action_point.pk
    with time_machine.travel(at(1), tick=False):
        action_point_delete(action_point=world.action_point, user=world.coordinator)

    assert read(member_client) == page(item("action_point", pk, at(1)))


# --- people -------------------------------------------------------------------------


def test_deleted_person_merged_lists_replaced_by_to_who_saw_them(world, clients):
    with time_machine.travel(at(0), tick=False):
        duplicate = PersonFactory(name="Jad Haddad")
        FocalPointFactory(action_point=world.action_point, person=duplicate, role="support")
    pk = duplicate.pk
    with time_machine.travel(at(1), tick=False):
        person_merge(kept=world.member_person, merged=duplicate, user=world.coordinator)

    merged = page(item("person", pk, at(1), replaced_by=world.member_person.pk))
    # Named in the plan (per the history): whoever sees the plan sees them go.
    assert read(clients["coordinator"]) == merged
    assert read(clients["member"]) == merged
    assert read(clients["admin"]) == merged
    assert read(clients["viewer"]) == page()
    assert read(clients["outsider"]) == page()


def test_deleted_person_with_a_long_name_has_no_replaced_by(world, admin_client):
    # The merge's reason is cut at 100 characters: the kept id is not read from it.
    with time_machine.travel(at(0), tick=False):
        duplicate = PersonFactory(name="Jad " + "Haddad " * 20)
    pk = duplicate.pk
    with time_machine.travel(at(1), tick=False):
        person_merge(kept=world.member_person, merged=duplicate, user=world.admin)

    assert read(admin_client) == page(item("person", pk, at(1)))


def test_deleted_person_named_nowhere_listed_to_who_added_them(world, clients):
    with time_machine.travel(at(0), tick=False):
        newcomer = PersonFactory(name="Newcomer", created_by=world.coordinator)
        stranger = PersonFactory(name="Stranger")
    ids = (newcomer.pk, stranger.pk)
    with time_machine.travel(at(1), tick=False):
        newcomer.delete()
        stranger.delete()

    assert read(clients["coordinator"]) == page(item("person", ids[0], at(1)))
    assert read(clients["member"]) == page()
    assert read(clients["admin"]) == page(
        item("person", ids[0], at(1)), item("person", ids[1], at(1))
    )


# --- what is not a deletion -----------------------------------------------------------


def test_deleted_row_created_again_with_its_id_not_listed(world, admin_client):
    with time_machine.travel(at(0), tick=False):
        challenge = challenge_create(working_group=world.group, description="Comes back")
    pk = challenge.pk
    with time_machine.travel(at(1), tick=False):
        challenge_delete(challenge=challenge, user=world.admin)
    assert read(admin_client) == page(item("challenge", pk, at(1)))

    # Restored from its history (django-simple-history), with the same id.
    with time_machine.travel(at(2), tick=False):
        challenge.history.model.objects.filter(id=pk).first().instance.save()

    assert read(admin_client) == page()


def test_deleted_since_is_inclusive(world, admin_client):
    first, second = world.action_point.pk, world.other_action_point.pk
    with time_machine.travel(at(1), tick=False):
        action_point_delete(action_point=world.action_point, user=world.admin)
    with time_machine.travel(at(2), tick=False):
        action_point_delete(action_point=world.other_action_point, user=world.admin)

    assert read(admin_client, f"updated_after={z(at(2))}") == page(
        item("action_point", second, at(2))
    )
    # Without an offset, the moment is read in the site's time zone (UTC here).
    assert read(admin_client, "updated_after=2026-11-20T08:01:00") == page(
        item("action_point", first, at(1)), item("action_point", second, at(2))
    )
    assert read(admin_client, "updated_after=2026-11-20T08:02:00.000001Z") == page()


# --- pages ------------------------------------------------------------------------------


def test_deleted_cursor_walk_reads_each_once(world, admin_client):
    with time_machine.travel(at(0), tick=False):
        group = working_group_create(plan=world.plan, name="Walked group")
        challenges = [
            challenge_create(working_group=group, description=f"Walked {n}") for n in range(3)
        ]
    expected = [item("challenge", c.pk, at(1)) for c in challenges]
    expected.append(item("working_group", group.pk, at(1)))
    expected.append(item("action_point", world.other_action_point.pk, at(2)))
    with time_machine.travel(at(1), tick=False):
        working_group_delete(group=group, user=world.admin)
    with time_machine.travel(at(2), tick=False):
        action_point_delete(action_point=world.other_action_point, user=world.admin)

    url = f"{URL}?updated_after={SINCE}&limit=2"
    seen, pages = [], 0
    while url:
        response = admin_client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["previous"] is None
        assert len(body["results"]) == (2 if body["next"] else 1)
        seen.extend(body["results"])
        url, pages = body["next"], pages + 1
    assert seen == expected
    assert pages == 3


def test_deleted_cursor_tampered_is_400(world, admin_client):
    with time_machine.travel(at(1), tick=False):
        action_point_delete(action_point=world.action_point, user=world.admin)
        action_point_delete(action_point=world.other_action_point, user=world.admin)
    cursor = cursor_of(read(admin_client, f"updated_after={SINCE}&limit=1")["next"])

    response = admin_client.get(f"{URL}?updated_after={SINCE}&cursor={cursor[:-2]}xy")
    assert response.status_code == 400
    assert response.json() == {
        "cursor": ["This cursor is not one the API gave: follow the next link as is."]
    }
    response = admin_client.get(f"{URL}?updated_after=2026-11-19T00:00:00Z&cursor={cursor}")
    assert response.status_code == 400
    assert response.json() == {
        "cursor": ["This cursor belongs to another updated_after: keep the one you began."]
    }
    # A cursor of another list is not one of this list.
    plans = admin_client.get("/api/v1/plans/?updated_after=2000-01-01T00:00:00Z&limit=1")
    other = cursor_of(plans.json()["next"])
    response = admin_client.get(f"{URL}?updated_after=2000-01-01T00:00:00Z&cursor={other}")
    assert response.status_code == 400
    assert response.json() == {
        "cursor": ["This cursor is not one the API gave: follow the next link as is."]
    }


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("", {"updated_after": ["This field is required."]}),
        ("limit=10", {"updated_after": ["This field is required."]}),
        (
            "updated_after=yesterday",
            {
                "updated_after": [
                    'Enter an ISO 8601 date and time, such as "2026-11-27T08:00:00Z", '
                    'not "yesterday".'
                ]
            },
        ),
        (
            "updated_after=2026-02-30T00:00:00Z",
            {
                "updated_after": [
                    'Enter an ISO 8601 date and time, such as "2026-11-27T08:00:00Z", '
                    'not "2026-02-30T00:00:00Z".'
                ]
            },
        ),
        (f"updated_after={SINCE}&limit=0", {"limit": ["limit must be from 1 to 500, not 0."]}),
        (f"updated_after={SINCE}&limit=x", {"limit": ["limit must be a whole number."]}),
        (
            f"updated_after={SINCE}&offset=2",
            {"offset": ["Not with updated_after: follow the next link (its cursor)."]},
        ),
    ],
)
def test_deleted_bad_query_is_400(world, admin_client, query, errors):
    response = admin_client.get(f"{URL}?{query}")
    assert response.status_code == 400
    assert response.json() == errors


def test_deleted_anonymous_is_401(anonymous_client):
    response = anonymous_client.get(f"{URL}?updated_after={SINCE}")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


# --- cost -------------------------------------------------------------------------------


def _delete_structures(world, count: int, minute: int) -> None:
    """`count` groups, each with two challenges of an action point, and a person
    merged, all deleted: in the visible plan, and as many in a hidden plan."""
    with time_machine.travel(at(minute), tick=False):
        for plan in (world.plan, world.other_plan):
            for n in range(count):
                group = working_group_create(plan=plan, name=f"Gone {minute}.{n}")
                for c in range(2):
                    challenge = challenge_create(working_group=group, description=f"Gone {c}")
                    action_point_create(challenge=challenge, description="Gone")
                working_group_delete(group=group, user=world.admin)
                duplicate = PersonFactory(name=f"Copy {minute}.{n}")
                FocalPointFactory(action_point=world.action_point, person=duplicate)
                person_merge(kept=world.member_person, merged=duplicate, user=world.admin)


@pytest.mark.parametrize("role", ["admin", "coordinator", "member", "outsider"])
def test_deleted_query_count_same_at_two_sizes(world, clients, role):
    client = clients[role]
    _delete_structures(world, 1, minute=1)
    read(client)  # the token's first use of the day writes its last_used: not counted
    with CaptureQueriesContext(connection) as small:
        body = read(client)
    few = len(body["results"])
    _delete_structures(world, 3, minute=2)
    read(client)
    with CaptureQueriesContext(connection) as large:
        body = read(client)
    assert len(body["results"]) >= few
    if role != "outsider":
        assert len(body["results"]) > few
    assert len(large.captured_queries) == len(small.captured_queries)
