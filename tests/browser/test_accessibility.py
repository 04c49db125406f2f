"""Accessibility as a test: axe-core over every main page, for each role, at 1280 and 360 px.

axe-core comes from the npm registry, pinned in tests/browser/package-lock.json
(`make test` runs `npm ci --prefix tests/browser` when it is missing). It is
evaluated in the page through the DevTools protocol (page.evaluate), which the
Content-Security-Policy does not govern: the app's own policy stays as it is.

Each role has one test (one browser context, signed in once); every page is
checked at 1280 px, then at 360 px with three checks:
- axe: no violation of impact "critical" or "serious" (WCAG 2.0/2.1/2.2 A and AA,
  and axe's best practices, target-size included);
- no table cut off: a table fits in the viewport, or its nearest scroll container
  scrolls sideways (overflow-x auto or scroll) and fits; the page never scrolls sideways;
- tap targets: buttons, selects and summaries are at least 24 x 24 px, or spaced
  as WCAG 2.5.8 allows (a 24 px circle on each meets no other target).
A failure lists every problem with its page, width, rule, impact and selectors.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from actionplans.choices import ActionPointStatus
from actionplans.demo import demo_load
from actionplans.models import ActionPoint
from actionplans.services.feeds import calendar_feed_create
from actionplans.services.updates import action_point_reschedule, progress_update_create
from orgs.models import Person
from orgs.services import api_token_issue
from tests.browser.conftest import DESKTOP, PASSWORD, PHONE
from webhooks import services as webhooks
from webhooks.models import Attempt, Delivery

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HERE = Path(__file__).resolve().parent
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHECKS_JS = HERE / "accessibility_checks.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
FAILING_IMPACTS = ("critical", "serious")
MIN_TARGET = 24  # CSS px, WCAG 2.2 success criterion 2.5.8


@dataclass(frozen=True)
class Page:
    name: str  # for the failure message
    path: str


def _scripts() -> str:
    """axe-core, then this file's own checks (accessibility_checks.js)."""
    if not AXE_JS.is_file():
        pytest.fail(
            f"axe-core is missing at {AXE_JS}: run `make test` once, or "
            "`npm ci --prefix tests/browser --no-audit --no-fund`.",
            pytrace=False,
        )
    return AXE_JS.read_text(encoding="utf-8") + "\n;\n" + CHECKS_JS.read_text(encoding="utf-8")


# --- the data: the demo plan, with every status, a near deadline, updates, tokens ---


@dataclass
class Demo:
    plan_pk: int
    member_point_pk: int  # a point the member may update (focal point)
    other_point_pk: int
    person_pk: int
    organization_pk: int | None
    webhook_pk: int  # the coordinator's, with a paused state and a delivery log


