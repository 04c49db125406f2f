"""A coordinator uploads the workshop's table, checks the preview, confirms, and
lands on the new plan — the minute it takes to get a plan into the tracker."""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import expect

from actionplans.models import ActionPlan, ActionPoint
from tests.browser.helpers import label
from tests.users import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_seed_preview_confirm_lands_on_new_plan(page, live_server, sign_in, artifacts):
    world = build_world()
    sign_in(page, world.coordinator)

    page.goto(f"{live_server.url}/plans/")
    page.get_by_role("link", name="Import a plan").click()
    page.get_by_label(label("File")).set_input_files(str(settings.DEMO_PLAN_FILE))
    page.get_by_label(label("Title of the new plan")).fill("PIM Lebanon Action Plan (imported)")
    page.get_by_label(label("Country")).fill("Lebanon")
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Import preview")
    main = page.get_by_role("main")
    expect(main).to_contain_text("1 working group, 4 challenges, 4 action points.")
    expect(main).to_contain_text("Group 1: Data Sharing")
    expect(main).to_contain_text("Fanette (lead), Fred (advisor)")
    assert ActionPlan.objects.filter(title__startswith="PIM Lebanon").count() == 1  # not yet
    page.screenshot(path=artifacts / "import-preview.png", full_page=True)

    page.get_by_role("button", name="Confirm the import").click()

    plan = ActionPlan.objects.get(title="PIM Lebanon Action Plan (imported)")
    expect(page).to_have_url(f"{live_server.url}/plans/{plan.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(plan.title)
    expect(page.get_by_role("status")).to_contain_text(
        "Imported: 1 working group(s), 4 challenge(s), 4 action point(s) and 6 person(s) added."
    )
    expect(main).to_contain_text("IMWG to recommend standardized tools and procedures")
    points = ActionPoint.objects.filter(challenge__working_group__plan=plan)
    assert sorted(p.deadline for p in points) == ["2019", "Q1 of 2019", "Q1 of 2019", "Q1 of 2019"]
    assert list(plan.coordinators.all()) == [world.coordinator]
