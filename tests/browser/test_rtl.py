"""Right to left: the plan page and the plan's dashboard in Arabic, on a desktop
(1280 px) and a phone (360 px), and the same pages in English on a phone.

The browser asks for Arabic as an Arabic-speaking user's does (Accept-Language,
from the context's locale); the user has no language preference. The plan is
written in Arabic, with one action point in English, so dir="auto" has both
directions to resolve. Screenshots go to test-artifacts/rtl-*.png.
"""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from actionplans.choices import ActionPointStatus, DeadlinePrecision, FocalPointRole
from tests.browser.conftest import DESKTOP, PASSWORD, PHONE
from tests.factories import (
    ActionPlanFactory,
    ActionPointFactory,
    ChallengeFactory,
    FocalPointFactory,
    OrganizationFactory,
    PersonFactory,
    UserFactory,
    WorkingGroupFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "خطة عمل إدارة معلومات الحماية في لبنان"
GROUP = "تبادل البيانات"
CHALLENGE = "نقص الأدوات المشتركة والآمنة لتبادل البيانات"
ARABIC_POINT = "توصية فريق إدارة المعلومات بأدوات موحدة وإجراءات مشتركة"
ENGLISH_POINT = "IMWG to recommend standardized tools and procedures"
# The header's inline padding (1rem) and a little room for rounding.
EDGE = 16
SLACK = 4


def _arabic_plan():
    """A plan written in Arabic, coordinated by the user signed in; one point in English."""
    coordinator = UserFactory(username="rtl-coordinator")
    plan = ActionPlanFactory(title=TITLE, country="لبنان", origin="ورشة عمل بيروت، 2018")
    plan.coordinators.add(coordinator)
    unhcr = OrganizationFactory(name="المفوضية السامية للأمم المتحدة لشؤون اللاجئين", acronym="")
    rana = PersonFactory(name="رنا", organization=unhcr)
    jad = PersonFactory(name="جاد")
    group = WorkingGroupFactory(plan=plan, number=1, name=GROUP, team_leader=rana)
    group.team_members.add(rana, jad)
    challenge = ChallengeFactory(working_group=group, number=1, description=CHALLENGE)
    arabic = ActionPointFactory(
        challenge=challenge,
        position=1,
        description=ARABIC_POINT,
        deadline="الربع الأول 2020",
        due_date=datetime.date(2020, 3, 31),
        deadline_precision=DeadlinePrecision.QUARTER,
    )
    FocalPointFactory(action_point=arabic, person=rana, role=FocalPointRole.LEAD, note="تنسيق")
    english = ActionPointFactory(
        challenge=challenge,
        position=2,
        description=ENGLISH_POINT,
        deadline="Q3 2020",
        due_date=datetime.date(2020, 9, 30),
        deadline_precision=DeadlinePrecision.QUARTER,
        status=ActionPointStatus.IN_PROGRESS,
        progress=40,
    )
    FocalPointFactory(action_point=english, person=jad, role=FocalPointRole.LEAD)
    return plan, coordinator


def _sign_in(page, live_server, user) -> None:
    """Through the login form, by the fields' names: its labels are in the page's language."""
    page.goto(live_server.url + "/accounts/login/")
    form = page.locator("main form")
    form.locator("input[name=username]").fill(user.get_username())
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("form[action='/accounts/logout/']")).to_have_count(1)


def _open(new_page, live_server, user, *, language: str, viewport: dict):
    options = {"viewport": viewport, "locale": language}
    if viewport == PHONE:
        options.update(is_mobile=True, has_touch=True, device_scale_factor=2)
    page = new_page(**options)
    _sign_in(page, live_server, user)
    return page


def _box(locator) -> dict:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not rendered"
    return {**box, "right": box["x"] + box["width"]}


