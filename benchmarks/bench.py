"""`make bench`: time the main pages and endpoints at two data sizes, beside a floor.

Runs against the configured database (DATABASE_URL; PostgreSQL is the one that
matters) in a throwaway test database that Django creates and drops, so the
real data is never touched. For each size it generates synthetic plans
(actionplans.synthetic), then times each endpoint in-process through Django's
test client: median and 95th percentile over repeated runs, queries per
request, and the ratio to its floor — the same rows fetched by one raw SQL
query through the driver and serialised with json.dumps (or COPY ... TO
STDOUT for the CSV export), timed in the same run.

Usage: python benchmarks/bench.py [--sizes 1000 100000] [--runs 7]
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pim_tracker.settings")
os.environ.setdefault("API_THROTTLE_USER", "1000000/minute")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

from actionplans import importing, services  # noqa: E402
from actionplans.exporting import flat_rows  # noqa: E402
from actionplans.models import ActionPlan, ActionPoint  # noqa: E402
from actionplans.synthetic import generate  # noqa: E402


def _timed(call, runs: int) -> tuple[list[float], int]:
    """Seconds per run, and the queries of the last run."""
    times, queries = [], 0
    call()  # warm caches and connections: the first request is not the steady state
    for _ in range(runs):
        reset_queries()
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
        queries = len(connection.queries)
    return times, queries


def _stats(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def _raw_json(sql: str, params: tuple = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        json.dumps([dict(zip(columns, row, strict=True)) for row in cursor.fetchall()], default=str)


def _floor_csv(plan_id: int) -> None:
    sql = (
        "SELECT ap.description, ap.deadline, ap.due_date, ap.status, ap.progress "
        "FROM actionplans_actionpoint ap JOIN actionplans_challenge c ON ap.challenge_id = c.id "
        "JOIN actionplans_workinggroup g ON c.working_group_id = g.id "
        f"WHERE g.plan_id = {int(plan_id)}"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            cursor.cursor.copy_expert(f"COPY ({sql}) TO STDOUT WITH CSV", buffer)
        else:
            cursor.execute(sql)
            cursor.fetchall()


def _drain(response) -> None:
    assert response.status_code in (200, 201, 302), response.status_code
    if response.streaming:
        for _chunk in response.streaming_content:
            pass


def run_size(size: int, runs: int) -> list[dict]:
    call_command("flush", interactive=False, verbosity=0)
    plans = max(2, size // 300)
    start = time.perf_counter()
    generate(plans=plans, action_points=size, seed=7)
    generated = time.perf_counter() - start
    print(f"\n{size:,} action points in {plans} plans generated in {generated:.1f} s", flush=True)
    user = get_user_model().objects.create_superuser("bench", "bench@example.org", "bench-pass")
    client = Client()
    client.force_login(user)
    big = max(
        ActionPlan.objects.all(),
        key=lambda p: ActionPoint.objects.filter(challenge__working_group__plan=p).count(),
    )
    big_size = ActionPoint.objects.filter(challenge__working_group__plan=big).count()
    point = ActionPoint.objects.filter(challenge__working_group__plan=big).first()
    today = timezone.localdate()
    base = (
        "FROM actionplans_actionpoint ap JOIN actionplans_challenge c ON ap.challenge_id = c.id "
        "JOIN actionplans_workinggroup g ON c.working_group_id = g.id "
    )
    api_cols = "ap.id, ap.description, ap.deadline, ap.due_date, ap.status, ap.progress, ap.updated"
    cases = [
        (
            "plan list",
            lambda: client.get("/plans/"),
            lambda: _raw_json(
                "SELECT id, title, country, status FROM actionplans_actionplan "
                "ORDER BY title LIMIT 25"
            ),
        ),
        (
            f"plan page ({big_size} points)",
            lambda: client.get(f"/plans/{big.pk}/"),
            lambda: _raw_json(f"SELECT {api_cols} {base} WHERE g.plan_id = %s", (big.pk,)),
        ),
        (
            "plan dashboard",
            lambda: client.get(f"/plans/{big.pk}/dashboard/"),
            lambda: _raw_json(
                f"SELECT ap.status, count(*) {base} WHERE g.plan_id = %s GROUP BY ap.status",
                (big.pk,),
            ),
        ),
        (
            "portfolio dashboard",
            lambda: client.get("/dashboard/"),
            lambda: _raw_json(
                f"SELECT g.plan_id, ap.status, count(*) {base} GROUP BY g.plan_id, ap.status"
            ),
        ),
        (
            "API list overdue=true",
            lambda: client.get("/api/v1/action-points/?limit=100&overdue=true"),
            lambda: _raw_json(
                f"SELECT {api_cols} FROM actionplans_actionpoint ap WHERE ap.status "
                "IN ('not_started','in_progress','blocked') AND ap.due_date < %s "
                "ORDER BY ap.id LIMIT 100",
                (today,),
            ),
        ),
        (
            "API list q=",
            lambda: client.get("/api/v1/action-points/?limit=100&q=consent"),
            lambda: _raw_json(
                f"SELECT {api_cols} FROM actionplans_actionpoint ap WHERE "
                "ap.description ILIKE %s ORDER BY ap.id LIMIT 100",
                ("%consent%",),
            ),
        ),
        (
            "API detail",
            lambda: client.get(f"/api/v1/action-points/{point.pk}/"),
            lambda: _raw_json(
                f"SELECT {api_cols} FROM actionplans_actionpoint ap WHERE ap.id = %s", (point.pk,)
            ),
        ),
        (
            f"CSV export ({big_size} points)",
            lambda: _drain(client.get(f"/plans/{big.pk}/export.csv")),
            lambda: _floor_csv(big.pk),
        ),
    ]
    results = []
    for name, call, floor in cases:

        def request(call=call):
            response = call()
            if hasattr(response, "status_code"):
                _drain(response)

        times, queries = _timed(request, runs)
        floor_times, _ = _timed(floor, runs)
        median, p95 = _stats(times)
        floor_median, _ = _stats(floor_times)
        results.append(
            {
                "endpoint": name,
                "size": size,
                "median_ms": round(median * 1000, 1),
                "p95_ms": round(p95 * 1000, 1),
                "queries": queries,
                "floor_ms": round(floor_median * 1000, 2),
                "ratio_to_floor": round(median / floor_median, 1) if floor_median else None,
            }
        )
        print(
            f"  {name:<32} median {median * 1000:8.1f} ms  p95 {p95 * 1000:8.1f} ms  "
            f"{queries:3d} queries  floor {floor_median * 1000:7.2f} ms  "
            f"x{median / floor_median:.1f}",
            flush=True,
        )

    # Import of a 10,000-row flat CSV (the export's own layout), once.
    rows = list(flat_rows(big))[:10_001]
    buffer = io.StringIO()
    import csv

    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
    data = buffer.getvalue().encode()
    start = time.perf_counter()
    table = importing.read_table(data)
    result = services.plan_import(table=table, title=f"Imported copy {size}")
    elapsed = time.perf_counter() - start
    results.append(
        {
            "endpoint": f"import flat CSV ({len(rows) - 1} rows)",
            "size": size,
            "median_ms": round(elapsed * 1000, 1),
            "p95_ms": round(elapsed * 1000, 1),
            "queries": None,
            "floor_ms": None,
            "ratio_to_floor": None,
            "created_action_points": result.action_points,
        }
    )
    print(f"  import {len(rows) - 1} rows: {elapsed:.1f} s, {result.action_points} created")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    settings.DEBUG = True  # record queries
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    old = setup_databases(verbosity=0, interactive=False)
    try:
        results = []
        for size in args.sizes:
            results.extend(run_size(size, args.runs))
    finally:
        teardown_databases(old, verbosity=0)
    out_dir = ROOT / "benchmarks" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = out_dir / f"bench-{connection.vendor}-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "database": connection.vendor,
                "machine": platform.platform(),
                "cpus": os.cpu_count(),
                "runs": args.runs,
                "results": results,
            },
            indent=2,
        )
    )
    print(
        f"\n{'endpoint':<34}{'size':>8}{'median ms':>11}{'p95 ms':>9}{'queries':>9}"
        f"{'floor ms':>10}{'ratio':>7}"
    )
    for r in results:
        print(
            f"{r['endpoint']:<34}{r['size']:>8}{r['median_ms']:>11}{r['p95_ms']:>9}"
            f"{r['queries'] if r['queries'] is not None else '-':>9}"
            f"{r['floor_ms'] if r['floor_ms'] is not None else '-':>10}"
            f"{r['ratio_to_floor'] if r['ratio_to_floor'] is not None else '-':>7}"
        )
    print(f"\nWritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
