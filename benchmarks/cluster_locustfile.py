"""`make cluster-test`'s clients, through nginx: partner systems reading and
posting progress updates, partners syncing, people signing in and reading pages.

Each accepted progress update carries a unique note. An update answered 502 or
504 (its app server died while it ran, so nginx cannot tell whether it was
applied) is reconciled the way a partner retries safely: read from the primary
whether the note exists (a sync of the point's updates, `?updated_after=`), count
it as accepted when it does, post it again when it does not. After every
accepted update the client reads the point back and checks that it sees its own
write (version at least the one the update's ETag gave). What the clients saw
is written, after the last request, to CLUSTER_OUTCOME (JSON).
"""

from __future__ import annotations

import collections
import datetime
import itertools
import json
import os
import random
import re
import time
import uuid

from locust import HttpUser, between, events, task
from locust.runners import STATE_STOPPED, STATE_STOPPING

TOKENS = os.environ["CLUSTER_TOKENS"].split(",")
POINT_IDS = [int(pk) for pk in os.environ["CLUSTER_POINTS"].split(",")]
PLAN_IDS = [int(pk) for pk in os.environ["CLUSTER_PLANS"].split(",")]
BROWSER_USERS = os.environ["CLUSTER_BROWSER_USERS"].split(",")
PASSWORD = os.environ["CLUSTER_PASSWORD"]
# Where a sync starts: the run's start, a minute earlier (the API's advice).
SYNC_SINCE = os.environ["CLUSTER_SYNC_SINCE"]

_ETAG = re.compile(r'"actionpoint-(\d+)-(\d+)"')
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_next_token = itertools.count()
STOPPING = (STATE_STOPPING, STATE_STOPPED)

outcome = {
    "accepted_notes": [],  # notes of the updates the API accepted (201, or found after a 502)
    "posts_sent": 0,
    # Notes of POSTs without an answer when locust stopped the clients: the server
    # may still apply them, unknown to the client.
    "pending_notes": set(),
    "reconciled": 0,  # 502/504 answers to a POST, resolved by reading
    "reconciled_applied": 0,  # ... found written: accepted
    "reconciled_reposted": 0,  # ... not written: posted again
    "signin_retried": 0,
    "ryw": [],  # [when the write was answered, read saw it, read answered by] per read
    "sync_walks": 0,
    "sync_pages": 0,
}
# Per second: requests that succeeded and failed, and which app servers answered.
seconds: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)


def _version(etag: str | None) -> int | None:
    match = _ETAG.search(etag or "")
    return int(match.group(2)) if match else None


