"""/api/v1/action-points/: the plan page's list and filters, and writes by coordinators.

Members see the action points of their plans but change them only through
updates/ (status, progress, notes, evidence); the structure and deadlines are
the coordinators'. Hidden ids are 404 on detail and "not a valid choice" in filters.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from actionplans import services
from actionplans.choices import PlanVisibility
from actionplans.models import ActionPoint, Challenge, DeadlineChange, FocalPoint
from orgs.models import Organization, Person
from tests.api.helpers import BASE, EXAMPLES, NOT_ALLOWED, NOT_FOUND, STRUCTURE_ONLY, ids, iso
from tests.factories import ChallengeFactory, OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db

FIELDS = [
    "id", "url", "plan", "working_group", "challenge", "position", "description", "deadline",
    "due_date", "deadline_precision", "status", "progress", "is_overdue", "priority",
    "pim_categories", "pim_principles", "pim_process_step", "focal_points", "latest_note",
    "latest_evidence_url", "last_update_at", "last_update_by",
    "completed_by", "completed_at", "verified_by", "verified_at",
    "version", "created", "updated",
]  # fmt: skip
INVALID_CHOICE = "Select a valid choice. That choice is not one of the available choices."


@dataclass
class Points:
    """Five action points of the plan, one per status; Rana (UNHCR) carries two."""

    first: ActionPoint  # world.action_point: not started, no deadline, Jad lead
    late: ActionPoint  # in progress, Q1 2019: overdue, Rana lead
    done: ActionPoint  # completed, 15 Feb 2019, Jad support
    blocked: ActionPoint  # blocked, 2099, Rana support (group 2)
    dropped: ActionPoint  # cancelled, April 2019 (group 2)
    group2: object
    challenge2: Challenge
    rana: Person
    unhcr: Organization


def _fp(person, role="lead"):
    return services.FocalPointAssignment(person=person, role=role)


@pytest.fixture
def points(world) -> Points:
    unhcr = OrganizationFactory(name="UN Refugee Agency", acronym="UNHCR")
    rana = PersonFactory(name="Rana", organization=unhcr)
    jad = world.member_person
    late = services.action_point_create(
        challenge=world.challenge,
        description="Share forms with the IMWG",
        deadline="Q1 2019",
        status="in_progress",
        progress=40,
        focal_points=[_fp(rana)],
    )
    done = services.action_point_create(
        challenge=world.challenge,
        description="Map existing tools",
        deadline="15 February 2019",
        status="completed",
        focal_points=[_fp(jad, "support")],
    )
    group2 = services.working_group_create(plan=world.plan, name="Protection Monitoring")
    challenge2 = ChallengeFactory(working_group=group2, number=1, description="No monitoring")
    blocked = services.action_point_create(
        challenge=challenge2,
        description="Agree monitoring forms",
        deadline="2099",
        status="blocked",
        focal_points=[_fp(rana, "support")],
    )
    dropped = services.action_point_create(
        challenge=challenge2,
        description="Hire a consultant",
        deadline="April 2019",
        status="cancelled",
    )
    # Distinct, known last-change times for ?ordering=updated.
    base = timezone.now() - datetime.timedelta(days=10)
    for days, point in enumerate([done, world.action_point, dropped, late, blocked]):
        ActionPoint.objects.filter(pk=point.pk).update(updated=base + datetime.timedelta(days=days))
    return Points(world.action_point, late, done, blocked, dropped, group2, challenge2, rana, unhcr)


def _pks(*objs) -> list[int]:
    return [obj.pk for obj in objs]


# --- list ------------------------------------------------------------------------------


def test_action_points_list_per_role(world, clients, points):
    p = points
    plan = _pks(p.first, p.late, p.done, p.blocked, p.dropped)
    expected = {
        "admin": [*plan, world.other_action_point.pk],
        "coordinator": plan,
        "member": plan,
        "viewer": [],
        "outsider": [],
        "member_ro": plan,
        "coordinator_ro": plan,
    }
    found = {role: ids(clients[role].get("/api/v1/action-points/")) for role in expected}
    assert found == expected
    response = clients["anonymous"].get("/api/v1/action-points/")
    assert response.status_code == 401


def test_action_points_list_signed_in_plan(world, clients, points):
    world.plan.visibility = PlanVisibility.SIGNED_IN
    world.plan.save(update_fields=["visibility"])
    p = points
    plan = _pks(p.first, p.late, p.done, p.blocked, p.dropped)
    assert ids(clients["viewer"].get("/api/v1/action-points/")) == plan
    assert ids(clients["outsider"].get("/api/v1/action-points/")) == plan


def test_action_points_retrieve_exact_body(world, member_client, points):
    point = points.late
    response = member_client.get(f"/api/v1/action-points/{point.pk}/")
    assert response.status_code == 200
    point.refresh_from_db()
    assert response.json() == {
        "id": point.pk,
        "url": f"{BASE}/action-points/{point.pk}/",
        "plan": world.plan.pk,
        "working_group": world.group.pk,
        "challenge": world.challenge.pk,
        "position": 2,
        "description": "Share forms with the IMWG",
        "deadline": "Q1 2019",
        "due_date": "2019-03-31",
        "deadline_precision": "quarter",
        "status": "in_progress",
        "progress": 40,
        "is_overdue": True,
        "priority": "normal",
        "pim_categories": [],
        "pim_principles": [],
        "pim_process_step": None,
        "focal_points": [
            {
                "person": points.rana.pk,
                "name": "Rana",
                "organization": "UNHCR",
                "role": "lead",
                "note": "",
            }
        ],
        # No progress update: nothing to say.
        "latest_note": None,
        "latest_evidence_url": None,
        "last_update_at": None,
        "last_update_by": None,
        # Not completed: no completion nor verification.
        "completed_by": None,
        "completed_at": None,
        "verified_by": None,
        "verified_at": None,
        "version": 1,
        "created": iso(point.created),
        "updated": iso(point.updated),
    }
    assert list(response.json()) == FIELDS


def test_action_points_is_overdue_per_point(world, member_client, points):
    results = member_client.get("/api/v1/action-points/").json()["results"]
    assert {item["id"]: item["is_overdue"] for item in results} == {
        points.first.pk: False,  # no deadline
        points.late.pk: True,  # open, due 2019
        points.done.pk: False,  # completed
        points.blocked.pk: False,  # due 2099
        points.dropped.pk: False,  # cancelled
    }


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("coordinator", 404), ("member", 404), ("viewer", 404), ("anonymous", 401)],
)
def test_action_points_retrieve_other_plan(world, clients, role, status):
    response = clients[role].get(f"/api/v1/action-points/{world.other_action_point.pk}/")
    assert response.status_code == status
    if status == 404:
        assert response.json() == NOT_FOUND


# --- filters ---------------------------------------------------------------------------


def _filter_cases(world, p: Points) -> dict[str, list]:
    return {
        f"plan={world.plan.pk}": [p.first, p.late, p.done, p.blocked, p.dropped],
        f"working_group={p.group2.pk}": [p.blocked, p.dropped],
        f"challenge={world.challenge.pk}": [p.first, p.late, p.done],
        "status=in_progress": [p.late],
        "status=in_progress&status=blocked": [p.late, p.blocked],
        "status=completed&status=cancelled&status=not_started": [p.first, p.done, p.dropped],
        f"focal_point={p.rana.pk}": [p.late, p.blocked],
        f"focal_point={world.member_person.pk}": [p.first, p.done],
        f"organization={p.unhcr.pk}": [p.late, p.blocked],
        "overdue=true": [p.late],
        "overdue=false": [p.first, p.done, p.blocked, p.dropped],
        "due_before=2019-03-31": [p.late, p.done],
        "due_before=2019-03-30": [p.done],
        "due_after=2019-04-01": [p.blocked, p.dropped],
        "due_after=2019-03-01&due_before=2019-04-30": [p.late, p.dropped],
        "q=imwg": [p.first, p.late],
        "q=Rana": [p.late, p.blocked],
        "q=2099": [p.blocked],
        "q=Lack of tools": [p.first, p.late, p.done],
        "q=nothing like this": [],
        "q=%20%20": [p.first, p.late, p.done, p.blocked, p.dropped],
        "ordering=due_date&due_after=2000-01-01": [p.done, p.late, p.dropped, p.blocked],
        "ordering=-due_date&due_after=2000-01-01": [p.blocked, p.dropped, p.late, p.done],
        "ordering=updated": [p.done, p.first, p.dropped, p.late, p.blocked],
        "ordering=-updated": [p.blocked, p.late, p.dropped, p.first, p.done],
        "ordering=status": [p.blocked, p.dropped, p.done, p.late, p.first],
        f"plan={world.plan.pk}&status=blocked&focal_point={p.rana.pk}&overdue=false": [p.blocked],
    }


def test_action_points_filters_member(world, member_client, points):
    for query, expected in _filter_cases(world, points).items():
        response = member_client.get(f"/api/v1/action-points/?{query}")
        assert ids(response) == _pks(*expected), query


def test_action_points_filters_admin_include_other_plan(world, admin_client, points):
    other = world.other_action_point
    url = f"/api/v1/action-points/?plan={world.other_plan.pk}"
    assert ids(admin_client.get(url)) == [other.pk]
    assert ids(admin_client.get("/api/v1/action-points/?status=not_started")) == _pks(
        points.first, other
    )
    assert ids(admin_client.get("/api/v1/action-points/?q=Secret")) == [other.pk]


def test_action_points_overdue_filter_uses_today(world, member_client):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    due_yesterday = services.action_point_create(
        challenge=world.challenge, description="Yesterday", deadline=yesterday.isoformat()
    )
    services.action_point_create(
        challenge=world.challenge, description="Tomorrow", deadline=tomorrow.isoformat()
    )
    assert ids(member_client.get("/api/v1/action-points/?overdue=true")) == [due_yesterday.pk]


def test_action_points_filters_on_hidden_objects_are_400(world, member_client):
    other = world.other_action_point
    stranger = PersonFactory(name="Stranger")
    FocalPoint.objects.create(action_point=other, person=stranger)
    cases = {
        f"plan={world.other_plan.pk}": "plan",
        f"working_group={other.challenge.working_group_id}": "working_group",
        f"challenge={other.challenge_id}": "challenge",
        f"focal_point={stranger.pk}": "focal_point",
    }
    for query, field in cases.items():
        response = member_client.get(f"/api/v1/action-points/?{query}")
        assert response.status_code == 400, query
        assert response.json() == {field: [INVALID_CHOICE]}, query


def test_action_points_filter_outsider_sees_nothing_even_by_id(world, outsider_client):
    response = outsider_client.get(f"/api/v1/action-points/?plan={world.plan.pk}")
    assert response.status_code == 400
    assert response.json() == {"plan": [INVALID_CHOICE]}


def test_action_points_ordering_breaks_ties_by_id(world, member_client):
    # Equal statuses: pages must not overlap, so ties keep a stable order.
    extra = [
        services.action_point_create(challenge=world.challenge, description=f"Point {n}")
        for n in range(4)
    ]
    expected = _pks(world.action_point, *extra)
    pages = [
        ids(member_client.get(f"/api/v1/action-points/?ordering=status&limit=2&offset={n}"))
        for n in (0, 2, 4)
    ]
    assert pages == [expected[0:2], expected[2:4], expected[4:]]


# --- create ----------------------------------------------------------------------------


def test_action_points_create_by_coordinator(world, coordinator_client):
    response = coordinator_client.post(
        "/api/v1/action-points/",
        {
            "challenge": world.challenge.pk,
            "description": "IMWG to draft a data-sharing protocol",
            "deadline": "by end of Q2 2019",
            "focal_points": [
                {"person": world.member_person.pk, "role": "lead"},
            ],
        },
        format="json",
    )
    assert response.status_code == 201
    point = ActionPoint.objects.get(description="IMWG to draft a data-sharing protocol")
    body = response.json()
    assert body["id"] == point.pk
    assert (body["position"], body["deadline"], body["due_date"], body["deadline_precision"]) == (
        2,
        "by end of Q2 2019",
        "2019-06-30",
        "quarter",
    )
    assert (body["status"], body["progress"], body["is_overdue"], body["version"]) == (
        "not_started",
        0,
        True,
        1,
    )
    assert body["focal_points"] == [
        {
            "person": world.member_person.pk,
            "name": "Jad",
            "organization": None,
            "role": "lead",
            "note": "",
        }
    ]
    assert response["Location"] == f"{BASE}/action-points/{point.pk}/"


@pytest.mark.parametrize(
    ("written", "due", "precision"),
    [
        ("2019-03-15", "2019-03-15", "day"),
        ("15/03/2019", "2019-03-15", "day"),
        ("March 2019", "2019-03-31", "month"),
        ("Q1 2019", "2019-03-31", "quarter"),
        ("H1 2019", "2019-06-30", "half"),
        ("2019", "2019-12-31", "year"),
        ("Q1-Q2 2019", "2019-06-30", "quarter"),
        ("ongoing", None, "none"),
        ("", None, "none"),
    ],
)
def test_action_points_create_parses_deadline(world, coordinator_client, written, due, precision):
    response = coordinator_client.post(
        "/api/v1/action-points/",
        {"challenge": world.challenge.pk, "description": "X", "deadline": written},
        format="json",
    )
    assert response.status_code == 201
    assert (response.json()["due_date"], response.json()["deadline_precision"]) == (due, precision)


def test_action_points_create_unreadable_deadline_shows_examples(world, coordinator_client):
    response = coordinator_client.post(
        "/api/v1/action-points/",
        {"challenge": world.challenge.pk, "description": "X", "deadline": "when funds arrive"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "deadline": [
            f'Cannot read the deadline "when funds arrive". Write it as, for example: {EXAMPLES}.'
        ]
    }
    assert ActionPoint.objects.count() == 2


def test_action_points_create_at_taken_position(world, coordinator_client):
    response = coordinator_client.post(
        "/api/v1/action-points/",
        {"challenge": world.challenge.pk, "description": "X", "position": 1},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["This challenge already has an action point here."]
    }


def test_action_points_create_focal_point_twice(world, coordinator_client):
    jad = world.member_person.pk
    response = coordinator_client.post(
        "/api/v1/action-points/",
        {
            "challenge": world.challenge.pk,
            "description": "X",
            "focal_points": [{"person": jad}, {"person": jad, "role": "advisor"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"focal_points": ["Focal point 2: Jad is listed twice."]}


def test_action_points_create_focal_point_bad_role_and_hidden_person(world, coordinator_client):
    stranger = PersonFactory(name="Stranger")
    FocalPoint.objects.create(action_point=world.other_action_point, person=stranger)
    response = coordinator_client.post(
        "/api/v1/action-points/",
        {
            "challenge": world.challenge.pk,
            "description": "X",
            "focal_points": [
                {"person": world.member_person.pk, "role": "boss"},
                {"person": stranger.pk},
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "focal_points": {
            "0": {"role": ['"boss" is not a valid choice.']},
            "1": {"person": [f'Invalid pk "{stranger.pk}" - object does not exist.']},
        }
    }


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_action_points_create_refused(world, clients, role):
    world.plan.visibility = PlanVisibility.SIGNED_IN
    world.plan.save(update_fields=["visibility"])
    response = clients[role].post(
        "/api/v1/action-points/",
        {"challenge": world.challenge.pk, "description": "Mine"},
        format="json",
    )
    assert response.status_code == 403
    assert response.json() == STRUCTURE_ONLY
    assert ActionPoint.objects.count() == 2


def test_action_points_create_under_hidden_challenge(world, coordinator_client):
    challenge = world.other_action_point.challenge_id
    response = coordinator_client.post(
        "/api/v1/action-points/", {"challenge": challenge, "description": "X"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"challenge": [f'Invalid pk "{challenge}" - object does not exist.']}


# --- update ----------------------------------------------------------------------------


def test_action_points_patch_description_by_coordinator(world, coordinator_client):
    point = world.action_point
    response = coordinator_client.patch(
        f"/api/v1/action-points/{point.pk}/",
        {"description": "IMWG to recommend standard tools"},
        format="json",
    )
    assert response.status_code == 200
    point.refresh_from_db()
    assert (point.description, point.version) == ("IMWG to recommend standard tools", 2)
    assert response.json()["description"] == "IMWG to recommend standard tools"
    assert response.json()["version"] == 2


@pytest.mark.parametrize(("role", "status"), [("member", 403), ("viewer", 404), ("outsider", 404)])
def test_action_points_patch_refused(world, clients, role, status):
    point = world.action_point
    response = clients[role].patch(
        f"/api/v1/action-points/{point.pk}/", {"description": "Mine"}, format="json"
    )
    assert response.status_code == status
    assert response.json() == (NOT_ALLOWED if status == 403 else NOT_FOUND)
    point.refresh_from_db()
    assert (point.description, point.version) == ("IMWG to recommend standardized tools", 1)


def test_action_points_patch_status_and_progress_are_read_only(world, coordinator_client):
    point = world.action_point
    response = coordinator_client.patch(
        f"/api/v1/action-points/{point.pk}/",
        {"status": "completed", "progress": 100, "due_date": "2019-01-01", "version": 9},
        format="json",
    )
    assert response.status_code == 200
    point.refresh_from_db()
    assert (point.status, point.progress, point.due_date, point.version) == (
        "not_started",
        0,
        None,
        1,
    )


def test_action_points_patch_deadline_needs_reason(world, coordinator_client):
    point = world.action_point
    response = coordinator_client.patch(
        f"/api/v1/action-points/{point.pk}/", {"deadline": "Q2 2019"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "deadline_reason": ["Say why the deadline moves: it is recorded with the change."]
    }
    point.refresh_from_db()
    assert (point.deadline, point.version) == ("", 1)
    assert DeadlineChange.objects.count() == 0


def test_action_points_patch_deadline_with_reason_is_recorded(world, coordinator_client):
    point = world.action_point
    response = coordinator_client.patch(
        f"/api/v1/action-points/{point.pk}/",
        {"deadline": "Q2 2019", "deadline_reason": "Agreed at the IMWG", "description": "New"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["deadline"], body["due_date"], body["description"]) == (
        "Q2 2019",
        "2019-06-30",
        "New",
    )
    change = DeadlineChange.objects.get()
    assert (change.old_deadline, change.new_deadline, change.reason, change.changed_by) == (
        "",
        "Q2 2019",
        "Agreed at the IMWG",
        world.coordinator,
    )


def test_action_points_patch_unreadable_deadline_changes_nothing(world, coordinator_client):
    point = world.action_point
    response = coordinator_client.patch(
        f"/api/v1/action-points/{point.pk}/",
        {"deadline": "soonish", "deadline_reason": "X", "description": "Changed"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "deadline": [f'Cannot read the deadline "soonish". Write it as, for example: {EXAMPLES}.']
    }
    point.refresh_from_db()
    assert (point.description, point.deadline, point.version) == (
        "IMWG to recommend standardized tools",
        "",
        1,
    )


def test_action_points_patch_same_deadline_needs_no_reason(world, coordinator_client):
    point = world.action_point
    response = coordinator_client.patch(
        f"/api/v1/action-points/{point.pk}/", {"deadline": ""}, format="json"
    )
    assert response.status_code == 200
    assert DeadlineChange.objects.count() == 0


def test_action_points_patch_focal_points(world, coordinator_client, points):
    point = world.action_point
    response = coordinator_client.patch(
        f"/api/v1/action-points/{point.pk}/",
        {
            "focal_points": [
                {"person": points.rana.pk, "role": "lead", "note": "tbc"},
                {"person": world.member_person.pk, "role": "advisor"},
            ]
        },
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["focal_points"] == [
        {
            "person": points.rana.pk,
            "name": "Rana",
            "organization": "UNHCR",
            "role": "lead",
            "note": "tbc",
        },
        {
            "person": world.member_person.pk,
            "name": "Jad",
            "organization": None,
            "role": "advisor",
            "note": "",
        },
    ]
    assert response.json()["version"] == 2


def test_action_points_move_to_other_challenge_of_plan(world, coordinator_client, points):
    point = world.action_point
    response = coordinator_client.patch(
        f"/api/v1/action-points/{point.pk}/", {"challenge": points.challenge2.pk}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["challenge"], response.json()["working_group"]) == (
        points.challenge2.pk,
        points.group2.pk,
    )
    assert response.json()["position"] == 3


def test_action_points_cannot_move_to_other_plan(world, admin_client):
    point = world.action_point
    response = admin_client.patch(
        f"/api/v1/action-points/{point.pk}/",
        {"challenge": world.other_action_point.challenge_id},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"challenge": ["An action point cannot move to another plan."]}
    point.refresh_from_db()
    assert point.challenge_id == world.challenge.pk


# --- delete ----------------------------------------------------------------------------


def test_action_points_delete(world, clients):
    url = f"/api/v1/action-points/{world.action_point.pk}/"
    assert clients["member"].delete(url).status_code == 403
    assert clients["outsider"].delete(url).status_code == 404
    assert ActionPoint.objects.filter(pk=world.action_point.pk).exists()
    assert clients["coordinator"].delete(url).status_code == 204
    assert not ActionPoint.objects.filter(pk=world.action_point.pk).exists()
    response = clients["coordinator"].delete(
        f"/api/v1/action-points/{world.other_action_point.pk}/"
    )
    assert response.status_code == 404


def test_action_points_patch_focal_point_without_person_is_400(world, coordinator_client):
    point = world.action_point
    response = coordinator_client.patch(
        f"/api/v1/action-points/{point.pk}/",
        {"focal_points": [{"role": "support"}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"focal_points": ["Focal point 1: the person is required."]}
    assert list(point.focal_points.values_list("person__name", "role")) == [("Jad", "lead")]


def test_action_points_patch_focal_point_role_defaults_to_lead(world, coordinator_client, points):
    point = world.action_point
    response = coordinator_client.patch(
        f"/api/v1/action-points/{point.pk}/",
        {"focal_points": [{"person": points.rana.pk}]},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["focal_points"] == [
        {
            "person": points.rana.pk,
            "name": "Rana",
            "organization": "UNHCR",
            "role": "lead",
            "note": "",
        }
    ]


def test_action_points_list_puts_together_only_the_choice_filters_it_uses(world):
    # Choices (the plans, groups, people the user may see) cost queries to put
    # together; the API never shows them, so only the filters a request names
    # are kept. A filter left out filters nothing anyway.
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from actionplans.api.views import ActionPointViewSet
    from pim_tracker.api.base import StrictFilterBackend

    def kept(query: str) -> set[str]:
        request = Request(APIRequestFactory().get(f"/api/v1/action-points/?{query}"))
        request.user = world.member
        view = ActionPointViewSet(request=request, action="list", format_kwarg=None)
        filterset = StrictFilterBackend().get_filterset(request, view.get_queryset(), view)
        return set(filterset.filters)

    others = {"status", "overdue", "due_before", "due_after", "q", "ordering"}
    others |= {"pim_category", "pim_principle", "pim_process_step", "priority"}
    assert kept("overdue=true") == others
    assert kept(f"plan={world.plan.pk}&focal_point=1") == {*others, "plan", "focal_point"}
