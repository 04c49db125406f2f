"""Structure pages of a plan: working groups, challenges and action points.

Only coordinators (and administrators) change a plan's structure; a member or
a viewer gets 403, someone who cannot see the plan gets 404.
"""

import datetime

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from actionplans import services
from actionplans.choices import PlanVisibility
from actionplans.models import (
    ActionPoint,
    Challenge,
    DeadlineChange,
    FocalPoint,
    ProgressUpdate,
    WorkingGroup,
)
from actionplans.parsing import DEADLINE_EXAMPLES
from orgs.models import Person
from tests.factories import (
    ActionPointFactory,
    ChallengeFactory,
    FocalPointFactory,
    PersonFactory,
    WorkingGroupFactory,
)
from tests.users import build_world

pytestmark = pytest.mark.django_db


# --- helpers ---------------------------------------------------------------------


def _login(client, user):
    client.force_login(user)
    return client


def _counts() -> dict[str, int]:
    return {
        "groups": WorkingGroup.objects.count(),
        "challenges": Challenge.objects.count(),
        "action_points": ActionPoint.objects.count(),
        "focal_points": FocalPoint.objects.count(),
        "people": Person.objects.count(),
        "deadline_changes": DeadlineChange.objects.count(),
        "updates": ProgressUpdate.objects.count(),
    }


def _focal_points(point: ActionPoint) -> list[tuple[str, str, str]]:
    return [
        (fp.person.name, fp.role, fp.note) for fp in point.focal_points.select_related("person")
    ]


def _formset(*rows: tuple[str, str, str], initial: int = 0) -> dict[str, str]:
    """The focal point formset as the browser posts it (prefix "fp")."""
    data = {
        "fp-TOTAL_FORMS": str(len(rows)),
        "fp-INITIAL_FORMS": str(initial),
        "fp-MIN_NUM_FORMS": "0",
        "fp-MAX_NUM_FORMS": "20",
    }
    for index, (name, role, note) in enumerate(rows):
        data |= {f"fp-{index}-name": name, f"fp-{index}-role": role, f"fp-{index}-note": note}
    return data


@pytest.fixture
def world():
    return build_world()


def _urls(world) -> dict[str, str]:
    plan, group = world.plan.pk, world.group.pk
    challenge, point = world.challenge.pk, world.action_point.pk
    return {
        "workinggroup_add": f"/plans/{plan}/groups/add/",
        "workinggroup_edit": f"/groups/{group}/edit/",
        "workinggroup_move": f"/groups/{group}/move/",
        "workinggroup_delete": f"/groups/{group}/delete/",
        "challenge_add": f"/groups/{group}/challenges/add/",
        "challenge_edit": f"/challenges/{challenge}/edit/",
        "challenge_move": f"/challenges/{challenge}/move/",
        "challenge_delete": f"/challenges/{challenge}/delete/",
        "actionpoint_add": f"/challenges/{challenge}/action-points/add/",
        "actionpoint_edit": f"/action-points/{point}/edit/",
        "actionpoint_move": f"/action-points/{point}/move/",
        "actionpoint_delete": f"/action-points/{point}/delete/",
    }


def _other_plan_urls(world) -> dict[str, str]:
    """The same pages for the objects of "Other plan"."""
    point = world.other_action_point
    challenge = point.challenge
    group = challenge.working_group
    return {
        "workinggroup_add": f"/plans/{world.other_plan.pk}/groups/add/",
        "workinggroup_edit": f"/groups/{group.pk}/edit/",
        "workinggroup_move": f"/groups/{group.pk}/move/",
        "workinggroup_delete": f"/groups/{group.pk}/delete/",
        "challenge_add": f"/groups/{group.pk}/challenges/add/",
        "challenge_edit": f"/challenges/{challenge.pk}/edit/",
        "challenge_move": f"/challenges/{challenge.pk}/move/",
        "challenge_delete": f"/challenges/{challenge.pk}/delete/",
        "actionpoint_add": f"/challenges/{challenge.pk}/action-points/add/",
        "actionpoint_edit": f"/action-points/{point.pk}/edit/",
        "actionpoint_move": f"/action-points/{point.pk}/move/",
        "actionpoint_delete": f"/action-points/{point.pk}/delete/",
    }


