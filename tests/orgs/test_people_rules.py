"""Who may see and edit a person (actionplans.permissions.visible_people and
can_edit_person), over the pages and the API, and the plans shown beside each person.

The rule (docs/domain.md, "Who may do what"):
- see: administrators everyone; others themselves and the people named now in a
  plan they may see; coordinators also the people ever named in a plan they
  coordinate (Naming) and the people they added (created_by) who were never named
  in a plan they cannot see;
- edit: administrators; the coordinators of a plan the person is named in now; the
  coordinator who added them, while they are named in no plan and were never named
  in a plan that coordinator cannot see.

The issue's bug: coordinator A's members-only plan names Rana (with an email), A
removes her; coordinator B, who coordinates another plan, used to read and edit her
through /api/v1/people/<id>/ as a "person in no plan yet".
"""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains
from rest_framework.test import APIClient

from actionplans.choices import PlanVisibility
from actionplans.models import Naming
from actionplans.services import (
    FocalPointAssignment,
    action_point_create,
    challenge_create,
    plan_create,
    working_group_create,
    working_group_update,
)
from orgs.models import Person
from orgs.services import api_token_issue, person_create
from tests.factories import OrganizationFactory, PersonFactory, UserFactory
from tests.users import build_world

pytestmark = pytest.mark.django_db

ROLES = ["admin", "coordinator", "member", "viewer", "outsider"]


def _api(user) -> APIClient:
    _token, key = api_token_issue(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _page(client, user):
    client.force_login(user)
    return client


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _listed_names(response) -> list[str]:
    """The names in the people list's first column."""
    assert response.status_code == 200
    body = re.search(r"<tbody>(.*?)</tbody>", response.content.decode(), re.S)
    if body is None:
        return []
    rows = re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    return [_text(re.search(r"<td[^>]*>(.*?)</td>", row, re.S).group(1)) for row in rows]


def _api_names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["results"]]


def _in_group(plan, people, *, user, name="Protection"):
    """Name people as members of a new group of the plan (through the services, which
    record the Naming)."""
    return working_group_create(plan=plan, name=name, team_members=people, created_by=user)


def _remove_all(group, *, user):
    working_group_update(
        group=group,
        user=user,
        name=group.name,
        number=group.number,
        team_leader=None,
        team_members=[],
    )


@pytest.fixture
def world():
    """The standard world plus coordinator B, who coordinates "Other plan" only."""
    world = build_world()
    world.coordinator_b = UserFactory(username="coordinator_b")
    world.other_plan.coordinators.add(world.coordinator_b)
    return world


# --- the issue's bug: removed from a members-only plan -------------------------------


@pytest.fixture
def removed_rana(world):
    """Rana, with an email, named in A's members-only plan and removed by A."""
    rana = person_create(name="Rana Haddad", email="rana@example.org")
    group = _in_group(world.plan, [rana], user=world.coordinator)
    _remove_all(group, user=world.coordinator)
    assert list(Naming.objects.filter(person=rana).values_list("plan_id", flat=True)) == [
        world.plan.pk
    ]
    assert not group.team_members.exists()
    return rana


def test_removed_person_is_hidden_from_another_plans_coordinator_on_pages(
    client, world, removed_rana
):
    _page(client, world.coordinator_b)
    assert client.get(f"/people/{removed_rana.pk}/").status_code == 404
    assert client.get(f"/people/{removed_rana.pk}/edit/").status_code == 404
    response = client.post(
        f"/people/{removed_rana.pk}/edit/", {"name": "Changed", "email": "b@example.org"}
    )
    assert response.status_code == 404
    assert _listed_names(client.get("/people/")) == []
    assert _listed_names(client.get("/people/?q=rana")) == []
    assert _listed_names(client.get("/people/?q=rana@example")) == []
    removed_rana.refresh_from_db()
    assert (removed_rana.name, removed_rana.email) == ("Rana Haddad", "rana@example.org")


def test_removed_person_is_hidden_from_another_plans_coordinator_in_the_api(world, removed_rana):
    api = _api(world.coordinator_b)
    assert api.get(f"/api/v1/people/{removed_rana.pk}/").status_code == 404
    response = api.patch(
        f"/api/v1/people/{removed_rana.pk}/", {"email": "b@example.org"}, format="json"
    )
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
    assert _api_names(api.get("/api/v1/people/")) == []
    assert _api_names(api.get("/api/v1/people/?q=rana")) == []
    assert _api_names(api.get("/api/v1/people/?q=rana@")) == []
    removed_rana.refresh_from_db()
    assert removed_rana.email == "rana@example.org"


