"""plan_import: a read table written into a new or an existing plan, all or nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from actionplans import services
from actionplans.choices import PlanVisibility
from actionplans.demo import demo_load
from actionplans.imports.read import read_table
from actionplans.imports.write import ImportResult, plan_import
from actionplans.models import ActionPlan, ActionPoint, Challenge
from orgs.models import Organization, Person
from tests.actionplans.transfer import (
    DEADLINE_EXAMPLES,
    FLAT_HEADER,
    MALFORMED,
    SEED,
    SEED_CONTENT,
    TWO_GROUPS_CONTENT,
    csv_bytes,
    flat_records,
    plan_content,
    seed_bytes,
    snapshot,
    two_groups_tsv,
    two_groups_xlsx,
    xlsx_bytes,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _import(data: bytes, **options) -> ImportResult:
    return plan_import(table=read_table(data), **options)


def _counts(result: ImportResult) -> tuple:
    return (
        result.plan_created,
        result.groups,
        result.challenges,
        result.action_points,
        result.people,
        result.unchanged,
    )


# --- the seed and the same content in other forms --------------------------------------------


def test_plan_import_seed_is_exactly_the_demo_plan(tmp_path):
    demo = demo_load(table_file=SEED, credentials_file=tmp_path / "credentials.json").plan

    result = _import(seed_bytes(), title="Seed import", country="Lebanon")

    assert plan_content(result.plan) == plan_content(demo) == SEED_CONTENT
    # A second Lebanon plan names the demo's six people: found, none created.
    assert _counts(result) == (True, 1, 4, 4, 0, 0)
    assert result.reused == 6


def test_plan_import_new_plan_takes_the_title_line_and_options():
    coordinator = UserFactory()

    result = _import(
        seed_bytes(),
        country="Lebanon",
        origin="PIM training, Beirut, 10-13 Dec 2018",
        visibility=PlanVisibility.SIGNED_IN,
        coordinators=[coordinator],
        created_by=coordinator,
    )

    plan = ActionPlan.objects.get()
    assert result.plan == plan
    assert (plan.title, plan.country, plan.origin, plan.status, plan.visibility) == (
        "PIM Lebanon Action Plan",
        "Lebanon",
        "PIM training, Beirut, 10-13 Dec 2018",
        "active",
        "signed_in",
    )
    assert list(plan.coordinators.all()) == [coordinator]
    assert {record.history_user for record in plan.history.all()} == {coordinator}
    assert {p.history.get().history_user for p in ActionPoint.objects.all()} == {coordinator}
    # Challenges are created in bulk: each still has its creation in the history.
    challenges = Challenge.objects.filter(working_group__plan=plan).order_by("number")
    assert [c.number for c in challenges] == [1, 2, 3, 4]
    assert [(c.history.get().history_type, c.history.get().history_user) for c in challenges] == [
        ("+", coordinator)
    ] * 4


@pytest.mark.parametrize(
    "data",
    [
        two_groups_tsv,
        lambda: csv_bytes([FLAT_HEADER, *flat_records()]),
        two_groups_xlsx,
    ],
    ids=["workshop-tsv", "flat-csv", "workshop-xlsx-merged-two-sheets"],
)
def test_plan_import_same_content_as_tsv_csv_and_xlsx_gives_the_same_plan(data):
    result = _import(data(), title="Imported")

    assert plan_content(result.plan) == TWO_GROUPS_CONTENT
    assert _counts(result) == (True, 2, 6, 7, 7, 0)
    assert sorted(Person.objects.values_list("name", flat=True)) == [
        "Fanette",
        "Fred",
        "IMWG",
        "Jad",
        "Maria",
        "Omar",
        "Rana",
    ]
    assert list(Organization.objects.values_list("name", "acronym")) == [("UNHCR", "UNHCR")]


def test_plan_import_flat_status_and_progress_are_kept():
    rows = [
        ["Working group", "Challenge", "Action point", "Deadline", "Status", "Progress"],
        ["Group 1: Data", "1. Lack", "A", "Q1 2019", "In progress", "40"],
        ["Group 1: Data", "1. Lack", "B", "2019", "Completed", ""],
        ["Group 1: Data", "1. Lack", "C", "", "Blocked", "10%"],
        ["Group 1: Data", "1. Lack", "D", "", "", ""],
    ]

    plan = _import(csv_bytes(rows), title="Statuses").plan

    assert [
        (p.description, p.status, p.progress, p.due_date)
        for p in ActionPoint.objects.filter(challenge__working_group__plan=plan).order_by(
            "position"
        )
    ] == [
        ("A", "in_progress", 40, datetime.date(2019, 3, 31)),
        ("B", "completed", 100, datetime.date(2019, 12, 31)),
        ("C", "blocked", 10, None),
        ("D", "not_started", 0, None),
    ]


# --- into an existing plan --------------------------------------------------------------------


def test_plan_import_into_existing_plan_twice_creates_no_duplicates():
    plan = services.plan_create(title="Lebanon")

    first = _import(seed_bytes(), plan=plan)
    before = snapshot()
    second = _import(seed_bytes(), plan=plan)

    assert _counts(first) == (False, 1, 4, 4, 6, 0)
    assert _counts(second) == (False, 0, 0, 0, 0, 4)
    assert second.plan == plan
    assert snapshot() == before
    assert plan_content(plan) == SEED_CONTENT


def test_plan_import_into_demo_plan_finds_everything_there(tmp_path):
    demo = demo_load(table_file=SEED, credentials_file=tmp_path / "credentials.json").plan
    before = snapshot()

    result = _import(seed_bytes(), plan=demo)

    assert _counts(result) == (False, 0, 0, 0, 0, 4)
    assert snapshot() == before


def test_plan_import_into_existing_plan_adds_only_what_is_new():
    plan = _import(seed_bytes()).plan

    # The same content as a flat CSV with a second group; action point text in other case
    # and spacing is the same action point.
    rows = [FLAT_HEADER, *flat_records()]
    rows[1][4] = "  imwg TO recommend   standardized tools and procedures "
    result = _import(csv_bytes(rows), plan=plan)

    assert _counts(result) == (False, 1, 2, 3, 1, 4)
    assert plan_content(plan) == TWO_GROUPS_CONTENT
    assert Person.objects.count() == 7


def test_plan_import_into_existing_group_adds_new_members_in_order_and_keeps_the_leader():
    plan = _import(seed_bytes()).plan
    data = (
        b"Group 1: Another name\nTeam leader\tRana\nTeam members\tJad, Zeina\n"
        b"Challenges\tAction Point\tDeadline\tFocal point\n"
        b"1. Lack of common tools\tNew action\tQ2 2019\tZeina\n"
    )

    result = _import(data, plan=plan)

    assert _counts(result) == (False, 0, 0, 1, 1, 0)
    group = plan_content(plan)[0]
    assert (group["name"], group["team_leader"], group["team_members"]) == (
        "Data Sharing",
        "Jad",
        ["Rana", "Omar", "Maria", "Fred", "Jad", "Zeina"],
    )
    assert group["challenges"][0][2][1] == (
        2,
        "New action",
        "Q2 2019",
        "quarter",
        datetime.date(2019, 6, 30),
        "not_started",
        0,
        [("Zeina", "lead", "", None)],
    )


# --- refusals: nothing written ------------------------------------------------------------------


def test_plan_import_new_plan_with_existing_title_is_refused(tmp_path):
    demo_load(table_file=SEED, credentials_file=tmp_path / "credentials.json")
    before = snapshot()

    with pytest.raises(ValidationError) as excinfo:
        _import(seed_bytes(), title="  pim LEBANON action   plan ")

    assert excinfo.value.message_dict == {
        "title": [
            "A plan titled “pim LEBANON action plan” exists already: import into it instead, "
            "so that nothing is duplicated."
        ]
    }
    assert snapshot() == before


def test_plan_import_title_line_clash_is_refused_too():
    _import(seed_bytes())
    before = snapshot()

    with pytest.raises(ValidationError) as excinfo:
        _import(seed_bytes())

    assert excinfo.value.message_dict == {
        "title": [
            "A plan titled “PIM Lebanon Action Plan” exists already: import into it instead, "
            "so that nothing is duplicated."
        ]
    }
    assert snapshot() == before


def test_plan_import_new_plan_without_any_title_is_refused():
    before = snapshot()

    with pytest.raises(ValidationError) as excinfo:
        _import(csv_bytes([FLAT_HEADER, *flat_records()]))

    assert excinfo.value.message_dict == {"title": ["Give the new plan a title."]}
    assert snapshot() == before


@pytest.mark.parametrize("case", [c for c in MALFORMED if not c.raised], ids=lambda c: c.id)
def test_plan_import_table_with_errors_writes_nothing(case):
    plan = services.plan_create(title="Existing")
    before = snapshot()
    table = read_table(case.content())

    for target in ({"plan": plan}, {"title": "New plan"}):
        with pytest.raises(ValidationError) as excinfo:
            plan_import(table=table, **target)
        assert excinfo.value.messages == case.messages
    assert snapshot() == before


def test_plan_import_failure_half_way_rolls_everything_back():
    # The table reads cleanly, but the second action point is too long for the database:
    # the plan, group, challenge and first action point written before are undone.
    data = (
        "A plan\nGroup 1: Data\nChallenges\tAction Point\tDeadline\tFocal point\n"
        "1. Lack\tFirst action\t2019\tJad\n"
        f"\t{'x' * 5001}\t2019\tRana\n"
    ).encode()
    table = read_table(data)
    assert table.errors == []
    before = snapshot()

    with pytest.raises(ValidationError) as excinfo:
        plan_import(table=table)

    assert excinfo.value.message_dict == {
        "description": ["Description is 5001 characters long; the most is 5000."]
    }
    assert snapshot() == before


# --- unreadable deadlines ------------------------------------------------------------------------

SOONISH = (
    b"Group 1: Data\nChallenges\tAction Point\tDeadline\tFocal point\n"
    b"1. Lack\tDo it\tsoonish\tJad\n"
    b"\tThen that\tQ2 2019\tRana\n"
)


def test_plan_import_unreadable_deadline_is_refused_by_default():
    before = snapshot()

    with pytest.raises(ValidationError) as excinfo:
        _import(SOONISH, title="Deadlines")

    assert excinfo.value.messages == [
        f'Row 3, column C: Cannot read the deadline "soonish". {DEADLINE_EXAMPLES}'
    ]
    assert snapshot() == before


def test_plan_import_keep_unreadable_deadlines_keeps_the_words_undated():
    result = _import(SOONISH, title="Deadlines", keep_unreadable_deadlines=True)

    assert [
        (p.description, p.deadline, p.deadline_precision, p.due_date)
        for p in ActionPoint.objects.order_by("position")
    ] == [
        ("Do it", "soonish", "none", None),
        ("Then that", "Q2 2019", "quarter", datetime.date(2019, 6, 30)),
    ]
    assert _counts(result) == (True, 1, 1, 2, 2, 0)


def test_plan_import_keep_unreadable_deadlines_does_not_excuse_other_errors():
    data = SOONISH + b"1. Again\tDuplicate\t2019\tJad\n"
    before = snapshot()

    with pytest.raises(ValidationError) as excinfo:
        _import(data, title="Deadlines", keep_unreadable_deadlines=True)

    assert excinfo.value.messages == ["Row 5, column A: Challenge 1 appears twice in group 1."]
    assert snapshot() == before


def test_plan_import_xlsx_with_formula_text_imports_the_text():
    data = xlsx_bytes(
        {
            "Plan": [
                ["Group 1: Data"],
                ["Challenges", "Action Point", "Deadline", "Focal point"],
                ["1. Lack", '=HYPERLINK("http://evil.example","Click")', "2019", "Jad"],
            ]
        }
    )

    _import(data, title="Formulas")

    assert ActionPoint.objects.get().description == '=HYPERLINK("http://evil.example","Click")'
