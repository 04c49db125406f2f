"""The plan page as a table, in Chromium: inline updates with htmx (the row is
swapped, focus comes back to it), the keyboard, and the row's structure menu."""

import pytest
from playwright.sync_api import expect

from actionplans.models import ActionPoint, ProgressUpdate
from tests.browser.helpers import label
from tests.factories import ActionPointFactory, ChallengeFactory, FocalPointFactory
from tests.users import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _focused_id(page) -> str:
    return page.evaluate("document.activeElement.id")


def test_member_updates_a_row_inline_and_focus_returns_to_it(page, live_server, sign_in):
    world = build_world()
    point = world.action_point
    plan_url = f"{live_server.url}/plans/{world.plan.pk}/"
    sign_in(page, world.member)
    page.goto(plan_url)
    page.evaluate("window.__noReload = 'still here'")
    row = page.locator(f"#ap-{point.pk}")
    expect(row.locator(".badge.status-not_started")).to_have_text("Not started")

    row.get_by_text("Update", exact=True).click()  # the row's <details> summary
    row.get_by_label(label("Status")).select_option(label="In progress")
    row.get_by_label(label("Progress (%)")).fill("40")
    row.get_by_label(label("What was done (required to complete)")).fill("Drafts shared")
    with page.expect_response(lambda r: "/update/" in r.url) as r:
        row.get_by_role("button", name="Save").click()
    assert r.value.request.headers.get("hx-request") == "true"

    expect(row.get_by_role("status")).to_have_text("Update recorded.")
    expect(row.locator(".badge.status-in_progress")).to_have_text("In progress")
    expect(row.locator("td.num")).to_have_text("40 %")
    expect(page.locator(f"#ap-{point.pk}")).to_have_count(1)
    expect(row).to_be_focused()
    assert page.evaluate("window.__noReload") == "still here"
    assert page.url == plan_url
    update = ProgressUpdate.objects.get(action_point=point)
    assert (update.status, update.progress, update.note) == ("in_progress", 40, "Drafts shared")


def test_keyboard_moves_between_rows_opens_and_closes_the_editor(page, live_server, sign_in):
    world = build_world()
    first = world.action_point
    second = ActionPointFactory(challenge=world.challenge, position=2, description="Second")
    other = ChallengeFactory(working_group=world.group, number=2, description="Trust")
    third = ActionPointFactory(challenge=other, position=1, description="Third")
    for point in (second, third):
        FocalPointFactory(action_point=point, person=world.member_person, role="lead")
    sign_in(page, world.member)
    page.goto(f"{live_server.url}/plans/{world.plan.pk}/")

    # The keys are explained on the page.
    page.get_by_text("Keyboard", exact=True).click()
    expect(page.locator(".keys-help")).to_contain_text("↓ or J next row")

    # One Tab stop for the rows: the first row.
    expect(page.locator("tr.ap-row[tabindex='0']")).to_have_count(1)
    page.locator(f"#ap-{first.pk}").focus()
    page.keyboard.press("ArrowDown")
    assert _focused_id(page) == f"ap-{second.pk}"
    page.keyboard.press("j")
    assert _focused_id(page) == f"ap-{third.pk}"
    page.keyboard.press("ArrowDown")  # the last row stays
    assert _focused_id(page) == f"ap-{third.pk}"
    page.keyboard.press("k")
    assert _focused_id(page) == f"ap-{second.pk}"
    expect(page.locator(f"#ap-{second.pk}")).to_have_attribute("tabindex", "0")
    expect(page.locator(f"#ap-{first.pk}")).to_have_attribute("tabindex", "-1")

    # Enter opens the row's editor on its first field; Escape closes it, back on the row.
    page.keyboard.press("Enter")
    editor = page.locator(f"#ap-{second.pk} details.row-edit")
    expect(editor).to_have_attribute("open", "")
    expect(page.locator(f"#id_ap{second.pk}_status")).to_be_focused()
    page.keyboard.press("Escape")
    expect(editor).not_to_have_attribute("open", "")
    assert _focused_id(page) == f"ap-{second.pk}"

    # Saved with the keyboard alone: focus comes back to the updated row.
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # to the progress
    page.keyboard.type("5")  # 0 -> 05
    page.locator(f"#id_ap{second.pk}_note").fill("Typed")
    page.locator(f"#id_ap{second.pk}_note").press("Tab")
    page.keyboard.press("Enter")  # the Save button
    row = page.locator(f"#ap-{second.pk}")
    expect(row.get_by_role("status")).to_have_text("Update recorded.")
    expect(row).to_be_focused()
    assert ActionPoint.objects.get(pk=second.pk).progress == 5
    page.keyboard.press("ArrowUp")
    assert _focused_id(page) == f"ap-{first.pk}"


def test_coordinator_moves_an_action_point_from_the_row_menu(page, live_server, sign_in):
    world = build_world()
    point = world.action_point
    target = ChallengeFactory(working_group=world.group, number=2, description="Trust")
    plan_url = f"{live_server.url}/plans/{world.plan.pk}/"
    sign_in(page, world.coordinator)
    page.goto(plan_url)
    row = page.locator(f"#ap-{point.pk}")
    menu = row.locator("details.row-menu")
    expect(menu.get_by_role("link", name="Move to another challenge")).to_be_hidden()

    row.get_by_label("Actions for this action point").click()
    expect(menu.get_by_role("link", name="Edit")).to_be_visible()
    expect(menu.get_by_role("button", name="Move up")).to_be_visible()
    expect(menu.get_by_role("button", name="Move down")).to_be_visible()
    expect(menu.get_by_role("link", name="Delete")).to_be_visible()
    menu.get_by_role("link", name="Move to another challenge").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Move to another challenge")
    page.get_by_label(label("Challenge")).select_option(label="2. Trust")
    page.get_by_role("button", name="Move").click()

    expect(page).to_have_url(f"{plan_url}#ap-{point.pk}")
    expect(page.get_by_role("status")).to_contain_text(
        "Action point moved to challenge 2 of Group 1: Data Sharing."
    )
    expect(page.locator(f"#challenge-{target.pk}")).to_contain_text("2. Trust")
    point.refresh_from_db()
    assert point.challenge_id == target.pk


def test_cards_view_saves_with_htmx_and_focus_returns_to_the_card(page, live_server, sign_in):
    world = build_world()
    point = world.action_point
    sign_in(page, world.member)
    page.goto(f"{live_server.url}/plans/{world.plan.pk}/?view=cards")
    card = page.locator(f"#ap-{point.pk}")
    card.get_by_text("Update status", exact=True).click()
    card.get_by_label(label("What was done (required to complete)")).fill("A note only")
    card.get_by_role("button", name="Save update").click()
    expect(card.get_by_role("status")).to_have_text("Update recorded.")
    expect(card).to_be_focused()
