"""Incremental reads: `?updated_after=` and cursor pages on every list of /api/v1/
(pim_tracker.api.sync), and the writes that must move `updated` so a partner's
sync never misses a change.

Rows are written at fixed moments (time_machine) far after the standard world's,
so that a read from those moments holds exactly the rows a test wrote.
"""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actionplans import services
from actionplans.choices import PimCategory
from actionplans.models import ActionPoint, Comment, ExtensionRequest, WorkingGroup
from actionplans.services.structure import set_team_members
from orgs.models import Organization, Person
from orgs.services import organization_update, person_update
from tests.api.helpers import ids, token_client
from tests.factories import (
    ActionPlanFactory,
    ActionPointFactory,
    ChallengeFactory,
    FocalPointFactory,
    OrganizationFactory,
    PersonFactory,
    WorkingGroupFactory,
)
from tests.users import build_world

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
T1 = datetime.datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
T2 = datetime.datetime(2030, 1, 2, 9, 0, tzinfo=UTC)
T3 = datetime.datetime(2030, 1, 3, 9, 0, tzinfo=UTC)
T4 = datetime.datetime(2030, 1, 4, 9, 0, tzinfo=UTC)
T5 = datetime.datetime(2030, 1, 5, 9, 0, tzinfo=UTC)
SINCE = "2030-01-02T09:00:00Z"  # T2

BAD_TIMESTAMP = 'Enter an ISO 8601 date and time, such as "2026-11-27T08:00:00Z", not "%s".'
TAMPERED = {"cursor": ["This cursor is not one the API gave: follow the next link as is."]}
OTHER_SINCE = {"cursor": ["This cursor belongs to another updated_after: keep the one you began."]}
CURSOR_ALONE = {"cursor": ["A cursor pages a list read with updated_after; add it."]}
NO_ORDERING = {
    "ordering": [
        "Not with updated_after: a sync reads rows in the order they changed (updated, then id)."
    ]
}
NO_OFFSET = {"offset": ["Not with updated_after: follow the next link (its cursor)."]}


# --- one row of each list, written at a moment -------------------------------------------


def _organization(world):
    return OrganizationFactory()


def _person(world):
    return PersonFactory()


def _plan(world):
    return ActionPlanFactory()


def _group(world):
    return WorkingGroupFactory(plan=world.plan)


def _challenge(world):
    return ChallengeFactory(working_group=world.group)


def _point(world):
    point = ActionPointFactory(challenge=world.challenge)
    FocalPointFactory(action_point=point, person=PersonFactory(organization=OrganizationFactory()))
    return point


def _comment(world):
    return services.comment_create(
        action_point=world.action_point, author=world.admin, body="A comment @Jad"
    )


def _update(world):
    return services.progress_update_create(
        action_point=world.action_point, author=world.admin, note="Moving"
    )


def _extension(world):
    return ExtensionRequest.objects.create(
        action_point=world.action_point,
        requested_by=world.member,
        new_deadline="2031",
        reason="More time",
        status=ExtensionRequest.Status.DECLINED,
    )


# (list, its URL, how to write one row, the field it is synced on)
LISTS = [
    ("organizations", "/api/v1/organizations/", _organization, "updated"),
    ("people", "/api/v1/people/", _person, "updated"),
    ("plans", "/api/v1/plans/", _plan, "updated"),
    ("working-groups", "/api/v1/working-groups/", _group, "updated"),
    ("challenges", "/api/v1/challenges/", _challenge, "updated"),
    ("action-points", "/api/v1/action-points/", _point, "updated"),
    ("comments", "/api/v1/action-points/{point}/comments/", _comment, "updated"),
    ("updates", "/api/v1/action-points/{point}/updates/", _update, "created"),
    (
        "extension-requests",
        "/api/v1/action-points/{point}/extension-requests/",
        _extension,
        "updated",
    ),
]
CHANGING = [entry for entry in LISTS if entry[3] == "updated"]
NAMES = [entry[0] for entry in LISTS]


def _url(template: str, world) -> str:
    return template.format(point=world.action_point.pk)


def _write(make, world, moment: datetime.datetime):
    with time_machine.travel(moment, tick=False):
        return make(world)


def _touch(obj, moment: datetime.datetime) -> None:
    with time_machine.travel(moment, tick=False):
        obj.save()


