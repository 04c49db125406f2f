"""What the latest progress updates say, in every flat export (CSV, the workbook's flat
sheet, HXL) and in the API: the latest note, evidence link, last update and its author."""

from __future__ import annotations

import csv
import datetime
import io

import openpyxl
import pytest
import time_machine

from actionplans import services
from actionplans.exports.csv import csv_blocks
from actionplans.exports.hxl import hxl_rows
from actionplans.exports.rows import FLAT_COLUMNS
from actionplans.exports.xlsx import plan_workbook
from actionplans.imports.read import read_table
from actionplans.models import ActionPoint
from tests.api.helpers import token_client
from tests.factories import PersonFactory, UserFactory
from tests.users import build_world

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def _updates(world) -> ActionPoint:
    """The world's action point with four updates: a note with a link, then a note
    alone, then a bare update by an account with a full name; and a second action point
    updated from a reminder's link (no account, a person)."""
    cora = UserFactory(username="cora", first_name="Cora", last_name="Ordinator")
    point = world.action_point
    steps = [
        (
            1,
            {
                "author": world.member,
                "note": "Draft shared",
                "evidence_url": "https://example.org/d",
            },
        ),
        (2, {"author": world.member, "progress": 50, "note": "=Half done"}),
        (3, {"author": cora, "progress": 60}),
    ]
    for day, values in steps:
        with time_machine.travel(datetime.datetime(2026, 6, day, 9, 30, tzinfo=UTC), tick=False):
            services.progress_update_create(action_point=point, status="in_progress", **values)
    second = services.action_point_create(
        challenge=world.challenge, description="Second point", deadline="2030"
    )
    with time_machine.travel(datetime.datetime(2026, 6, 4, 8, tzinfo=UTC), tick=False):
        services.progress_update_create(
            action_point=second, author=None, reported_by=PersonFactory(name="Lina"), progress=5
        )
    return point


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_flat_csv_carries_the_latest_note_link_and_update(client):
    world = build_world()
    _updates(world)
    client.force_login(world.coordinator)

    response = client.get(f"/plans/{world.plan.pk}/export.csv")
    rows = _csv_rows(b"".join(response.streaming_content).decode("utf-8"))

    assert rows[0] == FLAT_COLUMNS
    assert rows[0][11:15] == ["Latest note", "Evidence link", "Last update", "Last update by"]
    assert [row[5:] for row in rows[1:]] == [
        [
            "IMWG to recommend standardized tools",
            "",
            "",
            "In progress",
            "60",
            "Jad (lead)",
            # The latest with a note, neutralised; the latest with a link; the latest update.
            "'=Half done",
            "https://example.org/d",
            "2026-06-03 09:30:00+00:00",
            "Cora Ordinator",
            *("", "", "", "Normal"),  # no PIM tag, normal priority
        ],
        [
            "Second point",
            "2030",
            "2030-12-31",
            "Not started",
            "5",
            "",
            "",
            "",
            "2026-06-04 08:00:00+00:00",
            "Lina",
            *("", "", "", "Normal"),
        ],
    ]


def test_flat_csv_reads_back_without_a_warning_for_the_new_columns():
    world = build_world()
    _updates(world)
    from actionplans.exports.rows import SHARED_CELLS, flat_rows

    text = "".join(csv_blocks(flat_rows(world.plan), repeated=SHARED_CELLS))
    table = read_table(text.encode("utf-8"))

    assert table.issues == []


def test_flat_sheet_carries_them_as_text_and_a_date_cell():
    world = build_world()
    _updates(world)

    sheet = openpyxl.load_workbook(io.BytesIO(plan_workbook(world.plan)))["Action points"]

    assert [cell.value for cell in sheet[1]][11:] == FLAT_COLUMNS[11:]
    assert [cell.value for cell in sheet[2]][11:15] == [
        "'=Half done",
        "https://example.org/d",
        datetime.datetime(2026, 6, 3, 9, 30),
        "Cora Ordinator",
    ]
    assert sheet["N2"].is_date and sheet["N2"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet.auto_filter.ref == "A1:S3"
    assert sheet.freeze_panes == "A2"


def test_hxl_hashtag_row_and_values():
    world = build_world()
    _updates(world)

    rows = list(hxl_rows(world.plan, "http://testserver"))

    assert rows[0][-8:-4] == ["Latest note", "Evidence link", "Last update", "Last update by"]
    assert rows[1][-8:-4] == [
        "#output+note",
        "#meta+url+evidence",
        "#date+updated",
        "#contact+name+updated_by",
    ]
    assert rows[2][-8:-4] == [
        "'=Half done",
        "https://example.org/d",
        datetime.datetime(2026, 6, 3, 9, 30, tzinfo=UTC),
        "Cora Ordinator",
    ]
    assert rows[3][-8:-4] == ["", "", datetime.datetime(2026, 6, 4, 8, tzinfo=UTC), "Lina"]


def test_api_action_points_carry_the_latest_update():
    world = build_world()
    point = _updates(world)
    api = token_client(world.member)

    detail = api.get(f"/api/v1/action-points/{point.pk}/").json()
    listed = api.get(f"/api/v1/action-points/?plan={world.plan.pk}").json()["results"]

    expected = {
        "latest_note": "=Half done",  # JSON is not a spreadsheet: as written
        "latest_evidence_url": "https://example.org/d",
        "last_update_at": "2026-06-03T09:30:00Z",
        "last_update_by": "Cora Ordinator",
    }
    assert {key: detail[key] for key in expected} == expected
    assert [{key: item[key] for key in expected} for item in listed] == [
        expected,
        {
            "latest_note": None,
            "latest_evidence_url": None,
            "last_update_at": "2026-06-04T08:00:00Z",
            "last_update_by": "Lina",
        },
    ]


def test_api_action_point_without_updates_has_nulls():
    world = build_world()
    api = token_client(world.member)

    detail = api.get(f"/api/v1/action-points/{world.action_point.pk}/").json()

    assert [detail[key] for key in ("latest_note", "latest_evidence_url")] == [None, None]
    assert [detail[key] for key in ("last_update_at", "last_update_by")] == [None, None]


def test_api_schema_describes_the_new_fields(client):
    world = build_world()
    client.force_login(world.member)

    schema = client.get("/api/schema/", {"format": "json"}).json()

    properties = schema["components"]["schemas"]["ActionPoint"]["properties"]
    assert {
        name: (properties[name]["type"], properties[name].get("format"))
        for name in ("latest_note", "latest_evidence_url", "last_update_at", "last_update_by")
    } == {
        "latest_note": ("string", None),
        "latest_evidence_url": ("string", "uri"),
        "last_update_at": ("string", "date-time"),
        "last_update_by": ("string", None),
    }
    assert all(
        properties[name]["readOnly"] and properties[name]["nullable"]
        for name in ("latest_note", "latest_evidence_url", "last_update_at", "last_update_by")
    )
