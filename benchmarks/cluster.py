"""`make cluster-test`: the production topology on one machine, on loopback, and
the checks that it behaves as one application.

Starts, in a temporary directory, on free ports of 127.0.0.1 (no docker):
a PostgreSQL primary and a streaming replica (pg_basebackup -R, hot standby),
Redis, two gunicorn app servers (DEBUG off, production settings) behind nginx
(round robin, `proxy_next_upstream error timeout`), and one RQ task worker.
Then runs locust through nginx (benchmarks/cluster_locustfile.py) while it
pauses the replica's replay for a few seconds and, at about 60 s, kills one app
server (SIGKILL, master and workers). Prints a table of checks and the locust
figures per request type, writes benchmarks/results/cluster-<stamp>.json, and
exits 1 if a check failed. Everything it started is stopped at the end, also on
failure or Ctrl-C.

Run as root (PostgreSQL runs as the postgres user, through runuser, as .ci/run
does). CLUSTER_USERS, CLUSTER_SECONDS, CLUSTER_KILL_AT change the load.
"""

from __future__ import annotations

import glob
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg2
import requests
from loadtest import free_port  # benchmarks/: the script's own directory

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "benchmarks" / "results"
PGBIN = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]))[-1])
NGINX = "/usr/sbin/nginx"
REDIS = "/usr/bin/redis-server"

