"""The plan page as a table (its default view): rows and cells, sorting, filters,
inline updates (htmx), the structure menu of each row and moving an action point
to another challenge."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone
from pytest_django.asserts import assertContains, assertNotContains

from actionplans import services
from actionplans.choices import PlanVisibility
from actionplans.models import ActionPoint
from tests.actionplans.test_views_plans import FUTURE, PAST, _dated, _point
from tests.factories import ChallengeFactory, FocalPointFactory, PersonFactory, WorkingGroupFactory
from tests.users import build_world

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def world():
    return build_world(visibility=PlanVisibility.SIGNED_IN)


@pytest.fixture
def layout(world):
    """Two groups with challenges and action points, created out of page order."""
    plan = world.plan
    second = WorkingGroupFactory(plan=plan, number=2, name="Protection Monitoring")
    rana = PersonFactory(name="Rana")
    late = ChallengeFactory(working_group=world.group, number=3, description="Trust")
    early = ChallengeFactory(working_group=world.group, number=2, description="No definitions")
    monitoring = ChallengeFactory(working_group=second, number=1, description="No monitoring")
    points = {
        "first": world.action_point,
        "trust_2": _dated(late, 2, "Build trust later", FUTURE, status="in_progress", progress=30),
        "trust_1": _dated(late, 1, "Build trust now", PAST),
        "definitions": _point(early, 1, "Agree on definitions", status="completed", progress=100),
        "monitoring": _dated(monitoring, 1, "Share monitoring forms", datetime.date(2019, 6, 30)),
    }
    FocalPointFactory(action_point=points["monitoring"], person=rana, role="lead")
    FocalPointFactory(action_point=points["trust_1"], person=rana, role="support")
    return {"second": second, "monitoring_challenge": monitoring, "late": late, **points}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _rows(html: str) -> list[tuple[int, list[str]]]:
    """(id, cells' text but the update and actions cell) of each row."""
    rows = re.findall(r'<tr class="ap-row" id="ap-(\d+)"[^>]*>(.*?)</tr>', html, re.S)
    result = []
    for pk, row in rows:
        # Menus and forms are not cells' values: drop them before reading the cells.
        row = re.sub(r"<details.*?</details>", "", row, flags=re.S)
        row = re.sub(r'<td class="row-actions">.*?</td>', "", row, flags=re.S)
        row = re.sub(r'<td><input type="checkbox" name="action_points".*?</td>', "", row)  # bulk
        cells = [_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        result.append((int(pk), cells))
    return result


def _ids(response) -> list[int]:
    return [pk for pk, _cells in _rows(response.content.decode())]


# --- the table, by default -----------------------------------------------------------


def test_plan_page_opens_as_a_table_and_cards_stay_available(client, world, layout):
    client.force_login(world.viewer)

    table = client.get(f"/plans/{world.plan.pk}/")
    cards = client.get(f"/plans/{world.plan.pk}/?view=cards")

    assert table.status_code == cards.status_code == 200
    assertContains(table, '<table class="plan-table">', count=1)
    assertNotContains(table, '<li class="action-point"')
    assertContains(table, '<a href="?" aria-current="page">Table</a>', html=False)
    assertContains(table, '<a href="?view=cards">Cards</a>', html=False)
    assertContains(cards, '<li class="action-point" id="ap-', count=5)
    assertNotContains(cards, 'class="plan-table')
    assertContains(cards, '<a href="?view=cards" aria-current="page">Cards</a>', html=False)
    assertContains(table, '<script src="/static/js/plan-table.js" defer></script>', html=False)
    # The table is printed as it is; the cards' page prints its workshop tables.
    assertNotContains(table, 'class="print-table')
    assertContains(cards, '<table class="print-table print-only">', count=2)


def test_table_rows_show_each_action_point_as_the_workshop_wrote_it(client, world, layout):
    services.progress_update_create(
        action_point=layout["trust_1"],
        author=world.member,
        status="blocked",
        progress=10,
        note="Waiting",
    )
    client.force_login(world.viewer)
    today = formats.date_format(timezone.localdate(), "j M Y")

    response = client.get(f"/plans/{world.plan.pk}/")

    assert _rows(response.content.decode()) == [
        (
            layout["first"].pk,
            [
                "1. Lack of tools",
                "IMWG to recommend standardized tools",
                "—",
                "—",
                "Jad",
                "Not started",
                "0 %",
                "—",
            ],
        ),
        (
            layout["definitions"].pk,
            ["2. No definitions", "Agree on definitions", "—", "—", "—", "Completed", "100 %", "—"],
        ),
        (
            layout["trust_1"].pk,
            [
                "3. Trust",
                "Build trust now",
                "2019-03-31",
                "31 Mar 2019 Overdue by " + _overdue(PAST),
                "Rana – support",
                "Blocked",
                "10 %",
                f"{today} member",
            ],
        ),
        (
            layout["trust_2"].pk,
            [
                "3.",
                "Build trust later",
                "2099-01-31",
                "31 Jan 2099",
                "—",
                "In progress",
                "30 %",
                "—",
            ],
        ),
        (
            layout["monitoring"].pk,
            [
                "1. No monitoring",
                "Share monitoring forms",
                "2019-06-30",
                "30 Jun 2019 Overdue by " + _overdue(datetime.date(2019, 6, 30)),
                "Rana",
                "Not started",
                "0 %",
                "—",
            ],
        ),
    ]
    html = response.content.decode()
    assert [_text(h) for h in re.findall(r'<h2 id="group-\d+-title">(.*?)</h2>', html)] == [
        "Group 1: Data Sharing",
        "Group 2: Protection Monitoring",
    ]
    assertContains(response, '<strong>Team leader:</strong> <span dir="auto">Jad</span>')
    assertContains(
        response,
        '<th><a href="?sort=due_date">Due date</a></th>',
        html=False,
    )


def _overdue(due: datetime.date) -> str:
    from actionplans.templatetags.plan_tags import human_duration

    return human_duration((timezone.localdate() - due).days)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("due_date", ["trust_1", "monitoring", "trust_2", "first", "definitions"]),
        ("-due_date", ["trust_2", "monitoring", "trust_1", "first", "definitions"]),
        ("progress", ["first", "trust_1", "monitoring", "trust_2", "definitions"]),
        ("-progress", ["definitions", "trust_2", "first", "trust_1", "monitoring"]),
        ("status", ["first", "trust_1", "monitoring", "trust_2", "definitions"]),
        ("-updated", ["trust_2", "first", "definitions", "trust_1", "monitoring"]),
    ],
)
def test_sorted_table_is_one_flat_table_in_that_order(client, world, layout, sort, expected):
    services.progress_update_create(
        action_point=layout["first"], author=world.member, status="not_started", note="Soon"
    )
    services.progress_update_create(
        action_point=layout["trust_2"], author=world.member, status="in_progress", note="Later"
    )
    client.force_login(world.viewer)

    response = client.get(f"/plans/{world.plan.pk}/?sort={sort}")

    assert _ids(response) == [layout[name].pk for name in expected]
    assertContains(response, '<table class="plan-table flat">', count=1)
    state = "descending" if sort.startswith("-") else "ascending"
    assertContains(response, f'aria-sort="{state}"', count=1)
    # The flat table names each row's group and challenge.
    assertContains(
        response,
        '<td>Group 2: <span dir="auto">Protection Monitoring</span></td><td>1. '
        '<span dir="auto">No monitoring</span></td>',
        html=False,
    )


