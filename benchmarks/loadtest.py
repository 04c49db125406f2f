"""`make loadtest`: gunicorn on 127.0.0.1 and 50 locust clients for 60 seconds.

Uses the database of DATABASE_URL (point it at a PostgreSQL database made for
this: it generates 1,000 synthetic action points there). Prints throughput and
95th percentiles from locust, then checks that no update was lost: every
accepted POST left exactly one progress update and one version increment.
Loopback only, bounded in time.
"""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "benchmarks" / "results"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(*args: str, env: dict, cwd: Path = ROOT) -> str:
    """A manage.py command of the code in `cwd` (this tree by default); its output."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def prepare(env: dict) -> tuple[str, str, str, str]:
    """Synthetic data and an API token: the token, action point ids, plan ids, and
    the number of progress updates before the run."""
    manage("migrate", "--noinput", "-v0", env=env)
    manage("flush", "--noinput", env=env)
    manage("generate_data", "--plans", "10", "--action-points", "1000", "--seed", "5", env=env)
    setup = (
        "from django.contrib.auth import get_user_model; "
        "from orgs.services import api_token_issue; "
        "from actionplans.models import ActionPlan, ActionPoint; "
        "u = get_user_model().objects.create_superuser('load', 'load@example.org', 'x'); "
        "print(api_token_issue(user=u)[1]); "
        "print(','.join(str(i) for i in ActionPoint.objects.values_list('id', flat=True)[:200])); "
        "print(','.join(str(i) for i in ActionPlan.objects.values_list('id', flat=True)))"
    )
    token, points, plans = manage("shell", "--no-imports", "-c", setup, env=env).split()
    count = "from actionplans.models import ProgressUpdate; print(ProgressUpdate.objects.count())"
    before = manage("shell", "--no-imports", "-c", count, env=env).strip()
    return token, points, plans, before


def run_locust(env: dict, prefix: Path, users: int, seconds: int, **clients: str) -> None:
    """gunicorn (4 workers) on a free loopback port, and locust against it."""
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "pim_tracker.wsgi", "--workers", "4"]
        + ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    try:
        time.sleep(3)
        subprocess.run(
            [str(BIN / "locust"), "-f", str(ROOT / "benchmarks" / "locustfile.py"), "--headless"]
            + ["-u", str(users), "-r", "25", "-t", f"{seconds}s"]
            + ["--host", f"http://127.0.0.1:{port}", "--csv", str(prefix)]
            + ["--only-summary", "--stop-timeout", "10"],
            cwd=ROOT,
            check=False,
            env={**env, **clients, "LOADTEST_COUNTS": f"{prefix}_posts.json"},
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    users = int(os.environ.get("LOADTEST_USERS", "50"))
    seconds = int(os.environ.get("LOADTEST_SECONDS", "60"))
    env = {**os.environ, "DEBUG": "true", "API_THROTTLE_USER": "1000000/minute"}
    token, points, plans, before = prepare(env)
    RESULTS.mkdir(parents=True, exist_ok=True)
    prefix = RESULTS / f"loadtest-{time.strftime('%Y%m%d-%H%M%S')}"
    run_locust(
        env,
        prefix,
        users,
        seconds,
        LOADTEST_TOKEN=token,
        LOADTEST_POINTS=points,
        LOADTEST_PLANS=plans,
    )
    with open(f"{prefix}_stats.csv") as handle:
        stats = {row["Name"]: row for row in csv.DictReader(handle)}
    posts = json.loads(Path(f"{prefix}_posts.json").read_text())
    accepted = posts["posts"] - posts["failed"]
    check = (
        "from actionplans.models import ProgressUpdate, ActionPoint; "
        "from django.db.models import Sum; "
        f"print(ProgressUpdate.objects.count() - {before}, "
        "ActionPoint.objects.aggregate(v=Sum('version'))['v'] - ActionPoint.objects.count())"
    )
    created, increments = map(int, manage("shell", "--no-imports", "-c", check, env=env).split())
    total = stats["Aggregated"]
    print(
        f"\n{users} clients for {seconds} s: {total['Request Count']} requests, "
        f"{total['Failure Count']} failures, {float(total['Requests/s']):.1f} requests/s, "
        f"p95 {total['95%']} ms, median {total['50%']} ms"
    )
    print(
        f"Progress updates accepted {accepted}, written {created}, version increments "
        f"{increments}: {'no lost update' if accepted == created == increments else 'MISMATCH'}"
    )
    if int(total["Failure Count"]) or not accepted == created == increments:
        sys.exit(1)


if __name__ == "__main__":
    main()
