"""Reading the workshop layout, and creating a plan from it."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from actionplans.imports.read import read_workshop_tsv
from actionplans.imports.workshop import read_workshop_rows
from actionplans.imports.write import plan_create_from_workshop
from actionplans.models import ActionPlan, ActionPoint, Challenge, WorkingGroup
from orgs.models import Organization, Person

SEED_CHALLENGES = [
    (1, "Lack of common, user-friendly and secure data-sharing tools"),
    (2, "Informed consent about sharing and different types of sharing and recipients"),
    (3, "Trust between actors (in terms of data quality, methodology, data protection)"),
    (4, "Lack of knowledge about where and how to access information and data"),
]


def _seed_text() -> str:
    return settings.DEMO_PLAN_FILE.read_text(encoding="utf-8")


def _rows(*lines: str) -> list[list[str]]:
    return [line.split("\t") for line in lines]


HEADER = "Challenges\tAction Point\tTimeline / Deadline\tFocal point"


def test_read_seed_table():
    table = read_workshop_tsv(_seed_text())

    assert table.issues == []
    assert table.title == "PIM Lebanon Action Plan"
    [group] = table.groups
    assert (group.number, group.name, group.team_leader) == (1, "Data Sharing", "Jad")
    assert group.team_members == ["Rana", "Omar", "Maria", "Fred", "Jad"]
    assert [(c.number, c.description) for c in group.challenges] == SEED_CHALLENGES
    assert [
        (ap.row, ap.deadline, ap.focal_points) for c in group.challenges for ap in c.action_points
    ] == [
        (7, "Q1 of 2019", "Jad"),
        (8, "2019", "Fanette (Fred can advise)"),
        (9, "Q1 of 2019", "Jad"),
        (10, "Q1 of 2019", "Jad"),
    ]
    assert group.challenges[1].action_points[0].description == (
        "Build comprehensive consent form drafts and guidelines on which to choose "
        "depending on survey/activities Disseminate"
    )
    assert group.challenges[2].action_points[0].description == (
        'Disseminate the "VASyR quality assurance package" methodology'
    )


def test_read_continuation_rows_add_action_points_to_the_challenge():
    table = read_workshop_rows(
        _rows(
            "Group 2: Protection Monitoring",
            "Team leader\tRana",
            "Team members\tRana, Omar",
            HEADER,
            "1. No shared monitoring tool\tMap existing tools\tQ1 2019\tRana",
            "\tAgree on a common form\tQ2 2019\tOmar",
            "2. Unclear referral pathways\tDraft pathways\tongoing\tOmar",
        )
    )
    assert table.issues == []
    [group] = table.groups
    assert [(c.number, [ap.description for ap in c.action_points]) for c in group.challenges] == [
        (1, ["Map existing tools", "Agree on a common form"]),
        (2, ["Draft pathways"]),
    ]


def test_read_headers_in_other_words_and_order():
    table = read_workshop_rows(
        _rows(
            "Group 1: Data Sharing",
            "RESPONSIBLE\tTimeframe\t  challenges \tActivities",
            "Jad\tMarch 2019\t1. Lack of tools\tRecommend tools",
        )
    )
    assert table.issues == []
    [point] = table.groups[0].challenges[0].action_points
    assert (point.description, point.deadline, point.focal_points) == (
        "Recommend tools",
        "March 2019",
        "Jad",
    )


def test_read_several_groups():
    table = read_workshop_rows(
        _rows(
            "Group 1: Data Sharing",
            HEADER,
            "1. A\tDo a\t2019\tJad",
            "Group 2: Assessments",
            HEADER,
            "1. B\tDo b\t2020\tRana",
        )
    )
    assert table.issues == []
    assert [(g.number, g.name, len(g.challenges)) for g in table.groups] == [
        (1, "Data Sharing", 1),
        (2, "Assessments", 1),
    ]


def test_read_reports_problems_with_row_and_column():
    table = read_workshop_rows(
        _rows(
            "Group 1: Data Sharing",
            HEADER + "\tBudget",
            "1. A\tDo a\tnext spring\tJad",
            "1. A again\tDo b\t2019\tJad",
            "\t\t2019\tRana",
            "Group 1: Again",
        )
    )
    assert [(i.row, i.column, i.level, i.code) for i in table.issues] == [
        (2, "E", "warning", ""),
        (3, "C", "error", "invalid_deadline"),
        (4, "A", "error", ""),
        (5, "B", "error", ""),
        (6, None, "error", ""),
    ]
    assert [str(i) for i in table.issues] == [
        'Row 2, column E: Unknown column "Budget" was ignored.',
        'Row 3, column C: Cannot read the deadline "next spring". Write it as, for example: '
        '2019-03-15, 15/03/2019, March 2019, Q1 2019, H1 2019, 2019, Q1-Q2 2019, or "ongoing".',
        "Row 4, column A: Challenge 1 appears twice in group 1.",
        "Row 5, column B: The action point is empty but the row has a deadline or focal point.",
        "Row 6: Group 1 appears twice in the table.",
    ]


def test_read_without_group_line_is_an_error():
    table = read_workshop_rows(_rows(HEADER, "1. A\tDo a\t2019\tJad"))
    assert [str(issue) for issue in table.errors] == [
        'Row 1: No working group found: start each group with "Group N: Name".'
    ]


def test_read_challenges_before_header_is_an_error():
    table = read_workshop_rows(_rows("Group 1: Data", "1. A\tDo a\t2019\tJad"))
    assert [str(issue) for issue in table.errors] == [
        "Row 2: Expected a header row (Challenges, Action point, Deadline, Focal point) "
        "before the challenges of group 1."
    ]


@pytest.mark.django_db
def test_plan_create_from_workshop_matches_people_within_the_plan():
    table = read_workshop_rows(
        _rows(
            "Group 1: Data Sharing",
            "Team leader\tJad",
            "Team members\tRana, jad",
            HEADER,
            "1. A\tDo a\tQ1 2019\tUNHCR (Rana), JAD",
        )
    )
    plan = plan_create_from_workshop(table=table, title="Test plan")
    assert sorted(Person.objects.values_list("name", flat=True)) == ["Jad", "Rana"]
    point = ActionPoint.objects.get()
    assert [(fp.person.name, fp.role) for fp in point.focal_points.all()] == [
        ("Rana", "lead"),
        ("Jad", "support"),
    ]
    assert Person.objects.get(name="Rana").organization == Organization.objects.get(name="UNHCR")
    assert plan.title == "Test plan"


@pytest.mark.django_db
def test_plan_create_from_workshop_with_errors_writes_nothing():
    table = read_workshop_rows(
        _rows("Group 1: Data", HEADER, "1. A\tDo a\t2019\tJad", "2. B\tDo b\tsoon\tRana")
    )
    with pytest.raises(ValidationError) as excinfo:
        plan_create_from_workshop(table=table, title="Broken")
    assert excinfo.value.messages == [
        'Row 4, column C: Cannot read the deadline "soon". Write it as, for example: '
        '2019-03-15, 15/03/2019, March 2019, Q1 2019, H1 2019, 2019, Q1-Q2 2019, or "ongoing".'
    ]
    counts = [m.objects.count() for m in (ActionPlan, WorkingGroup, Challenge, ActionPoint, Person)]
    assert counts == [0, 0, 0, 0, 0]


@pytest.mark.django_db
def test_plan_create_from_workshop_keeps_unreadable_deadlines_when_asked():
    table = read_workshop_rows(_rows("Group 1: Data", HEADER, "1. A\tDo a\tafter Ramadan\tJad"))
    plan_create_from_workshop(table=table, title="Kept", keep_unreadable_deadlines=True)
    point = ActionPoint.objects.get()
    assert (point.deadline, point.deadline_precision, point.due_date) == (
        "after Ramadan",
        "none",
        None,
    )


def test_read_empty_team_leader_is_no_leader_and_two_are_an_error():
    empty = read_workshop_rows(
        _rows("Group 1: Data", "Team leader\t", HEADER, "1. A\tDo\t2019\tJad")
    )
    assert (empty.issues, empty.groups[0].team_leader) == ([], "")
    two = read_workshop_rows(_rows("Group 1: Data", "Team leader\tJad, Rana", HEADER))
    assert [str(i) for i in two.errors] == ["Row 2, column B: Give exactly one team leader."]
