"""Action point pages: detail and timeline, progress updates, rescheduling, "my action points".

Members report status and progress on their action points; only coordinators
move deadlines. A hidden plan answers 404, a plan seen but not changeable 403.
"""

import datetime
import re

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from actionplans import services
from actionplans.choices import PlanVisibility
from actionplans.models import ActionPoint, DeadlineChange, ProgressUpdate
from actionplans.parsing import DEADLINE_EXAMPLES
from tests.factories import (
    ActionPointFactory,
    ChallengeFactory,
    FocalPointFactory,
    OrganizationFactory,
    PersonFactory,
    UserFactory,
    WorkingGroupFactory,
)
from tests.users import build_world

pytestmark = pytest.mark.django_db

PAST = datetime.date(2019, 3, 31)
FUTURE = datetime.date(2099, 1, 31)
CONFLICT = "Someone else changed this action point while you were editing it."


# --- helpers ---------------------------------------------------------------------


def _login(client, user):
    client.force_login(user)
    return client


def _state(point: ActionPoint) -> tuple:
    point.refresh_from_db()
    return (point.status, point.progress, point.deadline, point.due_date, point.version)


def _written() -> tuple[int, int]:
    return (ProgressUpdate.objects.count(), DeadlineChange.objects.count())


def _dated(challenge, position: int, description: str, due: datetime.date | None, **fields):
    if due is None:
        return ActionPointFactory(
            challenge=challenge, position=position, description=description, **fields
        )
    return ActionPointFactory(
        challenge=challenge,
        position=position,
        description=description,
        deadline=due.isoformat(),
        deadline_precision="day",
        due_date=due,
        **fields,
    )


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def foreign_point(world):
    """An action point of the same plan in a group Jad has no part in."""
    group = WorkingGroupFactory(plan=world.plan, number=2, name="Protection Monitoring")
    challenge = ChallengeFactory(working_group=group, number=1, description="No monitoring")
    return ActionPointFactory(challenge=challenge, position=1, description="Share forms")


def _urls(world) -> dict[str, str]:
    pk = world.action_point.pk
    return {
        "actionpoint_detail": f"/action-points/{pk}/",
        "actionpoint_update": f"/action-points/{pk}/update/",
        "actionpoint_reschedule": f"/action-points/{pk}/reschedule/",
        "my_action_points": "/my/action-points/",
    }


def _update(point: ActionPoint, **overrides) -> dict[str, str]:
    data = {
        "status": "in_progress",
        "progress": "50",
        "note": "Draft tool list shared with the IMWG",
        "evidence_url": "",
        "version": str(point.version),
    }
    return data | overrides


def _reschedule(point: ActionPoint, **overrides) -> dict[str, str]:
    data = {
        "deadline": "Q3 2019",
        "reason": "Partners asked for time",
        "version": str(point.version),
    }
    return data | overrides


# --- every view ------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    "view",
    ["actionpoint_detail", "actionpoint_update", "actionpoint_reschedule", "my_action_points"],
)
def test_action_point_views_send_anonymous_to_login(client, world, view, method):
    url = _urls(world)[view]
    data = _update(world.action_point) if method == "post" else {}

    response = getattr(client, method)(url, data)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"
    assert _written() == (0, 0)


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize(
    "view",
    ["actionpoint_detail", "actionpoint_update", "actionpoint_reschedule", "my_action_points"],
)
def test_action_point_views_refuse_other_methods(client, world, view, method):
    _login(client, world.admin)

    assert getattr(client, method)(_urls(world)[view]).status_code == 405


@pytest.mark.parametrize(
    ("view", "method"),
    [
        ("actionpoint_detail", "post"),
        ("actionpoint_update", "get"),
        ("my_action_points", "post"),
    ],
)
def test_action_point_views_refuse_the_other_of_get_and_post(client, world, view, method):
    _login(client, world.admin)

    response = getattr(client, method)(_urls(world)[view], _update(world.action_point))

    assert response.status_code == 405
    assert _written() == (0, 0)


# The methods each page answers; any other is 405 before the object is looked up.
METHODS = {
    "actionpoint_detail": ["get"],
    "actionpoint_update": ["post"],
    "actionpoint_reschedule": ["get", "post"],
}


def _answers(client, url: str, view: str, point: ActionPoint) -> list[int]:
    data = {"post": _update(point) | _reschedule(point), "get": {}}
    return [getattr(client, method)(url, data[method]).status_code for method in METHODS[view]]


