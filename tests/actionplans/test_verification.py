"""Verified completion: completing asks what was done; a coordinator other than
the completer verifies it or sends it back to in progress with a reason."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from actionplans import services
from actionplans.choices import ActionPointStatus, PlanStatus
from actionplans.completion import completed_it, completing_update
from actionplans.models import ActionPoint, ProgressUpdate
from actionplans.permissions import can_verify
from tests.factories import ChallengeFactory, PersonFactory, UserFactory
from tests.users import build_world

pytestmark = pytest.mark.django_db

DONE = "Tools agreed at the IMWG of 3 March; minutes shared."
COMPLETED = ActionPointStatus.COMPLETED


@pytest.fixture
def world():
    return build_world()


def _complete(world, user="member", note=DONE, **extra):
    return services.progress_update_create(
        action_point=world.action_point,
        author=world.member if user == "member" else user,
        status=COMPLETED,
        note=note,
        **extra,
    )


def _fields(point):
    point.refresh_from_db()
    return (point.completed_by, point.completed_at is not None, point.verified_by,
            point.verified_at is not None)  # fmt: skip


# --- completing asks what was done ------------------------------------------------------


def test_completing_without_a_note_is_refused_and_writes_nothing(world):
    point = world.action_point
    with pytest.raises(ValidationError) as error:
        _complete(world, note="  ")
    assert error.value.message_dict == {
        "note": ["Say what was done: a note is required to complete an action point."]
    }
    point.refresh_from_db()
    assert (point.status, point.progress, point.version) == ("not_started", 0, 1)
    assert ProgressUpdate.objects.count() == 0


def test_completing_records_who_and_when_and_what_was_done(world):
    update = _complete(world, evidence_url="https://example.org/minutes")
    assert _fields(world.action_point) == (world.member, True, None, False)
    assert world.action_point.progress == 100
    assert completing_update(world.action_point) == update
    assert (update.note, update.evidence_url) == (DONE, "https://example.org/minutes")


def test_a_note_on_a_completed_point_needs_no_new_completion(world):
    _complete(world)
    services.progress_update_create(
        action_point=world.action_point, author=world.coordinator, evidence_url="https://e.org/x"
    )
    # Still completed by the member: a later note does not complete it again.
    assert _fields(world.action_point) == (world.member, True, None, False)


def test_creating_a_completed_point_needs_no_note(world):
    point = services.action_point_create(
        challenge=world.challenge, description="Done before the tracker", status=COMPLETED
    )
    assert (point.status, point.completed_by, point.completed_at) == (COMPLETED, None, None)


def test_reopening_clears_completion_and_verification(world):
    _complete(world)
    services.action_point_verify(action_point=world.action_point, user=world.coordinator)
    services.progress_update_create(
        action_point=world.action_point, author=world.member, status="in_progress", progress=80
    )
    assert _fields(world.action_point) == (None, False, None, False)


def test_a_one_click_completion_by_a_person_without_account(world):
    person = PersonFactory(name="Rana")
    update = _complete(world, user=None, reported_by=person)
    point = world.action_point
    assert _fields(point) == (None, True, None, False)
    assert completing_update(point).reported_by == person
    # Her account, linked later, counts as the completer.
    rana = UserFactory(username="rana")
    person.user = rana
    person.save()
    assert completed_it(rana, point) is True
    assert completed_it(world.coordinator, point) is False
    assert update.author is None


# --- verifying --------------------------------------------------------------------------


def test_a_coordinator_verifies_a_members_completion(world):
    _complete(world)
    version = world.action_point.version
    point = services.action_point_verify(action_point=world.action_point, user=world.coordinator)
    assert _fields(point) == (world.member, True, world.coordinator, True)
    assert point.version == version + 1
    last = point.history.first()
    assert (last.verified_by_id, last.history_user) == (world.coordinator.pk, world.coordinator)


def test_an_administrator_verifies(world):
    _complete(world)
    services.action_point_verify(action_point=world.action_point, user=world.admin)
    assert _fields(world.action_point)[2] == world.admin


@pytest.mark.parametrize(
    ("who", "message"),
    [
        (
            "member",
            "Only the plan's coordinators can verify a completed action point or send it back.",
        ),
        (
            "viewer",
            "Only the plan's coordinators can verify a completed action point or send it back.",
        ),
    ],
)
def test_only_coordinators_verify(world, who, message):
    _complete(world)
    with pytest.raises(PermissionDenied) as error:
        services.action_point_verify(action_point=world.action_point, user=getattr(world, who))
    assert str(error.value) == message
    assert _fields(world.action_point)[2:] == (None, False)


def test_the_completer_may_not_verify_their_own_completion(world):
    _complete(world, user=world.coordinator)
    assert can_verify(world.coordinator, world.action_point) is False
    with pytest.raises(ValidationError) as error:
        services.action_point_verify(action_point=world.action_point, user=world.coordinator)
    assert error.value.messages == [
        "Someone other than the person who completed it must verify it."
    ]
    assert _fields(world.action_point) == (world.coordinator, True, None, False)


def test_a_person_completer_linked_to_a_coordinator_account_may_not_verify(world):
    person = PersonFactory(name="Rana")
    _complete(world, user=None, reported_by=person)
    person.user = world.coordinator
    person.save()
    with pytest.raises(ValidationError) as error:
        services.action_point_verify(action_point=world.action_point, user=world.coordinator)
    assert error.value.messages == [
        "Someone other than the person who completed it must verify it."
    ]


def test_verifying_an_open_point_or_twice_is_refused(world):
    with pytest.raises(ValidationError) as error:
        services.action_point_verify(action_point=world.action_point, user=world.coordinator)
    assert error.value.messages == ["Only a completed action point can be verified or sent back."]
    _complete(world)
    services.action_point_verify(action_point=world.action_point, user=world.coordinator)
    with pytest.raises(ValidationError) as error:
        services.action_point_verify(action_point=world.action_point, user=world.admin)
    assert error.value.messages == ["This action point is verified already."]
    assert _fields(world.action_point)[2] == world.coordinator


def test_verifying_in_a_closed_plan_is_refused(world):
    _complete(world)
    world.plan.status = PlanStatus.CLOSED
    world.plan.save()
    with pytest.raises(ValidationError) as error:
        services.action_point_verify(action_point=world.action_point, user=world.coordinator)
    assert error.value.messages == ["This plan is closed: reopen it before changing it."]


def test_a_stale_version_is_refused(world):
    _complete(world)
    stale = world.action_point.version - 1
    with pytest.raises(services.StaleVersionError):
        services.action_point_verify(
            action_point=world.action_point, user=world.coordinator, expected_version=stale
        )


# --- sending back -----------------------------------------------------------------------


def test_sending_back_reopens_with_the_reason_and_the_progress_before(world):
    services.progress_update_create(
        action_point=world.action_point, author=world.member, status="in_progress", progress=60
    )
    _complete(world)
    services.action_point_verify(action_point=world.action_point, user=world.coordinator)
    update = services.action_point_send_back(
        action_point=world.action_point, user=world.admin, reason=" The minutes are missing. "
    )
    point = world.action_point
    assert (update.status, update.progress, update.note, update.author) == (
        "in_progress",
        60,
        "The minutes are missing.",
        world.admin,
    )
    assert (update.previous_status, update.previous_progress) == (COMPLETED, 100)
    assert (point.status, point.progress) == ("in_progress", 60)
    assert _fields(point) == (None, False, None, False)


def test_sending_back_a_point_completed_at_once_goes_to_90(world):
    services.progress_update_create(
        action_point=world.action_point, author=world.member, status="in_progress", progress=100
    )
    _complete(world)
    update = services.action_point_send_back(
        action_point=world.action_point, user=world.coordinator, reason="Not yet."
    )
    assert (update.status, update.progress) == ("in_progress", 90)


def test_sending_back_a_point_completed_from_not_started_goes_to_90(world):
    _complete(world)  # from 0 %: "no progress" is not where it goes back to
    update = services.action_point_send_back(
        action_point=world.action_point, user=world.coordinator, reason="Not yet."
    )
    assert (update.status, update.progress) == ("in_progress", 90)


def test_sending_back_a_point_created_completed(world):
    point = services.action_point_create(
        challenge=world.challenge, description="Imported as done", status=COMPLETED
    )
    update = services.action_point_send_back(
        action_point=point, user=world.coordinator, reason="No"
    )
    assert (update.status, update.progress) == ("in_progress", 90)


def test_sending_back_needs_a_reason_and_a_completed_point(world):
    _complete(world)
    with pytest.raises(ValidationError) as error:
        services.action_point_send_back(
            action_point=world.action_point, user=world.coordinator, reason=" "
        )
    assert error.value.message_dict == {"reason": ["Reason is required."]}
    services.action_point_send_back(
        action_point=world.action_point, user=world.coordinator, reason="Missing minutes."
    )
    with pytest.raises(ValidationError) as error:
        services.action_point_send_back(
            action_point=world.action_point, user=world.coordinator, reason="Again."
        )
    assert error.value.messages == ["Only a completed action point can be verified or sent back."]
    assert ProgressUpdate.objects.filter(note="Again.").count() == 0


def test_sending_back_by_a_member_or_the_completer_is_refused(world):
    _complete(world, user=world.coordinator)
    with pytest.raises(PermissionDenied):
        services.action_point_send_back(
            action_point=world.action_point, user=world.member, reason="No."
        )
    with pytest.raises(ValidationError) as error:
        services.action_point_send_back(
            action_point=world.action_point, user=world.coordinator, reason="No."
        )
    assert error.value.messages == [
        "Someone other than the person who completed it must send it back: "
        "to reopen your own completion, record a progress update."
    ]
    assert ActionPoint.objects.get(pk=world.action_point.pk).status == COMPLETED


def test_can_verify_per_role(world):
    _complete(world)
    stranger = UserFactory(username="stranger")
    ChallengeFactory().working_group.plan.coordinators.add(stranger)
    assert can_verify(world.coordinator, world.action_point) is True
    assert can_verify(world.admin, world.action_point) is True
    assert can_verify(world.member, world.action_point) is False
    assert can_verify(world.viewer, world.action_point) is False
    assert can_verify(stranger, world.action_point) is False  # another plan's coordinator
