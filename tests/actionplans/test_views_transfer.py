"""Import (upload → preview → confirm), exports and calendar feeds, per role.

A hidden plan answers 404, a plan seen but not changeable 403 (docs/domain.md).
"""

import csv
import datetime
import html as html_module
import io
import re

import icalendar
import openpyxl
import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from actionplans import services
from actionplans.choices import PlanVisibility
from actionplans.exports.rows import FLAT_COLUMNS
from actionplans.models import ActionPlan, ActionPoint, CalendarFeed
from actionplans.services import FocalPointAssignment
from actionplans.views.transfer import SESSION_PREFIX
from orgs.models import AccountPreference
from tests.actionplans.test_queries import _grow
from tests.actionplans.transfer import (
    DEADLINE_EXAMPLES,
    SEED_CONTENT,
    plan_content,
    seed_bytes,
    snapshot,
    two_groups_xlsx,
)
from tests.factories import PersonFactory
from tests.users import build_world

pytestmark = pytest.mark.django_db

ROLES = ["admin", "coordinator", "member", "viewer", "outsider"]


@pytest.fixture
def world():
    return build_world()


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _text(html: str) -> str:
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


def _preview_rows(response) -> list[list[str]]:
    """Row, challenge, action point, deadline, focal points of each previewed action point."""
    html = response.content.decode()
    return [
        [_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for body in re.findall(r"<tbody>(.*?)</tbody>", html, re.S)
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def _issues(response) -> list[str]:
    html = response.content.decode()
    return [_text(item) for item in re.findall(r'<li class="issue-\w+">(.*?)</li>', html, re.S)]


def _upload(client, url: str, data: bytes, name: str = "plan.tsv", **fields):
    post = {"step": "upload", "file": SimpleUploadedFile(name, data), "visibility": "members"}
    return client.post(url, post | fields)


def _token(response) -> str:
    return response.context["confirm"]["token"].value()


def _confirm(client, url: str, token: str, **fields):
    return client.post(url, {"step": "confirm", "token": token} | fields)


# --- import: who may --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("coordinator", 200), ("member", 403), ("viewer", 403), ("outsider", 403)],
)
def test_plan_import_page_only_for_coordinators_and_admins(client, world, role, status):
    client.force_login(getattr(world, role))

    assert client.get("/plans/import/").status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("coordinator", 200), ("member", 403), ("viewer", 404), ("outsider", 404)],
)
def test_plan_import_into_page_per_role(client, world, role, status):
    client.force_login(getattr(world, role))

    assert client.get(f"/plans/{world.plan.pk}/import/").status_code == status


def test_plan_import_into_plan_seen_but_not_coordinated_is_403(client):
    world = build_world(visibility=PlanVisibility.SIGNED_IN)
    client.force_login(world.viewer)

    assert client.get(f"/plans/{world.plan.pk}/import/").status_code == 403


def test_plan_import_into_hidden_plan_is_404_even_for_a_coordinator(client, world):
    client.force_login(world.coordinator)

    assert client.get(f"/plans/{world.other_plan.pk}/import/").status_code == 404


def test_plan_import_anonymous_is_sent_to_sign_in(client, world):
    response = client.get("/plans/import/")

    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/login/?next=/plans/import/",
    )


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_plan_import_upload_by_non_coordinator_is_403_and_writes_nothing(client, world, role):
    client.force_login(getattr(world, role))
    before = snapshot()

    response = _upload(client, "/plans/import/", seed_bytes(), title="Mine")

    assert response.status_code == 403
    assert snapshot() == before
    assert not [key for key, _value in client.session.items() if key.startswith(SESSION_PREFIX)]


def test_plan_import_confirm_by_member_is_403_and_writes_nothing(client, world):
    client.force_login(world.coordinator)
    token = _token(_upload(client, f"/plans/{world.plan.pk}/import/", seed_bytes()))
    client.force_login(world.member)
    before = snapshot()

    response = _confirm(client, f"/plans/{world.plan.pk}/import/", token)

    assert response.status_code == 403
    assert snapshot() == before


def test_plan_import_put_is_405(client, world):
    client.force_login(world.coordinator)

    assert client.put("/plans/import/").status_code == 405


# --- import: upload and preview ---------------------------------------------------------------


