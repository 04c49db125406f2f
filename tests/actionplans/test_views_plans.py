"""Plan pages: list, add, edit, close, delete, detail and activity.

Who may do what follows docs/domain.md: a hidden plan answers 404, a plan seen but
not changeable answers 403.
"""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from pytest_django.asserts import assertContains, assertNotContains

from actionplans import services
from actionplans.choices import PlanVisibility
from actionplans.models import (
    ActionPlan,
    ActionPoint,
    Challenge,
    FocalPoint,
    WorkingGroup,
)
from tests.factories import (
    ActionPointFactory,
    ChallengeFactory,
    FocalPointFactory,
    PersonFactory,
    UserFactory,
    WorkingGroupFactory,
)
from tests.users import build_world

pytestmark = pytest.mark.django_db

PAST = datetime.date(2019, 3, 31)
FUTURE = datetime.date(2099, 1, 31)


# --- helpers ---------------------------------------------------------------------


def _login(client, user):
    client.force_login(user)
    return client


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _rows(response) -> list[list[str]]:
    """The text of every body cell of the page's one table, row by row."""
    bodies = re.findall(r"<tbody>(.*?)</tbody>", response.content.decode(), re.S)
    assert len(bodies) == 1
    return [
        [_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", bodies[0], re.S)
    ]


def _plan_titles(response) -> list[str]:
    """The plans listed, by the text of their links."""
    return re.findall(r'<td><a href="/plans/\d+/" dir="auto">(.*?)</a>', response.content.decode())


def _card_ids(response) -> list[int]:
    """Ids of the action point cards on a plan page, in page order."""
    html = response.content.decode()
    return [int(pk) for pk in re.findall(r'<li class="action-point" id="ap-(\d+)">', html)]


def _counts() -> dict[str, int]:
    return {
        "plans": ActionPlan.objects.count(),
        "groups": WorkingGroup.objects.count(),
        "challenges": Challenge.objects.count(),
        "action_points": ActionPoint.objects.count(),
        "focal_points": FocalPoint.objects.count(),
    }


def _point(challenge, position: int, description: str, **fields) -> ActionPoint:
    return ActionPointFactory(
        challenge=challenge, position=position, description=description, **fields
    )


def _dated(challenge, position: int, description: str, due: datetime.date, **fields):
    return _point(
        challenge,
        position,
        description,
        deadline=due.isoformat(),
        deadline_precision="day",
        due_date=due,
        **fields,
    )


@pytest.fixture
def world():
    return build_world()


def _urls(world) -> dict[str, str]:
    pk = world.plan.pk
    return {
        "plan_list": "/plans/",
        "plan_add": "/plans/add/",
        "plan_detail": f"/plans/{pk}/",
        "plan_edit": f"/plans/{pk}/edit/",
        "plan_close": f"/plans/{pk}/close/",
        "plan_delete": f"/plans/{pk}/delete/",
        "plan_activity": f"/plans/{pk}/activity/",
    }


VIEWS = [
    "plan_list",
    "plan_add",
    "plan_detail",
    "plan_edit",
    "plan_close",
    "plan_delete",
    "plan_activity",
]
# Views of one plan, and the method each one answers with a page or an action.
PLAN_VIEWS = {
    "plan_detail": "get",
    "plan_edit": "get",
    "plan_close": "post",
    "plan_delete": "get",
    "plan_activity": "get",
}
CHANGE_VIEWS = ["plan_edit", "plan_close", "plan_delete"]


# --- every view ------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("view", VIEWS)
def test_plan_views_send_anonymous_to_login(client, world, view, method):
    url = _urls(world)[view]

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize("view", VIEWS)
def test_plan_views_refuse_other_methods(client, world, view, method):
    _login(client, world.admin)

    response = getattr(client, method)(_urls(world)[view])

    assert response.status_code == 405
    assert ActionPlan.objects.filter(pk=world.plan.pk).exists()


@pytest.mark.parametrize("view", ["plan_list", "plan_detail", "plan_activity"])
def test_plan_read_only_views_refuse_post(client, world, view):
    _login(client, world.admin)

    assert client.post(_urls(world)[view]).status_code == 405


def test_plan_close_refuses_get(client, world):
    _login(client, world.coordinator)

    response = client.get(f"/plans/{world.plan.pk}/close/")

    assert response.status_code == 405
    world.plan.refresh_from_db()
    assert world.plan.status == "active"


@pytest.mark.parametrize("role", ["viewer", "outsider"])
@pytest.mark.parametrize("view", PLAN_VIEWS)
def test_plan_views_hide_members_only_plan_from_non_members(client, world, view, role):
    _login(client, getattr(world, role))

    response = getattr(client, PLAN_VIEWS[view])(_urls(world)[view])

    assert response.status_code == 404
    assertContains(response, "There is nothing here, or you may not see it.", status_code=404)
    assertNotContains(response, "PIM Lebanon Action Plan", status_code=404)


@pytest.mark.parametrize("view", PLAN_VIEWS)
def test_plan_views_hide_other_plan_from_its_non_coordinator(client, world, view):
    # The coordinator of one plan has no business in another.
    _login(client, world.coordinator)
    url = _urls(world)[view].replace(f"/{world.plan.pk}/", f"/{world.other_plan.pk}/")

    response = getattr(client, PLAN_VIEWS[view])(url)

    assert response.status_code == 404


@pytest.mark.parametrize("view", PLAN_VIEWS)
def test_plan_views_answer_missing_plan_like_hidden_one(client, world, view):
    _login(client, world.admin)
    url = _urls(world)[view].replace(f"/{world.plan.pk}/", "/999999/")

    assert getattr(client, PLAN_VIEWS[view])(url).status_code == 404


@pytest.mark.parametrize("view", CHANGE_VIEWS)
def test_plan_change_views_forbidden_to_member(client, world, view):
    _login(client, world.member)
    url = _urls(world)[view]

    responses = [client.post(url, {"title": "Changed", "confirm": "on"})]
    if view != "plan_close":
        responses.append(client.get(url))

    assert [r.status_code for r in responses] == [403] * len(responses)
    world.plan.refresh_from_db()
    assert (world.plan.title, world.plan.status) == ("PIM Lebanon Action Plan", "active")


@pytest.mark.parametrize("view", CHANGE_VIEWS)
def test_plan_change_views_forbidden_to_viewer_of_plan_open_to_all(client, view):
    world = build_world(visibility=PlanVisibility.SIGNED_IN)
    _login(client, world.viewer)
    url = _urls(world)[view]

    response = client.post(url, {"title": "Changed", "confirm": "on"})

    assert response.status_code == 403
    assertContains(
        response, "Only the plan&#x27;s coordinators can change its structure.", status_code=403
    )
    world.plan.refresh_from_db()
    assert (world.plan.title, world.plan.status) == ("PIM Lebanon Action Plan", "active")


# --- plan list -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "titles"),
    [
        ("admin", ["Other plan", "PIM Lebanon Action Plan"]),
        ("coordinator", ["PIM Lebanon Action Plan"]),
        ("member", ["PIM Lebanon Action Plan"]),
        ("viewer", []),
        ("outsider", []),
    ],
)
def test_plan_list_shows_each_role_the_plans_it_may_see(client, world, role, titles):
    _login(client, getattr(world, role))

    response = client.get("/plans/")

    assert response.status_code == 200
    assert response.context["nav"] == "plans"
    assert _plan_titles(response) == titles


