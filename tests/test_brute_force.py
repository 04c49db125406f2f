"""Brute force on sign-in and password reset (issue 17, finding 3).

Sign-in, on the sign-in page and the admin's, is locked (django-axes) after
AXES_FAILURE_LIMIT failures for one username or from one address, for
AXES_COOLOFF_MINUTES after the last failure: the right password is refused too,
with a page saying why (429). Administrators unlock with axes_reset,
axes_reset_username or the admin's access attempts. Password reset emails are
limited per email address and per client address.
"""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import UserFactory
from tests.test_settings import PRODUCTION, _manage

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
RESET = "/accounts/password_reset/"
PASSWORD = "pass-for-tests-1"
LOCKED_TITLE = "Too many failed sign-in attempts"
LOCKED = (
    "After 5 failed attempts, signing in with this username or from your network is blocked "
    "for 15 minutes after the last attempt. Try again later, or ask an administrator to "
    "unblock it."
)
RESET_LIMITED = (
    "Too many links to choose a new password were asked for this email address or from your "
    "network. No email was sent. Try again in 60 minutes."
)
NOW = datetime.datetime(2024, 5, 6, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _empty_cache():
    # The password reset limits count in the cache: every test starts from zero.
    cache.clear()
    yield
    cache.clear()


def alert(response) -> str:
    """The page's alert paragraph, its whitespace collapsed."""
    found = re.search(r'<p class="card" role="alert">(.*?)</p>', response.content.decode(), re.S)
    assert found, response.content.decode()
    return " ".join(found.group(1).split())


def sign_in(client, username: str, password: str, *, url: str = LOGIN, address="127.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_sign_in_thirty_wrong_passwords_then_the_right_one_is_refused(client):
    UserFactory(username="alice")

    statuses = [sign_in(client, "alice", f"guess-{n}").status_code for n in range(30)]
    response = sign_in(client, "alice", PASSWORD)

    # Four failures show the form again; the fifth locks, and from then on even
    # the right password gets the lockout page.
    assert statuses == [200] * 4 + [429] * 26
    assert response.status_code == 429
    assert alert(response) == LOCKED
    assert f"<h1>{LOCKED_TITLE}</h1>" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_sign_in_admin_thirty_wrong_passwords_then_the_right_one_is_refused(client):
    UserFactory(username="root", is_staff=True, is_superuser=True)

    statuses = [
        sign_in(client, "root", f"guess-{n}", url=ADMIN_LOGIN).status_code for n in range(30)
    ]
    response = sign_in(client, "root", PASSWORD, url=ADMIN_LOGIN)

    assert statuses == [200] * 4 + [429] * 26
    assert response.status_code == 429
    assert alert(response) == LOCKED
    assert SESSION_KEY not in client.session
    # The two sign-in pages share the count: the ordinary one is locked too.
    assert sign_in(client, "root", PASSWORD).status_code == 429


def test_sign_in_lockout_is_per_username_across_addresses(client):
    UserFactory(username="alice")
    UserFactory(username="bob")
    for n in range(5):
        sign_in(client, "alice", "wrong", address=f"198.51.100.{n + 1}")

    assert sign_in(client, "alice", PASSWORD, address="198.51.100.99").status_code == 429
    assert sign_in(client, "bob", PASSWORD, address="198.51.100.99").status_code == 302


def test_sign_in_lockout_is_per_address_across_usernames(client):
    UserFactory(username="alice")
    for n in range(5):
        sign_in(client, f"nobody-{n}", "wrong", address="198.51.100.7")

    assert sign_in(client, "alice", PASSWORD, address="198.51.100.7").status_code == 429
    assert sign_in(client, "alice", PASSWORD, address="198.51.100.8").status_code == 302


def test_sign_in_four_failures_do_not_lock(client):
    UserFactory(username="alice")
    for _ in range(4):
        assert sign_in(client, "alice", "wrong").status_code == 200

    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_sign_in_lockout_ends_after_the_cool_off_and_is_not_extended(client):
    UserFactory(username="alice")
    with time_machine.travel(NOW, tick=False):
        for _ in range(5):
            sign_in(client, "alice", "wrong")
    # Trying again while locked out does not push the end further.
    with time_machine.travel(NOW + datetime.timedelta(minutes=10), tick=False):
        assert sign_in(client, "alice", "wrong").status_code == 429
    with time_machine.travel(NOW + datetime.timedelta(minutes=14, seconds=59), tick=False):
        assert sign_in(client, "alice", PASSWORD).status_code == 429
    with time_machine.travel(NOW + datetime.timedelta(minutes=15, seconds=1), tick=False):
        assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_sign_in_limits_come_from_settings(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=1)
    UserFactory(username="alice")

    statuses = [sign_in(client, "alice", "wrong").status_code for _ in range(2)]

    assert statuses == [200, 429]
    response = sign_in(client, "alice", PASSWORD)
    assert alert(response) == (
        "After 2 failed attempts, signing in with this username or from your network is "
        "blocked for 1 minute after the last attempt. Try again later, or ask an "
        "administrator to unblock it."
    )


def test_sign_in_lockout_page_is_translated(client):
    UserFactory(username="alice")
    for _ in range(5):
        sign_in(client, "alice", "wrong")

    response = client.post(
        LOGIN, {"username": "alice", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="fr"
    )

    assert response.status_code == 429
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr" dir="ltr">' in response.content.decode()


def test_sign_in_reset_by_username_command_unlocks(client):
    UserFactory(username="alice")
    for _ in range(5):
        sign_in(client, "alice", "wrong")
    assert sign_in(client, "alice", PASSWORD).status_code == 429

    call_command("axes_reset_username", "alice")

    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_sign_in_reset_command_unlocks_everyone(client):
    UserFactory(username="alice")
    for n in range(5):
        sign_in(client, f"nobody-{n}", "wrong")
    assert sign_in(client, "alice", PASSWORD).status_code == 429

    call_command("axes_reset")

    assert AccessAttempt.objects.count() == 0
    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_sign_in_admin_deleting_the_access_attempt_unlocks(client):
    UserFactory(username="alice")
    for _ in range(5):
        sign_in(client, "alice", "wrong", address="198.51.100.7")
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == (
        "alice",
        "198.51.100.7",
        5,
    )
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)

    listed = client.get("/admin/axes/accessattempt/")
    deleted = client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})

    assert listed.status_code == 200
    assert "198.51.100.7" in listed.content.decode()
    assert deleted.status_code == 302
    client.logout()
    assert sign_in(client, "alice", PASSWORD, address="198.51.100.7").status_code == 302