VIEWS = [
    "workinggroup_add",
    "workinggroup_edit",
    "workinggroup_move",
    "workinggroup_delete",
    "challenge_add",
    "challenge_edit",
    "challenge_move",
    "challenge_delete",
    "actionpoint_add",
    "actionpoint_edit",
    "actionpoint_move",
    "actionpoint_delete",
]
MOVES = ["workinggroup_move", "challenge_move", "actionpoint_move"]
PAGES = [view for view in VIEWS if view not in MOVES]
# A POST that would change something if it were allowed.
HARMFUL_POST = {
    "name": "Changed",
    "number": "7",
    "description": "Changed",
    "deadline": "2030",
    "deadline_reason": "Because",
    "direction": "down",
    "confirm": "on",
    **_formset(("Intruder", "lead", "")),
}


# --- every view ------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("view", VIEWS)
def test_structure_views_send_anonymous_to_login(client, world, view, method):
    url = _urls(world)[view]

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize("view", VIEWS)
def test_structure_views_refuse_other_methods(client, world, view, method):
    _login(client, world.admin)
    before = _counts()

    response = getattr(client, method)(_urls(world)[view])

    assert response.status_code == 405
    assert _counts() == before


@pytest.mark.parametrize("view", MOVES)
def test_structure_moves_refuse_get(client, world, view):
    _login(client, world.coordinator)

    assert client.get(_urls(world)[view]).status_code == 405


@pytest.mark.parametrize("role", ["viewer", "outsider"])
@pytest.mark.parametrize("view", VIEWS)
def test_structure_views_hide_members_only_plan(client, world, view, role):
    _login(client, getattr(world, role))
    url = _urls(world)[view]
    before = _counts()

    responses = [client.post(url, HARMFUL_POST)]
    if view in PAGES:
        responses.append(client.get(url))

    assert [r.status_code for r in responses] == [404] * len(responses)
    assert _counts() == before


@pytest.mark.parametrize("view", VIEWS)
def test_structure_views_hide_other_plan_from_its_non_coordinator(client, world, view):
    _login(client, world.coordinator)
    url = _other_plan_urls(world)[view]
    before = _counts()

    responses = [client.post(url, HARMFUL_POST)]
    if view in PAGES:
        responses.append(client.get(url))

    assert [r.status_code for r in responses] == [404] * len(responses)
    assert _counts() == before


@pytest.mark.parametrize("view", VIEWS)
def test_structure_views_answer_missing_object_like_hidden_one(client, world, view):
    _login(client, world.admin)
    url = _urls(world)[view]
    for pk in (world.plan.pk, world.group.pk, world.challenge.pk, world.action_point.pk):
        url = url.replace(f"/{pk}/", "/999999/")

    assert client.post(url, HARMFUL_POST).status_code == 404


@pytest.mark.parametrize("view", VIEWS)
def test_structure_views_forbidden_to_member(client, world, view):
    _login(client, world.member)
    url = _urls(world)[view]
    before = _counts()

    responses = [client.post(url, HARMFUL_POST)]
    if view in PAGES:
        responses.append(client.get(url))

    assert [r.status_code for r in responses] == [403] * len(responses)
    assertContains(
        responses[0], "Only the plan&#x27;s coordinators can change its structure.", status_code=403
    )
    assert _counts() == before
    world.action_point.refresh_from_db()
    assert (world.action_point.description, world.action_point.deadline) == (
        "IMWG to recommend standardized tools",
        "",
    )


@pytest.mark.parametrize("view", VIEWS)
def test_structure_views_forbidden_to_viewer_of_plan_open_to_all(client, view):
    world = build_world(visibility=PlanVisibility.SIGNED_IN)
    _login(client, world.viewer)
    url = _urls(world)[view]
    before = _counts()

    responses = [client.post(url, HARMFUL_POST)]
    if view in PAGES:
        responses.append(client.get(url))

    assert [r.status_code for r in responses] == [403] * len(responses)
    assert _counts() == before


@pytest.mark.parametrize("view", PAGES)
def test_structure_pages_open_for_admin_and_coordinator(client, world, view):
    for user in (world.admin, world.coordinator):
        _login(client, user)

        response = client.get(_urls(world)[view])

        assert response.status_code == 200
        assert response.context["nav"] == "plans"


