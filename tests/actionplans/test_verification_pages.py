"""Verified completion on the pages: the action point's page shows who completed
it, what was done and whether it is verified; coordinators other than the
completer verify it or send it back; the plan table marks verified points; the
dashboards count completed against verified and list what awaits verification."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actionplans import services
from actionplans.models import ActionPoint
from tests.factories import UserFactory
from tests.users import build_world

pytestmark = pytest.mark.django_db

DONE = "Tools agreed at the IMWG."
NOT_COORDINATOR = (
    "Only the plan&#x27;s coordinators can verify a completed action point or send it back."
)


@pytest.fixture
def world():
    return build_world()


def _complete(world, user, point=None, **extra):
    return services.progress_update_create(
        action_point=point or world.action_point,
        author=user,
        status="completed",
        note=DONE,
        **extra,
    )


def _page(client, user, point):
    client.force_login(user)
    response = client.get(f"/action-points/{point.pk}/")
    assert response.status_code == 200
    return response.content.decode()


# --- the update forms say completing asks what was done --------------------------------


def test_the_update_form_says_what_completing_needs(client, world):
    content = _page(client, world.member, world.action_point)
    assert "What was done (required to complete)" in content
    assert "Marking it completed needs a few words on what was done." in content


def test_completing_from_the_page_without_a_note_shows_the_error(client, world):
    client.force_login(world.member)
    point = world.action_point
    response = client.post(
        f"/action-points/{point.pk}/update/",
        {"status": "completed", "progress": "0", "note": "", "evidence_url": "", "version": "1"},
    )
    assert response.status_code == 200
    assert response.context["update_form"].errors == {
        "note": ["Say what was done: a note is required to complete an action point."]
    }
    assert ActionPoint.objects.get(pk=point.pk).status == "not_started"


def test_completing_from_a_table_row_without_a_note_shows_the_error(client, world):
    client.force_login(world.member)
    point = world.action_point
    response = client.post(
        f"/action-points/{point.pk}/update/?row=grouped",
        {"status": "completed", "progress": "0", "note": "", "version": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Say what was done: a note is required to complete an action point." in (
        response.content.decode()
    )
    assert ActionPoint.objects.get(pk=point.pk).status == "not_started"


# --- the action point's page --------------------------------------------------------------


def test_the_page_shows_the_completion_awaiting_verification(client, world):
    _complete(world, world.member, evidence_url="https://example.org/minutes")
    content = _page(client, world.coordinator, world.action_point)
    point = ActionPoint.objects.get(pk=world.action_point.pk)
    day = f"{point.completed_at:%-d %b %Y}"
    assert f'Completed by <span dir="auto">Jad</span> on {day}.' in content
    assert f'<blockquote dir="auto">{DONE}</blockquote>' in content
    assert 'href="https://example.org/minutes"' in content
    assert '<span class="badge awaiting">Awaiting verification</span>' in content
    assert f'action="/action-points/{point.pk}/verify/"' in content
    assert f'action="/action-points/{point.pk}/send-back/"' in content


@pytest.mark.parametrize("role", ["member", "viewer_of_open_plan"])
def test_others_see_no_verify_button(client, world, role):
    _complete(world, world.member)
    user = world.member if role == "member" else world.coordinator
    if role != "member":
        world.plan.coordinators.remove(world.coordinator)
        world.plan.visibility = "signed_in"
        world.plan.save()
    content = _page(client, user, world.action_point)
    assert "Awaiting verification" in content
    assert "/verify/" not in content and "/send-back/" not in content


def test_the_completer_who_coordinates_gets_no_verify_button(client, world):
    _complete(world, world.coordinator)
    content = _page(client, world.coordinator, world.action_point)
    assert "/verify/" not in content


def test_verify_from_the_page(client, world):
    _complete(world, world.member)
    client.force_login(world.coordinator)
    point = ActionPoint.objects.get(pk=world.action_point.pk)
    response = client.post(f"/action-points/{point.pk}/verify/", {"version": point.version})
    assert response.status_code == 302
    assert response["Location"] == f"/action-points/{point.pk}/"
    content = client.get(response["Location"]).content.decode()
    assert "Completion verified." in content
    day = f"{ActionPoint.objects.get(pk=point.pk).verified_at:%-d %b %Y}"
    assert f'Verified by <span dir="auto">coordinator</span> on {day}.' in content
    assert "/verify/" not in content  # verified already


def test_verify_by_the_completer_is_refused_with_the_rule(client, world):
    _complete(world, world.coordinator)
    client.force_login(world.coordinator)
    response = client.post(f"/action-points/{world.action_point.pk}/verify/", follow=True)
    assert "Someone other than the person who completed it must verify it." in (
        response.content.decode()
    )
    assert ActionPoint.objects.get(pk=world.action_point.pk).verified_at is None


@pytest.mark.parametrize(("role", "code"), [("member", 403), ("viewer", 404), ("outsider", 404)])
def test_verify_and_send_back_by_others(client, world, role, code):
    _complete(world, world.coordinator)
    client.force_login(getattr(world, role))
    for action in ("verify", "send-back"):
        response = client.post(f"/action-points/{world.action_point.pk}/{action}/", {"reason": "x"})
        assert response.status_code == code
        if code == 403:
            assert NOT_COORDINATOR in response.content.decode()
    assert ActionPoint.objects.get(pk=world.action_point.pk).status == "completed"


def test_verify_is_post_only(client, world):
    client.force_login(world.coordinator)
    assert client.get(f"/action-points/{world.action_point.pk}/verify/").status_code == 405


def test_send_back_from_the_page(client, world):
    _complete(world, world.member)
    client.force_login(world.coordinator)
    point = ActionPoint.objects.get(pk=world.action_point.pk)
    url = f"/action-points/{point.pk}/send-back/"
    response = client.post(url, {"reason": "", "version": point.version}, follow=True)
    assert "Why it goes back to in progress: This field is required." in (response.content.decode())
    assert ActionPoint.objects.get(pk=point.pk).status == "completed"
    response = client.post(url, {"reason": "Minutes missing.", "version": point.version})
    assert response.status_code == 302
    point.refresh_from_db()
    assert (point.status, point.progress, point.completed_by) == ("in_progress", 90, None)


def test_the_plan_table_and_cards_mark_verified_points(client, world):
    _complete(world, world.member)
    services.action_point_verify(action_point=world.action_point, user=world.coordinator)
    client.force_login(world.member)
    marker = (
        '<span class="badge status-completed">Completed</span> '
        '<span class="badge verified">Verified</span>'
    )
    assert marker in client.get(f"/plans/{world.plan.pk}/").content.decode()
    assert marker in client.get(f"/plans/{world.plan.pk}/?view=cards").content.decode()


# --- dashboards -------------------------------------------------------------------------


def _dashboard_world(world):
    older = services.action_point_create(challenge=world.challenge, description="Older done")
    newer = services.action_point_create(challenge=world.challenge, description="Newer done")
    verified = services.action_point_create(challenge=world.challenge, description="Checked")
    services.action_point_create(
        challenge=world.challenge, description="Imported done", status="completed"
    )
    _complete(world, world.member, older)
    _complete(world, world.member, newer)
    _complete(world, world.member, verified)
    services.action_point_verify(action_point=verified, user=world.coordinator)
    return older, newer


def test_the_plan_dashboard_counts_completed_and_verified(client, world):
    older, newer = _dashboard_world(world)
    client.force_login(world.coordinator)
    response = client.get(f"/plans/{world.plan.pk}/dashboard/")
    v = response.context["verification"]
    assert (v.completed, v.verified, v.awaiting) == (4, 1, 2)
    assert v.awaiting_points == [older, newer]  # oldest completion first
    content = response.content.decode()
    assert '<dd id="figure-verified">1</dd><dd class="help">1 of 4 completed</dd>' in content
    assert f'href="/action-points/{older.pk}/#completion"' in content


def test_members_see_the_figures_without_the_list(client, world):
    _dashboard_world(world)
    client.force_login(world.member)
    v = client.get(f"/plans/{world.plan.pk}/dashboard/").context["verification"]
    assert (v.completed, v.verified, v.awaiting, v.awaiting_points) == (4, 1, 2, None)


def test_the_portfolio_lists_what_awaits_the_coordinator(client, world):
    older, newer = _dashboard_world(world)
    _complete(world, world.coordinator, world.other_action_point)  # a plan they do not see
    client.force_login(world.coordinator)
    v = client.get("/dashboard/").context["verification"]
    assert (v.completed, v.verified, v.awaiting) == (4, 1, 2)
    assert v.awaiting_points == [older, newer]
    client.force_login(world.admin)
    v = client.get("/dashboard/").context["verification"]
    assert (v.completed, v.awaiting, len(v.awaiting_points)) == (5, 3, 3)
    client.force_login(world.member)
    assert client.get("/dashboard/").context["verification"].awaiting_points is None


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _grow(world, n):
    for i in range(n):
        point = services.action_point_create(challenge=world.challenge, description=f"Grown {i}")
        completer = UserFactory(username=f"done{ActionPoint.objects.count()}")
        _complete(world, completer, point)


@pytest.mark.parametrize(
    "url", ["/plans/{plan}/dashboard/", "/dashboard/", "/action-points/{point}/"]
)
def test_query_counts_do_not_grow_with_completions(client, world, url):
    url = url.format(plan=world.plan.pk, point=world.action_point.pk)
    _complete(world, world.member)
    _grow(world, 1)
    client.force_login(world.coordinator)
    client.get(url)
    small = _queries(client, url)
    _grow(world, 5)
    assert _queries(client, url) == small
