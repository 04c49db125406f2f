"""50 partner systems at once: reads of lists and details mixed with progress updates."""

import json
import os
import random

from locust import HttpUser, between, events, task

TOKEN = os.environ["LOADTEST_TOKEN"]
POINT_IDS = [int(pk) for pk in os.environ["LOADTEST_POINTS"].split(",")]
PLAN_IDS = [int(pk) for pk in os.environ["LOADTEST_PLANS"].split(",")]


class Partner(HttpUser):
    wait_time = between(0.05, 0.3)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Token {TOKEN}"

    @task(4)
    def list_overdue(self) -> None:
        self.client.get("/api/v1/action-points/?overdue=true&limit=100", name="list overdue")

    @task(2)
    def list_plan(self) -> None:
        plan = random.choice(PLAN_IDS)
        self.client.get(f"/api/v1/action-points/?plan={plan}&limit=100", name="list by plan")

    @task(3)
    def detail(self) -> None:
        self.client.get(f"/api/v1/action-points/{random.choice(POINT_IDS)}/", name="detail")

    @task(1)
    def summary(self) -> None:
        self.client.get(f"/api/v1/plans/{random.choice(PLAN_IDS)}/summary/", name="summary")

    @task(2)
    def post_update(self) -> None:
        self.client.post(
            f"/api/v1/action-points/{random.choice(POINT_IDS)}/updates/",
            json={"progress": random.randrange(0, 100, 5), "note": "load test"},
            name="post update",
        )


@events.quitting.add_listener
def _write_final_counts(environment, **_kwargs) -> None:
    """The final count of accepted updates, after the last request has finished:
    the CSV files are written on a timer and can miss the last second."""
    posts = environment.stats.get("post update", "POST")
    with open(os.environ["LOADTEST_COUNTS"], "w") as handle:
        json.dump({"posts": posts.num_requests, "failed": posts.num_failures}, handle)