def _build_demo(tmp_path: Path) -> Demo:
    result = demo_load(
        table_file=Path(settings.DEMO_PLAN_FILE), credentials_file=tmp_path / "credentials.json"
    )
    users = {user.username: user for user in get_user_model().objects.all()}
    for user in users.values():
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    coordinator = users["demo-coordinator"]
    member = users["demo-member"]
    jad = Person.objects.get(user=member)

    points = list(ActionPoint.objects.of_plan(result.plan).order_by("id"))
    mine = [p for p in points if p.focal_points.filter(person=jad).exists()]
    others = [p for p in points if p not in mine]
    # Every status is on the pages (their badges' contrast is checked), some by the member.
    statuses = [
        ActionPointStatus.IN_PROGRESS,
        ActionPointStatus.BLOCKED,
        ActionPointStatus.COMPLETED,
        ActionPointStatus.CANCELLED,
    ]
    chosen = mine[:2] + others[:3]
    for point, status in zip(chosen, statuses + statuses[1:3], strict=False):
        progress = 100 if status == ActionPointStatus.COMPLETED else 40
        progress_update_create(
            action_point=point,
            author=coordinator,
            status=status,
            progress=progress,
            note=f"{status.label}: discussed at the IMWG meeting.",
            evidence_url="https://example.org/minutes",
        )
    # A deadline in the next weeks: "due soon" on the dashboards.
    soon = timezone.localdate() + datetime.timedelta(days=12)
    action_point_reschedule(
        action_point=ActionPoint.objects.get(pk=others[-1].pk),
        new_deadline=soon.isoformat(),
        reason="Waiting for the survey results.",
        changed_by=coordinator,
    )
    for user in users.values():
        api_token_issue(user=user, name="Laptop")
        calendar_feed_create(user=user)
    # A likely duplicate for the duplicates page: the same name written twice.
    twin = Person.objects.create(name=jad.name, organization=jad.organization)
    mine[0].challenge.working_group.team_members.add(twin)
    webhook, _secret = webhooks.subscription_create(
        owner=coordinator,
        plan=result.plan,
        target_url="http://127.0.0.1:9/a/rather/long/path/to/the/pim-webhook-receiver/of/the/cluster",
        events=["action_point.created", "action_point.updated", "plan.updated"],
        description="Cluster 5W database",
    )
    webhooks.subscription_pause(subscription=webhook, reason="No answer for 24 hours.")
    delivery = Delivery.objects.create(
        subscription=webhook,
        event="action_point.updated",
        object_type="action_point",
        object_id=mine[0].pk,
        occurred_at=timezone.now(),
        status="failed",
        attempts=2,
        response_code=503,
    )
    for number in (1, 2):
        Attempt.objects.create(
            delivery=delivery,
            number=number,
            started_at=timezone.now(),
            duration_ms=120 * number,
            response_code=503,
            error="HTTP 503",
            succeeded=False,
        )
    return Demo(
        plan_pk=result.plan.pk,
        member_point_pk=mine[0].pk,
        other_point_pk=others[0].pk,
        person_pk=jad.pk,
        organization_pk=jad.organization_id,
        webhook_pk=webhook.pk,
    )


def _pages(role: str, demo: Demo) -> list[Page]:
    """The main pages a role opens (the ones it may not open answer 403 and are left out)."""
    plan = demo.plan_pk
    point = demo.member_point_pk
    as_of = "2019-06-30"
    signed_in = [
        Page("plan list", reverse("actionplans:plan_list")),
        Page("plan page", reverse("actionplans:plan_detail", args=[plan])),
        Page("plan page as cards", reverse("actionplans:plan_detail", args=[plan]) + "?view=cards"),
        Page("plan dashboard", reverse("actionplans:plan_dashboard", args=[plan])),
        Page(
            "plan dashboard as of",
            reverse("actionplans:plan_dashboard", args=[plan]) + f"?as_of={as_of}",
        ),
        Page("portfolio", reverse("actionplans:portfolio")),
        Page("plan status report", reverse("actionplans:plan_status_report", args=[plan])),
        Page("status report", reverse("actionplans:status_report")),
        Page("my action points", reverse("actionplans:my_action_points")),
        Page("action point page", reverse("actionplans:actionpoint_detail", args=[point])),
        Page(
            "another action point page",
            reverse("actionplans:actionpoint_detail", args=[demo.other_point_pk]),
        ),
        Page("people", reverse("orgs:person_list")),
        Page("person page", reverse("orgs:person_detail", args=[demo.person_pk])),
        Page("organizations", reverse("orgs:organization_list")),
        Page("notifications", reverse("notifications:list")),
        Page("notification preferences", reverse("notifications:preferences")),
        Page("calendar feeds", reverse("actionplans:calendar_feeds")),
        Page("API tokens", reverse("orgs:apitoken_list")),
        Page("saved views", reverse("actionplans:saved_view_list")),
    ]
    if demo.organization_pk:
        signed_in.append(
            Page(
                "organization page",
                reverse("orgs:organization_detail", args=[demo.organization_pk]),
            )
        )
    managing = [
        Page("action point form", reverse("actionplans:actionpoint_edit", args=[point])),
        Page("plan form", reverse("actionplans:plan_edit", args=[plan])),
        Page("plan people", reverse("actionplans:plan_people", args=[plan])),
        Page("plan activity", reverse("actionplans:plan_activity", args=[plan])),
        Page("reschedule form", reverse("actionplans:actionpoint_reschedule", args=[point])),
        Page("move to a challenge", reverse("actionplans:actionpoint_move_to", args=[point])),
        Page("import", reverse("actionplans:plan_import")),
        Page("duplicates", reverse("actionplans:person_duplicates")),
        Page(
            "bulk edit",
            reverse("actionplans:plan_bulk_edit", args=[plan])
            + f"?action_points={point}&action_points={demo.other_point_pk}",
        ),
        Page("webhooks", reverse("webhooks:webhook_list")),
        Page("new webhook", reverse("webhooks:webhook_add")),
        Page("webhook page", reverse("webhooks:webhook_detail", args=[demo.webhook_pk])),
        Page("webhook form", reverse("webhooks:webhook_edit", args=[demo.webhook_pk])),
        Page("webhook delete", reverse("webhooks:webhook_delete", args=[demo.webhook_pk])),
    ]
    if role == "signed-out":
        return [
            Page("sign in", reverse("login")),
            Page("password reset", reverse("password_reset")),
        ]
    if role == "coordinator":
        return signed_in + managing
    if role == "admin":
        # What only an administrator sees differently; the rest is the coordinator's.
        shown = {"plan list", "plan page", "people", "import", "duplicates"}
        return [page for page in signed_in + managing if page.name in shown]
    return signed_in


