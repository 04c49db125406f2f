"""A partner's incremental sync, round trip: a copy of the demo kept up to date
through `?updated_after=`, cursor pages and `/api/v1/deleted/` while the plan is
being edited, which ends identical to what the API shows.

`sync()` is the client a partner writes (the README shows it in shorter form):
plain `requests`, a token, the lists read from the last high-water mark (the
newest `updated` or `deleted` seen, minus a small overlap for changes committed
late), then the deletions.
"""

import datetime
import threading
from io import StringIO

import pytest
import requests
from django.core.management import call_command
from django.db import connection
from django.db.models import F

from actionplans.choices import ActionPointStatus
from actionplans.demo import DEMO_TITLE
from actionplans.models import ActionPlan, ActionPoint, Challenge, FocalPoint, WorkingGroup
from actionplans.services import (
    action_point_create,
    action_point_delete,
    action_point_reschedule,
    action_point_update,
    challenge_delete,
    progress_update_create,
)
from orgs.models import Person
from orgs.services import api_token_issue, person_create, person_update

# --- the partner's client ---------------------------------------------------------------

ENDPOINTS = {
    "plans": "plan",
    "working-groups": "working_group",
    "challenges": "challenge",
    "action-points": "action_point",
    "people": "person",
}
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
OVERLAP = datetime.timedelta(seconds=5)  # a change committed a moment after its `updated`

MIRROR: dict[str, dict[int, dict]] = {kind: {} for kind in ENDPOINTS.values()}


def pages(session: requests.Session, url: str, since: datetime.datetime):
    """Every item of a list changed at or after `since`, following the cursor."""
    params = {"updated_after": since.isoformat(), "limit": 500}
    while url:
        response = session.get(url, params=params, timeout=30)
        response.raise_for_status()
        page = response.json()
        yield from page["results"]
        url, params = page["next"], None  # the next link carries everything


def sync(session: requests.Session, base_url: str, since: datetime.datetime) -> datetime.datetime:
    """Bring the copy up to date with what changed at or after `since`; return the
    `since` of the next run."""
    newest = since
    for endpoint, kind in ENDPOINTS.items():
        for item in pages(session, f"{base_url}/api/v1/{endpoint}/", since):
            MIRROR[kind][item["id"]] = item
            newest = max(newest, datetime.datetime.fromisoformat(item["updated"]))
    for item in pages(session, f"{base_url}/api/v1/deleted/", since):
        MIRROR[item["type"]].pop(item["id"], None)
        newest = max(newest, datetime.datetime.fromisoformat(item["deleted"]))
    return newest - OVERLAP


# --- the test ----------------------------------------------------------------------------

# A team member named in no action point, whom the editor renames (the rename of a
# focal point is test_renamed_focal_point_reaches_the_copies_of_their_action_points).
TEAM_MEMBER = "Rania Haddad"

# SQLite's in-memory test database is shared between threads through its shared
# cache, where a reader meets a writer's table lock as an error at once (no busy
# timeout): there a request and an edit take turns. PostgreSQL runs them side by side.
_TURN = threading.Lock()


class _Session(requests.Session):
    """The partner's session, with its token; on SQLite a request waits for its turn."""

    def __init__(self, key: str, turns: bool) -> None:
        super().__init__()
        self.headers["Authorization"] = f"Token {key}"
        self.trust_env = False  # loopback: no proxy from the environment
        self.turns = turns

    def request(self, *args, **kwargs):
        if not self.turns:
            return super().request(*args, **kwargs)
        with _TURN:
            return super().request(*args, **kwargs)


def _editor(
    plan: ActionPlan, user, turns: bool, synced: threading.Event, done: list, errors: list
) -> None:
    """A coordinator at work on the demo's plans: creates, edits, reschedules,
    completes and deletes action points, deletes a challenge, renames a person."""
    challenges = list(Challenge.objects.filter(working_group__plan=plan).order_by("id"))
    doomed = challenges[-1]
    points = list(
        ActionPoint.objects.filter(challenge__working_group__plan__coordinators=user)
        .exclude(challenge=doomed)
        .exclude(status=ActionPointStatus.COMPLETED)
        .order_by("id")[:4]
    )
    person = Person.objects.get(name=TEAM_MEMBER)
    edits = [
        lambda: done.append(
            action_point_create(
                challenge=challenges[0],
                description="Added while the partner syncs",
                deadline="Q4 2027",
                created_by=user,
            ).pk
        ),
        lambda: action_point_update(
            action_point=points[0], user=user, description="Edited while the partner syncs"
        ),
        lambda: action_point_reschedule(
            action_point=points[1],
            new_deadline="Q2 2031",
            reason="Waiting for funding.",
            changed_by=user,
        ),
        lambda: progress_update_create(
            action_point=points[2],
            author=user,
            status=ActionPointStatus.COMPLETED,
            note="Done.",
        ),
        lambda: action_point_delete(action_point=points[3], user=user),
        lambda: challenge_delete(challenge=doomed, user=user),
        lambda: person_update(person=person, name="Renamed While Syncing"),
    ]
    try:
        for edit in edits:
            # Each edit once another sync has finished: the syncs interleave with the
            # edits however slow the machine (on PostgreSQL the next one runs meanwhile).
            synced.wait(60)
            synced.clear()
            if turns:
                with _TURN:
                    edit()
            else:
                edit()
        done.extend([points[0].pk, points[3].pk, doomed.pk, person.pk])
    except Exception as error:  # handed to the test, which fails on it
        errors.append(error)
    finally:
        connection.close()  # this thread's connection, before the test database goes