def test_plan_list_explains_an_empty_list(client, world):
    _login(client, world.outsider)

    response = client.get("/plans/")

    assertContains(
        response,
        "No plan matches yet: you see the plans you coordinate or take part in, "
        "and those open to all signed-in users.",
    )


def test_plan_list_shows_plan_open_to_all_signed_in_users_to_viewer(client):
    world = build_world(visibility=PlanVisibility.SIGNED_IN)
    _login(client, world.viewer)

    response = client.get("/plans/")

    assert _plan_titles(response) == ["PIM Lebanon Action Plan"]


def test_plan_list_counts_open_overdue_and_completed(client, world):
    challenge = world.challenge
    _dated(challenge, 2, "Late", PAST)
    _dated(challenge, 3, "Later", FUTURE, status="in_progress", progress=20)
    _dated(challenge, 4, "Late but done", PAST, status="completed", progress=100)
    _dated(challenge, 5, "Late but dropped", PAST, status="cancelled")
    _login(client, world.coordinator)

    response = client.get("/plans/")

    assert [row[:6] for row in _rows(response)] == [
        ["PIM Lebanon Action Plan", "Lebanon", "Active", "3", "1 overdue", "1"]
    ]


def test_plan_list_shows_zero_counts_for_empty_plan(client, world):
    _login(client, world.admin)
    ActionPoint.objects.all().delete()

    response = client.get("/plans/")

    assert [row[:6] for row in _rows(response)] == [
        ["Other plan", "Lebanon", "Active", "0", "0", "0"],
        ["PIM Lebanon Action Plan", "Lebanon", "Active", "0", "0", "0"],
    ]