def test_removed_person_stays_visible_to_the_coordinator_of_the_plan(client, world, removed_rana):
    # Ever named in A's plan: A still sees her. She was added by an import (no
    # created_by) and is in no plan now: only administrators edit her.
    _page(client, world.coordinator)
    response = client.get(f"/people/{removed_rana.pk}/")
    assert response.status_code == 200
    assertContains(response, '<a href="mailto:rana@example.org">rana@example.org</a>', html=True)
    assertContains(response, "Named in no plan you can see.")
    assertNotContains(response, "Edit person")
    assert client.get(f"/people/{removed_rana.pk}/edit/").status_code == 403
    assert _listed_names(client.get("/people/?q=rana")) == ["Rana Haddad"]

    api = _api(world.coordinator)
    body = api.get(f"/api/v1/people/{removed_rana.pk}/").json()
    assert (body["email"], body["plans"]) == ("rana@example.org", [])
    response = api.patch(f"/api/v1/people/{removed_rana.pk}/", {"name": "X"}, format="json")
    assert response.status_code == 403


def test_removed_person_is_hidden_from_the_plans_members(client, world, removed_rana):
    # Members see the people named now in their plans, not those removed from them.
    _page(client, world.member)
    assert client.get(f"/people/{removed_rana.pk}/").status_code == 404
    assert _api(world.member).get(f"/api/v1/people/{removed_rana.pk}/").status_code == 404


def test_removed_person_seen_and_edited_by_an_administrator(client, world, removed_rana):
    _page(client, world.admin)
    assert client.get(f"/people/{removed_rana.pk}/").status_code == 200
    response = client.post(
        f"/people/{removed_rana.pk}/edit/", {"name": "Rana El Haddad", "email": "r@example.org"}
    )
    assert response.status_code == 302
    api = _api(world.admin)
    response = api.patch(
        f"/api/v1/people/{removed_rana.pk}/", {"email": "rana@unhcr.org"}, format="json"
    )
    assert response.status_code == 200
    removed_rana.refresh_from_db()
    assert (removed_rana.name, removed_rana.email) == ("Rana El Haddad", "rana@unhcr.org")


def test_removed_person_hidden_even_from_the_coordinator_who_added_them(client, world):
    # B added Rana; A named her in A's members-only plan, then removed her. She has
    # been named in a plan B cannot see: B no longer sees her.
    rana = person_create(name="Rana", email="rana@example.org", created_by=world.coordinator_b)
    _page(client, world.coordinator_b)
    assert client.get(f"/people/{rana.pk}/").status_code == 200
    group = _in_group(world.plan, [rana], user=world.coordinator)
    _remove_all(group, user=world.coordinator)
    assert client.get(f"/people/{rana.pk}/").status_code == 404
    assert client.get(f"/people/{rana.pk}/edit/").status_code == 404
    assert _api(world.coordinator_b).get(f"/api/v1/people/{rana.pk}/").status_code == 404
    # Once B may see that plan, every plan she was named in is visible to B: she is
    # B's again, to see and, in no plan now, to edit.
    world.plan.coordinators.add(world.coordinator_b)
    assert client.get(f"/people/{rana.pk}/").status_code == 200
    assert client.get(f"/people/{rana.pk}/edit/").status_code == 200


def test_role_without_its_naming_record_still_hides_the_person(client, world):
    # A role written without its Naming record (the Django admin) hides the person
    # from their creator all the same.
    loner = PersonFactory(name="Loner", created_by=world.coordinator_b)
    world.plan.working_groups.get().team_members.add(loner)
    assert not Naming.objects.filter(person=loner).exists()
    _page(client, world.coordinator_b)
    assert client.get(f"/people/{loner.pk}/").status_code == 404


# --- the coordinator who added a person ------------------------------------------------


def test_person_added_on_the_page_is_seen_and_edited_by_its_creator_only(client, world):
    _page(client, world.coordinator)
    response = client.post("/people/add/", {"name": "Nour", "email": "nour@example.org"})
    assert response.status_code == 302
    nour = Person.objects.get(name="Nour")
    assert nour.created_by == world.coordinator
    assert client.get(f"/people/{nour.pk}/").status_code == 200
    assert client.get(f"/people/{nour.pk}/edit/").status_code == 200
    response = client.post(f"/people/{nour.pk}/edit/", {"name": "Nour Saleh", "email": ""})
    assert response.status_code == 302
    assert _listed_names(client.get("/people/?q=nour")) == ["Nour Saleh"]

    for user in (world.coordinator_b, world.viewer, world.outsider, world.member):
        _page(client, user)
        assert client.get(f"/people/{nour.pk}/").status_code == 404, user
        assert _listed_names(client.get("/people/?q=nour")) == [], user
    _page(client, world.coordinator_b)
    assert client.get(f"/people/{nour.pk}/edit/").status_code == 404


