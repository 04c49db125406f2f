"""/api/v1/action-points/{id}/updates/ and /reschedule/: the recorded events.

Members post status, progress, notes and evidence on the action points of
their groups or where they are focal point; only coordinators move deadlines.
"""

import pytest

from actionplans import services
from actionplans.choices import PlanVisibility
from actionplans.models import ActionPoint, DeadlineChange, ProgressUpdate
from tests.api.helpers import EXAMPLES, NOT_ALLOWED, NOT_FOUND, ids, iso
from tests.factories import ChallengeFactory, FocalPointFactory, WorkingGroupFactory

pytestmark = pytest.mark.django_db

NOTHING = {
    "non_field_errors": [
        "Nothing to record: change the status or progress, or add a note or evidence link."
    ]
}


def _state(point: ActionPoint) -> tuple:
    point.refresh_from_db()
    return (point.status, point.progress, point.deadline, point.due_date, point.version)


def _written() -> tuple[int, int]:
    return (ProgressUpdate.objects.count(), DeadlineChange.objects.count())


@pytest.fixture
def foreign_point(world) -> ActionPoint:
    """An action point of the same plan in a group Jad has no part in."""
    group = WorkingGroupFactory(plan=world.plan, number=2, name="Protection Monitoring")
    challenge = ChallengeFactory(working_group=group, number=1, description="No monitoring")
    return services.action_point_create(challenge=challenge, description="Share forms")


def _updates_url(point) -> str:
    return f"/api/v1/action-points/{point.pk}/updates/"


def _reschedule_url(point) -> str:
    return f"/api/v1/action-points/{point.pk}/reschedule/"


# --- updates: list -----------------------------------------------------------------------


def test_updates_list_newest_first_exact_body(world, member_client):
    point = world.action_point
    first = services.progress_update_create(
        action_point=point, author=world.member, status="in_progress", progress=20
    )
    second = services.progress_update_create(
        action_point=point, author=world.coordinator, note="Draft shared", progress=50
    )
    response = member_client.get(_updates_url(point))
    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": second.pk,
                "action_point": point.pk,
                "author": "coordinator",
                "created": iso(second.created),
                "previous_status": "in_progress",
                "previous_progress": 20,
                "status": "in_progress",
                "progress": 50,
                "note": "Draft shared",
                "evidence_url": "",
            },
            {
                "id": first.pk,
                "action_point": point.pk,
                "author": "member",
                "created": iso(first.created),
                "previous_status": "not_started",
                "previous_progress": 0,
                "status": "in_progress",
                "progress": 20,
                "note": "",
                "evidence_url": "",
            },
        ],
    }


def test_updates_list_per_role(world, clients):
    point = world.action_point
    update = services.progress_update_create(action_point=point, author=world.member, note="Hi")
    expected = {
        "admin": 200,
        "coordinator": 200,
        "member": 200,
        "viewer": 404,
        "outsider": 404,
        "member_ro": 200,
        "coordinator_ro": 200,
        "anonymous": 401,
    }
    found = {role: clients[role].get(_updates_url(point)).status_code for role in expected}
    assert found == expected
    assert ids(clients["member_ro"].get(_updates_url(point))) == [update.pk]
    assert clients["viewer"].get(_updates_url(point)).json() == NOT_FOUND


def test_updates_list_viewer_of_signed_in_plan(world, viewer_client):
    world.plan.visibility = PlanVisibility.SIGNED_IN
    world.plan.save(update_fields=["visibility"])
    update = services.progress_update_create(
        action_point=world.action_point, author=world.member, note="Hi"
    )
    assert ids(viewer_client.get(_updates_url(world.action_point))) == [update.pk]


def test_updates_list_other_plan_hidden(world, member_client):
    response = member_client.get(_updates_url(world.other_action_point))
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_updates_list_paginates(world, member_client):
    point = world.action_point
    made = [
        services.progress_update_create(action_point=point, author=world.member, note=f"Note {n}")
        for n in range(3)
    ]
    response = member_client.get(f"{_updates_url(point)}?limit=2")
    body = response.json()
    assert (body["count"], [u["id"] for u in body["results"]]) == (3, [made[2].pk, made[1].pk])
    assert body["next"] == f"http://testserver{_updates_url(point)}?limit=2&offset=2"
    assert ids(member_client.get(f"{_updates_url(point)}?limit=2&offset=2")) == [made[0].pk]


# --- updates: post -----------------------------------------------------------------------