def test_unknown_sort_keeps_the_workshop_order(client, world, layout):
    client.force_login(world.viewer)
    response = client.get(f"/plans/{world.plan.pk}/?sort=description")
    assert _ids(response) == [
        layout[name].pk for name in ("first", "definitions", "trust_1", "trust_2", "monitoring")
    ]
    assertNotContains(response, "plan-table flat")


def test_table_follows_the_filter_bar_and_keeps_view_and_sort(client, world, layout):
    client.force_login(world.viewer)

    response = client.get(f"/plans/{world.plan.pk}/?overdue=true&sort=-due_date")
    cards = client.get(f"/plans/{world.plan.pk}/?view=cards&status=completed")

    assert _ids(response) == [layout["monitoring"].pk, layout["trust_1"].pk]
    assertContains(response, '<input type="hidden" name="sort" value="-due_date">', html=False)
    assertContains(response, 'href="?overdue=true&amp;view=cards">Cards</a>', html=False)
    assertContains(cards, '<input type="hidden" name="view" value="cards">', html=False)
    assertContains(cards, '<li class="action-point" id="ap-', count=1)


def test_printed_plan_says_when_it_was_printed(client, world):
    client.force_login(world.viewer)
    response = client.get(f"/plans/{world.plan.pk}/")
    printed = formats.date_format(timezone.localdate(), "DATE_FORMAT")
    assertContains(
        response, f'<p class="print-only printed-on">Printed on {printed}</p>', html=False
    )


# --- inline updates in the table ----------------------------------------------------------


def _row_post(client, point, shape="lead", **data):
    fields = {"status": "in_progress", "progress": "40", "note": "Started", "version": "1"}
    return client.post(
        f"/action-points/{point.pk}/update/?row={shape}", {**fields, **data}, headers=HTMX
    )