def test_person_added_in_the_api_is_seen_and_edited_by_its_creator_only(world):
    api = _api(world.coordinator)
    response = api.post("/api/v1/people/", {"name": "Omar", "email": "omar@x.org"}, format="json")
    assert response.status_code == 201
    omar = Person.objects.get(pk=response.json()["id"])
    assert omar.created_by == world.coordinator
    assert response.json()["plans"] == []
    assert api.get(f"/api/v1/people/{omar.pk}/").status_code == 200
    response = api.patch(f"/api/v1/people/{omar.pk}/", {"name": "Omar Said"}, format="json")
    assert (response.status_code, response.json()["name"]) == (200, "Omar Said")

    other = _api(world.coordinator_b)
    assert other.get(f"/api/v1/people/{omar.pk}/").status_code == 404
    assert other.patch(f"/api/v1/people/{omar.pk}/", {"name": "X"}, format="json").status_code == (
        404
    )
    assert _api_names(other.get("/api/v1/people/?q=omar")) == []
    omar.refresh_from_db()
    assert omar.name == "Omar Said"


def test_creator_edits_only_while_the_person_is_in_no_plan(client, world):
    # Named in a plan open to every signed-in user that A does not coordinate: A
    # sees the person (a plan A may see) but the plan's coordinator edits them.
    nour = person_create(name="Nour", created_by=world.coordinator)
    world.other_plan.visibility = PlanVisibility.SIGNED_IN
    world.other_plan.save(update_fields=["visibility"])
    group = _in_group(world.other_plan, [nour], user=world.coordinator_b)
    _page(client, world.coordinator)
    assert client.get(f"/people/{nour.pk}/").status_code == 200
    assert client.get(f"/people/{nour.pk}/edit/").status_code == 403
    _page(client, world.coordinator_b)
    assert client.get(f"/people/{nour.pk}/edit/").status_code == 200
    # Removed again: in no plan, named only in a plan A may see, so A's again.
    _remove_all(group, user=world.coordinator_b)
    _page(client, world.coordinator)
    assert client.get(f"/people/{nour.pk}/edit/").status_code == 200
    # B coordinated a plan she was named in: B still sees her, no longer edits her.
    _page(client, world.coordinator_b)
    assert client.get(f"/people/{nour.pk}/").status_code == 200
    assert client.get(f"/people/{nour.pk}/edit/").status_code == 403


def test_person_added_by_an_import_in_no_plan_is_for_administrators_only(client, world):
    orphan = person_create(name="Orphan")  # created_by None: an import or the system
    for user in (world.coordinator, world.coordinator_b, world.member):
        _page(client, user)
        assert client.get(f"/people/{orphan.pk}/").status_code == 404
    _page(client, world.admin)
    assert client.get(f"/people/{orphan.pk}/edit/").status_code == 200


# --- the five standard users over pages and API --------------------------------------


@pytest.fixture
def cast(world):
    """One person in each situation (names sort in this order)."""
    newcomer = person_create(name="Aya Newcomer", created_by=world.coordinator)
    removed = person_create(name="Basma Removed", email="basma@example.org")
    _remove_all(_in_group(world.plan, [removed], user=world.coordinator), user=world.coordinator)
    stranger = person_create(name="Carim Stranger")
    _in_group(world.other_plan, [stranger], user=world.coordinator_b)
    orphan = person_create(name="Dima Orphan")
    return {
        "Aya Newcomer": newcomer,
        "Basma Removed": removed,
        "Carim Stranger": stranger,
        "Dima Orphan": orphan,
        "Jad": world.member_person,
    }


EVERYONE = ["Aya Newcomer", "Basma Removed", "Carim Stranger", "Dima Orphan", "Jad"]
VISIBLE = {
    "admin": EVERYONE,
    "coordinator": ["Aya Newcomer", "Basma Removed", "Jad"],
    "member": ["Jad"],
    "viewer": [],
    "outsider": [],
    "coordinator_b": ["Carim Stranger"],
}
EDITABLE = {
    "admin": EVERYONE,
    "coordinator": ["Aya Newcomer", "Jad"],
    "member": [],
    "viewer": [],
    "outsider": [],
    "coordinator_b": ["Carim Stranger"],
}
MANAGERS = {"admin", "coordinator", "coordinator_b"}


