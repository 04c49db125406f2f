"""/api/v1/working-groups/ and /api/v1/challenges/: a plan's structure.

Whoever sees the plan reads its groups and challenges; only its coordinators
(and administrators) change them. Team members keep the order they were written in.
"""

import pytest

from actionplans import services
from actionplans.choices import PlanVisibility
from actionplans.models import ActionPoint, Challenge, WorkingGroup
from tests.api.helpers import BASE, NOT_ALLOWED, NOT_FOUND, STRUCTURE_ONLY, ids, iso
from tests.factories import ChallengeFactory, PersonFactory, WorkingGroupFactory

pytestmark = pytest.mark.django_db


def _group_body(group: WorkingGroup, members: list[int]) -> dict:
    group.refresh_from_db()
    return {
        "id": group.pk,
        "url": f"{BASE}/working-groups/{group.pk}/",
        "plan": group.plan_id,
        "number": group.number,
        "name": group.name,
        "team_leader": group.team_leader_id,
        "team_members": members,
        "created": iso(group.created),
        "updated": iso(group.updated),
    }


def _challenge_body(challenge: Challenge) -> dict:
    challenge.refresh_from_db()
    return {
        "id": challenge.pk,
        "url": f"{BASE}/challenges/{challenge.pk}/",
        "plan": challenge.working_group.plan_id,
        "working_group": challenge.working_group_id,
        "number": challenge.number,
        "description": challenge.description,
        "created": iso(challenge.created),
        "updated": iso(challenge.updated),
    }


@pytest.fixture
def second(world):
    """A second group of the plan, written with its members in non-alphabetical order."""
    zeina, amal = PersonFactory(name="Zeina"), PersonFactory(name="Amal")
    group = services.working_group_create(
        plan=world.plan,
        name="Protection Monitoring",
        team_leader=zeina,
        team_members=[zeina, amal],
    )
    challenge = ChallengeFactory(working_group=group, number=1, description="No monitoring")
    return group, challenge, zeina, amal


def _other_group(world) -> WorkingGroup:
    return world.other_action_point.challenge.working_group


# --- working groups: read ------------------------------------------------------------


def test_working_groups_list_per_role(world, clients, second):
    group, _challenge, _zeina, _amal = second
    other = _other_group(world)
    expected = {
        "admin": [world.group.pk, group.pk, other.pk],
        "coordinator": [world.group.pk, group.pk],
        "member": [world.group.pk, group.pk],
        "viewer": [],
        "outsider": [],
        "member_ro": [world.group.pk, group.pk],
        "coordinator_ro": [world.group.pk, group.pk],
    }
    found = {role: ids(clients[role].get("/api/v1/working-groups/")) for role in expected}
    assert found == expected
    assert clients["anonymous"].get("/api/v1/working-groups/").status_code == 401


def test_working_groups_list_signed_in_plan_for_viewer(world, viewer_client):
    world.plan.visibility = PlanVisibility.SIGNED_IN
    world.plan.save(update_fields=["visibility"])
    assert ids(viewer_client.get("/api/v1/working-groups/")) == [world.group.pk]


def test_working_groups_filter_plan(world, admin_client, second):
    group = second[0]
    url = f"/api/v1/working-groups/?plan={world.plan.pk}"
    assert ids(admin_client.get(url)) == [world.group.pk, group.pk]
    url = f"/api/v1/working-groups/?plan={world.other_plan.pk}"
    assert ids(admin_client.get(url)) == [_other_group(world).pk]


def test_working_groups_filter_hidden_plan_is_400(world, member_client):
    response = member_client.get(f"/api/v1/working-groups/?plan={world.other_plan.pk}")
    assert response.status_code == 400
    assert response.json() == {
        "plan": ["Select a valid choice. That choice is not one of the available choices."]
    }


def test_working_groups_team_members_in_written_order(world, member_client, second):
    group, _challenge, zeina, amal = second
    listed = member_client.get(f"/api/v1/working-groups/?plan={world.plan.pk}").json()["results"]
    assert listed[1] == _group_body(group, [zeina.pk, amal.pk])
    detail = member_client.get(f"/api/v1/working-groups/{group.pk}/")
    assert detail.status_code == 200
    assert detail.json() == _group_body(group, [zeina.pk, amal.pk])


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("coordinator", 404), ("member", 404), ("outsider", 404), ("anonymous", 401)],
)
def test_working_groups_retrieve_other_plan(world, clients, role, status):
    response = clients[role].get(f"/api/v1/working-groups/{_other_group(world).pk}/")
    assert response.status_code == status
    if status == 404:
        assert response.json() == NOT_FOUND


# --- working groups: write ------------------------------------------------------------


def test_working_groups_create_by_coordinator(world, coordinator_client):
    # People the coordinator added, in no plan yet: theirs to name.
    rana = PersonFactory(name="Rana", created_by=world.coordinator)
    omar = PersonFactory(name="Omar", created_by=world.coordinator)
    response = coordinator_client.post(
        "/api/v1/working-groups/",
        {
            "plan": world.plan.pk,
            "name": "Case Management",
            "team_leader": rana.pk,
            "team_member_ids": [rana.pk, omar.pk, world.member_person.pk],
        },
        format="json",
    )
    assert response.status_code == 201
    group = WorkingGroup.objects.get(name="Case Management")
    assert group.number == 2  # the next free number
    assert response.json() == _group_body(group, [rana.pk, omar.pk, world.member_person.pk])
    assert response["Location"] == f"{BASE}/working-groups/{group.pk}/"


