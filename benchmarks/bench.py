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

Usage: python benchmarks/bench.py [--sizes 1000 100000] [--runs 9]
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import itertools
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

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

from actionplans import exporting, importing  # noqa: E402
from actionplans.choices import PlanVisibility  # noqa: E402
from actionplans.imports.write import plan_import  # noqa: E402
from actionplans.models import ActionPlan, ActionPoint, FocalPoint  # noqa: E402
from actionplans.synthetic import generate  # noqa: E402
from orgs.models import Person  # noqa: E402

LARGE_PLAN = 500  # action points of "a large plan": the same size at every data size
IMPORT_ROWS = 10_000
MIN_SECONDS = 1.5  # fast endpoints run more often than --runs, for a steadier median
MAX_RUNS = 41
LARGE_TABLE = 10_000  # rows: a sequential scan of a table this big is reported

# --- the floor: the same rows by one raw SQL query -------------------------------------------

VISIBLE = """
    p.visibility = 'signed_in'
    OR p.id IN (SELECT actionplan_id FROM actionplans_actionplan_coordinators
                WHERE user_id = %(user)s)
    OR p.id IN (SELECT plan_id FROM actionplans_workinggroup WHERE team_leader_id = %(person)s)
    OR p.id IN (SELECT g2.plan_id FROM actionplans_workinggroup g2
                JOIN actionplans_workinggroup_team_members m ON m.workinggroup_id = g2.id
                WHERE m.person_id = %(person)s)
    OR p.id IN (SELECT g3.plan_id FROM actionplans_focalpoint f3
                JOIN actionplans_actionpoint a3 ON a3.id = f3.action_point_id
                JOIN actionplans_challenge c3 ON c3.id = a3.challenge_id
                JOIN actionplans_workinggroup g3 ON g3.id = c3.working_group_id
                WHERE f3.person_id = %(person)s)
"""
POINTS = """
    FROM actionplans_actionpoint ap
    JOIN actionplans_challenge c ON c.id = ap.challenge_id
    JOIN actionplans_workinggroup g ON g.id = c.working_group_id
    JOIN actionplans_actionplan p ON p.id = g.plan_id
"""
FOCAL_JSON = """
    (SELECT json_agg(json_build_object('person', fp.person_id, 'name', pe.name,
        'organization', coalesce(nullif(o.acronym, ''), o.name), 'role', fp.role, 'note', fp.note)
        ORDER BY fp.id)
     FROM actionplans_focalpoint fp JOIN orgs_person pe ON pe.id = fp.person_id
     LEFT JOIN orgs_organization o ON o.id = pe.organization_id
     WHERE fp.action_point_id = ap.id) AS focal_points
"""
POINT_COLUMNS = f"""
    ap.id, g.plan_id, c.working_group_id, ap.challenge_id, ap.position, ap.description,
    ap.deadline, ap.due_date, ap.deadline_precision, ap.status, ap.progress, ap.version,
    ap.created, ap.updated, {FOCAL_JSON}
"""
WORKSHOP_ORDER = "g.plan_id, g.number, c.number, ap.position, ap.id"
OPEN = "ap.status IN ('not_started', 'in_progress', 'blocked')"


def _raw_json(sql: str, params: dict) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        json.dumps([dict(zip(columns, row, strict=True)) for row in cursor.fetchall()], default=str)


def _floor_csv(params: dict, *, everything: bool = False) -> None:
    """The export's cells: plan, group, its leader and members, challenge, the
    action point, and its focal points (name, role, organization, note) in the
    export's order (role, then entry)."""
    sql = f"""
        SELECT p.title, g.number, g.name, leader.name, m.names, c.number, c.description,
               ap.description, ap.deadline, ap.due_date, ap.status, ap.progress, f.people
        {POINTS}
        LEFT JOIN orgs_person leader ON leader.id = g.team_leader_id
        LEFT JOIN (SELECT tm.workinggroup_id, string_agg(pe.name, ', ' ORDER BY tm.id) AS names
                   FROM actionplans_workinggroup_team_members tm
                   JOIN orgs_person pe ON pe.id = tm.person_id
                   GROUP BY tm.workinggroup_id) m ON m.workinggroup_id = g.id
        LEFT JOIN (SELECT fp.action_point_id,
                          string_agg(pe.name || ' (' || fp.role || coalesce(', '
                                     || coalesce(nullif(o.acronym, ''), o.name), '')
                                     || ') ' || fp.note, ', '
                                     ORDER BY CASE fp.role WHEN 'lead' THEN 0
                                              WHEN 'support' THEN 1 ELSE 2 END, fp.id) AS people
                   FROM actionplans_focalpoint fp JOIN orgs_person pe ON pe.id = fp.person_id
                   LEFT JOIN orgs_organization o ON o.id = pe.organization_id
                   GROUP BY fp.action_point_id) f ON f.action_point_id = ap.id
        WHERE {"TRUE" if everything else VISIBLE}
        ORDER BY {WORKSHOP_ORDER}
    """
    with connection.cursor() as cursor:
        query = cursor.cursor.mogrify(sql, params).decode()
        cursor.cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH CSV", io.StringIO())


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