def test_plan_import_preview_shows_the_table_and_writes_nothing(client, world):
    client.force_login(world.coordinator)
    before = snapshot()

    response = _upload(client, "/plans/import/", seed_bytes())

    assert response.status_code == 200
    assert response.templates[0].name == "actionplans/import_preview.html"
    assert snapshot() == before
    assertContains(
        response,
        '“<span dir="auto">PIM Lebanon Action Plan</span>”: 1 working group, 4 challenges, '
        "4 action points. Nothing is saved until you confirm.",
    )
    assertContains(response, '<h2>Group 1: <span dir="auto">Data Sharing</span></h2>', html=True)
    assertContains(
        response,
        ", ".join(
            f'<span dir="auto">{name}</span>' for name in ["Rana", "Omar", "Maria", "Fred", "Jad"]
        ),
    )
    rows = _preview_rows(response)
    assert [row[:2] for row in rows] == [
        ["7", "1. Lack of common, user-friendly and secure data-sharing tools"],
        ["8", "2. Informed consent about sharing and different types of sharing and recipients"],
        ["9", "3. Trust between actors (in terms of data quality, methodology, data protection)"],
        ["10", "4. Lack of knowledge about where and how to access information and data"],
    ]
    assert rows[1][2:] == [
        "Build comprehensive consent form drafts and guidelines on which to choose depending "
        "on survey/activities Disseminate",
        "2019 by 31 Dec 2019",
        "Fanette (lead), Fred (advisor)",
    ]
    assert _issues(response) == []
    assertContains(response, '<button type="submit">Confirm the import</button>', html=True)
    stored = client.session[SESSION_PREFIX + _token(response)]
    assert stored["options"] == {
        "title": "",
        "country": "",
        "origin": "",
        "visibility": "members",
    }


def test_plan_import_preview_shows_issues_with_row_and_column(client, world):
    client.force_login(world.coordinator)
    data = seed_bytes() + b"1. Again\tDuplicate\tsoonish\tJad (lead\n"
    before = snapshot()

    response = _upload(client, "/plans/import/", data)

    assert _issues(response) == [
        "Error — Row 11, column A: Challenge 1 appears twice in group 1.",
        f'Error — Row 11, column C: Cannot read the deadline "soonish". {DEADLINE_EXAMPLES}',
        'Error — Row 11, column D: Cannot read the focal points "Jad (lead": a parenthesis is '
        'not closed or not opened. Write them as, for example: "Jad", "Rana, Omar", '
        '"Fanette (Fred can advise)", "Jad (lead), Rana (support)", or "UNHCR (Jad)".',
    ]
    # Errors other than deadlines block: no confirm button.
    assertContains(response, "Correct the errors above in the table, then upload it again.")
    assertNotContains(response, "Confirm the import")
    assert snapshot() == before


def test_plan_import_preview_of_a_workbook_names_sheets(client, world):
    client.force_login(world.coordinator)

    response = _upload(client, "/plans/import/", two_groups_xlsx(), name="plan.xlsx")

    assertContains(response, "2 working groups, 6 challenges, 7 action points.")
    assert [row[0] for row in _preview_rows(response)] == [
        "Data Sharing 7",
        "Data Sharing 8",
        "Data Sharing 9",
        "Data Sharing 10",
        "Protection Monitoring 5",
        "Protection Monitoring 6",
        "Protection Monitoring 7",
    ]


def test_plan_import_warnings_are_listed_but_do_not_block(client, world):
    client.force_login(world.coordinator)
    data = b"Working group,Challenge,Action point,Budget\nGroup 1: Data,1. Lack,Do it,500\n"

    response = _upload(client, "/plans/import/", data, name="plan.csv", title="Budgeted")

    assert _issues(response) == ['Warning — Row 1, column D: Unknown column "Budget" was ignored.']
    assertContains(response, "Confirm the import")


def test_plan_import_pasted_text(client, world):
    client.force_login(world.coordinator)

    response = client.post(
        "/plans/import/",
        {"step": "upload", "text": seed_bytes().decode(), "visibility": "members"},
    )

    assertContains(response, "1 working group, 4 challenges, 4 action points.")