def test_plan_list_searches_title_country_and_origin(client, world):
    world.other_plan.country = "Iraq"
    world.other_plan.origin = "PIM training, Erbil"
    world.other_plan.save()
    _login(client, world.admin)

    assert _plan_titles(client.get("/plans/?q=lebanon")) == ["PIM Lebanon Action Plan"]
    assert _plan_titles(client.get("/plans/?q=IRAQ")) == ["Other plan"]
    assert _plan_titles(client.get("/plans/?q=erbil")) == ["Other plan"]
    assert _plan_titles(client.get("/plans/?q=plan")) == ["Other plan", "PIM Lebanon Action Plan"]
    assert _plan_titles(client.get("/plans/?q=nowhere")) == []


def test_plan_list_search_never_reveals_hidden_plans(client, world):
    _login(client, world.coordinator)

    assert _plan_titles(client.get("/plans/?q=other")) == []


def test_plan_list_filters_by_status(client, world):
    world.other_plan.status = "closed"
    world.other_plan.save()
    _login(client, world.admin)

    assert _plan_titles(client.get("/plans/?status=closed")) == ["Other plan"]
    assert _plan_titles(client.get("/plans/?status=active")) == ["PIM Lebanon Action Plan"]
    assert _plan_titles(client.get("/plans/?status=draft")) == []


def test_plan_list_invalid_status_shows_error_and_no_plan(client, world):
    _login(client, world.admin)

    response = client.get("/plans/?status=archived")

    assert response.status_code == 200
    assert response.context["filterset"].form.errors == {
        "status": ["Select a valid choice. archived is not one of the available choices."]
    }
    assert _plan_titles(response) == []
    assertContains(response, "No plan matches.")


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_plan_list_offers_new_plan_to_creators(client, world, role):
    _login(client, getattr(world, role))

    response = client.get("/plans/")

    assertContains(response, '<a class="button" href="/plans/add/">New plan</a>', html=True)


@pytest.mark.parametrize("role", ["member", "viewer", "outsider"])
def test_plan_list_hides_new_plan_from_others(client, world, role):
    _login(client, getattr(world, role))

    assertNotContains(client.get("/plans/"), "New plan")


# --- plan add --------------------------------------------------------------------


def _plan_data(**overrides) -> dict:
    data = {
        "title": "PIM Iraq Action Plan",
        "country": "Iraq",
        "origin": "PIM training, Erbil, 2019",
        "status": "active",
        "visibility": "members",
    }
    return data | overrides


def _creator_with_permission():
    user = UserFactory(username="planner")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="actionplans", codename="add_actionplan")
    )
    return user