def _walk(client, url: str) -> list[list[dict]]:
    """Follow `next` from url to the end: the pages' results."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"next", "previous", "results"}
        assert body["previous"] is None
        pages.append(body["results"])
        url = body["next"]
    return pages


def _cursor(next_link: str) -> str:
    return parse_qs(urlsplit(next_link).query)["cursor"][0]


def _stamp(row: dict, field: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(row[field].replace("Z", "+00:00"))


@pytest.fixture
def admin(world):
    client = token_client(world.admin)
    client.get("/api/v1/")  # the token's first use records last_used
    return client


# --- the rows a read from a moment holds, in order ----------------------------------------


@pytest.mark.parametrize(("name", "template", "make", "field"), LISTS, ids=NAMES)
def test_updated_after_keeps_the_rows_changed_from_that_moment_in_order(
    world, admin, name, template, make, field
):
    _write(make, world, T1)
    second = _write(make, world, T2)
    third = _write(make, world, T2)  # the same instant: the id breaks the tie
    fourth = _write(make, world, T3)
    url = _url(template, world)

    response = admin.get(f"{url}?updated_after={SINCE}")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"next", "previous", "results"}  # no count
    assert body["next"] is None
    assert ids(response) == [second.pk, third.pk, fourth.pk]
    assert [_stamp(row, field) for row in body["results"]] == [T2, T2, T3]


@pytest.mark.parametrize(("name", "template", "make", "field"), LISTS, ids=NAMES)
def test_following_next_returns_each_row_once(world, admin, name, template, make, field):
    rows = [_write(make, world, T2 + datetime.timedelta(minutes=n % 3)) for n in range(7)]
    expected = [row.pk for row in sorted(rows, key=lambda row: (getattr(row, field), row.pk))]

    pages = _walk(admin, f"{_url(template, world)}?updated_after={SINCE}&limit=2")

    assert [len(page) for page in pages] == [2, 2, 2, 1]
    assert [row["id"] for page in pages for row in page] == expected


@pytest.mark.parametrize(
    ("name", "template", "make", "field"), CHANGING, ids=[entry[0] for entry in CHANGING]
)
def test_a_row_changed_during_a_walk_comes_again_later_and_none_is_skipped(
    world, admin, name, template, make, field
):
    first, second, third, fourth = (_write(make, world, moment) for moment in (T2, T3, T3, T4))
    url = _url(template, world)

    page = admin.get(f"{url}?updated_after={SINCE}&limit=2").json()
    assert [row["id"] for row in page["results"]] == [first.pk, second.pk]
    # Meanwhile one row already read and one not yet read change.
    _touch(first, T5)
    _touch(third, T5)
    rest = _walk(admin, page["next"])

    assert [row["id"] for page in rest for row in page] == [fourth.pk, first.pk, third.pk]


def test_a_row_of_the_cursors_instant_is_neither_repeated_nor_skipped(world, admin):
    points = [_write(_point, world, T2) for _ in range(5)]

    pages = _walk(admin, f"/api/v1/action-points/?updated_after={SINCE}&limit=2")

    assert [[row["id"] for row in page] for page in pages] == [
        [points[0].pk, points[1].pk],
        [points[2].pk, points[3].pk],
        [points[4].pk],
    ]


def test_the_next_link_keeps_the_filters_and_the_limit(world, admin):
    for _ in range(3):
        _write(_point, world, T2)
    plan = world.plan.pk

    body = admin.get(f"/api/v1/action-points/?plan={plan}&updated_after={SINCE}&limit=2").json()

    query = parse_qs(urlsplit(body["next"]).query)
    assert query["plan"] == [str(plan)]
    assert query["limit"] == ["2"]
    assert query["updated_after"] == [SINCE]
    assert "offset" not in query


def test_filters_apply_to_a_sync(world, admin):
    kept = _write(_point, world, T2)
    other_plan = ActionPlanFactory()
    with time_machine.travel(T2, tick=False):
        ActionPointFactory(challenge__working_group__plan=other_plan)

    response = admin.get(f"/api/v1/action-points/?plan={world.plan.pk}&updated_after={SINCE}")

    assert ids(response) == [kept.pk]


@pytest.mark.parametrize(
    "given",
    ["2030-01-02T12:00:00+03:00", "2030-01-02T09:00:00%2B00:00", "2030-01-02T04:30:00-04:30"],
)
def test_a_timezone_offset_is_honoured(world, admin, given):
    before = _write(_point, world, T2 - datetime.timedelta(microseconds=1))
    at = _write(_point, world, T2)

    response = admin.get(f"/api/v1/action-points/?updated_after={given.replace('+', '%2B')}")

    assert ids(response) == [at.pk]
    assert before.pk not in ids(response)


def test_a_time_without_offset_is_read_in_the_sites_time_zone(world, admin, settings):
    settings.TIME_ZONE = "Asia/Beirut"  # UTC+2 in January
    at = _write(_point, world, T2)

    assert ids(admin.get("/api/v1/action-points/?updated_after=2030-01-02T11:00:00")) == [at.pk]
    assert ids(admin.get("/api/v1/action-points/?updated_after=2030-01-02T11:00:01")) == []


def test_a_cursor_walk_with_an_offset_in_updated_after_goes_to_the_end(world, admin):
    points = [_write(_point, world, T2) for _ in range(3)]

    pages = _walk(admin, "/api/v1/action-points/?updated_after=2030-01-02T12:00:00%2B03:00&limit=2")

    assert [row["id"] for page in pages for row in page] == [point.pk for point in points]


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "template", "make", "field"), LISTS, ids=NAMES)
@pytest.mark.parametrize("given", ["yesterday", "2026-02-30T00:00:00Z", "2026-11-27T25:00:00Z", ""])
def test_a_bad_timestamp_is_a_400(world, admin, name, template, make, field, given):
    response = admin.get(f"{_url(template, world)}?updated_after={given}")

    assert response.status_code == 400
    assert response.json() == {"updated_after": [BAD_TIMESTAMP % given]}


@pytest.mark.parametrize(("name", "template", "make", "field"), LISTS, ids=NAMES)
def test_bad_cursors_and_mixed_paging_are_400s(world, admin, name, template, make, field):
    for moment in (T2, T3):
        _write(make, world, moment)
    url = _url(template, world)
    next_link = admin.get(f"{url}?updated_after={SINCE}&limit=1").json()["next"]
    cursor = _cursor(next_link)
    tampered = cursor[:-3] + ("AAA" if cursor[-3:] != "AAA" else "BBB")

    def get(query: str):
        response = admin.get(f"{url}?{query}")
        assert response.status_code == 400, (query, response.content)
        return response.json()

    assert get(f"updated_after={SINCE}&cursor={tampered}") == TAMPERED
    assert get(f"updated_after={SINCE}&cursor=not-a-cursor") == TAMPERED
    assert get(f"updated_after=2030-01-01T00:00:00Z&cursor={cursor}") == OTHER_SINCE
    assert get(f"cursor={cursor}") == CURSOR_ALONE
    assert get(f"updated_after={SINCE}&offset=1") == NO_OFFSET
    # An order the list knows (action points: its ordering filter) or not: the same 400.
    assert get(f"updated_after={SINCE}&ordering=-due_date") == NO_ORDERING
    # The original still works.
    assert admin.get(next_link).status_code == 200


def test_a_cursor_with_an_altered_position_is_refused(world, admin):
    """The cursor's content is signed: a client that edits the (updated, id) it names,
    re-encoding it without the site's key, gets the 400."""
    import base64
    import json

    for moment in (T2, T3):
        _write(_point, world, moment)
    cursor = _cursor(
        admin.get(f"/api/v1/action-points/?updated_after={SINCE}&limit=1").json()["next"]
    )
    payload, rest = cursor.split(":", 1)
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["i"] = 0
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    response = admin.get(f"/api/v1/action-points/?updated_after={SINCE}&cursor={forged}:{rest}")

    assert response.status_code == 400
    assert response.json() == TAMPERED


