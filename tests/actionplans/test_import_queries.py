"""plan_import at scale: its queries do not follow the number of rows, and the rows it
writes in bulk carry their history as the services' writes do."""

import dataclasses

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actionplans.imports.read import read_table
from actionplans.imports.write import plan_import
from actionplans.models import ActionPoint, FocalPoint, Naming, PimTag, WorkingGroup
from tests.actionplans.transfer import csv_bytes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "Working group",
    "Team leader",
    "Team members",
    "Challenge",
    "Action point",
    "Deadline",
    "Status",
    "Focal points",
    "PIM categories",
    "Priority",
]


def _table(rows: int, tag: str):
    """A flat table of `rows` action points: a group every 4 rows (a new leader and two
    new members), a challenge every 2, two focal points each (new people too)."""
    records = [HEADER]
    for index in range(rows):
        group = index // 4 + 1
        records.append(
            [
                f"Group {group}: Group {tag}{group}",
                f"Leader {tag}{group}",
                f"Member {tag}{group}a, Member {tag}{group}b",
                f"{index // 2 % 2 + 1}. Challenge {tag}{index // 2}",
                f"Action {tag}{index}",
                ["Q1 2027", "March 2027", "ongoing"][index % 3],
                ["Not started", "In progress", "Completed"][index % 3],
                f"Focal {tag}{index} (lead), Leader {tag}{group} (support)",
                "Population data; Case management" if index % 2 else "",
                "High" if index % 2 else "",
            ]
        )
    return read_table(csv_bytes(records))


def _import_queries(rows: int, user) -> int:
    table = _table(rows, tag=f"t{rows}-")
    with CaptureQueriesContext(connection) as queries:
        result = plan_import(table=table, title=f"Plan of {rows} rows", created_by=user)
    assert (result.groups, result.challenges, result.action_points) == (
        rows // 4,
        rows // 2,
        rows,
    )
    # Each group's leader and two members, each row's focal point.
    assert result.people == rows // 4 * 3 + rows
    return len(queries)


def test_import_queries_do_not_grow_with_the_number_of_rows():
    user = UserFactory()
    small = _import_queries(8, user)
    large = _import_queries(16, user)

    print(f"import of 8 rows: {small} queries; of 16: {large}")
    assert small == large


def test_import_into_the_same_groups_queries_do_not_grow_with_the_number_of_rows():
    user = UserFactory()
    counts = []
    for rows in (8, 16):
        plan = plan_import(table=_table(4, tag="same-"), title=f"Same {rows}").plan
        # The same groups and challenges, more action points in them.
        table = _table(4, tag="same-")
        for challenge in (c for block in table.groups for c in block.challenges):
            challenge.action_points = [
                dataclasses.replace(point, description=f"{point.description} {copy or ''}")
                for copy in range(rows // 4)
                for point in challenge.action_points
            ]
        with CaptureQueriesContext(connection) as queries:
            result = plan_import(table=table, plan=plan, created_by=user)
        assert (result.groups, result.challenges, result.action_points, result.unchanged) == (
            0,
            0,
            rows - 4,
            4,
        )
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_imported_rows_carry_their_history():
    user = UserFactory()
    result = plan_import(table=_table(8, tag="h-"), title="With history", created_by=user)
    points = ActionPoint.objects.filter(challenge__working_group__plan=result.plan)
    history = ActionPoint.history.filter(id__in=points.values("id"))
    assert sorted(history.values_list("id", "history_type", "history_user")) == sorted(
        (pk, "+", user.pk) for pk in points.values_list("id", flat=True)
    )
    first = history.order_by("id").first()
    assert (first.description, first.status, first.version) == ("Action h-0", "not_started", 1)
    focal_points = FocalPoint.objects.filter(action_point__in=points)
    assert focal_points.count() == 16
    assert sorted(
        FocalPoint.history.filter(id__in=focal_points.values("id")).values_list(
            "id", "action_point_id", "person_id", "role", "history_type", "history_user"
        )
    ) == sorted(
        (fp.pk, fp.action_point_id, fp.person_id, fp.role, "+", user.pk) for fp in focal_points
    )
    tags = PimTag.objects.filter(action_point__in=points)
    assert tags.count() == 8
    assert PimTag.history.filter(id__in=tags.values("id"), history_type="+").count() == 8
    # A group's creation is recorded once, with its leader and its members in order.
    group = WorkingGroup.objects.get(plan=result.plan, number=1)
    (record,) = group.history.all()
    assert (record.history_type, record.history_user, record.team_leader.name) == (
        "+",
        user,
        "Leader h-1",
    )
    assert [row.person.name for row in record.team_members.order_by("id")] == [
        "Member h-1a",
        "Member h-1b",
    ]
    # Everyone named is recorded as named in the plan.
    assert Naming.objects.filter(plan=result.plan).count() == result.people