@pytest.mark.parametrize("creator", ["admin", "coordinator", "planner"])
def test_plan_add_creates_plan_with_creator_as_coordinator(client, world, creator):
    user = _creator_with_permission() if creator == "planner" else getattr(world, creator)
    _login(client, user)
    assert client.get("/plans/add/").status_code == 200

    response = client.post("/plans/add/", _plan_data())

    plan = ActionPlan.objects.get(title="PIM Iraq Action Plan")
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{plan.pk}/"
    assert (plan.country, plan.origin, plan.status, plan.visibility) == (
        "Iraq",
        "PIM training, Erbil, 2019",
        "active",
        "members",
    )
    assert list(plan.coordinators.all()) == [user]
    assert [(h.history_type, h.history_user) for h in plan.history.all()] == [
        ("~", user),
        ("+", user),
    ]


def test_plan_add_adds_chosen_coordinators_beside_creator(client, world):
    _login(client, world.coordinator)

    # Jad's account is offered (a person of the coordinator's plan); the viewer, who
    # is no one's person, is typed (tests/test_coordinator_choice.py).
    data = _plan_data(coordinators=[world.member.pk], add_coordinator="viewer")
    client.post("/plans/add/", data)

    plan = ActionPlan.objects.get(title="PIM Iraq Action Plan")
    assert sorted(u.username for u in plan.coordinators.all()) == [
        "coordinator",
        "member",
        "viewer",
    ]


def test_plan_add_new_plan_is_seen_by_its_creator(client, world):
    _login(client, world.coordinator)

    response = client.post("/plans/add/", _plan_data(), follow=True)

    assert response.status_code == 200
    assertContains(response, "Plan “PIM Iraq Action Plan” created.")
    assert _plan_titles(client.get("/plans/")) == [
        "PIM Iraq Action Plan",
        "PIM Lebanon Action Plan",
    ]


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"title": ""}, "title", "This field is required."),
        (
            {"visibility": "everyone"},
            "visibility",
            "Select a valid choice. everyone is not one of the available choices.",
        ),
        (
            {"status": "archived"},
            "status",
            "Select a valid choice. archived is not one of the available choices.",
        ),
    ],
)
def test_plan_add_bad_input_shows_field_error_and_writes_nothing(client, world, data, field, error):
    _login(client, world.coordinator)
    before = _counts()

    response = client.post("/plans/add/", _plan_data(**data))

    assert response.status_code == 200
    assert response.context["form"].errors == {field: [error]}
    assertContains(response, error)
    assert _counts() == before


@pytest.mark.parametrize("role", ["member", "viewer", "outsider"])
def test_plan_add_forbidden_to_users_who_coordinate_nothing(client, world, role):
    _login(client, getattr(world, role))
    before = _counts()

    assert client.get("/plans/add/").status_code == 403
    assert client.post("/plans/add/", _plan_data()).status_code == 403
    assert _counts() == before


# --- plan edit -------------------------------------------------------------------