# --- without updated_after: as before -----------------------------------------------------


@pytest.mark.parametrize(("name", "template", "make", "field"), LISTS, ids=NAMES)
def test_limit_and_offset_without_updated_after_are_unchanged(
    world, admin, name, template, make, field
):
    for moment in (T1, T2, T3):
        _write(make, world, moment)
    url = _url(template, world)
    whole = admin.get(url).json()

    response = admin.get(f"{url}?limit=1&offset=1")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == whole["count"] >= 3
    assert body["results"] == whole["results"][1:2]
    assert "offset=2" in body["next"] and "cursor" not in body["next"]
    assert "offset" not in body["previous"]  # offset 0


def test_the_list_order_without_updated_after_is_unchanged(world, admin):
    late = _write(lambda w: ActionPlanFactory(title="Alpha"), world, T3)
    early = _write(lambda w: ActionPlanFactory(title="Beta"), world, T2)

    assert ids(admin.get("/api/v1/plans/"))[:2] == [late.pk, early.pk]  # by title
    assert ids(admin.get(f"/api/v1/plans/?updated_after={SINCE}")) == [early.pk, late.pk]


# --- visibility -----------------------------------------------------------------------------


def test_a_sync_never_returns_rows_of_a_plan_the_user_may_not_see(world):
    member = token_client(world.member)
    outsider = token_client(world.outsider)
    # Everything of the other plan changes after the moment; so does the member's plan.
    other_point = world.other_action_point
    _touch(other_point, T3)
    _touch(other_point.challenge, T3)
    _touch(other_point.challenge.working_group, T3)
    _touch(world.other_plan, T3)
    for obj in (world.action_point, world.challenge, world.group, world.plan):
        _touch(obj, T3)

    def synced(client, path: str) -> list[int]:
        return [
            row["id"] for page in _walk(client, f"{path}?updated_after={SINCE}") for row in page
        ]

    assert synced(member, "/api/v1/action-points/") == [world.action_point.pk]
    assert synced(member, "/api/v1/challenges/") == [world.challenge.pk]
    assert synced(member, "/api/v1/working-groups/") == [world.group.pk]
    assert synced(member, "/api/v1/plans/") == [world.plan.pk]
    for path in ("action-points", "challenges", "working-groups", "plans"):
        assert synced(outsider, f"/api/v1/{path}/") == []
    for nested in ("comments", "updates", "extension-requests"):
        response = member.get(
            f"/api/v1/action-points/{other_point.pk}/{nested}/?updated_after={SINCE}"
        )
        assert response.status_code == 404