def test_plan_import_nothing_given_asks_for_a_file(client, world):
    client.force_login(world.coordinator)

    response = client.post("/plans/import/", {"step": "upload", "visibility": "members"})

    assert response.templates[0].name == "actionplans/import_form.html"
    assert response.context["form"].errors == {"__all__": ["Choose a file or paste a table."]}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "This is not a table: the file holds binary data. "
            "Upload a spreadsheet (.xlsx), CSV or tab-separated text.",
        ),
        (b"PK\x03\x04broken", "The file looks like an Excel workbook but is damaged."),
        (b" \n\n", "The file is empty."),
    ],
    ids=["binary", "damaged-xlsx", "blank"],
)
def test_plan_import_unreadable_file_is_a_form_error(client, world, data, message):
    client.force_login(world.coordinator)
    before = snapshot()

    response = _upload(client, "/plans/import/", data)

    assert response.context["form"].errors == {"file": [message]}
    assert snapshot() == before


def test_plan_import_oversize_upload_is_refused_before_reading(client, world, settings):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    client.force_login(world.coordinator)

    response = _upload(client, "/plans/import/", seed_bytes() + b"\n" * (2 * 1024 * 1024))

    assert response.context["form"].errors == {
        "file": ["The file is 2.0 MB; the most accepted is 1 MB."]
    }


def test_plan_import_pasted_text_error_is_on_the_text_field(client, world):
    client.force_login(world.coordinator)

    response = client.post(
        "/plans/import/",
        {"step": "upload", "text": "Name\tEmail\nJad\tjad@example.org", "visibility": "members"},
    )

    assert _issues(response) == [
        'Warning — Row 1: Text before the first "Group N: Name" line was ignored.',
        'Warning — Row 2: Text before the first "Group N: Name" line was ignored.',
        'Error — Row 1: No working group found: start each group with "Group N: Name".',
    ]


def test_plan_import_pasted_nul_is_refused(client, world):
    client.force_login(world.coordinator)

    response = client.post(
        "/plans/import/", {"step": "upload", "text": "\x00\x01", "visibility": "members"}
    )

    assert response.context["form"].errors == {"text": ["Null characters are not allowed."]}


# --- import: confirm ---------------------------------------------------------------------------


def test_plan_import_confirm_creates_the_plan(client, world):
    client.force_login(world.coordinator)
    response = _upload(
        client,
        "/plans/import/",
        seed_bytes(),
        title="Lebanon 2019",
        country="Lebanon",
        origin="PIM training, Beirut",
        visibility="signed_in",
    )
    token = _token(response)

    response = _confirm(client, "/plans/import/", token)

    plan = ActionPlan.objects.get(title="Lebanon 2019")
    assert (response.status_code, response["Location"]) == (302, f"/plans/{plan.pk}/")
    assert _messages(response) == [
        "Imported: 1 working group(s), 4 challenge(s), 4 action point(s) and 6 person(s) added."
    ]
    assert (plan.country, plan.origin, plan.visibility, plan.status) == (
        "Lebanon",
        "PIM training, Beirut",
        "signed_in",
        "active",
    )
    assert list(plan.coordinators.all()) == [world.coordinator]
    assert plan_content(plan) == SEED_CONTENT
    assert SESSION_PREFIX + token not in client.session


def test_plan_import_confirm_twice_says_expired_and_writes_nothing_more(client, world):
    client.force_login(world.coordinator)
    token = _token(_upload(client, "/plans/import/", seed_bytes(), title="Once"))
    done = _confirm(client, "/plans/import/", token)
    client.get(done["Location"])  # shows (and so uses up) the success message
    before = snapshot()

    response = _confirm(client, "/plans/import/", token)

    assert (response.status_code, response["Location"]) == (302, "/plans/import/")
    assert _messages(response) == ["This import has expired or was done already: start again."]
    assert snapshot() == before


@pytest.mark.parametrize("token", ["unknown-token", ""], ids=["unknown", "missing"])
def test_plan_import_unknown_token_redirects_with_a_message(client, world, token):
    client.force_login(world.coordinator)
    url = f"/plans/{world.plan.pk}/import/"
    before = snapshot()

    response = _confirm(client, url, token)

    assert (response.status_code, response["Location"]) == (302, url)
    assert _messages(response) == ["This import has expired or was done already: start again."]
    assert snapshot() == before


def test_plan_import_into_existing_plan_twice_adds_nothing_the_second_time(client, world):
    client.force_login(world.coordinator)
    url = f"/plans/{world.plan.pk}/import/"
    _confirm(client, url, _token(_upload(client, url, seed_bytes())))
    before = snapshot()

    response = _confirm(client, url, _token(_upload(client, url, seed_bytes())))

    assert response["Location"] == f"/plans/{world.plan.pk}/"
    assert _messages(response) == [
        "Imported: 0 working group(s), 0 challenge(s), 0 action point(s) and 0 person(s) "
        "added; 4 action point(s) were already there."
    ]
    assert snapshot() == before