# --- what is checked in the page --------------------------------------------------


def _check(page, scripts: str, where: str, problems: list[str], *, phone: bool) -> None:
    if not page.evaluate("() => typeof window.accessibilityChecks === 'object'"):
        page.evaluate(scripts)
    for violation in page.evaluate("(tags) => accessibilityChecks.runAxe(tags)", AXE_TAGS):
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        nodes = [node for node in violation["targets"] if node["impact"] in FAILING_IMPACTS]
        listed = "; ".join(
            f"{node['target']}" + (f" ({node['summary']})" if node["summary"] else "")
            for node in nodes[:8]
        )
        more = f" and {len(nodes) - 8} more" if len(nodes) > 8 else ""
        problems.append(
            f"{where}: axe {violation['id']} ({violation['impact']}, {violation['help']}): "
            f"{listed}{more}"
        )
    if phone:
        cut = page.evaluate("() => accessibilityChecks.cutTables()")
        problems.extend(f"{where}: {problem}" for problem in cut)
    small = page.evaluate("(min) => accessibilityChecks.smallTargets(min)", MIN_TARGET)
    problems.extend(f"{where}: {problem}" for problem in small)


def _open(page, live_server, path: str, where: str, problems: list[str]) -> bool:
    response = page.goto(live_server.url + path)
    status = response.status if response is not None else None
    if status != 200:
        problems.append(f"{where}: answered {status}, not 200")
        return False
    page.wait_for_load_state("load")
    return True


ROLES = {
    # role -> demo account (None: signed out)
    "coordinator": "demo-coordinator",
    "admin": "demo-admin",
    "member": "demo-member",
    "viewer": "demo-viewer",
    "signed-out": None,
}


@pytest.mark.parametrize("role", list(ROLES))
def test_main_pages_have_no_serious_accessibility_problem(
    role, browser, live_server, sign_in, tmp_path, artifacts
):
    scripts = _scripts()
    demo = _build_demo(tmp_path)
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    try:
        page = context.new_page()
        username = ROLES[role]
        if username:
            sign_in(page, get_user_model().objects.get(username=username))
        problems: list[str] = []
        for target in _pages(role, demo):
            page.set_viewport_size(DESKTOP)
            where = f"{role}, {target.name} ({target.path})"
            if not _open(page, live_server, target.path, f"{where}, 1280 px", problems):
                continue
            _check(page, scripts, f"{where}, 1280 px", problems, phone=False)
            page.set_viewport_size(PHONE)
            # Laid out again at the new width before anything is measured.
            page.evaluate("() => new Promise((done) => requestAnimationFrame(() => done()))")
            _check(page, scripts, f"{where}, 360 px", problems, phone=True)
        report = artifacts / f"accessibility-{role}.json"
        report.write_text(json.dumps(problems, indent=2))
    finally:
        context.close()
    assert not problems, f"{len(problems)} accessibility problems:\n" + "\n".join(problems)


SHADOWS = """(selector) => {
  const box = document.querySelector(selector);
  return {
    overflow: getComputedStyle(box).overflowX,
    scrolls: box.scrollWidth > box.clientWidth,
    shadow: getComputedStyle(box).boxShadow,
    page: document.documentElement.scrollWidth,
  };
}"""


