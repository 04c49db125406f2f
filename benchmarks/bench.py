"""`make bench`: time the main pages and endpoints at two data sizes, beside a floor.

Runs against the configured database (DATABASE_URL; PostgreSQL is the one that
matters) in a throwaway test database that Django creates and drops, so the
real data is never touched. For each size it generates synthetic plans
(actionplans.synthetic), then times each endpoint in-process through Django's
test client, signed in as an ordinary user (not an administrator: the
permission rules are part of the cost): a coordinator of two plans and member
of groups in two others, who also sees every plan open to all signed-in users.

For each endpoint it prints the median and 95th percentile over repeated runs,
the queries per request, the floor and the ratio to it, the growth (median at
this size / median at the first size) and, on PostgreSQL, the large tables
that EXPLAIN shows read by a sequential scan. The floor is the same rows
fetched by one raw SQL query through the driver and serialised with
json.dumps, or COPY ... TO STDOUT for the CSV export, timed in the same run.
The API lists answer with the count of every match as well as the page, so they
have a second floor that counts too (column "counted": the ratio to it).
The CSV export (as an administrator, of every action point) also reports how much
the process's peak resident memory grew and the peak of Python's allocations.

Then it times the daily send_reminders run for 10,000 open action points and
2,000 people (benchmarks/reminders.py), and checks that its query count does not
follow the number of people.

Usage: python benchmarks/bench.py [--sizes 1000 100000] [--runs 9] [--only pages|reminders|import]
       [--cases TEXT]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pim_tracker.settings")
os.environ.setdefault("API_THROTTLE_USER", "1000000/minute")

import django  # noqa: E402

django.setup()

import cases  # noqa: E402
import floors  # noqa: E402
import reminders  # noqa: E402
from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402

from actionplans.imports.read import read_table  # noqa: E402
from actionplans.imports.write import plan_import  # noqa: E402

MIN_SECONDS = 1.5  # fast endpoints run more often than --runs, for a steadier median
MAX_RUNS = 41
LARGE_TABLE = 10_000  # rows: a sequential scan of a table this big is reported


# --- measuring -------------------------------------------------------------------------------


def _drain(response) -> int:
    assert response.status_code == 200, (response.status_code, response.content[:300])
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def _timed(call) -> tuple[list[float], int]:
    """Seconds per run (at least `runs`, more for fast calls), and the queries of one run."""
    call()  # warm caches and connections: the first request is not the steady state
    reset_queries()
    start = time.perf_counter()
    call()
    first = time.perf_counter() - start
    queries = len(connection.queries)
    runs = max(RUNS, min(MAX_RUNS, int(MIN_SECONDS / max(first, 1e-6))))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times, queries


def _stats(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def _table_sizes() -> dict[str, int]:
    """Rows per table, after VACUUM ANALYZE: the state autovacuum keeps a live
    database in (statistics, and the visibility map that index-only scans
    need), which freshly bulk-loaded tables are not in yet."""
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy:
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        cursor.execute(
            "SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r' "
            "AND relnamespace = 'public'::regnamespace"
        )
        return dict(cursor.fetchall())


def _seq_scans(call, sizes: dict[str, int]) -> list[str]:
    """Large tables that EXPLAIN shows read by a sequential scan in this request."""
    if connection.vendor != "postgresql":
        return []
    with CaptureQueriesContext(connection) as captured:
        call()
    found: set[str] = set()
    for query in captured.captured_queries:
        sql = re.sub(r"^DECLARE .*? FOR ", "", query["sql"], flags=re.S)
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        for table in re.findall(r"Seq Scan on (\w+)", plan):
            if sizes.get(table, 0) >= LARGE_TABLE:
                found.add(table.removeprefix("actionplans_"))
    return sorted(found)


def _peak_memory_mb(call) -> tuple[float | None, float]:
    """How much the process's peak resident memory grew during the call (Linux: the
    peak is reset first), and the peak of Python's own allocations (tracemalloc)."""
    status = Path("/proc/self/status")

    def read(key: str) -> int:
        return int(re.search(rf"{key}:\s+(\d+) kB", status.read_text()).group(1))

    resident = None
    if status.exists():
        Path("/proc/self/clear_refs").write_text("5")  # resets the peak to the current size
        before = read("VmRSS")
        call()
        resident = round((read("VmHWM") - before) / 1024, 1)
    tracemalloc.start()
    call()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return resident, round(peak / 1024 / 1024, 1)