def test_updates_post_by_member_exact_body(world, member_client):
    point = world.action_point
    response = member_client.post(
        _updates_url(point),
        {
            "status": "in_progress",
            "progress": 40,
            "note": "Survey of tools under way",
            "evidence_url": "https://example.org/survey",
        },
        format="json",
    )
    assert response.status_code == 201
    update = ProgressUpdate.objects.get()
    assert response.json() == {
        "id": update.pk,
        "action_point": point.pk,
        "author": "member",
        "created": iso(update.created),
        "previous_status": "not_started",
        "previous_progress": 0,
        "status": "in_progress",
        "progress": 40,
        "note": "Survey of tools under way",
        "evidence_url": "https://example.org/survey",
    }
    assert response["ETag"] == f'"actionpoint-{point.pk}-2"'
    assert _state(point) == ("in_progress", 40, "", None, 2)


def test_updates_post_completed_sets_progress_100(world, member_client):
    point = world.action_point
    response = member_client.post(
        _updates_url(point), {"status": "completed", "progress": 10, "note": "Done."}, format="json"
    )
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["progress"]) == ("completed", 100)
    assert _state(point)[:2] == ("completed", 100)


def test_updates_post_reopening_is_recorded(world, member_client):
    point = world.action_point
    services.progress_update_create(
        action_point=point, author=world.member, status="completed", note="Done."
    )
    response = member_client.post(
        _updates_url(point), {"status": "in_progress", "progress": 80}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    before = (body["previous_status"], body["previous_progress"])
    assert (before, (body["status"], body["progress"])) == (("completed", 100), ("in_progress", 80))


def test_updates_post_keeps_what_is_left_out(world, member_client):
    point = world.action_point
    services.progress_update_create(
        action_point=point, author=world.member, status="blocked", progress=30
    )
    response = member_client.post(_updates_url(point), {"note": "Still blocked"}, format="json")
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["progress"]) == ("blocked", 30)


def test_updates_post_focal_point_outside_group(world, member_client, foreign_point):
    FocalPointFactory(action_point=foreign_point, person=world.member_person, role="support")
    response = member_client.post(_updates_url(foreign_point), {"progress": 10}, format="json")
    assert response.status_code == 201
    assert _state(foreign_point)[:2] == ("not_started", 10)


def test_updates_post_by_coordinator_and_admin(world, clients, foreign_point):
    body = {"progress": 10}
    response = clients["coordinator"].post(_updates_url(foreign_point), body, format="json")
    assert response.status_code == 201
    response = clients["admin"].post(_updates_url(world.other_action_point), body, format="json")
    assert response.status_code == 201
    assert [u.author.username for u in ProgressUpdate.objects.order_by("id")] == [
        "coordinator",
        "admin",
    ]


def test_updates_post_member_outside_their_groups_is_403(world, member_client, foreign_point):
    response = member_client.post(_updates_url(foreign_point), {"progress": 10}, format="json")
    assert response.status_code == 403
    assert response.json() == NOT_ALLOWED
    assert _state(foreign_point)[:2] == ("not_started", 0)
    assert _written() == (0, 0)


def test_updates_post_viewer_of_signed_in_plan_is_403(world, viewer_client):
    world.plan.visibility = PlanVisibility.SIGNED_IN
    world.plan.save(update_fields=["visibility"])
    response = viewer_client.post(_updates_url(world.action_point), {"note": "X"}, format="json")
    assert response.status_code == 403
    assert response.json() == NOT_ALLOWED
    assert _written() == (0, 0)


@pytest.mark.parametrize("role", ["viewer", "outsider", "member", "coordinator"])
def test_updates_post_hidden_point_is_404(world, clients, role):
    response = clients[role].post(
        _updates_url(world.other_action_point), {"note": "X"}, format="json"
    )
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert _written() == (0, 0)


def test_updates_post_nothing_to_record(world, member_client):
    point = world.action_point
    for body in ({}, {"status": "not_started", "progress": 0}, {"note": "   "}):
        response = member_client.post(_updates_url(point), body, format="json")
        assert response.status_code == 400
        assert response.json() == NOTHING
    assert _state(point) == ("not_started", 0, "", None, 1)


def test_updates_post_field_errors(world, member_client):
    response = member_client.post(
        _updates_url(world.action_point),
        {"status": "finished", "progress": 101, "evidence_url": "not a link", "note": 5},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "status": ['"finished" is not a valid choice.'],
        "progress": ["Ensure this value is less than or equal to 100."],
        "evidence_url": ["Enter a valid URL."],
    }
    assert _written() == (0, 0)