# --- working groups --------------------------------------------------------------


def test_workinggroup_add_matches_plan_people_by_name_and_creates_new_ones(client, world):
    _login(client, world.coordinator)
    people_before = Person.objects.count()

    response = client.post(
        f"/plans/{world.plan.pk}/groups/add/",
        {
            "number": "",
            "name": "Protection Monitoring",
            "team_leader": "  JAD ",
            "team_members": "jad, Rana, Omar",
        },
    )

    group = WorkingGroup.objects.get(name="Protection Monitoring")
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{world.plan.pk}/#group-{group.pk}"
    assert (group.plan, group.number, group.team_leader) == (world.plan, 2, world.member_person)
    assert sorted(p.name for p in group.team_members.all()) == ["Jad", "Omar", "Rana"]
    assert Person.objects.count() == people_before + 2
    assert {h.history_user for h in group.history.all()} == {world.coordinator}


def test_workinggroup_add_uses_given_number(client, world):
    _login(client, world.coordinator)

    client.post(f"/plans/{world.plan.pk}/groups/add/", {"number": "5", "name": "Funding"})

    group = WorkingGroup.objects.get(name="Funding")
    assert (group.number, group.team_leader, list(group.team_members.all())) == (5, None, [])


def test_workinggroup_add_taken_number_shows_error_and_writes_nothing(client, world):
    _login(client, world.coordinator)
    before = _counts()

    response = client.post(
        f"/plans/{world.plan.pk}/groups/add/",
        {"number": "1", "name": "Again", "team_leader": "Newcomer", "team_members": "Other"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "__all__": ["This plan already has a group with this number."]
    }
    assertContains(response, "This plan already has a group with this number.")
    # The people typed in are not left behind either.
    assert _counts() == before


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"name": ""}, "name", "This field is required."),
        (
            {"name": "G", "number": "0"},
            "number",
            "Ensure this value is greater than or equal to 1.",
        ),
        ({"name": "G", "number": "two"}, "number", "Enter a whole number."),
    ],
)
def test_workinggroup_add_bad_input_shows_field_error(client, world, data, field, error):
    _login(client, world.coordinator)
    before = _counts()

    response = client.post(f"/plans/{world.plan.pk}/groups/add/", data)

    assert response.status_code == 200
    assert response.context["form"].errors == {field: [error]}
    assert _counts() == before


def test_workinggroup_edit_shows_names_as_typed(client, world):
    world.group.team_members.add(PersonFactory(name="Rana"))
    _login(client, world.coordinator)

    response = client.get(f"/groups/{world.group.pk}/edit/")

    form = response.context["form"]
    assert (form["number"].value(), form["name"].value()) == (1, "Data Sharing")
    assert (form["team_leader"].value(), form["team_members"].value()) == ("Jad", "Jad, Rana")
    assertContains(response, '<option value="Jad">', html=False)


def test_workinggroup_edit_saves_name_and_people(client, world):
    _login(client, world.coordinator)
    people_before = Person.objects.count()

    response = client.post(
        f"/groups/{world.group.pk}/edit/",
        {
            "number": "",
            "name": "Data Sharing and Protection",
            "team_leader": "Rana",
            "team_members": "JAD, rana",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"/plans/{world.plan.pk}/#group-{world.group.pk}"
    world.group.refresh_from_db()
    rana = Person.objects.get(name="Rana")
    assert (world.group.name, world.group.number, world.group.team_leader) == (
        "Data Sharing and Protection",
        1,
        rana,
    )
    assert sorted(p.name for p in world.group.team_members.all()) == ["Jad", "Rana"]
    assert Person.objects.count() == people_before + 1


def test_workinggroup_edit_taken_number_shows_error_and_changes_nothing(client, world):
    WorkingGroupFactory(plan=world.plan, number=2, name="Second")
    _login(client, world.coordinator)

    response = client.post(
        f"/groups/{world.group.pk}/edit/",
        {"number": "2", "name": "Renamed", "team_leader": "Someone new", "team_members": ""},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "__all__": ["This plan already has a group with this number."]
    }
    world.group.refresh_from_db()
    assert (world.group.number, world.group.name, world.group.team_leader) == (
        1,
        "Data Sharing",
        world.member_person,
    )
    assert not Person.objects.filter(name="Someone new").exists()


def _two_groups(world) -> tuple[WorkingGroup, WorkingGroup]:
    return world.group, WorkingGroupFactory(plan=world.plan, number=2, name="Second")


def test_workinggroup_move_down_swaps_numbers(client, world):
    first, second = _two_groups(world)
    _login(client, world.coordinator)

    response = client.post(f"/groups/{first.pk}/move/", {"direction": "down"})

    assert response.status_code == 302
    assert response["Location"] == f"/plans/{world.plan.pk}/#group-{first.pk}"
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.number, second.number) == (2, 1)


def test_workinggroup_move_up_swaps_numbers(client, world):
    first, second = _two_groups(world)
    _login(client, world.admin)

    client.post(f"/groups/{second.pk}/move/", {"direction": "up"})

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.number, second.number) == (2, 1)


