"""One-click updates from a reminder email: the link's person reports on the
link's action point without signing in (notifications/one_click.py and its page)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from actionplans.choices import ActionPointStatus, PlanStatus
from actionplans.models import ActionPoint, FocalPoint, ProgressUpdate
from notifications.links import ONE_CLICK_SALT, one_click_token, read_one_click, unsubscribe_token
from notifications.models import OneClickUse
from notifications.one_click import LinkGone, one_click_update, resolve
from tests.factories import FocalPointFactory, PersonFactory
from tests.users import build_world

pytestmark = pytest.mark.django_db

DESCRIPTION = "IMWG to recommend standardized tools"
PLAN_TITLE = "PIM Lebanon Action Plan"
RECORDED_DONE = "Recorded: Completed, 100&nbsp;% — thank you"


@pytest.fixture
def world():
    world = build_world()
    ActionPoint.objects.filter(pk=world.action_point.pk).update(
        deadline="2019-03-31", due_date=datetime.date(2019, 3, 31), deadline_precision="day"
    )
    world.action_point.refresh_from_db()
    return world


def url_for(person, point, action: str = "") -> str:
    path = reverse("notifications:one_click", args=[one_click_token(person.pk, point.pk)])
    return f"{path}?do={action}" if action else path


def link_of(url: str) -> str:
    """The token of a page address."""
    return url.split("/u/", 1)[1].split("/", 1)[0]


def nothing_recorded(point: ActionPoint, *, status="not_started", progress=0, version=1) -> None:
    assert ProgressUpdate.objects.count() == 0
    assert OneClickUse.objects.count() == 0
    point.refresh_from_db()
    assert (point.status, point.progress, point.version) == (status, progress, version)


def main_of(content: str) -> str:
    return content.split("<main", 1)[1].split("</main>", 1)[0]


def assert_private(response) -> None:
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"


def assert_reveals_nothing(response, *names: str) -> None:
    content = response.content.decode()
    for name in (PLAN_TITLE, DESCRIPTION, "Jad", "Secret action", *names):
        assert name not in content


# --- opening a link ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "button"),
    [("completed", "Confirm: mark done"), ("in_progress", "Confirm: mark in progress")],
)
def test_opening_a_link_shows_the_point_with_one_confirm_button_and_changes_nothing(
    client, world, action, button
):
    url = url_for(world.member_person, world.action_point, action)

    response = client.get(url)
    assert client.head(url).status_code == 200

    assert response.status_code == 200
    assert_private(response)
    content = response.content.decode()
    assert f'<p class="muted" dir="auto">{PLAN_TITLE}</p>' in content
    assert f'<p class="one-click-description" dir="auto">{DESCRIPTION}</p>' in content
    assert "2019-03-31" in content and "by 31 Mar 2019" in content
    assert '<span class="badge status-not_started">Not started</span>' in content
    assert "0 %" in content
    assert 'You are reporting as <span dir="auto">Jad</span>.' in content
    assert main_of(content).count("<button") == 1  # the header's language switcher aside
    assert button in content
    assert f'<input type="hidden" name="do" value="{action}">' in content
    assert "Secret action" not in content and "Other plan" not in content
    nothing_recorded(world.action_point)


def test_opening_a_link_without_an_action_offers_both_buttons_and_the_form(client, world):
    response = client.get(url_for(world.member_person, world.action_point))

    assert response.status_code == 200
    assert_private(response)
    content = response.content.decode()
    # "Mark done" is a link to the confirmation, which asks what was done.
    assert main_of(content).count("<button") == 2
    assert "Mark in progress" in content
    assert f'href="{response.wsgi_request.path}?do=completed">Mark done</a>' in content
    assert "Confirm:" not in content
    form = response.context["form"]
    assert list(form.fields) == ["status", "progress", "note", "evidence_url", "version"]
    assert form.initial == {"status": "not_started", "progress": 0, "version": 1}
    assert 'step="1"' in content and 'min="0"' in content and 'max="100"' in content
    nothing_recorded(world.action_point)


def test_an_unknown_action_is_the_page_without_an_action(client, world):
    response = client.get(url_for(world.member_person, world.action_point, "delete"))

    assert response.status_code == 200
    assert response.context["action"] == ""
    assert "Confirm:" not in response.content.decode()
    nothing_recorded(world.action_point)


# --- recording ---------------------------------------------------------------------------


def test_done_records_a_completed_update_by_the_person_and_spends_the_link(client, world):
    url = url_for(world.member_person, world.action_point, "completed")

    response = client.post(url, {"do": "completed", "note": "Done."})

    assert response.status_code == 200
    assert_private(response)
    content = response.content.decode()
    assert RECORDED_DONE in content
    assert "Sign in to open the plan" in content
    assert f'href="/accounts/login/?next=/plans/{world.plan.pk}/"' in content
    update = ProgressUpdate.objects.get()
    assert (update.previous_status, update.previous_progress) == ("not_started", 0)
    assert (update.status, update.progress) == ("completed", 100)
    assert update.author == world.member
    assert update.reported_by == world.member_person
    assert (update.note, update.evidence_url) == ("Done.", "")
    use = OneClickUse.objects.get()
    assert use.nonce == read_one_click(link_of(url)).nonce
    assert (use.person, use.action_point, use.update) == (
        world.member_person,
        world.action_point,
        update,
    )
    world.action_point.refresh_from_db()
    assert (world.action_point.status, world.action_point.progress) == ("completed", 100)
    assert world.action_point.version == 2


def test_in_progress_keeps_the_progress(client, world):
    ActionPoint.objects.filter(pk=world.action_point.pk).update(progress=20)

    response = client.post(url_for(world.member_person, world.action_point), {"do": "in_progress"})

    assert response.status_code == 200
    assert "Recorded: In progress, 20&nbsp;% — thank you" in response.content.decode()
    update = ProgressUpdate.objects.get()
    assert (update.status, update.progress, update.previous_progress) == ("in_progress", 20, 20)
    assert OneClickUse.objects.get().update == update


def test_the_form_records_status_progress_note_and_evidence(client, world):
    url = url_for(world.member_person, world.action_point)

    response = client.post(
        url,
        {
            "status": "blocked",
            "progress": "37",
            "note": "Waiting for the partners' data",
            "evidence_url": "https://example.org/minutes",
            "version": "1",
        },
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "Recorded: Blocked, 37&nbsp;% — thank you" in content
    assert '<p class="card" dir="auto">Waiting for the partners&#x27; data</p>' in content
    update = ProgressUpdate.objects.get()
    assert (update.status, update.progress) == ("blocked", 37)
    assert update.note == "Waiting for the partners' data"
    assert update.evidence_url == "https://example.org/minutes"
    assert (update.author, update.reported_by) == (world.member, world.member_person)
    assert OneClickUse.objects.count() == 1


def test_done_without_saying_what_was_done_records_nothing_and_keeps_the_link(client, world):
    url = url_for(world.member_person, world.action_point, "completed")

    response = client.post(url, {"do": "completed", "note": "  "})

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {
        "note": ["Say what was done: a note is required to complete an action point."]
    }
    assert form["status"].value() == "completed"
    nothing_recorded(world.action_point)
    assert client.post(url, {"do": "completed", "note": "Tools shared."}).status_code == 200
    assert ProgressUpdate.objects.get().note == "Tools shared."


def test_the_done_confirmation_asks_what_was_done(client, world):
    response = client.get(url_for(world.member_person, world.action_point, "completed"))

    content = response.content.decode()
    assert (
        '<label for="one-click-done-note">What was done (required to complete)</label>' in content
    )
    assert 'name="note" rows="3" maxlength="5000" required' in content


def test_completing_from_the_form_sets_100(client, world):
    url = url_for(world.member_person, world.action_point)

    client.post(url, {"status": "completed", "progress": "40", "version": "1", "note": "Done."})

    update = ProgressUpdate.objects.get()
    assert (update.status, update.progress) == ("completed", 100)


def test_a_person_without_an_account_reports_as_themselves(client, world):
    rana = PersonFactory(name="Rana", email="rana@example.org")
    FocalPointFactory(action_point=world.action_point, person=rana, role="support")

    response = client.post(url_for(rana, world.action_point), {"do": "completed", "note": "Done."})

    assert response.status_code == 200
    update = ProgressUpdate.objects.get()
    assert update.author is None
    assert update.reported_by == rana
    assert OneClickUse.objects.get().person == rana


def test_a_deactivated_account_is_not_named_as_author(client, world):
    world.member.is_active = False
    world.member.save(update_fields=["is_active"])

    client.post(
        url_for(world.member_person, world.action_point), {"do": "completed", "note": "Done."}
    )

    update = ProgressUpdate.objects.get()
    assert (update.author, update.reported_by) == (None, world.member_person)


def test_someone_signed_in_does_not_become_the_author(client, world):
    """The link's person reports, whoever's browser opened it."""
    client.force_login(world.viewer)

    response = client.post(
        url_for(world.member_person, world.action_point), {"do": "completed", "note": "Done."}
    )

    assert response.status_code == 200
    update = ProgressUpdate.objects.get()
    assert (update.author, update.reported_by) == (world.member, world.member_person)
    # Signed in, the confirmation links to the plan itself.
    assert f'href="/plans/{world.plan.pk}/#ap-{world.action_point.pk}"' in (
        response.content.decode()
    )


def test_a_group_member_who_is_not_a_focal_point_may_use_their_link(client, world):
    omar = PersonFactory(name="Omar")
    world.group.team_members.add(omar)

    response = client.post(url_for(omar, world.action_point), {"do": "in_progress"})

    assert response.status_code == 200
    assert ProgressUpdate.objects.get().reported_by == omar


# --- a link is used once ---------------------------------------------------------------


def test_a_second_submit_of_the_same_link_is_gone_and_records_nothing(client, world):
    url = url_for(world.member_person, world.action_point, "completed")
    assert client.post(url, {"do": "completed", "note": "Done."}).status_code == 200

    again = client.post(url, {"do": "completed", "note": "Done."})
    other_action = client.post(url, {"do": "in_progress"})
    opened = client.get(url)

    for response in (again, other_action, opened):
        assert response.status_code == 410
        assert_private(response)
        assert "This link is no longer valid" in response.content.decode()
        assert_reveals_nothing(response)
    assert ProgressUpdate.objects.count() == 1
    assert OneClickUse.objects.count() == 1
    world.action_point.refresh_from_db()
    assert (world.action_point.status, world.action_point.version) == ("completed", 2)


def test_the_three_links_of_one_email_share_one_use(client, world):
    token = one_click_token(world.member_person.pk, world.action_point.pk)
    path = reverse("notifications:one_click", args=[token])
    client.post(f"{path}?do=in_progress", {"do": "in_progress"})

    assert client.get(f"{path}?do=completed").status_code == 410
    assert client.get(path).status_code == 410
    assert ProgressUpdate.objects.count() == 1


def test_a_submit_racing_past_the_check_is_refused_by_the_unique_nonce(world):
    """Two submits that both resolved the link before either recorded: the second
    fails on the nonce and leaves nothing behind."""
    token = one_click_token(world.member_person.pk, world.action_point.pk)
    first, second = resolve(token), resolve(token)
    one_click_update(first, status=ActionPointStatus.COMPLETED, note="Done.")

    with pytest.raises(LinkGone):
        one_click_update(second, status=ActionPointStatus.IN_PROGRESS, note="twice")

    assert ProgressUpdate.objects.count() == 1
    assert OneClickUse.objects.count() == 1
    world.action_point.refresh_from_db()
    assert world.action_point.status == "completed"


# --- expired, forged, not for this person ----------------------------------------------------


def test_a_link_is_valid_for_its_days_then_gone(client, world, settings):
    assert settings.ONE_CLICK_DAYS == 14
    url = url_for(world.member_person, world.action_point, "completed")
    issued = timezone.now()

    with time_machine.travel(issued + datetime.timedelta(days=14, minutes=-1), tick=False):
        assert client.get(url).status_code == 200
    with time_machine.travel(issued + datetime.timedelta(days=14, minutes=1), tick=False):
        opened = client.get(url)
        posted = client.post(url, {"do": "completed", "note": "Done."})

    for response in (opened, posted):
        assert response.status_code == 410
        assert_private(response)
        assert "This link is no longer valid" in response.content.decode()
        assert 'href="/accounts/login/?next=/my/action-points/"' in response.content.decode()
        assert_reveals_nothing(response)
    nothing_recorded(world.action_point)


def _change_one_character(text: str, index: int) -> str:
    replacement = "A" if text[index] != "A" else "B"
    return text[:index] + replacement + text[index + 1 :]


def test_tampered_links_are_not_found(client, world):
    token = one_click_token(world.member_person.pk, world.action_point.pk)
    payload, timestamp, signature = token.rsplit(":", 2)
    tampered = [
        f"{payload}:{timestamp}:{_change_one_character(signature, 5)}",
        f"{_change_one_character(payload, 3)}:{timestamp}:{signature}",
        f"{payload}:{_change_one_character(timestamp, 0)}:{signature}",
        f"{payload}:{timestamp}",
        "not-a-link",
        # Genuine signatures of the wrong kind or shape.
        unsubscribe_token("jad@example.org", ["due_soon"]),
        signing.dumps({"p": world.member_person.pk}, salt=ONE_CLICK_SALT),
        signing.dumps(["p", "a", "n"], salt=ONE_CLICK_SALT),
        signing.dumps({"p": "x", "a": world.action_point.pk, "n": "1"}, salt=ONE_CLICK_SALT),
    ]
    for bad in tampered:
        path = reverse("notifications:one_click", args=[bad])
        for response in (
            client.get(f"{path}?do=completed"),
            client.post(path, {"do": "completed", "note": "Done."}),
        ):
            assert response.status_code == 404, bad
            assert_private(response)
            assert "This link is not valid" in response.content.decode()
            assert_reveals_nothing(response)
    nothing_recorded(world.action_point)


def test_a_person_who_no_longer_carries_the_point_is_not_found(client, world):
    rana = PersonFactory(name="Rana")
    focal_point = FocalPointFactory(action_point=world.action_point, person=rana)
    url = url_for(rana, world.action_point, "completed")
    assert client.get(url).status_code == 200

    FocalPoint.objects.filter(pk=focal_point.pk).delete()

    for response in (client.get(url), client.post(url, {"do": "completed", "note": "Done."})):
        assert response.status_code == 404
        assert_reveals_nothing(response, "Rana")
    nothing_recorded(world.action_point)


def test_a_link_for_a_point_the_person_never_carried_is_not_found(client, world):
    """Jad carries nothing in the other plan; a signed pair does not make him."""
    response = client.post(
        url_for(world.member_person, world.other_action_point), {"do": "completed", "note": "Done."}
    )

    assert response.status_code == 404
    assert_reveals_nothing(response)
    assert ProgressUpdate.objects.count() == 0


def test_a_deleted_point_or_person_is_not_found(client, world):
    rana = PersonFactory(name="Rana")
    world.group.team_members.add(rana)
    person_url = url_for(rana, world.action_point)
    assert client.get(person_url).status_code == 200
    point_url = url_for(world.member_person, world.action_point)
    rana.delete()
    assert client.get(person_url).status_code == 404

    world.action_point.delete()
    assert client.get(point_url).status_code == 404
    assert OneClickUse.objects.count() == 0


def test_a_closed_plan_is_not_found(client, world):
    # 404 rather than 410: closing is not final (a coordinator may reopen the plan,
    # and the link works again while it is valid), and "no longer valid" would
    # tell a stranger holding the link that it was once genuine.
    url = url_for(world.member_person, world.action_point, "completed")
    world.plan.status = PlanStatus.CLOSED
    world.plan.save(update_fields=["status"])

    for response in (client.get(url), client.post(url, {"do": "completed", "note": "Done."})):
        assert response.status_code == 404
        assert_private(response)
        assert_reveals_nothing(response)
    nothing_recorded(world.action_point)

    world.plan.status = PlanStatus.ACTIVE
    world.plan.save(update_fields=["status"])
    assert client.post(url, {"do": "completed", "note": "Done."}).status_code == 200
    assert ProgressUpdate.objects.count() == 1


def test_a_plan_closed_between_opening_and_submitting_shows_the_error(client, world):
    """The page was open when the coordinator closed the plan: the service refuses,
    the page says why, nothing is recorded and the link is not spent."""
    target = resolve(one_click_token(world.member_person.pk, world.action_point.pk))
    target.plan.status = PlanStatus.CLOSED
    target.plan.save(update_fields=["status"])

    with pytest.raises(Exception, match="This plan is closed"):
        one_click_update(target, status=ActionPointStatus.COMPLETED)

    nothing_recorded(world.action_point)


# --- a point that is done already ------------------------------------------------------------


@pytest.mark.parametrize("status", [ActionPointStatus.COMPLETED, ActionPointStatus.CANCELLED])
def test_a_done_point_still_takes_a_note(client, world, status):
    """What a focal point expects after the work is done (or dropped): "Done" says it
    already is, and a note (the final report's link, why it was dropped) can still
    be added; the status stays as it is."""
    progress = 100 if status == ActionPointStatus.COMPLETED else 30
    ActionPoint.objects.filter(pk=world.action_point.pk).update(status=status, progress=progress)
    url = url_for(world.member_person, world.action_point, "completed")

    opened = client.get(url)
    assert opened.status_code == 200
    content = opened.content.decode()
    if status == ActionPointStatus.COMPLETED:
        assert "This action point is already marked Completed." in content
        assert "Confirm:" not in content
    assert "Add an update…" in content
    nothing_recorded(world.action_point, status=status, progress=progress)

    response = client.post(
        url,
        {
            "status": status,
            "progress": str(progress),
            "note": "Final report shared",
            "version": "1",
        },
    )

    assert response.status_code == 200
    assert "Final report shared" in response.content.decode()
    update = ProgressUpdate.objects.get()
    assert (update.previous_status, update.status) == (status, status)
    assert update.progress == progress
    assert update.note == "Final report shared"
    assert OneClickUse.objects.count() == 1


def test_done_on_a_done_point_records_nothing_and_keeps_the_link(client, world):
    ActionPoint.objects.filter(pk=world.action_point.pk).update(status="completed", progress=100)
    url = url_for(world.member_person, world.action_point, "completed")

    response = client.post(url, {"do": "completed"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Nothing to record: change the status or progress, or add a note or evidence link."
    ]
    nothing_recorded(world.action_point, status="completed", progress=100)
    # The link still works for the note.
    client.post(url, {"status": "completed", "progress": "100", "note": "Shared", "version": "1"})
    assert ProgressUpdate.objects.get().note == "Shared"


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"progress": "101"}, "progress", "Ensure this value is less than or equal to 100."),
        ({"progress": "-1"}, "progress", "Ensure this value is greater than or equal to 0."),
        ({"progress": "abc"}, "progress", "Enter a whole number."),
        ({"progress": "12.5"}, "progress", "Enter a whole number."),
        ({"progress": ""}, "progress", "This field is required."),
        (
            {"status": "done"},
            "status",
            "Select a valid choice. done is not one of the available choices.",
        ),
        ({"evidence_url": "not a link"}, "evidence_url", "Enter a valid URL."),
        (
            {"note": "x" * 5001},
            "note",
            "Ensure this value has at most 5000 characters (it has 5001).",
        ),
    ],
)
def test_bad_input_is_shown_on_the_form_and_records_nothing(client, world, values, field, message):
    url = url_for(world.member_person, world.action_point)
    data = {"status": "in_progress", "progress": "50", "note": "", "version": "1", **values}

    response = client.post(url, data)

    assert response.status_code == 200
    assert_private(response)
    assert response.context["form"].errors == {field: [message]}
    assert 'class="field has-error"' in response.content.decode()
    nothing_recorded(world.action_point)


def test_the_services_errors_are_shown_on_the_form(client, world):
    """Errors only the service knows: nothing changed, someone else changed it first."""
    url = url_for(world.member_person, world.action_point)

    unchanged = client.post(url, {"status": "not_started", "progress": "0", "version": "1"})
    assert unchanged.context["form"].non_field_errors() == [
        "Nothing to record: change the status or progress, or add a note or evidence link."
    ]
    ActionPoint.objects.filter(pk=world.action_point.pk).update(version=2)
    stale = client.post(url, {"status": "in_progress", "progress": "50", "version": "1"})
    assert stale.status_code == 200
    assert stale.context["form"].non_field_errors() == [
        "Someone else changed this action point while you were editing it. "
        "Review their changes, then apply yours again."
    ]
    nothing_recorded(world.action_point, version=2)


def test_the_form_posts_without_a_csrf_token_and_with_origin_null(world):
    """The page is sent with "Referrer-Policy: no-referrer", so browsers post its
    forms with "Origin: null", which Django's CSRF check refuses (403). The token
    in the address is the credential; the view is exempt, on purpose."""
    client = Client(enforce_csrf_checks=True)
    url = url_for(world.member_person, world.action_point, "completed")

    response = client.post(url, {"do": "completed", "note": "Done."}, headers={"Origin": "null"})

    assert response.status_code == 200
    assert ProgressUpdate.objects.get().status == "completed"


def test_only_get_head_and_post(client, world):
    url = url_for(world.member_person, world.action_point)

    assert client.put(url).status_code == 405
    assert client.delete(url).status_code == 405
    nothing_recorded(world.action_point)


def test_the_link_is_open_without_signing_in_but_nothing_else_is(client, world):
    assert client.get(url_for(world.member_person, world.action_point)).status_code == 200
    assert client.get(reverse("notifications:list")).status_code == 302