@pytest.mark.parametrize("role", ["viewer", "outsider"])
@pytest.mark.parametrize("view", METHODS)
def test_action_point_views_hide_members_only_plan(client, world, view, role):
    _login(client, getattr(world, role))
    before = _state(world.action_point)

    answers = _answers(client, _urls(world)[view], view, world.action_point)

    assert answers == [404] * len(METHODS[view])
    assert _state(world.action_point) == before
    assert _written() == (0, 0)


def test_action_point_detail_hidden_page_does_not_leak(client, world):
    _login(client, world.outsider)

    response = client.get(f"/action-points/{world.action_point.pk}/")

    assertContains(response, "There is nothing here, or you may not see it.", status_code=404)
    assertNotContains(response, "IMWG", status_code=404)


@pytest.mark.parametrize("view", METHODS)
def test_action_point_views_hide_other_plan_from_member_and_coordinator(client, world, view):
    url = _urls(world)[view].replace(
        f"/{world.action_point.pk}/", f"/{world.other_action_point.pk}/"
    )
    for user in (world.member, world.coordinator):
        _login(client, user)

        answers = _answers(client, url, view, world.other_action_point)

        assert answers == [404] * len(METHODS[view])
    assert _written() == (0, 0)


@pytest.mark.parametrize("view", METHODS)
def test_action_point_views_answer_missing_point_like_hidden_one(client, world, view):
    _login(client, world.admin)
    url = _urls(world)[view].replace(f"/{world.action_point.pk}/", "/999999/")

    assert _answers(client, url, view, world.action_point) == [404] * len(METHODS[view])


# --- detail and timeline ---------------------------------------------------------


def test_actionpoint_detail_shows_the_facts(client, world):
    point = world.action_point
    services.action_point_reschedule(
        action_point=point, new_deadline="Q3 2019", reason="Set", changed_by=world.coordinator
    )
    _login(client, world.member)

    response = client.get(f"/action-points/{point.pk}/")

    assert response.status_code == 200
    assertContains(response, '<h1 dir="auto">IMWG to recommend standardized tools</h1>', html=True)
    assertContains(
        response,
        'Group 1: <span dir="auto">Data Sharing</span> · '
        'Challenge 1: <span dir="auto">Lack of tools</span>',
    )
    assertContains(
        response,
        '<span dir="auto">Q3 2019</span> <span class="muted">(by 30 Sep 2019, quarter)</span>',
    )
    assertContains(
        response,
        f'<a href="/people/{world.member_person.pk}/" dir="auto">Jad</a> – lead',
        html=False,
    )


def test_actionpoint_detail_timeline_shows_updates_moves_and_edits_with_who(client, world):
    point = world.action_point
    services.progress_update_create(
        action_point=point, author=world.member, status="in_progress", progress=50, note="Draft"
    )
    services.action_point_reschedule(
        action_point=point,
        new_deadline="Q3 2019",
        reason="Partners asked for time",
        changed_by=world.coordinator,
    )
    services.action_point_update(
        action_point=point, user=world.admin, description="IMWG to recommend common tools"
    )
    _login(client, world.member)

    response = client.get(f"/action-points/{point.pk}/")

    timeline = [(e.kind, e.who, e.title, e.details, e.note) for e in response.context["timeline"]]
    assert timeline == [
        (
            "edit",
            "admin",
            "Action point edited",
            ["Description: IMWG to recommend standardized tools → IMWG to recommend common tools"],
            "",
        ),
        (
            "deadline",
            "coordinator",
            "Rescheduled",
            ["Deadline: no deadline → Q3 2019"],
            "Partners asked for time",
        ),
        (
            "update",
            "member",
            "Progress update",
            ["Status: Not started → In progress", "Progress: 0 % → 50 %"],
            "Draft",
        ),
        ("edit", "system", "Focal point added: Jad (lead)", [], ""),
        ("created", "system", "Action point created", [], ""),
    ]
    html = response.content.decode()
    whens = re.findall(
        r'<div class="when"><time [^>]*>[^<]*</time> · <span dir="auto">(\w+)</span></div>', html
    )
    assert whens == ["admin", "coordinator", "member", "system", "system"]
    assertContains(response, "<li>Status: Not started → In progress</li>", html=True)


