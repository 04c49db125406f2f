"""Exports: the flat CSV (and its round trip), HXL, the workshop workbook, iCalendar,
and formula injection neutralised wherever a spreadsheet could run a cell."""

import csv
import datetime
import io

import hxl
import icalendar
import openpyxl
import pytest
from django.db import connection
from django.utils import timezone

from actionplans import services
from actionplans.choices import PimCategory, PimPrinciple, PimProcessStep, Priority
from actionplans.demo import demo_load
from actionplans.exports import reading
from actionplans.exports.cells import FORMULA_STARTS, neutralise
from actionplans.exports.csv import csv_blocks
from actionplans.exports.hxl import hxl_rows
from actionplans.exports.ical import calendar
from actionplans.exports.rows import (
    FLAT_COLUMNS,
    SHARED_CELLS,
    export_points,
    flat_rows,
    flat_rows_of,
    focal_points_text,
)
from actionplans.exports.xlsx import plan_workbook
from actionplans.imports.read import read_table
from actionplans.imports.write import plan_import
from actionplans.models import ActionPlan, ActionPoint, FocalPoint, with_focal_points
from actionplans.selectors import team_members_in_order
from actionplans.services import FocalPointAssignment
from orgs.models import Organization
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
    return "".join(csv_blocks(flat_rows(plan), repeated=SHARED_CELLS))


# The last four cells of a point without progress updates.
NO_UPDATE = ["", "", "", ""]
# No PIM category, principle or process step; normal priority.
NO_PIM = ["", "", "", "Normal"]


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
            "Latest note",
            "Evidence link",
            "Last update",
            "Last update by",
            "PIM categories",
            "PIM principles",
            "PIM process step",
            "Priority",
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
            *NO_UPDATE,
            *NO_PIM,
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
            *NO_UPDATE,
            *NO_PIM,
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
            *NO_UPDATE,
            *NO_PIM,
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
            *NO_UPDATE,
            *NO_PIM,
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

    table = read_table(_csv(source).encode("utf-8"))
    copy = plan_import(table=table, title="Rich plan (copy)").plan

    assert table.issues == []
    assert plan_content(copy) == plan_content(source) == RICH_CONTENT
    assert copy.pk != source.pk


def test_flat_csv_round_trip_of_the_demo_plan(tmp_path):
    table = read_table(_csv(_demo(tmp_path)).encode("utf-8"))
    copy = plan_import(table=table, title="Copy").plan

    assert plan_content(copy) == SEED_CONTENT


def test_csv_blocks_stream_blocks_of_rows_after_the_bom():
    rows = [["a", "b,c"], ["=x", 1], ["z", ""]]

    assert list(csv_blocks(iter(rows))) == ["\ufeff", 'a,"b,c"\r\n=x,1\r\nz,\r\n']
    assert list(csv_blocks(iter(rows), block=2)) == [
        "\ufeff",
        'a,"b,c"\r\n=x,1\r\n',
        "z,\r\n",
    ]
    assert list(csv_blocks(iter([]))) == ["\ufeff"]


def test_csv_blocks_reuse_the_text_of_repeated_leading_cells():
    rows = [
        ["P", "a,b", "1", ""],
        ["P", "a,b", "line\nbreak", None],
        ["Q", "", '"q"', 2],
    ]

    blocks = list(csv_blocks(iter(rows), repeated=2))

    assert blocks == ["\ufeff", 'P,"a,b",1,\r\nP,"a,b","line\nbreak",\r\nQ,,"""q""",2\r\n']
    assert blocks == list(csv_blocks(iter(rows)))


# --- HXL ----------------------------------------------------------------------------------------


def test_hxl_export_parses_with_libhxl_and_its_hashtags_are_found():
    plan = _rich_plan()
    body = "".join(csv_blocks(hxl_rows(plan, BASE))).encode("utf-8")

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
        "#output+note",
        "#meta+url+evidence",
        "#date+updated",
        "#contact+name+updated_by",
        "#x_pim+category",
        "#x_pim+principle",
        "#x_pim+step",
        "#x_priority",
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
        "#output+note": "",
        "#meta+url+evidence": "",
        "#date+updated": rows[0]["#date+updated"],
        "#contact+name+updated_by": "",
        "#x_pim+category": "",
        "#x_pim+principle": "",
        "#x_pim+step": "",
        "#x_priority": "normal",
    }
    assert rows[0]["#date+updated"] == str(_last_update(plan, "IMWG to recommend"))
    assert [(row["#activity+name"], row["#date+end"], row["#org+name"]) for row in rows[1:]] == [
        ('\'=HYPERLINK("http://evil.example","Click")', "", ""),
        ("'- draft the data-sharing protocol", "2019-03-15", ""),
        ("'@IMWG: agree the consent form", "2019-12-31", ""),
        ("'+ pilot a questionnaire", "", "DRC"),
    ]