def test_a_member_syncs_only_the_extension_requests_they_may_see(world):
    member = token_client(world.member)
    other = ExtensionRequest.objects.create(
        action_point=world.action_point,
        requested_by=world.coordinator,
        new_deadline="2031",
        reason="Theirs",
        status=ExtensionRequest.Status.DECLINED,
    )
    own = _write(_extension, world, T2)
    _touch(other, T3)

    response = member.get(
        f"/api/v1/action-points/{world.action_point.pk}/extension-requests/?updated_after={SINCE}"
    )

    assert ids(response) == [own.pk]


# --- queries: a page costs the same wherever it is and however big the list ------------------


def _grow(make, world, count: int) -> None:
    for n in range(count):
        _write(make, world, T2 + datetime.timedelta(seconds=n))


def _queries(client, url: str) -> tuple[int, str | None]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured), response.json()["next"]


@pytest.mark.parametrize(("name", "template", "make", "field"), LISTS, ids=NAMES)
def test_a_cursor_page_costs_the_same_at_two_sizes_and_at_any_depth(
    world, admin, name, template, make, field
):
    url = f"{_url(template, world)}?updated_after={SINCE}&limit=2"
    _grow(make, world, 5)
    small_first, next_link = _queries(admin, url)
    small_later, _next = _queries(admin, next_link)
    _grow(make, world, 12)
    large_first, next_link = _queries(admin, url)
    counts = [large_first]
    while next_link:
        count, next_link = _queries(admin, next_link)
        counts.append(count)

    assert len(counts) == 9  # 17 rows, 2 a page
    assert small_first == small_later == large_first
    assert set(counts[:-1]) == {large_first}
    # The last page holds one row: what the page's rows need may cost less, not more.
    assert counts[-1] <= large_first


# --- writes that must move `updated` ---------------------------------------------------------


def _updated(obj) -> datetime.datetime:
    return type(obj).objects.get(pk=obj.pk).updated