def test_member_saves_status_progress_and_note_inline_and_gets_the_row_back(client, world):
    client.force_login(world.member)
    point = world.action_point

    response = _row_post(client, point)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith(
        f'<tr class="ap-row" id="ap-{point.pk}" tabindex="-1" data-focus-after-swap>'
    )
    assert html.endswith("</tr>")
    today = formats.date_format(timezone.localdate(), "j M Y")
    assert _rows(html) == [
        (
            point.pk,
            [
                "1. Lack of tools",
                "IMWG to recommend standardized tools",
                "—",
                "—",
                "Jad",
                "In progress",
                "40 %",
                f"{today} member",
            ],
        ),
    ]
    assertContains(response, '<p class="message success" role="status">Update recorded.</p>')
    point.refresh_from_db()
    assert (point.status, point.progress, point.version) == ("in_progress", 40, 2)
    assert point.progress_updates.get().note == "Started"
    # The next page does not say it again.
    assertNotContains(client.get(f"/plans/{world.plan.pk}/"), "Update recorded.")


def test_inline_row_form_posts_back_to_its_row_shape(client, world, layout):
    client.force_login(world.coordinator)
    page = client.get(f"/plans/{world.plan.pk}/").content.decode()
    trust_2 = layout["trust_2"].pk
    assert f'hx-post="/action-points/{trust_2}/update/?row=grouped" hx-target="#ap-{trust_2}"' in (
        page
    )
    flat = client.get(f"/plans/{world.plan.pk}/?sort=status").content.decode()
    assert f'hx-post="/action-points/{trust_2}/update/?row=flat"' in flat

    response = _row_post(client, layout["trust_2"], shape="flat")
    cells = _rows(response.content.decode())[0][1]
    assert cells[:3] == ["Group 1: Data Sharing", "3. Trust", "Build trust later"]


def test_inline_row_save_with_a_stale_version_shows_the_conflict_in_the_row(client, world):
    point = world.action_point
    services.progress_update_create(
        action_point=point, author=world.coordinator, status="blocked", progress=20
    )
    client.force_login(world.member)

    response = _row_post(client, point, version="1")

    assert response.status_code == 200
    assertContains(response, "Someone else changed this action point while you were editing it.")
    assertContains(response, '<details class="row-edit" open>', html=False)
    assertContains(response, '<input type="hidden" name="version" value="2"', html=False)
    point.refresh_from_db()
    assert (point.status, point.progress) == ("blocked", 20)


def test_inline_row_save_shows_field_errors_in_the_row(client, world):
    client.force_login(world.member)
    response = _row_post(client, world.action_point, progress="101")
    assertContains(response, '<div class="field has-error">', count=1, html=False)
    assertContains(response, "Ensure this value is less than or equal to 100.")
    assert ActionPoint.objects.get(pk=world.action_point.pk).progress == 0


def test_viewer_gets_no_inline_form_and_cannot_post(client, world):
    client.force_login(world.viewer)
    page = client.get(f"/plans/{world.plan.pk}/")
    assertNotContains(page, 'class="row-edit"')
    assert _row_post(client, world.action_point).status_code == 403


def test_large_plan_rows_fetch_their_form_when_opened(client, world, settings, monkeypatch):
    monkeypatch.setattr("actionplans.plan_page.INLINE_FORMS_MAX", 0)
    client.force_login(world.member)
    point = world.action_point
    page = client.get(f"/plans/{world.plan.pk}/")
    assertContains(
        page,
        f'<div hx-get="/action-points/{point.pk}/update-form/?row=lead" '
        'hx-trigger="toggle once from:closest details" hx-swap="innerHTML">',
        html=False,
    )
    assertNotContains(page, 'class="row-form"')

    form = client.get(f"/action-points/{point.pk}/update-form/?row=lead", headers=HTMX)
    assertContains(form, f'hx-post="/action-points/{point.pk}/update/?row=lead"', html=False)
    assertContains(form, 'name="note"', count=1, html=False)


def test_card_saved_with_htmx_asks_for_focus(client, world):
    client.force_login(world.member)
    point = world.action_point
    response = client.post(
        f"/action-points/{point.pk}/update/",
        {"status": "in_progress", "progress": "40", "note": "", "version": "1"},
        headers=HTMX,
    )
    assert response.content.decode().startswith(
        f'<li class="action-point" id="ap-{point.pk}" tabindex="-1" data-focus-after-swap>'
    )


# --- the structure menu of each row ------------------------------------------------------


