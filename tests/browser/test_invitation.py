"""Onboarding without the Django admin, in a real browser: a coordinator invites a
focal point from the plan's people page, the invited person sets a password from
the emailed link, signs in to their action points and asks for more time; the
coordinator approves it from the plan page."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from actionplans.models import ActionPoint, ExtensionRequest
from orgs.models import Person
from tests.browser.helpers import label
from tests.factories import FocalPointFactory, OrganizationFactory, PersonFactory
from tests.users import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Wide-Open-Fields-2019"


def test_invite_set_password_sign_in_and_ask_for_more_time(
    new_page, live_server, sign_in, settings, artifacts
):
    settings.SITE_URL = live_server.url
    world = build_world()
    ActionPoint.objects.filter(pk=world.action_point.pk).update(
        deadline="Q1 2019", due_date="2019-03-31", deadline_precision="quarter"
    )
    fanette = PersonFactory(name="Fanette", organization=OrganizationFactory(acronym="UNHCR"))
    FocalPointFactory(action_point=world.action_point, person=fanette, role="support")

    coordinator = new_page()
    sign_in(coordinator, world.coordinator)
    coordinator.goto(f"{live_server.url}/plans/{world.plan.pk}/")
    coordinator.get_by_role("link", name="People and accounts").click()
    row = coordinator.locator(f"#person-{fanette.pk}")
    expect(row).to_contain_text("No account")
    expect(row).to_contain_text("Focal point of 1 action point (1 open)")
    row.get_by_text("Invite or link an account").click()
    row.get_by_label(label("Email")).fill("not an address")
    row.get_by_role("button", name="Invite").click()
    row = coordinator.locator(f"#person-{fanette.pk}")
    expect(row.locator(".errorlist")).to_contain_text("Enter a valid email address.")
    row.get_by_label(label("Email")).fill("fanette@example.org")
    row.get_by_role("button", name="Invite").click()
    expect(coordinator.get_by_role("status")).to_contain_text(
        "Invitation sent to Fanette at fanette@example.org."
    )
    row = coordinator.locator(f"#person-{fanette.pk}")
    expect(row).to_contain_text("Invited, not signed in yet")
    expect(row.get_by_role("button", name="Resend invitation")).to_be_visible()
    coordinator.screenshot(path=artifacts / "invitation-people-page.png", full_page=True)

    [message] = mail.outbox
    assert message.to == ["fanette@example.org"]
    link = re.search(r"http://\S+/accounts/reset/\S+/", message.body).group(0)

    invited = new_page()
    invited.goto(live_server.url + urlsplit(link).path)
    invited.get_by_label(label("New password")).fill(NEW_PASSWORD)
    invited.get_by_label(label("New password confirmation")).fill(NEW_PASSWORD)
    invited.get_by_role("button", name="Set my password").click()
    expect(invited.get_by_text("Your password is set.")).to_be_visible()
    invited.get_by_role("link", name="Sign in").click()
    invited.get_by_label("Username").fill("fanette@example.org")
    invited.get_by_label("Password").fill(NEW_PASSWORD)
    invited.get_by_role("button", name="Sign in").click()
    expect(invited).to_have_url(f"{live_server.url}/my/action-points/")
    invited.get_by_role("link", name=world.action_point.description).first.click()

    invited.get_by_text("Ask for more time", exact=True).click()
    invited.get_by_label(label("New deadline")).fill("Q3 2019")
    invited.get_by_label(label("Why more time is needed")).fill("The survey team starts in May.")
    invited.get_by_role("button", name="Send the request to the coordinators").click()
    expect(invited.get_by_role("status")).to_contain_text("Your request for “Q3 2019” was sent")
    expect(invited.locator("#extension")).to_contain_text("Waiting for a decision")
    invited.screenshot(path=artifacts / "extension-request-member.png", full_page=True)
    assert ExtensionRequest.objects.get().requested_by == Person.objects.get(pk=fanette.pk).user

    coordinator.goto(f"{live_server.url}/plans/{world.plan.pk}/")
    coordinator.get_by_role("link", name="1 request for more time waiting").click()
    coordinator.get_by_label(label("Note")).fill("Fine, keep us posted.")
    coordinator.get_by_role("button", name="Approve").click()
    expect(coordinator.get_by_role("status")).to_contain_text(
        "Approved: the deadline is now “Q3 2019”."
    )
    expect(coordinator.get_by_text("No request is waiting for a decision.")).to_be_visible()
    point = ActionPoint.objects.get(pk=world.action_point.pk)
    assert point.deadline == "Q3 2019"
    assert ExtensionRequest.objects.get().deadline_change.new_deadline == "Q3 2019"
