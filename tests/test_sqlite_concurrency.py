"""SQLite under concurrent writers, and what is left of "database is locked".

Twenty partner systems post five progress updates each to one action point at
the same moment, through gunicorn as deployed (4 workers) on a SQLite file:
every update is accepted and written once. A database that stays locked longer
than the busy timeout is a 503 with Retry-After (JSON under /api/), never a
500; any other database error is still a 500.
"""

import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.utils import DatabaseErrorWrapper, OperationalError
from django.http import HttpRequest
from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from actionplans.models import ActionPoint, ProgressUpdate
from orgs.services import api_token_issue
from pim_tracker.urls import urlpatterns as project_urlpatterns
from tests.api.helpers import token_client
from tests.factories import UserFactory
from tests.users import build_world

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
CLIENTS = 20
UPDATES_EACH = 5
BUSY = {"detail": "The database is busy with other changes: try again in a few seconds."}


# --- 20 clients x 5 updates through gunicorn on a SQLite file ------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Loopback: no proxy from the environment may stand in between.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _send(url: str, key: str, body: dict | None = None) -> int:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url,
        data=data,
        method="GET" if body is None else "POST",
        headers={"Authorization": f"Token {key}", "Content-Type": "application/json"},
    )
    try:
        with _opener.open(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _start_gunicorn(database: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """gunicorn as deployed (deploy/pim-tracker-web.service: 4 sync workers, DEBUG off)
    on the SQLite file, on a free loopback port."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DEBUG": "false",
        "SECRET_KEY": "concurrency-test-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        # This test is about the database: the per-account throttle stays out of reach.
        "API_THROTTLE_USER": "100000/minute",
    }
    env.pop("DATABASE_REPLICA_URLS", None)
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(GUNICORN), "pim_tracker.wsgi", "--workers", "4"]
            + ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return server, f"http://127.0.0.1:{port}"


def _wait_until_up(server: subprocess.Popen, base: str, key: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        try:
            if _send(f"{base}/api/v1/plans/", key) == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer within 60 s:\n{log.read_text()}")


def _written(database: Path, point_id: int) -> tuple[int, int]:
    """(progress updates of the action point, its version), read from the file."""
    with closing(sqlite3.connect(database)) as db:
        (rows,) = db.execute(
            f"SELECT COUNT(*) FROM {ProgressUpdate._meta.db_table} WHERE action_point_id = ?",
            [point_id],
        ).fetchone()
        (version,) = db.execute(
            f"SELECT version FROM {ActionPoint._meta.db_table} WHERE id = ?", [point_id]
        ).fetchone()
    return rows, version


@pytest.mark.django_db(transaction=True)
def test_sqlite_concurrent_progress_updates_all_accepted_and_written(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's database-wide write lock only; PostgreSQL locks rows.")
    world = build_world()
    _token, key = api_token_issue(user=world.member, name="concurrency")
    point = world.action_point
    # The migrated test database with the world in it, copied to a file that the
    # server's processes open (an in-memory database would be one process's only).
    database = tmp_path / "tracker.sqlite3"
    connection.ensure_connection()
    with closing(sqlite3.connect(database)) as target:
        connection.connection.backup(target)
    rows_before, version_before = _written(database, point.pk)
    log = tmp_path / "gunicorn.log"
    server, base = _start_gunicorn(database, log)
    try:
        _wait_until_up(server, base, key, log)
        url = f"{base}/api/v1/action-points/{point.pk}/updates/"
        start = threading.Barrier(CLIENTS)

        def client(number: int) -> list[int]:
            start.wait()
            return [
                _send(
                    url,
                    key,
                    {"progress": (number * UPDATES_EACH + n) % 100, "note": f"{number}.{n}"},
                )
                for n in range(UPDATES_EACH)
            ]

        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            answers = Counter(
                status for statuses in pool.map(client, range(CLIENTS)) for status in statuses
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    rows, version = _written(database, point.pk)
    assert answers == {201: CLIENTS * UPDATES_EACH}, log.read_text()[-5000:]
    sent = CLIENTS * UPDATES_EACH
    assert (rows - rows_before, version - version_before) == (sent, sent)
    with closing(sqlite3.connect(database)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


# --- what is left: "database is locked" is a 503, other errors stay 500s ------------------


def _as_django(error: sqlite3.Error) -> OperationalError:
    """The error as Django's database layer hands it on (its own class, sqlite3's as cause)."""
    try:
        with DatabaseErrorWrapper(SimpleNamespace(Database=sqlite3, errors_occurred=False)):
            raise error
    except OperationalError as wrapped:
        return wrapped
    raise AssertionError("not wrapped")


def _sqlite_error(kind: str) -> OperationalError:
    """A real SQLite error: "database is locked" (another connection holds the write
    lock and the busy timeout ran out) or "no such table"."""
    with tempfile.TemporaryDirectory() as directory:
        file = Path(directory) / "locked.sqlite3"
        holder = sqlite3.connect(file, isolation_level=None)
        waiter = sqlite3.connect(file, isolation_level=None, timeout=0)
        try:
            holder.execute("BEGIN IMMEDIATE")
            waiter.execute("BEGIN IMMEDIATE" if kind == "locked" else "SELECT * FROM missing")
        except sqlite3.OperationalError as error:
            return _as_django(error)
        finally:
            waiter.close()
            holder.close()
    raise AssertionError("no error")


def _failing_page(request: HttpRequest, kind: str):
    raise _sqlite_error(kind)


class _FailingEndpoint(APIView):
    def post(self, request: Request, kind: str) -> Response:
        raise _sqlite_error(kind)


# The project's addresses (the page's links name them), and two that fail.
urlpatterns = [
    path("plans/failing/<str:kind>/", _failing_page),
    path("api/v1/failing/<str:kind>/", _FailingEndpoint.as_view()),
    *project_urlpatterns,
]


def test_sqlite_error_helper_gives_real_errors():
    locked, other = _sqlite_error("locked"), _sqlite_error("other")
    assert (str(locked), locked.__cause__.sqlite_errorname) == ("database is locked", "SQLITE_BUSY")
    assert (str(other), other.__cause__.sqlite_errorname) == (
        "no such table: missing",
        "SQLITE_ERROR",
    )


@pytest.mark.urls("tests.test_sqlite_concurrency")
@pytest.mark.django_db
def test_database_locked_on_a_page_is_503_with_retry_after(client):
    client.force_login(UserFactory(username="member"))
    response = client.get("/plans/failing/locked/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == "text/html; charset=utf-8"
    body = response.content.decode()
    assert "<h1>Server busy</h1>" in body
    assert BUSY["detail"] in body


@pytest.mark.urls("tests.test_sqlite_concurrency")
@pytest.mark.django_db
def test_database_locked_on_the_api_is_503_json_with_retry_after():
    api = token_client(UserFactory(username="member"))
    response = api.post("/api/v1/failing/locked/", {}, format="json")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == "application/json"
    assert response.json() == BUSY


@pytest.mark.urls("tests.test_sqlite_concurrency")
@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/plans/failing/other/", "/api/v1/failing/other/"])
def test_other_operational_error_stays_500(client, url):
    client.force_login(UserFactory(username="member"))
    client.raise_request_exception = False
    response = client.post(url, {}, content_type="application/json")
    assert response.status_code == 500
    assert "Retry-After" not in response