@pytest.mark.parametrize("role", [*ROLES, "coordinator_b"])
def test_lists_per_role_on_the_page_and_in_the_api(client, world, cast, role):
    user = getattr(world, role)
    assert _listed_names(_page(client, user).get("/people/")) == VISIBLE[role]
    assert _api_names(_api(user).get("/api/v1/people/")) == VISIBLE[role]


@pytest.mark.parametrize("role", [*ROLES, "coordinator_b"])
def test_detail_and_edit_per_role_on_pages(client, world, cast, role):
    _page(client, getattr(world, role))
    detail, edit = {}, {}
    for name, person in cast.items():
        detail[name] = client.get(f"/people/{person.pk}/").status_code
        edit[name] = client.get(f"/people/{person.pk}/edit/").status_code

    def expected_edit(name):
        if role not in MANAGERS:
            return 403  # before any lookup
        if name not in VISIBLE[role]:
            return 404
        return 200 if name in EDITABLE[role] else 403

    assert detail == {name: 200 if name in VISIBLE[role] else 404 for name in cast}
    assert edit == {name: expected_edit(name) for name in cast}


@pytest.mark.parametrize("role", [*ROLES, "coordinator_b"])
def test_retrieve_and_patch_per_role_in_the_api(world, cast, role):
    api = _api(getattr(world, role))
    read, write = {}, {}
    for name, person in cast.items():
        read[name] = api.get(f"/api/v1/people/{person.pk}/").status_code
        # The name as it is: a PATCH allowed changes nothing here.
        write[name] = api.patch(
            f"/api/v1/people/{person.pk}/", {"name": name}, format="json"
        ).status_code

    def expected_write(name):
        if name not in VISIBLE[role]:
            return 404
        return 200 if name in EDITABLE[role] else 403

    assert read == {name: 200 if name in VISIBLE[role] else 404 for name in cast}
    assert write == {name: expected_write(name) for name in cast}


# --- the plans beside each person ---------------------------------------------------


@pytest.fixture
def namesakes(world):
    """Two Omars: one in A's plan (with an organization), one in B's; and Rana in both
    plans and in a third plan open to all signed-in users."""
    unhcr = OrganizationFactory(name="UN Refugee Agency", acronym="UNHCR")
    omar_a = person_create(name="Omar", organization=unhcr)
    omar_b = person_create(name="Omar")
    rana = person_create(name="Rana")
    shared = plan_create(title="Shared plan", visibility=PlanVisibility.SIGNED_IN)
    _in_group(world.plan, [omar_a, rana], user=world.coordinator)
    _in_group(world.other_plan, [omar_b], user=world.coordinator_b)
    group = working_group_create(plan=world.other_plan, name="Second", team_leader=rana)
    challenge = challenge_create(working_group=group, description="Challenge")
    action_point_create(
        challenge=challenge,
        description="Point",
        focal_points=[FocalPointAssignment(rana, "lead")],
    )
    _in_group(shared, [rana], user=None)
    return {"omar_a": omar_a, "omar_b": omar_b, "rana": rana, "shared": shared}


