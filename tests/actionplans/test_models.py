"""Database constraints: each rule that must always hold is refused by the database."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from actionplans.choices import ActionPointStatus, DeadlinePrecision, FocalPointRole
from actionplans.models import ActionPoint, Challenge, DeadlineChange, ProgressUpdate, WorkingGroup
from tests.factories import (
    ActionPlanFactory,
    ActionPointFactory,
    ChallengeFactory,
    FocalPointFactory,
    PersonFactory,
    UserFactory,
    WorkingGroupFactory,
)

pytestmark = pytest.mark.django_db


def _refused(save) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        save()


@pytest.mark.parametrize("progress", [-1, 101, 150])
def test_action_point_progress_out_of_range_is_refused(progress):
    point = ActionPointFactory()
    point.progress = progress
    # PositiveSmallIntegerField refuses -1 on its own; the check refuses > 100.
    _refused(point.save)


def test_action_point_completed_needs_progress_100():
    point = ActionPointFactory(progress=60)
    point.status = ActionPointStatus.COMPLETED
    _refused(point.save)


def test_action_point_completed_with_100_is_accepted():
    point = ActionPointFactory(status=ActionPointStatus.COMPLETED, progress=100)
    assert ActionPoint.objects.get(pk=point.pk).status == "completed"


def test_action_point_position_unique_within_challenge():
    point = ActionPointFactory(position=1)
    _refused(lambda: ActionPointFactory(challenge=point.challenge, position=1))


def test_action_point_same_position_in_other_challenge_is_accepted():
    ActionPointFactory(position=1)
    ActionPointFactory(position=1)
    assert ActionPoint.objects.filter(position=1).count() == 2


def test_action_point_due_date_without_precision_is_refused():
    point = ActionPointFactory()
    point.due_date = datetime.date(2019, 3, 31)
    _refused(point.save)


def test_action_point_precision_without_due_date_is_refused():
    point = ActionPointFactory()
    point.deadline_precision = DeadlinePrecision.QUARTER
    _refused(point.save)


def test_action_point_unknown_status_is_refused():
    point = ActionPointFactory()
    point.status = "done"
    _refused(point.save)


def test_action_point_empty_description_is_refused():
    _refused(lambda: ActionPointFactory(description=""))


def test_action_point_full_clean_names_the_broken_rule():
    point = ActionPointFactory.build(
        challenge=ChallengeFactory(), status=ActionPointStatus.COMPLETED, progress=10
    )
    with pytest.raises(ValidationError) as excinfo:
        point.full_clean()
    assert excinfo.value.messages == ["A completed action point has progress 100."]


def test_working_group_number_unique_within_plan():
    group = WorkingGroupFactory(number=1)
    _refused(lambda: WorkingGroupFactory(plan=group.plan, number=1))


def test_working_group_number_zero_is_refused():
    _refused(lambda: WorkingGroupFactory(number=0))


def test_challenge_number_unique_within_group():
    challenge = ChallengeFactory(number=2)
    _refused(lambda: ChallengeFactory(working_group=challenge.working_group, number=2))


def test_focal_point_person_once_per_action_point():
    focal_point = FocalPointFactory(role=FocalPointRole.LEAD)
    _refused(
        lambda: FocalPointFactory(
            action_point=focal_point.action_point,
            person=focal_point.person,
            role=FocalPointRole.SUPPORT,
        )
    )


def test_focal_point_unknown_role_is_refused():
    _refused(lambda: FocalPointFactory(role="owner"))


def test_focal_points_are_ordered_lead_support_advisor():
    point = ActionPointFactory()
    FocalPointFactory(action_point=point, person=PersonFactory(name="A"), role="advisor")
    FocalPointFactory(action_point=point, person=PersonFactory(name="B"), role="support")
    FocalPointFactory(action_point=point, person=PersonFactory(name="C"), role="lead")
    assert [fp.role for fp in point.focal_points.all()] == ["lead", "support", "advisor"]


def test_progress_update_completed_needs_100():
    point = ActionPointFactory()
    _refused(
        lambda: ProgressUpdate.objects.create(
            action_point=point,
            previous_status="not_started",
            previous_progress=0,
            status="completed",
            progress=90,
        )
    )


def test_progress_update_progress_over_100_is_refused():
    point = ActionPointFactory()
    _refused(
        lambda: ProgressUpdate.objects.create(
            action_point=point,
            previous_status="not_started",
            previous_progress=0,
            status="in_progress",
            progress=101,
        )
    )


def test_deadline_change_needs_a_reason():
    point = ActionPointFactory()
    _refused(
        lambda: DeadlineChange.objects.create(
            action_point=point, old_deadline="2019", new_deadline="2020", reason=""
        )
    )


def test_deadline_change_must_change_the_text():
    point = ActionPointFactory()
    _refused(
        lambda: DeadlineChange.objects.create(
            action_point=point, old_deadline="2019", new_deadline="2019", reason="why not"
        )
    )


def test_deadline_change_days_moved():
    change = DeadlineChange(
        old_due_date=datetime.date(2019, 3, 31), new_due_date=datetime.date(2019, 6, 30)
    )
    assert change.days_moved == 91
    assert (
        DeadlineChange(old_due_date=None, new_due_date=datetime.date(2019, 1, 1)).days_moved is None
    )


def test_plan_empty_title_is_refused():
    _refused(lambda: ActionPlanFactory(title=""))


def test_str_of_each_model():
    plan = ActionPlanFactory(title="PIM Lebanon Action Plan")
    group = WorkingGroupFactory(plan=plan, number=1, name="Data Sharing")
    challenge = ChallengeFactory(working_group=group, number=3, description="Trust")
    point = ActionPointFactory(challenge=challenge, description="x" * 100)
    focal_point = FocalPointFactory(
        action_point=point, person=PersonFactory(name="Fred"), role="advisor"
    )
    assert str(plan) == "PIM Lebanon Action Plan"
    assert str(group) == "Group 1: Data Sharing"
    assert str(challenge) == "3. Trust"
    assert str(point) == "x" * 77 + "..."
    assert str(focal_point) == "Fred (advisor)"
    assert str(DeadlineChange(old_deadline="", new_deadline="2019")) == "no deadline → 2019"


def test_history_keeps_edits_and_deletions():
    user = UserFactory()
    group = WorkingGroupFactory(name="Data Sharing")
    group.name = "Data Sharing and Protection"
    group._history_user = user
    group.save()
    group_id = group.pk
    group.delete()

    records = WorkingGroup.history.filter(id=group_id).order_by("history_date")
    assert [(r.history_type, r.name) for r in records] == [
        ("+", "Data Sharing"),
        ("~", "Data Sharing and Protection"),
        ("-", "Data Sharing and Protection"),
    ]
    assert records[1].history_user == user
    assert Challenge.history.count() == 0


def test_history_records_team_member_changes():
    group = WorkingGroupFactory()
    rana = PersonFactory(name="Rana")
    group.team_members.add(rana)
    latest = group.history.latest()
    assert [member.person_id for member in latest.team_members.all()] == [rana.pk]
