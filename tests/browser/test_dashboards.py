"""The demo coordinator reads the dashboards: one plan's (now and as of a past day),
the portfolio of all plans, and the plan's dashboard on a phone.

Charts are inline SVG drawn on the server: the pages ask nothing of any other host.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from actionplans.choices import OPEN_STATUSES
from actionplans.demo import DEMO_TITLE, demo_load
from actionplans.models import ActionPlan, ActionPoint
from tests.browser.helpers import label

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@dataclass
class Demo:
    plan: ActionPlan
    coordinator: object
    password: str


@pytest.fixture
def demo(tmp_path) -> Demo:
    credentials = tmp_path / "credentials.json"
    result = demo_load(table_file=Path(settings.DEMO_PLAN_FILE), credentials_file=credentials)
    coordinator = result.plan.coordinators.get(username="demo-coordinator")
    password = json.loads(credentials.read_text())["demo-coordinator"]
    return Demo(plan=result.plan, coordinator=coordinator, password=password)


def _overdue_in_db(plan: ActionPlan) -> int:
    """Open action points of the plan whose due date has passed, counted with the ORM."""
    return ActionPoint.objects.filter(
        challenge__working_group__plan=plan,
        status__in=OPEN_STATUSES,
        due_date__lt=timezone.localdate(),
    ).count()


def _watch_requests(page, live_server) -> list[str]:
    """Collect the URL of every request made to a host other than the live server."""
    foreign: list[str] = []
    own = live_server.url + "/"

    def check(request) -> None:
        url = request.url
        if not url.startswith(own) and not url.startswith(("data:", "blob:")):
            foreign.append(url)

    page.on("request", check)
    return foreign


def _open_plan_dashboard(page, live_server, demo: Demo, sign_in: Callable) -> None:
    """Sign in, open the plan page and follow its "Dashboard" link."""
    sign_in(page, demo.coordinator, demo.password)
    page.goto(f"{live_server.url}/plans/{demo.plan.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(DEMO_TITLE)
    # The plan's own button, not the "Dashboard" of the top navigation.
    page.get_by_role("main").get_by_role("link", name="Dashboard", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/plans/{demo.plan.pk}/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")


def test_plan_dashboard_shows_overdue_status_and_chart(page, live_server, sign_in, artifacts, demo):
    foreign = _watch_requests(page, live_server)
    overdue = _overdue_in_db(demo.plan)
    assert overdue == 4  # the demo's deadlines are all in 2019, none is done

    _open_plan_dashboard(page, live_server, demo, sign_in)

    expect(page.locator("#figure-overdue")).to_have_text(str(overdue))

    by_status = page.get_by_role("region", name="By status")
    row = by_status.get_by_role("row").filter(has_text="Not started")
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").last).to_have_text("4")

    chart = by_status.locator("svg[role='img']")
    expect(chart).to_have_count(1)
    expect(chart.locator(":scope > title")).to_have_text(re.compile(r"\S"))
    assert chart.evaluate("svg => svg.parentElement.tagName") == "FIGURE"  # inline, not <img>

    page.screenshot(path=artifacts / "plan-dashboard.png", full_page=True)
    assert foreign == [], f"requests to other hosts: {foreign}"


def test_plan_dashboard_as_of_a_day_before_the_plan(page, live_server, sign_in, demo):
    foreign = _watch_requests(page, live_server)
    _open_plan_dashboard(page, live_server, demo, sign_in)
    expect(page.locator("#figure-overdue")).to_have_text(str(_overdue_in_db(demo.plan)))

    page.get_by_label(label("As of")).fill("2018-12-01")
    page.get_by_role("button", name="Show").click()

    expect(page).to_have_url(re.compile(r"\?as_of=2018-12-01$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard as of 1 Dec 2018")
    expect(page.locator("#figure-overdue")).to_have_text("0")
    expect(page.get_by_role("link", name="Today", exact=True)).to_be_visible()
    assert foreign == [], f"requests to other hosts: {foreign}"


def test_portfolio_lists_the_plan_and_sorts_by_overdue(page, live_server, sign_in, artifacts, demo):
    foreign = _watch_requests(page, live_server)
    sign_in(page, demo.coordinator, demo.password)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Dashboard", exact=True).click()

    expect(page).to_have_url(f"{live_server.url}/dashboard/")
    expect(nav.get_by_role("link", name="Dashboard", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    # The table of plans (the workload tables have an Overdue column too).
    table = page.get_by_role("region", name="Plans", exact=True).locator("table")
    headers = table.locator("thead th")
    expect(headers).to_have_count(7)
    overdue_column = headers.all_inner_texts().index("Overdue")
    row = table.locator("tbody tr").filter(has=page.get_by_role("link", name=DEMO_TITLE))
    expect(row).to_have_count(1)
    assert _overdue_in_db(demo.plan) == 4
    expect(row.locator("th, td").nth(overdue_column)).to_have_text("4")

    table.get_by_role("link", name="Overdue").click()
    expect(page).to_have_url(f"{live_server.url}/dashboard/?sort=overdue")
    expect(headers.nth(overdue_column)).to_have_text("Overdue ▲")
    expect(table.locator("tbody tr").first).to_contain_text(DEMO_TITLE)

    page.screenshot(path=artifacts / "portfolio.png", full_page=True)
    assert foreign == [], f"requests to other hosts: {foreign}"


def test_plan_dashboard_fits_a_phone(phone_page, live_server, sign_in, artifacts, demo):
    page = phone_page
    _open_plan_dashboard(page, live_server, demo, sign_in)
    expect(page.locator("#figure-overdue")).to_have_text("4")

    assert page.evaluate("window.innerWidth") == 360
    widths = page.evaluate(
        "({scroll: document.documentElement.scrollWidth,"
        " client: document.documentElement.clientWidth})"
    )
    page.screenshot(path=artifacts / "plan-dashboard-phone.png", full_page=True)
    assert widths["scroll"] <= 360, f"the dashboard scrolls sideways on a phone: {widths}"
