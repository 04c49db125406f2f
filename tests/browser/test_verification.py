"""Verified completion in a browser: a member completes their action point from the
plan page, saying what was done (the note turns required as "Completed" is
chosen); a coordinator verifies it on the action point's page."""

import pytest
from playwright.sync_api import expect

from actionplans.models import ActionPoint
from tests.browser.helpers import label
from tests.users import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "What was done (required to complete)"


def test_a_member_completes_and_a_coordinator_verifies(new_page, live_server, sign_in):
    world = build_world()
    point = world.action_point

    member_page = new_page()
    sign_in(member_page, world.member)
    member_page.goto(f"{live_server.url}/plans/{world.plan.pk}/?view=cards")
    card = member_page.locator(f"#ap-{point.pk}")
    card.get_by_text("Update status", exact=True).click()
    card.get_by_label(label("Status")).select_option(label="Completed")
    note = card.get_by_label(label(NOTE))
    expect(note).to_have_attribute("required", "")
    card.get_by_role("button", name="Save update").click()
    # The browser asks for the note first: nothing was sent.
    assert note.evaluate("element => element.validity.valueMissing") is True
    assert ActionPoint.objects.get(pk=point.pk).status == "not_started"
    note.fill("Tools agreed at the IMWG of 3 March.")
    card.get_by_role("button", name="Save update").click()
    expect(member_page.locator(f"#ap-{point.pk} .message.success")).to_have_text("Update recorded.")

    page = new_page()
    sign_in(page, world.coordinator)
    page.goto(f"{live_server.url}/action-points/{point.pk}/")
    completion = page.locator("#completion")
    expect(completion).to_contain_text("Completed by Jad on")
    expect(completion).to_contain_text("Tools agreed at the IMWG of 3 March.")
    expect(completion.locator(".badge.awaiting")).to_have_text("Awaiting verification")
    completion.get_by_role("button", name="Verify").click()
    expect(page.locator(".message.success").first).to_contain_text("Completion verified.")
    expect(page.locator("#completion")).to_contain_text("Verified by coordinator on")
    point.refresh_from_db()
    assert (point.completed_by, point.verified_by) == (world.member, world.coordinator)