def test_plan_import_new_plan_with_existing_title_is_refused_on_confirm(client, world):
    client.force_login(world.coordinator)
    response = _upload(client, "/plans/import/", seed_bytes())  # title line = world.plan's
    before = snapshot()

    response = _confirm(client, "/plans/import/", _token(response))

    assert response.status_code == 200
    assert response.context["confirm"].non_field_errors() == [
        "A plan titled “PIM Lebanon Action Plan” exists already: import into it instead, "
        "so that nothing is duplicated."
    ]
    assert snapshot() == before


def test_plan_import_confirm_of_blocked_table_writes_nothing(client, world):
    client.force_login(world.coordinator)
    data = seed_bytes() + b"1. Again\tDuplicate\t2019\tJad\n"
    response = _upload(client, "/plans/import/", data, title="Blocked")
    before = snapshot()

    response = _confirm(client, "/plans/import/", _token(response), keep_undated="on")

    assert response.context["confirm"].non_field_errors() == [
        "Row 11, column A: Challenge 1 appears twice in group 1."
    ]
    assert snapshot() == before


SOONISH = (
    b"Group 1: Data\nChallenges\tAction Point\tDeadline\tFocal point\n"
    b"1. Lack\tDo it\tsoonish\tJad\n"
)


def test_plan_import_unreadable_deadline_blocks_confirm_unless_keep_undated(client, world):
    client.force_login(world.coordinator)
    response = _upload(client, "/plans/import/", SOONISH, title="Soonish")
    token = _token(response)
    assertContains(response, "Confirm the import")
    assertContains(response, "Unreadable deadlines block the import unless you tick the box.")
    before = snapshot()

    refused = _confirm(client, "/plans/import/", token)

    assert refused.status_code == 200
    assert refused.context["confirm"].non_field_errors() == [
        f'Row 3, column C: Cannot read the deadline "soonish". {DEADLINE_EXAMPLES}'
    ]
    assert snapshot() == before

    accepted = _confirm(client, "/plans/import/", token, keep_undated="on")

    plan = ActionPlan.objects.get(title="Soonish")
    assert accepted["Location"] == f"/plans/{plan.pk}/"
    point = ActionPoint.objects.get(challenge__working_group__plan=plan)
    assert (point.deadline, point.deadline_precision, point.due_date) == ("soonish", "none", None)


def test_plan_import_confirm_is_atomic(client, world):
    client.force_login(world.coordinator)
    # Reads cleanly; the second action point is too long for the database.
    data = (
        "Group 1: Data\nChallenges\tAction Point\tDeadline\tFocal point\n"
        f"1. Lack\tFirst\t2019\tJad\n\t{'x' * 5001}\t2019\tRana\n"
    ).encode()
    response = _upload(client, "/plans/import/", data, title="Atomic")
    token = _token(response)
    before = snapshot()

    response = _confirm(client, "/plans/import/", token)

    assert response.context["confirm"].non_field_errors() == [
        "Description is 5001 characters long; the most is 5000."
    ]
    assert snapshot() == before
    assert SESSION_PREFIX + token in client.session


# --- exports -----------------------------------------------------------------------------------

EXPORTS = {"csv": "export.csv", "hxl": "export-hxl.csv", "xlsx": "export.xlsx"}


@pytest.mark.parametrize("kind", EXPORTS)
@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("coordinator", 200), ("member", 200), ("viewer", 404), ("outsider", 404)],
)
def test_plan_export_per_role(client, world, kind, role, status):
    client.force_login(getattr(world, role))

    response = client.get(f"/plans/{world.plan.pk}/{EXPORTS[kind]}")

    assert response.status_code == status


@pytest.mark.parametrize("kind", EXPORTS)
def test_plan_export_visible_to_all_signed_in_users(client, kind):
    world = build_world(visibility=PlanVisibility.SIGNED_IN)
    client.force_login(world.outsider)

    assert client.get(f"/plans/{world.plan.pk}/{EXPORTS[kind]}").status_code == 200


@pytest.mark.parametrize("kind", EXPORTS)
def test_plan_export_login_required(client, world, kind):
    url = f"/plans/{world.plan.pk}/{EXPORTS[kind]}"

    response = client.get(url)

    assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={url}")


