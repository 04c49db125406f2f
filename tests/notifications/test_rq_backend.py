"""The distributed backend is a matter of settings alone: with TASKS_BACKEND=rq and
REDIS_URL, send_reminders queues the emails in Redis and RQ's worker
(`manage.py rqworker`) sends them.

The test starts Debian's redis-server on a free loopback port and a real SMTP
server (aiosmtpd), then runs the project's own commands in subprocesses with
nothing but environment variables changed: a scratch SQLite database, the demo
with its people's addresses, send_reminders on 2019-03-17, and a burst of the
RQ worker. `make test` installs redis-server when it is missing (as root); a
missing server fails the test rather than skipping it, so the switch is never
left untested unnoticed.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller

BASE_DIR = Path(__file__).resolve().parent.parent.parent
REDIS_SERVER = Path("/usr/bin/redis-server")
DAY = "2019-03-17"
JAD = "jad@example.org"
WORKER = ["rqworker", "--burst", "--with-scheduler", "--job-class", "django_tasks_rq.Job"]
# Variables of the surrounding run that must not leak into the subprocesses.
OWN = {"DATABASE_URL", "DATABASE_REPLICA_URLS", "DEBUG", "SECRET_KEY", "TASKS_BACKEND"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps every message it receives."""

    messages: list[email.message.EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory):
    """A private redis-server on loopback, without persistence, stopped after the tests."""
    if not REDIS_SERVER.exists():
        pytest.fail(
            f"{REDIS_SERVER} is missing: the Redis backend cannot be tested. Install Debian's "
            "redis-server (`make test` does so when run as root: apt-get install redis-server)."
        )
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(64).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            assert server.poll() is None, f"redis-server exited with code {server.returncode}"
            assert time.monotonic() < deadline, "redis-server did not answer within 20 s"
            time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A scratch SQLite database with the schema and the demo (with addresses), made
    once; each test works on its own copy."""
    path = tmp_path_factory.mktemp("project")
    env = _env(path, redis_url="redis://127.0.0.1:1/0", smtp_port=1)
    _shell(env, "from django.core.management import call_command; "
                "call_command('migrate', verbosity=0); call_command('load_demo')")  # fmt: skip
    return path / "db.sqlite3"


@pytest.fixture
def project(migrated, redis_port, tmp_path):
    """The environment of one run: its own database copy, an empty Redis, an SMTP server."""
    shutil.copy(migrated, tmp_path / "db.sqlite3")
    with redis.Redis(host="127.0.0.1", port=redis_port) as client:
        client.flushall()
    mailbox = Mailbox()
    smtp_port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    env = _env(tmp_path, redis_url=f"redis://127.0.0.1:{redis_port}/0", smtp_port=smtp_port)
    yield env, mailbox
    controller.stop()


def _env(path: Path, *, redis_url: str, smtp_port: int) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if k not in OWN and not k.startswith("EMAIL_")}
    return {
        **clean,
        "DATABASE_URL": f"sqlite:///{path / 'db.sqlite3'}",
        "LOCAL_STATE_DIR": str(path / "local"),
        "TASKS_BACKEND": "rq",
        "REDIS_URL": redis_url,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_TIMEOUT": "5",
        "SITE_URL": "https://tracker.example.org",
    }


def _manage(env: dict[str, str], *args: str, stderr: bool = False) -> str:
    """The command's output (with its log lines on stderr when asked); it must succeed."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout + (result.stderr if stderr else "")


def _shell(env: dict[str, str], code: str) -> str:
    return _manage(env, "shell", "--no-imports", "-c", code).strip()


STATE = """
import json
import django_rq
from django_tasks_db.models import DBTaskResult
from rq.registry import ScheduledJobRegistry
from notifications.models import Delivery
queue = django_rq.get_queue("default")
print(json.dumps({
    "queued": len(queue),
    "scheduled": len(ScheduledJobRegistry(queue=queue)),
    "database_tasks": DBTaskResult.objects.count(),
    "deliveries": sorted(Delivery.objects.values_list("recipient", "status", "attempts")),
}))
"""