def test_workinggroup_move_past_the_end_changes_nothing(client, world):
    first, second = _two_groups(world)
    _login(client, world.coordinator)

    client.post(f"/groups/{first.pk}/move/", {"direction": "up"})
    client.post(f"/groups/{second.pk}/move/", {"direction": "down"})

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.number, second.number) == (1, 2)


def test_workinggroup_move_unknown_direction_says_so(client, world):
    first, second = _two_groups(world)
    _login(client, world.coordinator)

    response = client.post(f"/groups/{first.pk}/move/", {"direction": "sideways"}, follow=True)

    assertContains(response, "Direction must be &quot;up&quot; or &quot;down&quot;.")
    first.refresh_from_db()
    assert first.number == 1


def test_workinggroup_move_keeps_other_plans_apart(client, world):
    # Group 1 of "Other plan" is not a neighbour of this plan's groups.
    first, second = _two_groups(world)
    other = world.other_action_point.challenge.working_group
    _login(client, world.admin)

    client.post(f"/groups/{second.pk}/move/", {"direction": "up"})

    other.refresh_from_db()
    assert other.number == 1


def test_workinggroup_delete_confirmation_names_what_goes(client, world):
    _login(client, world.coordinator)

    response = client.get(f"/groups/{world.group.pk}/delete/")

    assert response.status_code == 200
    assert response.context["consequences"] == ["1 challenge(s)", "1 action point(s)"]
    assertContains(response, "<h1>Delete “Group 1: Data Sharing”?</h1>", html=True)


def test_workinggroup_delete_without_confirmation_deletes_nothing(client, world):
    _login(client, world.coordinator)
    before = _counts()

    response = client.post(f"/groups/{world.group.pk}/delete/")

    assert response.status_code == 200
    assert response.context["form"].errors == {"confirm": ["This field is required."]}
    assert _counts() == before


def test_workinggroup_delete_with_confirmation_deletes_group_and_contents(client, world):
    group_pk, point_pk = world.group.pk, world.action_point.pk
    _login(client, world.coordinator)

    response = client.post(f"/groups/{group_pk}/delete/", {"confirm": "on"})

    assert response.status_code == 302
    assert response["Location"] == f"/plans/{world.plan.pk}/"
    assert not WorkingGroup.objects.filter(pk=group_pk).exists()
    assert not ActionPoint.objects.filter(pk=point_pk).exists()
    assert Person.objects.filter(pk=world.member_person.pk).exists()
    assert WorkingGroup.history.get(id=group_pk, history_type="-").history_user == (
        world.coordinator
    )
    assert ActionPoint.history.get(id=point_pk, history_type="-").history_user == (
        world.coordinator
    )


# --- challenges ------------------------------------------------------------------


