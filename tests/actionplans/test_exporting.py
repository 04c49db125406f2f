"""Exports: the flat CSV (and its round trip), HXL, the workshop workbook, iCalendar,
and formula injection neutralised wherever a spreadsheet could run a cell."""

import csv
import datetime
import io

import hxl
import hypothesis
import icalendar
import openpyxl
import pytest
from django.db import connection, transaction
from hypothesis import strategies as st

from actionplans import exporting, importing, services
from actionplans.demo import demo_load
from actionplans.exports.cells import neutralise
from actionplans.imports.write import plan_import
from actionplans.models import ActionPlan, ActionPoint, WorkingGroup
from actionplans.services import FocalPointAssignment
from orgs.services import organization_get_or_create, person_create
from tests.actionplans.transfer import SEED, SEED_CONTENT, plan_content
from tests.factories import (
    ActionPlanFactory,
    ActionPointFactory,
    ChallengeFactory,
    FocalPointFactory,
    PersonFactory,
    WorkingGroupFactory,
)

pytestmark = pytest.mark.django_db

BASE = "http://testserver"


def _demo(tmp_path) -> ActionPlan:
    return demo_load(table_file=SEED, credentials_file=tmp_path / "credentials.json").plan


def _csv(plan: ActionPlan) -> str:
    return "".join(exporting.csv_lines(exporting.flat_rows(plan)))


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def _rich_plan() -> ActionPlan:
    """Two groups, every status, notes, organizations, undated and formula-like texts."""
    unhcr = organization_get_or_create(name="UNHCR")
    drc = organization_get_or_create(name="Danish Refugee Council", acronym="DRC")
    jad = person_create(name="Jad", organization=unhcr)
    rana, fred = person_create(name="Rana"), person_create(name="Fred")
    omar = person_create(name="Omar", organization=drc)
    plan = services.plan_create(title="Rich plan", country="Lebanon")
    g1 = services.working_group_create(
        plan=plan, number=1, name="Data Sharing", team_leader=jad, team_members=[rana, omar, jad]
    )
    g2 = services.working_group_create(plan=plan, number=2, name="Protection Monitoring")
    c1 = services.challenge_create(working_group=g1, number=1, description="Lack of tools")
    c2 = services.challenge_create(working_group=g1, number=2, description="Consent, and trust")
    c3 = services.challenge_create(working_group=g2, number=1, description="No questionnaire")
    a1 = services.action_point_create(
        challenge=c1,
        description="IMWG to recommend standardized tools",
        deadline="Q1 of 2019",
        focal_points=[
            FocalPointAssignment(jad, "lead"),
            FocalPointAssignment(rana, "support", note="tbc"),
        ],
    )
    services.progress_update_create(action_point=a1, author=None, status="in_progress", progress=40)
    services.action_point_create(
        challenge=c1,
        description='=HYPERLINK("http://evil.example","Click")',
        deadline="ongoing",
        status="completed",
        focal_points=[FocalPointAssignment(fred, "advisor")],
    )
    a3 = services.action_point_create(
        challenge=c1, description="- draft the data-sharing protocol", deadline="15/03/2019"
    )
    services.progress_update_create(action_point=a3, author=None, status="blocked", progress=10)
    services.action_point_create(
        challenge=c2,
        description="@IMWG: agree the consent form",
        deadline="H2 2019",
        status="cancelled",
        focal_points=[FocalPointAssignment(rana, "lead"), FocalPointAssignment(fred, "advisor")],
    )
    services.action_point_create(
        challenge=c3,
        description="+ pilot a questionnaire",
        focal_points=[FocalPointAssignment(omar, "lead")],
    )
    return plan