def test_actionpoint_detail_timeline_shows_slippage_in_days(client, world):
    point = world.action_point
    services.action_point_reschedule(
        action_point=point, new_deadline="March 2019", reason="Set", changed_by=world.coordinator
    )
    services.action_point_reschedule(
        action_point=point, new_deadline="June 2019", reason="Late", changed_by=world.coordinator
    )
    _login(client, world.coordinator)

    response = client.get(f"/action-points/{point.pk}/")

    assert response.context["timeline"][0].details == [
        "Deadline: March 2019 → June 2019",
        "Moved by 91 days",
    ]


def test_actionpoint_detail_member_may_update_but_not_edit(client, world):
    _login(client, world.member)

    response = client.get(f"/action-points/{world.action_point.pk}/")

    assert (response.context["can_update"], response.context["can_edit"]) == (True, False)
    assertContains(response, "Save update")
    assertNotContains(response, "Move the deadline")
    assertNotContains(response, "Edit action point")


def test_actionpoint_detail_coordinator_may_update_and_reschedule(client, world):
    _login(client, world.coordinator)

    response = client.get(f"/action-points/{world.action_point.pk}/")

    assert (response.context["can_update"], response.context["can_edit"]) == (True, True)
    assertContains(response, "Save update")
    assertContains(response, "Move the deadline")
    assertContains(response, "Edit action point")


def test_actionpoint_detail_viewer_of_plan_open_to_all_only_reads(client):
    world = build_world(visibility=PlanVisibility.SIGNED_IN)
    _login(client, world.viewer)

    response = client.get(f"/action-points/{world.action_point.pk}/")

    assert response.status_code == 200
    assertContains(response, "Timeline")
    for control in ["Save update", "Move the deadline", "Edit action point", "Delete"]:
        assertNotContains(response, control)


def test_actionpoint_detail_member_only_reads_others_action_points(client, world, foreign_point):
    _login(client, world.member)

    response = client.get(f"/action-points/{foreign_point.pk}/")

    assert response.status_code == 200
    assertNotContains(response, "Save update")


# --- progress updates ------------------------------------------------------------


def test_actionpoint_update_records_progress_and_redirects(client, world):
    point = world.action_point
    _login(client, world.member)

    response = client.post(f"/action-points/{point.pk}/update/", _update(point))

    assert response.status_code == 302
    assert response["Location"] == f"/action-points/{point.pk}/"
    update = ProgressUpdate.objects.get()
    assert (
        update.action_point,
        update.author,
        update.previous_status,
        update.previous_progress,
        update.status,
        update.progress,
        update.note,
    ) == (
        point,
        world.member,
        "not_started",
        0,
        "in_progress",
        50,
        "Draft tool list shared with the IMWG",
    )
    assert _state(point) == ("in_progress", 50, "", None, 2)
    assertContains(client.get(response["Location"]), "Update recorded.")


def test_actionpoint_update_returns_to_the_plan_page_it_came_from(client, world):
    point = world.action_point
    _login(client, world.member)
    back = f"/plans/{world.plan.pk}/#ap-{point.pk}"

    response = client.post(f"/action-points/{point.pk}/update/", _update(point, next=back))

    assert response.status_code == 302
    assert response["Location"] == back


def test_actionpoint_update_ignores_next_to_another_site(client, world):
    point = world.action_point
    _login(client, world.member)

    response = client.post(
        f"/action-points/{point.pk}/update/", _update(point, next="https://evil.example/")
    )

    assert response["Location"] == f"/action-points/{point.pk}/"