@pytest.mark.parametrize("role", ["coordinator", "member", "viewer"])
def test_row_menus_only_for_those_who_edit_the_plan(client, world, layout, role):
    # One menu per group (2), per challenge (4) and per action point (5); none for others.
    client.force_login(getattr(world, role))
    response = client.get(f"/plans/{world.plan.pk}/")
    expected = 2 + 4 + 5 if role == "coordinator" else 0
    assertContains(response, '<details class="row-menu">', count=expected, html=False)
    assertContains(
        response,
        f'<a href="/action-points/{layout["first"].pk}/move-to/">Move to another challenge</a>',
        count=1 if expected else 0,
        html=False,
    )
    assertContains(
        response,
        '<summary class="button secondary small" '
        'aria-label="Actions for this action point">Actions</summary>',
        count=5 if expected else 0,
        html=False,
    )


# --- moving an action point to another challenge ------------------------------------------


def test_move_to_another_challenge_page_lists_the_plan_challenges_by_group(client, world, layout):
    client.force_login(world.coordinator)
    response = client.get(f"/action-points/{layout['first'].pk}/move-to/")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r'<optgroup label="([^"]+)">', html) == [
        "Group 1: Data Sharing",
        "Group 2: Protection Monitoring",
    ]
    assert [_text(o) for o in re.findall(r"<option [^>]*>(.*?)</option>", html)] == [
        "1. Lack of tools",
        "2. No definitions",
        "3. Trust",
        "1. No monitoring",
    ]
    assert f'<option value="{world.challenge.pk}" selected>' in html
    assert "Other" not in re.findall(r"<select.*?</select>", html, re.S)[0]


def test_coordinator_moves_an_action_point_to_another_challenge(client, world, layout):
    client.force_login(world.coordinator)
    point = layout["trust_1"]
    target = layout["monitoring_challenge"]

    response = client.post(f"/action-points/{point.pk}/move-to/", {"challenge": str(target.pk)})

    assert response.status_code == 302
    assert response["Location"] == f"/plans/{world.plan.pk}/#ap-{point.pk}"
    point.refresh_from_db()
    assert (point.challenge_id, point.position) == (target.pk, 2)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Action point moved to challenge 1 of Group 2: Protection Monitoring."
    ]


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("999999", "Select a valid choice. 999999 is not one of the available choices."),
        ("abc", "Select a valid choice. abc is not one of the available choices."),
        ("", "This field is required."),
        ("same", "The action point is already under this challenge."),
        ("other", "Select a valid choice. {other} is not one of the available choices."),
    ],
)
def test_move_to_another_challenge_refuses_bad_choices(client, world, layout, value, error):
    client.force_login(world.coordinator)
    point = layout["first"]
    other = world.other_action_point.challenge_id
    value = {"same": str(point.challenge_id), "other": str(other)}.get(value, value)

    response = client.post(f"/action-points/{point.pk}/move-to/", {"challenge": value})

    assert response.status_code == 200
    assertContains(response, f"<li>{error.format(other=other)}</li>", html=False)
    point.refresh_from_db()
    assert point.challenge_id == world.challenge.pk


@pytest.mark.parametrize("method", ["get", "post"])
def test_move_to_another_challenge_is_for_plan_editors(client, world, layout, method):
    point = layout["first"]
    url = f"/action-points/{point.pk}/move-to/"
    data = {"challenge": str(layout["monitoring_challenge"].pk)}

    client.force_login(world.member)
    assert getattr(client, method)(url, data).status_code == 403
    hidden = f"/action-points/{world.other_action_point.pk}/move-to/"
    assert getattr(client, method)(hidden, data).status_code == 404
    point.refresh_from_db()
    assert point.challenge_id == world.challenge.pk


# --- no query per row ------------------------------------------------------------------------


def _fill(world, start: int, count: int) -> None:
    for n in range(start, start + count):
        challenge = ChallengeFactory(working_group=world.group, number=10 + n, description="C")
        point = _dated(challenge, 1, f"Point {n}", FUTURE)
        FocalPointFactory(action_point=point, person=PersonFactory())
        services.progress_update_create(
            action_point=point, author=world.member, status="in_progress", progress=10
        )


@pytest.mark.parametrize("query", ["", "?sort=-updated", "?view=cards", "?status=in_progress"])
@pytest.mark.parametrize("role", ["coordinator", "member"])
def test_table_query_count_is_the_same_for_3_and_30_points(client, world, query, role):
    client.force_login(getattr(world, role))
    url = f"/plans/{world.plan.pk}/{query}"

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    _fill(world, 0, 2)  # with the world's own point: 3
    small = count()
    _fill(world, 2, 27)  # 30
    assert count() == small
