"""/api/v1/plans/: list, retrieve, create, update, delete, and the summary figures.

Everyone signed in lists the plans they may see; coordinators and
administrators change them. A plan you cannot see is a 404, one you see but
cannot change a 403.
"""

import datetime

import pytest
from django.utils import timezone

from actionplans import services
from actionplans.choices import PlanVisibility
from actionplans.models import ActionPlan, ActionPoint
from tests.api.helpers import BASE, NOT_ALLOWED, NOT_FOUND, ids, iso
from tests.factories import WorkingGroupFactory

pytestmark = pytest.mark.django_db


def _body(plan: ActionPlan) -> dict:
    plan.refresh_from_db()
    return {
        "id": plan.pk,
        "url": f"{BASE}/plans/{plan.pk}/",
        "title": plan.title,
        "country": plan.country,
        "origin": plan.origin,
        "status": plan.status,
        "visibility": plan.visibility,
        "coordinators": sorted(user.username for user in plan.coordinators.all()),
        "created": iso(plan.created),
        "updated": iso(plan.updated),
    }


def _open_plan(world) -> None:
    world.plan.visibility = PlanVisibility.SIGNED_IN
    world.plan.save(update_fields=["visibility"])


# --- list and retrieve ---------------------------------------------------------------


def test_plans_list_per_role_members_only(world, clients):
    expected = {
        "admin": [world.other_plan.pk, world.plan.pk],  # by title: "Other plan" first
        "coordinator": [world.plan.pk],
        "member": [world.plan.pk],
        "viewer": [],
        "outsider": [],
        "member_ro": [world.plan.pk],
        "coordinator_ro": [world.plan.pk],
    }
    assert {role: ids(clients[role].get("/api/v1/plans/")) for role in expected} == expected


def test_plans_list_per_role_signed_in_plan(world, clients):
    _open_plan(world)
    expected = {
        "admin": [world.other_plan.pk, world.plan.pk],
        "coordinator": [world.plan.pk],
        "member": [world.plan.pk],
        "viewer": [world.plan.pk],
        "outsider": [world.plan.pk],
    }
    assert {role: ids(clients[role].get("/api/v1/plans/")) for role in expected} == expected


def test_plans_list_anonymous_is_401(anonymous_client):
    assert anonymous_client.get("/api/v1/plans/").status_code == 401


def test_plans_list_body_is_paginated(world, coordinator_client):
    response = coordinator_client.get("/api/v1/plans/")
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [_body(world.plan)],
    }


def test_plans_retrieve_exact_body(world, member_client):
    response = member_client.get(f"/api/v1/plans/{world.plan.pk}/")
    assert response.status_code == 200
    assert response.json() == {
        "id": world.plan.pk,
        "url": f"{BASE}/plans/{world.plan.pk}/",
        "title": "PIM Lebanon Action Plan",
        "country": "Lebanon",
        "origin": "",
        "status": "active",
        "visibility": "members",
        "coordinators": ["coordinator"],
        "created": iso(world.plan.created),
        "updated": iso(world.plan.updated),
    }


@pytest.mark.parametrize(
    ("role", "plan", "status"),
    [
        ("admin", "plan", 200),
        ("admin", "other_plan", 200),
        ("coordinator", "plan", 200),
        ("coordinator", "other_plan", 404),
        ("member", "plan", 200),
        ("member", "other_plan", 404),
        ("viewer", "plan", 404),
        ("outsider", "plan", 404),
        ("member_ro", "plan", 200),
        ("member_ro", "other_plan", 404),
        ("anonymous", "plan", 401),
    ],
)
def test_plans_retrieve_per_role(world, clients, role, plan, status):
    response = clients[role].get(f"/api/v1/plans/{getattr(world, plan).pk}/")
    assert response.status_code == status
    if status == 404:
        assert response.json() == NOT_FOUND