def test_plan_edit_shows_current_values(client, world):
    _login(client, world.coordinator)

    response = client.get(f"/plans/{world.plan.pk}/edit/")

    assert response.status_code == 200
    form = response.context["form"]
    assert (form["title"].value(), form["visibility"].value()) == (
        "PIM Lebanon Action Plan",
        "members",
    )
    assert form["coordinators"].value() == [world.coordinator.pk]
    assertContains(
        response, '<h1>Edit “<span dir="auto">PIM Lebanon Action Plan</span>”</h1>', html=True
    )


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_plan_edit_saves_changes(client, world, role):
    user = getattr(world, role)
    _login(client, user)

    response = client.post(
        f"/plans/{world.plan.pk}/edit/",
        _plan_data(
            title="PIM Lebanon Action Plan 2019",
            country="Lebanon",
            visibility="signed_in",
            coordinators=[world.coordinator.pk],
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == f"/plans/{world.plan.pk}/"
    world.plan.refresh_from_db()
    assert (world.plan.title, world.plan.visibility) == (
        "PIM Lebanon Action Plan 2019",
        "signed_in",
    )
    assert list(world.plan.coordinators.all()) == [world.coordinator]
    assert world.plan.history.first().history_user == user


def test_plan_edit_bad_input_shows_error_and_changes_nothing(client, world):
    _login(client, world.coordinator)

    response = client.post(
        f"/plans/{world.plan.pk}/edit/",
        _plan_data(title="", coordinators=[world.coordinator.pk]),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"title": ["This field is required."]}
    world.plan.refresh_from_db()
    assert world.plan.title == "PIM Lebanon Action Plan"


def test_plan_edit_without_coordinators_is_refused(client, world):
    _login(client, world.coordinator)

    response = client.post(f"/plans/{world.plan.pk}/edit/", _plan_data(title="Renamed"))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "coordinators": ["A plan needs at least one coordinator."]
    }
    world.plan.refresh_from_db()
    assert world.plan.title == "PIM Lebanon Action Plan"
    assert list(world.plan.coordinators.all()) == [world.coordinator]


# --- plan close ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_plan_close_closes_plan(client, world, role):
    _login(client, getattr(world, role))

    response = client.post(f"/plans/{world.plan.pk}/close/")

    assert response.status_code == 302
    assert response["Location"] == f"/plans/{world.plan.pk}/"
    world.plan.refresh_from_db()
    assert world.plan.status == "closed"
    page = client.get(response["Location"])
    assertContains(page, "Plan “PIM Lebanon Action Plan” closed.")
    assertNotContains(page, "Close plan")


def test_plan_close_twice_says_already_closed(client, world):
    _login(client, world.coordinator)
    client.post(f"/plans/{world.plan.pk}/close/")

    response = client.post(f"/plans/{world.plan.pk}/close/", follow=True)

    assertContains(response, "This plan is already closed.")
    assert world.plan.history.filter(status="closed").count() == 1


# --- plan delete -----------------------------------------------------------------


def test_plan_delete_confirmation_names_what_goes(client, world):
    services.progress_update_create(
        action_point=world.action_point, author=world.member, note="Started"
    )
    _login(client, world.coordinator)

    response = client.get(f"/plans/{world.plan.pk}/delete/")

    assert response.status_code == 200
    assert response.context["consequences"] == [
        "1 working group(s)",
        "1 challenge(s)",
        "1 action point(s)",
        "1 focal point assignment(s)",
        "1 progress update(s)",
        "0 deadline change(s)",
    ]
    assertContains(response, "<h1>Delete the plan “PIM Lebanon Action Plan”?</h1>", html=True)
    assertContains(response, "<li>1 working group(s)</li>", html=True)
    assertContains(response, "<li>1 action point(s)</li>", html=True)


def test_plan_delete_without_confirmation_deletes_nothing(client, world):
    _login(client, world.coordinator)
    before = _counts()

    response = client.post(f"/plans/{world.plan.pk}/delete/")

    assert response.status_code == 200
    assert response.context["form"].errors == {"confirm": ["This field is required."]}
    assertContains(response, "This field is required.")
    assert _counts() == before


def test_plan_delete_with_confirmation_deletes_plan_and_keeps_history(client, world):
    plan_pk, group_pk = world.plan.pk, world.group.pk
    point_pk = world.action_point.pk
    _login(client, world.coordinator)

    response = client.post(f"/plans/{plan_pk}/delete/", {"confirm": "on"})

    assert response.status_code == 302
    assert response["Location"] == "/plans/"
    assert list(ActionPlan.objects.values_list("title", flat=True)) == ["Other plan"]
    assert _counts() == {
        "plans": 1,
        "groups": 1,
        "challenges": 1,
        "action_points": 1,
        "focal_points": 0,
    }
    deleted = [
        (model.history.get(id=pk, history_type="-").history_user, label)
        for model, pk, label in [
            (ActionPlan, plan_pk, "plan"),
            (WorkingGroup, group_pk, "group"),
            (Challenge, world.challenge.pk, "challenge"),
            (ActionPoint, point_pk, "action point"),
        ]
    ]
    assert deleted == [
        (world.coordinator, "plan"),
        (world.coordinator, "group"),
        (world.coordinator, "challenge"),
        (world.coordinator, "action point"),
    ]
    assert ActionPlan.history.get(id=plan_pk, history_type="-").title == ("PIM Lebanon Action Plan")
    assertContains(client.get("/plans/"), "Plan “PIM Lebanon Action Plan” deleted.")


def test_plan_delete_keeps_people(client, world):
    _login(client, world.admin)

    client.post(f"/plans/{world.plan.pk}/delete/", {"confirm": "on"})

    world.member_person.refresh_from_db()
    assert world.member_person.name == "Jad"


# --- plan detail -----------------------------------------------------------------


@pytest.fixture
def layout(world):
    """Two groups with challenges and action points, created out of page order."""
    plan = world.plan
    second = WorkingGroupFactory(plan=plan, number=2, name="Protection Monitoring")
    rana = PersonFactory(name="Rana")
    second.team_members.add(rana)
    late_challenge = ChallengeFactory(working_group=world.group, number=3, description="Trust")
    early_challenge = ChallengeFactory(
        working_group=world.group, number=2, description="No definitions"
    )
    monitoring = ChallengeFactory(working_group=second, number=1, description="No monitoring")
    points = {
        "first": world.action_point,  # group 1, challenge 1, position 1; Jad leads it
        "trust_2": _dated(late_challenge, 2, "Build trust later", FUTURE, status="in_progress"),
        "trust_1": _dated(late_challenge, 1, "Build trust now", PAST),
        "definitions": _point(
            early_challenge, 1, "Agree on definitions", status="completed", progress=100
        ),
        "monitoring": _dated(monitoring, 1, "Share monitoring forms", datetime.date(2019, 6, 30)),
    }
    FocalPointFactory(action_point=points["monitoring"], person=rana, role="lead")
    FocalPointFactory(action_point=points["trust_1"], person=rana, role="support")
    return {"second": second, "rana": rana, **points}


def test_plan_detail_shows_groups_challenges_and_action_points_in_order(client, world, layout):
    _login(client, world.coordinator)

    response = client.get(f"/plans/{world.plan.pk}/?view=cards")

    assert response.status_code == 200
    html = response.content.decode()
    assert [_text(h) for h in re.findall(r'<h2 id="group-\d+-title">(.*?)</h2>', html)] == [
        "Group 1: Data Sharing",
        "Group 2: Protection Monitoring",
    ]
    assert [_text(h) for h in re.findall(r"<h3>(.*?)</h3>", html)] == [
        "1. Lack of tools",
        "2. No definitions",
        "3. Trust",
        "1. No monitoring",
    ]
    assert _card_ids(response) == [
        layout["first"].pk,
        layout["definitions"].pk,
        layout["trust_1"].pk,
        layout["trust_2"].pk,
        layout["monitoring"].pk,
    ]
    assertContains(
        response, '<strong>Team leader:</strong> <span dir="auto">Jad</span>', html=False
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=completed", ["definitions"]),
        ("status=not_started&status=in_progress", ["first", "trust_1", "trust_2", "monitoring"]),
        ("overdue=true", ["trust_1", "monitoring"]),
        ("overdue=false", ["first", "definitions", "trust_2"]),
        ("due_before=2019-06-30", ["trust_1", "monitoring"]),
        ("due_after=2019-04-01", ["trust_2", "monitoring"]),
        ("due_after=2019-04-01&due_before=2019-12-31", ["monitoring"]),
        ("q=TRUST", ["trust_1", "trust_2"]),
        ("q=rana", ["trust_1", "monitoring"]),
        ("q=nothing+like+this", []),
    ],
)
def test_plan_detail_filters_action_points(client, world, layout, query, expected):
    _login(client, world.coordinator)

    response = client.get(f"/plans/{world.plan.pk}/?view=cards&{query}")

    assert response.status_code == 200
    assert response.context["filterset"].form.errors == {}
    assert _card_ids(response) == [layout[name].pk for name in expected]
    assert response.context["body"].shown_count == len(expected)