# --- the data and the user --------------------------------------------------------------------


def _bench_user(large: ActionPlan):
    """An ordinary user: coordinator of two members-only plans, member of a group in two
    others and in the large plan, and a focal point (as an IMWG member would be)."""
    user = get_user_model().objects.create_user("bench", "bench@example.org", "bench-pass")
    person = Person.objects.create(name="Bench User", user=user)
    members_only = list(
        ActionPlan.objects.filter(visibility=PlanVisibility.MEMBERS)
        .exclude(pk=large.pk)
        .order_by("id")[:4]
    )
    for plan in members_only[:2]:
        plan.coordinators.add(user)
    for plan in [*members_only[2:], large]:
        plan.working_groups.order_by("number").first().team_members.add(person)
    point = ActionPoint.objects.filter(challenge__working_group__plan=large).first()
    FocalPoint.objects.create(action_point=point, person=person, role="support")
    return user, person


def _import_table() -> bytes:
    """A 10,000-row flat CSV: the generated plans' rows (again and again if there are
    fewer), each plan's groups renumbered so that all make one consistent new plan."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(exporting.FLAT_COLUMNS)
    groups: dict[tuple[int, str, str], str] = {}
    written = 0
    for copy in itertools.count(1):
        rows = itertools.islice(exporting.flat_rows_of(ActionPoint.objects.all()), 1, None)
        for row in itertools.islice(rows, IMPORT_ROWS - written):
            key = (copy, row[0], row[1])
            if key not in groups:
                name = row[1].split(": ", 1)[1]
                groups[key] = f"Group {len(groups) + 1}: {name} ({row[0]}, copy {copy})"
            writer.writerow([row[0], groups[key], *row[2:]])
            written += 1
        if written >= IMPORT_ROWS:
            return buffer.getvalue().encode()
    raise AssertionError("unreachable")


def run_size(size: int) -> list[dict]:
    call_command("flush", interactive=False, verbosity=0)
    plans = max(3, size // 300)
    start = time.perf_counter()
    generate(plans=plans, action_points=size, seed=7)
    generated = time.perf_counter() - start
    print(f"\n{size:,} action points in {plans} plans generated in {generated:.1f} s", flush=True)
    plans_by_size = ActionPlan.objects.annotate(
        points=Count("working_groups__challenges__action_points")
    ).order_by("id")
    large = min(plans_by_size, key=lambda p: (abs(p.points - LARGE_PLAN), p.pk))
    user, person = _bench_user(large)
    client = Client()
    client.force_login(user)
    # The large plan's coordinator sees its page with the editing controls.
    coordinator = get_user_model().objects.create_user("bench-coordinator", password="x")
    large.coordinators.add(coordinator)
    coordinator_client = Client()
    coordinator_client.force_login(coordinator)
    visible = {"user": user.pk, "person": person.pk}
    sizes = _table_sizes()
    point = ActionPoint.objects.filter(challenge__working_group__plan=large).first()
    name = Person.objects.filter(focal_points__isnull=False).order_by("id").first().name
    today = timezone.localdate()
    search = {**visible, "q": "%consent%", "name": f"%{name}%", "today": today}

    def api_floor(where: str, params: dict) -> None:
        _raw_json(
            f"SELECT {POINT_COLUMNS} {POINTS} WHERE ({VISIBLE}) AND {where} "
            f"ORDER BY {WORKSHOP_ORDER} LIMIT 100",
            params,
        )

    def api_floor_counted(where: str, params: dict) -> None:
        """The list's whole answer: the page and the count of all matches it carries."""
        _raw_json(
            f"SELECT (SELECT count(*) {POINTS} WHERE ({VISIBLE}) AND {where}) AS count, "
            f"page.* FROM (SELECT {POINT_COLUMNS} {POINTS} WHERE ({VISIBLE}) AND {where} "
            f"ORDER BY {WORKSHOP_ORDER} LIMIT 100) page",
            params,
        )

    text_match = """(ap.description ILIKE %(q)s OR ap.deadline ILIKE %(q)s
        OR c.description ILIKE %(q)s OR ap.id IN (SELECT fp.action_point_id
        FROM actionplans_focalpoint fp JOIN orgs_person pe ON pe.id = fp.person_id
        WHERE pe.name ILIKE %(q)s))"""
    overdue = (f"{OPEN} AND ap.due_date < %(today)s", {**visible, "today": today})

    def plan_floor() -> None:
        _raw_json(
            f"SELECT {POINT_COLUMNS} {POINTS} WHERE p.id = %(plan)s ORDER BY {WORKSHOP_ORDER}",
            {"plan": large.pk},
        )

    # The API lists answer with a count of every match: a second floor counts too.
    counted_floors = {
        "API list overdue=true": lambda: api_floor_counted(*overdue),
        "API list q= (a common word)": lambda: api_floor_counted(text_match, search),
        "API list q= (a person's name)": lambda: api_floor_counted(
            text_match, {**search, "q": f"%{name}%"}
        ),
    }
    cases = [
        (
            "plan list (25 a page)",
            lambda: client.get("/plans/"),
            lambda: _raw_json(
                f"""SELECT p.id, p.title, p.country, p.status,
                    count(*) FILTER (WHERE {OPEN}) AS open,
                    count(*) FILTER (WHERE {OPEN} AND ap.due_date < %(today)s) AS overdue,
                    count(*) FILTER (WHERE ap.status = 'completed') AS completed,
                    max(ap.updated) AS last_update
                FROM (SELECT * FROM actionplans_actionplan p WHERE {VISIBLE}
                      ORDER BY title, id LIMIT 25) p
                LEFT JOIN actionplans_workinggroup g ON g.plan_id = p.id
                LEFT JOIN actionplans_challenge c ON c.working_group_id = g.id
                LEFT JOIN actionplans_actionpoint ap ON ap.challenge_id = c.id
                GROUP BY p.id, p.title, p.country, p.status ORDER BY p.title, p.id""",
                {**visible, "today": today},
            ),
            True,
        ),
        (
            f"plan page ({large.points} points)",
            lambda: client.get(f"/plans/{large.pk}/"),
            plan_floor,
            True,
        ),
        (
            f"coordinator's plan page ({large.points} points)",
            lambda: coordinator_client.get(f"/plans/{large.pk}/"),
            plan_floor,
            True,
        ),
        (
            f"plan dashboard ({large.points} points)",
            lambda: client.get(f"/plans/{large.pk}/dashboard/"),
            lambda: _raw_json(
                f"SELECT ap.status, count(*), count(*) FILTER (WHERE {OPEN} AND "
                f"ap.due_date < %(today)s) {POINTS} WHERE p.id = %(plan)s GROUP BY ap.status",
                {"plan": large.pk, "today": today},
            ),
            False,
        ),
        (
            "portfolio dashboard",
            lambda: client.get("/dashboard/"),
            lambda: _raw_json(
                f"SELECT p.id, ap.status, count(*), count(*) FILTER (WHERE {OPEN} AND "
                f"ap.due_date < %(today)s) {POINTS} WHERE {VISIBLE} GROUP BY p.id, ap.status",
                {**visible, "today": today},
            ),
            False,
        ),
        (
            "API list overdue=true",
            lambda: client.get("/api/v1/action-points/?limit=100&overdue=true"),
            lambda: api_floor(*overdue),
            True,
        ),
        (
            "API list q= (a common word)",
            lambda: client.get("/api/v1/action-points/?limit=100&q=consent"),
            lambda: api_floor(text_match, search),
            True,
        ),
        (
            "API list q= (a person's name)",
            lambda: client.get(f"/api/v1/action-points/?limit=100&q={name}"),
            lambda: api_floor(text_match, {**search, "q": f"%{name}%"}),
            True,
        ),
        (
            "API detail",
            lambda: client.get(f"/api/v1/action-points/{point.pk}/"),
            lambda: _raw_json(
                f"SELECT {POINT_COLUMNS} {POINTS} WHERE ap.id = %(id)s", {"id": point.pk}
            ),
            False,
        ),
        (
            "my action points",
            lambda: client.get("/my/action-points/"),
            lambda: _raw_json(
                f"SELECT {POINT_COLUMNS} {POINTS} WHERE ({VISIBLE}) AND (ap.id IN "
                "(SELECT action_point_id FROM actionplans_focalpoint WHERE person_id = %(person)s)"
                " OR c.working_group_id IN (SELECT workinggroup_id FROM "
                "actionplans_workinggroup_team_members WHERE person_id = %(person)s)) "
                f"ORDER BY ap.due_date LIMIT 50",
                visible,
            ),
            True,
        ),
    ]
    # The export of every action point: as an administrator, who sees them all.
    admin_client = Client()
    admin_client.force_login(
        get_user_model().objects.create_superuser("bench-admin", "admin@example.org", "x")
    )
    cases.append(
        (
            f"CSV export of all ({ActionPoint.objects.count():,} points)",
            lambda: admin_client.get("/action-points/export.csv"),
            lambda: _floor_csv({"user": 0, "person": 0}, everything=True),
            False,
        )
    )

    results = []
    for name_, call, floor, explain in cases:

        def request(call=call):
            _drain(call())

        times, queries = _timed(request)
        median, p95 = _stats(times)
        # The floors' SQL is PostgreSQL's (json_agg, COPY): the one that matters.
        postgresql = connection.vendor == "postgresql"
        floor_median = _stats(_timed(floor)[0])[0] if postgresql else None
        counted = counted_floors.get(name_) if postgresql else None
        counted_median = _stats(_timed(counted)[0])[0] if counted else None
        result = {
            "endpoint": name_,
            "size": size,
            "runs": len(times),
            "median_ms": round(median * 1000, 1),
            "p95_ms": round(p95 * 1000, 1),
            "queries": queries,
            "floor_ms": round(floor_median * 1000, 2) if floor_median else None,
            "ratio_to_floor": round(median / floor_median, 1) if floor_median else None,
            "floor_with_count_ms": round(counted_median * 1000, 2) if counted_median else None,
            "ratio_to_floor_with_count": (
                round(median / counted_median, 1) if counted_median else None
            ),
            "seq_scans": _seq_scans(request, sizes) if explain else None,
        }
        if name_.startswith("CSV export"):
            result["peak_rss_growth_mb"], result["peak_python_mb"] = _peak_memory_mb(request)
        results.append(result)
        print(
            f"  {name_:<38} median {median * 1000:8.1f} ms  p95 {p95 * 1000:8.1f} ms  "
            f"{queries:3d} queries"
            + (
                f"  floor {floor_median * 1000:7.2f} ms  x{median / floor_median:.1f}"
                if floor_median
                else ""
            )
            + (
                f" (with the count {counted_median * 1000:.2f} ms x{median / counted_median:.1f})"
                if counted_median
                else ""
            )
            + (f"  seq scans: {', '.join(result['seq_scans']) or 'none'}" if explain else "")
            + (
                f"  peak memory: resident +{result['peak_rss_growth_mb']} MB, "
                f"Python allocations {result['peak_python_mb']} MB"
                if "peak_python_mb" in result
                else ""
            ),
            flush=True,
        )

    # Import of a 10,000-row flat CSV, once (it writes).
    data = _import_table()
    start = time.perf_counter()
    table = importing.read_table(data)
    read = time.perf_counter() - start
    result = plan_import(table=table, title=f"Imported copy {size}")
    elapsed = time.perf_counter() - start
    rows = data.count(b"\n") - 1
    results.append(
        {
            "endpoint": f"import flat CSV ({rows:,} rows)",
            "size": size,
            "runs": 1,
            "median_ms": round(elapsed * 1000, 1),
            "p95_ms": round(elapsed * 1000, 1),
            "queries": None,
            "floor_ms": None,
            "ratio_to_floor": None,
            "floor_with_count_ms": None,
            "ratio_to_floor_with_count": None,
            "seq_scans": None,
            "read_ms": round(read * 1000, 1),
            "created_action_points": result.action_points,
        }
    )
    print(
        f"  import {rows:,} rows: {elapsed:.1f} s (reading {read:.1f} s), "
        f"{result.action_points:,} action points created",
        flush=True,
    )
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


def main() -> None:
    global RUNS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--runs", type=int, default=RUNS, help="at least this many runs each")
    args = parser.parse_args()
    RUNS = args.runs
    settings.DEBUG = True  # record queries
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    old = setup_databases(verbosity=0, interactive=False)
    try:
        database = _database()
        results = []
        for size in args.sizes:
            results.extend(run_size(size))
    finally:
        teardown_databases(old, verbosity=0)
    first: dict[str, float] = {}
    for r in results:
        key = re.sub(r" \([\d,]+ \w+\)", "", r["endpoint"])  # "(544 points)" varies by size
        first.setdefault(key, r["median_ms"])
        r["growth"] = round(r["median_ms"] / first[key], 2) if first[key] else None
    out_dir = ROOT / "benchmarks" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = out_dir / f"bench-{connection.vendor}-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "database": database,
                "machine": _machine(),
                "min_runs": RUNS,
                "results": results,
            },
            indent=2,
            default=str,
        )
    )
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
    print(f"\nWritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