def test_working_groups_create_by_admin_in_any_plan(world, admin_client):
    response = admin_client.post(
        "/api/v1/working-groups/",
        {"plan": world.other_plan.pk, "name": "IMWG", "number": 7},
        format="json",
    )
    assert response.status_code == 201
    assert (response.json()["plan"], response.json()["number"]) == (world.other_plan.pk, 7)


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_working_groups_create_refused_to_non_coordinators(world, clients, role):
    world.plan.visibility = PlanVisibility.SIGNED_IN
    world.plan.save(update_fields=["visibility"])
    response = clients[role].post(
        "/api/v1/working-groups/", {"plan": world.plan.pk, "name": "Mine"}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == STRUCTURE_ONLY
    assert WorkingGroup.objects.filter(plan=world.plan).count() == 1


def test_working_groups_create_in_hidden_plan_is_unknown_id(world, coordinator_client):
    hidden = coordinator_client.post(
        "/api/v1/working-groups/", {"plan": world.other_plan.pk, "name": "X"}, format="json"
    )
    missing = coordinator_client.post(
        "/api/v1/working-groups/", {"plan": 999999, "name": "X"}, format="json"
    )
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json() == {
        "plan": [f'Invalid pk "{world.other_plan.pk}" - object does not exist.']
    }
    assert missing.json() == {"plan": ['Invalid pk "999999" - object does not exist.']}
    assert WorkingGroup.objects.count() == 2


def test_working_groups_create_duplicate_number(world, coordinator_client):
    response = coordinator_client.post(
        "/api/v1/working-groups/", {"plan": world.plan.pk, "name": "X", "number": 1}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["This plan already has a group with this number."]
    }


def test_working_groups_create_with_hidden_or_repeated_members(world, coordinator_client):
    stranger = PersonFactory(name="Stranger")
    services.working_group_create(plan=world.other_plan, name="Other 2", team_members=[stranger])
    response = coordinator_client.post(
        "/api/v1/working-groups/",
        {"plan": world.plan.pk, "name": "X", "team_member_ids": [stranger.pk, 999999]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"team_member_ids": [f"No such person: {stranger.pk}, 999999."]}
    response = coordinator_client.post(
        "/api/v1/working-groups/",
        {"plan": world.plan.pk, "name": "X", "team_member_ids": [10**30]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"team_member_ids": [f"No such person: {10**30}."]}
    jad = world.member_person.pk
    response = coordinator_client.post(
        "/api/v1/working-groups/",
        {"plan": world.plan.pk, "name": "X", "team_member_ids": [jad, jad]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"team_member_ids": ["A person is listed twice."]}


def test_working_groups_patch_by_coordinator(world, coordinator_client, second):
    group, _challenge, zeina, amal = second
    response = coordinator_client.patch(
        f"/api/v1/working-groups/{group.pk}/",
        {"name": "Protection Monitoring WG", "team_member_ids": [amal.pk, zeina.pk]},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == _group_body(group, [amal.pk, zeina.pk])
    assert group.name == "Protection Monitoring WG"


def test_working_groups_patch_name_keeps_members(world, coordinator_client, second):
    group, _challenge, zeina, amal = second
    response = coordinator_client.patch(
        f"/api/v1/working-groups/{group.pk}/", {"name": "PM"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["team_members"] == [zeina.pk, amal.pk]


def test_working_groups_cannot_move_to_another_plan(world, admin_client):
    response = admin_client.patch(
        f"/api/v1/working-groups/{world.group.pk}/", {"plan": world.other_plan.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"plan": ["A working group cannot move to another plan."]}
    world.group.refresh_from_db()
    assert world.group.plan_id == world.plan.pk


@pytest.mark.parametrize(("role", "status"), [("member", 403), ("viewer", 404), ("outsider", 404)])
def test_working_groups_patch_refused(world, clients, role, status):
    response = clients[role].patch(
        f"/api/v1/working-groups/{world.group.pk}/", {"name": "X"}, format="json"
    )
    assert response.status_code == status
    assert response.json() == (NOT_ALLOWED if status == 403 else NOT_FOUND)
    world.group.refresh_from_db()
    assert world.group.name == "Data Sharing"


def test_working_groups_delete(world, clients, second):
    group = second[0]
    assert clients["member"].delete(f"/api/v1/working-groups/{group.pk}/").status_code == 403
    assert clients["outsider"].delete(f"/api/v1/working-groups/{group.pk}/").status_code == 404
    assert WorkingGroup.objects.filter(pk=group.pk).exists()
    assert clients["coordinator"].delete(f"/api/v1/working-groups/{group.pk}/").status_code == 204
    assert not WorkingGroup.objects.filter(pk=group.pk).exists()


# --- challenges ------------------------------------------------------------------------


def test_challenges_list_per_role(world, clients, second):
    challenge = second[1]
    other = world.other_action_point.challenge
    expected = {
        "admin": [world.challenge.pk, challenge.pk, other.pk],
        "coordinator": [world.challenge.pk, challenge.pk],
        "member": [world.challenge.pk, challenge.pk],
        "viewer": [],
        "outsider": [],
        "member_ro": [world.challenge.pk, challenge.pk],
    }
    assert {role: ids(clients[role].get("/api/v1/challenges/")) for role in expected} == expected
    assert clients["anonymous"].get("/api/v1/challenges/").status_code == 401


def test_challenges_filters(world, admin_client, second):
    group, challenge = second[0], second[1]
    other = world.other_action_point.challenge
    plan = world.plan.pk
    assert ids(admin_client.get(f"/api/v1/challenges/?plan={plan}")) == [
        world.challenge.pk,
        challenge.pk,
    ]
    assert ids(admin_client.get(f"/api/v1/challenges/?working_group={group.pk}")) == [challenge.pk]
    url = f"/api/v1/challenges/?plan={plan}&working_group={world.group.pk}"
    assert ids(admin_client.get(url)) == [world.challenge.pk]
    url = f"/api/v1/challenges/?plan={world.other_plan.pk}&working_group={group.pk}"
    assert ids(admin_client.get(url)) == []
    assert ids(admin_client.get(f"/api/v1/challenges/?plan={world.other_plan.pk}")) == [other.pk]


def test_challenges_filter_hidden_group_is_400(world, member_client):
    group = _other_group(world)
    response = member_client.get(f"/api/v1/challenges/?working_group={group.pk}")
    assert response.status_code == 400
    assert response.json() == {
        "working_group": ["Select a valid choice. That choice is not one of the available choices."]
    }


def test_challenges_retrieve_exact_body(world, member_client):
    response = member_client.get(f"/api/v1/challenges/{world.challenge.pk}/")
    assert response.status_code == 200
    assert response.json() == _challenge_body(world.challenge)
    assert response.json()["description"] == "Lack of tools"


def test_challenges_retrieve_hidden_is_404(world, member_client):
    response = member_client.get(f"/api/v1/challenges/{world.other_action_point.challenge_id}/")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_challenges_create_by_coordinator(world, coordinator_client):
    response = coordinator_client.post(
        "/api/v1/challenges/",
        {"working_group": world.group.pk, "description": "No shared definitions"},
        format="json",
    )
    assert response.status_code == 201
    challenge = Challenge.objects.get(description="No shared definitions")
    assert challenge.number == 2
    assert response.json() == _challenge_body(challenge)


def test_challenges_create_refused(world, clients):
    body = {"working_group": world.group.pk, "description": "Mine"}
    response = clients["member"].post("/api/v1/challenges/", body, format="json")
    assert response.status_code == 403
    assert response.json() == STRUCTURE_ONLY
    response = clients["outsider"].post("/api/v1/challenges/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "working_group": [f'Invalid pk "{world.group.pk}" - object does not exist.']
    }
    assert Challenge.objects.count() == 2


def test_challenges_create_needs_description(world, coordinator_client):
    response = coordinator_client.post(
        "/api/v1/challenges/", {"working_group": world.group.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"description": ["This field is required."]}


def test_challenges_patch(world, clients, second):
    response = clients["coordinator"].patch(
        f"/api/v1/challenges/{world.challenge.pk}/",
        {"description": "Lack of tools."},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == _challenge_body(world.challenge)
    assert world.challenge.description == "Lack of tools."
    response = clients["member"].patch(
        f"/api/v1/challenges/{world.challenge.pk}/", {"description": "X"}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == NOT_ALLOWED
    response = clients["coordinator"].patch(
        f"/api/v1/challenges/{world.challenge.pk}/",
        {"working_group": second[0].pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"working_group": ["A challenge cannot move to another group."]}


def test_challenges_delete(world, clients):
    url = f"/api/v1/challenges/{world.challenge.pk}/"
    assert clients["member"].delete(url).status_code == 403
    assert clients["viewer"].delete(url).status_code == 404
    assert clients["coordinator"].delete(url).status_code == 204
    assert not Challenge.objects.filter(pk=world.challenge.pk).exists()
    assert not ActionPoint.objects.filter(pk=world.action_point.pk).exists()


def test_structure_group_numbers_out_of_range(world, coordinator_client):
    response = coordinator_client.post(
        "/api/v1/working-groups/",
        {"plan": world.plan.pk, "name": "X", "number": 0},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"number": ["Ensure this value is greater than or equal to 1."]}
    response = coordinator_client.post(
        "/api/v1/challenges/",
        {"working_group": world.group.pk, "description": "X", "number": 40000},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"number": ["Ensure this value is less than or equal to 32767."]}


def test_structure_group_of_other_plan_hidden_from_outsider(world, outsider_client):
    group = WorkingGroupFactory(plan=world.other_plan, number=2, name="Hidden")
    assert outsider_client.get(f"/api/v1/working-groups/{group.pk}/").status_code == 404
