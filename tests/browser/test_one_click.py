"""A field officer on a phone opens the "Mark done" link of a reminder email,
confirms with one tap, and the plan page shows the action point completed."""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from actionplans.models import ActionPoint, ProgressUpdate
from tests.browser.conftest import PASSWORD, PHONE
from tests.browser.helpers import label
from tests.users import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESCRIPTION = "IMWG to recommend standardized tools"


def _reminder_link(mailoutbox, action: str) -> str:
    """Send the day's reminders and take a one-click link from the email's text."""
    call_command("send_reminders", "--today", "2019-03-17", stdout=StringIO())
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO())
    assert [message.to for message in mailoutbox] == [["jad@example.org"]]
    return re.search(rf"{action}: (\S+)", mailoutbox[0].body).group(1)


@pytest.fixture
def world(settings, live_server):
    # Links in the email lead to the test's server.
    settings.SITE_URL = live_server.url
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world = build_world()
    world.member_person.email = "jad@example.org"
    world.member_person.save(update_fields=["email"])
    ActionPoint.objects.filter(pk=world.action_point.pk).update(
        deadline="2019-03-31", due_date=datetime.date(2019, 3, 31), deadline_precision="day"
    )
    return world


def test_mark_done_from_the_email_in_one_tap_on_a_phone(
    phone_page, live_server, world, mailoutbox, artifacts
):
    page = phone_page
    link = _reminder_link(mailoutbox, "Mark done")
    assert link.startswith(f"{live_server.url}/u/") and link.endswith("?do=completed")

    page.goto(link)

    expect(page.get_by_role("heading", level=1)).to_have_text("Update an action point")
    expect(page.get_by_text(DESCRIPTION, exact=True)).to_be_visible()
    expect(page.get_by_text("PIM Lebanon Action Plan", exact=True)).to_be_visible()
    confirm = page.get_by_role("button", name="Confirm: mark done")
    expect(confirm).to_be_visible()
    expect(page.get_by_role("main").get_by_role("button")).to_have_count(1)
    # A thumb-sized button across the screen, on screen without scrolling.
    box = confirm.bounding_box()
    assert box["width"] >= 300 and box["height"] >= 44, box
    assert box["y"] + box["height"] <= PHONE["height"], box
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts / "one-click-confirm-phone.png"), full_page=True)
    assert ProgressUpdate.objects.count() == 0  # opening the link changed nothing

    page.get_by_label("What was done (required to complete)").fill("Tools agreed at the IMWG.")
    confirm.tap()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Recorded: Completed, 100 % — thank you"
    )
    page.screenshot(path=str(artifacts / "one-click-recorded-phone.png"), full_page=True)
    update = ProgressUpdate.objects.get()
    assert (update.status, update.progress) == ("completed", 100)
    assert (update.author, update.reported_by) == (world.member, world.member_person)

    # The confirmation's link: sign in (as the coordinator) and land on the plan.
    page.get_by_role("link", name="Sign in to open the plan").click()
    page.get_by_label("Username").fill(world.coordinator.get_username())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/plans/{world.plan.pk}/")
    card = page.locator(f"#ap-{world.action_point.pk}")
    status = card.locator(".badge.status-completed")
    expect(status).to_have_text("Completed")

    # The link is spent: opening it again says so and offers to sign in.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link is no longer valid")
    expect(page.get_by_text(DESCRIPTION)).to_have_count(0)


def test_add_an_update_with_the_small_form_on_a_phone(phone_page, world, mailoutbox):
    page = phone_page
    page.goto(_reminder_link(mailoutbox, "Add an update"))

    expect(page.get_by_role("button", name="Mark in progress")).to_be_visible()
    expect(page.get_by_role("link", name="Mark done")).to_be_visible()
    page.get_by_label(label("Status")).select_option(label="In progress")
    page.get_by_label(label("Progress (%)")).fill("101")
    page.get_by_label(label("What was done (required to complete)")).fill(
        "Drafts shared with the IMWG"
    )
    page.get_by_role("button", name="Save update").tap()

    expect(page.locator(".field.has-error")).to_contain_text(
        "Ensure this value is less than or equal to 100."
    )
    assert ProgressUpdate.objects.count() == 0
    # The person's values are kept; one is corrected.
    expect(page.get_by_label(label("What was done (required to complete)"))).to_have_value(
        "Drafts shared with the IMWG"
    )
    page.get_by_label(label("Progress (%)")).fill("37")
    page.get_by_role("button", name="Save update").tap()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Recorded: In progress, 37 % — thank you"
    )
    update = ProgressUpdate.objects.get()
    assert (update.status, update.progress, update.note) == (
        "in_progress",
        37,
        "Drafts shared with the IMWG",
    )