RICH_CONTENT = [
    {
        "number": 1,
        "name": "Data Sharing",
        "team_leader": "Jad",
        "team_members": ["Rana", "Omar", "Jad"],
        "challenges": [
            (
                1,
                "Lack of tools",
                [
                    (
                        1,
                        "IMWG to recommend standardized tools",
                        "Q1 of 2019",
                        "quarter",
                        datetime.date(2019, 3, 31),
                        "in_progress",
                        40,
                        [("Jad", "lead", "", "UNHCR"), ("Rana", "support", "tbc", None)],
                    ),
                    (
                        2,
                        '=HYPERLINK("http://evil.example","Click")',
                        "ongoing",
                        "none",
                        None,
                        "completed",
                        100,
                        [("Fred", "advisor", "", None)],
                    ),
                    (
                        3,
                        "- draft the data-sharing protocol",
                        "15/03/2019",
                        "day",
                        datetime.date(2019, 3, 15),
                        "blocked",
                        10,
                        [],
                    ),
                ],
            ),
            (
                2,
                "Consent, and trust",
                [
                    (
                        1,
                        "@IMWG: agree the consent form",
                        "H2 2019",
                        "half",
                        datetime.date(2019, 12, 31),
                        "cancelled",
                        0,
                        [("Rana", "lead", "", None), ("Fred", "advisor", "", None)],
                    )
                ],
            ),
        ],
    },
    {
        "number": 2,
        "name": "Protection Monitoring",
        "team_leader": None,
        "team_members": [],
        "challenges": [
            (
                1,
                "No questionnaire",
                [
                    (
                        1,
                        "+ pilot a questionnaire",
                        "",
                        "none",
                        None,
                        "not_started",
                        0,
                        [("Omar", "lead", "", "DRC")],
                    )
                ],
            )
        ],
    },
]


# --- flat CSV -----------------------------------------------------------------------------------


def test_flat_csv_of_the_demo_plan_is_exact(tmp_path):
    text = _csv(_demo(tmp_path))

    assert text.startswith("\ufeffPlan,Working group,")
    assert text.endswith("\r\n")
    plan, group, members = (
        "PIM Lebanon Action Plan",
        "Group 1: Data Sharing",
        "Rana, Omar, Maria, Fred, Jad",
    )
    assert _rows(text) == [
        [
            "Plan",
            "Working group",
            "Team leader",
            "Team members",
            "Challenge",
            "Action point",
            "Deadline",
            "Due date",
            "Status",
            "Progress",
            "Focal points",
        ],
        [
            plan,
            group,
            "Jad",
            members,
            "1. Lack of common, user-friendly and secure data-sharing tools",
            "IMWG to recommend standardized tools and procedures",
            "Q1 of 2019",
            "2019-03-31",
            "Not started",
            "0",
            "Jad (lead)",
        ],
        [
            plan,
            group,
            "Jad",
            members,
            "2. Informed consent about sharing and different types of sharing and recipients",
            "Build comprehensive consent form drafts and guidelines on which to choose depending "
            "on survey/activities Disseminate",
            "2019",
            "2019-12-31",
            "Not started",
            "0",
            "Fanette (lead), Fred (advisor)",
        ],
        [
            plan,
            group,
            "Jad",
            members,
            "3. Trust between actors (in terms of data quality, methodology, data protection)",
            'Disseminate the "VASyR quality assurance package" methodology',
            "Q1 of 2019",
            "2019-03-31",
            "Not started",
            "0",
            "Jad (lead)",
        ],
        [
            plan,
            group,
            "Jad",
            members,
            "4. Lack of knowledge about where and how to access information and data",
            "Raise awareness on national studies (VASyR, KAP, MICS, ARK) in sector WG, in "
            "inter-agency. Promote use of and contributions to Lebanon Factbook and Assessment "
            "Registry in IMWG and Inter-Agency",
            "Q1 of 2019",
            "2019-03-31",
            "Not started",
            "0",
            "Jad (lead)",
        ],
    ]


def test_flat_csv_focal_points_carry_role_organization_and_note():
    rows = _rows(_csv(_rich_plan()))

    assert [row[10] for row in rows[1:]] == [
        "Jad (lead, UNHCR), Rana (support) (tbc)",
        "Fred (advisor)",
        "",
        "Rana (lead), Fred (advisor)",
        # The organization is written by acronym only when it reads back as one.
        "Omar (lead, DRC)",
    ]


def test_flat_csv_round_trip_imports_to_equal_content():
    source = _rich_plan()
    assert plan_content(source) == RICH_CONTENT

    table = importing.read_table(_csv(source).encode("utf-8"))
    copy = plan_import(table=table, title="Rich plan (copy)").plan

    assert table.issues == []
    assert plan_content(copy) == plan_content(source) == RICH_CONTENT
    assert copy.pk != source.pk


def test_flat_csv_round_trip_of_the_demo_plan(tmp_path):
    table = importing.read_table(_csv(_demo(tmp_path)).encode("utf-8"))
    copy = plan_import(table=table, title="Copy").plan

    assert plan_content(copy) == SEED_CONTENT


