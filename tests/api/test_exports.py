"""Plan exports over the API: the same files as the plan page's links."""

import csv
import io

import pytest
from openpyxl import load_workbook

from actionplans.exports.rows import FLAT_COLUMNS
from tests.api.helpers import token_client

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


@pytest.mark.parametrize("role", ["admin", "coordinator", "member"])
def test_exports_csv_for_who_sees_the_plan(world, role):
    response = token_client(getattr(world, role)).get(f"/api/v1/plans/{world.plan.pk}/export/csv/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="pim-lebanon-action-plan-'
    )
    rows = _rows(response)
    assert rows[0] == FLAT_COLUMNS
    assert [row[5] for row in rows[1:]] == ["IMWG to recommend standardized tools"]


def test_exports_hxl_has_the_hashtag_row(world):
    response = token_client(world.member).get(f"/api/v1/plans/{world.plan.pk}/export/hxl/")
    rows = _rows(response)
    assert rows[1][:3] == ["#meta+id", "#meta+url", "#country+name"]
    assert rows[2][0] == str(world.plan.pk)


def test_exports_xlsx_is_a_workbook(world):
    response = token_client(world.member, read_only=True).get(
        f"/api/v1/plans/{world.plan.pk}/export/xlsx/"
    )
    assert (response.status_code, response["Content-Type"]) == (200, XLSX)
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Plan", "Action points"]


@pytest.mark.parametrize("role", ["viewer", "outsider"])
def test_exports_hidden_plan_is_404(world, role):
    client = token_client(getattr(world, role))
    for kind in ("csv", "hxl", "xlsx"):
        response = client.get(f"/api/v1/plans/{world.plan.pk}/export/{kind}/")
        assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


def test_exports_need_credentials(world, anonymous_client):
    assert anonymous_client.get(f"/api/v1/plans/{world.plan.pk}/export/csv/").status_code == 401


# --- every action point you may see ------------------------------------------------------------

ALL_POINTS = "/api/v1/action-points/export/csv/"


@pytest.mark.parametrize(
    ("role", "descriptions"),
    [
        # Plan by plan, in the order they were made.
        ("admin", ["IMWG to recommend standardized tools", "Secret action"]),
        ("coordinator", ["IMWG to recommend standardized tools"]),
        ("member", ["IMWG to recommend standardized tools"]),
        ("member_ro", ["IMWG to recommend standardized tools"]),
        ("viewer", []),
        ("outsider", []),
    ],
)
def test_all_points_csv_holds_what_the_caller_may_see(clients, role, descriptions):
    response = clients[role].get(ALL_POINTS)

    assert (response.status_code, response["Content-Type"]) == (200, "text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="action-points-')
    rows = _rows(response)
    assert rows[0] == FLAT_COLUMNS
    assert [row[5] for row in rows[1:]] == descriptions


def test_all_points_csv_takes_the_list_filters(world, clients):
    admin = clients["admin"]

    assert [r[5] for r in _rows(admin.get(ALL_POINTS + "?q=secret"))[1:]] == ["Secret action"]
    assert [r[5] for r in _rows(admin.get(ALL_POINTS + f"?plan={world.plan.pk}"))[1:]] == [
        "IMWG to recommend standardized tools"
    ]
    assert _rows(admin.get(ALL_POINTS + "?status=completed"))[1:] == []


def test_all_points_csv_refuses_bad_filters_as_json(world, clients):
    response = clients["viewer"].get(ALL_POINTS + f"?plan={world.plan.pk}&overdue=maybe")

    assert response.status_code == 400
    assert response.json() == {
        "plan": ["Select a valid choice. That choice is not one of the available choices."],
        "overdue": ['overdue must be "true" or "false", not "maybe".'],
    }


def test_all_points_csv_needs_credentials(anonymous_client):
    response = anonymous_client.get(ALL_POINTS)

    assert response.status_code == 401