def test_assigning_focal_points_moves_the_action_points_updated(world):
    with time_machine.travel(T3, tick=False):
        services.focal_points_assign(
            action_point=world.action_point,
            assignments=[services.FocalPointAssignment(person=PersonFactory())],
            user=world.coordinator,
        )

    assert _updated(world.action_point) == T3


def test_changing_a_focal_points_role_moves_the_action_points_updated(world):
    with time_machine.travel(T3, tick=False):
        services.focal_points_assign(
            action_point=world.action_point,
            assignments=[services.FocalPointAssignment(person=world.member_person, role="support")],
            user=world.coordinator,
        )

    assert _updated(world.action_point) == T3


def test_changing_a_tag_moves_the_action_points_updated(world):
    with time_machine.travel(T3, tick=False):
        services.action_point_classify(
            action_point=world.action_point,
            user=world.coordinator,
            pim_categories=[PimCategory.values[0]],
        )

    assert _updated(world.action_point) == T3


def test_an_action_point_created_with_tags_is_synced_from_its_creation(world, admin):
    with time_machine.travel(T3, tick=False):
        response = admin.post(
            "/api/v1/action-points/",
            {
                "challenge": world.challenge.pk,
                "description": "Tagged",
                "pim_categories": [PimCategory.values[0]],
                "focal_points": [{"person": world.member_person.pk}],
            },
            format="json",
        )
    assert response.status_code == 201, response.content
    created = response.json()

    synced = admin.get("/api/v1/action-points/?updated_after=2030-01-03T09:00:00Z").json()

    assert synced["results"] == [created]
    assert created["updated"] == "2030-01-03T09:00:00Z"


def test_an_api_edit_of_focal_points_moves_updated(world, admin):
    with time_machine.travel(T3, tick=False):
        response = admin.patch(
            f"/api/v1/action-points/{world.action_point.pk}/",
            {"focal_points": [{"person": world.member_person.pk, "role": "support"}]},
            format="json",
        )

    assert response.status_code == 200, response.content
    assert response.json()["updated"] == "2030-01-03T09:00:00Z"


def test_changing_team_members_moves_the_groups_updated(world):
    """Imports and merges change the members alone, without saving the group."""
    group = WorkingGroup.objects.get(pk=world.group.pk)
    with time_machine.travel(T3, tick=False):
        set_team_members(group, [world.member_person, PersonFactory()])

    assert _updated(group) == T3
    assert group.updated == T3


def test_the_same_team_members_leave_updated_alone(world):
    before = _updated(world.group)
    with time_machine.travel(T3, tick=False):
        set_team_members(world.group, [world.member_person])

    assert _updated(world.group) == before


def test_a_merge_that_moves_a_team_member_moves_the_groups_updated(world):
    merged = PersonFactory(name="Jad B")
    group = WorkingGroupFactory(plan=world.plan, number=7)
    set_team_members(group, [merged])
    with time_machine.travel(T3, tick=False):
        services.person_merge(kept=world.member_person, merged=merged, user=world.admin)

    assert _updated(group) == T3


def test_a_merge_moves_the_updated_of_comments_mentioning_the_merged_person(world):
    merged = PersonFactory(name="Rami")
    group = WorkingGroupFactory(plan=world.plan, number=7)
    set_team_members(group, [merged])
    comment = services.comment_create(
        action_point=world.action_point, author=world.admin, body="Ask @Rami"
    )
    assert list(comment.mentions.all()) == [merged]
    with time_machine.travel(T3, tick=False):
        services.person_merge(kept=world.member_person, merged=merged, user=world.admin)

    assert _updated(comment) == T3
    assert list(Comment.objects.get(pk=comment.pk).mentions.all()) == [world.member_person]


def test_deleting_a_comment_moves_its_updated(world):
    comment = services.comment_create(
        action_point=world.action_point, author=world.admin, body="Soon gone"
    )
    with time_machine.travel(T3, tick=False):
        services.comment_delete(comment=comment, user=world.coordinator)

    assert _updated(comment) == T3


def test_editing_a_comment_moves_its_updated(world):
    comment = services.comment_create(
        action_point=world.action_point, author=world.admin, body="Typo"
    )
    services.comment_edit(comment=comment, user=world.admin, body="Fixed")

    assert _updated(comment) > comment.created


