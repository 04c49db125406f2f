"""The notifications list: one's own notifications only, newest first, unread ones
marked, each in the email's words with its link; details hidden once the plan is
no longer visible; marking read (one, all, from htmx); the unread count in the
navigation; a query count that does not grow."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actionplans.choices import PlanVisibility
from notifications.choices import Kind
from notifications.models import Notification
from tests.factories import ActionPlanFactory
from tests.users import build_world

pytestmark = pytest.mark.django_db

URL = "/notifications/"
START = timezone.make_aware(datetime.datetime(2019, 3, 1, 9, 0))


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def notify(user, kind, *, point=None, plan=None, detail=None, minutes=0, read=False, key=None):
    """A notification as the services record it (for the app only: no address)."""
    plan = plan or point.challenge.working_group.plan
    return Notification.objects.create(
        user=user,
        kind=kind,
        plan=plan,
        action_point=point,
        key=key or f"{kind}:{minutes}:{user.pk}",
        detail=detail or {},
        created=START + datetime.timedelta(minutes=minutes),
        read_at=START if read else None,
    )


@pytest.fixture
def world():
    return build_world()


def test_list_needs_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={URL}"


def test_list_shows_own_notifications_newest_first(client, world):
    point = world.action_point
    first = notify(world.member, Kind.DUE_SOON, point=point, detail={"days": 3}, minutes=1)
    second = notify(world.member, Kind.OVERDUE, point=point, detail={"days_late": 1}, minutes=2)
    third = notify(world.member, Kind.DUE_TODAY, point=point, minutes=3, read=True)
    notify(world.coordinator, Kind.DUE_SOON, point=point, detail={"days": 14}, minutes=4)
    client.force_login(world.member)
    response = client.get(URL)
    assert response.status_code == 200
    assert [n.pk for n in response.context["page_obj"]] == [third.pk, second.pk, first.pk]
    text = _text(response)
    assert "3 notifications, 2 unread; newest first." in text
    assert text.index("Due today.") < text.index("Overdue by 1 day.") < text.index("Due in 3 days.")
    assert "Due in 14 days." not in text  # the coordinator's


def _item(html: str, pk: int) -> str:
    """The markup of one notification in a page."""
    match = re.search(rf'<li id="notification-{pk}".*?</li>', html, re.DOTALL)
    assert match, pk
    return match.group(0)


def test_unread_ones_are_marked_for_eyes_and_screen_readers(client, world):
    unread = notify(world.member, Kind.DUE_TODAY, point=world.action_point, minutes=1)
    read = notify(world.member, Kind.DUE_TODAY, point=world.action_point, minutes=2, read=True)
    client.force_login(world.member)
    html = client.get(URL).content.decode()
    unread_html, read_html = _item(html, unread.pk), _item(html, read.pk)
    assert unread_html.startswith(f'<li id="notification-{unread.pk}" class="notification unread">')
    assert read_html.startswith(f'<li id="notification-{read.pk}" class="notification">')
    assert '<span class="visually-hidden">Unread: </span>' in unread_html
    assert "Unread:" not in read_html
    assert "Mark read" in unread_html
    assert "Mark read" not in read_html


def test_each_kind_reads_as_in_the_email(client, world):
    point = world.action_point
    cases = [
        (Kind.DUE_SOON, {"days": 1}, "Due in 1 day."),
        (Kind.DUE_TODAY, {}, "Due today."),
        (Kind.OVERDUE, {"days_late": 8}, "Overdue by 8 days."),
        (Kind.OVERDUE, {"days_late": 800}, "Overdue by 2 years 2 months."),
        (Kind.STALE, {"last_change": "2019-01-01"}, "No update since 2019-01-01."),
        (Kind.ASSIGNED, {"by": "Rana"}, "Rana named you focal point."),
        (Kind.ASSIGNED, {"by": ""}, "You were named focal point."),
        (
            Kind.RESCHEDULED,
            {"old": "2019-03-31", "new": "2019-06-30", "reason": "Funding late", "by": "Rana"},
            "Deadline moved from 2019-03-31 to 2019-06-30 by Rana. Funding late",
        ),
        (
            Kind.COMMENTED,
            {"note": "Draft shared", "status": "In progress", "progress": 40, "by": "Rana"},
            "Rana reported: In progress, 40%. Draft shared",
        ),
        (
            Kind.EXTENSION_REQUESTED,
            {"current": "2019-03-31", "new": "2019-05-31", "reason": "Elections", "by": "Jad"},
            "Jad asks to move the deadline from 2019-03-31 to 2019-05-31. Elections",
        ),
        (
            Kind.EXTENSION_DECIDED,
            {"approved": True, "new": "2019-05-31", "note": "Fine", "by": "Rana"},
            "Rana approved the new deadline 2019-05-31. Fine",
        ),
        (
            Kind.EXTENSION_DECIDED,
            {"approved": False, "new": "2019-05-31", "note": "", "by": "Rana"},
            "Rana declined the deadline 2019-05-31.",
        ),
    ]
    for minutes, (kind, detail, _sentence) in enumerate(cases):
        notify(world.member, kind, point=point, detail=detail, minutes=minutes)
    client.force_login(world.member)
    response = client.get(URL)
    text = _text(response)
    for _kind, _detail, sentence in cases:
        assert sentence in text, sentence
    html = response.content.decode()
    point_link = f'<a href="/action-points/{point.pk}/" dir="auto">{point.description}</a>'
    assert html.count(point_link) == len(cases)
    assert '<q dir="auto">Draft shared</q>' in html


def test_a_digest_links_to_the_plan_dashboard(client, world):
    notify(
        world.coordinator,
        Kind.DIGEST,
        plan=world.plan,
        detail={
            "completed": {"count": 2, "ids": []},
            "newly_overdue": {"count": 1, "ids": []},
            "stale": {"count": 0, "ids": []},
        },
    )
    notify(world.coordinator, Kind.DIGEST, plan=world.plan, detail={}, minutes=1)
    client.force_login(world.coordinator)
    response = client.get(URL)
    html = response.content.decode()
    assert (
        f'<a href="/plans/{world.plan.pk}/dashboard/" dir="auto">PIM Lebanon Action Plan</a>'
        in html
    )
    text = _text(response)
    assert "Completed this week (2) · Newly overdue (1)" in text
    assert "No update for a while (0)" not in text
    assert "A quiet week: nothing completed, late, due or moved." in text


def test_details_of_a_plan_no_longer_visible_are_hidden(client, world):
    """The member was notified about a point of a members-only plan, then left it."""
    hidden = world.other_action_point
    notify(
        world.member,
        Kind.COMMENTED,
        point=hidden,
        detail={"note": "Confidential note", "status": "Blocked", "progress": 10, "by": "Rana"},
    )
    notify(world.member, Kind.DUE_TODAY, point=world.action_point, minutes=1)
    client.force_login(world.member)
    response = client.get(URL)
    html = response.content.decode()
    text = _text(response)
    assert "New update on your action point" in text
    assert "This plan is no longer open to you: its details are hidden." in text
    for secret in ("Secret action", "Other plan", "Confidential note", "Rana", "Blocked"):
        assert secret not in html, secret
    assert f"/action-points/{hidden.pk}/" not in html
    assert f"/plans/{world.other_plan.pk}/" not in html
    # The visible one keeps its link.
    assert f'href="/action-points/{world.action_point.pk}/"' in html


def test_a_plan_open_to_all_stays_visible(client, world):
    plan = ActionPlanFactory(title="Open plan", visibility=PlanVisibility.SIGNED_IN)
    notify(world.viewer, Kind.DIGEST, plan=plan, detail={})
    client.force_login(world.viewer)
    html = client.get(URL).content.decode()
    assert f'href="/plans/{plan.pk}/dashboard/"' in html


def test_empty_list_says_so(client, world):
    client.force_login(world.viewer)
    response = client.get(URL)
    assert "No notification yet." in _text(response)
    assert "Mark all read" not in response.content.decode()


def test_pages_of_fifty(client, world):
    for minutes in range(55):
        notify(world.member, Kind.DUE_TODAY, point=world.action_point, minutes=minutes)
    client.force_login(world.member)
    first = client.get(URL)
    assert len(first.context["page_obj"].object_list) == 50
    second = client.get(URL + "?page=2")
    assert len(second.context["page_obj"].object_list) == 5
    assert "Page 2 of 2" in _text(second)


# --- marking read -----------------------------------------------------------------


def test_mark_one_read(client, world):
    mine = notify(world.member, Kind.DUE_TODAY, point=world.action_point, minutes=1)
    other = notify(world.member, Kind.DUE_TODAY, point=world.action_point, minutes=2)
    client.force_login(world.member)
    response = client.post(
        "/notifications/read/", {"id": mine.pk, "next": "/notifications/?page=1"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/notifications/?page=1"
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.read_at is not None
    assert other.read_at is None


def test_mark_read_never_touches_someone_elses(client, world):
    theirs = notify(world.coordinator, Kind.DUE_TODAY, point=world.action_point)
    client.force_login(world.member)
    response = client.post("/notifications/read/", {"id": theirs.pk})
    assert response.status_code == 302
    assert response["Location"] == URL
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read(client, world):
    mine = [
        notify(world.member, Kind.DUE_TODAY, point=world.action_point, minutes=m) for m in range(3)
    ]
    theirs = notify(world.coordinator, Kind.DUE_TODAY, point=world.action_point)
    client.force_login(world.member)
    assert client.post("/notifications/read/").status_code == 302
    assert Notification.objects.filter(pk__in=[n.pk for n in mine], read_at=None).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_is_post_only(client, world):
    notification = notify(world.member, Kind.DUE_TODAY, point=world.action_point)
    client.force_login(world.member)
    assert client.get(f"/notifications/read/?id={notification.pk}").status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_read_refuses_a_next_address_off_site(client, world):
    notify(world.member, Kind.DUE_TODAY, point=world.action_point)
    client.force_login(world.member)
    response = client.post("/notifications/read/", {"next": "https://evil.example/"})
    assert response["Location"] == URL


def test_mark_read_from_htmx_answers_the_item_and_the_count(client, world):
    first = notify(world.member, Kind.DUE_TODAY, point=world.action_point, minutes=1)
    notify(world.member, Kind.DUE_TODAY, point=world.action_point, minutes=2)
    client.force_login(world.member)
    response = client.post("/notifications/read/", {"id": first.pk}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<li id="notification-{first.pk}" class="notification">' in html
    assert "Mark read" not in html
    assert "Due today." in html
    assert (
        '<span id="nav-unread" hx-swap-oob="true"> (1<span class="visually-hidden"> unread</span>)'
        in html
    )
    first.refresh_from_db()
    assert first.read_at is not None


def test_mark_read_from_htmx_of_someone_elses_is_404(client, world):
    theirs = notify(world.coordinator, Kind.DUE_TODAY, point=world.action_point)
    client.force_login(world.member)
    response = client.post(
        "/notifications/read/", {"id": theirs.pk}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_page_forms_work_without_javascript(client, world):
    notification = notify(world.member, Kind.DUE_TODAY, point=world.action_point)
    client.force_login(world.member)
    html = client.get(URL).content.decode()
    assert '<form method="post" action="/notifications/read/" class="inline"' in html
    assert f'<input type="hidden" name="id" value="{notification.pk}">' in html
    assert "Mark all read" in html


# --- the navigation -----------------------------------------------------------------


def test_navigation_shows_the_unread_count(client, world):
    for minutes in range(3):
        notify(world.member, Kind.DUE_TODAY, point=world.action_point, minutes=minutes)
    notify(world.member, Kind.DUE_TODAY, point=world.action_point, minutes=9, read=True)
    client.force_login(world.member)
    html = client.get("/plans/").content.decode()
    assert (
        '<a href="/notifications/">Notifications<span id="nav-unread"> (3<span '
        'class="visually-hidden"> unread</span>)</span></a>'
    ) in html
    client.post("/notifications/read/")
    html = client.get("/plans/").content.decode()
    assert '<a href="/notifications/">Notifications<span id="nav-unread"></span></a>' in html


def _count_queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured]


def test_navigation_count_is_one_query(client, world):
    notify(world.member, Kind.DUE_TODAY, point=world.action_point)
    client.force_login(world.member)
    table = Notification._meta.db_table
    on_plans = [sql for sql in _count_queries(client, "/plans/") if f'"{table}"' in sql]
    assert len(on_plans) == 1
    assert "COUNT(*)" in on_plans[0]
    assert "read_at" in on_plans[0]
    # The list page shows the unread count twice (navigation, heading) from one
    # query; the other count is the paginator's total.
    on_list = [sql for sql in _count_queries(client, URL) if f'"{table}"' in sql]
    assert len([sql for sql in on_list if "COUNT(*)" in sql and "read_at" in sql]) == 1
    assert len([sql for sql in on_list if "COUNT(*)" in sql]) == 2


def test_navigation_count_costs_nothing_without_navigation(client, world):
    """The API renders no navigation: no count."""
    client.force_login(world.member)
    queries = _count_queries(client, "/api/v1/plans/")
    assert not [sql for sql in queries if Notification._meta.db_table in sql]


# --- queries ----------------------------------------------------------------------


def _fill(world, count: int, start: int) -> None:
    kinds = [Kind.DUE_SOON, Kind.COMMENTED, Kind.DIGEST, Kind.RESCHEDULED]
    for index in range(start, start + count):
        kind = kinds[index % len(kinds)]
        hidden = index % 3 == 0
        point = world.other_action_point if hidden else world.action_point
        notify(
            world.member,
            kind,
            point=None if kind == Kind.DIGEST else point,
            plan=point.challenge.working_group.plan,
            detail={"days": 3, "by": "Rana", "note": "n", "status": "s", "progress": 1},
            minutes=index,
            read=index % 2 == 0,
        )


@pytest.mark.parametrize("role", ["member", "admin"])
def test_list_query_count_does_not_grow(client, world, role):
    user = getattr(world, role)
    world.member = user  # notifications for this user
    client.force_login(user)
    _fill(world, 3, 0)
    small = len(_count_queries(client, URL))
    _fill(world, 37, 3)
    assert Notification.objects.filter(user=user).count() == 40
    large = len(_count_queries(client, URL))
    assert large == small
    # Session, user, navigation's count, the paginator's count, the page of rows.
    assert small <= 6