@pytest.mark.parametrize("kind", EXPORTS)
def test_plan_export_post_is_405(client, world, kind):
    client.force_login(world.coordinator)

    assert client.post(f"/plans/{world.plan.pk}/{EXPORTS[kind]}").status_code == 405


@pytest.mark.parametrize(
    ("kind", "content_type", "suffix"),
    [
        ("csv", "text/csv", ".csv"),
        ("hxl", "text/csv", "-hxl.csv"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    ],
)
def test_plan_export_content_type_and_attachment_name(client, world, kind, content_type, suffix):
    client.force_login(world.member)

    response = client.get(f"/plans/{world.plan.pk}/{EXPORTS[kind]}")

    today = timezone.localdate().isoformat()
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="pim-lebanon-action-plan-{today}{suffix}"'
    )


def test_plan_export_csv_is_streamed(client, world):
    client.force_login(world.member)

    response = client.get(f"/plans/{world.plan.pk}/export.csv")

    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1] == [
        "PIM Lebanon Action Plan",
        "Group 1: Data Sharing",
        "Jad",
        "Jad",
        "1. Lack of tools",
        "IMWG to recommend standardized tools",
        "",
        "",
        "Not started",
        "0",
        "Jad (lead)",
        "",
        "",
        "",
        "",
        *("", "", "", "Normal"),  # no PIM tag, normal priority
    ]
    assert len(rows) == 2


def test_plan_export_hxl_has_the_plan_link(client, world):
    client.force_login(world.member)

    response = client.get(f"/plans/{world.plan.pk}/export-hxl.csv")

    assert isinstance(response, StreamingHttpResponse)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[2][:3] == [
        str(world.plan.pk),
        f"http://testserver/plans/{world.plan.pk}/",
        "Lebanon",
    ]


def test_plan_export_xlsx_opens(client, world):
    client.force_login(world.member)

    response = client.get(f"/plans/{world.plan.pk}/export.xlsx")

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Plan", "Action points"]


def _export_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200, url
    assert body
    return len(captured)


@pytest.mark.parametrize("kind", EXPORTS)
def test_plan_export_query_count_does_not_grow(client, world, kind):
    client.force_login(world.member)
    url = f"/plans/{world.plan.pk}/{EXPORTS[kind]}"

    _grow(world, 1)
    small = _export_queries(client, url)
    _grow(world, 4)
    large = _export_queries(client, url)

    assert ActionPoint.objects.filter(challenge__working_group__plan=world.plan).count() == 21
    assert large == small


def test_plan_export_csv_query_count_is_exact(client, world):
    client.force_login(world.member)
    _grow(world, 2)

    # Session, user, plan lookup; groups with leaders, their members; on
    # PostgreSQL one query for the action points with their focal points,
    # elsewhere one for the action points and one for their focal points with
    # people and organizations (per chunk of 2,000 action points).
    expected = 6 if connection.vendor == "postgresql" else 7
    assert _export_queries(client, f"/plans/{world.plan.pk}/export.csv") == expected


# --- export of every action point you may see -------------------------------------------------

ALL_POINTS = "/action-points/export.csv"


def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.mark.parametrize(
    ("role", "descriptions"),
    [
        ("admin", ["IMWG to recommend standardized tools", "Secret action", "Open to all"]),
        ("coordinator", ["IMWG to recommend standardized tools", "Open to all"]),
        ("member", ["IMWG to recommend standardized tools", "Open to all"]),
        ("viewer", ["Open to all"]),
        ("outsider", ["Open to all"]),
    ],
)
def test_all_points_export_holds_exactly_the_visible_plans(client, world, role, descriptions):
    # A third plan every signed-in user may see; "Other plan" is members-only, no one's here.
    open_plan = services.plan_create(
        title="Another Plan", visibility=PlanVisibility.SIGNED_IN, coordinators=set()
    )
    group = services.working_group_create(plan=open_plan, name="Needs Assessment")
    challenge = services.challenge_create(working_group=group, description="Duplicates")
    services.action_point_create(challenge=challenge, description="Open to all", deadline="Q3 2031")
    client.force_login(getattr(world, role))

    response = client.get(ALL_POINTS)

    today = timezone.localdate().isoformat()
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == (f'attachment; filename="action-points-{today}.csv"')
    rows = _csv_rows(response)
    assert rows[0] == FLAT_COLUMNS
    # Plan by plan (in the order they were made), in workshop order within each plan.
    assert [row[5] for row in rows[1:]] == descriptions
    if "Open to all" in descriptions:
        assert rows[-1] == [
            "Another Plan",
            "Group 1: Needs Assessment",
            "",
            "",
            "1. Duplicates",
            "Open to all",
            "Q3 2031",
            "2031-09-30",
            "Not started",
            "0",
            "",
            "",
            "",
            "",
            "",
            *("", "", "", "Normal"),
        ]