def test_challenge_add_numbers_after_the_last(client, world):
    _login(client, world.coordinator)

    response = client.post(
        f"/groups/{world.group.pk}/challenges/add/",
        {"number": "", "description": "No shared definitions"},
    )

    challenge = Challenge.objects.get(description="No shared definitions")
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{world.plan.pk}/#challenge-{challenge.pk}"
    assert (challenge.working_group, challenge.number) == (world.group, 2)
    assert challenge.history.get().history_user == world.coordinator


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (
            {"number": "1", "description": "Again"},
            {"__all__": ["This group already has a challenge with this number."]},
        ),
        ({"number": "", "description": ""}, {"description": ["This field is required."]}),
    ],
)
def test_challenge_add_bad_input_shows_error_and_writes_nothing(client, world, data, error):
    _login(client, world.coordinator)
    before = _counts()

    response = client.post(f"/groups/{world.group.pk}/challenges/add/", data)

    assert response.status_code == 200
    assert response.context["form"].errors == error
    assert _counts() == before


def test_challenge_edit_shows_and_saves_description(client, world):
    _login(client, world.coordinator)
    url = f"/challenges/{world.challenge.pk}/edit/"
    form = client.get(url).context["form"]
    assert (form["number"].value(), form["description"].value()) == (1, "Lack of tools")

    response = client.post(url, {"number": "", "description": "Lack of common tools"})

    assert response.status_code == 302
    assert response["Location"] == f"/plans/{world.plan.pk}/#challenge-{world.challenge.pk}"
    world.challenge.refresh_from_db()
    assert (world.challenge.number, world.challenge.description) == (1, "Lack of common tools")


def test_challenge_edit_bad_input_changes_nothing(client, world):
    _login(client, world.coordinator)

    response = client.post(f"/challenges/{world.challenge.pk}/edit/", {"description": "  "})

    assert response.status_code == 200
    assert response.context["form"].errors == {"description": ["This field is required."]}
    world.challenge.refresh_from_db()
    assert world.challenge.description == "Lack of tools"


def test_challenge_move_swaps_numbers(client, world):
    second = ChallengeFactory(working_group=world.group, number=2, description="Trust")
    _login(client, world.coordinator)

    response = client.post(f"/challenges/{second.pk}/move/", {"direction": "up"})

    assert response.status_code == 302
    assert response["Location"] == f"/plans/{world.plan.pk}/#challenge-{second.pk}"
    world.challenge.refresh_from_db()
    second.refresh_from_db()
    assert (world.challenge.number, second.number) == (2, 1)


def test_challenge_delete_confirms_then_deletes(client, world):
    _login(client, world.coordinator)
    url = f"/challenges/{world.challenge.pk}/delete/"

    page = client.get(url)
    refused = client.post(url)
    before = _counts()
    response = client.post(url, {"confirm": "on"})

    assert page.context["consequences"] == ["1 action point(s)"]
    assertContains(page, "<h1>Delete challenge 1 of Group 1: Data Sharing?</h1>", html=True)
    assert refused.context["form"].errors == {"confirm": ["This field is required."]}
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{world.plan.pk}/"
    assert _counts() == before | {
        "challenges": before["challenges"] - 1,
        "action_points": before["action_points"] - 1,
        "focal_points": before["focal_points"] - 1,
    }
    assert Challenge.history.filter(id=world.challenge.pk, history_type="-").count() == 1


# --- action points: add ----------------------------------------------------------


def test_actionpoint_add_page_offers_plan_people(client, world):
    _login(client, world.coordinator)

    response = client.get(f"/challenges/{world.challenge.pk}/action-points/add/")

    assert response.status_code == 200
    assert response.context["people_names"] == ["Jad"]
    assertContains(response, '<input type="hidden" name="fp-TOTAL_FORMS" value="2"', html=False)
    assertNotContains(response, "deadline_reason")


def test_actionpoint_add_reads_deadline_and_focal_points(client, world):
    _login(client, world.coordinator)
    people_before = Person.objects.count()

    response = client.post(
        f"/challenges/{world.challenge.pk}/action-points/add/",
        {
            "description": "Map existing data-sharing protocols",
            "deadline": "Q3 2019",
            **_formset(("jad", "lead", ""), ("Fanette", "advisor", "can advise"), ("", "lead", "")),
        },
    )

    point = ActionPoint.objects.get(description="Map existing data-sharing protocols")
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{world.plan.pk}/#ap-{point.pk}"
    assert (point.challenge, point.position, point.deadline) == (world.challenge, 2, "Q3 2019")
    assert (point.due_date, point.deadline_precision) == (datetime.date(2019, 9, 30), "quarter")
    assert (point.status, point.progress, point.version) == ("not_started", 0, 1)
    assert _focal_points(point) == [("Jad", "lead", ""), ("Fanette", "advisor", "can advise")]
    assert Person.objects.count() == people_before + 1
    assert point.history.get().history_user == world.coordinator


