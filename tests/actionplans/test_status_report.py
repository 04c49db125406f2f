"""The status report for the monthly meeting: what changed in a plan since a day
(completed, deadlines moved, newly late, progress updates), as a page and a workbook."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actionplans import services
from actionplans.choices import PlanVisibility
from actionplans.exports.status_report import section_cells, status_reports
from actionplans.models import ActionPlan
from actionplans.services import FocalPointAssignment
from tests.factories import PersonFactory, UserFactory
from tests.users import build_world

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
TODAY = datetime.date(2026, 6, 15)
SINCE = datetime.date(2026, 6, 1)


def _at(day: int, month: int = 6, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, tzinfo=UTC)


def _history(world) -> dict[str, object]:
    """A plan whose history straddles 1 June 2026: each section has a row from before
    the day (left out) and one from after."""
    cora = UserFactory(username="cora", first_name="Cora", last_name="Ordinator")
    challenge = world.challenge
    lina = PersonFactory(name="Lina")

    def point(description: str, deadline: str, lead=None):
        with time_machine.travel(_at(1, month=1), tick=False):
            return services.action_point_create(
                challenge=challenge,
                description=description,
                deadline=deadline,
                focal_points=[FocalPointAssignment(lead, "lead")] if lead else [],
            )

    done_before = point("Done in May", "Q2 2026")
    done_since = point("Done in June", "Q2 2026")
    moved = point("Moved twice", "Q2 2026")
    late = point("Late since", "10/06/2026", lead=lina)
    point("Late before", "Q1 2026")  # overdue since March: not newly late
    done_late = point("Done before due", "12/06/2026")
    with time_machine.travel(_at(20, month=5), tick=False):
        services.progress_update_create(
            action_point=done_before, author=cora, status="completed", note="May note"
        )
    with time_machine.travel(_at(25, month=5), tick=False):
        services.action_point_reschedule(
            action_point=moved, new_deadline="Q3 2026", reason="First move", changed_by=cora
        )
    with time_machine.travel(_at(3), tick=False):
        services.action_point_reschedule(
            action_point=moved, new_deadline="Q4 2026", reason="Funding late", changed_by=None
        )
    with time_machine.travel(_at(5), tick=False):
        services.progress_update_create(
            action_point=done_since,
            author=cora,
            status="completed",
            note="=Shared with the IMWG",
            evidence_url="https://example.org/report",
        )
    with time_machine.travel(_at(8), tick=False):
        services.progress_update_create(
            action_point=done_late, author=world.member, status="completed", note="Done."
        )
    with time_machine.travel(_at(9), tick=False):
        services.progress_update_create(
            action_point=late, author=None, reported_by=lina, status="in_progress", progress=30
        )
    return {"done_since": done_since, "moved": moved, "late": late, "done_late": done_late}


GROUP = "Group 1: Data Sharing"
COMPLETED = [
    ["Done in June", GROUP, _at(5), "Cora Ordinator"],
    ["Done before due", GROUP, _at(8), "member"],
]
MOVED = [
    [
        "Moved twice",
        GROUP,
        _at(3),
        "Q3 2026",
        datetime.date(2026, 9, 30),
        "Q4 2026",
        datetime.date(2026, 12, 31),
        "Funding late",
        "",
    ]
]
NEWLY_LATE = [
    ["Late since", GROUP, datetime.date(2026, 6, 10), "In progress", 30, "Lina (lead)"],
]
UPDATES = [
    [
        _at(5),
        "Done in June",
        GROUP,
        "Cora Ordinator",
        "Completed",
        100,
        "=Shared with the IMWG",
        "https://example.org/report",
    ],
    [_at(8), "Done before due", GROUP, "member", "Completed", 100, "Done.", ""],
    [_at(9), "Late since", GROUP, "Lina", "In progress", 30, "", ""],
]


def _sections(report) -> dict[str, list[list[object]]]:
    return {
        name: [section_cells(name, row) for row in getattr(report, name)]
        for name in ("completed", "moved", "newly_late", "updates")
    }


def test_status_report_sections_hold_what_changed_since_the_day():
    world = build_world()
    _history(world)

    with time_machine.travel(_at(15), tick=False):
        (report,) = status_reports(ActionPlan.objects.filter(pk=world.plan.pk), SINCE, TODAY)

    assert report.plan == world.plan
    assert _sections(report) == {
        "completed": COMPLETED,
        "moved": MOVED,
        "newly_late": NEWLY_LATE,
        "updates": UPDATES,
    }


def test_status_report_since_is_inclusive_of_its_day():
    world = build_world()
    _history(world)

    (report,) = status_reports(
        ActionPlan.objects.filter(pk=world.plan.pk), datetime.date(2026, 6, 5), TODAY
    )

    assert [row[0] for row in _sections(report)["completed"]] == ["Done in June", "Done before due"]
    assert _sections(report)["moved"] == []
    assert _sections(report)["newly_late"] == NEWLY_LATE


def _sheet_rows(body: bytes, sheet: str) -> list[list[object]]:
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    return [list(row) for row in workbook[sheet].iter_rows(values_only=True)]


def _naive(value: object) -> object:
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time())
    return value


def _trimmed(rows: list[list[object]]) -> list[list[object]]:
    """Rows without their trailing empty cells."""
    trimmed = []
    for row in rows:
        while row and row[-1] is None:
            row = row[:-1]
        trimmed.append(row)
    return trimmed


@time_machine.travel(_at(15), tick=False)
def test_status_report_workbook_has_one_sheet_per_plan_with_exact_rows(client):
    world = build_world()
    _history(world)
    client.force_login(world.coordinator)

    response = client.get(f"/plans/{world.plan.pk}/status-report.xlsx?since=2026-06-01")

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="pim-lebanon-action-plan-status-2026-06-01-2026-06-15.xlsx"'
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["PIM Lebanon Action Plan"]
    sheet = workbook["PIM Lebanon Action Plan"]
    # Dates are date cells.
    assert (sheet["B2"].value, sheet["B2"].is_date) == (datetime.datetime(2026, 6, 1), True)
    rows = _trimmed([list(row) for row in sheet.iter_rows(values_only=True)])
    naive = [[_naive(value) for value in row] for row in COMPLETED]
    assert (
        rows
        == [
            ["Status report: PIM Lebanon Action Plan"],
            ["Changes since", datetime.datetime(2026, 6, 1)],
            ["Printed on", datetime.datetime(2026, 6, 15)],
            [],
            ["Completed"],
            ["Action point", "Working group", "Completed on", "By"],
            *naive,
            [],
            ["Deadlines moved"],
            [
                "Action point",
                "Working group",
                "Moved on",
                "Old deadline",
                "Old due date",
                "New deadline",
                "New due date",
                "Reason",
                "By",
            ],
            [_naive(value) for value in MOVED[0][:-1]],  # no author: an empty last cell
            [],
            ["Newly late"],
            ["Action point", "Working group", "Due date", "Status", "Progress (%)", "Focal points"],
            [_naive(value) for value in NEWLY_LATE[0]],
            [],
            ["Progress updates and notes"],
            [
                "Date",
                "Action point",
                "Working group",
                "By",
                "Status",
                "Progress (%)",
                "Note",
                "Evidence link",
            ],
            # The note that a spreadsheet would run is neutralised.
            [_naive(UPDATES[0][0]), *UPDATES[0][1:6], "'=Shared with the IMWG", UPDATES[0][7]],
            [_naive(value) for value in UPDATES[1][:7]],
            [_naive(value) for value in UPDATES[2][:6]],
        ]
    )
    completed_on = sheet.cell(7, 3)
    assert completed_on.is_date and completed_on.number_format == "yyyy-mm-dd hh:mm"


@time_machine.travel(_at(15), tick=False)
def test_status_report_page_shows_the_sections_and_the_printed_on_date(client):
    world = build_world()
    _history(world)
    client.force_login(world.coordinator)

    response = client.get(f"/plans/{world.plan.pk}/status-report/?since=2026-06-01")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Changes since 2026-06-01 · Printed on 2026-06-15" in html
    assert f'href="/plans/{world.plan.pk}/status-report.xlsx?since=2026-06-01"' in html
    ((report, sections),) = response.context["reports"]
    assert [(name, heading, len(rows)) for name, heading, _headers, rows in sections] == [
        ("completed", "Completed", 2),
        ("moved", "Deadlines moved", 1),
        ("newly_late", "Newly late", 1),
        ("updates", "Progress updates and notes", 3),
    ]
    assert sections[1][3] == [
        [
            ("Moved twice", ""),
            (GROUP, ""),
            ("2026-06-03 10:00", ""),
            ("Q3 2026", ""),
            ("2026-09-30", ""),
            ("Q4 2026", ""),
            ("2026-12-31", ""),
            ("Funding late", ""),
            ("", ""),
        ]
    ]
    assert '<a href="https://example.org/report" rel="noopener noreferrer">' in html


@time_machine.travel(_at(15), tick=False)
def test_status_report_since_defaults_to_30_days_ago(client):
    world = build_world()
    client.force_login(world.coordinator)

    response = client.get(f"/plans/{world.plan.pk}/status-report/")

    assert response.status_code == 200
    assert response.context["since"] == datetime.date(2026, 5, 16)


@pytest.mark.parametrize(
    ("since", "message"),
    [("1 June", "Enter a valid date."), ("2026-06-16", "Pick today or a day in the past.")],
)
@time_machine.travel(_at(15), tick=False)
def test_status_report_refuses_a_bad_or_future_date(client, since, message):
    world = build_world()
    client.force_login(world.coordinator)

    download = client.get(f"/plans/{world.plan.pk}/status-report.xlsx", {"since": since})
    page = client.get(f"/plans/{world.plan.pk}/status-report/", {"since": since})

    assert download.status_code == 400
    assert download["Content-Type"] == "text/plain; charset=utf-8"
    assert download.content.decode() == f"The date is not valid:\nsince: {message}\n"
    assert page.status_code == 200
    assert page.context["form"].errors == {"since": [message]}
    assert "reports" not in page.context
    assert f'<span class="error" role="alert">{message}</span>' in page.content.decode()


@pytest.mark.parametrize(
    "url", ["/plans/{pk}/status-report/", "/plans/{pk}/status-report.xlsx"], ids=["page", "xlsx"]
)
def test_status_report_of_a_hidden_plan_is_a_404(client, url):
    world = build_world()
    client.force_login(world.outsider)

    assert client.get(url.format(pk=world.plan.pk)).status_code == 404
    assert client.get(url.format(pk=world.other_plan.pk)).status_code == 404


@pytest.mark.parametrize(
    "url", ["/plans/{pk}/status-report/", "/plans/{pk}/status-report.xlsx"], ids=["page", "xlsx"]
)
def test_status_report_is_open_to_viewers(client, url):
    world = build_world(visibility=PlanVisibility.SIGNED_IN)
    client.force_login(world.viewer)

    assert client.get(url.format(pk=world.plan.pk)).status_code == 200


@time_machine.travel(_at(15), tick=False)
def test_status_report_of_all_plans_holds_the_plans_the_user_may_see(client):
    world = build_world()
    _history(world)
    signed_in = ActionPlan.objects.create(title="Open plan", visibility=PlanVisibility.SIGNED_IN)
    client.force_login(world.member)

    page = client.get("/status-report/?since=2026-06-01")
    download = client.get("/status-report.xlsx?since=2026-06-01")

    assert [report.plan for report, _sections in page.context["reports"]] == [
        signed_in,
        world.plan,
    ]
    assert openpyxl.load_workbook(io.BytesIO(download.content)).sheetnames == [
        "Open plan",
        "PIM Lebanon Action Plan",
    ]
    assert download["Content-Disposition"] == (
        'attachment; filename="plans-status-2026-06-01-2026-06-15.xlsx"'
    )


def test_status_report_links_on_the_plan_page_and_the_portfolio(client):
    world = build_world()
    client.force_login(world.coordinator)

    plan_page = client.get(f"/plans/{world.plan.pk}/").content.decode()
    portfolio = client.get("/dashboard/").content.decode()

    assert f'<a href="/plans/{world.plan.pk}/status-report/">Status report</a>' in plan_page
    assert '<a href="/status-report/">Status report of all plans</a>' in portfolio


# --- no N+1 --------------------------------------------------------------------------------------


def _grow(world, plans: int) -> None:
    """More plans the coordinator runs, each with points completed, moved, late and
    updated in June."""
    for index in range(plans):
        plan = services.plan_create(title=f"Plan {index}")
        plan.coordinators.add(world.coordinator)
        group = services.working_group_create(plan=plan, name="Group")
        challenge = services.challenge_create(working_group=group, description="Challenge")
        for number in range(3):
            with time_machine.travel(_at(1, month=1), tick=False):
                point = services.action_point_create(
                    challenge=challenge,
                    description=f"Point {number}",
                    deadline="10/06/2026",
                    focal_points=[FocalPointAssignment(PersonFactory(), "lead")],
                )
            with time_machine.travel(_at(4), tick=False):
                services.progress_update_create(
                    action_point=point, author=world.member, status="in_progress", note="n"
                )
                services.action_point_reschedule(
                    action_point=point, new_deadline="11/06/2026", reason="r", changed_by=None
                )
            with time_machine.travel(_at(5), tick=False):
                services.progress_update_create(
                    action_point=point, author=world.coordinator, status="completed", note="Done."
                )


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize(
    "url",
    [
        "/status-report/?since=2026-06-01",
        "/status-report.xlsx?since=2026-06-01",
        "/plans/{plan}/status-report/?since=2026-06-01",
        "/plans/{plan}/status-report.xlsx?since=2026-06-01",
    ],
)
@time_machine.travel(_at(15), tick=False)
def test_status_report_query_counts_do_not_grow(client, url):
    world = build_world()
    _history(world)
    client.force_login(world.coordinator)
    url = url.format(plan=world.plan.pk)

    small = _count(client, url)
    _grow(world, 3)
    services.progress_update_create(action_point=world.action_point, author=None, progress=10)
    large = _count(client, url)

    assert large == small