def test_actionpoint_update_with_htmx_returns_the_card(client, world):
    point = world.action_point
    _login(client, world.member)

    response = client.post(
        f"/action-points/{point.pk}/update/", _update(point), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    # Focus returns to the card (plan-table.js reads data-focus-after-swap).
    card = f'<li class="action-point" id="ap-{point.pk}" tabindex="-1" data-focus-after-swap>'
    assert response.content.decode().startswith(card)
    assertContains(response, "Update recorded.")
    assertNotContains(response, "<html")
    assert ProgressUpdate.objects.get().author == world.member
    assert _state(point) == ("in_progress", 50, "", None, 2)
    # The card's form is ready for the next update.
    assertContains(response, '<input type="hidden" name="version" value="2"', html=False)
    # The message was shown in the card; the next page does not repeat it.
    assertNotContains(client.get(f"/plans/{world.plan.pk}/"), "Update recorded.")


def test_actionpoint_update_completing_sets_progress_to_100(client, world):
    point = world.action_point
    _login(client, world.member)

    client.post(
        f"/action-points/{point.pk}/update/", _update(point, status="completed", progress="40")
    )

    assert _state(point)[:2] == ("completed", 100)
    assert (ProgressUpdate.objects.get().status, ProgressUpdate.objects.get().progress) == (
        "completed",
        100,
    )


def test_actionpoint_update_reopening_is_recorded(client, world):
    point = world.action_point
    services.progress_update_create(
        action_point=point, author=world.member, status="completed", note="Done."
    )
    _login(client, world.member)

    client.post(
        f"/action-points/{point.pk}/update/",
        _update(point, status="in_progress", progress="80", note="Reopened: one tool missing"),
    )

    latest = ProgressUpdate.objects.first()
    assert (latest.previous_status, latest.previous_progress, latest.status, latest.progress) == (
        "completed",
        100,
        "in_progress",
        80,
    )


@pytest.mark.parametrize("htmx", [False, True])
def test_actionpoint_update_invalid_progress_shows_error_and_writes_nothing(client, world, htmx):
    point = world.action_point
    _login(client, world.member)
    headers = {"HX-Request": "true"} if htmx else {}

    response = client.post(
        f"/action-points/{point.pk}/update/", _update(point, progress="150"), headers=headers
    )

    assert response.status_code == 200
    assertContains(response, "Ensure this value is less than or equal to 100.")
    assert _state(point) == ("not_started", 0, "", None, 1)
    assert _written() == (0, 0)


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        (
            {"status": "done"},
            "status",
            "Select a valid choice. done is not one of the available choices.",
        ),
        ({"progress": "half"}, "progress", "Enter a whole number."),
        ({"evidence_url": "not a link"}, "evidence_url", "Enter a valid URL."),
    ],
)
def test_actionpoint_update_bad_input_shows_field_error(client, world, data, field, error):
    point = world.action_point
    _login(client, world.member)

    response = client.post(f"/action-points/{point.pk}/update/", _update(point, **data))

    assert response.status_code == 200
    assert response.context["update_form"].errors == {field: [error]}
    assert _written() == (0, 0)


def test_actionpoint_update_with_nothing_new_says_so(client, world):
    point = world.action_point
    _login(client, world.member)

    response = client.post(
        f"/action-points/{point.pk}/update/",
        _update(point, status="not_started", progress="0", note=""),
    )

    assert response.status_code == 200
    assertContains(
        response,
        "Nothing to record: change the status or progress, or add a note or evidence link.",
    )
    assert _written() == (0, 0)


@pytest.mark.parametrize("htmx", [False, True])
def test_actionpoint_update_stale_version_shows_conflict_and_writes_nothing(client, world, htmx):
    point = world.action_point
    _login(client, world.member)
    stale = _update(point, status="blocked", progress="10")
    # Meanwhile, the coordinator records progress.
    services.progress_update_create(
        action_point=point, author=world.coordinator, status="in_progress", progress=60
    )
    headers = {"HX-Request": "true"} if htmx else {}

    response = client.post(f"/action-points/{point.pk}/update/", stale, headers=headers)

    assert response.status_code == 200
    assertContains(response, CONFLICT)
    assert response.context["conflict"]["rows"] == [
        {"label": "Status", "theirs": "In progress", "mine": "Blocked"},
        {"label": "Progress", "theirs": 60, "mine": 10},
    ]
    assert _state(point) == ("in_progress", 60, "", None, 2)
    assert ProgressUpdate.objects.count() == 1
    # Saving again applies the user's values on top of the other change.
    assertContains(response, '<input type="hidden" name="version" value="2"', html=False)


def test_actionpoint_update_forbidden_to_viewer_of_plan_open_to_all(client):
    world = build_world(visibility=PlanVisibility.SIGNED_IN)
    _login(client, world.viewer)
    point = world.action_point

    response = client.post(f"/action-points/{point.pk}/update/", _update(point))

    assert response.status_code == 403
    assertContains(
        response,
        "Only the plan&#x27;s coordinators and this action point&#x27;s group members "
        "and focal points can update it.",
        status_code=403,
    )
    assert _state(point) == ("not_started", 0, "", None, 1)
    assert _written() == (0, 0)


