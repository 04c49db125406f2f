"""A member reports progress on their action point from the plan page.

With JavaScript, htmx posts the inline form and swaps the card in place; without
it, the same form posts normally and redirects back to the plan page.
"""

import pytest
from playwright.sync_api import expect

from actionplans.models import ProgressUpdate
from tests.browser.helpers import label
from tests.users import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill_update(card) -> None:
    card.get_by_text("Update status", exact=True).click()  # the <details> summary
    card.get_by_label(label("Status")).select_option(label="In progress")
    card.get_by_label(label("Progress (%)")).fill("50")
    card.get_by_label(label("What was done (required to complete)")).fill("Drafts shared")


def _status_line(card):
    """Deadline, status badge and progress of a card (not the form's options)."""
    return card.locator(".ap-meta").first


def _assert_update_saved(world) -> None:
    update = ProgressUpdate.objects.get(action_point=world.action_point)
    assert update.author == world.member
    assert (update.previous_status, update.status) == ("not_started", "in_progress")
    assert update.progress == 50
    assert update.note == "Drafts shared"
    world.action_point.refresh_from_db()
    assert (world.action_point.status, world.action_point.progress) == ("in_progress", 50)


def _assert_timeline(page, world) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(world.action_point.description)
    timeline = page.locator("ol.timeline")
    entry = timeline.locator("li").filter(has_text="Progress update").first
    expect(entry).to_contain_text("Drafts shared")
    expect(entry).to_contain_text("Status: Not started → In progress")
    expect(entry).to_contain_text("Progress: 0 % → 50 %")
    expect(entry).to_contain_text("member")


def test_member_updates_status_inline_with_htmx(page, live_server, sign_in):
    world = build_world()
    point = world.action_point
    plan_url = f"{live_server.url}/plans/{world.plan.pk}/?view=cards"

    sign_in(page, world.member)
    page.goto(plan_url)
    card = page.locator(f"#ap-{point.pk}")
    expect(_status_line(card).locator(".badge.status-not_started")).to_have_text("Not started")
    # Survives only if the page is not loaded again.
    page.evaluate("window.__noReload = 'still here'")

    _fill_update(card)
    with page.expect_response(lambda r: r.url.endswith(f"/action-points/{point.pk}/update/")) as r:
        card.get_by_role("button", name="Save update").click()
    response = r.value
    assert response.request.headers.get("hx-request") == "true", "the form was not posted by htmx"
    assert response.status == 200

    expect(card).to_contain_text("Update recorded.")
    expect(card.get_by_role("status")).to_have_text("Update recorded.")
    expect(_status_line(card).locator(".badge.status-in_progress")).to_have_text("In progress")
    expect(_status_line(card)).to_contain_text("50 %")
    expect(card.locator("progress")).to_have_attribute("value", "50")
    assert page.url == plan_url
    assert page.evaluate("window.__noReload") == "still here"
    # The card is still one element, not a card nested in the old one.
    expect(page.locator(f"#ap-{point.pk}")).to_have_count(1)
    _assert_update_saved(world)

    card.get_by_role("link", name=point.description).click()
    expect(page).to_have_url(f"{live_server.url}/action-points/{point.pk}/")
    _assert_timeline(page, world)
    # The inline card showed the message already; the next page does not repeat it.
    expect(page.locator(".messages")).to_have_count(0)


def test_member_updates_status_without_javascript(new_page, live_server, sign_in):
    world = build_world()
    point = world.action_point
    plan_url = f"{live_server.url}/plans/{world.plan.pk}/?view=cards"
    page = new_page(java_script_enabled=False)

    sign_in(page, world.member)
    page.goto(plan_url)
    card = page.locator(f"#ap-{point.pk}")
    _fill_update(card)
    with page.expect_navigation():
        card.get_by_role("button", name="Save update").click()

    # Posted normally, then redirected back to the card on the plan page.
    assert page.url == f"{plan_url}#ap-{point.pk}"
    expect(page.locator(".messages")).to_contain_text("Update recorded.")
    card = page.locator(f"#ap-{point.pk}")
    expect(_status_line(card).locator(".badge.status-in_progress")).to_have_text("In progress")
    expect(_status_line(card)).to_contain_text("50 %")
    _assert_update_saved(world)

    card.get_by_role("link", name=point.description).click()
    expect(page).to_have_url(f"{live_server.url}/action-points/{point.pk}/")
    _assert_timeline(page, world)


def _large_plan(world, extra: int = 41) -> None:
    """Past INLINE_FORMS_MAX action points the cards fetch their form when opened."""
    from tests.factories import ActionPointFactory

    for position in range(2, extra + 2):
        ActionPointFactory(challenge=world.challenge, position=position)


def test_member_updates_on_a_large_plan_with_the_form_fetched_on_open(page, live_server, sign_in):
    world = build_world()
    _large_plan(world)
    point = world.action_point
    sign_in(page, world.member)
    page.goto(f"{live_server.url}/plans/{world.plan.pk}/?view=cards")
    card = page.locator(f"#ap-{point.pk}")
    expect(card.get_by_role("button", name="Save update")).to_have_count(0)  # not in the page

    with page.expect_response(lambda r: r.url.endswith(f"/action-points/{point.pk}/update-form/")):
        card.get_by_text("Update status", exact=True).click()
    card.get_by_label(label("Status")).select_option(label="In progress")
    card.get_by_label(label("Progress (%)")).fill("50")
    card.get_by_label(label("What was done (required to complete)")).fill("Drafts shared")
    card.get_by_role("button", name="Save update").click()

    expect(card.get_by_role("status")).to_have_text("Update recorded.")
    expect(_status_line(card)).to_contain_text("50 %")
    _assert_update_saved(world)


def test_member_updates_on_a_large_plan_without_javascript(new_page, live_server, sign_in):
    world = build_world()
    _large_plan(world)
    point = world.action_point
    plan_url = f"{live_server.url}/plans/{world.plan.pk}/?view=cards"
    page = new_page(java_script_enabled=False)
    sign_in(page, world.member)
    page.goto(plan_url)
    card = page.locator(f"#ap-{point.pk}")
    card.get_by_text("Update status", exact=True).click()
    card.get_by_role("link", name="Update it on the action point's page").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(point.description)
    page.get_by_label(label("Status")).select_option(label="In progress")
    page.get_by_label(label("Progress (%)")).fill("50")
    page.get_by_label(label("What was done (required to complete)")).fill("Drafts shared")
    with page.expect_navigation():
        page.get_by_role("button", name="Save update").click()

    assert page.url == f"{plan_url}#ap-{point.pk}"
    expect(page.locator(".messages")).to_contain_text("Update recorded.")
    _assert_update_saved(world)
