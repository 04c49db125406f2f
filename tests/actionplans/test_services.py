"""Services: each state change, its effects, and bad input that writes nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from actionplans.models import (
    ActionPlan,
    ActionPoint,
    Challenge,
    DeadlineChange,
    FocalPoint,
    ProgressUpdate,
    WorkingGroup,
)
from actionplans.selectors import team_members_in_order
from actionplans.services import (
    FocalPointAssignment,
    StaleVersionError,
    action_point_create,
    action_point_reschedule,
    action_point_update,
    challenge_create,
    focal_points_assign,
    plan_create,
    progress_update_create,
    sibling_move,
    working_group_create,
    working_group_update,
)
from tests.factories import (
    ActionPointFactory,
    ChallengeFactory,
    PersonFactory,
    UserFactory,
    WorkingGroupFactory,
)

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return (
        ActionPoint.objects.count(),
        FocalPoint.objects.count(),
        ProgressUpdate.objects.count(),
        DeadlineChange.objects.count(),
        ActionPoint.history.count(),
    )


# --- plans, groups, challenges -------------------------------------------------


def test_plan_create_sets_coordinators():
    user = UserFactory()
    plan = plan_create(title=" PIM Lebanon Action Plan ", country="Lebanon", coordinators=[user])
    assert plan.title == "PIM Lebanon Action Plan"
    assert list(plan.coordinators.all()) == [user]


def test_plan_create_refuses_bad_status_and_writes_nothing():
    with pytest.raises(ValidationError) as excinfo:
        plan_create(title="Plan", status="archived")
    assert list(excinfo.value.message_dict) == ["status"]
    assert ActionPlan.objects.count() == 0


def test_working_group_and_challenge_numbers_follow_on():
    group = WorkingGroupFactory(number=1)
    second = working_group_create(plan=group.plan, name="Protection Monitoring")
    first_challenge = challenge_create(working_group=second, description="Lack of tools")
    next_challenge = challenge_create(working_group=second, description="Trust")
    assert (second.number, first_challenge.number, next_challenge.number) == (2, 1, 2)


def test_working_group_create_refuses_taken_number():
    group = WorkingGroupFactory(number=1)
    with pytest.raises(ValidationError) as excinfo:
        working_group_create(plan=group.plan, number=1, name="Again")
    assert excinfo.value.messages == ["This plan already has a group with this number."]
    assert WorkingGroup.objects.count() == 1


def test_challenge_create_refuses_empty_description():
    group = WorkingGroupFactory()
    with pytest.raises(ValidationError) as excinfo:
        challenge_create(working_group=group, description="   ")
    assert excinfo.value.message_dict == {"description": ["Description is required."]}
    assert Challenge.objects.count() == 0


# --- action_point_create ---------------------------------------------------------


def test_action_point_create_parses_deadline_and_assigns_focal_points():
    challenge = ChallengeFactory()
    fanette, fred = PersonFactory(name="Fanette"), PersonFactory(name="Fred")
    user = UserFactory()

    point = action_point_create(
        challenge=challenge,
        description="Build consent form drafts",
        deadline="Q1 of 2019",
        focal_points=[
            FocalPointAssignment(person=fanette, role="lead"),
            FocalPointAssignment(person=fred, role="advisor", note="can advise"),
        ],
        created_by=user,
    )

    point.refresh_from_db()
    assert (point.position, point.deadline, point.deadline_precision, point.due_date) == (
        1,
        "Q1 of 2019",
        "quarter",
        datetime.date(2019, 3, 31),
    )
    assert (point.status, point.progress, point.version) == ("not_started", 0, 1)
    assert [(fp.person.name, fp.role, fp.note) for fp in point.focal_points.all()] == [
        ("Fanette", "lead", ""),
        ("Fred", "advisor", "can advise"),
    ]
    assert point.history.get().history_user == user


def test_action_point_create_completed_gets_100():
    point = action_point_create(
        challenge=ChallengeFactory(), description="Done already", status="completed", progress=40
    )
    assert (point.status, point.progress) == ("completed", 100)


def test_action_point_create_next_position():
    first = ActionPointFactory(position=1)
    second = action_point_create(challenge=first.challenge, description="Second")
    assert second.position == 2


def test_action_point_create_unreadable_deadline_writes_nothing():
    challenge = ChallengeFactory()
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        action_point_create(
            challenge=challenge,
            description="Raise awareness",
            deadline="next spring",
            focal_points=[FocalPointAssignment(person=PersonFactory())],
        )
    message = excinfo.value.message_dict["deadline"][0]
    assert 'Cannot read the deadline "next spring"' in message
    assert "Q1 2019" in message
    assert _counts() == before


def test_action_point_create_keeps_unreadable_deadline_when_asked():
    point = action_point_create(
        challenge=ChallengeFactory(),
        description="Raise awareness",
        deadline="after the elections",
        keep_unreadable_deadline=True,
    )
    assert (point.deadline, point.deadline_precision, point.due_date) == (
        "after the elections",
        "none",
        None,
    )


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"description": ""}, "description", "Description is required."),
        (
            {"status": "done"},
            "status",
            'Unknown status "done". Use one of: '
            "not_started, in_progress, blocked, completed, cancelled.",
        ),
        ({"progress": 101}, "progress", "Progress must be from 0 to 100, not 101."),
        ({"progress": -5}, "progress", "Progress must be from 0 to 100, not -5."),
        ({"progress": "50"}, "progress", "Progress must be a whole number from 0 to 100."),
        ({"progress": True}, "progress", "Progress must be a whole number from 0 to 100."),
        ({"description": "a\x00b"}, "description", "Description contains a NUL character."),
    ],
)
def test_action_point_create_bad_input_names_the_field(kwargs, field, message):
    challenge = ChallengeFactory()
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        action_point_create(challenge=challenge, **{"description": "Act", **kwargs})
    assert excinfo.value.message_dict == {field: [message]}
    assert _counts() == before


def test_action_point_create_duplicate_focal_point_writes_nothing():
    jad = PersonFactory(name="Jad")
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        action_point_create(
            challenge=ChallengeFactory(),
            description="Act",
            focal_points=[FocalPointAssignment(person=jad), FocalPointAssignment(person=jad)],
        )
    assert excinfo.value.message_dict == {"focal_points": ["Focal point 2: Jad is listed twice."]}
    assert _counts() == before


# --- action_point_update ---------------------------------------------------------


def test_action_point_update_changes_text_and_version():
    point = ActionPointFactory(description="Old")
    user = UserFactory()
    action_point_update(action_point=point, user=user, description="New", expected_version=1)
    point.refresh_from_db()
    assert (point.description, point.version) == ("New", 2)
    assert point.history.latest().history_user == user


def test_action_point_update_stale_version_changes_nothing():
    point = ActionPointFactory(description="Old")
    action_point_update(action_point=point, user=None, description="First save")
    stale = ActionPoint.objects.get(pk=point.pk)
    stale.version = 1  # what a second editor read before the first saved
    with pytest.raises(StaleVersionError) as excinfo:
        action_point_update(
            action_point=stale, user=None, description="Second save", expected_version=1
        )
    assert excinfo.value.current.description == "First save"
    point.refresh_from_db()
    assert (point.description, point.version) == ("First save", 2)


def test_action_point_update_moves_to_other_challenge_of_same_plan():
    point = ActionPointFactory()
    other = ChallengeFactory(working_group=point.challenge.working_group)
    ActionPointFactory(challenge=other, position=1)
    action_point_update(action_point=point, user=None, challenge=other)
    point.refresh_from_db()
    assert (point.challenge_id, point.position) == (other.pk, 2)


def test_action_point_update_refuses_move_to_other_plan():
    point = ActionPointFactory()
    with pytest.raises(ValidationError) as excinfo:
        action_point_update(action_point=point, user=None, challenge=ChallengeFactory())
    assert excinfo.value.message_dict == {
        "challenge": ["An action point cannot move to another plan."]
    }


# --- progress_update_create ------------------------------------------------------


def test_progress_update_sets_status_and_progress():
    point = ActionPointFactory()
    user = UserFactory()
    update = progress_update_create(
        action_point=point,
        author=user,
        status="in_progress",
        progress=50,
        note="Drafts shared with the IMWG",
        evidence_url="https://example.org/minutes.pdf",
    )
    point.refresh_from_db()
    assert (point.status, point.progress, point.version) == ("in_progress", 50, 2)
    assert (update.previous_status, update.previous_progress) == ("not_started", 0)
    assert (update.status, update.progress, update.author) == ("in_progress", 50, user)
    assert update.evidence_url == "https://example.org/minutes.pdf"
    assert point.history.latest().history_user == user


def test_progress_update_completing_sets_100():
    point = ActionPointFactory(status="in_progress", progress=30)
    update = progress_update_create(
        action_point=point, author=None, status="completed", note="Done.", progress=60
    )
    point.refresh_from_db()
    assert (point.status, point.progress) == ("completed", 100)
    assert update.progress == 100


def test_progress_update_reopening_is_recorded():
    point = ActionPointFactory(status="completed", progress=100)
    update = progress_update_create(
        action_point=point, author=None, status="in_progress", progress=80, note="Not finished"
    )
    assert (update.previous_status, update.status, update.progress) == (
        "completed",
        "in_progress",
        80,
    )


def test_progress_update_note_only_keeps_status():
    point = ActionPointFactory(status="blocked", progress=20)
    update = progress_update_create(action_point=point, author=None, note="Waiting for the MoU")
    assert (update.status, update.progress) == ("blocked", 20)


def test_progress_update_updates_the_callers_instance():
    point = ActionPointFactory()
    progress_update_create(action_point=point, author=None, status="in_progress", progress=10)
    assert (point.status, point.progress, point.version) == ("in_progress", 10, 2)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {},
            {
                "__all__": [
                    "Nothing to record: change the status or progress, "
                    "or add a note or evidence link."
                ]
            },
        ),
        (
            {"status": "finished"},
            {
                "status": [
                    'Unknown status "finished". Use one of: '
                    "not_started, in_progress, blocked, completed, cancelled."
                ]
            },
        ),
        ({"progress": 250}, {"progress": ["Progress must be from 0 to 100, not 250."]}),
        (
            {"evidence_url": "ftp://x"},
            {"evidence_url": ['"ftp://x" is not a web address (http:// or https://).']},
        ),
        ({"note": "x" * 5001}, {"note": ["Note is 5001 characters long; the most is 5000."]}),
    ],
)
def test_progress_update_bad_input_writes_nothing(kwargs, expected):
    point = ActionPointFactory()
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        progress_update_create(action_point=point, author=None, **kwargs)
    assert excinfo.value.message_dict == expected
    assert _counts() == before
    point.refresh_from_db()
    assert (point.status, point.progress, point.version) == ("not_started", 0, 1)


def test_progress_update_stale_version_writes_nothing():
    point = ActionPointFactory()
    progress_update_create(action_point=point, author=None, status="in_progress", progress=10)
    before = _counts()
    with pytest.raises(StaleVersionError):
        progress_update_create(action_point=point, author=None, progress=20, expected_version=1)
    assert _counts() == before


# --- action_point_reschedule -----------------------------------------------------


def test_reschedule_records_old_and_new():
    point = action_point_create(
        challenge=ChallengeFactory(), description="Disseminate", deadline="Q1 of 2019"
    )
    user = UserFactory()
    change = action_point_reschedule(
        action_point=point, new_deadline="Q3 2019", reason="Waiting for funding", changed_by=user
    )
    point.refresh_from_db()
    assert (point.deadline, point.deadline_precision, point.due_date, point.version) == (
        "Q3 2019",
        "quarter",
        datetime.date(2019, 9, 30),
        2,
    )
    assert (
        change.old_deadline,
        change.old_due_date,
        change.new_deadline,
        change.new_due_date,
        change.changed_by,
        change.reason,
        change.days_moved,
    ) == (
        "Q1 of 2019",
        datetime.date(2019, 3, 31),
        "Q3 2019",
        datetime.date(2019, 9, 30),
        user,
        "Waiting for funding",
        183,
    )


def test_reschedule_to_ongoing_clears_the_date():
    point = action_point_create(challenge=ChallengeFactory(), description="Act", deadline="2019")
    action_point_reschedule(
        action_point=point, new_deadline="ongoing", reason="Now continuous", changed_by=None
    )
    assert (point.deadline_precision, point.due_date) == ("none", None)


@pytest.mark.parametrize(
    ("new_deadline", "reason", "field", "fragment"),
    [
        ("soonish", "Delay", "deadline", 'Cannot read the deadline "soonish"'),
        ("Q3 2019", "  ", "reason", "Reason is required."),
        ("2019", "Typo", "deadline", 'The deadline is already "2019".'),
    ],
)
def test_reschedule_bad_input_writes_nothing(new_deadline, reason, field, fragment):
    point = action_point_create(challenge=ChallengeFactory(), description="Act", deadline="2019")
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        action_point_reschedule(
            action_point=point, new_deadline=new_deadline, reason=reason, changed_by=None
        )
    assert list(excinfo.value.message_dict) == [field]
    assert fragment in excinfo.value.message_dict[field][0]
    assert _counts() == before
    point.refresh_from_db()
    assert (point.deadline, point.due_date) == ("2019", datetime.date(2019, 12, 31))


# --- focal_points_assign ---------------------------------------------------------


def test_focal_points_assign_replaces_the_set():
    jad, rana, omar = (PersonFactory(name=n) for n in ("Jad", "Rana", "Omar"))
    point = ActionPointFactory()
    focal_points_assign(
        action_point=point,
        assignments=[FocalPointAssignment(jad, "lead"), FocalPointAssignment(rana, "support")],
    )
    focal_points_assign(
        action_point=point,
        assignments=[FocalPointAssignment(rana, "lead"), FocalPointAssignment(omar, "advisor")],
    )
    assert [(fp.person.name, fp.role) for fp in point.focal_points.all()] == [
        ("Rana", "lead"),
        ("Omar", "advisor"),
    ]
    assert point.version == 3
    # Jad's removal is kept in the history.
    assert FocalPoint.history.filter(person_id=jad.pk, history_type="-").count() == 1


def test_focal_points_assign_unchanged_keeps_version():
    jad = PersonFactory(name="Jad")
    point = ActionPointFactory()
    focal_points_assign(action_point=point, assignments=[FocalPointAssignment(jad)])
    focal_points_assign(action_point=point, assignments=[FocalPointAssignment(jad)])
    point.refresh_from_db()
    assert point.version == 2


def test_focal_points_assign_bad_role_writes_nothing():
    jad, rana = PersonFactory(name="Jad"), PersonFactory(name="Rana")
    point = ActionPointFactory()
    focal_points_assign(action_point=point, assignments=[FocalPointAssignment(jad)])
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        focal_points_assign(
            action_point=point,
            assignments=[FocalPointAssignment(rana, "lead"), FocalPointAssignment(jad, "boss")],
        )
    assert excinfo.value.message_dict == {
        "focal_points": ['Focal point 2: unknown role "boss". Use one of: lead, support, advisor.']
    }
    assert _counts() == before
    assert [fp.person.name for fp in point.focal_points.all()] == ["Jad"]


def test_working_group_update_keeps_members_in_the_order_given():
    group = WorkingGroupFactory()
    rana, omar, jad = (PersonFactory(name=n) for n in ("Rana", "Omar", "Jad"))
    working_group_update(
        group=group,
        user=None,
        name=group.name,
        number=group.number,
        team_leader=None,
        team_members=[rana, omar, jad],
    )
    history_before = group.history.count()
    working_group_update(
        group=group,
        user=None,
        name=group.name,
        number=group.number,
        team_leader=None,
        team_members=[jad, rana],
    )
    assert [p.name for p in team_members_in_order([group.pk])[group.pk]] == ["Jad", "Rana"]
    latest = group.history.latest()
    assert sorted(m.person_id for m in latest.team_members.all()) == sorted([jad.pk, rana.pk])
    # The group's own save and one record of the new membership.
    assert group.history.count() == history_before + 2


def test_sibling_move_swaps_positions_and_records_history():
    first = ActionPointFactory(position=1)
    second = ActionPointFactory(challenge=first.challenge, position=2)
    user = UserFactory()

    assert sibling_move(obj=second, direction="up", user=user) is True
    assert sibling_move(obj=second, direction="up", user=user) is False

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.position, first.version, second.position, second.version) == (2, 2, 1, 2)
    latest = second.history.latest()
    assert (latest.position, latest.history_user) == (1, user)


def test_sibling_move_refuses_unknown_direction():
    group = WorkingGroupFactory()
    with pytest.raises(ValidationError) as excinfo:
        sibling_move(obj=group, direction="left")
    assert excinfo.value.message_dict == {"direction": ['Direction must be "up" or "down".']}