def test_actionpoint_add_without_deadline_or_focal_points(client, world):
    _login(client, world.coordinator)

    client.post(
        f"/challenges/{world.challenge.pk}/action-points/add/",
        {"description": "Keep going", "deadline": "ongoing", **_formset()},
    )

    point = ActionPoint.objects.get(description="Keep going")
    assert (point.deadline, point.due_date, point.deadline_precision) == ("ongoing", None, "none")
    assert _focal_points(point) == []


def test_actionpoint_add_unreadable_deadline_shows_examples_and_writes_nothing(client, world):
    _login(client, world.coordinator)
    before = _counts()

    response = client.post(
        f"/challenges/{world.challenge.pk}/action-points/add/",
        {
            "description": "Map protocols",
            "deadline": "when we can",
            **_formset(("Newcomer", "lead", "")),
        },
    )

    assert response.status_code == 200
    message = (
        f'Cannot read the deadline "when we can". Write it as, for example: {DEADLINE_EXAMPLES}.'
    )
    assert response.context["form"].errors == {"deadline": [message]}
    assertContains(response, "Cannot read the deadline &quot;when we can&quot;.")
    assertContains(response, "15/03/2019, March 2019, Q1 2019, H1 2019")
    assert _counts() == before


def test_actionpoint_add_same_person_twice_is_an_error(client, world):
    _login(client, world.coordinator)
    before = _counts()

    response = client.post(
        f"/challenges/{world.challenge.pk}/action-points/add/",
        {
            "description": "Twice",
            "deadline": "",
            **_formset(("Rana", "lead", ""), ("rana", "support", "")),
        },
    )

    assert response.status_code == 200
    assert response.context["formset"].errors == [{}, {"name": ["rana is listed twice."]}]
    assertContains(response, "rana is listed twice.")
    assert _counts() == before


def test_actionpoint_add_requires_description(client, world):
    _login(client, world.coordinator)
    before = _counts()

    response = client.post(
        f"/challenges/{world.challenge.pk}/action-points/add/",
        {"description": "", "deadline": "2019", **_formset(("Jad", "lead", ""))},
    )

    assert response.context["form"].errors == {"description": ["This field is required."]}
    assert _counts() == before


# --- action points: edit ---------------------------------------------------------


def _edit_data(point: ActionPoint, **overrides) -> dict:
    data = {
        "description": point.description,
        "deadline": point.deadline,
        "deadline_reason": "",
        "version": str(point.version),
        **_formset(("Jad", "lead", ""), ("", "lead", ""), initial=1),
    }
    return data | overrides


def test_actionpoint_edit_shows_current_values(client, world):
    _login(client, world.coordinator)

    response = client.get(f"/action-points/{world.action_point.pk}/edit/")

    assert response.status_code == 200
    form, formset = response.context["form"], response.context["formset"]
    assert (form["description"].value(), form["deadline"].value(), form["version"].value()) == (
        "IMWG to recommend standardized tools",
        "",
        1,
    )
    assert [f["name"].value() for f in formset] == ["Jad", None, None]
    assertContains(response, "Why the deadline moves")