def test_actionpoint_update_forbidden_on_member_s_other_action_points(client, world, foreign_point):
    _login(client, world.member)

    response = client.post(f"/action-points/{foreign_point.pk}/update/", _update(foreign_point))

    assert response.status_code == 403
    assert _written() == (0, 0)


def test_actionpoint_update_allowed_to_focal_point_outside_the_group(client, world, foreign_point):
    rana_user = UserFactory(username="rana")
    FocalPointFactory(
        action_point=foreign_point,
        person=PersonFactory(name="Rana", user=rana_user),
        role="support",
    )
    _login(client, rana_user)

    response = client.post(f"/action-points/{foreign_point.pk}/update/", _update(foreign_point))

    assert response.status_code == 302
    assert ProgressUpdate.objects.get().author == rana_user


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_actionpoint_update_allowed_to_coordinators_and_admins(client, world, role):
    _login(client, getattr(world, role))
    point = world.action_point

    response = client.post(f"/action-points/{point.pk}/update/", _update(point))

    assert response.status_code == 302
    assert ProgressUpdate.objects.get().author == getattr(world, role)


# --- rescheduling ----------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_actionpoint_reschedule_moves_deadline_and_records_it(client, world, role):
    user = getattr(world, role)
    point = world.action_point
    _login(client, user)

    response = client.post(f"/action-points/{point.pk}/reschedule/", _reschedule(point))

    assert response.status_code == 302
    assert response["Location"] == f"/action-points/{point.pk}/"
    assert _state(point) == ("not_started", 0, "Q3 2019", datetime.date(2019, 9, 30), 2)
    point.refresh_from_db()
    assert point.deadline_precision == "quarter"
    change = DeadlineChange.objects.get()
    assert (
        change.old_deadline,
        change.old_due_date,
        change.new_deadline,
        change.new_due_date,
        change.changed_by,
        change.reason,
    ) == ("", None, "Q3 2019", datetime.date(2019, 9, 30), user, "Partners asked for time")
    assertContains(client.get(response["Location"]), "Deadline moved to “Q3 2019”.")


def test_actionpoint_reschedule_page_shows_the_form(client, world):
    _login(client, world.coordinator)

    response = client.get(f"/action-points/{world.action_point.pk}/reschedule/")

    assert response.status_code == 200
    assert response.context["focus"] == "reschedule"
    assertContains(response, "Move the deadline")


def test_actionpoint_reschedule_forbidden_to_member(client, world):
    point = world.action_point
    _login(client, world.member)

    post = client.post(f"/action-points/{point.pk}/reschedule/", _reschedule(point))
    get = client.get(f"/action-points/{point.pk}/reschedule/")

    assert (post.status_code, get.status_code) == (403, 403)
    assertContains(
        post, "Only the plan&#x27;s coordinators can change its structure.", status_code=403
    )
    assert _state(point) == ("not_started", 0, "", None, 1)
    assert _written() == (0, 0)


def test_actionpoint_reschedule_forbidden_to_viewer_of_plan_open_to_all(client):
    world = build_world(visibility=PlanVisibility.SIGNED_IN)
    _login(client, world.viewer)

    response = client.post(
        f"/action-points/{world.action_point.pk}/reschedule/", _reschedule(world.action_point)
    )

    assert response.status_code == 403
    assert _written() == (0, 0)


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"reason": ""}, "reason", "This field is required."),
        ({"reason": "   "}, "reason", "This field is required."),
        (
            {"deadline": "after the rains"},
            "deadline",
            'Cannot read the deadline "after the rains". Write it as, for example: '
            f"{DEADLINE_EXAMPLES}.",
        ),
        ({"deadline": ""}, "deadline", 'The deadline is already "".'),
    ],
)
def test_actionpoint_reschedule_bad_input_shows_error_and_writes_nothing(
    client, world, data, field, error
):
    point = world.action_point
    _login(client, world.coordinator)

    response = client.post(f"/action-points/{point.pk}/reschedule/", _reschedule(point, **data))

    assert response.status_code == 200
    assert response.context["reschedule_form"].errors == {field: [error]}
    assert _state(point) == ("not_started", 0, "", None, 1)
    assert _written() == (0, 0)