@pytest.mark.parametrize("direction", ["up", "down"])
def test_renumbering_moves_both_siblings_updated(world, direction):
    second_group = WorkingGroupFactory(plan=world.plan, number=2)
    second_challenge = ChallengeFactory(working_group=world.group, number=2)
    second_point = ActionPointFactory(challenge=world.challenge, position=2)
    pairs = [
        (world.group, second_group),
        (world.challenge, second_challenge),
        (world.action_point, second_point),
    ]
    for first, second in pairs:
        with time_machine.travel(T3, tick=False):
            moved = first if direction == "down" else second
            assert services.sibling_move(obj=moved, direction=direction, user=world.coordinator)

        assert _updated(first) == _updated(second) == T3


def test_changing_plan_coordinators_moves_the_plans_updated(world):
    with time_machine.travel(T3, tick=False):
        services.plan_update(
            plan=world.plan, user=world.admin, coordinators=[world.coordinator, world.member]
        )

    assert _updated(world.plan) == T3


def test_editing_a_person_or_an_organization_moves_updated(world):
    organization = OrganizationFactory()
    person = PersonFactory(organization=organization)
    with time_machine.travel(T3, tick=False):
        person_update(person=person, name="Jad Haddad")
        organization_update(organization=organization, acronym="NEW")

    assert Person.objects.get(pk=person.pk).updated == T3
    assert Organization.objects.get(pk=organization.pk).updated == T3


def test_a_progress_update_moves_the_action_points_updated(world):
    with time_machine.travel(T3, tick=False):
        services.progress_update_create(
            action_point=world.action_point, author=world.coordinator, progress=40
        )

    assert ActionPoint.objects.get(pk=world.action_point.pk).updated == T3


# --- every object carries `updated` (or, never changing, `created`) -------------------------


@pytest.mark.parametrize(("name", "template", "make", "field"), LISTS, ids=NAMES)
def test_every_listed_object_carries_its_sync_field(world, admin, name, template, make, field):
    row = _write(make, world, T3)

    results = admin.get(_url(template, world)).json()["results"]

    shown = next(item for item in results if item["id"] == row.pk)
    assert shown[field] == "2030-01-03T09:00:00Z"


# --- the calendar's edges, and changes committed late ---------------------------------------


@pytest.mark.parametrize(
    ("given", "found"),
    [("0001-01-01T00:00:00%2B03:00", True), ("9999-12-31T23:59:59-03:00", False)],
)
def test_a_moment_at_the_edge_of_the_calendar_is_read(world, admin, given, found):
    """A valid ISO 8601 moment: every row changed after it (none after the last one)."""
    response = admin.get(f"/api/v1/action-points/?updated_after={given}")

    every = list(ActionPoint.objects.order_by("updated", "id").values_list("id", flat=True))
    assert ids(response) == (every if found else [])


@pytest.mark.django_db(transaction=True)
def test_a_row_committed_late_is_not_skipped():
    """`updated` is stamped when a row is saved, not when its transaction commits: while
    a long write (an import, a bulk edit) is open, a sync stops short of its start, and
    the next sync, from the last `updated` read, gets its rows once committed."""
    import threading

    from django.db import transaction
    from django.utils import timezone

    if connection.vendor == "sqlite":
        pytest.skip("SQLite's test database (shared memory) locks readers while one writes")
    world = build_world()
    client = token_client(world.admin)
    since = (timezone.now() - datetime.timedelta(minutes=1)).isoformat()
    stamped, release = threading.Event(), threading.Event()

    def long_transaction() -> None:
        try:
            with transaction.atomic():
                ActionPoint.objects.filter(pk=world.action_point.pk).update(updated=timezone.now())
                stamped.set()
                release.wait(10)
        finally:
            connection.close()

    writer = threading.Thread(target=long_transaction)
    writer.start()
    assert stamped.wait(10)
    first = _point(world)  # stamped after the long write's, committed before it
    second = _point(world)
    url = "/api/v1/action-points/?" + urlencode({"updated_after": since, "limit": 1})
    during = [row["id"] for page in _walk(client, url) for row in page]
    release.set()
    writer.join()
    after = [row["id"] for page in _walk(client, url) for row in page]

    assert world.action_point.pk not in during
    assert first.pk not in during and second.pk not in during  # held back, not passed
    assert after[-3:] == [world.action_point.pk, first.pk, second.pk]
