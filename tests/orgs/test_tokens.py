"""API tokens: issued by `manage.py issue_token` or on /account/tokens/, revoked by their
owner or an administrator; only a SHA-256 hash of a key is ever stored."""

import hashlib
import re
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from orgs.models import ApiToken
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKENS_URL = "/account/tokens/"
API_URL = "/api/v1/plans/"
NEW_KEY = re.compile(r'<code class="token-key" id="new-token">([^<]+)</code>')
DATE_TIME = re.compile(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}")


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    # The API throttles by counting requests in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


def _api(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _issue(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("issue_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).strip()


def _rows(response) -> list[str]:
    """The text of each row of the tokens table."""
    body = re.search(r"<tbody>(.*?)</tbody>", response.content.decode(), re.S).group(1)
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


# --- manage.py issue_token ---------------------------------------------------------


def test_issue_token_prints_a_key_that_authenticates():
    user = UserFactory(username="partner")
    out, err = _issue("partner", "--name", "Partner system")
    key = out.strip()
    assert out == key + "\n"  # the key alone on stdout, ready for a pipe
    assert key.startswith("pim_") and len(key) > 40
    token = ApiToken.objects.get()
    assert token.user == user
    assert token.name == "Partner system"
    assert not token.read_only
    assert f"New token {token.prefix}… for partner" in err
    assert key not in err

    response = _api(key).get(API_URL)
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_issue_token_read_only_token_reads_but_cannot_write():
    UserFactory(username="partner", is_superuser=True, is_staff=True)
    out, err = _issue("partner", "--read-only")
    assert "read-only token" in err
    client = _api(out.strip())
    assert client.get(API_URL).status_code == 200
    response = client.post(API_URL, {"title": "New plan"}, format="json")
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    assert ApiToken.objects.get().read_only


def test_issue_token_for_an_unknown_account_is_an_error():
    with pytest.raises(CommandError, match="No account named “nobody”"):
        _issue("nobody")
    assert not ApiToken.objects.exists()


def test_issue_token_for_an_inactive_account_is_an_error():
    UserFactory(username="gone", is_active=False)
    with pytest.raises(CommandError, match="The account gone is not active"):
        _issue("gone")
    assert not ApiToken.objects.exists()


def test_only_a_sha256_hash_of_the_key_is_stored():
    UserFactory(username="partner")
    key = _issue("partner", "--name", "Partner system")[0].strip()
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(token.prefix) and len(token.prefix) < len(key) / 3
    # The key is in no column of the token, nor of its history.
    stored = [
        *ApiToken.objects.values_list().get(),
        *(value for row in ApiToken.history.values_list() for value in row),
    ]
    assert not any(isinstance(value, str) and key in value for value in stored)


# --- the tokens page ---------------------------------------------------------------


def test_tokens_page_requires_login(client):
    response = client.get(TOKENS_URL)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={TOKENS_URL}"
    response = client.post(TOKENS_URL, {"name": "x"})
    assert response.status_code == 302
    assert not ApiToken.objects.exists()


def test_issued_key_is_shown_once_and_never_again(client):
    user = UserFactory(username="partner")
    client.force_login(user)
    assert client.get(TOKENS_URL).status_code == 200
    assert "No token yet." in _text(client.get(TOKENS_URL))

    response = client.post(TOKENS_URL, {"name": "Dashboard", "read_only": "on"})
    assert response.status_code == 200
    keys = NEW_KEY.findall(response.content.decode())
    assert len(keys) == 1
    key = keys[0]
    assert "copy it now" in _text(response)
    token = ApiToken.objects.get()
    assert token.user == user and token.name == "Dashboard" and token.read_only
    assert _api(key).get(API_URL).status_code == 200

    reloaded = client.get(TOKENS_URL)
    assert key not in reloaded.content.decode()
    assert not NEW_KEY.search(reloaded.content.decode())
    assert token.prefix in reloaded.content.decode()


def test_tokens_page_lists_only_your_own_tokens_with_prefix_rights_and_last_use(client):
    user = UserFactory(username="partner")
    other = UserFactory(username="someone-else")
    client.force_login(other)
    client.post(TOKENS_URL, {"name": "Not yours"})
    client.force_login(user)
    client.post(TOKENS_URL, {"name": "Reader", "read_only": "on"})
    response = client.post(TOKENS_URL, {"name": "Writer"})
    key = NEW_KEY.search(response.content.decode()).group(1)
    reader = ApiToken.objects.get(name="Reader")
    writer = ApiToken.objects.get(name="Writer")

    rows = _rows(client.get(TOKENS_URL))
    assert len(rows) == 2  # newest first; nothing of the other account's
    assert rows[0].startswith(f"Writer {writer.prefix}… Read and write")
    assert rows[1].startswith(f"Reader {reader.prefix}… Read only")
    assert all("never" in row for row in rows)
    page = client.get(TOKENS_URL).content.decode()
    assert "Not yours" not in page
    assert ApiToken.objects.get(name="Not yours").prefix not in page

    assert _api(key).get(API_URL).status_code == 200
    rows = _rows(client.get(TOKENS_URL))
    assert "never" not in rows[0] and DATE_TIME.search(rows[0])
    assert "never" in rows[1]


def test_revoking_a_token_makes_it_fail_with_401(client):
    user = UserFactory(username="partner")
    client.force_login(user)
    key = NEW_KEY.search(client.post(TOKENS_URL, {"name": "Old"}).content.decode()).group(1)
    token = ApiToken.objects.get()
    assert _api(key).get(API_URL).status_code == 200

    response = client.post(reverse("orgs:apitoken_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert response["Location"] == TOKENS_URL
    token.refresh_from_db()
    assert token.revoked is not None
    page = client.get(TOKENS_URL)
    assert f"Token Old ({token.prefix}…) revoked: it no longer works." in _text(page)
    assert re.search(r"Revoked \d{1,2} [A-Z][a-z]{2} \d{4}$", _rows(page)[0])

    response = _api(key).get(API_URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_revoking_someone_elses_token_is_not_found(client):
    other = UserFactory(username="someone-else")
    client.force_login(other)
    key = NEW_KEY.search(client.post(TOKENS_URL, {}).content.decode()).group(1)
    token = ApiToken.objects.get()

    client.force_login(UserFactory(username="partner"))
    response = client.post(reverse("orgs:apitoken_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked is None
    assert _api(key).get(API_URL).status_code == 200


def test_revoke_url_answers_post_only(client):
    user = UserFactory(username="partner")
    client.force_login(user)
    client.post(TOKENS_URL, {})
    token = ApiToken.objects.get()
    response = client.get(reverse("orgs:apitoken_revoke", args=[token.pk]))
    assert response.status_code == 405
    token.refresh_from_db()
    assert token.revoked is None


# --- the admin ---------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_admin_lists_every_token(admin_client):
    for username in ("alice", "bob"):
        user = UserFactory(username=username)
        _issue(username, "--name", f"{username}'s system")
    response = admin_client.get("/admin/orgs/apitoken/")
    assert response.status_code == 200
    page = response.content.decode()
    for token in ApiToken.objects.all():
        assert token.prefix in page
    assert user.username in page


def test_admin_action_revokes_the_selected_tokens(admin_client):
    UserFactory(username="alice")
    keep_key = _issue("alice", "--name", "keep")[0].strip()
    revoke_key = _issue("alice", "--name", "revoke")[0].strip()
    doomed = ApiToken.objects.get(name="revoke")

    response = admin_client.post(
        "/admin/orgs/apitoken/",
        {"action": "revoke", "_selected_action": [doomed.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 token revoked." in _text(response)
    assert "Revoke the selected tokens" in response.content.decode()
    doomed.refresh_from_db()
    assert doomed.revoked is not None
    assert ApiToken.objects.get(name="keep").revoked is None
    assert _api(revoke_key).get(API_URL).status_code == 401
    assert _api(keep_key).get(API_URL).status_code == 200


def test_admin_cannot_add_a_token(admin_client):
    assert admin_client.get("/admin/orgs/apitoken/add/").status_code == 403
    response = admin_client.get("/admin/orgs/apitoken/")
    assert "/admin/orgs/apitoken/add/" not in response.content.decode()