def test_actionpoint_reschedule_to_no_deadline(client, world):
    point = world.action_point
    services.action_point_reschedule(
        action_point=point, new_deadline="2019", reason="Set", changed_by=world.coordinator
    )
    _login(client, world.coordinator)

    client.post(f"/action-points/{point.pk}/reschedule/", _reschedule(point, deadline="ongoing"))

    assert _state(point)[2:4] == ("ongoing", None)
    assert DeadlineChange.objects.first().new_due_date is None


def test_actionpoint_reschedule_stale_version_shows_conflict(client, world):
    point = world.action_point
    _login(client, world.coordinator)
    stale = _reschedule(point)
    services.progress_update_create(action_point=point, author=world.member, note="Started")

    response = client.post(f"/action-points/{point.pk}/reschedule/", stale)

    assert response.status_code == 200
    assertContains(response, CONFLICT)
    assert response.context["conflict"]["rows"] == [
        {"label": "Deadline", "theirs": "", "mine": "Q3 2019"}
    ]
    assert response.context["reschedule_form"]["version"].value() == 2
    assert _state(point) == ("not_started", 0, "", None, 2)
    assert DeadlineChange.objects.count() == 0


# --- my action points ------------------------------------------------------------


def _my_points(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'<td><a href="/action-points/\d+/" dir="auto">(.*?)</a>', html)


