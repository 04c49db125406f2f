"""Read replicas: reads go to a replica, writes and the reads after them to the primary."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory

from actionplans.models import ActionPlan
from pim_tracker.routers import PinToPrimaryAfterWriteMiddleware, ReplicaRouter, _wrote

BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture
def with_replica(monkeypatch):
    # One replica alias configured (the real setting is tested in a subprocess below).
    monkeypatch.setattr("pim_tracker.routers.replica_aliases", lambda: ["replica_1"])
    token = _wrote.set(False)
    yield ReplicaRouter()
    _wrote.reset(token)


def test_router_reads_from_replica_until_a_write(with_replica):
    router = with_replica
    assert router.db_for_read(ActionPlan) == "replica_1"
    assert router.db_for_write(ActionPlan) == "default"
    assert router.db_for_read(ActionPlan) == "default"
    assert router.allow_migrate("replica_1", "actionplans") is False
    assert router.allow_migrate("default", "actionplans") is True


def test_router_without_replicas_reads_the_primary():
    token = _wrote.set(False)
    try:
        assert ReplicaRouter().db_for_read(ActionPlan) == "default"
    finally:
        _wrote.reset(token)


def test_middleware_starts_each_request_on_the_replicas(with_replica):
    router = with_replica
    seen = []

    def view(request):
        seen.append(router.db_for_read(ActionPlan))
        router.db_for_write(ActionPlan)
        seen.append(router.db_for_read(ActionPlan))
        return "response"

    middleware = PinToPrimaryAfterWriteMiddleware(view)
    request = RequestFactory().get("/")
    assert middleware(request) == "response"
    assert middleware(request) == "response"
    assert seen == ["replica_1", "default", "replica_1", "default"]


def test_replica_setting_configures_databases_and_router(tmp_path):
    db = tmp_path / "primary.sqlite3"
    env = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "true",
        "LOCAL_STATE_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{db}",
        "DATABASE_REPLICA_URLS": f"sqlite:///{db}",
    }
    code = (
        "from django.conf import settings; from django.db import router; "
        "from actionplans.models import ActionPlan; "
        "print(sorted(settings.DATABASES), settings.DATABASE_ROUTERS, "
        "router.db_for_read(ActionPlan))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == (
        "['default', 'replica_1'] ['pim_tracker.routers.ReplicaRouter'] replica_1"
    )
