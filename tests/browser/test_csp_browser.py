"""The Content-Security-Policy in real Chromium: nothing of the app is refused.

The plan page with an inline htmx update, the dashboards and Swagger UI at
/api/docs/ run under the policy with no violation (each one is recorded through
the `securitypolicyviolation` event, and Chromium also logs it as a console error,
which the `new_page` fixture fails on). A last test shows the browser does enforce
the policy: an injected <style> and inline script are refused.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEFAULT_TIMEOUT_MS, DESKTOP
from tests.browser.helpers import label
from tests.users import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs in every document before its own scripts: keeps each violation for the test.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline"} ` +
    `(${event.sourceFile}:${event.lineNumber})`
  );
});
"""


def _watched(page):
    page.add_init_script(WATCH_VIOLATIONS)
    return page


def _violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations")


def _policy(response) -> str:
    return response.headers["content-security-policy"]


def test_plan_page_and_inline_htmx_update_run_under_the_policy(page, live_server, sign_in):
    world = build_world()
    point = world.action_point
    _watched(page)
    sign_in(page, world.member)
    assert _violations(page) == []  # the sign-in page

    response = page.goto(f"{live_server.url}/plans/{world.plan.pk}/?view=cards")
    assert "default-src 'self'" in _policy(response)
    card = page.locator(f"#ap-{point.pk}")
    card.get_by_text("Update status", exact=True).click()  # htmx loads the form
    card.get_by_label(label("Status")).select_option(label="In progress")
    card.get_by_label(label("Progress (%)")).fill("50")
    with page.expect_response(lambda r: r.url.endswith(f"/action-points/{point.pk}/update/")) as r:
        card.get_by_role("button", name="Save update").click()

    assert r.value.request.headers.get("hx-request") == "true"
    assert "default-src 'self'" in _policy(r.value)
    expect(card.get_by_role("status")).to_have_text("Update recorded.")
    expect(card.locator("progress")).to_have_attribute("value", "50")
    # htmx put no <style> of its own into the page.
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    assert _violations(page) == []

    # The table (the default view), its script and its inline update.
    page.goto(f"{live_server.url}/plans/{world.plan.pk}/")
    row = page.locator(f"#ap-{point.pk}")
    row.get_by_text("Update", exact=True).click()
    row.get_by_label(label("Progress (%)")).fill("60")
    row.get_by_role("button", name="Save").click()
    expect(row.get_by_role("status")).to_have_text("Update recorded.")
    expect(row).to_be_focused()  # plan-table.js ran
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    assert _violations(page) == []


def test_dashboards_run_under_the_policy(page, live_server, sign_in):
    world = build_world()
    _watched(page)
    sign_in(page, world.coordinator)

    response = page.goto(f"{live_server.url}/plans/{world.plan.pk}/dashboard/")
    assert "default-src 'self'" in _policy(response)
    expect(page.locator("#figure-overdue")).to_be_visible()
    expect(page.locator("figure svg[role='img']").first).to_be_visible()
    assert _violations(page) == []

    response = page.goto(f"{live_server.url}/dashboard/")
    assert "default-src 'self'" in _policy(response)
    expect(page.get_by_role("link", name=world.plan.title)).to_be_visible()
    assert _violations(page) == []


def test_swagger_ui_renders_and_calls_the_api_under_the_policy(page, live_server, sign_in):
    world = build_world()
    _watched(page)
    sign_in(page, world.member)

    response = page.goto(f"{live_server.url}/api/docs/")
    assert "'nonce-" in _policy(response)
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    assert operations.count() >= 20
    plans = page.locator(".opblock-get").filter(
        has=page.locator(".opblock-summary-path[data-path='/api/v1/plans/']")
    )
    expect(plans).to_have_count(1)

    # Try it out: Swagger UI's own request to the API (connect-src 'self').
    plans.locator(".opblock-summary").click()
    plans.get_by_role("button", name="Try it out").click()
    with page.expect_response(lambda r: "/api/v1/plans/" in r.url) as call:
        plans.get_by_role("button", name="Execute").click()
    assert call.value.status == 200
    expect(plans.locator(".live-responses-table tbody td.response-col_status")).to_have_text("200")
    assert _violations(page) == []


def test_browser_refuses_what_the_policy_does_not_allow(browser, live_server):
    # Its own context: the refusals below are console errors, which the new_page
    # fixture would count as failures.
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    try:
        page = _watched(context.new_page())
        page.set_default_timeout(DEFAULT_TIMEOUT_MS)
        page.goto(f"{live_server.url}/accounts/login/")
        assert _violations(page) == []

        page.evaluate(
            """() => {
              document.head.insertAdjacentHTML("beforeend", "<style>body { color: red }</style>");
              const script = document.createElement("script");
              script.textContent = "window.__injected = true";
              document.body.append(script);
              document.body.setAttribute("style", "color: red");
            }"""
        )

        page.wait_for_function("window.__cspViolations.length >= 3")
        assert page.evaluate("window.__injected === undefined")
        assert sorted(v.split(" ", 1)[0] for v in _violations(page)) == [
            "script-src-elem",
            "style-src-attr",
            "style-src-elem",
        ]
    finally:
        context.close()