def _row_cells(response) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", response.content.decode(), re.S).group(1)
    return [
        [_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_person_list_shows_organization_and_visible_plans(client, world, namesakes):
    _page(client, world.admin)
    rows = _row_cells(client.get("/people/?q=omar"))
    # Name, organization (empty, never "None"), plans, email, open action points.
    assert rows == [
        ["Omar", "UNHCR", "PIM Lebanon Action Plan", "", "0"],
        ["Omar", "", "Other plan", "", "0"],
    ]
    response = client.get("/people/?q=rana")
    # Leader, focal point and member of "Other plan": listed once.
    assert _row_cells(response) == [
        ["Rana", "", "Other plan , PIM Lebanon Action Plan , Shared plan", "", "1"]
    ]
    plan_link = f'<a href="/plans/{namesakes["shared"].pk}/" dir="auto">Shared plan</a>'
    assertContains(response, plan_link, html=True)

    _page(client, world.coordinator)
    assert _row_cells(client.get("/people/?q=rana")) == [
        ["Rana", "", "PIM Lebanon Action Plan , Shared plan", "", "0"]
    ]
    _page(client, world.viewer)
    assert _row_cells(client.get("/people/?q=rana")) == [["Rana", "", "Shared plan", "0"]]
    assertNotContains(client.get("/people/"), "None")


def test_person_detail_shows_visible_plans_and_no_empty_organization(client, world, namesakes):
    rana = namesakes["rana"]
    _page(client, world.coordinator)
    response = client.get(f"/people/{rana.pk}/")
    facts = re.search(r'<dl class="facts card">(.*?)</dl>', response.content.decode(), re.S)
    assert _text(facts.group(1)) == ("Plans PIM Lebanon Action Plan , Shared plan Email None")
    _page(client, world.admin)
    response = client.get(f"/people/{namesakes['omar_a'].pk}/")
    facts = re.search(r'<dl class="facts card">(.*?)</dl>', response.content.decode(), re.S)
    assert _text(facts.group(1)) == (
        "Organization UN Refugee Agency (UNHCR) Plans PIM Lebanon Action Plan "
        "Email None User account None"
    )


def test_api_people_carry_their_visible_plans(world, namesakes):
    plan, other, shared = world.plan, world.other_plan, namesakes["shared"]

    def plans(client, person):
        return client.get(f"/api/v1/people/{person.pk}/").json()["plans"]

    admin, coordinator = _api(world.admin), _api(world.coordinator)
    assert plans(admin, namesakes["rana"]) == [
        {"id": other.pk, "title": "Other plan"},
        {"id": plan.pk, "title": "PIM Lebanon Action Plan"},
        {"id": shared.pk, "title": "Shared plan"},
    ]
    assert plans(coordinator, namesakes["rana"]) == [
        {"id": plan.pk, "title": "PIM Lebanon Action Plan"},
        {"id": shared.pk, "title": "Shared plan"},
    ]
    listed = admin.get("/api/v1/people/?q=omar").json()["results"]
    assert [(item["organization"], item["plans"]) for item in listed] == [
        (namesakes["omar_a"].organization_id, [{"id": plan.pk, "title": plan.title}]),
        (None, [{"id": other.pk, "title": "Other plan"}]),
    ]


def test_api_schema_documents_the_plans_field():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    person = schema["components"]["schemas"]["Person"]
    assert person["properties"]["plans"]["readOnly"] is True
    assert person["properties"]["plans"]["type"] == "array"
    item = person["properties"]["plans"]["items"]
    named = schema["components"]["schemas"][item["$ref"].rsplit("/", 1)[1]]
    assert named["properties"] == {
        "id": {"type": "integer", "readOnly": True},
        "title": {"type": "string", "readOnly": True},
    }
    assert person["properties"]["organization"] == {"type": "integer", "nullable": True}


# --- query counts: the plans of a whole page in one query ------------------------------


def _queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response.content.decode()


def _grow(world, count: int) -> None:
    """More people, each named in A's plan and in a new plan open to all."""
    for n in range(count):
        people = [person_create(name=f"Grown {n} {k}") for k in range(3)]
        _in_group(world.plan, people, user=world.coordinator, name=f"Grown {n}")
        plan = plan_create(title=f"Open plan {n}", visibility=PlanVisibility.SIGNED_IN)
        _in_group(plan, people, user=None, name="Open")


@pytest.mark.parametrize("role", ["admin", "coordinator", "member", "viewer"])
def test_person_list_plans_query_count_does_not_grow(client, world, role):
    _grow(world, 1)
    _page(client, getattr(world, role))
    client.get("/people/")
    small, html = _queries(client, "/people/")
    assert "Open plan 0" in html
    _grow(world, 6)
    large, html = _queries(client, "/people/")
    assert "Open plan 5" in html
    assert small == large


# The clock stands still: a token or feed key records its use at most once a minute, and a
# slow run would otherwise count that write in one measurement and not the other.
@time_machine.travel(datetime.datetime(2026, 11, 27, 12, tzinfo=datetime.UTC), tick=False)
@pytest.mark.parametrize("role", ["admin", "coordinator", "member", "viewer"])
def test_api_people_plans_query_count_does_not_grow(world, role):
    api = _api(getattr(world, role))
    api.get("/api/v1/")  # the token's first use records it: not counted
    _grow(world, 1)
    small, body = _queries(api, "/api/v1/people/")
    assert "Open plan 0" in body
    _grow(world, 6)
    large, body = _queries(api, "/api/v1/people/")
    assert "Open plan 5" in body
    assert small == large
