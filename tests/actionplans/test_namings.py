"""Every door that names a person in a plan records it (actionplans.models.Naming),
and removing them from the plan does not erase the record."""

import pytest
from django.conf import settings

from actionplans.imports.read import read_workshop_tsv
from actionplans.imports.write import plan_create_from_workshop
from actionplans.models import Naming
from actionplans.services import (
    FocalPointAssignment,
    action_point_create,
    focal_points_assign,
)
from actionplans.services.structure import working_group_create, working_group_update
from orgs.services import person_create
from tests.factories import ActionPlanFactory, ChallengeFactory, UserFactory, WorkingGroupFactory

pytestmark = pytest.mark.django_db


def named(plan) -> list[str]:
    return sorted(Naming.objects.filter(plan=plan).values_list("person__name", flat=True))


def test_leaders_members_and_focal_points_are_recorded_and_stay_recorded():
    plan = ActionPlanFactory()
    jad, rana, omar = (person_create(name=n) for n in ("Jad", "Rana", "Omar"))
    group = working_group_create(
        plan=plan, name="Data Sharing", team_leader=jad, team_members=[rana]
    )
    assert named(plan) == ["Jad", "Rana"]
    point = action_point_create(
        challenge=ChallengeFactory(working_group=group),
        description="Recommend tools",
        focal_points=[FocalPointAssignment(person=omar)],
    )
    assert named(plan) == ["Jad", "Omar", "Rana"]

    focal_points_assign(action_point=point, assignments=[])
    working_group_update(
        group=group,
        user=None,
        name="Data Sharing",
        number=group.number,
        team_leader=None,
        team_members=[],
    )
    assert named(plan) == ["Jad", "Omar", "Rana"]  # once named, always recorded
    assert Naming.objects.count() == 3  # and once each


def test_an_import_records_everyone_it_names():
    table = read_workshop_tsv(settings.DEMO_PLAN_FILE.read_text(encoding="utf-8"))
    plan = plan_create_from_workshop(table=table, title="PIM Lebanon", country="Lebanon")
    assert named(plan) == ["Fanette", "Fred", "Jad", "Maria", "Omar", "Rana"]


def test_people_created_by_a_user_remember_who():
    coordinator = UserFactory()
    person = person_create(name="  Layla   Haddad ", created_by=coordinator)
    person.refresh_from_db()
    assert (person.name, person.match_key, person.created_by) == (
        "Layla Haddad",
        "layla haddad",
        coordinator,
    )


def test_a_group_created_in_another_plan_records_there():
    plan, other = ActionPlanFactory(), ActionPlanFactory()
    jad = person_create(name="Jad")
    WorkingGroupFactory(plan=other)
    working_group_create(plan=plan, name="G", team_leader=jad)
    assert named(plan) == ["Jad"]
    assert named(other) == []