def test_actionpoint_edit_saves_description_and_focal_points(client, world):
    _login(client, world.coordinator)
    point = world.action_point

    response = client.post(
        f"/action-points/{point.pk}/edit/",
        _edit_data(
            point,
            description="IMWG to recommend common tools",
            **_formset(("Jad", "support", ""), ("Rana", "lead", "tbc"), initial=1),
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == f"/plans/{world.plan.pk}/#ap-{point.pk}"
    point.refresh_from_db()
    assert point.description == "IMWG to recommend common tools"
    assert _focal_points(point) == [("Rana", "lead", "tbc"), ("Jad", "support", "")]
    assert DeadlineChange.objects.count() == 0
    assert point.version > 1


def test_actionpoint_edit_empty_row_removes_focal_point(client, world):
    _login(client, world.coordinator)
    point = world.action_point

    client.post(
        f"/action-points/{point.pk}/edit/",
        _edit_data(point, **_formset(("", "lead", ""), initial=1)),
    )

    assert _focal_points(point) == []
    assert FocalPoint.history.filter(history_type="-").count() == 1


def test_actionpoint_edit_deadline_without_reason_is_an_error(client, world):
    _login(client, world.coordinator)
    point = world.action_point
    before = _counts()

    response = client.post(
        f"/action-points/{point.pk}/edit/",
        _edit_data(point, description="Changed too", deadline="Q3 2019"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "deadline_reason": ["Say why the deadline moves: it is recorded with the change."]
    }
    assertContains(response, "Say why the deadline moves: it is recorded with the change.")
    point.refresh_from_db()
    assert (point.description, point.deadline, point.version) == (
        "IMWG to recommend standardized tools",
        "",
        1,
    )
    assert _counts() == before


def test_actionpoint_edit_deadline_with_reason_records_the_move(client, world):
    _login(client, world.coordinator)
    point = world.action_point

    response = client.post(
        f"/action-points/{point.pk}/edit/",
        _edit_data(point, deadline="Q3 2019", deadline_reason="Waiting for the IMWG"),
    )

    assert response.status_code == 302
    point.refresh_from_db()
    assert (point.deadline, point.due_date, point.deadline_precision) == (
        "Q3 2019",
        datetime.date(2019, 9, 30),
        "quarter",
    )
    change = DeadlineChange.objects.get()
    assert (
        change.action_point,
        change.old_deadline,
        change.new_deadline,
        change.new_due_date,
        change.reason,
        change.changed_by,
    ) == (
        point,
        "",
        "Q3 2019",
        datetime.date(2019, 9, 30),
        "Waiting for the IMWG",
        world.coordinator,
    )


def test_actionpoint_edit_unreadable_deadline_shows_examples(client, world):
    _login(client, world.coordinator)
    point = world.action_point

    response = client.post(
        f"/action-points/{point.pk}/edit/",
        _edit_data(point, deadline="someday", deadline_reason="Why not"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "deadline": [
            f'Cannot read the deadline "someday". Write it as, for example: {DEADLINE_EXAMPLES}.'
        ]
    }
    assert DeadlineChange.objects.count() == 0


def test_actionpoint_edit_stale_version_shows_conflict_and_overwrites_nothing(client, world):
    _login(client, world.coordinator)
    point = world.action_point
    form_version = client.get(f"/action-points/{point.pk}/edit/").context["form"]["version"].value()
    # Meanwhile, Jad reports progress.
    services.progress_update_create(
        action_point=point, author=world.member, status="in_progress", progress=40
    )

    response = client.post(
        f"/action-points/{point.pk}/edit/",
        _edit_data(
            point,
            description="My wording",
            deadline="2020",
            deadline_reason="Later",
            version=str(form_version),
            **_formset(("Omar", "lead", ""), initial=1),
        ),
    )

    assert response.status_code == 200
    assertContains(response, "Someone else changed this action point")
    conflict = response.context["conflict"]
    assert conflict["rows"] == [
        {
            "label": "Action point",
            "theirs": "IMWG to recommend standardized tools",
            "mine": "My wording",
        },
        {"label": "Deadline", "theirs": "", "mine": "2020"},
    ]
    # The form is ready to apply the user's values on top of the saved version.
    assert response.context["form"]["version"].value() == 2
    point.refresh_from_db()
    assert (point.description, point.deadline, point.status, point.progress, point.version) == (
        "IMWG to recommend standardized tools",
        "",
        "in_progress",
        40,
        2,
    )
    assert _focal_points(point) == [("Jad", "lead", "")]
    assert DeadlineChange.objects.count() == 0
    assert not Person.objects.filter(name="Omar").exists()


def test_actionpoint_edit_after_conflict_saves_on_second_try(client, world):
    _login(client, world.coordinator)
    point = world.action_point
    services.progress_update_create(action_point=point, author=world.member, note="Started")
    data = _edit_data(point, description="My wording", version="1")
    client.post(f"/action-points/{point.pk}/edit/", data)

    response = client.post(f"/action-points/{point.pk}/edit/", data | {"version": "2"})

    assert response.status_code == 302
    point.refresh_from_db()
    assert point.description == "My wording"


# --- action points: move and delete ----------------------------------------------


def test_actionpoint_move_swaps_positions(client, world):
    second = ActionPointFactory(challenge=world.challenge, position=2, description="Second")
    _login(client, world.coordinator)

    response = client.post(f"/action-points/{world.action_point.pk}/move/", {"direction": "down"})

    assert response.status_code == 302
    assert response["Location"] == f"/plans/{world.plan.pk}/#ap-{world.action_point.pk}"
    world.action_point.refresh_from_db()
    second.refresh_from_db()
    assert (world.action_point.position, second.position) == (2, 1)


def test_actionpoint_move_stays_within_its_challenge(client, world):
    other_challenge = ChallengeFactory(working_group=world.group, number=2)
    neighbour = ActionPointFactory(challenge=other_challenge, position=2)
    _login(client, world.coordinator)

    client.post(f"/action-points/{world.action_point.pk}/move/", {"direction": "down"})

    world.action_point.refresh_from_db()
    neighbour.refresh_from_db()
    assert (world.action_point.position, neighbour.position) == (1, 2)


def test_actionpoint_delete_confirms_then_deletes(client, world):
    point = world.action_point
    services.progress_update_create(action_point=point, author=world.member, note="Started")
    FocalPointFactory(action_point=point, person=PersonFactory(name="Rana"), role="support")
    _login(client, world.coordinator)
    url = f"/action-points/{point.pk}/delete/"

    page = client.get(url)
    refused = client.post(url, {"confirm": ""})
    response = client.post(url, {"confirm": "on"})

    assert page.context["consequences"] == [
        "2 focal point assignment(s)",
        "1 progress update(s)",
        "0 deadline change(s)",
    ]
    assertContains(
        page, "<h1>Delete the action point “IMWG to recommend standardized tools”?</h1>", html=True
    )
    assert refused.status_code == 200
    assert refused.context["form"].errors == {"confirm": ["This field is required."]}
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{world.plan.pk}/"
    assert not ActionPoint.objects.filter(pk=point.pk).exists()
    assert (FocalPoint.objects.count(), ProgressUpdate.objects.count()) == (0, 0)
    assert ActionPoint.history.get(id=point.pk, history_type="-").history_user == world.coordinator
    assert ProgressUpdate.history.filter(history_type="-").count() == 1
    assert Person.objects.filter(name="Rana").exists()


def test_actionpoint_edit_saving_unchanged_form_keeps_version(client, world):
    # Saving an untouched form must not show a member updating the point a conflict.
    point = world.action_point
    _login(client, world.coordinator)

    response = client.post(f"/action-points/{point.pk}/edit/", _edit_data(point))

    assert response.status_code == 302
    point.refresh_from_db()
    assert point.version == 1
    update = services.progress_update_create(
        action_point=point, author=world.member, note="Started", expected_version=1
    )
    assert update.author == world.member


def test_actionpoint_edit_without_management_form_shows_error(client, world):
    _login(client, world.coordinator)
    point = world.action_point
    data = {key: value for key, value in _edit_data(point).items() if not key.startswith("fp-")}

    response = client.post(f"/action-points/{point.pk}/edit/", data)

    assert response.status_code == 200
    assert response.context["formset"].non_form_errors() == [
        "ManagementForm data is missing or has been tampered with. Missing fields: "
        "fp-TOTAL_FORMS, fp-INITIAL_FORMS. You may need to file a bug report if the issue "
        "persists."
    ]
    assert _focal_points(point) == [("Jad", "lead", "")]


def test_actionpoint_edit_is_shown_in_the_timeline_with_who(client, world):
    point = world.action_point
    _login(client, world.coordinator)
    client.post(
        f"/action-points/{point.pk}/edit/",
        _edit_data(point, description="IMWG to recommend common tools"),
    )

    response = client.get(f"/action-points/{point.pk}/")

    entry = response.context["timeline"][0]
    assert (entry.kind, entry.who, entry.details) == (
        "edit",
        "coordinator",
        ["Description: IMWG to recommend standardized tools → IMWG to recommend common tools"],
    )