def test_sign_in_rotating_forwarded_for_is_one_address_without_trusted_proxy(client):
    UserFactory(username="alice")
    for n in range(5):
        client.post(
            LOGIN,
            {"username": f"nobody-{n}", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n + 1}",
        )

    response = client.post(
        LOGIN, {"username": "alice", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.50"
    )

    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_sign_in_forwarded_address_is_used_behind_one_trusted_proxy(client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    UserFactory(username="alice")
    for n in range(5):
        client.post(
            LOGIN,
            {"username": f"nobody-{n}", "password": "wrong"},
            HTTP_X_FORWARDED_FOR="forged, 203.0.113.1",
        )

    elsewhere = client.post(
        LOGIN, {"username": "alice", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.2"
    )
    client.logout()
    same = client.post(
        LOGIN, {"username": "alice", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.1"
    )

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.1"}
    assert elsewhere.status_code == 302
    assert same.status_code == 429


def test_sign_in_forwarded_garbage_falls_back_to_the_proxy_address(client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}

    response = client.post(
        LOGIN, {"username": "nobody", "password": "wrong"}, HTTP_X_FORWARDED_FOR="not-an-address"
    )

    assert response.status_code == 200
    assert AccessAttempt.objects.get().ip_address == "127.0.0.1"


@pytest.fixture
def frozen_throttle_clock(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "timer", lambda self: 1_700_000_000.0)


def reset(client, email: str, *, address: str = "127.0.0.1"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=address)


def test_password_reset_emails_limited_per_address(client, frozen_throttle_clock):
    UserFactory(username="alice", email="alice@example.org")

    statuses = [reset(client, "alice@example.org").status_code for _ in range(10)]

    assert statuses == [302] * 3 + [429] * 7
    assert len(mail.outbox) == 3
    response = reset(client, "alice@example.org")
    assert alert(response) == RESET_LIMITED
    assert response["Retry-After"] == "3600"


def test_password_reset_limit_per_address_ignores_case_and_spaces(client):
    UserFactory(username="alice", email="alice@example.org")
    for email in ["alice@example.org", "Alice@Example.org", " ALICE@example.org "]:
        assert reset(client, email, address="198.51.100.1").status_code == 302

    response = reset(client, "alice@EXAMPLE.org", address="198.51.100.2")

    assert response.status_code == 429
    assert len(mail.outbox) == 3


def test_password_reset_limit_is_the_same_for_unknown_addresses(client):
    # Otherwise the limit would tell which addresses have an account.
    statuses = [reset(client, "nobody@example.org").status_code for _ in range(4)]

    assert statuses == [302, 302, 302, 429]
    assert mail.outbox == []


def test_password_reset_emails_limited_per_client(client):
    UserFactory(username="alice", email="alice@example.org")
    statuses = [reset(client, f"nobody-{n}@example.org").status_code for n in range(20)]

    from_here = reset(client, "alice@example.org")
    from_elsewhere = reset(client, "alice@example.org", address="198.51.100.9")

    assert statuses == [302] * 20
    assert from_here.status_code == 429
    assert from_elsewhere.status_code == 302
    assert [message.to for message in mail.outbox] == [["alice@example.org"]]


def test_password_reset_rotating_forwarded_for_is_one_client(client):
    for n in range(20):
        client.post(RESET, {"email": f"nobody-{n}@example.org"}, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")

    response = client.post(RESET, {"email": "x@example.org"}, HTTP_X_FORWARDED_FOR="10.0.0.99")

    assert response.status_code == 429


def test_password_reset_limits_come_from_settings(client, settings):
    settings.PASSWORD_RESET_THROTTLE_EMAIL = "1/minute"
    UserFactory(username="alice", email="alice@example.org")

    statuses = [reset(client, "alice@example.org").status_code for _ in range(2)]

    assert statuses == [302, 429]
    assert len(mail.outbox) == 1


def test_password_reset_page_and_invalid_form_are_not_counted(client):
    for _ in range(5):
        assert client.get(RESET).status_code == 200
        assert reset(client, "not an email").status_code == 200

    assert reset(client, "nobody@example.org").status_code == 302


def test_password_reset_limit_window_passes(client, monkeypatch):
    clock = {"now": 1_700_000_000.0}
    monkeypatch.setattr(SimpleRateThrottle, "timer", lambda self: clock["now"])
    for _ in range(3):
        reset(client, "nobody@example.org")
    clock["now"] += 3000
    response = reset(client, "nobody@example.org")
    assert (response.status_code, response["Retry-After"]) == (429, "600")
    assert "Try again in 10 minutes." in alert(response)

    clock["now"] += 601

    assert reset(client, "nobody@example.org").status_code == 302


def test_password_reset_signed_out_pages_still_open(client):
    assert client.get(RESET).status_code == 200
    assert client.get(LOGIN).status_code == 200


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "AXES_FAILURE_LIMIT",
            "0",
            "AXES_FAILURE_LIMIT and AXES_COOLOFF_MINUTES must be 1 or more.",
        ),
        (
            "AXES_COOLOFF_MINUTES",
            "0",
            "AXES_FAILURE_LIMIT and AXES_COOLOFF_MINUTES must be 1 or more.",
        ),
        ("NUM_PROXIES", "-1", "NUM_PROXIES must be 0 or more."),
    ],
)
def test_settings_refuse_impossible_limits(name, value, message):
    result = _manage("check", env={**PRODUCTION, name: value})
    assert result.returncode != 0
    assert message in result.stderr