class ApiClient(HttpUser):
    """A partner system: lists, details, plan summaries, progress updates."""

    weight = 7
    wait_time = between(0.1, 0.5)

    def on_start(self) -> None:
        token = TOKENS[next(_next_token) % len(TOKENS)]
        self.client.headers["Authorization"] = f"Token {token}"

    @task(4)
    def list_overdue(self) -> None:
        self.client.get("/api/v1/action-points/?overdue=true&limit=100", name="API list overdue")

    @task(2)
    def list_plan(self) -> None:
        plan = random.choice(PLAN_IDS)
        self.client.get(f"/api/v1/action-points/?plan={plan}&limit=100", name="API list by plan")

    @task(3)
    def detail(self) -> None:
        point = random.choice(POINT_IDS)
        self.client.get(f"/api/v1/action-points/{point}/", name="API detail")

    @task(1)
    def summary(self) -> None:
        plan = random.choice(PLAN_IDS)
        self.client.get(f"/api/v1/plans/{plan}/summary/", name="API plan summary")

    @task(3)
    def post_update(self) -> None:
        point = random.choice(POINT_IDS)
        note = f"cluster {uuid.uuid4().hex}"
        body = {"progress": random.randrange(0, 100, 5), "note": note}
        for _attempt in range(3):
            posted = datetime.datetime.now(datetime.UTC)
            outcome["posts_sent"] += 1
            outcome["pending_notes"].add(note)
            with self.client.post(
                f"/api/v1/action-points/{point}/updates/",
                json=body,
                name="API post update",
                catch_response=True,
            ) as response:
                if response.status_code == 0 and self.environment.runner.state in STOPPING:
                    # Cut off by the end of the run, unanswered: stays pending.
                    response.success()
                    return
                outcome["pending_notes"].discard(note)
                if response.status_code == 201:
                    outcome["accepted_notes"].append(note)
                    written = time.time()
                    self._read_own_write(point, _version(response.headers.get("ETag")), written)
                    return
                if response.status_code not in (502, 504):
                    response.failure(f"{response.status_code}: {response.text[:200]}")
                    return
                # Its server died with the request: was it applied?
                response.success()
            outcome["reconciled"] += 1
            if self._note_written(point, note, posted):
                outcome["reconciled_applied"] += 1
                outcome["accepted_notes"].append(note)
                return
            outcome["reconciled_reposted"] += 1

    def _note_written(self, point: int, note: str, posted: datetime.datetime) -> bool:
        """Whether an update with this note exists, read on the primary (a sync reads
        there) once the dead server's transaction has surely ended."""
        time.sleep(2)
        since = (posted - datetime.timedelta(minutes=1)).isoformat()
        url = f"/api/v1/action-points/{point}/updates/"
        params = {"updated_after": since, "limit": 500}
        while url:
            response = self.client.get(url, params=params, name="API reconcile (sync updates)")
            response.raise_for_status()
            page = response.json()
            if any(row["note"] == note for row in page["results"]):
                return True
            url, params = page["next"], None
        return False

    def _read_own_write(self, point: int, version: int | None, written: float) -> None:
        with self.client.get(
            f"/api/v1/action-points/{point}/",
            name="API detail after own write",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
                return
            seen = response.json()["version"]
            ok = version is not None and seen >= version
            outcome["ryw"].append([written, ok, response.headers.get("X-Upstream", "")])


class SyncingPartner(HttpUser):
    """A partner's sync: every change since it last read, page by page by cursor."""

    weight = 1
    wait_time = between(1, 3)

    def on_start(self) -> None:
        token = TOKENS[next(_next_token) % len(TOKENS)]
        self.client.headers["Authorization"] = f"Token {token}"

    @task
    def sync(self) -> None:
        url = "/api/v1/action-points/"
        params = {"updated_after": SYNC_SINCE, "limit": 100}
        for _page in range(30):
            response = self.client.get(url, params=params, name="API sync page (cursor)")
            if response.status_code != 200:
                return
            outcome["sync_pages"] += 1
            url, params = response.json()["next"], None
            if not url:
                break
        outcome["sync_walks"] += 1


class Browser(HttpUser):
    """A person: signs in (login page, credentials with the CSRF token), then reads pages."""

    weight = 2
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.sign_in()

    def sign_in(self) -> None:
        self.client.cookies.clear()
        page = self.client.get("/accounts/login/", name="sign-in page")
        match = _CSRF.search(page.text)
        if not match:
            return
        for _attempt in range(3):
            with self.client.post(
                "/accounts/login/",
                data={
                    "username": random.choice(BROWSER_USERS),
                    "password": PASSWORD,
                    "csrfmiddlewaretoken": match.group(1),
                },
                allow_redirects=False,
                name="sign-in POST",
                catch_response=True,
            ) as response:
                if response.status_code == 302 and "sessionid" in self.client.cookies:
                    return
                if response.status_code not in (502, 504):
                    response.failure(f"sign-in refused: {response.status_code}")
                    return
                # Its server died with the request: signing in again is harmless.
                response.success()
            outcome["signin_retried"] += 1

    @task(1)
    def sign_in_again(self) -> None:
        self.sign_in()

    def page(self, path: str, name: str) -> None:
        """A page, which must come from the session (not the sign-in page it redirects to)."""
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code == 200 and "/accounts/login/" in response.url:
                response.failure("signed out: the session was not found")

    @task(4)
    def plan_page(self) -> None:
        self.page(f"/plans/{random.choice(PLAN_IDS)}/", "page: plan")

    @task(2)
    def plan_list(self) -> None:
        self.page("/plans/", "page: plan list")

    @task(2)
    def dashboard(self) -> None:
        self.page(f"/plans/{random.choice(PLAN_IDS)}/dashboard/", "page: plan dashboard")

    @task(1)
    def home(self) -> None:
        self.page("/", "page: home")


@events.request.add_listener
def _count(response=None, exception=None, **_kwargs) -> None:
    bucket = seconds[int(time.time())]
    bucket["failed" if exception else "ok"] += 1
    if response is not None and response.headers is not None:
        bucket["via " + response.headers.get("X-Upstream", "?")] += 1


@events.quitting.add_listener
def _write_outcome(environment, **_kwargs) -> None:
    """After the last request (locust's CSV files are written on a timer and miss the
    requests that end while the clients stop)."""
    stats = {}
    entries = sorted(environment.stats.entries.values(), key=lambda entry: entry.name)
    for entry in [*entries, environment.stats.total]:
        stats[entry.name] = {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "rps": round(entry.total_rps, 1),
            "p50_ms": entry.get_response_time_percentile(0.5),
            "p95_ms": entry.get_response_time_percentile(0.95),
        }
    failures = [
        {"method": e.method, "name": e.name, "error": str(e.error), "occurrences": e.occurrences}
        for e in environment.stats.errors.values()
    ]
    with open(os.environ["CLUSTER_OUTCOME"], "w") as handle:
        json.dump(
            {
                **outcome,
                "stats": stats,
                "failures": failures,
                "pending_notes": sorted(outcome["pending_notes"]),
                "seconds": {str(k): v for k, v in seconds.items()},
            },
            handle,
        )
