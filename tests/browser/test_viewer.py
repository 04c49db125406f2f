"""A signed-in user with no role in a plan open to all signed-in users: read only."""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from actionplans.choices import PlanVisibility
from actionplans.demo import demo_load
from tests.factories import UserFactory
from tests.users import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EDIT_CONTROLS = [
    ("link", "Edit plan"),
    ("link", "Add working group"),
    ("link", "Add challenge"),
    ("link", "Add action point"),
    ("link", "Edit group"),
    ("link", "Edit challenge"),
    ("link", "Delete plan"),
    ("button", "Close plan"),
]


def test_viewer_sees_the_plan_without_editing_controls(page, live_server, sign_in):
    world = build_world(visibility=PlanVisibility.SIGNED_IN)
    plan_url = f"{live_server.url}/plans/{world.plan.pk}/"

    sign_in(page, world.viewer)
    page.goto(f"{plan_url}?view=cards")
    expect(page.get_by_role("heading", level=1)).to_have_text(world.plan.title)
    expect(page.get_by_role("heading", name="Group 1: Data Sharing")).to_be_visible()
    card = page.locator(f"#ap-{world.action_point.pk}")
    expect(card.get_by_role("link", name=world.action_point.description)).to_be_visible()
    expect(card).to_contain_text("Jad – lead")

    for role, name in EDIT_CONTROLS:
        expect(page.get_by_role(role, name=name)).to_have_count(0)
    expect(page.get_by_text("Update status")).to_have_count(0)
    expect(page.locator("details.quick-update")).to_have_count(0)
    expect(page.locator("form[action*='/update/']")).to_have_count(0)

    response = page.goto(f"{plan_url}edit/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(page.get_by_label("Title")).to_have_count(0)


def test_plan_page_fits_a_phone(phone_page, live_server, sign_in, artifacts, tmp_path):
    page = phone_page
    result = demo_load(
        table_file=Path(settings.DEMO_PLAN_FILE), credentials_file=tmp_path / "credentials.json"
    )
    assert result.plan.visibility == PlanVisibility.SIGNED_IN
    viewer = UserFactory(username="phone-viewer")

    sign_in(page, viewer)
    # The table (the default; it scrolls inside its own container) and the cards.
    for query, item, shot in [
        ("", "tr.ap-row", "plan-page-phone.png"),
        ("?view=cards", "li.action-point", "plan-cards-phone.png"),
    ]:
        page.goto(f"{live_server.url}/plans/{result.plan.pk}/{query}")
        expect(page.get_by_role("heading", level=1)).to_have_text(result.plan.title)
        expect(page.locator(item).first).to_be_visible()

        assert page.evaluate("window.innerWidth") == 360
        widths = page.evaluate(
            "({scroll: document.documentElement.scrollWidth,"
            " client: document.documentElement.clientWidth})"
        )
        page.screenshot(path=artifacts / shot, full_page=True)
        assert widths["scroll"] <= 360, f"the plan page scrolls sideways on a phone: {widths}"
