"""Read-your-writes across requests through the replica router (pim_tracker/routers.py):
after a client wrote, its next requests read from the primary until the replica has
replayed that write; other clients keep reading from the replica.

The tests' database has no real replica: the two PostgreSQL functions (the primary's
WAL position, a replica's replayed position) are replaced by a fake replication in
which positions are whole numbers; a last test runs the real queries on PostgreSQL.
The cluster (benchmarks/cluster.*) pauses replay on a real replica.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import redis
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from actionplans.models import ActionPlan
from pim_tracker import routers
from pim_tracker.routers import PinToPrimaryAfterWriteMiddleware, ReplicaRouter
from tests.notifications.test_rq_backend import redis_port  # noqa: F401 (a fixture)

SETTINGS = Path(__file__).resolve().parent.parent / "pim_tracker" / "settings.py"
router = ReplicaRouter()


class Replication:
    """The primary's position grows with each write; the replica replays up to `replayed`."""

    def __init__(self):
        self.primary = 0
        self.replayed = 0
        self.asked: list[str] = []  # one entry per query the real functions would run

    def primary_position(self) -> int:
        self.asked.append("primary")
        return self.primary

    def replica_has_replayed(self, alias: str, position: int) -> bool:
        self.asked.append(alias)
        return self.replayed >= position


@pytest.fixture
def replication(monkeypatch, settings):
    settings.REPLICA_READ_YOUR_WRITES_SECONDS = 60
    fake = Replication()
    monkeypatch.setattr(routers, "replica_aliases", lambda: ["replica_1"])
    monkeypatch.setattr(routers, "_followed", lambda: True)
    monkeypatch.setattr(routers, "_primary_position", fake.primary_position)
    monkeypatch.setattr(routers, "_replica_has_replayed", fake.replica_has_replayed)
    cache.clear()
    yield fake
    cache.clear()


def view(request):
    """Reads, writes when asked (?write), reads again; returns where each read went."""
    seen = [router.db_for_read(ActionPlan)]
    if "write" in request.GET:
        router.db_for_write(ActionPlan)
        seen.append(router.db_for_read(ActionPlan))
    return seen


def serve(path: str, **headers) -> list[str]:
    """One request through a fresh middleware: any app server, the cache shared."""
    return PinToPrimaryAfterWriteMiddleware(view)(RequestFactory().get(path, headers=headers))


def as_client(session: str) -> dict[str, str]:
    return {"cookie": f"sessionid={session}"}


def test_a_client_that_wrote_reads_the_primary_until_the_replica_replays_it(replication):
    replication.primary = 7  # the primary's position after the write
    assert serve("/?write", **as_client("alice")) == ["replica_1", "default"]
    assert replication.asked == ["primary"]

    replication.replayed = 6
    assert serve("/", **as_client("alice")) == ["default"]
    assert serve("/", **as_client("bob")) == ["replica_1"]  # another client: not pinned
    replication.replayed = 7
    assert serve("/", **as_client("alice")) == ["replica_1"]
    # One question to the replica per request of the client that wrote; none for bob.
    assert replication.asked == ["primary", "replica_1", "replica_1"]


def test_the_position_is_kept_for_the_setting_s_seconds(replication, settings, monkeypatch):
    settings.REPLICA_READ_YOUR_WRITES_SECONDS = 5
    kept = []
    monkeypatch.setattr(cache, "set", lambda key, value, timeout: kept.append((value, timeout)))
    replication.primary = 3
    serve("/?write", **as_client("alice"))
    assert kept == [(3, 5)]


def test_token_clients_are_followed_by_a_hash_of_their_header(replication):
    replication.primary = 5
    token = {"authorization": "Token s3cret-partner-token"}
    serve("/?write", **token)
    assert serve("/", **token) == ["default"]
    assert serve("/", authorization="Token another") == ["replica_1"]
    key = routers._mark_key(RequestFactory().get("/", headers=token))
    assert cache.get(key) == 5
    assert "s3cret" not in key


def test_anonymous_clients_are_not_followed(replication):
    replication.primary = 5
    assert serve("/?write") == ["replica_1", "default"]
    assert serve("/") == ["replica_1"]
    assert replication.asked == []


def test_only_postgresql_is_followed_and_zero_seconds_turns_it_off(settings):
    settings.REPLICA_READ_YOUR_WRITES_SECONDS = 60
    assert routers._followed() is (connection.vendor == "postgresql")
    settings.REPLICA_READ_YOUR_WRITES_SECONDS = 0
    assert routers._followed() is False


@pytest.mark.django_db
def test_signing_in_records_the_position_under_the_new_session_key(replication):
    replication.primary = 9

    def sign_in(request):
        request.session["user"] = "alice"
        request.session.cycle_key()
        router.db_for_write(ActionPlan)  # as signing in saves last_login
        return HttpResponse(router.db_for_read(ActionPlan))

    request = RequestFactory().get("/", headers=as_client("before"))
    response = PinToPrimaryAfterWriteMiddleware(SessionMiddleware(sign_in))(request)
    assert response.content == b"default"
    new_key = response.cookies["sessionid"].value
    assert serve("/", **as_client(new_key)) == ["default"]
    assert serve("/", **as_client("before")) == ["replica_1"]


@pytest.mark.django_db
def test_without_replicas_nothing_is_asked(replication, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(routers, "replica_aliases", list)
    monkeypatch.setattr(routers, "cache", None)  # any cache call would fail
    with django_assert_num_queries(0):
        assert serve("/?write", **as_client("alice")) == ["default", "default"]
        assert serve("/", **as_client("alice")) == ["default"]
    assert replication.asked == []


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's WAL functions")
def test_the_positions_are_one_query_each_on_postgresql(django_assert_num_queries):
    with django_assert_num_queries(1):
        position = routers._primary_position()
    assert "/" in position  # e.g. 0/1A2B3C8
    # The primary replays nothing (NULL): as a "replica" it counts as behind.
    with django_assert_num_queries(1):
        assert routers._replica_has_replayed("default", position) is False


def load_settings(monkeypatch, tmp_path, **env):
    """pim_tracker/settings.py run afresh with these variables (Django's own stay as they are)."""
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("LOCAL_STATE_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("fresh_settings", SETTINGS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_without_redis_the_cache_and_sessions_are_django_s_defaults(monkeypatch, tmp_path):
    fresh = load_settings(monkeypatch, tmp_path)
    assert not hasattr(fresh, "CACHES")  # each process's memory
    assert not hasattr(fresh, "SESSION_ENGINE")  # the database


def test_redis_url_shares_the_cache_and_the_sessions(redis_port, monkeypatch, tmp_path):  # noqa: F811
    url = f"redis://127.0.0.1:{redis_port}/0"
    fresh = load_settings(monkeypatch, tmp_path, REDIS_URL=url)
    assert fresh.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    cache_settings = fresh.CACHES
    assert cache_settings == {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "pim",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    # Two app servers' caches: what one counts, the other sees.
    params = fresh.CACHES["default"]
    one, other = (RedisCache(url, params) for _ in range(2))
    one.set("throttle", [1, 2], 30)
    assert other.get("throttle") == [1, 2]
    with redis.Redis(host="127.0.0.1", port=redis_port) as client:
        assert client.ttl("pim:1:throttle") == 30
