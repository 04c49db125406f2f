"""`make loadtest COMPARE=<git ref>`: the load test against older code and this
code, back to back, on the same data, the same machine, in the same minutes.

The older code is exported with `git archive <ref>` into a temporary directory
and run from the same virtual environment (it warns when requirements.txt
differs). The data are made once, by the older code, in `<database>_old`
(10 plans, 1,000 action points, seed 5), then copied by PostgreSQL
(`CREATE DATABASE ... TEMPLATE`) to `<database>_new` and migrated forward by
this code: the same rows, ids and plans on both sides. Each side gets its own
API token. The runs alternate old, new, new, old, ... (`--rounds`), each one
gunicorn with 4 workers (the side's own `gunicorn.conf.py`, if it has one, as in
production) and the same locust mix (this tree's `benchmarks/locustfile.py`)
for 60 s with 50 clients, in production settings (DEBUG off). After each run it
checks that no update was lost. It prints requests a second, median and 95th
percentile per request type for each side and the ratios, and writes the figures
to `benchmarks/results/loadtest-compare-<time>.json`.

DATABASE_URL names a PostgreSQL server and a role that can create databases; its
database name need not exist: `<database>_old` and `<database>_new` are dropped and
made again (from the server's `postgres` database, as createdb does).
Loopback only, bounded in time.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import dj_database_url
import loadtest  # benchmarks/: the script's own directory
import psycopg2
from loadtest import free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "benchmarks" / "results"
LOCUSTFILE = ROOT / "benchmarks" / "locustfile.py"
KINDS = ["list overdue", "list by plan", "detail", "summary", "post update", "Aggregated"]

SETUP = (
    "from django.contrib.auth import get_user_model; "
    "from orgs.services import api_token_issue; "
    "from actionplans.models import ActionPlan, ActionPoint; "
    "u = get_user_model().objects.get_or_create(username='load', defaults={'email': "
    "'load@example.org', 'is_staff': True, 'is_superuser': True})[0]; "
    "print(api_token_issue(user=u)[1]); "
    "print(','.join(str(i) for i in ActionPoint.objects.order_by('pk')"
    ".values_list('id', flat=True)[:200])); "
    "print(','.join(str(i) for i in ActionPlan.objects.order_by('pk')"
    ".values_list('id', flat=True)))"
)
COUNTS = (
    "from actionplans.models import ProgressUpdate, ActionPoint; "
    "from django.db.models import Sum; "
    "print(ProgressUpdate.objects.count(), "
    "ActionPoint.objects.aggregate(v=Sum('version'))['v'] - ActionPoint.objects.count())"
)


def manage(code: Path, env: dict, *args: str) -> str:
    return loadtest.manage(*args, env=env, cwd=code)


def admin_sql(url: str, *statements: str) -> None:
    """Statements run outside a transaction, connected to the server's maintenance
    database `postgres` (the database DATABASE_URL names may not exist yet)."""
    params = dj_database_url.parse(url)
    connection = psycopg2.connect(
        dbname="postgres",
        user=params["USER"],
        password=params["PASSWORD"],
        host=params["HOST"],
        port=params["PORT"] or 5432,
    )
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


def with_name(url: str, name: str) -> str:
    base, _sep, _old = url.rpartition("/")
    return f"{base}/{name}"


def export(ref: str, into: Path) -> None:
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    differs = subprocess.run(
        ["git", "-C", str(ROOT), "diff", "--quiet", ref, "--", "requirements.txt"], check=False
    ).returncode
    if differs:
        print(f"warning: requirements.txt differs from {ref}; both sides run in this venv")


def prepare(url: str, base_env: dict, old_code: Path) -> dict:
    """Both databases, the same rows; a token per side."""
    name = dj_database_url.parse(url)["NAME"]
    old_db, new_db = f"{name}_old", f"{name}_new"
    admin_sql(url, f'DROP DATABASE IF EXISTS "{new_db}"', f'DROP DATABASE IF EXISTS "{old_db}"')
    admin_sql(url, f'CREATE DATABASE "{old_db}"')
    sides = {
        "old": {"code": old_code, "env": {**base_env, "DATABASE_URL": with_name(url, old_db)}},
        "new": {"code": ROOT, "env": {**base_env, "DATABASE_URL": with_name(url, new_db)}},
    }
    old = sides["old"]
    manage(old["code"], old["env"], "migrate", "--noinput", "-v0")
    manage(
        old["code"],
        old["env"],
        "generate_data",
        "--plans",
        "10",
        "--action-points",
        "1000",
        "--seed",
        "5",
    )
    admin_sql(url, f'CREATE DATABASE "{new_db}" TEMPLATE "{old_db}"')
    new = sides["new"]
    manage(new["code"], new["env"], "migrate", "--noinput", "-v0")
    for side in sides.values():
        token, points, plans = manage(
            side["code"], side["env"], "shell", "--no-imports", "-c", SETUP
        ).split()
        side["clients"] = {
            "LOADTEST_TOKEN": token,
            "LOADTEST_POINTS": points,
            "LOADTEST_PLANS": plans,
        }
    if sides["old"]["clients"]["LOADTEST_POINTS"] != sides["new"]["clients"]["LOADTEST_POINTS"]:
        raise SystemExit("The two databases do not hold the same action points.")
    return sides


def warm_up(port: int, clients: dict, workers: int) -> None:
    """Wait for the server, then send each worker its first requests (a worker imports
    the views on its first request: seconds on a busy machine), so that both sides
    are measured warm, not starting."""
    point = clients["LOADTEST_POINTS"].split(",")[0]
    plan = clients["LOADTEST_PLANS"].split(",")[0]
    paths = [
        "/api/v1/action-points/?overdue=true&limit=100",
        f"/api/v1/action-points/?plan={plan}&limit=100",
        f"/api/v1/action-points/{point}/",
        f"/api/v1/plans/{plan}/summary/",
    ]
    headers = {"Authorization": f"Token {clients['LOADTEST_TOKEN']}"}

    def get(path: str) -> None:
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()

    for _attempt in range(120):
        try:
            get(paths[2])
            break
        except OSError:
            time.sleep(0.5)
    with ThreadPoolExecutor(max_workers=workers * 2) as pool:
        list(pool.map(get, paths * workers * 3))


def run(side: dict, prefix: Path, users: int, seconds: int, workers: int) -> dict:
    """gunicorn in the side's directory (its gunicorn.conf.py applies), locust against it."""
    code, env = side["code"], side["env"]
    before = list(map(int, manage(code, env, "shell", "--no-imports", "-c", COUNTS).split()))
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "pim_tracker.wsgi", "--workers", str(workers)]
        + ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=code,
        env=env,
    )
    try:
        warm_up(port, side["clients"], workers)
        load_before = os.getloadavg()
        subprocess.run(
            [str(BIN / "locust"), "-f", str(LOCUSTFILE), "--headless"]
            + ["-u", str(users), "-r", "25", "-t", f"{seconds}s"]
            + ["--host", f"http://127.0.0.1:{port}", "--csv", str(prefix)]
            + ["--only-summary", "--stop-timeout", "10"],
            cwd=ROOT,
            check=False,
            env={**env, **side["clients"], "LOADTEST_COUNTS": f"{prefix}_posts.json"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    finally:
        server.terminate()
        server.wait(timeout=60)
    load_after = os.getloadavg()
    after = list(map(int, manage(code, env, "shell", "--no-imports", "-c", COUNTS).split()))
    with open(f"{prefix}_stats.csv") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    posts = json.loads(Path(f"{prefix}_posts.json").read_text())
    accepted = posts["posts"] - posts["failed"]
    written, increments = after[0] - before[0], after[1] - before[1]
    return {
        "load_average_1min": [round(load_before[0], 2), round(load_after[0], 2)],
        "kinds": {
            name: {
                "requests": int(rows[name]["Request Count"]),
                "failures": int(rows[name]["Failure Count"]),
                "rps": float(rows[name]["Requests/s"]),
                "p50_ms": float(rows[name]["50%"]),
                "p95_ms": float(rows[name]["95%"]),
            }
            for name in KINDS
            if name in rows
        },
        "updates": {"accepted": accepted, "written": written, "version_increments": increments},
        "no_lost_update": accepted == written == increments,
    }


def summary(runs: list[dict], kind: str, figure: str) -> float:
    return statistics.median(r["kinds"][kind][figure] for r in runs if kind in r["kinds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", required=True, help="git ref of the older code, e.g. bba6963")
    parser.add_argument("--rounds", type=int, default=2, help="pairs of runs (old/new alternate)")
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOADTEST_USERS", "50")))
    parser.add_argument(
        "--seconds", type=int, default=int(os.environ.get("LOADTEST_SECONDS", "60"))
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--old-tree", type=Path, help="a directory holding the older code already (no export)"
    )
    parser.add_argument("--debug", action="store_true", help="DEBUG=true, as make loadtest runs")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must name a PostgreSQL database (it makes two copies).")
    env = {
        **os.environ,
        "DEBUG": "true" if args.debug else "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "API_THROTTLE_USER": "1000000/minute",
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    with tempfile.TemporaryDirectory(prefix="pim-loadtest-") as temp:
        old_code = args.old_tree or Path(temp)
        if not args.old_tree:
            export(args.compare, old_code)
        sides = prepare(url, env, old_code)
        runs: dict[str, list[dict]] = {"old": [], "new": []}
        for index in range(args.rounds * 2):
            # old, new, new, old, old, new...: a drift of the machine's load in time
            # falls on both sides alike.
            label = ["old", "new"][(index + index // 2) % 2]
            prefix = RESULTS / f"loadtest-compare-{stamp}-{index + 1}-{label}"
            result = run(sides[label], prefix, args.users, args.seconds, args.workers)
            runs[label].append(result)
            total = result["kinds"]["Aggregated"]
            print(
                f"run {index + 1} ({label}): {total['rps']:.1f} requests/s, "
                f"p50 {total['p50_ms']:.0f} ms, p95 {total['p95_ms']:.0f} ms, "
                f"{total['failures']} failures, load average "
                f"{result['load_average_1min'][0]} -> {result['load_average_1min'][1]}, "
                f"{'no lost update' if result['no_lost_update'] else 'LOST UPDATE'}",
                flush=True,
            )
    print(f"\nmedians of {args.rounds} runs a side; old = {args.compare}, new = this tree")
    print(
        f"{'request':<14} {'old rps':>8} {'new rps':>8} {'ratio':>6} "
        f"{'old p50':>8} {'new p50':>8} {'old p95':>8} {'new p95':>8}"
    )
    table = {}
    for kind in KINDS:
        figures = {
            f"{side}_{figure}": summary(runs[side], kind, figure)
            for side in ("old", "new")
            for figure in ("rps", "p50_ms", "p95_ms")
        }
        figures["rps_ratio"] = figures["new_rps"] / figures["old_rps"]
        table[kind] = figures
        print(
            f"{kind:<14} {figures['old_rps']:>8.1f} {figures['new_rps']:>8.1f} "
            f"{figures['rps_ratio']:>6.2f} {figures['old_p50_ms']:>6.0f}ms "
            f"{figures['new_p50_ms']:>6.0f}ms {figures['old_p95_ms']:>6.0f}ms "
            f"{figures['new_p95_ms']:>6.0f}ms"
        )
    out = RESULTS / f"loadtest-compare-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "compare": args.compare,
                "users": args.users,
                "seconds": args.seconds,
                "workers": args.workers,
                "debug": args.debug,
                "cpus": os.cpu_count(),
                "runs": runs,
                "medians": table,
            },
            indent=2,
        )
    )
    print(f"\n{out.relative_to(ROOT)}")
    failed = any(
        r["kinds"]["Aggregated"]["failures"] or not r["no_lost_update"]
        for side in runs.values()
        for r in side
    )
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