def test_all_points_export_takes_the_filters(client, world):
    point = world.action_point
    services.progress_update_create(
        action_point=point, author=world.member, status="completed", progress=100, note="Done"
    )
    client.force_login(world.admin)

    completed = _csv_rows(client.get(ALL_POINTS + "?status=completed"))
    searched = _csv_rows(client.get(ALL_POINTS + "?q=secret"))
    by_person = _csv_rows(client.get(ALL_POINTS + f"?focal_point={world.member_person.pk}"))
    in_plan = _csv_rows(client.get(ALL_POINTS + f"?plan={world.other_plan.pk}"))

    assert [row[5] for row in completed[1:]] == ["IMWG to recommend standardized tools"]
    assert [row[8] for row in completed[1:]] == ["Completed"]
    assert [row[5] for row in searched[1:]] == ["Secret action"]
    assert [row[5] for row in by_person[1:]] == ["IMWG to recommend standardized tools"]
    assert [row[10] for row in by_person[1:]] == ["Jad (lead)"]
    assert [row[5] for row in in_plan[1:]] == ["Secret action"]


def test_all_points_export_refuses_bad_filters_and_says_which(client, world):
    client.force_login(world.viewer)

    response = client.get(ALL_POINTS + f"?status=late&plan={world.plan.pk}&due_before=soon")

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().splitlines() == [
        "The filters are not valid:",
        "plan: Select a valid choice. That choice is not one of the available choices.",
        "status: Select a valid choice. late is not one of the available choices.",
        "due_before: Enter a valid date.",
    ]


def test_all_points_export_login_required_and_get_only(client, world):
    response = client.get(ALL_POINTS)
    assert (response.status_code, response["Location"]) == (
        302,
        f"/accounts/login/?next={ALL_POINTS}",
    )
    client.force_login(world.admin)
    assert client.post(ALL_POINTS).status_code == 405


def test_all_points_export_query_count_does_not_grow(client, world):
    client.force_login(world.member)

    _grow(world, 1)
    small = _export_queries(client, ALL_POINTS)
    _grow(world, 4)
    large = _export_queries(client, ALL_POINTS)

    # Session, user, coordinated plans, the user's two permission queries
    # (is_admin); groups with leaders, their members; on PostgreSQL one query for
    # the action points with their focal points, elsewhere one for the action
    # points and one for their focal points (per chunk of 2,000 action points).
    assert small == large == (8 if connection.vendor == "postgresql" else 9)


def test_the_plan_list_links_to_the_export_of_all_points(client, world):
    client.force_login(world.viewer)

    assertContains(client.get("/plans/"), f'href="{ALL_POINTS}"')


# --- calendar feeds ------------------------------------------------------------------------------


def _feed(user) -> CalendarFeed:
    return CalendarFeed.objects.create(user=user, key="k" * 32 + str(user.pk))


def _dated_points(world):
    """Jad (the member) is lead of a Q1 2019 point and support of a 2030 one in the plan,
    and lead in the other plan; Rana leads a point of her own; one point is undated."""
    rana = PersonFactory(name="Rana")
    jad = world.member_person
    challenge = world.challenge
    points = {
        "q1": services.action_point_create(
            challenge=challenge,
            description="Recommend tools",
            deadline="Q1 of 2019",
            focal_points=[FocalPointAssignment(jad, "lead")],
        ),
        "2030": services.action_point_create(
            challenge=challenge,
            description="Review the tools",
            deadline="2030",
            focal_points=[FocalPointAssignment(rana, "lead"), FocalPointAssignment(jad, "support")],
        ),
        "rana": services.action_point_create(
            challenge=challenge,
            description="Rana's own",
            deadline="March 2019",
            focal_points=[FocalPointAssignment(rana, "lead")],
        ),
        "undated": services.action_point_create(
            challenge=challenge,
            description="Keep going",
            deadline="ongoing",
            focal_points=[FocalPointAssignment(jad, "lead")],
        ),
        "other": services.action_point_create(
            challenge=world.other_action_point.challenge,
            description="Elsewhere",
            deadline="2019",
            focal_points=[FocalPointAssignment(jad, "lead")],
        ),
    }
    return points