USERS = int(os.environ.get("CLUSTER_USERS", "100"))
SECONDS = int(os.environ.get("CLUSTER_SECONDS", "120"))
KILL_AT = int(os.environ.get("CLUSTER_KILL_AT", str(SECONDS // 2)))
PAUSE_AT, PAUSE_FOR = 20, 6  # replica replay paused from 20 s to 26 s of the run
THROTTLE_N = 10  # the throttle check's rate: 10 requests a minute per account
PARTNERS, BROWSERS = 10, 5
WORKERS = 3  # gunicorn workers per app server


def log(message: str) -> None:
    print(f"[cluster {time.strftime('%H:%M:%S')}] {message}", flush=True)


def wait_for(what: str, probe, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if probe():
                return
        except (OSError, requests.RequestException, psycopg2.Error):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{what} did not start within {timeout:.0f} s")


def descendants(pid: int) -> list[int]:
    """The processes below pid (from /proc): a gunicorn master's workers."""
    children: dict[int, list[int]] = {}
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.split("/")[2]))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class Cluster:
    def __init__(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="pim-cluster-"))
        self.tmp.chmod(0o755)  # nginx's workers and PostgreSQL (postgres) reach their files
        self.ports = {
            name: free_port() for name in ("primary", "replica", "redis", "app1", "app2", "nginx")
        }
        self.procs: dict[str, subprocess.Popen] = {}
        self.pg_started: list[Path] = []
        secret = secrets.token_urlsafe(50)
        self.password = secrets.token_urlsafe(16)
        db = "postgres://pim:pim@127.0.0.1:{}/pim"
        self.env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": secret,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Plain http on loopback: no redirect to https, cookies without Secure.
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "NUM_PROXIES": "1",
            "DATABASE_URL": db.format(self.ports["primary"]),
            "DATABASE_REPLICA_URLS": db.format(self.ports["replica"]),
            "REDIS_URL": f"redis://127.0.0.1:{self.ports['redis']}/0",
            "TASKS_BACKEND": "rq",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
        }

    # --- processes ---------------------------------------------------------------

    def spawn(self, name: str, args: list[str], env: dict | None = None) -> subprocess.Popen:
        out = open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115 (kept open by the child)
        proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env or self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs[name] = proc
        return proc

    def stop_proc(self, name: str, sig: int = signal.SIGTERM) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        except ProcessLookupError:
            pass

    def teardown(self) -> None:
        for name in list(self.procs):
            self.stop_proc(name)
        for data in self.pg_started:
            subprocess.run(
                [
                    "runuser",
                    "-u",
                    "postgres",
                    "--",
                    str(PGBIN / "pg_ctl"),
                    "-D",
                    str(data),
                    "-m",
                    "immediate",
                    "stop",
                ],
                capture_output=True,
                check=False,
            )
        shutil.rmtree(self.tmp, ignore_errors=True)

    def tail(self, name: str, lines: int = 30) -> str:
        path = self.tmp / f"{name}.log"
        if not path.exists():
            path = self.tmp / "pg" / f"{name}.log"
        return (
            "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
            if path.exists()
            else ""
        )

    # --- PostgreSQL ----------------------------------------------------------------

    def as_postgres(self, *args: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True)

    def pg_start(self, data: Path, port: int, extra: str = "") -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {data.parent} -c fsync=off "
            f"-c hot_standby=on -c hot_standby_feedback=on {extra}"
        )
        self.as_postgres(
            str(PGBIN / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(data.parent / f"{data.name}.log"),
            "-w",
            "-o",
            options,
            "start",
        )
        self.pg_started.append(data)

    def sql(self, which: str, query: str, *params):
        with psycopg2.connect(
            host="127.0.0.1", port=self.ports[which], user="postgres", dbname="pim"
        ) as conn:
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute(query, params)
                return cursor.fetchone() if cursor.description else None

    def start_postgres(self) -> None:
        pgdir = self.tmp / "pg"
        pgdir.mkdir()
        shutil.chown(pgdir, "postgres", "postgres")
        primary, replica = pgdir / "primary", pgdir / "replica"
        self.as_postgres(str(PGBIN / "initdb"), "-D", str(primary), "-U", "postgres", "-A", "trust")
        self.pg_start(primary, self.ports["primary"])
        # psql and pg_basebackup reach the primary as its superuser, over loopback.
        to_primary = ("-h", "127.0.0.1", "-p", str(self.ports["primary"]), "-U", "postgres")
        self.as_postgres(
            str(PGBIN / "psql"),
            *to_primary,
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            "CREATE ROLE pim LOGIN CREATEDB PASSWORD 'pim'",
            "-c",
            "CREATE DATABASE pim OWNER pim",
        )
        # The streaming replica: a base backup that writes its own standby settings (-R).
        self.as_postgres(
            str(PGBIN / "pg_basebackup"),
            *to_primary,
            "-D",
            str(replica),
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
        )
        self.pg_start(replica, self.ports["replica"])
        wait_for("the replica", lambda: self.sql("replica", "SELECT pg_is_in_recovery()")[0])

    # --- Redis, app servers, nginx, worker ---------------------------------------------

    def start_redis(self) -> None:
        self.spawn(
            "redis",
            [
                REDIS,
                "--port",
                str(self.ports["redis"]),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp),
            ],
        )

        def ping() -> bool:
            with socket.create_connection(("127.0.0.1", self.ports["redis"]), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")

        wait_for("Redis", ping)

    def manage(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def start_apps(self, throttle_user: str) -> None:
        env = {**self.env, "API_THROTTLE_USER": throttle_user}
        for name in ("app1", "app2"):
            self.spawn(
                name,
                [
                    str(BIN / "gunicorn"),
                    "pim_tracker.wsgi",
                    "--workers",
                    str(WORKERS),
                    "--bind",
                    f"127.0.0.1:{self.ports[name]}",
                    "--log-level",
                    "warning",
                ],
                env,
            )
        for name in ("app1", "app2"):
            url = f"http://127.0.0.1:{self.ports[name]}/accounts/login/"
            wait_for(name, lambda url=url: requests.get(url, timeout=5).status_code == 200)

    def start_nginx(self) -> None:
        conf = self.tmp / "nginx.conf"
        up = "\n".join(
            f"    server 127.0.0.1:{self.ports[n]} max_fails=1 fail_timeout=5s;"
            for n in ("app1", "app2")
        )
        temp = "\n".join(
            f"  {kind}_temp_path {self.tmp}/nginx-{kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        conf.write_text(f"""
worker_processes 1;
pid {self.tmp}/nginx.pid;
error_log {self.tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
{temp}
  upstream app {{
{up}
  }}
  server {{
    listen 127.0.0.1:{self.ports["nginx"]};
    client_max_body_size 7m;
    location / {{
      proxy_pass http://app;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      # A server that refuses or drops the connection: the request goes to the other
      # (a POST only if it was not sent yet: nginx cannot know if it was applied).
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
      # Long: on a busy 2-core machine 100 clients queue for tens of seconds.
      proxy_read_timeout 120s;
      add_header X-Upstream $upstream_addr always;
    }}
  }}
}}
""")
        self.spawn(
            "nginx",
            [
                NGINX,
                "-p",
                str(self.tmp),
                "-c",
                str(conf),
                "-e",
                str(self.tmp / "nginx-error.log"),
                "-g",
                "daemon off;",
            ],
        )
        url = f"http://127.0.0.1:{self.ports['nginx']}/accounts/login/"
        wait_for("nginx", lambda: requests.get(url, timeout=5).status_code == 200)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.ports['nginx']}"


# --- data ----------------------------------------------------------------------------

SETUP = """
import json
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from orgs.services import api_token_issue
from actionplans.models import ActionPlan, ActionPoint
User = get_user_model()
out = {"tokens": [], "browsers": []}
for i in range(PARTNERS):
    user = User.objects.create_superuser(f"partner{i}", f"partner{i}@example.org", None)
    out["tokens"].append(api_token_issue(user=user)[1])
user = User.objects.create_superuser("throttled", "throttled@example.org", None)
out["throttle_token"] = api_token_issue(user=user)[1]
for i in range(BROWSERS):
    User.objects.create_superuser(f"browser{i}", f"browser{i}@example.org", PASSWORD)
    out["browsers"].append(f"browser{i}")
plans = list(ActionPlan.objects.filter(status="active").values_list("id", flat=True))
out["plans"] = plans
out["points"] = list(
    ActionPoint.objects.filter(challenge__working_group__plan__in=plans)
    .order_by("id").values_list("id", flat=True)[:300]
)
out["session_engine"] = settings.SESSION_ENGINE
out["cache"] = caches["default"].__class__.__module__ + "." + caches["default"].__class__.__name__
out["routers"] = list(getattr(settings, "DATABASE_ROUTERS", []))
print(json.dumps(out))
"""


def static_files_current() -> bool:
    """Whether STATIC_ROOT's manifest is newer than every static source and the last
    install of the requirements (whose packages bring static files too)."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return False
    made = manifest.stat().st_mtime
    sources = [BIN.parent / ".installed-requirements", *(ROOT / "static").rglob("*")]
    return all(path.stat().st_mtime <= made for path in sources if path.exists())


def prepare(cluster: Cluster) -> dict:
    # The hashed, compressed static files (DEBUG off), while the database is made: about
    # 70 s of CPU, so only when a source changed since the last run.
    static = None
    if not static_files_current():
        static = cluster.spawn(
            "collectstatic", [sys.executable, "manage.py", "collectstatic", "--noinput"]
        )
    cluster.manage("migrate", "--noinput", "-v0")
    cluster.manage("generate_data", "--plans", "10", "--action-points", "1000", "--seed", "21")
    if static is not None:
        if static.wait() != 0:
            raise RuntimeError("collectstatic failed")
        cluster.procs.pop("collectstatic")
    script = (
        SETUP.replace("PARTNERS", str(PARTNERS))
        .replace("BROWSERS", str(BROWSERS))
        .replace("PASSWORD", repr(cluster.password))
    )
    return json.loads(
        cluster.manage("shell", "--no-imports", "-c", script).strip().splitlines()[-1]
    )


# --- checks before the load: throttling and sessions across the two servers ----------------


def check_throttle(cluster: Cluster, token: str) -> dict:
    """Requests of one account through nginx, round robin over both servers: with
    counts in the shared cache the 429 comes after exactly THROTTLE_N in all."""
    answers = []
    for _ in range(2 * THROTTLE_N + 2):
        response = requests.get(
            f"{cluster.base}/api/v1/plans/?limit=1",
            headers={"Authorization": f"Token {token}"},
            timeout=30,
        )
        answers.append((response.status_code, response.headers.get("X-Upstream", "")))
        if response.status_code == 429:
            break
    first_429 = next((i + 1 for i, (code, _) in enumerate(answers) if code == 429), None)
    servers = {via for code, via in answers if code == 200}
    passed = (
        first_429 == THROTTLE_N + 1
        and all(code == 200 for code, _ in answers[:THROTTLE_N])
        and len(servers) == 2
    )
    return {
        "passed": passed,
        "figure": f"rate {THROTTLE_N}/minute: 429 at request {first_429} "
        f"(want {THROTTLE_N + 1}); 200s from {len(servers)} servers",
        "answers": answers,
    }


def check_sessions(cluster: Cluster, username: str) -> dict:
    """Sign in on app server 1 directly, then use the session on server 2 directly."""
    one = f"http://127.0.0.1:{cluster.ports['app1']}"
    two = f"http://127.0.0.1:{cluster.ports['app2']}"
    session = requests.Session()
    page = session.get(f"{one}/accounts/login/", timeout=30)
    token = page.text.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    signed = session.post(
        f"{one}/accounts/login/",
        data={"username": username, "password": cluster.password, "csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=30,
    )
    other = session.get(f"{two}/plans/", allow_redirects=False, timeout=30)
    passed = signed.status_code == 302 and other.status_code == 200 and username in other.text
    return {
        "passed": passed,
        "figure": f"sign-in on server 1: {signed.status_code}; /plans/ on server 2 with its "
        f"cookie: {other.status_code}" + ("" if other.status_code != 302 else " (to sign-in)"),
    }


# --- the load, with the replica paused and a server killed ------------------------------------


def probe_read_your_writes(cluster: Cluster, token: str, points: list[int]) -> dict:
    """Before the load, replay paused: a client posts an update on one app server and
    reads the point on the other at once. The replica still holds the old version
    (read there directly); the API must answer the new one."""
    headers = {"Authorization": f"Token {token}"}
    rounds, notes = [], []
    cluster.sql("replica", "SELECT pg_wal_replay_pause()")
    try:
        for index, point in enumerate(points[:6]):
            wrote, read = ("app1", "app2") if index % 2 == 0 else ("app2", "app1")
            note = f"cluster probe {uuid.uuid4().hex}"
            posted = requests.post(
                f"http://127.0.0.1:{cluster.ports[wrote]}/api/v1/action-points/{point}/updates/",
                json={"progress": 5 * index, "note": note},
                headers=headers,
                timeout=60,
            )
            posted.raise_for_status()
            notes.append(note)
            version = int(posted.headers["ETag"].rstrip('"').rsplit("-", 1)[1])
            (on_replica,) = cluster.sql(
                "replica", "SELECT version FROM actionplans_actionpoint WHERE id = %s", point
            )
            answer = requests.get(
                f"http://127.0.0.1:{cluster.ports[read]}/api/v1/action-points/{point}/",
                headers=headers,
                timeout=60,
            )
            rounds.append(
                {
                    "written_on": wrote,
                    "read_on": read,
                    "version_written": version,
                    "version_on_replica": on_replica,
                    "version_read": answer.json()["version"],
                }
            )
        lag = replica_lag(cluster)
    finally:
        cluster.sql("replica", "SELECT pg_wal_replay_resume()")
    return {
        "rounds": rounds,
        "notes": notes,
        "lag_bytes": lag,
        "replica_stale": sum(r["version_on_replica"] < r["version_written"] for r in rounds),
        "seen": sum(r["version_read"] >= r["version_written"] for r in rounds),
    }


def replica_lag(cluster: Cluster) -> int:
    (primary_lsn,) = cluster.sql("primary", "SELECT pg_current_wal_lsn()::text")
    (replayed,) = cluster.sql("replica", "SELECT pg_last_wal_replay_lsn()::text")
    (lag,) = cluster.sql("primary", "SELECT pg_wal_lsn_diff(%s, %s)::bigint", primary_lsn, replayed)
    return int(lag)


def counts(cluster: Cluster) -> tuple[int, int]:
    """Progress updates, and the sum of the action points' versions."""
    updates, versions = cluster.sql(
        "primary",
        "SELECT (SELECT count(*) FROM actionplans_progressupdate), "
        "(SELECT sum(version) FROM actionplans_actionpoint)",
    )
    return int(updates), int(versions)


def run_load(cluster: Cluster, data: dict, prefix: Path) -> dict:
    start = datetime.now(UTC)
    env = {
        **cluster.env,
        "CLUSTER_TOKENS": ",".join(data["tokens"]),
        "CLUSTER_POINTS": ",".join(map(str, data["points"])),
        "CLUSTER_PLANS": ",".join(map(str, data["plans"])),
        "CLUSTER_BROWSER_USERS": ",".join(data["browsers"]),
        "CLUSTER_PASSWORD": cluster.password,
        "CLUSTER_SYNC_SINCE": (start - timedelta(minutes=1)).isoformat(),
        "CLUSTER_OUTCOME": f"{prefix}_outcome.json",
    }
    began = time.time()
    locust = cluster.spawn(
        "locust",
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "benchmarks" / "cluster_locustfile.py"),
            "--headless",
            "-u",
            str(USERS),
            "-r",
            "20",
            "-t",
            f"{SECONDS}s",
            "--host",
            cluster.base,
            "--only-summary",
            # Clients finish the task they are in (on a busy machine answers take 30 s).
            "--stop-timeout",
            "60",
        ],
        env,
    )
    events: dict = {"lag_samples": []}
    # Replay paused on the replica: writes go on on the primary, the replica falls behind.
    time.sleep(PAUSE_AT)
    cluster.sql("replica", "SELECT pg_wal_replay_pause()")
    events["pause"] = [time.time(), None]
    log(f"replica replay paused for {PAUSE_FOR} s")
    while time.time() < events["pause"][0] + PAUSE_FOR:
        events["lag_samples"].append(replica_lag(cluster))
        time.sleep(0.5)
    cluster.sql("replica", "SELECT pg_wal_replay_resume()")
    events["pause"][1] = time.time()
    caught = time.time()
    while replica_lag(cluster) > 0 and time.time() - caught < 30:
        time.sleep(0.1)
    events["catch_up_s"] = round(time.time() - caught, 2)
    log(
        f"replica resumed; lag at most {max(events['lag_samples'], default=0)} bytes, "
        f"caught up in {events['catch_up_s']} s"
    )
    # One app server dies: master and workers, at once, with requests in flight.
    time.sleep(max(0, began + KILL_AT - time.time()))
    master = cluster.procs.pop("app1")
    victims = [master.pid, *descendants(master.pid)]
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    master.wait()
    events["kill"] = time.time()
    events["killed_pids"] = len(victims)
    log(f"app server 1 killed (SIGKILL to {len(victims)} processes)")
    locust.wait(timeout=SECONDS + 120)
    cluster.procs.pop("locust", None)
    return events


def main() -> int:
    if os.geteuid() != 0:
        print("make cluster-test runs PostgreSQL as the postgres user: run it as root.")
        return 2
    cluster = Cluster()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    stamp = time.strftime("%Y%m%d-%H%M%S")
    wall = time.monotonic()
    try:
        return run(cluster, stamp, wall)
    except Exception:
        for name in ("app1", "app2", "nginx", "worker", "locust", "primary", "replica"):
            if text := cluster.tail(name):
                print(f"--- {name} log ---\n{text}")
        raise
    finally:
        log("stopping everything")
        cluster.teardown()


def run(cluster: Cluster, stamp: str, wall: float) -> int:
    phases = {}

    def lap(name: str) -> None:
        phases[name] = round(time.monotonic() - wall - sum(phases.values()), 1)

    log(f"in {cluster.tmp}, ports {cluster.ports}")
    cluster.start_postgres()
    cluster.start_redis()
    lap("postgresql primary, replica, redis")
    log("PostgreSQL primary + streaming replica and Redis up; migrating, generating data")
    data = prepare(cluster)
    lap("migrate, generate data, collectstatic")
    log(f"session engine {data['session_engine']}, cache {data['cache']}")
    cluster.spawn(
        "worker",
        [
            sys.executable,
            "manage.py",
            "rqworker",
            "--with-scheduler",
            "--job-class",
            "django_tasks_rq.Job",
            "default",
        ],
    )
    # Phase 1: a low API rate, to show that both servers count one account together.
    cluster.start_apps(throttle_user=f"{THROTTLE_N}/minute")
    cluster.start_nginx()
    log("two app servers behind nginx; throttling and sessions across them")
    throttle = check_throttle(cluster, data["throttle_token"])
    sessions = check_sessions(cluster, data["browsers"][0])
    lap("app servers, nginx, throttle and session checks")
    # Phase 2: the load, at a rate no client reaches (like make loadtest).
    cluster.stop_proc("app1")
    cluster.stop_proc("app2")
    cluster.start_apps(throttle_user="1000000/minute")
    updates_before, versions_before = counts(cluster)
    probe = probe_read_your_writes(cluster, data["tokens"][0], data["points"])
    log(
        f"read-your-writes probe, replay paused: {probe['seen']} of {len(probe['rounds'])} "
        f"reads on the other server saw the write; replica stale in {probe['replica_stale']}"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    prefix = cluster.tmp / "locust"
    log(f"locust: {USERS} clients for {SECONDS} s through nginx")
    events = run_load(cluster, data, prefix)
    lap("restart app servers, locust")
    worker_alive = cluster.procs["worker"].poll() is None
    # The surviving server finishes what it is serving (graceful stop) before the counts.
    cluster.stop_proc("app2")
    updates_after, versions_after = counts(cluster)
    seen = json.loads(Path(f"{prefix}_outcome.json").read_text())
    seen["accepted_notes"] += probe["notes"]
    events["probe"] = probe
    writes = reconcile_writes(
        cluster, seen, updates_after - updates_before, versions_after - versions_before
    )
    per_type = seen["stats"]
    total = per_type["Aggregated"]
    table = build_checks(total, seen, events, writes, throttle, sessions)
    print_report(table, per_type)
    load = os.getloadavg()
    result = {
        "stamp": stamp,
        "clients": USERS,
        "seconds": SECONDS,
        "kill_at_s": KILL_AT,
        "replica_pause_s": [PAUSE_AT, PAUSE_AT + PAUSE_FOR],
        "load_average": [round(x, 2) for x in load],
        "cores": os.cpu_count(),
        "wall_s": round(time.monotonic() - wall, 1),
        "phases_s": phases,
        "worker_alive_at_end": worker_alive,
        "settings": {k: data[k] for k in ("session_engine", "cache", "routers")},
        "checks": table,
        "requests": per_type,
        "aggregated": per_type.get("Aggregated"),
        "writes": writes,
        "failures": seen["failures"],
        "outcome": {
            k: v
            for k, v in seen.items()
            if k not in ("accepted_notes", "pending_notes", "seconds", "ryw", "stats", "failures")
        },
        "throttle_answers": throttle["answers"],
        "replica_lag_bytes": events["lag_samples"],
        "read_your_writes_probe": {k: v for k, v in probe.items() if k != "notes"},
        "replica_catch_up_s": events["catch_up_s"],
    }
    path = RESULTS / f"cluster-{stamp}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"\n{USERS} clients, {SECONDS} s: {total['requests']} requests, "
        f"{total['rps']} requests/s, p50 {total['p50_ms']} ms, "
        f"p95 {total['p95_ms']} ms; load average {load[0]:.2f}; wall {result['wall_s']} s"
    )
    print(f"Phases (s): {phases}; task worker running at the end: {worker_alive}")
    for failure in result["failures"]:
        print(
            f"Failed: {failure['occurrences']}x {failure['method']} {failure['name']}: "
            f"{failure['error']}"
        )
    print(f"JSON: {path.relative_to(ROOT)}")
    return 0 if all(row["passed"] for row in table) else 1


def reconcile_writes(cluster: Cluster, seen: dict, written: int, increments: int) -> dict:
    """What the clients were told was accepted against what the primary holds."""
    accepted = seen["accepted_notes"]
    total, distinct, missing = cluster.sql(
        "primary",
        "SELECT count(*), count(DISTINCT note), "
        "(SELECT count(*) FROM unnest(%s::text[]) AS a(n) WHERE NOT EXISTS "
        " (SELECT 1 FROM actionplans_progressupdate WHERE note = a.n)) "
        "FROM actionplans_progressupdate WHERE note LIKE 'cluster %%'",
        accepted,
    )
    (unacknowledged,) = cluster.sql(
        "primary",
        "SELECT coalesce(array_agg(note), '{}') FROM actionplans_progressupdate "
        "WHERE note LIKE 'cluster %%' AND NOT note = ANY(%s::text[])",
        accepted,
    )
    return {
        "accepted": len(accepted),
        "written": written,
        "version_increments": increments,
        "notes_in_db": total,
        "distinct_notes_in_db": distinct,
        "accepted_not_found": missing,
        # Written by a POST that locust cut off at the end of the run (no answer yet).
        "written_unanswered": len(unacknowledged),
        "written_unanswered_not_cut_off": len(set(unacknowledged) - set(seen["pending_notes"])),
    }


def build_checks(total, seen, events, writes, throttle, sessions) -> list[dict]:
    failures = total["failures"]
    w = writes
    pause_start, pause_end = events["pause"]
    ryw = seen["ryw"]
    ryw_bad = sum(1 for _, ok, _ in ryw if not ok)
    during = [row for row in ryw if pause_start <= row[0] <= pause_end + events["catch_up_s"]]
    during_bad = sum(1 for _, ok, _ in during if not ok)
    max_lag = max(events["lag_samples"], default=0)
    probe = events["probe"]
    kill = events["kill"]
    after = [counter for second, counter in seen["seconds"].items() if int(second) > kill]
    after_ok = sum(c.get("ok", 0) for c in after)
    after_failed = sum(c.get("failed", 0) for c in after)
    after_via = {}
    for c in after:
        for key, value in c.items():
            if key.startswith("via "):
                after_via[key[4:]] = after_via.get(key[4:], 0) + value
    retried = sum(v for k, v in after_via.items() if "," in k)

    def row(name, passed, figure):
        return {"check": name, "passed": bool(passed), "figure": figure}

    return [
        row(
            "0 failures (locust)",
            failures == 0,
            f"{failures} of {total['requests']} requests failed",
        ),
        row(
            "no lost update",
            w["written"] == w["version_increments"] == w["notes_in_db"]
            and w["notes_in_db"] == w["distinct_notes_in_db"]
            and w["accepted"] + w["written_unanswered"] == w["written"]
            and w["accepted_not_found"] == 0
            and w["written_unanswered_not_cut_off"] == 0,
            f"accepted {w['accepted']}, written {w['written']}, version increments "
            f"{w['version_increments']}; notes {w['notes_in_db']} (distinct "
            f"{w['distinct_notes_in_db']}), accepted not found {w['accepted_not_found']}"
            + (
                f"; {w['written_unanswered']} written by POSTs still unanswered when locust stopped"
                if w["written_unanswered"]
                else ""
            ),
        ),
        row(
            "read-your-writes with replica lag",
            ryw_bad == 0
            and max_lag > 0
            and probe["seen"] == probe["replica_stale"] == len(probe["rounds"]) > 0,
            f"probe (replay paused, write on one server, read on the other): "
            f"{probe['seen']}/{len(probe['rounds'])} saw their write while the replica held the "
            f"old version in {probe['replica_stale']}; under load: {len(ryw)} reads after own "
            f"write, {ryw_bad} stale, {len(during)} of them after a write answered in the "
            f"{PAUSE_FOR} s pause "
            f"({during_bad} stale); replica behind by up to {max_lag} bytes, caught up "
            f"{events['catch_up_s']} s after resume",
        ),
        row("throttling shared across servers", throttle["passed"], throttle["figure"]),
        row("session on the other server", sessions["passed"], sessions["figure"]),
        row(
            "kill one app server at ~60 s",
            after_failed == 0 and after_ok > 0 and w["accepted_not_found"] == 0,
            f"{events['killed_pids']} processes SIGKILLed; after: {after_ok} requests ok, "
            f"{after_failed} failed ({retried} retried by nginx on the other server); "
            f"POSTs answered 502/504: {seen['reconciled']} (applied {seen['reconciled_applied']}, "
            f"posted again {seen['reconciled_reposted']}); sign-ins retried "
            f"{seen['signin_retried']}",
        ),
    ]


def print_report(table: list[dict], per_type: dict) -> None:
    width = max(len(r["check"]) for r in table)
    print(f"\n{'check':<{width}}  result  figure")
    for r in table:
        print(f"{r['check']:<{width}}  {'PASS' if r['passed'] else 'FAIL':<6}  {r['figure']}")
    name_width = max(len(name) for name in per_type)
    print(
        f"\n{'request':<{name_width}}  {'count':>6}  {'fail':>4}  "
        f"{'rps':>6}  {'p50':>6}  {'p95':>6}"
    )
    for name, figures in per_type.items():
        print(
            f"{name:<{name_width}}  {figures['requests']:>6}  {figures['failures']:>4}  "
            f"{figures['rps']:>6}  {figures['p50_ms']:>6}  {figures['p95_ms']:>6}"
        )


if __name__ == "__main__":
    sys.exit(main())