def test_plan_detail_filters_by_working_group_and_focal_point(client, world, layout):
    _login(client, world.coordinator)
    url = f"/plans/{world.plan.pk}/?view=cards"

    by_group = client.get(f"{url}&working_group={layout['second'].pk}")
    by_person = client.get(f"{url}&focal_point={layout['rana'].pk}")
    by_jad = client.get(f"{url}&focal_point={world.member_person.pk}")

    assert _card_ids(by_group) == [layout["monitoring"].pk]
    assert _card_ids(by_person) == [layout["trust_1"].pk, layout["monitoring"].pk]
    assert _card_ids(by_jad) == [layout["first"].pk]


def test_plan_detail_filtered_page_says_how_many_are_shown(client, world, layout):
    _login(client, world.coordinator)

    response = client.get(f"/plans/{world.plan.pk}/?status=completed")

    assertContains(response, "Filter action points (1 shown)")
    assertContains(response, "No action point matches the filters.")


@pytest.mark.parametrize(
    ("query", "field", "error"),
    [
        (
            "status=archived",
            "status",
            "Select a valid choice. archived is not one of the available choices.",
        ),
        ("due_before=31/12/2019x", "due_before", "Enter a valid date."),
        ("due_after=soon", "due_after", "Enter a valid date."),
        (
            "working_group=abc",
            "working_group",
            "Select a valid choice. That choice is not one of the available choices.",
        ),
        (
            "focal_point=999999",
            "focal_point",
            "Select a valid choice. That choice is not one of the available choices.",
        ),
        (
            "organization=abc",
            "organization",
            "Select a valid choice. That choice is not one of the available choices.",
        ),
    ],
)
def test_plan_detail_invalid_filter_shows_error_and_no_action_point(
    client, world, layout, query, field, error
):
    _login(client, world.coordinator)

    response = client.get(f"/plans/{world.plan.pk}/?{query}")

    assert response.status_code == 200
    assert response.context["filterset"].form.errors == {field: [error]}
    assertContains(response, error)
    assert _card_ids(response) == []