def test_hxl_export_hashtags_select_columns_in_libhxl():
    plan = _rich_plan()
    body = "".join(csv_blocks(hxl_rows(plan, BASE))).encode("utf-8")

    completed = hxl.data(io.BytesIO(body)).with_rows("#status=completed")
    leads = hxl.data(io.BytesIO(body)).get_value_set("#contact+name+lead")

    assert [row.get("#x_progress+pct") for row in completed] == ["100"]
    assert leads == {"Jad", "Rana", "Omar", ""}


# --- XLSX ----------------------------------------------------------------------------------------


def _workbook(plan: ActionPlan) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(plan_workbook(plan)))


def _values(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_xlsx_plan_sheet_is_the_workshop_layout_with_merged_challenges():
    plan = _rich_plan()

    workbook = _workbook(plan)

    assert workbook.sheetnames == ["Plan", "Action points"]
    sheet = workbook["Plan"]
    header = ["Challenges", "Action Point", "Timeline / Deadline", "Focal point"]
    assert _values(sheet) == [
        ["Rich plan", *[None] * 5],
        [None] * 6,
        ["Group 1: Data Sharing", *[None] * 5],
        ["Team leader", "Jad", *[None] * 4],
        ["Team members", "Rana, Omar, Jad", *[None] * 4],
        # Status and progress after the workshop's columns.
        [*header, "Status", "Progress (%)"],
        [
            "1. Lack of tools",
            "IMWG to recommend standardized tools",
            "Q1 of 2019",
            "Jad (lead, UNHCR), Rana (support) (tbc)",
            "In progress",
            40,
        ],
        [
            None,
            '\'=HYPERLINK("http://evil.example","Click")',
            "ongoing",
            "Fred (advisor)",
            "Completed",
            100,
        ],
        # Empty texts are empty cells.
        [None, "'- draft the data-sharing protocol", "15/03/2019", None, "Blocked", 10],
        [
            "2. Consent, and trust",
            "'@IMWG: agree the consent form",
            "H2 2019",
            "Rana (lead), Fred (advisor)",
            "Cancelled",
            0,
        ],
        [None] * 6,
        # No team leader or members: no rows for them.
        ["Group 2: Protection Monitoring", *[None] * 5],
        [*header, "Status", "Progress (%)"],
        [
            "1. No questionnaire",
            "'+ pilot a questionnaire",
            None,
            "Omar (lead, DRC)",
            "Not started",
            0,
        ],
    ]
    # Only the challenge with two or more action points is merged, over all its rows.
    assert [str(cells) for cells in sheet.merged_cells.ranges] == ["A7:A9"]
    assert [cell.data_type for cell in sheet[7][4:]] == ["s", "n"]


def _as_read_back(value: object) -> object:
    """A flat row's value as openpyxl reads its cell back: empty text an empty cell,
    dates and times as naive datetimes (in the site's time zone)."""
    if value == "":
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time())
    return value


def _last_update(plan: ActionPlan, description: str) -> datetime.datetime:
    """The time of the latest update of the plan's point starting with `description`,
    as the exports write it (local time, to the second)."""
    point = ActionPoint.objects.of_plan(plan).get(description__startswith=description)
    latest = point.progress_updates.order_by("-created", "-id").first()
    return timezone.localtime(latest.created).replace(microsecond=0)


def test_xlsx_action_points_sheet_is_the_flat_csv():
    plan = _rich_plan()

    sheet = _workbook(plan)["Action points"]

    expected = [list(row) for row in flat_rows(plan)]
    assert _values(sheet) == [[_as_read_back(v) for v in row] for row in expected]
    assert [row[8:10] for row in expected[1:]] == [
        ["In progress", 40],
        ["Completed", 100],
        ["Blocked", 10],
        ["Cancelled", 0],
        ["Not started", 0],
    ]
    assert sheet.freeze_panes == "A2"
    # The autofilter covers the header and every row, all 19 columns.
    assert sheet.auto_filter.ref == "A1:S6"


def test_xlsx_flat_sheet_dates_are_date_cells():
    plan = _rich_plan()

    sheet = _workbook(plan)["Action points"]

    due, updated = sheet["H2"], sheet["N2"]
    assert (due.value, due.data_type, due.number_format) == (
        datetime.datetime(2019, 3, 31),
        "d",
        "yyyy-mm-dd",
    )
    assert due.is_date and updated.is_date
    assert updated.value == _last_update(plan, "IMWG to recommend").replace(tzinfo=None)
    assert updated.number_format == "yyyy-mm-dd hh:mm"
    # No due date, no update: empty cells, not text.
    assert (sheet["H3"].value, sheet["N3"].value) == (None, None)