def _shadows(measure: dict) -> list[str]:
    """The visible shadows (an animation between one and two pads with transparent ones)."""
    shadows = re.findall(r"rgba?\([^)]*\)[^,]*", measure["shadow"])
    return [s.strip() for s in shadows if not s.startswith("rgba(0, 0, 0, 0)")]


@pytest.mark.parametrize("direction", ["ltr", "rtl"])
def test_a_wide_table_scrolls_in_its_own_container_with_a_shadow_where_columns_hide(
    direction, new_page, live_server, sign_in, tmp_path, artifacts
):
    """The plan list at 360 px: the page stays 360 px wide, the table scrolls in its
    .table-scroll region, and a shadow marks the edge where more columns are: the end
    edge at first (right in English, left in Arabic), the start edge once scrolled to the end."""
    _build_demo(tmp_path)
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, get_user_model().objects.get(username="demo-coordinator"))
    if direction == "rtl":
        page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": live_server.url}]
        )
    page.goto(live_server.url + reverse("actionplans:plan_list"))
    assert page.evaluate("document.documentElement.dir") == direction
    region = page.locator(".table-scroll")
    assert region.get_attribute("role") == "region"
    assert region.get_attribute("tabindex") == "0"
    assert region.get_attribute("aria-label")

    first = page.evaluate(SHADOWS, ".table-scroll")
    assert first["overflow"] == "auto"
    assert first["scrolls"] is True, "the plan list no longer overflows at 360 px: test another"
    assert first["page"] <= PHONE["width"]
    # One inset shadow, on the end side: offset -14px (right) in LTR, 14px (left) in RTL.
    end_offset = "-14px" if direction == "ltr" else "14px"
    assert _shadows(first) == [f"rgba(0, 0, 0, 0.3) {end_offset} 0px 10px -10px inset"]
    region.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / f"table-scroll-{direction}-start.png")

    # Scrolled to the far end (scrollLeft is negative in RTL): the shadow moves to the start side.
    page.evaluate(
        "(rtl) => { const box = document.querySelector('.table-scroll');"
        " box.scrollLeft = (rtl ? -1 : 1) * box.scrollWidth; }",
        direction == "rtl",
    )
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => done()))")
    start_offset = "14px" if direction == "ltr" else "-14px"
    last = page.evaluate(SHADOWS, ".table-scroll")
    assert _shadows(last) == [f"rgba(0, 0, 0, 0.3) {start_offset} 0px 10px -10px inset"]
    page.screenshot(path=artifacts / f"table-scroll-{direction}-end.png")


BROKEN_PAGE = """<!doctype html><html lang="en"><head><title>Broken</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main>
<h1>Broken on purpose</h1>
<p style="color: #999">Cancelled</p>
<select id="status"><option>Any</option></select>
<div><table id="wide"><tr><td style="min-width: 600px">A wide cell</td></tr></table></div>
<div class="scroller" style="overflow-x: auto"><table id="plain">
  <tr><td style="min-width: 600px">Scrolls, with no cue</td></tr></table></div>
<p><button style="padding: 0; font-size: 10px; line-height: 1">a</button><button
  style="padding: 0; font-size: 10px; line-height: 1">b</button></p>
</main></body></html>"""


def test_the_checks_find_what_they_look_for(new_page):
    """On a page broken on purpose (no server, no database): each check reports its problem."""
    page = new_page(viewport=PHONE)
    page.set_content(BROKEN_PAGE)
    problems: list[str] = []
    _check(page, _scripts(), "broken", problems, phone=True)
    text = "\n".join(problems)
    assert "broken: axe color-contrast (serious, " in text
    assert "broken: axe select-name (critical, " in text
    assert "#status" in text
    assert "broken: the page scrolls sideways: " in text
    assert ", past the edge: td (right edge at " in text
    assert 'broken: table "" is ' in text
    assert "px wide, cut at 360 px, in no scroll container" in text
    assert 'broken: table "": its scroll container' not in text
    assert 'table "" scrolls in div.scroller, not in a .table-scroll (no visible cue)' in text
    assert 'button "a" is ' in text and 'too close to button "b"' in text