def test_plans_retrieve_hidden_and_missing_look_the_same(world, outsider_client):
    hidden = outsider_client.get(f"/api/v1/plans/{world.other_plan.pk}/")
    missing = outsider_client.get("/api/v1/plans/999999/")
    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())
    assert hidden.json() == NOT_FOUND


def test_plans_filters(world, admin_client):
    world.other_plan.country = "Iraq"
    world.other_plan.status = "closed"
    world.other_plan.save()
    assert ids(admin_client.get("/api/v1/plans/?q=lebanon")) == [world.plan.pk]
    assert ids(admin_client.get("/api/v1/plans/?q=Other")) == [world.other_plan.pk]
    assert ids(admin_client.get("/api/v1/plans/?country=IRAQ")) == [world.other_plan.pk]
    assert ids(admin_client.get("/api/v1/plans/?status=closed")) == [world.other_plan.pk]
    assert ids(admin_client.get("/api/v1/plans/?status=active")) == [world.plan.pk]


def test_plans_filters_never_widen_visibility(world, member_client):
    assert ids(member_client.get("/api/v1/plans/?q=Other")) == []


# --- create --------------------------------------------------------------------------


def test_plans_create_by_coordinator(world, coordinator_client):
    response = coordinator_client.post(
        "/api/v1/plans/",
        {"title": "PIM Iraq Action Plan", "country": "Iraq", "origin": "Erbil, 2019"},
        format="json",
    )
    assert response.status_code == 201
    plan = ActionPlan.objects.get(title="PIM Iraq Action Plan")
    assert response.json() == _body(plan)
    assert response.json()["coordinators"] == ["coordinator"]
    assert (plan.status, plan.visibility) == ("active", "members")
    assert response["Location"] == f"{BASE}/plans/{plan.pk}/"


def test_plans_create_adds_creator_to_listed_coordinators(world, coordinator_client):
    response = coordinator_client.post(
        "/api/v1/plans/",
        {"title": "Joint plan", "coordinators": ["member"], "visibility": "signed_in"},
        format="json",
    )
    assert response.status_code == 201
    assert sorted(response.json()["coordinators"]) == ["coordinator", "member"]
    assert response.json()["visibility"] == "signed_in"


def test_plans_create_by_admin(world, admin_client):
    response = admin_client.post("/api/v1/plans/", {"title": "Admin plan"}, format="json")
    assert response.status_code == 201
    assert response.json()["coordinators"] == ["admin"]


@pytest.mark.parametrize("role", ["member", "viewer", "outsider"])
def test_plans_create_refused_for_non_coordinators(world, clients, role):
    response = clients[role].post("/api/v1/plans/", {"title": "Mine"}, format="json")
    assert response.status_code == 403
    assert response.json() == NOT_ALLOWED
    assert ActionPlan.objects.count() == 2