def test_plan_detail_offers_no_ordering_and_ignores_it(client, world, layout):
    # The page follows the plan's order; an "Order by" control would do nothing.
    _login(client, world.coordinator)

    response = client.get(f"/plans/{world.plan.pk}/?view=cards&ordering=-due_date")

    assert "ordering" not in response.context["filterset"].form.fields
    assertNotContains(response, "Order by")
    assert _card_ids(response) == [
        layout["first"].pk,
        layout["definitions"].pk,
        layout["trust_1"].pk,
        layout["trust_2"].pk,
        layout["monitoring"].pk,
    ]


def test_plan_detail_refuses_working_group_of_another_plan(client, world):
    # A group id from a plan the user cannot see is "not a valid choice", not a leak.
    _login(client, world.admin)
    other_group = world.other_action_point.challenge.working_group

    response = client.get(f"/plans/{world.plan.pk}/?working_group={other_group.pk}")

    assert response.context["filterset"].form.errors == {
        "working_group": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert _card_ids(response) == []


def test_plan_detail_viewer_sees_no_edit_controls(client):
    world = build_world(visibility=PlanVisibility.SIGNED_IN)
    _login(client, world.viewer)

    response = client.get(f"/plans/{world.plan.pk}/?view=cards")

    assert response.status_code == 200
    assert _card_ids(response) == [world.action_point.pk]
    for control in [
        "Edit plan",
        "Add working group",
        "Close plan",
        "Delete plan",
        "Edit group",
        "Add challenge",
        "Add action point",
        "Update status",
        "Save update",
        f"/action-points/{world.action_point.pk}/edit/",
    ]:
        assertNotContains(response, control)


def test_plan_detail_member_may_update_only_their_action_points(client, world, layout):
    _login(client, world.member)

    response = client.get(f"/plans/{world.plan.pk}/?view=cards")

    html = response.content.decode()
    cards = dict(re.findall(r'<li class="action-point" id="ap-(\d+)">(.*?)</li>\n', html, re.S))
    with_update = [int(pk) for pk, card in cards.items() if "Update status" in card]
    # Jad leads group 1, so all its action points are his; group 2 is not.
    assert with_update == [
        layout["first"].pk,
        layout["definitions"].pk,
        layout["trust_1"].pk,
        layout["trust_2"].pk,
    ]
    assert html.count("Update status") == 4
    assertNotContains(response, "Edit plan")
    assertNotContains(response, "Edit group")


def test_plan_detail_coordinator_sees_edit_controls_everywhere(client, world, layout):
    _login(client, world.coordinator)

    response = client.get(f"/plans/{world.plan.pk}/?view=cards")

    html = response.content.decode()
    assert html.count("Update status") == 5
    assert html.count("Edit group") == 2
    assert html.count("Add action point") == 4
    assertContains(
        response,
        f'<a class="button secondary" href="/plans/{world.plan.pk}/edit/">Edit plan</a>',
        html=True,
    )


# --- plan activity ---------------------------------------------------------------


def _timeline(response) -> list[str]:
    html = response.content.decode()
    ol = re.search(r'<ol class="timeline">(.*?)</ol>', html, re.S).group(1)
    return [
        _text(item) for item in re.findall(r"<li>\s*<div class=\"when\">(.*?)</li>\n", ol, re.S)
    ]


def test_plan_activity_lists_what_happened_with_who(client, world):
    services.progress_update_create(
        action_point=world.action_point,
        author=world.member,
        status="in_progress",
        progress=30,
        note="Tools compared",
    )
    services.action_point_reschedule(
        action_point=world.action_point,
        new_deadline="Q3 2019",
        reason="Partners asked for time",
        changed_by=world.coordinator,
    )
    services.challenge_create(
        working_group=world.group, description="No shared definitions", created_by=world.admin
    )
    _login(client, world.member)

    response = client.get(f"/plans/{world.plan.pk}/activity/")

    assert response.status_code == 200
    titles = [entry.title for entry in response.context["entries"]]
    who = [entry.who for entry in response.context["entries"]]
    assert titles == [
        "Challenge created: 2. No shared definitions",
        "Rescheduled “IMWG to recommend standardized tools”",
        "Progress update on “IMWG to recommend standardized tools”",
        "Challenge created: 1. Lack of tools",
        "Working group created: Group 1: Data Sharing",
    ]
    assert who == ["admin", "coordinator", "member", "system", "system"]
    assertContains(response, "Partners asked for time")
    assertContains(response, "In progress, 30 %")
    assertContains(response, "no deadline → Q3 2019")
    assertContains(
        response,
        f'<a href="/action-points/{world.action_point.pk}/">'
        "Progress update on “IMWG to recommend standardized tools”</a>",
        html=True,
    )


def test_plan_activity_of_plan_open_to_all_is_seen_by_viewer(client):
    world = build_world(visibility=PlanVisibility.SIGNED_IN)
    _login(client, world.viewer)

    response = client.get(f"/plans/{world.plan.pk}/activity/")

    assert response.status_code == 200
    assertContains(response, "<h1>Recent activity</h1>", html=True)


def test_plan_activity_keeps_deleted_structure(client, world):
    _login(client, world.coordinator)
    extra = WorkingGroupFactory(plan=world.plan, number=2, name="Temporary")
    client.post(f"/groups/{extra.pk}/delete/", {"confirm": "on"})

    response = client.get(f"/plans/{world.plan.pk}/activity/")

    entries = [(e.title, e.who) for e in response.context["entries"]]
    assert entries[:2] == [
        ("Working group deleted: Group 2: Temporary", "coordinator"),
        ("Working group created: Group 2: Temporary", "system"),
    ]