def test_csv_lines_stream_blocks_of_rows_after_the_bom():
    rows = [["a", "b,c"], ["=x", 1], ["z", ""]]

    assert list(exporting.csv_lines(iter(rows))) == ["\ufeff", 'a,"b,c"\r\n=x,1\r\nz,\r\n']
    assert list(exporting.csv_lines(iter(rows), block=2)) == [
        "\ufeff",
        'a,"b,c"\r\n=x,1\r\n',
        "z,\r\n",
    ]
    assert list(exporting.csv_lines(iter([]))) == ["\ufeff"]


CELLS = st.one_of(
    st.text(alphabet=st.sampled_from("ab ,\"\r\n\t='é٣€\x00;"), max_size=8),
    st.text(max_size=8),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.none(),
    st.dates(),
)


@hypothesis.given(rows=st.lists(st.lists(CELLS, min_size=1, max_size=6), max_size=6))
@hypothesis.settings(max_examples=400, deadline=None, database=None, derandomize=True)
def test_csv_lines_write_what_csv_writer_writes(rows):
    # The rows are joined by hand for speed: byte for byte what csv.writer
    # (excel dialect) writes, quoting, empty records and line ends included.
    expected = io.StringIO()
    csv.writer(expected).writerows(rows)

    assert "".join(exporting.csv_lines(iter(rows), block=4)) == "\ufeff" + expected.getvalue()


# --- HXL ----------------------------------------------------------------------------------------


def test_hxl_export_parses_with_libhxl_and_its_hashtags_are_found():
    plan = _rich_plan()
    body = "".join(exporting.csv_lines(exporting.hxl_rows(plan, BASE))).encode("utf-8")

    source = hxl.data(io.BytesIO(body))
    tags = [column.display_tag for column in source.columns]
    rows = [dict(zip(tags, row.values, strict=True)) for row in source]

    assert tags == [
        "#meta+id",
        "#meta+url",
        "#country+name",
        "#x_workinggroup+name",
        "#description+challenge",
        "#activity+name",
        "#description+deadline",
        "#date+end",
        "#status",
        "#x_progress+pct",
        "#contact+name+lead",
        "#contact+name+support",
        "#contact+name+advisor",
        "#org+name",
    ]
    url = f"{BASE}/plans/{plan.pk}/"
    assert rows[0] == {
        "#meta+id": str(plan.pk),
        "#meta+url": url,
        "#country+name": "Lebanon",
        "#x_workinggroup+name": "Data Sharing",
        "#description+challenge": "Lack of tools",
        "#activity+name": "IMWG to recommend standardized tools",
        "#description+deadline": "Q1 of 2019",
        "#date+end": "2019-03-31",
        "#status": "in_progress",
        "#x_progress+pct": "40",
        "#contact+name+lead": "Jad",
        "#contact+name+support": "Rana",
        "#contact+name+advisor": "",
        "#org+name": "UNHCR",
    }
    assert [(row["#activity+name"], row["#date+end"], row["#org+name"]) for row in rows[1:]] == [
        ('\'=HYPERLINK("http://evil.example","Click")', "", ""),
        ("'- draft the data-sharing protocol", "2019-03-15", ""),
        ("'@IMWG: agree the consent form", "2019-12-31", ""),
        ("'+ pilot a questionnaire", "", "DRC"),
    ]


def test_hxl_export_hashtags_select_columns_in_libhxl():
    plan = _rich_plan()
    body = "".join(exporting.csv_lines(exporting.hxl_rows(plan, BASE))).encode("utf-8")

    completed = hxl.data(io.BytesIO(body)).with_rows("#status=completed")
    leads = hxl.data(io.BytesIO(body)).get_value_set("#contact+name+lead")

    assert [row.get("#x_progress+pct") for row in completed] == ["100"]
    assert leads == {"Jad", "Rana", "Omar", ""}


# --- XLSX ----------------------------------------------------------------------------------------


def _workbook(plan: ActionPlan) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(exporting.plan_workbook(plan)))