def _an_hour_ago() -> None:
    """Everything as if written an hour ago: a sync from its last high-water mark then
    reads only what changed since, not the whole demo again."""
    for model in (ActionPlan, WorkingGroup, Challenge, ActionPoint, Person):
        model.objects.update(updated=F("updated") - datetime.timedelta(hours=1))


def _listing(session: requests.Session, base_url: str, endpoint: str) -> dict[int, dict]:
    """The whole list as the API shows it now (one page, limit/offset)."""
    response = session.get(f"{base_url}/api/v1/{endpoint}/", params={"limit": 500}, timeout=30)
    assert response.status_code == 200, response.text[:500]
    page = response.json()
    assert page["next"] is None
    return {item["id"]: item for item in page["results"]}


@pytest.mark.django_db(transaction=True)
def test_incremental_sync_mirrors_the_demo_while_it_is_edited(live_server, request):
    call_command("load_demo", stdout=StringIO())
    plan = ActionPlan.objects.get(title=DEMO_TITLE)
    plan.working_groups.order_by("number").first().team_members.add(person_create(name=TEAM_MEMBER))
    _an_hour_ago()
    coordinator = plan.coordinators.get(username="demo-coordinator")
    _token, key = api_token_issue(user=coordinator, name="partner sync", read_only=True)
    turns = connection.vendor == "sqlite"
    session = _Session(key, turns)
    # Its kept-alive connections end, and with them the server's threads and their
    # database connections (PostgreSQL drops the test database only without them).
    request.addfinalizer(session.close)
    base_url = live_server.url
    for kind in MIRROR.values():
        kind.clear()

    since = sync(session, base_url, EPOCH)
    first = {kind: set(items) for kind, items in MIRROR.items()}
    done: list[int] = []
    errors: list[Exception] = []
    synced = threading.Event()
    editor = threading.Thread(target=_editor, args=(plan, coordinator, turns, synced, done, errors))
    editor.start()
    syncs = 0
    while editor.is_alive():
        since = sync(session, base_url, since)
        syncs += 1
        synced.set()
    editor.join()
    since = sync(session, base_url, since)

    assert errors == []
    assert syncs >= 7  # one at least after each edit
    created, edited, deleted, doomed, renamed = done
    assert created in MIRROR["action_point"]
    assert created not in first["action_point"]
    assert MIRROR["action_point"][edited]["description"] == "Edited while the partner syncs"
    assert deleted not in MIRROR["action_point"]
    assert doomed not in MIRROR["challenge"]
    assert MIRROR["person"][renamed]["name"] == "Renamed While Syncing"
    for endpoint, kind in ENDPOINTS.items():
        shown = _listing(session, base_url, endpoint)
        assert sorted(MIRROR[kind]) == sorted(shown), endpoint
        assert _differences(MIRROR[kind], shown) == {}, endpoint


def _differences(mirror: dict[int, dict], shown: dict[int, dict]) -> dict:
    """{id: {field: (in the copy, in the API)}} where the copy is out of date."""
    return {
        pk: {
            field: (mirror[pk].get(field), value)
            for field, value in item.items()
            if mirror[pk].get(field) != value
        }
        for pk, item in shown.items()
        if pk in mirror and mirror[pk] != item
    }


@pytest.mark.django_db(transaction=True)
def test_renamed_focal_point_reaches_the_copies_of_their_action_points(live_server, request):
    call_command("load_demo", stdout=StringIO())
    _an_hour_ago()
    plan = ActionPlan.objects.get(title=DEMO_TITLE)
    coordinator = plan.coordinators.get(username="demo-coordinator")
    _token, key = api_token_issue(user=coordinator, name="partner sync", read_only=True)
    session = _Session(key, turns=False)
    request.addfinalizer(session.close)
    for kind in MIRROR.values():
        kind.clear()
    since = sync(session, live_server.url, EPOCH)
    focal_point = (
        FocalPoint.objects.filter(action_point__challenge__working_group__plan=plan)
        .order_by("id")
        .first()
    )
    # Another change, and a sync that reads it: the high-water mark is now, the
    # action point (an hour old) is not read again.
    action_point_update(
        action_point=ActionPoint.objects.exclude(pk=focal_point.action_point_id).first(),
        user=coordinator,
        description="Another change",
    )
    since = sync(session, live_server.url, since)
    assert MIRROR["action_point"][focal_point.action_point_id]["focal_points"][0]["name"] == (
        focal_point.person.name
    )

    person_update(person=focal_point.person, name="Renamed While Syncing")
    sync(session, live_server.url, since)

    named = MIRROR["action_point"][focal_point.action_point_id]["focal_points"]
    assert "Renamed While Syncing" in [item["name"] for item in named]