def test_xlsx_export_imports_back_to_equal_content():
    source = _rich_plan()
    # A group whose challenge has no action point is on the Plan sheet only.
    group = services.working_group_create(plan=source, number=3, name="Referrals")
    services.challenge_create(working_group=group, number=1, description="No referral pathway")

    table = read_table(plan_workbook(source))
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
    assert not [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)]


def test_formula_injection_neutralised_in_xlsx():
    plan = _injected_plan()

    workbook = _workbook(plan)

    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    assert [
        cell.value
        for cell in cells
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS)
    ] == []
    plan_sheet = _values(workbook["Plan"])
    assert plan_sheet[0][0] == "'=cmd|' /C calc'!A0"
    assert plan_sheet[3:5] == [
        ["Team leader", "'+leader", None, None, None, None],
        ["Team members", "'-member", None, None, None, None],
    ]
    assert [row[1:4] for row in plan_sheet[6:]] == [
        # XML keeps a carriage return as a line feed; the apostrophe still leads.
        ["'" + text.replace("\r", "\n"), "'" + text.replace("\r", "\n"), f"'={n} (lead)"]
        for n, text in enumerate(DANGEROUS, start=1)
    ]


def test_formula_injection_neutralised_in_hxl():
    plan = _injected_plan()

    rows = _rows("".join(csv_blocks(hxl_rows(plan, BASE))))

    assert [row[3:7] for row in rows[2:4]] == [
        ["'@group", "'=challenge", "'=1+1", "'=1+1"],
        ["'@group", "'=challenge", "'+SUM(A1)", "'+SUM(A1)"],
    ]
    assert not [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)]


# --- iCalendar -----------------------------------------------------------------------------------


def _events(body: bytes) -> list:
    return icalendar.Calendar.from_ical(body).walk("VEVENT")


def test_calendar_has_one_all_day_event_per_dated_action_point():
    plan = _rich_plan()

    body = calendar("Deadlines: Rich plan", export_points(plan), BASE)

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
    return list(export_points(plan))


def test_calendar_event_description_has_deadline_status_and_focal_points():
    plan = _rich_plan()
    first = plan_points(plan)[0]

    event = _events(calendar("x", export_points(plan), BASE))[0]

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

    events = _events(calendar("Demo", export_points(plan), BASE))

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
    body = calendar("Nothing", iter([]), BASE)

    assert _events(body) == []
    assert str(icalendar.Calendar.from_ical(body)["PRODID"]) == (
        "-//PIM Action Tracker//Deadlines//EN"
    )


# --- the flat rows of many action points ---------------------------------------------------------