def test_plans_create_validation_messages(world, coordinator_client):
    response = coordinator_client.post(
        "/api/v1/plans/",
        {"title": "", "status": "finished", "visibility": "public", "coordinators": ["nobody"]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "title": ["This field may not be blank."],
        "status": ['"finished" is not a valid choice.'],
        "visibility": ['"public" is not a valid choice.'],
        "coordinators": ["Object with username=nobody does not exist."],
    }
    assert ActionPlan.objects.count() == 2


def test_plans_create_without_title(world, coordinator_client):
    response = coordinator_client.post("/api/v1/plans/", {}, format="json")
    assert response.status_code == 400
    assert response.json() == {"title": ["This field is required."]}


# --- update --------------------------------------------------------------------------


def test_plans_patch_by_coordinator(world, coordinator_client):
    response = coordinator_client.patch(
        f"/api/v1/plans/{world.plan.pk}/",
        {"title": "PIM Lebanon Action Plan 2019", "status": "closed"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == _body(world.plan)
    assert (world.plan.title, world.plan.status) == ("PIM Lebanon Action Plan 2019", "closed")


def test_plans_put_by_admin_keeps_coordinators(world, admin_client):
    response = admin_client.put(
        f"/api/v1/plans/{world.plan.pk}/",
        {"title": "Renamed", "country": "", "status": "draft", "visibility": "signed_in"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == _body(world.plan)
    assert response.json()["coordinators"] == ["coordinator"]
    assert (world.plan.title, world.plan.country, world.plan.visibility) == (
        "Renamed",
        "",
        "signed_in",
    )


def test_plans_patch_coordinators(world, coordinator_client):
    response = coordinator_client.patch(
        f"/api/v1/plans/{world.plan.pk}/",
        {"coordinators": ["coordinator", "member"]},
        format="json",
    )
    assert response.status_code == 200
    assert sorted(response.json()["coordinators"]) == ["coordinator", "member"]


def test_plans_patch_cannot_remove_every_coordinator(world, coordinator_client):
    response = coordinator_client.patch(
        f"/api/v1/plans/{world.plan.pk}/", {"coordinators": []}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"coordinators": ["A plan needs at least one coordinator."]}
    assert [u.username for u in world.plan.coordinators.all()] == ["coordinator"]


def test_plans_visibility_change_opens_plan_to_viewer(world, coordinator_client, viewer_client):
    assert ids(viewer_client.get("/api/v1/plans/")) == []
    response = coordinator_client.patch(
        f"/api/v1/plans/{world.plan.pk}/", {"visibility": "signed_in"}, format="json"
    )
    assert response.status_code == 200
    assert ids(viewer_client.get("/api/v1/plans/")) == [world.plan.pk]


@pytest.mark.parametrize(
    ("role", "plan", "status"),
    [
        ("member", "plan", 403),
        ("viewer", "plan", 404),
        ("outsider", "plan", 404),
        ("coordinator", "other_plan", 404),
        ("member", "other_plan", 404),
    ],
)
def test_plans_patch_refused(world, clients, role, plan, status):
    target = getattr(world, plan)
    title = target.title
    response = clients[role].patch(f"/api/v1/plans/{target.pk}/", {"title": "X"}, format="json")
    assert response.status_code == status
    assert response.json() == (NOT_ALLOWED if status == 403 else NOT_FOUND)
    target.refresh_from_db()
    assert target.title == title


def test_plans_patch_by_viewer_of_signed_in_plan_is_403(world, viewer_client):
    _open_plan(world)
    response = viewer_client.patch(f"/api/v1/plans/{world.plan.pk}/", {"title": "X"}, format="json")
    assert response.status_code == 403
    assert response.json() == NOT_ALLOWED


def test_plans_admin_patches_any_plan(world, admin_client):
    response = admin_client.patch(
        f"/api/v1/plans/{world.other_plan.pk}/", {"country": "Syria"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["country"] == "Syria"


# --- delete --------------------------------------------------------------------------


def test_plans_delete_by_coordinator(world, coordinator_client):
    response = coordinator_client.delete(f"/api/v1/plans/{world.plan.pk}/")
    assert response.status_code == 204
    assert response.content == b""
    assert list(ActionPlan.objects.values_list("pk", flat=True)) == [world.other_plan.pk]
    assert list(ActionPoint.objects.values_list("pk", flat=True)) == [world.other_action_point.pk]


def test_plans_delete_by_admin(world, admin_client):
    assert admin_client.delete(f"/api/v1/plans/{world.other_plan.pk}/").status_code == 204
    assert list(ActionPlan.objects.values_list("pk", flat=True)) == [world.plan.pk]


@pytest.mark.parametrize(
    ("role", "plan", "status"),
    [
        ("member", "plan", 403),
        ("viewer", "plan", 404),
        ("outsider", "plan", 404),
        ("coordinator", "other_plan", 404),
    ],
)
def test_plans_delete_refused(world, clients, role, plan, status):
    response = clients[role].delete(f"/api/v1/plans/{getattr(world, plan).pk}/")
    assert response.status_code == status
    assert response.json() == (NOT_ALLOWED if status == 403 else NOT_FOUND)
    assert ActionPlan.objects.count() == 2


# --- summary -------------------------------------------------------------------------


@pytest.fixture
def figures(world):
    """Five action points, one per status, in two groups; a third group has none."""
    today = timezone.localdate()
    ActionPoint.objects.filter(pk=world.action_point.pk).update(
        updated=timezone.now() - datetime.timedelta(days=90)
    )  # open and untouched for 90 days: stale
    late = services.action_point_create(
        challenge=world.challenge, description="Late", deadline="Q4 2018", status="in_progress"
    )
    services.action_point_reschedule(
        action_point=late, new_deadline="Q1 2019", reason="Funding", changed_by=None
    )
    services.action_point_create(
        challenge=world.challenge, description="Done", deadline="2019", status="completed"
    )
    group = services.working_group_create(plan=world.plan, name="Protection Monitoring")
    challenge = services.challenge_create(working_group=group, description="No monitoring")
    services.action_point_create(
        challenge=challenge,
        description="Soon",
        deadline=(today + datetime.timedelta(days=10)).isoformat(),
        status="blocked",
    )
    services.action_point_create(challenge=challenge, description="Dropped", status="cancelled")
    empty = WorkingGroupFactory(plan=world.plan, number=3, name="Case Management")
    return group, empty


def test_plans_summary_exact_figures(world, figures, member_client):
    group, empty = figures
    response = member_client.get(f"/api/v1/plans/{world.plan.pk}/summary/")
    assert response.status_code == 200
    counts = dict.fromkeys(["not_started", "in_progress", "blocked", "completed", "cancelled"], 0)
    assert response.json() == {
        "plan": world.plan.pk,
        "as_of": timezone.localdate().isoformat(),
        "total": 5,
        "by_status": dict.fromkeys(counts, 1),
        "completion_rate": 0.25,
        "overdue": 1,
        "due_soon": 1,
        "stale": 1,
        "rescheduled": 1,
        "working_groups": [
            {
                "id": world.group.pk,
                "number": 1,
                "name": "Data Sharing",
                "total": 3,
                "by_status": {**counts, "not_started": 1, "in_progress": 1, "completed": 1},
                "completion_rate": 1 / 3,
                "overdue": 1,
            },
            {
                "id": group.pk,
                "number": 2,
                "name": "Protection Monitoring",
                "total": 2,
                "by_status": {**counts, "blocked": 1, "cancelled": 1},
                "completion_rate": 0.0,
                "overdue": 0,
            },
            {
                "id": empty.pk,
                "number": 3,
                "name": "Case Management",
                "total": 0,
                "by_status": counts,
                "completion_rate": None,
                "overdue": 0,
            },
        ],
    }


@pytest.mark.parametrize(
    ("role", "plan", "status"),
    [
        ("admin", "other_plan", 200),
        ("coordinator", "plan", 200),
        ("coordinator", "other_plan", 404),
        ("member", "other_plan", 404),
        ("viewer", "plan", 404),
        ("outsider", "plan", 404),
        ("member_ro", "plan", 200),
        ("anonymous", "plan", 401),
    ],
)
def test_plans_summary_per_role(world, clients, role, plan, status):
    response = clients[role].get(f"/api/v1/plans/{getattr(world, plan).pk}/summary/")
    assert response.status_code == status


def test_plans_summary_for_viewer_of_signed_in_plan(world, viewer_client):
    _open_plan(world)
    response = viewer_client.get(f"/api/v1/plans/{world.plan.pk}/summary/")
    assert response.status_code == 200
    assert response.json()["total"] == 1


def test_plans_summary_is_read_only(world, coordinator_client):
    response = coordinator_client.post(f"/api/v1/plans/{world.plan.pk}/summary/", {}, format="json")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "POST" not allowed.'}
