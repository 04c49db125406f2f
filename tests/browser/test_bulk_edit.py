"""Bulk edit in Chromium: a coordinator ticks two rows of the plan table, moves their
deadlines with one reason, checks the preview and confirms; the keyboard of the table
still works with the checkbox column."""

import pytest
from playwright.sync_api import expect

from actionplans.models import ActionPoint, DeadlineChange
from tests.browser.helpers import label
from tests.factories import ActionPointFactory
from tests.users import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_moves_two_deadlines_with_one_reason(page, live_server, sign_in):
    world = build_world()
    first = world.action_point
    second = ActionPointFactory(
        challenge=world.challenge, position=2, description="Map the referral pathways"
    )
    untouched = ActionPointFactory(
        challenge=world.challenge, position=3, description="Train the monitors"
    )
    ActionPoint.objects.filter(pk=second.pk).update(
        deadline="Q1 2027", deadline_precision="quarter", due_date="2027-03-31"
    )
    sign_in(page, world.coordinator)
    page.goto(f"{live_server.url}/plans/{world.plan.pk}/")

    bar = page.locator("#bulk")
    expect(bar).to_be_hidden()  # nothing selected yet
    page.get_by_label("Select action point 1.1.1").check()
    page.get_by_label("Select action point 1.1.2").check()
    expect(bar).to_be_visible()
    expect(bar.locator(".bulk-count")).to_have_text("(2)")

    bar.get_by_role("button", name="Change selected").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Change action points")
    expect(page.get_by_text("2 action points selected")).to_be_visible()
    page.get_by_text("Move deadlines", exact=True).click()
    page.get_by_label(label("New deadline")).fill("Q3 2027")
    page.get_by_label(label("Reason for moving the deadlines")).fill("Funding delayed")
    page.get_by_role("button", name="Preview the changes").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Change action points: preview")
    expect(page.get_by_text("2 action points will change.")).to_be_visible()
    for point, old in ((first, "—"), (second, "Q1 2027")):
        row = page.locator(f"#bulk-ap-{point.pk} tr")
        expect(row.locator("td")).to_have_text(["Deadline", old, "Q3 2027"])
    expect(page.locator(f"#bulk-ap-{untouched.pk}")).to_have_count(0)
    assert DeadlineChange.objects.count() == 0

    page.get_by_role("button", name="Confirm the changes").click()
    expect(page.get_by_role("status").filter(has_text="changed")).to_have_text(
        "2 action points changed."
    )
    for point in (first, second):
        expect(page.locator(f"#ap-{point.pk} td").nth(3)).to_have_text("Q3 2027")
    expect(page.locator(f"#ap-{untouched.pk} td").nth(3)).to_have_text("—")
    assert list(
        DeadlineChange.objects.order_by("action_point__position").values_list(
            "action_point_id", "new_deadline", "reason", "changed_by__username"
        )
    ) == [
        (first.pk, "Q3 2027", "Funding delayed", "coordinator"),
        (second.pk, "Q3 2027", "Funding delayed", "coordinator"),
    ]
    # Each action point's page shows the move with its reason.
    page.goto(f"{live_server.url}/action-points/{second.pk}/")
    expect(page.get_by_text("Funding delayed").first).to_be_visible()


def test_checkbox_column_keeps_the_table_keyboard(page, live_server, sign_in):
    world = build_world()
    first = world.action_point
    second = ActionPointFactory(challenge=world.challenge, position=2, description="Second")
    sign_in(page, world.coordinator)
    page.goto(f"{live_server.url}/plans/{world.plan.pk}/")

    page.locator(f"#ap-{first.pk}").focus()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.id") == f"ap-{second.pk}"
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == f"ap-{first.pk}"

    # In the checkbox, Space ticks it and the arrows are not the table's.
    box = page.get_by_label("Select action point 1.1.1")
    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    page.keyboard.press("ArrowDown")
    expect(box).to_be_focused()
    expect(page.locator("#bulk")).to_be_visible()

    # Enter on the row still opens its editor.
    page.locator(f"#ap-{first.pk}").focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#ap-{first.pk} details.row-edit")).to_have_attribute("open", "")

    # Unticking the last box hides the bar again.
    box.uncheck()
    expect(page.locator("#bulk")).to_be_hidden()
