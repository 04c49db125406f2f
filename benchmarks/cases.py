"""What `make bench` measures: the synthetic data, the users, and each endpoint
with its floor (floors.py)."""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import floors
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from actionplans.choices import PlanVisibility
from actionplans.exports.rows import FLAT_COLUMNS, flat_rows_of
from actionplans.models import ActionPlan, ActionPoint, FocalPoint
from actionplans.search import raw_words
from actionplans.synthetic import generate
from orgs.models import Person
from pim_tracker.api.sync import Position, cursor_dumps

LARGE_PLAN = 500  # action points of "a large plan": the same size at every data size
IMPORT_ROWS = 10_000
MIN_PLANS = 60


@dataclass
class Case:
    name: str
    call: Callable[[], object]  # the request
    floor: Callable[[], None]
    explain: bool  # report the large tables its queries read by a sequential scan
    counted_floor: Callable[[], None] | None = None  # API lists answer with a count too


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
    point = ActionPoint.objects.of_plan(large).first()
    FocalPoint.objects.create(action_point=point, person=person, role="support")
    return user, person


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def generate_data(size: int) -> ActionPlan:
    """Fresh synthetic data of `size` action points; the plan nearest LARGE_PLAN points."""
    call_command("flush", interactive=False, verbosity=0)
    # At least MIN_PLANS plans, so that the bench user sees more than a portfolio page of
    # plans (dashboards.PLANS_PAGE_SIZE) at 1,000 action points too: the portfolio's growth
    # compares the same number of plans shown. At 1,000 points the plans are small.
    plans = max(MIN_PLANS, size // 300)
    start = time.perf_counter()
    generate(plans=plans, action_points=size, seed=7)
    generated = time.perf_counter() - start
    print(f"\n{size:,} action points in {plans} plans generated in {generated:.1f} s", flush=True)
    plans_by_size = ActionPlan.objects.annotate(
        points=Count("working_groups__challenges__action_points")
    ).order_by("id")
    return min(plans_by_size, key=lambda p: (abs(p.points - LARGE_PLAN), p.pk))


def cases(large: ActionPlan) -> list[Case]:  # long: one entry per endpoint, as a table
    """Each endpoint, timed as an ordinary user (the CSV export as an administrator)."""
    user, person = _bench_user(large)
    client = _client(user)
    # The large plan's coordinator sees its page with the editing controls.
    coordinator = get_user_model().objects.create_user("bench-coordinator", password="x")
    large.coordinators.add(coordinator)
    coordinator_client = _client(coordinator)
    admin_client = _client(
        get_user_model().objects.create_superuser("bench-admin", "admin@example.org", "x")
    )
    today = timezone.localdate()
    visible = {"user": user.pk, "person": person.pk, "today": today}
    point = ActionPoint.objects.of_plan(large).first()
    name = Person.objects.filter(focal_points__isnull=False).order_by("id").first().name
    word = {**visible, "q": raw_words("consent")}
    person_name = {**visible, "q": raw_words(name)}
    points = f"{large.points} points"
    api = "/api/v1/action-points/?limit=100"
    return [
        Case(
            "plan list (25 a page)",
            lambda: client.get("/plans/"),
            lambda: floors.plan_list(visible),
            True,
        ),
        Case(
            f"plan page ({points})",
            lambda: client.get(f"/plans/{large.pk}/"),
            lambda: floors.plan_page(large.pk),
            True,
        ),
        Case(
            f"coordinator's plan page ({points})",
            lambda: coordinator_client.get(f"/plans/{large.pk}/"),
            lambda: floors.plan_page(large.pk),
            True,
        ),
        Case(
            f"plan dashboard ({points})",
            lambda: client.get(f"/plans/{large.pk}/dashboard/"),
            lambda: floors.plan_dashboard(large.pk, today),
            False,
        ),
        Case(
            "portfolio dashboard",
            lambda: client.get("/dashboard/"),
            lambda: floors.portfolio(visible),
            False,
        ),
        Case(
            "API list overdue=true",
            lambda: client.get(f"{api}&overdue=true"),
            lambda: floors.api_list(floors.OVERDUE, visible),
            True,
            lambda: floors.api_list_counted(floors.OVERDUE, visible),
        ),
        Case(
            "API list q= (a common word)",
            lambda: client.get(f"{api}&q=consent"),
            lambda: floors.api_list(floors.TEXT_MATCH, word),
            True,
            lambda: floors.api_list_counted(floors.TEXT_MATCH, word),
        ),
        Case(
            "API list q= (a person's name)",
            lambda: client.get(f"{api}&q={name}"),
            lambda: floors.api_list(floors.TEXT_MATCH, person_name),
            True,
            lambda: floors.api_list_counted(floors.TEXT_MATCH, person_name),
        ),
        Case(
            "API detail",
            lambda: client.get(f"/api/v1/action-points/{point.pk}/"),
            lambda: floors.api_detail(point.pk),
            False,
        ),
        Case(
            "my action points",
            lambda: client.get("/my/action-points/"),
            lambda: floors.my_action_points(visible),
            True,
        ),
        *sync_cases(admin_client),
        Case(
            f"CSV export of all ({ActionPoint.objects.count():,} points)",
            lambda: admin_client.get("/action-points/export.csv"),
            lambda: floors.floor_csv({"user": 0, "person": 0}, everything=True),
            False,
        ),
    ]


SYNC_SINCE = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def sync_cases(client: Client) -> list[Case]:
    """A partner's walk of every action point (an administrator's token sees them all):
    its first page, and its last full page, reached by the cursor, against the
    limit/offset page at the same depth. Flat per-page cost: the deep page costs
    what the first does."""
    ordered = ActionPoint.objects.order_by("updated", "id").values_list("updated", "id")
    depth = max(0, ordered.count() - floors.SYNC_PAGE)
    first = "/api/v1/action-points/?updated_after=2000-01-01T00:00:00Z&limit=500"
    start = {"since": SYNC_SINCE, "stamp": SYNC_SINCE, "id": 0}
    deep = dict(start)
    deep_url = first
    if depth:
        stamp, pk = ordered[depth - 1]
        deep = {"since": SYNC_SINCE, "stamp": stamp, "id": pk}
        cursor = cursor_dumps(SYNC_SINCE, Position(stamp, pk))
        deep_url = f"{first}&{urlencode({'cursor': cursor})}"
    rows = f"{depth:,} rows"
    return [
        Case(
            "API sync first page (cursor)",
            lambda: client.get(first),
            lambda: floors.sync_page(start),
            True,
        ),
        Case(
            f"API sync page deep in the walk ({rows})",
            lambda: client.get(deep_url),
            lambda: floors.sync_page(deep),
            True,
        ),
        Case(
            f"API limit/offset page as deep ({rows})",
            lambda: client.get(f"/api/v1/action-points/?limit=500&offset={depth}"),
            lambda: floors.offset_page(depth),
            True,
        ),
    ]


def import_table() -> bytes:
    """A 10,000-row flat CSV: the generated plans' rows (again and again if there are
    fewer), each plan's groups renumbered so that all make one consistent new plan."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(FLAT_COLUMNS)
    groups: dict[tuple[int, str, str], str] = {}
    written = 0
    for copy in itertools.count(1):
        rows = itertools.islice(flat_rows_of(ActionPoint.objects.all()), 1, None)
        for row in itertools.islice(rows, IMPORT_ROWS - written):
            key = (copy, row[0], row[1])
            if key not in groups:
                group_name = row[1].split(": ", 1)[1]
                groups[key] = f"Group {len(groups) + 1}: {group_name} ({row[0]}, copy {copy})"
            writer.writerow([row[0], groups[key], *row[2:]])
            written += 1
        if written >= IMPORT_ROWS:
            return buffer.getvalue().encode()
    raise AssertionError("unreachable")
