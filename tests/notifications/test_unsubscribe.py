"""One-click unsubscribe (RFC 8058): GET only asks, POST mutes exactly the link's
kinds for its address (from the page or from a mail client, without cookies or
CSRF token), the page's undo takes them back, and a forged link is 404."""

from __future__ import annotations

import re

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from notifications.links import one_click_token, unsubscribe_token, unsubscribe_url
from notifications.models import Preference
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADDRESS = "jad@example.org"


def _url(address: str = ADDRESS, kinds=("due_soon",)) -> str:
    return reverse("notifications:unsubscribe", args=[unsubscribe_token(address, list(kinds))])


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def mail_client():
    """A mail client: no session, no cookies, CSRF checks on."""
    return Client(enforce_csrf_checks=True)


def test_get_asks_and_changes_nothing(mail_client):
    response = mail_client.get(_url())
    assert response.status_code == 200
    assert "Stop emails about Deadline coming up to j***@example.org?" in _text(response)
    assert '<button type="submit">Stop these emails</button>' in response.content.decode()
    assert not Preference.objects.exists()


def test_get_and_head_leave_a_saved_preference_alone(mail_client):
    Preference.objects.create(email=ADDRESS, muted_kinds=["stale"])
    assert mail_client.get(_url()).status_code == 200
    assert mail_client.head(_url()).status_code == 200
    assert Preference.objects.get().muted_kinds == ["stale"]


def test_the_page_is_neither_cached_nor_indexed(mail_client):
    response = mail_client.get(_url())
    assert "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"


def test_several_kinds_are_named(mail_client):
    response = mail_client.get(_url(kinds=["overdue", "due_soon", "digest"]))
    assert (
        "Stop emails about Deadline coming up, Overdue (weekly), Weekly plan digest "
        "to j***@example.org?"
    ) in _text(response)


def test_rfc_8058_one_click_post_mutes_the_kinds(mail_client):
    response = mail_client.post(
        _url(kinds=["overdue", "due_soon"]),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    preference = Preference.objects.get()
    assert preference.email == ADDRESS
    assert preference.muted_kinds == ["due_soon", "overdue"]
    assert "No more emails about Deadline coming up, Overdue (weekly) to j***@example.org." in (
        _text(response)
    )


def test_the_link_built_for_emails_works(mail_client, settings):
    settings.SITE_URL = "https://tracker.example.org"
    url = unsubscribe_url(ADDRESS, ["stale"])
    assert url.startswith("https://tracker.example.org/unsubscribe/")
    path = url.removeprefix("https://tracker.example.org")
    response = mail_client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert Preference.objects.get().muted_kinds == ["stale"]


def test_page_button_mutes_and_keeps_other_choices(mail_client):
    Preference.objects.create(email=ADDRESS, muted_kinds=["stale"], lead_days=[7], time_zone="UTC")
    response = mail_client.post(_url(kinds=["commented"]))
    assert response.status_code == 200
    preference = Preference.objects.get()
    assert preference.muted_kinds == ["commented", "stale"]
    assert preference.lead_days == [7]
    html = response.content.decode()
    # The way back: the preferences page and an undo button posting to the same link.
    assert 'href="/account/notifications/"' in html
    assert '<input type="hidden" name="action" value="resubscribe">' in html
    assert "Undo: email me about these again" in html


def test_posting_twice_changes_nothing_more(mail_client):
    mail_client.post(_url())
    mail_client.post(_url())
    assert list(Preference.objects.values_list("email", "muted_kinds")) == [(ADDRESS, ["due_soon"])]


def test_undo_takes_back_only_the_links_kinds(mail_client):
    Preference.objects.create(email=ADDRESS, muted_kinds=["stale"])
    url = _url(kinds=["due_soon", "overdue"])
    mail_client.post(url)
    assert Preference.objects.get().muted_kinds == ["due_soon", "overdue", "stale"]
    response = mail_client.post(url, {"action": "resubscribe"})
    assert response.status_code == 200
    assert Preference.objects.get().muted_kinds == ["stale"]
    assert (
        "Emails about Deadline coming up, Overdue (weekly) to j***@example.org will come again."
        in _text(response)
    )


def test_other_addresses_are_untouched(mail_client):
    Preference.objects.create(email="other@example.org", muted_kinds=[])
    mail_client.post(_url())
    assert Preference.objects.get(email="other@example.org").muted_kinds == []
    assert Preference.objects.get(email=ADDRESS).muted_kinds == ["due_soon"]


def test_signed_in_users_use_it_too_for_their_address_only(client):
    client.force_login(UserFactory(email="someone.else@example.org"))
    response = client.post(_url())
    assert response.status_code == 200
    assert list(Preference.objects.values_list("email", "muted_kinds")) == [(ADDRESS, ["due_soon"])]


def _tampered(token: str) -> str:
    value, _colon, signature = token.rpartition(":")
    flipped = "A" if signature[-1] != "A" else "B"
    return f"{value}:{signature[:-1]}{flipped}"


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_token_is_404_and_changes_nothing(mail_client, method):
    token = unsubscribe_token(ADDRESS, ["due_soon"])
    response = getattr(mail_client, method)(f"/unsubscribe/{_tampered(token)}/")
    assert response.status_code == 404
    assert not Preference.objects.exists()


# Made when the test runs, not at collection: signed tokens carry a timestamp,
# and test ids must be the same in every pytest-xdist worker.
NOT_UNSUBSCRIBE_TOKENS = {
    "nonsense": lambda: "nonsense",
    # Genuine, but for another purpose: a one-click update link's token.
    "one-click": lambda: one_click_token(1, 2, "abc"),
    # Signed with the right salt, but not an unsubscribe payload.
    "other-payload": lambda: signing.dumps(
        {"x": 1}, salt="notifications.unsubscribe", compress=True
    ),
    # Only kinds the app does not know.
    "unknown-kind": lambda: unsubscribe_token(ADDRESS, ["gossip"]),
    # No address.
    "no-address": lambda: unsubscribe_token("", ["due_soon"]),
}


@pytest.mark.parametrize("case", list(NOT_UNSUBSCRIBE_TOKENS))
def test_tokens_that_are_not_unsubscribe_links_are_404(mail_client, case):
    token = NOT_UNSUBSCRIBE_TOKENS[case]()
    assert mail_client.get(f"/unsubscribe/{token}/").status_code == 404
    assert mail_client.post(f"/unsubscribe/{token}/").status_code == 404
    assert not Preference.objects.exists()


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_405(mail_client, method):
    response = getattr(mail_client, method)(_url())
    assert response.status_code == 405
    assert not Preference.objects.exists()


def test_anonymous_visitors_are_not_sent_to_sign_in(mail_client):
    response = mail_client.get(_url())
    assert response.status_code == 200
    assert "Sign out" not in response.content.decode()