def _values(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_xlsx_plan_sheet_is_the_workshop_layout_with_merged_challenges():
    plan = _rich_plan()

    workbook = _workbook(plan)

    assert workbook.sheetnames == ["Plan", "Action points"]
    sheet = workbook["Plan"]
    assert _values(sheet) == [
        ["Rich plan", None, None, None],
        [None, None, None, None],
        ["Group 1: Data Sharing", None, None, None],
        ["Team leader", "Jad", None, None],
        ["Team members", "Rana, Omar, Jad", None, None],
        ["Challenges", "Action Point", "Timeline / Deadline", "Focal point"],
        [
            "1. Lack of tools",
            "IMWG to recommend standardized tools",
            "Q1 of 2019",
            "Jad (lead, UNHCR), Rana (support) (tbc)",
        ],
        [None, '\'=HYPERLINK("http://evil.example","Click")', "ongoing", "Fred (advisor)"],
        # Empty texts are empty cells.
        [None, "'- draft the data-sharing protocol", "15/03/2019", None],
        [
            "2. Consent, and trust",
            "'@IMWG: agree the consent form",
            "H2 2019",
            "Rana (lead), Fred (advisor)",
        ],
        [None, None, None, None],
        # No team leader or members: no rows for them.
        ["Group 2: Protection Monitoring", None, None, None],
        ["Challenges", "Action Point", "Timeline / Deadline", "Focal point"],
        ["1. No questionnaire", "'+ pilot a questionnaire", None, "Omar (lead, DRC)"],
    ]
    # Only the challenge with two or more action points is merged, over all its rows.
    assert [str(cells) for cells in sheet.merged_cells.ranges] == ["A7:A9"]


def test_xlsx_action_points_sheet_is_the_flat_csv():
    plan = _rich_plan()

    sheet = _workbook(plan)["Action points"]

    expected = [list(row) for row in exporting.flat_rows(plan)]
    # Empty texts are empty cells.
    assert _values(sheet) == [[None if v == "" else v for v in row] for row in expected]
    assert [row[8:10] for row in expected[1:]] == [
        ["In progress", 40],
        ["Completed", 100],
        ["Blocked", 10],
        ["Cancelled", 0],
        ["Not started", 0],
    ]
    assert sheet.freeze_panes == "A2"


def test_xlsx_export_imports_back_to_equal_content():
    source = _rich_plan()
    # A group whose challenge has no action point is on the Plan sheet only.
    group = services.working_group_create(plan=source, number=3, name="Referrals")
    services.challenge_create(working_group=group, number=1, description="No referral pathway")

    table = importing.read_table(exporting.plan_workbook(source))
    copy = plan_import(table=table, title="Copy").plan

    assert table.errors == []
    assert plan_content(copy) == plan_content(source)
    assert plan_content(copy)[2] == {
        "number": 3,
        "name": "Referrals",
        "team_leader": None,
        "team_members": [],
        "challenges": [(1, "No referral pathway", [])],
    }


def test_xlsx_export_of_the_demo_plan_has_no_merged_cells(tmp_path):
    sheet = _workbook(_demo(tmp_path))["Plan"]

    assert sheet.merged_cells.ranges == set()
    assert [row[0] for row in _values(sheet)[6:]] == [
        "1. Lack of common, user-friendly and secure data-sharing tools",
        "2. Informed consent about sharing and different types of sharing and recipients",
        "3. Trust between actors (in terms of data quality, methodology, data protection)",
        "4. Lack of knowledge about where and how to access information and data",
    ]


# --- formula injection ---------------------------------------------------------------------------

DANGEROUS = ["=1+1", "+SUM(A1)", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", DANGEROUS, ids=["equals", "plus", "minus", "at", "tab", "cr"])
def test_neutralise_prefixes_an_apostrophe(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Jad", "1. Lack", "", " =x", 40, -3, None])
def test_neutralise_leaves_other_values_alone(value):
    assert neutralise(value) == value


def _injected_plan() -> ActionPlan:
    """Every text a user controls starts like a formula (written past the services,
    which strip leading tabs and line breaks)."""
    plan = ActionPlanFactory(title="=cmd|' /C calc'!A0")
    leader = PersonFactory(name="+leader")
    group = WorkingGroupFactory(plan=plan, number=1, name="@group", team_leader=leader)
    group.team_members.add(PersonFactory(name="-member"))
    challenge = ChallengeFactory(working_group=group, number=1, description="=challenge")
    for position, text in enumerate(DANGEROUS, start=1):
        point = ActionPointFactory(
            challenge=challenge, position=position, description=text, deadline=text
        )
        FocalPointFactory(action_point=point, person=PersonFactory(name=f"={position}"))
    return plan


def test_formula_injection_neutralised_in_csv():
    plan = _injected_plan()

    rows = _rows(_csv(plan))

    assert [row[:6] for row in rows[1:3]] == [
        [
            "'=cmd|' /C calc'!A0",
            "Group 1: @group",
            "'+leader",
            "'-member",
            "1. =challenge",
            "'=1+1",
        ],
        [
            "'=cmd|' /C calc'!A0",
            "Group 1: @group",
            "'+leader",
            "'-member",
            "1. =challenge",
            "'+SUM(A1)",
        ],
    ]
    assert [(row[5], row[6]) for row in rows[1:]] == [("'" + t, "'" + t) for t in DANGEROUS]
    # Nothing a spreadsheet would run is left at the start of any cell.
    assert not [cell for row in rows for cell in row if cell.startswith(exporting.FORMULA_STARTS)]


def test_formula_injection_neutralised_in_xlsx():
    plan = _injected_plan()

    workbook = _workbook(plan)

    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    assert [
        cell.value
        for cell in cells
        if isinstance(cell.value, str) and cell.value.startswith(exporting.FORMULA_STARTS)
    ] == []
    plan_sheet = _values(workbook["Plan"])
    assert plan_sheet[0][0] == "'=cmd|' /C calc'!A0"
    assert plan_sheet[3:5] == [
        ["Team leader", "'+leader", None, None],
        ["Team members", "'-member", None, None],
    ]
    assert [row[1:4] for row in plan_sheet[6:]] == [
        # XML keeps a carriage return as a line feed; the apostrophe still leads.
        ["'" + text.replace("\r", "\n"), "'" + text.replace("\r", "\n"), f"'={n} (lead)"]
        for n, text in enumerate(DANGEROUS, start=1)
    ]


def test_formula_injection_neutralised_in_hxl():
    plan = _injected_plan()

    rows = _rows("".join(exporting.csv_lines(exporting.hxl_rows(plan, BASE))))

    assert [row[3:7] for row in rows[2:4]] == [
        ["'@group", "'=challenge", "'=1+1", "'=1+1"],
        ["'@group", "'=challenge", "'+SUM(A1)", "'+SUM(A1)"],
    ]
    assert not [cell for row in rows for cell in row if cell.startswith(exporting.FORMULA_STARTS)]


# --- iCalendar -----------------------------------------------------------------------------------


def _events(body: bytes) -> list:
    return icalendar.Calendar.from_ical(body).walk("VEVENT")


def test_calendar_has_one_all_day_event_per_dated_action_point():
    plan = _rich_plan()

    body = exporting.calendar("Deadlines: Rich plan", exporting.export_points(plan), BASE)

    cal = icalendar.Calendar.from_ical(body)
    assert (str(cal["X-WR-CALNAME"]), str(cal["VERSION"])) == ("Deadlines: Rich plan", "2.0")
    events = _events(body)
    dated = [p for p in plan_points(plan) if p.due_date is not None]
    assert [
        (str(e["SUMMARY"]), e.decoded("DTSTART"), e.decoded("DTEND"), str(e["UID"])) for e in events
    ] == [
        (
            p.description,
            p.due_date,
            p.due_date + datetime.timedelta(days=1),
            f"actionpoint-{p.pk}@pim-action-tracker",
        )
        for p in dated
    ]
    assert [p.description for p in dated] == [
        "IMWG to recommend standardized tools",
        "- draft the data-sharing protocol",
        "@IMWG: agree the consent form",
    ]
    # All-day events: dates, not date-times.
    assert {type(e.decoded("DTSTART")) for e in events} == {datetime.date}


def plan_points(plan: ActionPlan) -> list:
    return list(exporting.export_points(plan))


def test_calendar_event_description_has_deadline_status_and_focal_points():
    plan = _rich_plan()
    first = plan_points(plan)[0]

    event = _events(exporting.calendar("x", exporting.export_points(plan), BASE))[0]

    assert str(event["DESCRIPTION"]).split("\n") == [
        "Deadline as written: Q1 of 2019",
        "Status: In progress, 40 %",
        "Focal points: Jad (lead, UNHCR), Rana (support) (tbc)",
        "Plan: Rich plan",
        "Group 1: Data Sharing",
        "Challenge 1: Lack of tools",
        f"{BASE}/action-points/{first.pk}/",
    ]
    assert str(event["URL"]) == f"{BASE}/action-points/{first.pk}/"


def test_calendar_of_the_demo_plan_matches_its_dated_action_points(tmp_path):
    plan = _demo(tmp_path)

    events = _events(exporting.calendar("Demo", exporting.export_points(plan), BASE))

    assert [(e.decoded("DTSTART"), str(e["DESCRIPTION"]).split("\n")[0]) for e in events] == [
        (datetime.date(2019, 3, 31), "Deadline as written: Q1 of 2019"),
        (datetime.date(2019, 12, 31), "Deadline as written: 2019"),
        (datetime.date(2019, 3, 31), "Deadline as written: Q1 of 2019"),
        (datetime.date(2019, 3, 31), "Deadline as written: Q1 of 2019"),
    ]
    assert str(events[1]["DESCRIPTION"]).split("\n")[2] == (
        "Focal points: Fanette (lead), Fred (advisor)"
    )


def test_calendar_without_dated_action_points_is_an_empty_calendar():
    body = exporting.calendar("Nothing", iter([]), BASE)

    assert _events(body) == []
    assert str(icalendar.Calendar.from_ical(body)["PRODID"]) == (
        "-//PIM Action Tracker//Deadlines//EN"
    )


def test_flat_rows_of_many_plans_equal_the_model_by_model_rows():
    # Two streams merged (action points, focal points): every row must carry its
    # own point's focal points, in workshop order across plans.
    from actionplans.synthetic import generate

    generate(plans=4, action_points=160, seed=5)
    points = list(
        ActionPoint.objects.select_related("challenge__working_group__plan")
        .prefetch_related("focal_points__person__organization")
        .order_by(
            "challenge__working_group__plan_id",
            "challenge__working_group__number",
            "challenge__number",
            "position",
            "id",
        )
    )
    rows = list(exporting.flat_rows_of(ActionPoint.objects.all()))

    assert rows[0] == exporting.FLAT_COLUMNS
    assert len(rows) == 161
    expected = [
        [
            p.challenge.working_group.plan.title,
            f"Group {p.challenge.working_group.number}: {p.challenge.working_group.name}",
            f"{p.challenge.number}. {p.challenge.description}",
            p.description,
            p.deadline,
            p.progress,
            exporting.focal_points_text(p),
        ]
        for p in points
    ]
    assert [[r[0], r[1], r[4], r[5], r[6], r[9], r[10]] for r in rows[1:]] == expected
    assert sum(1 for r in rows[1:] if r[10] == "") == 0
    assert sum(1 for r in rows[1:] if r[10].count("(") >= 3) > 10  # several people per point


def _both_ways(points) -> tuple[list, list]:
    """The flat rows of `points` by the two streams merged in Python, and by
    PostgreSQL's single query with packed focal points, in one snapshot."""
    groups = WorkingGroup.objects.filter(pk__in=points.values("challenge__working_group_id"))
    with transaction.atomic():
        people = exporting._group_people(groups)
        merged = list(exporting._merged_rows(points, exporting._FlatRows(people)))
        packed = list(exporting._postgresql_rows(points, exporting._FlatRows(people)))
    return merged, packed


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the single query is PostgreSQL's")
def test_postgresql_single_query_equals_the_merged_streams():
    from actionplans.synthetic import generate

    generate(plans=3, action_points=150, seed=11)
    plan = _rich_plan()
    # Separators inside notes (names lose control characters): those points'
    # focal points are read on their own, never split wrongly.
    first, second = ActionPoint.objects.filter(challenge__working_group__plan=plan).order_by("id")[
        1:3
    ]
    services.focal_points_assign(
        action_point=first,
        assignments=[
            FocalPointAssignment(person_create(name="Odd"), "lead", note="a\x1eb"),
            FocalPointAssignment(PersonFactory(name="Zoe"), "advisor"),
        ],
    )
    services.focal_points_assign(
        action_point=second,
        assignments=[FocalPointAssignment(PersonFactory(name="Yan"), "support", note="c\x1fd")],
    )

    merged, packed = _both_ways(ActionPoint.objects.all())
    assert packed == merged
    assert (
        len(packed) == 150 + ActionPoint.objects.filter(challenge__working_group__plan=plan).count()
    )
    cells = {row[5]: row[10] for row in packed}
    assert cells[neutralise(first.description)] == "Odd (lead) (a\x1eb), Zoe (advisor)"
    assert cells[neutralise(second.description)] == "Yan (support) (c\x1fd)"

    # A filtered set (one plan, one status) reads only its own focal points.
    some = ActionPoint.objects.filter(challenge__working_group__plan=plan, status="not_started")
    merged, packed = _both_ways(some)
    assert packed == merged
    assert [row[5] for row in packed] == [
        neutralise(p.description)
        for p in some.order_by("challenge__working_group__number", "challenge__number", "position")
    ]
