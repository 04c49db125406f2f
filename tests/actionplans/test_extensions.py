"""Deadline extension requests: a member asks for more time, a coordinator
approves (the deadline moves, a DeadlineChange is recorded) or declines with a
note; both sides are notified."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains

from actionplans import services
from actionplans.choices import ActionPointStatus, PlanStatus, PlanVisibility
from actionplans.models import ActionPoint, DeadlineChange, ExtensionRequest
from notifications.choices import Kind
from notifications.models import Notification
from tests.api.helpers import token_client
from tests.factories import (
    ActionPointFactory,
    ChallengeFactory,
    FocalPointFactory,
    PersonFactory,
    UserFactory,
)
from tests.users import build_world

pytestmark = pytest.mark.django_db

REASON = "The funding for the survey arrived late."


@pytest.fixture
def world():
    world = build_world()
    point = world.action_point
    point.deadline, point.due_date, point.deadline_precision = "Q1 2019", "2019-03-31", "quarter"
    point.save()
    return world


def _ask(world, user=None, new_deadline="Q3 2019", reason=REASON, point=None):
    return services.extension_request_create(
        action_point=point or world.action_point,
        user=user or world.member,
        new_deadline=new_deadline,
        reason=reason,
    )


def _decide(request, user, approve, note=""):
    return services.extension_request_decide(request=request, user=user, approve=approve, note=note)


def _notified(kind: str) -> list[tuple[str, int | None]]:
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient", "user_id"),
        key=str,
    )


# --- asking -----------------------------------------------------------------------------


def test_a_member_asks_for_more_time_and_the_coordinators_are_told(world):
    second = UserFactory(username="second-coordinator")
    world.plan.coordinators.add(second)
    request = _ask(world, new_deadline="  Q3 2019 ")
    request.refresh_from_db()
    assert request.status == ExtensionRequest.Status.PENDING
    assert (request.current_deadline, request.new_deadline) == ("Q1 2019", "Q3 2019")
    assert request.new_due_date == datetime.date(2019, 9, 30)
    assert request.reason == REASON
    assert request.requested_by == world.member
    assert (request.decided_by, request.decided_at, request.deadline_change) == (None, None, None)
    # The deadline itself does not move until a coordinator approves.
    world.action_point.refresh_from_db()
    assert world.action_point.deadline == "Q1 2019"
    assert DeadlineChange.objects.count() == 0

    assert _notified(Kind.EXTENSION_REQUESTED) == [
        ("coordinator@example.org", world.coordinator.pk),
        ("second-coordinator@example.org", second.pk),
    ]
    notification = Notification.objects.filter(kind=Kind.EXTENSION_REQUESTED).first()
    assert notification.action_point_id == world.action_point.pk
    assert notification.plan_id == world.plan.pk
    assert notification.detail == {
        "current": "Q1 2019",
        "new": "Q3 2019",
        "reason": REASON,
        "by": "Jad",
    }


def test_a_focal_point_outside_the_group_may_ask(world):
    helper = UserFactory(username="helper")
    FocalPointFactory(
        action_point=world.action_point, person=PersonFactory(name="Fred", user=helper)
    )
    assert _ask(world, user=helper).requested_by == helper


def test_a_coordinator_may_ask_too(world):
    """The service follows the update rule; the page offers coordinators the
    reschedule form instead."""
    request = _ask(world, user=world.coordinator)
    assert request.requested_by == world.coordinator
    assert _notified(Kind.EXTENSION_REQUESTED) == []  # nobody to tell but themselves


@pytest.mark.parametrize("role", ["viewer", "outsider"])
def test_people_who_may_not_update_may_not_ask(world, role):
    with pytest.raises(PermissionDenied):
        _ask(world, user=getattr(world, role))
    assert ExtensionRequest.objects.count() == 0


def test_a_member_of_another_group_may_not_ask(world):
    other = ActionPointFactory(
        challenge=ChallengeFactory(working_group=world.other_plan.working_groups.get())
    )
    with pytest.raises(PermissionDenied):
        _ask(world, point=other)


def test_a_closed_plan_refuses(world):
    world.plan.status = PlanStatus.CLOSED
    world.plan.save()
    with pytest.raises(ValidationError) as caught:
        _ask(world)
    assert caught.value.messages == ["This plan is closed: reopen it before changing it."]
    assert ExtensionRequest.objects.count() == 0


@pytest.mark.parametrize(
    ("status", "word"),
    [(ActionPointStatus.COMPLETED, "completed"), (ActionPointStatus.CANCELLED, "cancelled")],
)
def test_completed_and_cancelled_points_refuse(world, status, word):
    ActionPoint.objects.filter(pk=world.action_point.pk).update(
        status=status, progress=100 if status == ActionPointStatus.COMPLETED else 0
    )
    with pytest.raises(ValidationError) as caught:
        _ask(world)
    assert caught.value.messages == [
        f"This action point is {word}: its deadline no longer needs more time."
    ]


@pytest.mark.parametrize("status", ["not_started", "in_progress", "blocked"])
def test_open_points_accept(world, status):
    ActionPoint.objects.filter(pk=world.action_point.pk).update(status=status)
    assert _ask(world).status == "pending"


def test_an_unreadable_deadline_is_refused_on_its_field(world):
    with pytest.raises(ValidationError) as caught:
        _ask(world, new_deadline="when the rains stop")
    [message] = caught.value.message_dict["new_deadline"]
    assert "when the rains stop" in message
    assert list(caught.value.message_dict) == ["new_deadline"]


@pytest.mark.parametrize("same", ["Q1 2019", " q1  2019 "])
def test_the_same_deadline_is_refused(world, same):
    with pytest.raises(ValidationError) as caught:
        _ask(world, new_deadline=same)
    assert caught.value.message_dict == {"new_deadline": ["The deadline is already “Q1 2019”."]}


def test_an_empty_deadline_or_reason_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        _ask(world, new_deadline="  ")
    assert caught.value.message_dict == {"new_deadline": ["New deadline is required."]}
    with pytest.raises(ValidationError) as caught:
        _ask(world, reason=" ")
    assert caught.value.message_dict == {"reason": ["Reason is required."]}


def test_a_written_deadline_with_words_is_read_like_everywhere(world):
    request = _ask(world, new_deadline="end of September 2019")
    assert request.new_due_date == datetime.date(2019, 9, 30)


def test_one_request_waits_at_a_time(world):
    first = _ask(world)
    helper = UserFactory(username="helper")
    FocalPointFactory(action_point=world.action_point, person=PersonFactory(user=helper))
    with pytest.raises(ValidationError) as caught:
        _ask(world, user=helper, new_deadline="2020")
    assert caught.value.messages == [
        "A request to move this deadline to “Q3 2019” (asked by Jad) is already waiting "
        "for a decision."
    ]
    assert list(ExtensionRequest.objects.values_list("pk", flat=True)) == [first.pk]
    _decide(first, world.coordinator, approve=False, note="Not now.")
    second = _ask(world, user=helper, new_deadline="2020")
    assert second.status == "pending"


def test_the_database_refuses_a_second_waiting_request(world):
    """The constraint behind the rule, should two requests ever race past the check."""
    _ask(world)
    duplicate = ExtensionRequest(
        action_point=world.action_point,
        new_deadline="2020",
        reason="Race",
        requested_by=world.member,
    )
    with pytest.raises(ValidationError) as caught:
        duplicate.full_clean()
    assert caught.value.messages == ["A request for this action point is already waiting."]


# --- deciding ----------------------------------------------------------------------------


def test_approval_moves_the_deadline_and_records_the_change(world):
    request = _ask(world)
    decided = _decide(request, world.coordinator, approve=True, note="Fine, last time.")
    assert decided is request
    request.refresh_from_db()
    assert request.status == ExtensionRequest.Status.APPROVED
    assert request.decided_by == world.coordinator
    assert request.decided_at is not None
    assert request.decision_note == "Fine, last time."

    point = ActionPoint.objects.get(pk=world.action_point.pk)
    assert (point.deadline, point.due_date) == ("Q3 2019", datetime.date(2019, 9, 30))
    [change] = DeadlineChange.objects.all()
    assert request.deadline_change == change
    assert (change.old_deadline, change.new_deadline) == ("Q1 2019", "Q3 2019")
    assert (change.old_due_date, change.new_due_date) == (
        datetime.date(2019, 3, 31),
        datetime.date(2019, 9, 30),
    )
    assert change.changed_by == world.coordinator
    assert change.reason == f"Extension asked by Jad: {REASON}\nDecision: Fine, last time."
    assert change.days_moved == 183


def test_approval_tells_the_requester(world):
    request = _ask(world)
    _decide(request, world.coordinator, approve=True)
    assert _notified(Kind.EXTENSION_DECIDED) == [("member@example.org", world.member.pk)]
    notification = Notification.objects.get(kind=Kind.EXTENSION_DECIDED)
    assert notification.detail == {
        "approved": True,
        "new": "Q3 2019",
        "note": "",
        "by": "coordinator",
    }
    assert DeadlineChange.objects.get().reason == f"Extension asked by Jad: {REASON}"


def test_decline_needs_a_note_and_keeps_the_deadline(world):
    request = _ask(world)
    with pytest.raises(ValidationError) as caught:
        _decide(request, world.coordinator, approve=False, note="  ")
    assert caught.value.message_dict == {
        "note": ["Say why you decline: the note goes to the person who asked."]
    }
    assert ExtensionRequest.objects.get().status == "pending"

    _decide(request, world.coordinator, approve=False, note="The donor report is due in June.")
    request.refresh_from_db()
    assert request.status == ExtensionRequest.Status.DECLINED
    assert request.decision_note == "The donor report is due in June."
    assert request.deadline_change is None
    assert ActionPoint.objects.get(pk=world.action_point.pk).deadline == "Q1 2019"
    assert DeadlineChange.objects.count() == 0
    notification = Notification.objects.get(kind=Kind.EXTENSION_DECIDED)
    assert (notification.recipient, notification.user_id) == ("member@example.org", world.member.pk)
    assert notification.detail["approved"] is False
    assert notification.detail["note"] == "The donor report is due in June."


def test_an_administrator_may_decide(world):
    request = _ask(world)
    _decide(request, world.admin, approve=True)
    assert ExtensionRequest.objects.get().decided_by == world.admin


@pytest.mark.parametrize("role", ["member", "viewer", "outsider"])
def test_only_coordinators_decide(world, role):
    request = _ask(world)
    with pytest.raises(PermissionDenied):
        _decide(request, getattr(world, role), approve=True)
    assert ExtensionRequest.objects.get().status == "pending"
    assert DeadlineChange.objects.count() == 0


def test_a_request_is_decided_once(world):
    request = _ask(world)
    _decide(request, world.coordinator, approve=True)
    stale = ExtensionRequest.objects.get(pk=request.pk)
    stale.status = "pending"  # a copy read before the decision
    with pytest.raises(ValidationError) as caught:
        _decide(stale, world.coordinator, approve=False, note="No")
    assert caught.value.messages == ["This request was approved already."]
    assert DeadlineChange.objects.count() == 1


def test_a_closed_plan_refuses_decisions(world):
    request = _ask(world)
    world.plan.status = PlanStatus.CLOSED
    world.plan.save()
    with pytest.raises(ValidationError) as caught:
        _decide(request, world.coordinator, approve=True)
    assert caught.value.messages == ["This plan is closed: reopen it before changing it."]
    assert ExtensionRequest.objects.get().status == "pending"


def test_approval_when_the_deadline_was_already_moved_records_no_second_change(world):
    request = _ask(world)
    services.action_point_reschedule(
        action_point=world.action_point,
        new_deadline="Q3 2019",
        reason="Moved at the meeting",
        changed_by=world.coordinator,
    )
    _decide(request, world.coordinator, approve=True)
    request.refresh_from_db()
    assert request.status == "approved"
    assert request.deadline_change is None
    assert DeadlineChange.objects.count() == 1


def test_a_long_reason_and_note_fit_the_recorded_change(world):
    request = _ask(world, reason="x" * 2000)
    _decide(request, world.coordinator, approve=True, note="y" * 2000)
    reason = DeadlineChange.objects.get().reason
    assert len(reason) == 2000
    assert reason.startswith("Extension asked by Jad: xxx")
    assert reason.endswith("…")


# --- pages ------------------------------------------------------------------------------


def _point_url(world) -> str:
    return f"/action-points/{world.action_point.pk}/"


def _ask_url(world) -> str:
    return f"/action-points/{world.action_point.pk}/extension/"


def _decide_url(request) -> str:
    return f"/extension-requests/{request.pk}/decide/"


def test_a_member_sees_the_ask_form(client, world):
    client.force_login(world.member)
    response = client.get(_point_url(world))
    assertContains(response, "Ask for more time")
    assertContains(response, f'action="{_ask_url(world)}"')
    assertNotContains(response, "Approve")


def test_a_coordinator_sees_no_ask_form_but_decides(client, world):
    client.force_login(world.coordinator)
    assertNotContains(client.get(_point_url(world)), "Ask for more time")
    request = _ask(world)
    response = client.get(_point_url(world))
    assertContains(response, '<span dir="auto">Jad</span> asked on')
    assertContains(response, 'to “<span dir="auto">Q3 2019</span>”')
    assertContains(response, f'action="{_decide_url(request)}"')
    assertContains(response, 'name="decision" value="approve"')
    assertContains(response, 'name="decision" value="decline"')


def test_a_viewer_sees_nothing_of_requests(client):
    world = build_world(visibility=PlanVisibility.SIGNED_IN)
    _ask(world)
    client.force_login(world.viewer)
    response = client.get(_point_url(world))
    assert response.status_code == 200
    assertNotContains(response, "More time")
    assertNotContains(response, REASON)


def test_the_member_sees_their_waiting_and_decided_requests(client, world):
    request = _ask(world)
    client.force_login(world.member)
    response = client.get(_point_url(world))
    assertContains(response, "Waiting for a decision")
    assertNotContains(response, "Ask for more time")  # one waits already
    _decide(request, world.coordinator, approve=False, note="Keep the date.")
    response = client.get(_point_url(world))
    assertContains(response, "Declined")
    assertContains(response, "Keep the date.")
    assertContains(response, "Ask for more time")


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 302), ("coordinator", 302), ("member", 302), ("viewer", 404), ("outsider", 404)],
)
def test_asking_from_the_page(client, world, role, status):
    client.force_login(getattr(world, role))
    response = client.post(_ask_url(world), {"new_deadline": "Q3 2019", "reason": REASON})
    assert response.status_code == status
    assert ExtensionRequest.objects.count() == (1 if status == 302 else 0)
    if status == 302:
        assert response["Location"] == f"{_point_url(world)}#extension"


def test_a_viewer_who_sees_the_plan_gets_403(client):
    world = build_world(visibility=PlanVisibility.SIGNED_IN)
    client.force_login(world.viewer)
    response = client.post(_ask_url(world), {"new_deadline": "Q3 2019", "reason": REASON})
    assert response.status_code == 403


def test_ask_errors_stay_on_their_fields_with_what_was_typed(client, world):
    client.force_login(world.member)
    response = client.post(_ask_url(world), {"new_deadline": "after Ramadan", "reason": ""})
    assert response.status_code == 200
    form = response.context["extension_panel"].ask_form
    assert set(form.errors) == {"new_deadline", "reason"}
    assertContains(response, 'value="after Ramadan"')
    response = client.post(_ask_url(world), {"new_deadline": "Q1 2019", "reason": REASON})
    form = response.context["extension_panel"].ask_form
    assert form.errors == {"new_deadline": ["The deadline is already “Q1 2019”."]}
    assertContains(response, REASON)
    assert ExtensionRequest.objects.count() == 0


def test_a_refusal_the_form_cannot_show_is_a_message(client, world):
    _ask(world)
    helper = UserFactory(username="helper")
    FocalPointFactory(action_point=world.action_point, person=PersonFactory(user=helper))
    client.force_login(helper)
    response = client.post(_ask_url(world), {"new_deadline": "2020", "reason": REASON})
    assertContains(response, "is already waiting for a decision.")
    assert ExtensionRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 302), ("coordinator", 302), ("member", 403), ("viewer", 404), ("outsider", 404)],
)
def test_deciding_from_the_page(client, world, role, status):
    request = _ask(world)
    client.force_login(getattr(world, role))
    response = client.post(_decide_url(request), {"decision": "approve", "note": ""})
    assert response.status_code == status
    request.refresh_from_db()
    assert request.status == ("approved" if status == 302 else "pending")
    if status == 302:
        assert ActionPoint.objects.get(pk=world.action_point.pk).deadline == "Q3 2019"


def test_declining_without_a_note_keeps_the_form(client, world):
    request = _ask(world)
    client.force_login(world.coordinator)
    response = client.post(_decide_url(request), {"decision": "decline", "note": ""})
    assert response.status_code == 200
    form = response.context["extension_panel"].decide_form
    assert form.errors == {"note": ["Say why you decline: the note goes to the person who asked."]}
    assert ExtensionRequest.objects.get().status == "pending"
    response = client.post(
        _decide_url(request),
        {"decision": "decline", "note": "No", "next": f"/plans/{world.plan.pk}/"},
    )
    assert response["Location"] == f"/plans/{world.plan.pk}/"
    assert ExtensionRequest.objects.get().status == "declined"


def test_deciding_twice_from_the_page_says_so(client, world):
    request = _ask(world)
    client.force_login(world.coordinator)
    client.post(_decide_url(request), {"decision": "approve"})
    response = client.post(_decide_url(request), {"decision": "approve"}, follow=True)
    assertContains(response, "This request was approved already.")
    assert DeadlineChange.objects.count() == 1


def test_an_unknown_request_is_404(client, world):
    client.force_login(world.coordinator)
    assert (
        client.post("/extension-requests/999/decide/", {"decision": "approve"}).status_code == 404
    )


def test_the_plan_page_counts_waiting_requests_for_coordinators(client, world):
    client.force_login(world.coordinator)
    requests_url = f"/plans/{world.plan.pk}/extension-requests/"
    assertNotContains(client.get(f"/plans/{world.plan.pk}/"), requests_url)
    _ask(world)
    response = client.get(f"/plans/{world.plan.pk}/")
    assertContains(response, "1 request for more time waiting")
    assertContains(response, f'href="{requests_url}"')
    client.force_login(world.member)
    assertNotContains(client.get(f"/plans/{world.plan.pk}/"), "request for more time")


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("coordinator", 200), ("member", 403), ("viewer", 404), ("outsider", 404)],
)
def test_the_plans_waiting_requests_page(client, world, role, status):
    _ask(world)
    client.force_login(getattr(world, role))
    response = client.get(f"/plans/{world.plan.pk}/extension-requests/")
    assert response.status_code == status
    if status == 200:
        assert [r.new_deadline for r in response.context["waiting"]] == ["Q3 2019"]
        assertContains(response, REASON)


def _grow(world, start: int, stop: int) -> None:
    for n in range(start, stop):
        point = ActionPointFactory(challenge=world.challenge, deadline="", description=f"P{n}")
        requester = UserFactory()
        FocalPointFactory(action_point=point, person=PersonFactory(user=requester))
        _ask(world, user=requester, point=point, new_deadline=f"{2020 + n}")


def test_waiting_requests_page_query_count_does_not_grow(client, world):
    client.force_login(world.coordinator)
    url = f"/plans/{world.plan.pk}/extension-requests/"
    _grow(world, 0, 2)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _grow(world, 2, 12)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert len(response.context["waiting"]) == 12
    assert len(large) == len(small)


# --- the API ------------------------------------------------------------------------------


def _api(user):
    return token_client(user)


def _api_url(world, tail: str = "") -> str:
    return f"/api/v1/action-points/{world.action_point.pk}/extension-requests/{tail}"


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 201), ("coordinator", 201), ("member", 201), ("viewer", 404), ("outsider", 404)],
)
def test_api_ask(world, role, status):
    response = _api(getattr(world, role)).post(
        _api_url(world), {"new_deadline": "Q3 2019", "reason": REASON}, format="json"
    )
    assert response.status_code == status, response.content
    if status == 201:
        body = response.json()
        request = ExtensionRequest.objects.get()
        assert body["id"] == request.pk
        assert body["status"] == "pending"
        assert (body["current_deadline"], body["new_deadline"]) == ("Q1 2019", "Q3 2019")
        assert body["new_due_date"] == "2019-09-30"
        assert body["requested_by"] == role
        assert (body["decided_by"], body["deadline_change"]) == (None, None)
    else:
        assert ExtensionRequest.objects.count() == 0


def test_api_ask_errors_name_their_fields(world):
    client = _api(world.member)
    response = client.post(
        _api_url(world), {"new_deadline": "Q1 2019", "reason": REASON}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"new_deadline": ["The deadline is already “Q1 2019”."]}
    _ask(world)
    response = client.post(_api_url(world), {"new_deadline": "2020", "reason": "x"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "A request to move this deadline to “Q3 2019” (asked by Jad) is already waiting "
            "for a decision."
        ]
    }


def test_api_viewer_of_a_visible_plan_gets_403():
    world = build_world(visibility=PlanVisibility.SIGNED_IN)
    response = _api(world.viewer).post(
        _api_url(world), {"new_deadline": "Q3 2019", "reason": REASON}, format="json"
    )
    assert response.status_code == 403
    response = _api(world.viewer).get(_api_url(world))
    assert (response.status_code, response.json()["results"]) == (200, [])


def test_api_lists_what_each_role_may_see(world):
    helper = UserFactory(username="helper")
    FocalPointFactory(action_point=world.action_point, person=PersonFactory(user=helper))
    first = _ask(world, user=helper, new_deadline="2020")
    _decide(first, world.coordinator, approve=False, note="No")
    second = _ask(world)
    ids = {
        role: [item["id"] for item in _api(user).get(_api_url(world)).json()["results"]]
        for role, user in [("coordinator", world.coordinator), ("member", world.member)]
    }
    assert ids == {"coordinator": [second.pk, first.pk], "member": [second.pk]}
    assert [i["id"] for i in _api(helper).get(_api_url(world)).json()["results"]] == [
        second.pk,
        first.pk,
    ]


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("coordinator", 200), ("member", 403), ("viewer", 404), ("outsider", 404)],
)
def test_api_decide(world, role, status):
    request = _ask(world)
    response = _api(getattr(world, role)).post(
        _api_url(world, "decide/"), {"approve": True, "note": "OK"}, format="json"
    )
    assert response.status_code == status, response.content
    request.refresh_from_db()
    if status == 200:
        body = response.json()
        assert (body["id"], body["status"], body["decided_by"]) == (request.pk, "approved", role)
        assert body["deadline_change"] == DeadlineChange.objects.get().pk
        assert ActionPoint.objects.get(pk=world.action_point.pk).deadline == "Q3 2019"
    else:
        assert request.status == "pending"


def test_api_decline_needs_a_note_and_something_waiting(world):
    client = _api(world.coordinator)
    response = client.post(_api_url(world, "decide/"), {"approve": False}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["No request for more time is waiting on this action point."]
    }
    _ask(world)
    response = client.post(_api_url(world, "decide/"), {"approve": False}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "note": ["Say why you decline: the note goes to the person who asked."]
    }
    response = client.post(
        _api_url(world, "decide/"), {"approve": False, "note": "Not now"}, format="json"
    )
    assert (response.status_code, response.json()["status"]) == (200, "declined")


def test_api_read_only_token_may_not_ask(world):
    response = token_client(world.member, read_only=True).post(
        _api_url(world), {"new_deadline": "Q3 2019", "reason": REASON}, format="json"
    )
    assert response.status_code == 403
    assert ExtensionRequest.objects.count() == 0