def _state(env: dict[str, str]) -> dict:
    """RQ's default queue and scheduled registry, the database backend's tasks, and the
    deliveries, as the app sees them."""
    return json.loads(_manage(env, "shell", "--no-imports", "-c", STATE))


PEOPLE = ["fred@example.org", JAD, "maria@example.org", "omar@example.org", "rana@example.org"]


def test_reminders_go_through_redis_and_the_rq_worker(project):
    env, mailbox = project

    output = _manage(env, "send_reminders", "--today", DAY)

    assert output == f"{DAY}: 15 new notification(s) recorded, 5 email(s) queued in 1 task(s).\n"
    # Queued in Redis, not sent yet; the database backend's table stays empty.
    assert _state(env) == {
        "queued": 1,
        "scheduled": 0,
        "database_tasks": 0,
        "deliveries": [[address, "queued", 0] for address in PEOPLE],
    }
    assert mailbox.messages == []

    worker = _manage(env, *WORKER, "default", stderr=True)

    assert "notifications.tasks.deliver" in worker, worker  # RQ logs the job it ran
    assert _state(env) == {
        "queued": 0,
        "scheduled": 0,
        "database_tasks": 0,
        "deliveries": [[address, "sent", 1] for address in PEOPLE],
    }
    assert sorted(m["To"] for m in mailbox.messages) == PEOPLE
    [message] = [m for m in mailbox.messages if m["To"] == JAD]
    assert message["Subject"] == "PIM Action Tracker: 3 items (3 deadline coming up)"
    text = message.get_body(("plain",)).get_content()
    assert text.count("Due in 14 days.") == 3
    assert text.count("Mark done: https://tracker.example.org/u/") == 3

    # The ledger is in the database, whichever the backend: the same day again sends nothing.
    again = _manage(env, "send_reminders", "--today", DAY)
    assert again == f"{DAY}: 0 new notification(s) recorded, 0 email(s) queued in 0 task(s).\n"


def test_a_refused_connection_is_retried_later_through_rq_s_scheduler(project):
    env, mailbox = project
    env = {**env, "EMAIL_PORT": str(free_port())}  # nothing listens there

    _manage(env, "send_reminders", "--today", DAY)
    _manage(env, *WORKER, "default")

    # Every delivery failed once and waits for its retry (run_after: two minutes
    # later) in RQ's scheduled registry, not in the queue.
    assert _state(env) == {
        "queued": 0,
        "scheduled": 5,
        "database_tasks": 0,
        "deliveries": [[address, "retrying", 1] for address in PEOPLE],
    }
    assert mailbox.messages == []


def test_settings_with_the_rq_backend_pass_check_deploy():
    env = {
        **{k: v for k, v in os.environ.items() if k not in OWN},
        "DEBUG": "false",
        "SECRET_KEY": "a-production-key-used-only-by-this-test-0123456789-abcdefghijklmnop",
        "ALLOWED_HOSTS": "pim.example.org",
        "DATABASE_URL": "sqlite:///:memory:",
        "TASKS_BACKEND": "rq",
        "REDIS_URL": "redis://redis.internal:6379/2",
    }
    assert _manage(env, "check", "--deploy", "--fail-level", "WARNING") == (
        "System check identified no issues (0 silenced).\n"
    )
    assert (
        _shell(
            env,
            "from django.conf import settings; "
            "print(settings.TASKS['default']['BACKEND'], settings.RQ_QUEUES['default']['URL'], "
            "'django_rq' in settings.INSTALLED_APPS, 'django_tasks_rq' in settings.INSTALLED_APPS)",
        )
        == "django_tasks_rq.RQBackend redis://redis.internal:6379/2 True True"
    )