def _cells(response) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", response.content.decode(), re.S).group(1)
    return [
        [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_my_action_points_lists_only_the_member_s_overdue_first(client, world, foreign_point):
    challenge = world.challenge
    _dated(challenge, 2, "Future", FUTURE)
    _dated(challenge, 3, "No date", None, status="in_progress", progress=10)
    _dated(challenge, 4, "Past", PAST)
    _dated(challenge, 5, "Done late", PAST, status="completed", progress=100)
    # In a group Jad has no part in, but he is a focal point there.
    focal = _dated(
        foreign_point.challenge, 2, "Focal elsewhere", datetime.date(2019, 6, 30), status="blocked"
    )
    FocalPointFactory(action_point=focal, person=world.member_person, role="support")
    _login(client, world.member)

    response = client.get("/my/action-points/")

    assert response.status_code == 200
    assert response.context["nav"] == "mine"
    assert _my_points(response) == [
        "Past",
        "Focal elsewhere",
        "Future",
        "IMWG to recommend standardized tools",
        "No date",
        "Done late",
    ]
    assertContains(response, "6 action points, overdue first")
    assertNotContains(response, "Share forms")
    assertNotContains(response, "Secret action")


def test_my_action_points_shows_the_member_s_role(client, world):
    _login(client, world.member)

    response = client.get("/my/action-points/")

    assert [row[-1] for row in _cells(response)] == ["Lead"]


def test_my_action_points_filters(client, world):
    _dated(world.challenge, 2, "Done", PAST, status="completed", progress=100)
    _dated(world.challenge, 3, "Late", PAST)
    _login(client, world.member)

    assert _my_points(client.get("/my/action-points/?status=completed")) == ["Done"]
    assert _my_points(client.get("/my/action-points/?overdue=true")) == ["Late"]
    assert _my_points(client.get("/my/action-points/?q=imwg")) == [
        "IMWG to recommend standardized tools"
    ]
    assertContains(
        client.get("/my/action-points/?q=nothing"), "No action point matches the filters."
    )


def test_my_action_points_offers_only_the_choices_of_the_member_s_points(
    client, world, foreign_point
):
    # The plan is members-only and Jad belongs to it, so he may see foreign_point's
    # group, challenge and focal point; the filters offer only his own points' ones.
    rana = PersonFactory(name="Rana", organization=OrganizationFactory(name="UNHCR"))
    FocalPointFactory(action_point=foreign_point, person=rana, role="lead")
    drc = OrganizationFactory(name="Danish Refugee Council", acronym="DRC")
    fred = PersonFactory(name="Fred", organization=drc)
    FocalPointFactory(action_point=world.action_point, person=fred, role="advisor")
    _login(client, world.member)

    form = client.get("/my/action-points/").context["filterset"].form

    def labels(name: str) -> list[str]:
        return [str(label) for value, label in form.fields[name].choices if value != ""]

    assert labels("plan") == ["PIM Lebanon Action Plan"]
    assert labels("working_group") == ["Group 1: Data Sharing"]
    assert labels("challenge") == ["1. Lack of tools"]
    assert labels("focal_point") == ["Fred", "Jad"]
    assert labels("organization") == ["Danish Refugee Council (DRC)"]


def test_my_action_points_follows_chosen_order(client, world):
    _dated(world.challenge, 2, "Later", FUTURE)
    _dated(world.challenge, 3, "Late", PAST)
    _dated(world.challenge, 4, "Done", datetime.date(2020, 1, 1), status="completed", progress=100)
    # Every point dated: databases disagree on where a descending order puts NULLs.
    services.action_point_reschedule(
        action_point=world.action_point,
        new_deadline="2019-12-31",
        reason="Set",
        changed_by=world.coordinator,
    )
    _login(client, world.member)

    response = client.get("/my/action-points/?ordering=-due_date")

    assert _my_points(response) == [
        "Later",
        "Done",
        "IMWG to recommend standardized tools",
        "Late",
    ]
    assertContains(response, '<caption class="muted">4 action points</caption>', html=True)


def test_my_action_points_invalid_filter_shows_error_and_nothing(client, world):
    _login(client, world.member)

    response = client.get("/my/action-points/?due_before=someday")

    assert response.status_code == 200
    assert response.context["filterset"].form.errors == {"due_before": ["Enter a valid date."]}
    assert _my_points(response) == []


def test_my_action_points_filter_cannot_reach_hidden_plan(client, world):
    _login(client, world.member)

    response = client.get(f"/my/action-points/?plan={world.other_plan.pk}")

    assert response.context["filterset"].form.errors == {
        "plan": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert _my_points(response) == []


def test_my_action_points_explains_account_without_person(client, world):
    _login(client, world.viewer)

    response = client.get("/my/action-points/")

    assert response.status_code == 200
    assertContains(
        response,
        "Your account is not linked to a person named in a plan, so no action point is yours yet.",
    )
    assertNotContains(response, "<table>")


def test_my_action_points_empty_for_person_without_action_points(client, world):
    user = UserFactory(username="rana")
    PersonFactory(name="Rana", user=user)
    _login(client, user)

    response = client.get("/my/action-points/")

    assertContains(response, '<p class="card">No action point.</p>', html=True)


def test_actionpoint_detail_timeline_shows_focal_point_changes(client):
    from actionplans.services import FocalPointAssignment, focal_points_assign
    from tests.factories import PersonFactory

    world = build_world()
    rana = PersonFactory(name="Rana")
    focal_points_assign(
        action_point=world.action_point,
        assignments=[
            FocalPointAssignment(world.member_person, "support"),
            FocalPointAssignment(rana),
        ],
        user=world.coordinator,
    )
    client.force_login(world.coordinator)
    response = client.get(f"/action-points/{world.action_point.pk}/")
    titles = [entry.title for entry in response.context["timeline"]]
    assert "Focal point added: Rana (lead)" in titles
    assert "Focal point Jad: lead → support" in titles
    assert "Focal point added: Jad (lead)" in titles


@pytest.mark.parametrize(
    ("role", "status"),
    [("member", 200), ("coordinator", 200), ("admin", 200), ("viewer", 404), ("outsider", 404)],
)
def test_actionpoint_update_form_fragment_per_role(client, role, status):
    world = build_world()
    client.force_login(getattr(world, role))
    response = client.get(f"/action-points/{world.action_point.pk}/update-form/")
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert html.startswith("<form") and 'name="version" value="1"' in html


def test_actionpoint_update_form_fragment_forbidden_for_signed_in_viewer():
    from django.test import Client

    world = build_world(visibility="signed_in")
    client = Client()
    client.force_login(world.viewer)
    assert client.get(f"/action-points/{world.action_point.pk}/update-form/").status_code == 403
    assert client.post(f"/action-points/{world.action_point.pk}/update-form/").status_code == 405


def test_large_plan_page_leaves_forms_out(client):
    from actionplans.plan_page import INLINE_FORMS_MAX
    from tests.factories import ActionPointFactory

    world = build_world()
    for position in range(2, INLINE_FORMS_MAX + 2):
        ActionPointFactory(challenge=world.challenge, position=position)
    client.force_login(world.coordinator)
    html = client.get(f"/plans/{world.plan.pk}/").content.decode()
    assert html.count("Save update") == 0
    assert html.count("/update-form/") == INLINE_FORMS_MAX + 1
