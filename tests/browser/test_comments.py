"""A comment with a mention, in the browser: a member types "@Fa", picks the
suggested person, posts; the comment shows the mention, and the person mentioned
finds the notification in their inbox."""

import re

import pytest
from playwright.sync_api import expect

from actionplans.models import Comment
from tests.factories import PersonFactory, UserFactory
from tests.users import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    world = build_world()
    world.fanette_user = UserFactory(username="fanette")
    world.fanette = PersonFactory(name="Fanette Dupont", user=world.fanette_user)
    world.group.team_members.add(world.fanette)
    PersonFactory(name="Fanny Elsewhere")  # in no plan: not suggested
    return world


def test_comment_with_a_picked_mention_notifies(page, new_page, live_server, sign_in, world):
    sign_in(page, world.member)
    page.goto(f"{live_server.url}/action-points/{world.action_point.pk}/")
    box = page.get_by_label("Add a comment")
    box.press_sequentially("Thanks @Fa", delay=40)

    listbox = page.locator("#id_comment_body-suggestions")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-activedescendant", re.compile(r"."))
    options = listbox.get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.nth(0)).to_have_text("Fanette Dupont")
    box.press("Enter")  # picks the highlighted person, does not send the form
    expect(listbox).to_be_hidden()
    token = f"@[Fanette Dupont](person:{world.fanette.pk})"
    expect(box).to_have_value(f"Thanks {token} ")
    box.press_sequentially("for the list.", delay=10)
    page.get_by_role("button", name="Post comment").click()

    comment = page.locator(".comment").last
    expect(comment.locator("mark.mention")).to_have_text("@Fanette Dupont")
    expect(comment.locator(".comment-body")).to_have_text("Thanks @Fanette Dupont for the list.")
    expect(page.get_by_role("button", name="Stop watching")).to_be_visible()
    assert Comment.objects.get().body == f"Thanks {token} for the list."

    fanette = new_page()
    sign_in(fanette, world.fanette_user)
    fanette.goto(f"{live_server.url}/notifications/")
    item = fanette.locator(".notification").first
    expect(item).to_contain_text("Mentioned in a comment")
    expect(item).to_contain_text("Jad mentioned you in a comment.")
    expect(item.locator("q")).to_have_text("Thanks @Fanette Dupont for the list.")
    item.get_by_role("link", name=re.compile("IMWG to recommend")).click()
    expect(fanette.locator("mark.mention")).to_have_text("@Fanette Dupont")


def test_comments_fit_a_phone_right_to_left(new_page, live_server, world, artifacts):
    from actionplans import services
    from tests.browser.conftest import PASSWORD, PHONE

    services.comment_create(
        action_point=world.action_point,
        author=world.member,
        body="شكرا @Fanette Dupont " + "طويل" * 60,
    )
    page = new_page(
        viewport=PHONE, locale="ar", is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page.goto(live_server.url + "/accounts/login/")
    form = page.locator("main form")
    form.locator("input[name=username]").fill("coordinator")
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"{live_server.url}/action-points/{world.action_point.pk}/#comments")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    widths = page.evaluate(
        "({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["inner"], widths
    expect(page.locator("mark.mention")).to_have_text("@Fanette Dupont")
    for target in page.locator("#comments button, #comments a.button").all():
        box = target.bounding_box()
        assert box["height"] >= 24 and box["width"] >= 24, box
    page.screenshot(path=artifacts / "comments-360-ar.png", full_page=True)
