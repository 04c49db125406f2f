"""`generate_data`: realistic, deterministic synthetic plans for benchmarks."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from actionplans.choices import ActionPointStatus, DeadlinePrecision, FocalPointRole
from actionplans.models import (
    ActionPlan,
    ActionPoint,
    Challenge,
    DeadlineChange,
    FocalPoint,
    ProgressUpdate,
    WorkingGroup,
)
from orgs.models import Organization, Person

pytestmark = pytest.mark.django_db


def _generate(*args: str) -> str:
    out = io.StringIO()
    call_command("generate_data", *args, stdout=out)
    return out.getvalue()


def _snapshot() -> list[tuple]:
    return list(
        ActionPoint.objects.order_by("id").values_list(
            "challenge__working_group__plan__title",
            "challenge__working_group__number",
            "challenge__number",
            "position",
            "description",
            "deadline",
            "due_date",
            "status",
            "progress",
        )
    )


def test_generate_data_writes_exactly_what_it_says():
    output = _generate("--plans", "4", "--action-points", "600", "--seed", "3")

    assert ActionPlan.objects.count() == 4
    assert ActionPoint.objects.count() == 600
    assert Person.objects.count() == 30
    assert Organization.objects.count() == 17
    counts = (
        f"4 plans, {WorkingGroup.objects.count()} working groups, "
        f"{Challenge.objects.count()} challenges, 600 action points, "
        f"{FocalPoint.objects.count()} focal points, "
        f"{ProgressUpdate.objects.count()} progress updates, "
        f"{DeadlineChange.objects.count()} deadline changes, 30 people, 17 new organizations."
    )
    assert output.startswith("Generated in ") and output.strip().endswith(counts)


def test_generate_data_covers_every_status_precision_and_role():
    _generate("--plans", "3", "--action-points", "500", "--seed", "1")

    assert set(ActionPoint.objects.values_list("status", flat=True)) == set(
        ActionPointStatus.values
    )
    precisions = set(ActionPoint.objects.values_list("deadline_precision", flat=True))
    assert precisions >= set(DeadlinePrecision.values) - {DeadlinePrecision.NONE}
    assert set(FocalPoint.objects.values_list("role", flat=True)) == set(FocalPointRole.values)
    # Completed means 100 %, and every open point has progress below 100.
    assert not ActionPoint.objects.filter(status="completed").exclude(progress=100).exists()
    # Positions within each challenge run 1, 2, 3, ...
    for challenge in Challenge.objects.annotate(n=Count("action_points")).filter(n__gt=0):
        positions = list(challenge.action_points.order_by("position").values_list("position"))
        assert [p for (p,) in positions] == list(range(1, challenge.n + 1))


def test_each_plan_draws_its_people_from_its_own_team():
    _generate("--plans", "5", "--action-points", "2000", "--seed", "2")

    for plan in ActionPlan.objects.all():
        people = set(
            FocalPoint.objects.filter(
                action_point__challenge__working_group__plan=plan
            ).values_list("person_id", flat=True)
        ) | set(plan.working_groups.values_list("team_leader_id", flat=True))
        assert 3 <= len(people) <= 60, (plan.title, len(people))
    assert Person.objects.count() == 80


def test_generate_data_is_deterministic():
    _generate("--plans", "3", "--action-points", "300", "--seed", "9")
    first = _snapshot()
    ActionPlan.objects.all().delete()
    FocalPoint.objects.all().delete()
    Person.objects.all().delete()

    _generate("--plans", "3", "--action-points", "300", "--seed", "9")

    assert _snapshot() == first
    assert len(first) == 300


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--plans", "0", "--action-points", "10"], "Give at least one plan"),
        (["--plans", "5", "--action-points", "3"], "Give at least one plan"),
        (["--plans", "1", "--action-points", "2000001"], "At most 2,000,000 action points."),
    ],
)
def test_generate_data_refuses_impossible_sizes(args, message):
    with pytest.raises(CommandError, match=message):
        _generate(*args)
    assert ActionPoint.objects.count() == 0