def _expected_flat_rows(points) -> list[list[object]]:
    """The flat rows written from the models, one attribute at a time, in workshop
    order sorted here: what flat_rows_of must write."""
    points = sorted(
        points.select_related(
            "challenge__working_group__plan", "challenge__working_group__team_leader"
        ).prefetch_related(with_focal_points()),
        key=lambda p: (
            p.challenge.working_group.plan_id,
            p.challenge.working_group.number,
            p.challenge.number,
            p.position,
        ),
    )
    groups = {p.challenge.working_group for p in points}
    members = team_members_in_order([group.pk for group in groups])
    rows = []
    for p in points:
        group = p.challenge.working_group
        cells = [
            group.plan.title,
            f"Group {group.number}: {group.name}",
            group.team_leader.name if group.team_leader else "",
            ", ".join(person.name for person in members[group.pk]),
            f"{p.challenge.number}. {p.challenge.description}",
            p.description,
            p.deadline,
            p.due_date or "",
            p.get_status_display(),
            p.progress,
            focal_points_text(p),
        ]
        updates = list(p.progress_updates.order_by("-created", "-id"))
        noted = [u.note for u in updates if u.note]
        linked = [u.evidence_url for u in updates if u.evidence_url]
        author = updates[0].author if updates else None
        cells += [
            noted[0] if noted else "",
            linked[0] if linked else "",
            timezone.localtime(updates[0].created).replace(microsecond=0) if updates else "",
            (author.get_full_name() or author.username) if author else "",
            "; ".join(PimCategory(slug).label for slug in p.pim_categories),
            "; ".join(PimPrinciple(slug).label for slug in p.pim_principles),
            PimProcessStep(p.pim_process_step).label if p.pim_process_step else "",
            Priority(p.priority).label,
        ]
        rows.append([neutralise(cell) for cell in cells])
    return rows


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 7 action points: chunk boundaries fall inside challenges and plans."""
    monkeypatch.setattr(reading, "CHUNK", 7)


def test_flat_rows_of_many_plans_carry_each_points_own_cells_across_chunks(small_chunks):
    from actionplans.synthetic import generate

    generate(plans=4, action_points=160, seed=5)

    rows = list(flat_rows_of(ActionPoint.objects.all()))

    assert rows[0] == FLAT_COLUMNS
    assert rows[1:] == _expected_flat_rows(ActionPoint.objects.all())
    assert len(rows) == 161
    assert len({row[0] for row in rows[1:]}) == 4
    assert sum(1 for row in rows[1:] if row[10].count("(") >= 3) > 10  # several people per point


def test_flat_rows_of_a_filtered_set_hold_only_its_points(small_chunks):
    from actionplans.synthetic import generate

    generate(plans=2, action_points=60, seed=3)
    plan = _rich_plan()
    some = ActionPoint.objects.of_plan(plan).exclude(status="completed").distinct()

    rows = list(flat_rows_of(some))

    assert rows[1:] == _expected_flat_rows(some)
    assert [row[5] for row in rows[1:]] == [
        "IMWG to recommend standardized tools",
        "'- draft the data-sharing protocol",
        "'@IMWG: agree the consent form",
        "'+ pilot a questionnaire",
    ]
    assert list(flat_rows_of(ActionPoint.objects.none())) == [FLAT_COLUMNS]


def test_flat_rows_of_make_a_fixed_number_of_queries_per_chunk(
    django_assert_num_queries, small_chunks
):
    plan = _rich_plan()
    challenge = plan.working_groups.get(number=2).challenges.get()
    for position in range(2, 12):
        ActionPointFactory(challenge=challenge, position=position)
    assert ActionPoint.objects.of_plan(plan).count() == 15

    # The groups' leaders and their members; then on PostgreSQL one query for the
    # action points with their focal points, elsewhere one for the action points
    # and one for the focal points of each chunk of 7 (three chunks).
    expected = 3 if connection.vendor == "postgresql" else 6
    with django_assert_num_queries(expected):
        rows = list(flat_rows_of(ActionPoint.objects.of_plan(plan)))

    assert rows[1:] == _expected_flat_rows(ActionPoint.objects.of_plan(plan))


def test_flat_rows_of_texts_holding_control_characters_are_exact():
    # Notes and acronyms written before the services refused control characters may
    # hold any, the separators of the focal points PostgreSQL packs included.
    plan = _rich_plan()
    first, second = ActionPoint.objects.of_plan(plan).order_by("id")[1:3]
    odd = organization_get_or_create(name="Odd Organization", acronym="OO")
    Organization.objects.filter(pk=odd.pk).update(acronym="O\x1fO")
    services.focal_points_assign(
        action_point=first,
        assignments=[
            FocalPointAssignment(person_create(name="Odd", organization=odd), "lead", note="ab"),
            FocalPointAssignment(PersonFactory(name="Zoe"), "advisor"),
        ],
    )
    services.focal_points_assign(
        action_point=second,
        assignments=[FocalPointAssignment(PersonFactory(name="Yan"), "support", note="cd")],
    )
    FocalPoint.objects.filter(note="ab").update(note="a\x1eb")
    FocalPoint.objects.filter(note="cd").update(note="c\x1fd")

    rows = list(flat_rows_of(ActionPoint.objects.all()))

    assert rows[1:] == _expected_flat_rows(ActionPoint.objects.all())
    texts = {row[5]: row[10] for row in rows[1:]}
    assert texts[neutralise(first.description)] == "Odd (lead) (a\x1eb), Zoe (advisor)"
    assert texts[neutralise(second.description)] == "Yan (support) (c\x1fd)"


@pytest.mark.django_db(transaction=True)
def test_flat_rows_of_run_in_their_own_transaction_and_end_it_when_closed(small_chunks):
    # Outside any transaction, as a streamed response is: the rows are read in a
    # transaction of their own (read-only on PostgreSQL), which ends with the
    # last row, or when a client stops reading mid-file.
    from actionplans.synthetic import generate

    generate(plans=2, action_points=30, seed=2)

    assert len(list(flat_rows_of(ActionPoint.objects.all()))) == 31
    assert not connection.in_atomic_block

    rows = flat_rows_of(ActionPoint.objects.all())
    assert next(rows) == FLAT_COLUMNS
    assert len(next(rows)) == len(FLAT_COLUMNS)
    assert connection.in_atomic_block
    rows.close()

    assert not connection.in_atomic_block
    assert ActionPoint.objects.count() == 30
