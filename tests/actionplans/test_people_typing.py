"""Typing people into the plan forms (focal points, team leader, team members).

A name is matched within the plan's operation (one match is the person, several a
choice, none a new person), a person picked among the suggestions is exactly that
person, and workshop text ("Fanette (Fred can advise)", "Rana, Omar") is read by
the importer's parser into several people, shown back for confirmation before
anything is saved.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains

from actionplans.models import ActionPoint, FocalPoint, WorkingGroup
from actionplans.selectors import team_members_in_order
from actionplans.services import working_group_create
from orgs.models import Organization, Person
from orgs.services import organization_get_or_create, person_create
from tests.factories import ActionPlanFactory
from tests.users import build_world

pytestmark = pytest.mark.django_db

DESCRIPTION = "Map existing data-sharing protocols"
CONTROL = "A name cannot contain control characters (copied from another program?)."


# --- helpers ---------------------------------------------------------------------


@pytest.fixture
def world(client):
    world = build_world()
    client.force_login(world.coordinator)
    return world


def _formset(*rows: tuple) -> dict[str, str]:
    """The focal point rows as the browser posts them: (name, role, note[, person id])."""
    data = {
        "fp-TOTAL_FORMS": str(len(rows)),
        "fp-INITIAL_FORMS": "0",
        "fp-MIN_NUM_FORMS": "0",
        "fp-MAX_NUM_FORMS": "20",
    }
    for index, (name, role, note, *person) in enumerate(rows):
        data |= {
            f"fp-{index}-name": name,
            f"fp-{index}-role": role,
            f"fp-{index}-note": note,
            f"fp-{index}-person": str(person[0]) if person else "",
        }
    return data


def _add_url(world) -> str:
    return f"/challenges/{world.challenge.pk}/action-points/add/"


def _add(client, world, *rows: tuple):
    return client.post(_add_url(world), {"description": DESCRIPTION, **_formset(*rows)})


def _confirm(client, url: str, response, choices: dict[str, str] | None = None, **overrides):
    """Press "Confirm and save" on the confirmation the response shows."""
    data: dict[str, list[str]] = {}
    for key, value in response.context["carried"]:
        data.setdefault(key, []).append(value)
    data |= {"people_step": "confirm", "people_digest": response.context["confirmation"].digest}
    data |= {f"who-{slot}": choice for slot, choice in (choices or {}).items()}
    return client.post(url, data | overrides)


def _point() -> ActionPoint:
    return ActionPoint.objects.get(description=DESCRIPTION)


def _focal_points(point: ActionPoint) -> list[tuple[str, str, str]]:
    return [
        (fp.person.name, fp.role, fp.note) for fp in point.focal_points.select_related("person")
    ]


def _counts() -> tuple[int, int, int, int]:
    return (
        Person.objects.count(),
        ActionPoint.objects.count(),
        FocalPoint.objects.count(),
        WorkingGroup.objects.count(),
    )


def _named_in(plan, name: str, organization: str = "") -> Person:
    """Someone named in a plan through the services (so the naming is recorded)."""
    org = organization_get_or_create(name=organization) if organization else None
    person = person_create(name=name, organization=org)
    working_group_create(plan=plan, name=f"Group of {name} {person.pk}", team_leader=person)
    return person


def _neighbour_plan(world, title="PIM Lebanon 2020", country="Lebanon"):
    """Another plan the coordinator coordinates (Lebanon: the same operation)."""
    plan = ActionPlanFactory(title=title, country=country)
    plan.coordinators.add(world.coordinator)
    return plan


def _confirmation_lines(response) -> list[str]:
    return [
        " ".join(
            filter(
                None,
                [
                    named.entry.name,
                    named.entry.role,
                    named.entry.organization or "",
                    "new" if named.is_new else ("asks" if named.asks else "known"),
                ],
            )
        )
        for named in response.context["confirmation"].named
    ]


# --- workshop text in a focal point field ----------------------------------------


def test_fanette_fred_can_advise_is_confirmed_then_two_people_with_roles(client, world):
    before = _counts()

    shown = _add(client, world, ("Fanette (Fred can advise)", "lead", ""))

    assert shown.status_code == 200
    assert _confirmation_lines(shown) == ["Fanette lead new", "Fred advisor new"]
    assertContains(shown, "This will name:")
    assertContains(shown, '<strong dir="auto">Fanette</strong> — lead', html=False)
    assertContains(shown, '<strong dir="auto">Fred</strong> — advisor', html=False)
    assertContains(shown, "Confirm and save")
    assert _counts() == before  # nothing saved before the confirmation

    saved = _confirm(client, _add_url(world), shown)

    point = _point()
    assert saved.status_code == 302
    assert saved["Location"] == f"/plans/{world.plan.pk}/#ap-{point.pk}"
    assert _focal_points(point) == [("Fanette", "lead", ""), ("Fred", "advisor", "")]
    assert not Person.objects.filter(name="Fanette (Fred can advise)").exists()
    new = Person.objects.filter(name__in=["Fanette", "Fred"])
    assert {(p.name, p.created_by) for p in new} == {
        ("Fanette", world.coordinator),
        ("Fred", world.coordinator),
    }


def test_rana_comma_omar_is_rana_lead_and_omar_support(client, world):
    shown = _add(client, world, ("Rana, Omar", "advisor", "from May"))

    assert _confirmation_lines(shown) == ["Rana lead new", "Omar support new"]
    _confirm(client, _add_url(world), shown)

    # The note written beside the text goes with the first person.
    assert _focal_points(_point()) == [("Rana", "lead", "from May"), ("Omar", "support", "")]


def test_organization_then_names_gives_the_people_their_organization(client, world):
    shown = _add(client, world, ("UNHCR (Jad), Rana (support)", "lead", ""))

    # Jad is already one of the plan's people: reused, and given the organization.
    assert _confirmation_lines(shown) == ["Jad lead UNHCR known", "Rana support new"]
    _confirm(client, _add_url(world), shown)

    assert _focal_points(_point()) == [("Jad", "lead", ""), ("Rana", "support", "")]
    world.member_person.refresh_from_db()
    assert world.member_person.organization.name == "UNHCR"
    assert Person.objects.filter(name="Jad").count() == 1


@pytest.mark.parametrize(
    ("text", "role", "line"),
    [
        ("Rana (UNHCR)", "support", "Rana support UNHCR new"),
        ("Rana (UNHCR)", "lead", "Rana lead UNHCR new"),
        ("Rana (advisor)", "lead", "Rana advisor new"),
    ],
)
def test_one_person_written_with_an_organization_keeps_the_role_chosen(
    client, world, text, role, line
):
    shown = _add(client, world, (text, role, ""))

    assert _confirmation_lines(shown) == [line]


def test_edit_from_the_confirmation_shows_the_form_again_and_saves_nothing(client, world):
    before = _counts()
    shown = _add(client, world, ("Fanette (Fred can advise)", "lead", ""))

    response = _confirm(client, _add_url(world), shown, people_step="edit")

    assert response.status_code == 200
    assert "confirmation" not in response.context
    assert response.context["formset"][0]["name"].value() == "Fanette (Fred can advise)"
    assert response.context["form"]["description"].value() == DESCRIPTION
    assert _counts() == before


def test_a_confirmation_of_something_else_is_shown_again(client, world):
    before = _counts()
    shown = _add(client, world, ("Fanette (Fred can advise)", "lead", ""))

    # Another tab, or a changed field: the text confirmed is not this one.
    response = _confirm(client, _add_url(world), shown, **{"fp-0-name": "Fanette (Jad can advise)"})

    assert response.status_code == 200
    assert _confirmation_lines(response) == ["Fanette lead new", "Jad advisor known"]
    assertContains(response, "The people found have changed since you looked")
    assert _counts() == before


# --- matching within the plan's operation ----------------------------------------


def test_an_existing_rana_of_the_operation_is_reused(client, world):
    rana = _named_in(_neighbour_plan(world), "Rana", "UNHCR")
    people = Person.objects.count()

    response = _add(client, world, ("rana", "lead", ""))

    assert response.status_code == 302  # one match: nothing to ask
    assert [fp.person for fp in _point().focal_points.all()] == [rana]
    assert Person.objects.count() == people


def test_workshop_text_reuses_the_operation_s_people(client, world):
    rana = _named_in(_neighbour_plan(world), "Rana")
    shown = _add(client, world, ("Rana, Omar", "lead", ""))

    assert _confirmation_lines(shown) == ["Rana lead known", "Omar support new"]
    _confirm(client, _add_url(world), shown)

    point = _point()
    assert [(fp.person, fp.role) for fp in point.focal_points.all()] == [
        (rana, "lead"),
        (Person.objects.get(name="Omar"), "support"),
    ]
    assert Person.objects.filter(name="Rana").count() == 1


def test_a_rana_of_another_country_is_not_reused_silently(client, world):
    iraq_rana = _named_in(_neighbour_plan(world, "PIM Iraq", "Iraq"), "Rana", "IOM")
    before = _counts()

    shown = _add(client, world, ("Rana", "lead", ""))

    assert shown.status_code == 200
    assert _confirmation_lines(shown) == ["Rana lead asks"]
    named = shown.context["confirmation"].named[0]
    assert (named.must_choose, named.default_choice) == (False, "new")
    assertContains(shown, "someone of this name is in another operation or in no plan")
    assertContains(shown, f'value="{iraq_rana.pk}"', html=False)
    assertContains(
        shown, '<span dir="auto">IOM</span> · <span dir="auto">PIM Iraq</span>', html=False
    )
    assert _counts() == before

    _confirm(client, _add_url(world), shown, {"fp0-0": "new"})

    person = _point().focal_points.get().person
    assert person != iraq_rana
    assert (person.name, person.created_by) == ("Rana", world.coordinator)


def test_the_rana_of_another_country_is_reused_when_chosen(client, world):
    iraq_rana = _named_in(_neighbour_plan(world, "PIM Iraq", "Iraq"), "Rana", "IOM")
    shown = _add(client, world, ("Rana", "lead", ""))

    _confirm(client, _add_url(world), shown, {"fp0-0": str(iraq_rana.pk)})

    assert _point().focal_points.get().person == iraq_rana
    assert Person.objects.filter(name="Rana").count() == 1


def test_two_omars_of_the_operation_ask_which(client, world):
    neighbour = _neighbour_plan(world)
    _named_in(neighbour, "Omar", "UNHCR")
    drc_omar = _named_in(neighbour, "Omar", "DRC")
    before = _counts()

    shown = _add(client, world, ("Omar", "lead", ""))

    named = shown.context["confirmation"].named[0]
    assert (named.must_choose, named.default_choice) == (True, "")
    assert [(p.organization.name, [pl.title for pl in plans]) for p, plans in named.options] == [
        ("UNHCR", ["PIM Lebanon 2020"]),
        ("DRC", ["PIM Lebanon 2020"]),
    ]
    assertContains(shown, "Which one?")
    refused = _confirm(client, _add_url(world), shown)
    assert refused.status_code == 200
    assertContains(refused, "Choose who Omar is.")
    assert _counts() == before

    _confirm(client, _add_url(world), shown, {"fp0-0": str(drc_omar.pk)})

    assert _point().focal_points.get().person == drc_omar
    assert Person.objects.filter(name="Omar").count() == 2


def test_a_choice_that_was_not_offered_is_refused(client, world):
    neighbour = _neighbour_plan(world)
    _named_in(neighbour, "Omar", "UNHCR")
    _named_in(neighbour, "Omar", "DRC")
    hidden = _named_in(world.other_plan, "Omar", "NRC")  # a plan the coordinator cannot see
    before = _counts()
    shown = _add(client, world, ("Omar", "lead", ""))

    response = _confirm(client, _add_url(world), shown, {"fp0-0": str(hidden.pk)})

    assertContains(response, "Choose who Omar is.")
    assert _counts() == before


# --- picking a suggested person --------------------------------------------------


def test_a_picked_person_is_reused_exactly_even_with_namesakes(client, world):
    neighbour = _neighbour_plan(world)
    _named_in(neighbour, "Omar", "UNHCR")
    drc_omar = _named_in(neighbour, "Omar", "DRC")
    people = Person.objects.count()

    response = _add(client, world, ("Omar", "support", "", drc_omar.pk))

    assert response.status_code == 302  # picked: nothing to ask
    assert [(fp.person, fp.role) for fp in _point().focal_points.all()] == [(drc_omar, "support")]
    assert Person.objects.count() == people


def test_a_picked_person_of_another_country_is_reused_without_asking(client, world):
    iraq_rana = _named_in(_neighbour_plan(world, "PIM Iraq", "Iraq"), "Rana", "IOM")

    response = _add(client, world, ("Rana", "lead", "", iraq_rana.pk))

    assert response.status_code == 302
    assert _point().focal_points.get().person == iraq_rana


def test_a_picked_id_whose_name_was_typed_over_is_ignored(client, world):
    picked = _named_in(_neighbour_plan(world), "Omar")

    _add(client, world, ("Maria", "lead", "", picked.pk))

    person = _point().focal_points.get().person
    assert (person.name, person == picked) == ("Maria", False)


def test_a_forged_id_of_someone_the_user_cannot_see_is_refused(client, world):
    hidden = _named_in(world.other_plan, "Omar", "NRC")
    before = _counts()

    response = _add(client, world, ("Omar", "lead", "", hidden.pk))

    assert response.status_code == 200
    assert response.context["formset"].errors == [
        {
            "name": [
                "The person picked is not among the people you may see: "
                "type the name again and pick from the suggestions."
            ]
        }
    ]
    assert _counts() == before


@pytest.mark.parametrize("forged", ["999999", "abc", "1 2; DROP"])
def test_an_id_of_nobody_is_refused(client, world, forged):
    before = _counts()

    response = _add(client, world, ("Omar", "lead", "", forged))

    assert response.status_code == 200
    assert list(response.context["formset"].errors[0]) == ["name"]
    assert _counts() == before


def test_editing_keeps_the_exact_people_of_the_action_point(client, world):
    neighbour = _neighbour_plan(world)
    _named_in(neighbour, "Omar", "UNHCR")
    drc_omar = _named_in(neighbour, "Omar", "DRC")
    point = world.action_point
    FocalPoint.objects.create(action_point=point, person=drc_omar, role="support")
    page = client.get(f"/action-points/{point.pk}/edit/")
    rows = [(f["name"].value(), f["person"].value()) for f in page.context["formset"]]
    assert rows[:2] == [("Jad", str(world.member_person.pk)), ("Omar", str(drc_omar.pk))]

    response = client.post(
        f"/action-points/{point.pk}/edit/",
        {
            "description": "Changed",
            "deadline": "",
            "deadline_reason": "",
            "version": str(point.version),
            **_formset(
                ("Jad", "lead", "", world.member_person.pk), ("Omar", "advisor", "", drc_omar.pk)
            ),
        },
    )

    assert response.status_code == 302
    assert [(fp.person, fp.role) for fp in point.focal_points.order_by("id")] == [
        (world.member_person, "lead"),
        (drc_omar, "advisor"),
    ]


# --- bad names -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "note", "error"),
    [
        ("", "can advise", "A person needs a name."),
        ("   ", "can advise", "A person needs a name."),
        ("...", "", '"..." has no letters: write the person\'s name.'),
        ("- / -", "", '"- / -" has no letters: write the person\'s name.'),
        ("Ra\x07na", "", CONTROL),
        ("Rana\u202e", "", CONTROL),  # right-to-left override
        ("Rana, Om\x1far", "", CONTROL),  # a separator the parser would read as a space
        ("R" * 201, "", "A name has at most 200 characters (this one has 201)."),
    ],
)
def test_bad_focal_point_names_are_field_errors_and_nothing_is_saved(
    client, world, name, note, error
):
    before = _counts()

    response = _add(client, world, (name, "lead", note))

    assert response.status_code == 200
    assert response.context["formset"].errors == [{"name": [error]}]
    assertContains(response, '<ul class="errorlist" id="id_fp-0-name_error">', html=False)
    assert _counts() == before


def test_unreadable_workshop_text_says_how_to_write_it(client, world):
    before = _counts()

    response = _add(client, world, ("Fanette (Fred can advise", "lead", ""))

    (message,) = response.context["formset"].errors[0]["name"]
    assert message.startswith('Cannot read the focal points "Fanette (Fred can advise": ')
    assert _counts() == before


def test_the_same_person_twice_across_rows_is_an_error(client, world):
    before = _counts()

    response = _add(client, world, ("Rana, Omar", "lead", ""), ("OMAR", "support", ""))

    assert response.context["formset"].errors == [{}, {"name": ["OMAR is listed twice."]}]
    assert _counts() == before


# --- the working group form --------------------------------------------------------


def _group_url(world) -> str:
    return f"/plans/{world.plan.pk}/groups/add/"


def _group(client, world, **fields):
    data = {"number": "", "name": "Protection", "team_leader": "", "team_members": ""}
    return client.post(_group_url(world), data | fields)


def test_team_members_written_as_the_workshop_did_are_confirmed(client, world):
    shown = _group(
        client, world, team_leader="Rana (UNHCR)", team_members="Fanette (Fred can advise), Jad"
    )

    assert _confirmation_lines(shown) == [
        "Rana UNHCR new",
        "Fanette new",
        "Fred new",
        "Jad known",
    ]
    assertContains(shown, "<h3>Team leader</h3>", html=True)
    assertContains(shown, "<h3>Team members</h3>", html=True)
    assert WorkingGroup.objects.filter(name="Protection").count() == 0

    _confirm(client, _group_url(world), shown)

    group = WorkingGroup.objects.get(name="Protection")
    assert (group.team_leader.name, group.team_leader.organization.name) == ("Rana", "UNHCR")
    assert [p.name for p in team_members_in_order([group.pk])[group.pk]] == [
        "Fanette",
        "Fred",
        "Jad",
    ]
    assert group.team_members.get(name="Jad") == world.member_person
    assert Organization.objects.filter(name="UNHCR").count() == 1


def test_plain_team_member_names_are_matched_in_the_operation_without_asking(client, world):
    rana = _named_in(_neighbour_plan(world), "Rana")
    people = Person.objects.count()

    response = _group(client, world, team_leader="RANA", team_members="rana, Jad, Maria")

    assert response.status_code == 302
    group = WorkingGroup.objects.get(name="Protection")
    assert group.team_leader == rana
    assert sorted(p.name for p in group.team_members.all()) == ["Jad", "Maria", "Rana"]
    assert group.team_members.get(name="Rana") == rana
    assert Person.objects.count() == people + 1  # Maria


def test_team_members_picked_among_suggestions_are_those_people(client, world):
    neighbour = _neighbour_plan(world)
    unhcr_omar = _named_in(neighbour, "Omar", "UNHCR")
    drc_omar = _named_in(neighbour, "Omar", "DRC")

    response = _group(
        client,
        world,
        team_leader="Omar",
        team_leader_person=str(unhcr_omar.pk),
        team_members="Omar, Jad",
        team_members_people=f"{drc_omar.pk} {world.member_person.pk}",
    )

    assert response.status_code == 302
    group = WorkingGroup.objects.get(name="Protection")
    assert group.team_leader == unhcr_omar
    assert set(group.team_members.all()) == {drc_omar, world.member_person}


def test_two_omars_in_the_team_members_ask_which(client, world):
    neighbour = _neighbour_plan(world)
    _named_in(neighbour, "Omar", "UNHCR")
    drc_omar = _named_in(neighbour, "Omar", "DRC")

    shown = _group(client, world, team_members="Jad, Omar")

    assert _confirmation_lines(shown) == ["Jad known", "Omar asks"]
    _confirm(client, _group_url(world), shown, {"team_members-1": str(drc_omar.pk)})
    group = WorkingGroup.objects.get(name="Protection")
    assert set(group.team_members.all()) == {drc_omar, world.member_person}


def test_a_forged_team_member_id_is_refused(client, world):
    hidden = _named_in(world.other_plan, "Omar", "NRC")
    before = _counts()

    response = _group(client, world, team_members="Omar", team_members_people=str(hidden.pk))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "team_members": [
            "The person picked is not among the people you may see: "
            "type the name again and pick from the suggestions."
        ]
    }
    assert _counts() == before


@pytest.mark.parametrize(
    ("fields", "field", "error"),
    [
        ({"team_leader": "!!!"}, "team_leader", '"!!!" has no letters: write the person\'s name.'),
        (
            {"team_leader": "Rana, Omar"},
            "team_leader",
            "A group has one team leader: name the others as team members.",
        ),
        (
            {"team_members": "Rana, Om\x01ar"},
            "team_members",
            CONTROL,
        ),
        ({"team_members": "?"}, "team_members", '"?" has no letters: write the person\'s name.'),
    ],
)
def test_bad_team_names_are_field_errors_and_nothing_is_saved(client, world, fields, field, error):
    before = _counts()

    response = _group(client, world, **fields)

    assert response.status_code == 200
    assert response.context["form"].errors == {field: [error]}
    assert _counts() == before


def test_editing_a_group_keeps_its_exact_people(client, world):
    neighbour = _neighbour_plan(world)
    _named_in(neighbour, "Omar", "UNHCR")
    drc_omar = _named_in(neighbour, "Omar", "DRC")
    world.group.team_members.add(drc_omar)
    url = f"/groups/{world.group.pk}/edit/"
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    assert (data["team_members"], data["team_members_people"]) == (
        "Jad, Omar",
        f"{world.member_person.pk} {drc_omar.pk}",
    )

    response = client.post(url, {**data, "number": "1", "name": "Renamed"})

    assert response.status_code == 302
    assert set(world.group.team_members.all()) == {world.member_person, drc_omar}


# --- suggestions -------------------------------------------------------------------


def _suggest(client, world, q: str, **params):
    params = {"q": q, "plan": str(world.plan.pk), "for": "id_fp-0-name"} | params
    return client.get("/people/suggest/", params)


def _suggested(response) -> list[tuple[str, str]]:
    return [
        (s["person"].name, s["person"].organization.short_name if s["person"].organization else "")
        for s in response.context["suggestions"]
    ]


def test_suggestions_list_people_with_organization_and_plans(client, world):
    fanette = _named_in(_neighbour_plan(world), "Fanette", "UNHCR")

    response = _suggest(client, world, "fân")

    assert response.status_code == 200
    assert _suggested(response) == [("Fanette", "UNHCR")]
    assertContains(
        response,
        f'<li role="option" id="id_fp-0-name-option-1" class="people-option" '
        f'aria-selected="false" data-person="{fanette.pk}" data-name="Fanette">'
        '<span class="people-name" dir="auto">Fanette</span> '
        '<span class="people-org" dir="auto">UNHCR</span> '
        '<span class="people-plans">· <span dir="auto">PIM Lebanon 2020</span></span></li>',
        html=False,
    )
    assertNotContains(response, "<html")


def test_suggestions_put_the_operation_first_then_names_that_start_with_the_text(client, world):
    iraq = _neighbour_plan(world, "PIM Iraq", "Iraq")
    lebanon = _neighbour_plan(world)
    _named_in(iraq, "Omar Said", "IOM")
    _named_in(lebanon, "Said Omar", "DRC")
    _named_in(lebanon, "Omar", "UNHCR")
    _named_in(iraq, "Omari", "WFP")

    response = _suggest(client, world, "omar")

    assert _suggested(response) == [
        ("Omar", "UNHCR"),
        ("Said Omar", "DRC"),
        ("Omar Said", "IOM"),
        ("Omari", "WFP"),
    ]
    assertContains(response, "(another operation)", count=2)


def test_suggestions_never_show_people_the_user_cannot_see(client, world):
    _named_in(world.other_plan, "Omar", "NRC")  # a members-only plan of others
    _named_in(_neighbour_plan(world), "Omar", "UNHCR")

    response = _suggest(client, world, "Omar")

    assert _suggested(response) == [("Omar", "UNHCR")]
    assertNotContains(response, "NRC")
    client.force_login(world.member)
    assert _suggested(_suggest(client, world, "Omar")) == []


def test_suggestions_of_a_hidden_plan_answer_404(client, world):
    response = _suggest(client, world, "Jad", plan=str(world.other_plan.pk))

    assert response.status_code == 404


def test_suggestions_need_a_signed_in_user(client, world):
    client.logout()

    response = _suggest(client, world, "Jad")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("q", ["", "  ", "..."])
def test_suggestions_for_no_name_are_empty(client, world, q):
    response = _suggest(client, world, q)

    assert (response.status_code, response.content.strip()) == (200, b"")


def test_suggestions_are_at_most_ten(client, world):
    plan = _neighbour_plan(world)
    for number in range(12):
        _named_in(plan, f"Omar {number:02}")

    response = _suggest(client, world, "omar")

    assert [name for name, _ in _suggested(response)] == [f"Omar {n:02}" for n in range(10)]


def test_suggestions_escape_the_element_id(client, world):
    response = _suggest(client, world, "Jad", **{"for": '"><script>'})

    assertContains(response, 'id="people-option-1"', html=False)
    assertNotContains(response, "<script>")


def _suggestion_queries(client, world) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = _suggest(client, world, "omar")
    assert response.status_code == 200
    return len(captured)


def test_suggestion_queries_do_not_grow_with_the_people_found(client, world):
    lebanon, iraq = _neighbour_plan(world), _neighbour_plan(world, "PIM Iraq", "Iraq")
    for number in range(2):
        _named_in(lebanon, f"Omar {number}", "UNHCR")
    small = _suggestion_queries(client, world)
    for number in range(2, 20):
        person = _named_in(iraq if number % 2 else lebanon, f"Omar {number}", f"Org {number}")
        working_group_create(plan=world.plan, name=f"Also {number}", team_members=[person])

    large = _suggestion_queries(client, world)

    # Session, user, the plan, whether the user manages people (visible_people's
    # rule), then the two of the suggestions: the people, their plans.
    assert (small, large) == (6, 6)
