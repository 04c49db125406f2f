"""A coordinator builds a plan in the browser: group, challenge, action point."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from actionplans.models import ActionPoint, FocalPoint, WorkingGroup
from tests.browser.helpers import label
from tests.factories import ActionPlanFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_adds_group_challenge_and_action_point(page, live_server, sign_in, artifacts):
    coordinator = UserFactory(username="coordinator")
    plan = ActionPlanFactory(title="PIM Lebanon Action Plan")
    plan.coordinators.add(coordinator)
    plan_url = f"{live_server.url}/plans/{plan.pk}/"

    sign_in(page, coordinator)
    page.goto(plan_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("PIM Lebanon Action Plan")

    # A working group, with its leader and members typed as names.
    page.get_by_role("link", name="Add working group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a working group")
    page.get_by_label(label("Name")).fill("Data Sharing")
    page.get_by_label("Team leader").fill("Rana")
    page.get_by_label("Team members").fill("Omar, Jad")
    page.get_by_role("button", name="Save").click()

    group = WorkingGroup.objects.get(plan=plan)
    expect(page).to_have_url(f"{plan_url}#group-{group.pk}")
    section = page.locator(f"#group-{group.pk}")
    expect(section.get_by_role("heading", level=2)).to_have_text("Group 1: Data Sharing")
    expect(section).to_contain_text("Team leader: Rana")
    # Members are listed by name, not in the order typed.
    expect(section).to_contain_text("Team members: Omar, Jad")

    # A challenge in that group, from the group's menu.
    section.get_by_label("Actions for group 1").click()
    section.get_by_role("link", name="Add challenge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Add a challenge to Group 1: Data Sharing"
    )
    page.get_by_label(label("Challenge")).fill("Lack of tools")
    page.get_by_role("button", name="Save").click()

    challenge = group.challenges.get()
    expect(page).to_have_url(f"{plan_url}#challenge-{challenge.pk}")
    # The plan is a table: the challenge's cell, its menu, and its (empty) row.
    block = page.locator(f"#challenge-{challenge.pk}")
    expect(block).to_contain_text("1. Lack of tools")
    expect(page.locator("tr.challenge-empty")).to_contain_text("No action point yet.")

    # An action point with a deadline as people write it and two focal points.
    block.get_by_label("Actions for challenge 1").click()
    block.get_by_role("link", name="Add action point").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an action point to challenge 1")
    page.get_by_label(label("Action point")).fill("IMWG to recommend standardized tools")
    page.get_by_label(label("Deadline")).fill("Q3 2019")
    page.get_by_label("Name of focal point 1").fill("Rana")
    page.get_by_label("Role of focal point 1").select_option(label="Lead")
    page.get_by_label("Name of focal point 2").fill("Maria")  # not yet one of the plan's people
    page.get_by_label("Role of focal point 2").select_option(label="Support")
    page.get_by_role("button", name="Save").click()

    point = ActionPoint.objects.get(challenge=challenge)
    expect(page).to_have_url(f"{plan_url}#ap-{point.pk}")
    expect(page.get_by_role("status")).to_contain_text("Action point added.")
    row = page.locator(f"#ap-{point.pk}")
    expect(row.get_by_role("link", name="IMWG to recommend standardized tools")).to_be_visible()
    # The first cell is the bulk edit checkbox (a coordinator's table).
    cells = row.locator("> td")
    expect(cells.nth(0).get_by_role("checkbox")).to_have_accessible_name(
        "Select action point 1.1.1"
    )
    expect(cells.nth(1)).to_contain_text("1. Lack of tools")
    expect(cells.nth(3)).to_have_text("Q3 2019")
    expect(cells.nth(4)).to_contain_text("30 Sep 2019")
    expect(cells.nth(5)).to_have_text("Rana; Maria – support")
    expect(cells.nth(6).locator(".badge.status-not_started")).to_have_text("Not started")
    expect(cells.nth(7)).to_have_text("0 %")

    # The same plan as cards, on request.
    page.get_by_role("link", name="Cards").click()
    card = page.locator(f"#ap-{point.pk}")
    expect(card).to_contain_text("Deadline: Q3 2019")
    expect(card).to_contain_text("(by 30 Sep 2019)")
    expect(card).to_contain_text("Rana – lead")
    expect(card).to_contain_text("Maria – support")
    status_line = card.locator(".ap-meta").first
    expect(status_line.locator(".badge.status-not_started")).to_have_text("Not started")
    expect(status_line).to_contain_text(re.compile(r"\b0 %"))

    page.screenshot(path=artifacts / "plan-page.png", full_page=True)

    point.refresh_from_db()
    assert point.description == "IMWG to recommend standardized tools"
    assert point.deadline == "Q3 2019"
    assert point.due_date == datetime.date(2019, 9, 30)
    assert point.deadline_precision == "quarter"
    focal_points = FocalPoint.objects.filter(action_point=point).select_related("person")
    assert sorted((fp.person.name, fp.role) for fp in focal_points) == [
        ("Maria", "support"),
        ("Rana", "lead"),
    ]
    assert group.team_leader.name == "Rana"
    assert sorted(p.name for p in group.team_members.all()) == ["Jad", "Omar"]