def _events(response) -> list[tuple[str, datetime.date]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    calendar = icalendar.Calendar.from_ical(body)
    return [(str(e["SUMMARY"]), e.decoded("DTSTART")) for e in calendar.walk("VEVENT")]


def test_calendar_feeds_page_offers_to_create_an_address(client, world):
    client.force_login(world.member)

    response = client.get("/account/calendar/")

    assertContains(response, "You have no calendar address yet.")
    assertContains(response, '<button type="submit">Create my calendar address</button>', html=True)


def test_calendar_feeds_create_once_and_show_addresses(client, world):
    client.force_login(world.member)

    response = client.post("/account/calendar/")
    client.post("/account/calendar/")  # a double click makes no second secret address

    feed = CalendarFeed.objects.get()
    assert (response.status_code, response["Location"]) == (302, "/account/calendar/")
    assert _messages(response) == ["New calendar address created."]
    assert (feed.user, feed.revoked, len(feed.key)) == (world.member, None, 43)
    page = client.get("/account/calendar/")
    assert re.findall(r'<code class="token-key">(.*?)</code>', page.content.decode()) == [
        f"http://testserver/calendar/{feed.key}/people/{world.member_person.pk}.ics",
        f"http://testserver/calendar/{feed.key}/plans/{world.plan.pk}.ics",
    ]


def test_calendar_feeds_page_login_required(client, world):
    response = client.get("/account/calendar/")

    assert response["Location"] == "/accounts/login/?next=/account/calendar/"


def test_calendar_plan_feed_works_without_a_session(client, world):
    points = _dated_points(world)
    feed = _feed(world.coordinator)

    response = client.get(f"/calendar/{feed.key}/plans/{world.plan.pk}.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'inline; filename="pim-lebanon-action-plan.ics"'
    assert _events(response) == [
        (points[name].description, points[name].due_date) for name in ("q1", "2030", "rana")
    ]
    feed.refresh_from_db()
    assert feed.last_used is not None


def test_calendar_plan_feed_404_after_revoke(client, world):
    client.force_login(world.coordinator)
    feed = _feed(world.coordinator)
    url = f"/calendar/{feed.key}/plans/{world.plan.pk}.ics"
    assert client.get(url).status_code == 200

    response = client.post(f"/account/calendar/{feed.pk}/revoke/")

    assert response["Location"] == "/account/calendar/"
    assert _messages(response) == ["Calendar address revoked: subscriptions to it stop working."]
    feed.refresh_from_db()
    assert feed.revoked is not None
    client.logout()
    assert client.get(url).status_code == 404
    client.force_login(world.coordinator)
    assertContains(client.get("/account/calendar/"), "You have no calendar address yet.")


def test_calendar_feed_revoke_of_someone_elses_feed_is_404(client, world):
    feed = _feed(world.coordinator)
    client.force_login(world.member)

    assert client.post(f"/account/calendar/{feed.pk}/revoke/").status_code == 404
    feed.refresh_from_db()
    assert feed.revoked is None


def test_calendar_feed_revoke_needs_post(client, world):
    feed = _feed(world.coordinator)
    client.force_login(world.coordinator)

    assert client.get(f"/account/calendar/{feed.pk}/revoke/").status_code == 405


def test_calendar_plan_feed_404_for_a_plan_the_owner_cannot_see(client, world):
    feed = _feed(world.coordinator)

    assert client.get(f"/calendar/{feed.key}/plans/{world.other_plan.pk}.ics").status_code == 404


@pytest.mark.parametrize("key", ["x" * 32, "short"], ids=["unknown", "malformed"])
def test_calendar_feed_unknown_key_is_404(client, world, key):
    _feed(world.coordinator)

    assert client.get(f"/calendar/{key}/plans/{world.plan.pk}.ics").status_code == 404


def test_calendar_feed_of_an_inactive_account_is_404(client, world):
    feed = _feed(world.coordinator)
    world.coordinator.is_active = False
    world.coordinator.save()

    assert client.get(f"/calendar/{feed.key}/plans/{world.plan.pk}.ics").status_code == 404


def test_calendar_person_feed_lists_that_persons_dated_action_points(client, world):
    points = _dated_points(world)
    feed = _feed(world.coordinator)  # sees the plan, not the other plan

    response = client.get(f"/calendar/{feed.key}/people/{world.member_person.pk}.ics")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'inline; filename="jad.ics"'
    assert _events(response) == [
        ("Recommend tools", datetime.date(2019, 3, 31)),
        ("Review the tools", datetime.date(2030, 12, 31)),
    ]
    assert points["other"].due_date == datetime.date(2019, 12, 31)


def test_calendar_person_feed_of_the_admin_includes_every_plan(client, world):
    _dated_points(world)
    feed = _feed(world.admin)

    response = client.get(f"/calendar/{feed.key}/people/{world.member_person.pk}.ics")

    assert _events(response) == [
        ("Recommend tools", datetime.date(2019, 3, 31)),
        ("Elsewhere", datetime.date(2019, 12, 31)),
        ("Review the tools", datetime.date(2030, 12, 31)),
    ]


def test_calendar_person_feed_404_for_a_person_the_owner_cannot_see(client, world):
    stranger = PersonFactory(name="Stranger")
    services.action_point_create(
        challenge=world.other_action_point.challenge,
        description="Hidden",
        deadline="2019",
        focal_points=[FocalPointAssignment(stranger, "lead")],
    )
    feed = _feed(world.member)

    assert client.get(f"/calendar/{feed.key}/people/{stranger.pk}.ics").status_code == 404


def test_calendar_feed_is_read_only(client, world):
    feed = _feed(world.coordinator)

    assert client.post(f"/calendar/{feed.key}/plans/{world.plan.pk}.ics").status_code == 405


# The clock stands still: a token or feed key records its use at most once a minute, and a
# slow run would otherwise count that write in one measurement and not the other.
@time_machine.travel(datetime.datetime(2026, 11, 27, 12, tzinfo=datetime.UTC), tick=False)
def test_calendar_person_feed_query_count_does_not_grow(client, world):
    feed = _feed(world.admin)
    url = f"/calendar/{feed.key}/people/{world.member_person.pk}.ics"

    client.get(url)  # the first use records last_used (then at most once a minute)

    _grow(world, 1)
    small = _export_queries(client, url)
    _grow(world, 4)
    large = _export_queries(client, url)

    # The feed, the person, the points, their focal points with people and organizations.
    assert large == small == 4


# The clock stands still: a token or feed key records its use at most once a minute, and a
# slow run would otherwise count that write in one measurement and not the other.
@time_machine.travel(datetime.datetime(2026, 11, 27, 12, tzinfo=datetime.UTC), tick=False)
def test_calendar_plan_feed_query_count_does_not_grow(client, world):
    feed = _feed(world.member)
    url = f"/calendar/{feed.key}/plans/{world.plan.pk}.ics"
    client.get(url)  # the first use records last_used

    _grow(world, 1)
    small = _export_queries(client, url)
    _grow(world, 4)
    large = _export_queries(client, url)

    # The feed, the plan, the points and their focal points.
    assert large == small == 4


def _descriptions(response) -> list[str]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    calendar = icalendar.Calendar.from_ical(body)
    return [str(e["DESCRIPTION"]).split("\n")[:2] for e in calendar.walk("VEVENT")]


def test_calendar_feed_is_in_its_owners_language(client, world):
    _dated_points(world)
    feed = _feed(world.coordinator)
    AccountPreference.objects.create(user=world.coordinator, language="fr")

    response = client.get(
        f"/calendar/{feed.key}/plans/{world.plan.pk}.ics", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response["Content-Language"] == "fr"
    assert _descriptions(response)[0] == [
        "Échéance telle qu'écrite : Q1 of 2019",
        "Statut : Non commencé, 0 %",
    ]
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Échéances : PIM Lebanon Action Plan"


def test_calendar_feed_without_a_preference_follows_accept_language(client, world):
    _dated_points(world)
    feed = _feed(world.coordinator)

    response = client.get(
        f"/calendar/{feed.key}/plans/{world.plan.pk}.ics", HTTP_ACCEPT_LANGUAGE="ar"
    )

    assert _descriptions(response)[0] == [
        "الموعد النهائي كما كُتب: Q1 of 2019",
        "الحالة: لم يبدأ، 0 %",
    ]
    english = client.get(f"/calendar/{feed.key}/plans/{world.plan.pk}.ics")
    assert _descriptions(english)[0] == [
        "Deadline as written: Q1 of 2019",
        "Status: Not started, 0 %",
    ]