# --- one size ---------------------------------------------------------------------------------


def measure(case: cases.Case, size: int, sizes: dict[str, int]) -> dict:
    """Time one endpoint and its floors; print a line and return the figures."""

    def request(call=case.call):
        _drain(call())

    times, queries = _timed(request)
    median, p95 = _stats(times)
    # The floors' SQL is PostgreSQL's (json_agg, COPY): the one that matters.
    postgresql = connection.vendor == "postgresql"
    floor = _stats(_timed(case.floor)[0])[0] if postgresql else None
    counted = (
        _stats(_timed(case.counted_floor)[0])[0] if postgresql and case.counted_floor else None
    )
    result = {
        "endpoint": case.name,
        "size": size,
        "runs": len(times),
        "median_ms": round(median * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "queries": queries,
        "floor_ms": round(floor * 1000, 2) if floor else None,
        "ratio_to_floor": round(median / floor, 1) if floor else None,
        "floor_with_count_ms": round(counted * 1000, 2) if counted else None,
        "ratio_to_floor_with_count": round(median / counted, 1) if counted else None,
        "seq_scans": _seq_scans(request, sizes) if case.explain else None,
    }
    if case.name.startswith("CSV export"):
        result["peak_rss_growth_mb"], result["peak_python_mb"] = _peak_memory_mb(request)
    print(f"  {case.name:<38} {_line(result)}", flush=True)
    return result


def _line(r: dict) -> str:
    line = f"median {r['median_ms']:8.1f} ms  p95 {r['p95_ms']:8.1f} ms  {r['queries']:3d} queries"
    if r["floor_ms"]:
        line += f"  floor {r['floor_ms']:7.2f} ms  x{r['ratio_to_floor']}"
    if r["floor_with_count_ms"]:
        line += f" (with the count {r['floor_with_count_ms']} ms x{r['ratio_to_floor_with_count']})"
    if r["seq_scans"] is not None:
        line += f"  seq scans: {', '.join(r['seq_scans']) or 'none'}"
    if "peak_python_mb" in r:
        line += (
            f"  peak memory: resident +{r['peak_rss_growth_mb']} MB, "
            f"Python allocations {r['peak_python_mb']} MB"
        )
    return line


def measure_import(size: int) -> dict:
    """Import of a 10,000-row flat CSV into a new plan, once (it writes)."""
    data = cases.import_table()
    start = time.perf_counter()
    table = read_table(data)
    read = time.perf_counter() - start
    reset_queries()  # a full log (9,000 queries) would count none
    with CaptureQueriesContext(connection) as captured:
        result = plan_import(table=table, title=f"Imported copy {size}")
    elapsed = time.perf_counter() - start
    queries = len(captured)  # now: the floor's runs below reset the log
    rows = data.count(b"\n") - 1
    # The floor: COPY of the same rows into a temporary table, in this run.
    floor = None
    if connection.vendor == "postgresql":
        floor = _stats(_timed(lambda: floors.floor_import(data))[0])[0]
    print(
        f"  import {rows:,} rows: {elapsed:.1f} s (reading {read:.1f} s), "
        f"{result.action_points:,} action points created, {queries} queries"
        + (f", COPY {floor * 1000:.0f} ms x{elapsed / floor:.1f}" if floor else ""),
        flush=True,
    )
    return {
        "endpoint": f"import flat CSV ({rows:,} rows)",
        "size": size,
        "runs": 1,
        "median_ms": round(elapsed * 1000, 1),
        "p95_ms": round(elapsed * 1000, 1),
        "queries": queries,
        "floor_ms": round(floor * 1000, 1) if floor else None,
        "ratio_to_floor": round(elapsed / floor, 1) if floor else None,
        "floor_with_count_ms": None,
        "ratio_to_floor_with_count": None,
        "seq_scans": None,
        "read_ms": round(read * 1000, 1),
        "created_action_points": result.action_points,
    }


def run_size(size: int, *, pages: bool = True, only: str = "") -> list[dict]:
    """Every case at this size; with `only` (--cases), those whose name holds it."""
    large = cases.generate_data(size)
    sizes = _table_sizes()
    chosen = [case for case in cases.cases(large) if only in case.name] if pages else []
    results = [measure(case, size, sizes) for case in chosen]
    if only in "import flat CSV":  # the import's name (measure_import)
        results.append(measure_import(size))
    return results


def _machine() -> str:
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = match.group(1).strip() if match else ""
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(re.search(r"MemTotal:\s+(\d+)", meminfo.read_text()).group(1))
        memory = f", {kb / 1024 / 1024:.0f} GB"
    return f"{platform.platform()}, {os.cpu_count()} CPUs ({cpu}){memory}"


def _database() -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    return connection.vendor


RUNS = 9


def _with_growth(results: list[dict]) -> None:
    """Each figure's growth: its median at this size / its median at the first size."""
    first: dict[str, float] = {}
    for r in results:
        key = re.sub(r" \([\d,]+ \w+\)", "", r["endpoint"])  # "(544 points)" varies by size
        first.setdefault(key, r["median_ms"])
        r["growth"] = round(r["median_ms"] / first[key], 2) if first[key] else None


def _report(results: list[dict], database: str) -> Path:
    out_dir = ROOT / "benchmarks" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = out_dir / f"bench-{connection.vendor}-{stamp}.json"
    summary = {"database": database, "machine": _machine(), "min_runs": RUNS, "results": results}
    out.write_text(json.dumps(summary, indent=2, default=str))
    print(f"\n{database} on {_machine()}")
    print(
        f"{'endpoint':<40}{'size':>8}{'median ms':>11}{'p95 ms':>9}{'queries':>8}"
        f"{'floor ms':>10}{'ratio':>7}{'counted':>8}{'growth':>8}  seq scans of large tables"
    )

    def show(value) -> str:
        return "-" if value is None else str(value)

    for r in results:
        scans = "" if r["seq_scans"] is None else (", ".join(r["seq_scans"]) or "none")
        print(
            f"{r['endpoint']:<40}{r['size']:>8}{r['median_ms']:>11}{r['p95_ms']:>9}"
            f"{show(r['queries']):>8}{show(r['floor_ms']):>10}{show(r['ratio_to_floor']):>7}"
            f"{show(r['ratio_to_floor_with_count']):>8}{show(r['growth']):>8}  {scans}"
        )
    return out


def main() -> None:
    global RUNS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--runs", type=int, default=RUNS, help="at least this many runs each")
    parser.add_argument(
        "--only",
        choices=["pages", "reminders", "import"],
        help="only the pages and endpoints (at --sizes, with the import), only the "
        "send_reminders case, or only the import (at --sizes)",
    )
    parser.add_argument(
        "--cases", default="", help="only the cases whose name holds this text (e.g. dashboard)"
    )
    args = parser.parse_args()
    RUNS = args.runs
    settings.DEBUG = True  # record queries
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    old = setup_databases(verbosity=0, interactive=False)
    try:
        database = _database()
        results = []
        if args.only != "reminders":
            for size in args.sizes:
                results.extend(run_size(size, pages=args.only != "import", only=args.cases))
        if args.only not in ("pages", "import"):
            results.extend(reminders.run())
    finally:
        teardown_databases(old, verbosity=0)
    _with_growth(results)
    out = _report(results, database)
    print(f"\nWritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
