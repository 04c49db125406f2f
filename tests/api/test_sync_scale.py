"""A partner's cursor walk of 100,000 action points while the tracker is in use.

The walk follows `next` from `?updated_after=` with pages of 500 while another
thread edits and reports progress through the services, on points ahead of the
walk (not read yet) and behind it (already read). Every row is read; a row
nobody wrote during the walk exactly once; a row written ahead once, in its
final state; a row written behind twice, the second time in its final state.

The rows are synthetic plans (actionplans.synthetic) copied by the database up
to 100,000: the copies share their originals' `updated`, so thousands of rows
changed at the same instant and the cursor's tie-break on id is part of the walk.
"""

import contextlib
import threading
from collections import Counter

import pytest
from django.db import connection

from actionplans.choices import ActionPointStatus, PlanStatus
from actionplans.models import ActionPlan, ActionPoint
from actionplans.services import action_point_update, progress_update_create
from actionplans.synthetic import generate, replicate_action_points
from tests.api.helpers import token_client
from tests.factories import UserFactory

TOTAL = 100_000
GENERATED = 1_000  # by actionplans.synthetic.generate; the rest are copies
PAGE = 500
WRITES = 200  # half ahead of the walk, half behind it
AHEAD = 10_000  # rows beyond the walk's position: not read when the write commits
BEHIND = 1_000  # rows before it: read before the write began
FIRST_WRITE, LAST_WRITE = 5_000, 80_000  # the writes spread over this stretch of the walk
WRITES_DONE_BY = 90_000  # the walk waits here for the last write to commit
WAIT_SECONDS = 120


@pytest.fixture
def many_points():
    generate(plans=3, action_points=GENERATED, seed=20)
    # Every plan open: the services refuse changes to a closed one.
    ActionPlan.objects.update(status=PlanStatus.ACTIVE)
    replicate_action_points(copies=TOTAL // GENERATED - 1)
    # An administrator's token, as a partner's integration account often is (the
    # visibility rules of other accounts are the round trip's: test_sync_round_trip).
    return UserFactory(username="partner", is_staff=True, is_superuser=True)


class _Walk:
    """Where the walk is, in the order of the rows before it began; the writer waits on it."""

    def __init__(self, order: list[int]) -> None:
        self.order = order
        # SQLite's in-memory test database is shared between threads through its
        # shared cache, where a reader meets a writer's table lock as an error at
        # once (no busy timeout): there a page and a write take turns. PostgreSQL
        # runs them side by side.
        self.turn = threading.Lock() if connection.vendor == "sqlite" else contextlib.nullcontext()
        self.index = {pk: i for i, pk in enumerate(order)}
        self.at = 0  # rows of `order` that are behind the walk
        self.over = False
        self.changed = threading.Condition()

    def advance(self, ids: list[int]) -> None:
        with self.changed:
            known = [self.index[pk] + 1 for pk in ids if pk in self.index]
            self.at = max([self.at, *known])
            self.changed.notify_all()

    def reach(self, position: int) -> bool:
        """Wait until the walk has passed `position` rows (False: it stopped early)."""
        with self.changed:
            self.changed.wait_for(lambda: self.at >= position or self.over, WAIT_SECONDS)
            return self.at >= position


def _writer(walk: _Walk, user, ahead: set[int], behind: set[int], errors: list) -> None:
    """Alternately a progress update on a point ahead of the walk and an edit of one
    behind it, spread over the walk."""
    step = (LAST_WRITE - FIRST_WRITE) // WRITES
    try:
        for number in range(WRITES):
            if not walk.reach(FIRST_WRITE + number * step):
                return
            if number % 2:
                position, chosen = walk.at - BEHIND - number, behind
            else:
                position, chosen = walk.at + AHEAD + number, ahead
            pk = walk.order[position]
            chosen.add(pk)  # before the write: the walk keeps whatever it reads of it next
            with walk.turn:
                _write(number, ActionPoint.objects.get(pk=pk), user, ahead=chosen is ahead)
    except Exception as error:  # handed to the test, which fails on it
        errors.append(error)
    finally:
        connection.close()  # this thread's connection, before the test database goes


def _write(number: int, point: ActionPoint, user, *, ahead: bool) -> None:
    if ahead:
        progress_update_create(
            action_point=point,
            author=user,
            status=ActionPointStatus.IN_PROGRESS,
            progress=number % 9 * 10 + 10,
            note=f"Write {number}",
        )
    else:
        action_point_update(
            action_point=point, user=user, description=f"Edited during the walk ({number})"
        )


@pytest.mark.django_db(transaction=True)
def test_cursor_walk_of_100000_points_under_writes_reads_every_row(many_points):
    user = many_points
    api = token_client(user)
    order = list(ActionPoint.objects.order_by("updated", "id").values_list("id", flat=True))
    walk = _Walk(order)
    ahead: set[int] = set()
    behind: set[int] = set()
    errors: list[Exception] = []
    writer = threading.Thread(target=_writer, args=(walk, user, ahead, behind, errors))
    reads: Counter[int] = Counter()
    last_seen: dict[int, dict] = {}  # the last appearance of each row that was written
    url = f"/api/v1/action-points/?updated_after=2000-01-01T00:00:00Z&limit={PAGE}"
    writer.start()
    try:
        while url:
            if walk.at >= WRITES_DONE_BY and writer.is_alive():
                writer.join(WAIT_SECONDS)
            with walk.turn:
                response = api.get(url)
            assert response.status_code == 200, response.content[:500]
            page = response.json()
            assert set(page) == {"next", "previous", "results"}
            assert len(page["results"]) == PAGE or page["next"] is None
            for item in page["results"]:
                reads[item["id"]] += 1
                if item["id"] in ahead or item["id"] in behind:
                    last_seen[item["id"]] = item
            walk.advance([item["id"] for item in page["results"]])
            url = page["next"]
    finally:
        walk.over = True
        with walk.changed:
            walk.changed.notify_all()
        writer.join(WAIT_SECONDS)

    assert errors == []
    assert (len(ahead), len(behind)) == (WRITES // 2, WRITES // 2)
    assert set(reads) == set(ActionPoint.objects.values_list("id", flat=True))
    assert len(reads) == TOTAL
    unwritten = set(reads) - ahead - behind
    assert Counter(reads[pk] for pk in unwritten) == {1: TOTAL - WRITES}
    # Written ahead of the walk: read once, after the write; behind: read before the
    # write and once more after it.
    assert Counter(reads[pk] for pk in ahead) == {1: WRITES // 2}
    assert Counter(reads[pk] for pk in behind) == {2: WRITES // 2}
    for pk in sorted(ahead | behind):
        assert last_seen[pk] == api.get(f"/api/v1/action-points/{pk}/").json()
    point = ActionPoint.objects.get(pk=sorted(behind)[0])
    assert point.description.startswith("Edited during the walk (")