def _no_sideways_scroll(page) -> None:
    widths = page.evaluate(
        "({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["inner"], f"the page scrolls sideways: {widths}"


def _resolved_direction(locator) -> str:
    """The direction the element's dir attribute resolves to (for dir="auto": its text's)."""
    return locator.evaluate("el => el.matches(':dir(rtl)') ? 'rtl' : 'ltr'")


def _assert_header_from_the_right(page) -> None:
    """The brand at the right edge, the navigation reading leftwards from it."""
    header = page.locator("header.site-header")
    edge = _box(header)["right"] - EDGE
    brand = _box(header.locator(".brand"))
    assert edge - SLACK <= brand["right"] <= edge + SLACK, (brand, edge)

    links = [_box(link) for link in header.locator("nav a").all()]
    assert len(links) >= 5
    first = links[0]
    if abs(first["y"] - brand["y"]) < brand["height"]:  # one line: the navigation after the brand
        assert first["right"] <= brand["x"], (first, brand)
    else:  # wrapped: the navigation's line starts at the right edge too
        assert first["y"] > brand["y"]
        assert edge - SLACK <= first["right"] <= edge + SLACK, (first, edge)
    for before, after in zip(links, links[1:], strict=False):
        if abs(after["y"] - before["y"]) < before["height"] / 2:  # same line: leftwards
            assert after["right"] <= before["x"], (before, after)
        else:  # the next line, starting again from the right
            assert after["y"] > before["y"]
            assert edge - SLACK <= after["right"] <= edge + SLACK, (after, edge)


def _assert_arabic_page(page, artifacts, name: str) -> None:
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "ar"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    _no_sideways_scroll(page)
    _assert_header_from_the_right(page)
    page.screenshot(path=artifacts / f"{name}.png", full_page=True)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_plan_page_in_arabic_reads_right_to_left(new_page, live_server, artifacts, viewport):
    plan, coordinator = _arabic_plan()
    page = _open(new_page, live_server, coordinator, language="ar", viewport=viewport)
    page.goto(f"{live_server.url}/plans/{plan.pk}/?view=cards")

    title = page.get_by_role("heading", level=1)
    expect(title).to_have_text(TITLE)
    expect(title).to_have_attribute("dir", "auto")
    assert _resolved_direction(title) == "rtl"
    # The title starts at the right of the main column, as the text under it.
    main = _box(page.locator("main"))
    assert _box(title)["right"] >= main["right"] - EDGE - SLACK

    group = page.locator("section.group h2 span[dir=auto]")
    expect(group).to_have_text(GROUP)
    assert _resolved_direction(group) == "rtl"
    arabic = page.locator(".action-point a[dir=auto]").filter(has_text=ARABIC_POINT)
    english = page.locator(".action-point a[dir=auto]").filter(has_text=ENGLISH_POINT)
    assert _resolved_direction(arabic) == "rtl"
    # English written in an Arabic page keeps its own direction.
    assert _resolved_direction(english) == "ltr"
    deadline = page.locator(".action-point strong[dir=auto]").filter(has_text="Q3 2020")
    assert _resolved_direction(deadline) == "ltr"

    # A card's text starts at its right edge: the description's right edge meets the
    # card's content edge (on a desktop, where it fits one line, its left edge is far
    # from the card's left).
    card = _box(page.locator(".action-point").first)
    description = _box(arabic)
    assert description["right"] >= card["right"] - 16 - SLACK
    if viewport == DESKTOP:
        assert description["x"] > card["x"] + card["width"] / 2

    _assert_arabic_page(page, artifacts, f"rtl-plan-{viewport['width']}")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_plan_dashboard_in_arabic_reads_right_to_left(new_page, live_server, artifacts, viewport):
    plan, coordinator = _arabic_plan()
    page = _open(new_page, live_server, coordinator, language="ar", viewport=viewport)
    page.goto(f"{live_server.url}/plans/{plan.pk}/dashboard/")
    expect(page.locator("#figure-overdue")).to_have_text(re.compile(r"^\s*[0-9٠-٩]+\s*$"))

    # The way back to the plan: its arrow points right, towards the start in Arabic.
    back = page.locator("main > p > a").first
    expect(back.locator("span[dir=auto]")).to_have_text(TITLE)
    arrow = back.locator(".mirror")
    assert arrow.evaluate("el => getComputedStyle(el).transform") == "matrix(-1, 0, 0, 1, 0, 0)"
    assert _box(arrow)["x"] > _box(back.locator("span[dir=auto]"))["right"]

    # The status bar is stacked from the right, "not started" first, as its legend reads.
    chart = page.locator("figure svg[role=img]").first
    assert chart.evaluate("el => getComputedStyle(el).direction") == "rtl"
    legend = [_box(item) for item in page.locator("figure").first.locator(".legend li").all()]
    assert len(legend) == 5  # the five statuses
    assert legend[0]["right"] > legend[1]["right"]
    svg = _box(chart)
    segment = _box(chart.locator("rect.s-not_started"))
    assert abs(segment["right"] - svg["right"]) <= 1, (segment, svg)
    quarters = page.locator("svg.chart-wide text[text-anchor=middle]").filter(
        has_text=re.compile("2020")
    )
    assert quarters.count() == 3  # Q1, Q2 and Q3 2020
    # Time runs leftwards: the first quarter's label is the rightmost.
    assert _box(quarters.first)["x"] > _box(quarters.last)["x"]

    # Names and the group in the tables resolve to their own direction.
    row = page.locator("tbody th[scope=row] span[dir=auto]").filter(has_text=GROUP)
    assert _resolved_direction(row) == "rtl"
    _assert_arabic_page(page, artifacts, f"rtl-plan-dashboard-{viewport['width']}")


@pytest.mark.parametrize(
    "path", ["/plans/{pk}/", "/plans/{pk}/dashboard/"], ids=["plan", "dashboard"]
)
def test_the_same_pages_in_english_fit_a_phone(new_page, live_server, artifacts, path):
    plan, coordinator = _arabic_plan()
    page = _open(new_page, live_server, coordinator, language="en-GB", viewport=PHONE)
    page.goto(live_server.url + path.format(pk=plan.pk))

    assert page.evaluate("document.documentElement.dir") == "ltr"
    assert page.evaluate("document.documentElement.lang") == "en"
    _no_sideways_scroll(page)
    # In an English page the brand sits at the left, the Arabic title still reads
    # right to left, and the arrow back keeps pointing left.
    header = _box(page.locator("header.site-header"))
    brand = _box(page.locator("header.site-header .brand"))
    assert header["x"] + EDGE - SLACK <= brand["x"] <= header["x"] + EDGE + SLACK
    title = page.locator("[dir=auto]").filter(has_text=TITLE).first
    assert _resolved_direction(title) == "rtl"
    arrows = page.locator(".mirror")
    for index in range(arrows.count()):
        assert arrows.nth(index).evaluate("el => getComputedStyle(el).transform") == "none"
    name = "plan" if path == "/plans/{pk}/" else "plan-dashboard"
    page.screenshot(path=artifacts / f"ltr-{name}-360.png", full_page=True)