def test_updates_post_non_web_evidence_link(world, member_client):
    response = member_client.post(
        _updates_url(world.action_point),
        {"evidence_url": "ftp://example.org/report.pdf"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "evidence_url": [
            '"ftp://example.org/report.pdf" is not a web address (http:// or https://).'
        ]
    }


# --- reschedule --------------------------------------------------------------------------


def test_reschedule_by_coordinator_exact_body(world, coordinator_client):
    point = world.action_point
    response = coordinator_client.post(
        _reschedule_url(point),
        {"deadline": "Q2 2019", "reason": "Waiting for funds"},
        format="json",
    )
    assert response.status_code == 201
    change = DeadlineChange.objects.get()
    assert response.json() == {
        "id": change.pk,
        "action_point": point.pk,
        "old_deadline": "",
        "old_due_date": None,
        "new_deadline": "Q2 2019",
        "new_due_date": "2019-06-30",
        "changed_by": "coordinator",
        "changed_at": iso(change.changed_at),
        "reason": "Waiting for funds",
    }
    assert response["ETag"] == f'"actionpoint-{point.pk}-2"'
    point.refresh_from_db()
    assert (point.deadline, point.due_date.isoformat(), point.deadline_precision) == (
        "Q2 2019",
        "2019-06-30",
        "quarter",
    )


def test_reschedule_twice_keeps_history(world, coordinator_client):
    point = world.action_point
    for deadline in ("Q1 2019", "end of 2019"):
        response = coordinator_client.post(
            _reschedule_url(point), {"deadline": deadline, "reason": "Late"}, format="json"
        )
        assert response.status_code == 201
    assert list(
        DeadlineChange.objects.order_by("id").values_list("old_deadline", "new_deadline")
    ) == [("", "Q1 2019"), ("Q1 2019", "end of 2019")]
    assert _state(point)[2:] == ("end of 2019", point.due_date, 3)
    assert point.due_date.isoformat() == "2019-12-31"


def test_reschedule_to_undated(world, coordinator_client):
    point = world.action_point
    services.action_point_reschedule(
        action_point=point, new_deadline="Q1 2019", reason="Set", changed_by=None
    )
    response = coordinator_client.post(
        _reschedule_url(point), {"deadline": "ongoing", "reason": "Continuous"}, format="json"
    )
    assert response.status_code == 201
    assert (response.json()["old_due_date"], response.json()["new_due_date"]) == (
        "2019-03-31",
        None,
    )


@pytest.mark.parametrize(
    ("role", "status"), [("member", 403), ("viewer", 404), ("outsider", 404), ("anonymous", 401)]
)
def test_reschedule_refused(world, clients, role, status):
    point = world.action_point
    response = clients[role].post(
        _reschedule_url(point), {"deadline": "Q2 2019", "reason": "Mine"}, format="json"
    )
    assert response.status_code == status
    if status == 403:
        assert response.json() == NOT_ALLOWED
    if status == 404:
        assert response.json() == NOT_FOUND
    assert _state(point) == ("not_started", 0, "", None, 1)
    assert _written() == (0, 0)


def test_reschedule_viewer_of_signed_in_plan_is_403(world, viewer_client):
    world.plan.visibility = PlanVisibility.SIGNED_IN
    world.plan.save(update_fields=["visibility"])
    response = viewer_client.post(
        _reschedule_url(world.action_point), {"deadline": "2019", "reason": "X"}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == NOT_ALLOWED


def test_reschedule_unreadable_deadline_shows_examples(world, coordinator_client):
    response = coordinator_client.post(
        _reschedule_url(world.action_point),
        {"deadline": "after the elections", "reason": "Politics"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "deadline": [
            f'Cannot read the deadline "after the elections". Write it as, for example: {EXAMPLES}.'
        ]
    }
    assert _written() == (0, 0)


def test_reschedule_needs_reason_and_deadline(world, coordinator_client):
    url = _reschedule_url(world.action_point)
    response = coordinator_client.post(url, {}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "deadline": ["This field is required."],
        "reason": ["This field is required."],
    }
    response = coordinator_client.post(url, {"deadline": "2019", "reason": ""}, format="json")
    assert response.status_code == 400
    assert response.json() == {"reason": ["This field may not be blank."]}
    response = coordinator_client.post(url, {"deadline": "2019", "reason": "  "}, format="json")
    assert response.status_code == 400
    assert response.json() == {"reason": ["This field may not be blank."]}
    assert _written() == (0, 0)


def test_reschedule_to_same_deadline(world, coordinator_client):
    point = world.action_point
    services.action_point_reschedule(
        action_point=point, new_deadline="Q1 2019", reason="Set", changed_by=None
    )
    response = coordinator_client.post(
        _reschedule_url(point), {"deadline": "Q1 2019", "reason": "Again"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"deadline": ['The deadline is already "Q1 2019".']}
    assert DeadlineChange.objects.count() == 1


def test_reschedule_get_not_allowed(world, coordinator_client):
    response = coordinator_client.get(_reschedule_url(world.action_point))
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "GET" not allowed.'}
