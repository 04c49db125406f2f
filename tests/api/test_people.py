"""/api/v1/people/ and /api/v1/organizations/.

Organizations are public facts for everyone signed in. People are personal
data: each user sees those named in the plans they may see (and themselves);
coordinators also see the people ever named in their plans and those they added
who were never named in a plan they cannot see (actionplans.permissions.
visible_people; tests/orgs/test_people_rules.py has the full table). Email
addresses are shown only to coordinators and administrators. Each person lists
the visible plans they are named in. Neither can be deleted through the API.
"""

import pytest

from actionplans import services
from actionplans.choices import PlanVisibility
from orgs.models import Organization, Person
from tests.api.helpers import BASE, NOT_ALLOWED, NOT_FOUND, ids, iso
from tests.factories import FocalPointFactory, OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world) -> dict[str, Person]:
    """Jad and Rana in the plan, Stranger only in the other plan, Newbie in none
    (added by the coordinator)."""
    unhcr = OrganizationFactory(name="UN Refugee Agency", acronym="UNHCR", kind="un_agency")
    jad = world.member_person
    jad.email = "jad@example.org"
    jad.save()
    rana = PersonFactory(name="Rana", email="rana@example.org", organization=unhcr)
    services.working_group_create(plan=world.plan, name="Monitoring", team_members=[rana])
    stranger = PersonFactory(name="Stranger", email="stranger@example.org")
    FocalPointFactory(action_point=world.other_action_point, person=stranger)
    newbie = PersonFactory(name="Newbie", email="newbie@example.org", created_by=world.coordinator)
    return {"jad": jad, "rana": rana, "stranger": stranger, "newbie": newbie, "unhcr": unhcr}


def _person_body(person: Person, *, email: bool, plans=()) -> dict:
    person.refresh_from_db()
    return {
        "id": person.pk,
        "url": f"{BASE}/people/{person.pk}/",
        "name": person.name,
        "email": person.email if email else None,
        "organization": person.organization_id,
        "plans": [{"id": plan.pk, "title": plan.title} for plan in plans],
        "created": iso(person.created),
        "updated": iso(person.updated),
    }


def _organization_body(organization: Organization) -> dict:
    organization.refresh_from_db()
    return {
        "id": organization.pk,
        "url": f"{BASE}/organizations/{organization.pk}/",
        "name": organization.name,
        "acronym": organization.acronym,
        "kind": organization.kind,
        "created": iso(organization.created),
        "updated": iso(organization.updated),
    }


# --- people: read --------------------------------------------------------------------


def test_people_list_per_role(world, clients, people):
    jad, rana, stranger, newbie = (people[k].pk for k in ("jad", "rana", "stranger", "newbie"))
    expected = {
        "admin": [jad, newbie, rana, stranger],
        "coordinator": [jad, newbie, rana],
        "member": [jad, rana],
        "viewer": [],
        "outsider": [],
        "member_ro": [jad, rana],
        "coordinator_ro": [jad, newbie, rana],
    }
    assert {role: ids(clients[role].get("/api/v1/people/")) for role in expected} == expected
    assert clients["anonymous"].get("/api/v1/people/").status_code == 401


def test_people_list_signed_in_plan_for_viewer(world, viewer_client, people):
    world.plan.visibility = PlanVisibility.SIGNED_IN
    world.plan.save(update_fields=["visibility"])
    assert ids(viewer_client.get("/api/v1/people/")) == [people["jad"].pk, people["rana"].pk]


def test_people_email_shown_to_coordinators_and_admins(world, clients, people):
    rana = people["rana"]
    for role in ("admin", "coordinator", "coordinator_ro"):
        response = clients[role].get(f"/api/v1/people/{rana.pk}/")
        assert response.status_code == 200, role
        assert response.json() == _person_body(rana, email=True, plans=[world.plan]), role
        listed = clients[role].get("/api/v1/people/").json()["results"]
        assert {item["email"] for item in listed} >= {"jad@example.org", "rana@example.org"}


def test_people_email_hidden_from_members_and_viewers(world, clients, people):
    world.plan.visibility = PlanVisibility.SIGNED_IN
    world.plan.save(update_fields=["visibility"])
    rana = people["rana"]
    for role in ("member", "member_ro", "viewer"):
        response = clients[role].get(f"/api/v1/people/{rana.pk}/")
        assert response.status_code == 200, role
        assert response.json() == _person_body(rana, email=False, plans=[world.plan]), role
        listed = clients[role].get("/api/v1/people/").json()["results"]
        assert [item["email"] for item in listed] == [None, None], role


def test_people_search_by_email_only_for_coordinators(world, clients, people):
    assert ids(clients["coordinator"].get("/api/v1/people/?q=rana@")) == [people["rana"].pk]
    assert ids(clients["member"].get("/api/v1/people/?q=rana@")) == []
    assert ids(clients["member"].get("/api/v1/people/?q=ran")) == [people["rana"].pk]


def test_people_filters(world, admin_client, people):
    unhcr = people["unhcr"]
    assert ids(admin_client.get(f"/api/v1/people/?organization={unhcr.pk}")) == [people["rana"].pk]
    assert ids(admin_client.get("/api/v1/people/?q=unhcr")) == [people["rana"].pk]
    assert ids(admin_client.get("/api/v1/people/?q=Refugee")) == [people["rana"].pk]


@pytest.mark.parametrize(
    ("role", "who", "status"),
    [
        ("admin", "stranger", 200),
        ("coordinator", "stranger", 404),
        ("coordinator", "newbie", 200),
        ("member", "newbie", 404),
        ("member", "stranger", 404),
        ("member", "jad", 200),
        ("viewer", "jad", 404),
        ("outsider", "rana", 404),
        ("anonymous", "jad", 401),
    ],
)
def test_people_retrieve_per_role(world, clients, people, role, who, status):
    response = clients[role].get(f"/api/v1/people/{people[who].pk}/")
    assert response.status_code == status
    if status == 404:
        assert response.json() == NOT_FOUND


def test_people_user_sees_own_person_outside_plans(world, clients):
    PersonFactory(name="Viewer Self", user=world.viewer)
    assert [p["name"] for p in clients["viewer"].get("/api/v1/people/").json()["results"]] == [
        "Viewer Self"
    ]


# --- people: write -------------------------------------------------------------------


def test_people_create_by_coordinator(world, coordinator_client, people):
    response = coordinator_client.post(
        "/api/v1/people/",
        {"name": "Omar", "email": "omar@example.org", "organization": people["unhcr"].pk},
        format="json",
    )
    assert response.status_code == 201
    omar = Person.objects.get(name="Omar")
    assert response.json() == _person_body(omar, email=True)
    assert (omar.organization, omar.created_by) == (people["unhcr"], world.coordinator)
    assert response["Location"] == f"{BASE}/people/{omar.pk}/"
    # In no plan yet: the coordinator who added them still sees them.
    assert omar.pk in ids(coordinator_client.get("/api/v1/people/"))


def test_people_names_are_written_as_the_pages_write_them(world, coordinator_client):
    response = coordinator_client.post(
        "/api/v1/people/",
        {"name": "  Rana \t  Haddad  ", "email": " r@example.org "},
        format="json",
    )
    assert response.status_code == 201
    person = Person.objects.get(pk=response.json()["id"])
    assert (person.name, person.email) == ("Rana Haddad", "r@example.org")
    response = coordinator_client.patch(
        f"/api/v1/people/{person.pk}/", {"name": "Rana   El  Haddad"}, format="json"
    )
    assert response.json()["name"] == "Rana El Haddad"


def test_people_create_without_email(world, admin_client):
    response = admin_client.post("/api/v1/people/", {"name": "Omar", "email": None}, format="json")
    assert response.status_code == 201
    assert Person.objects.get(name="Omar").email == ""
    assert response.json()["email"] == ""


@pytest.mark.parametrize("role", ["member", "viewer", "outsider"])
def test_people_create_refused(world, clients, role):
    response = clients[role].post("/api/v1/people/", {"name": "Omar"}, format="json")
    assert response.status_code == 403
    assert response.json() == NOT_ALLOWED
    assert not Person.objects.filter(name="Omar").exists()


def test_people_create_validation(world, coordinator_client, people):
    response = coordinator_client.post(
        "/api/v1/people/", {"name": "", "email": "nope", "organization": 999999}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "name": ["This field may not be blank."],
        "email": ["Enter a valid email address."],
        "organization": ['Invalid pk "999999" - object does not exist.'],
    }
    response = coordinator_client.post(
        "/api/v1/people/", {"name": "Rana bis", "email": "RANA@example.org"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Another person already has this email address."]
    }
    assert Person.objects.count() == 4


def test_people_patch_by_coordinator(world, coordinator_client, people):
    rana = people["rana"]
    response = coordinator_client.patch(
        f"/api/v1/people/{rana.pk}/", {"email": "rana@unhcr.org"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == _person_body(rana, email=True, plans=[world.plan])
    assert rana.email == "rana@unhcr.org"


def test_people_patch_newbie_by_coordinator(world, coordinator_client, people):
    newbie = people["newbie"]
    response = coordinator_client.patch(
        f"/api/v1/people/{newbie.pk}/", {"name": "Nour"}, format="json"
    )
    assert response.status_code == 200
    newbie.refresh_from_db()
    assert newbie.name == "Nour"


@pytest.mark.parametrize(
    ("role", "who", "status"),
    [
        ("member", "jad", 403),  # not even oneself: people are the coordinators'
        ("member", "rana", 403),
        ("coordinator", "stranger", 404),
        ("viewer", "jad", 404),
    ],
)
def test_people_patch_refused(world, clients, people, role, who, status):
    person = people[who]
    response = clients[role].patch(f"/api/v1/people/{person.pk}/", {"name": "X"}, format="json")
    assert response.status_code == status
    assert response.json() == (NOT_ALLOWED if status == 403 else NOT_FOUND)
    assert Person.objects.get(pk=person.pk).name == person.name


def test_people_admin_patches_anyone(world, admin_client, people):
    stranger = people["stranger"]
    response = admin_client.patch(
        f"/api/v1/people/{stranger.pk}/", {"organization": people["unhcr"].pk}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["organization"] == people["unhcr"].pk


def test_people_delete_not_allowed(world, admin_client, people):
    response = admin_client.delete(f"/api/v1/people/{people['newbie'].pk}/")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}
    assert Person.objects.filter(pk=people["newbie"].pk).exists()


# --- organizations -------------------------------------------------------------------


def test_organizations_list_for_everyone_signed_in(world, clients):
    unhcr = OrganizationFactory(name="UN Refugee Agency", acronym="UNHCR", kind="un_agency")
    drc = OrganizationFactory(name="Danish Refugee Council", acronym="DRC", kind="ingo")
    for role in ("admin", "coordinator", "member", "viewer", "outsider", "member_ro"):
        assert ids(clients[role].get("/api/v1/organizations/")) == [drc.pk, unhcr.pk], role
    assert clients["anonymous"].get("/api/v1/organizations/").status_code == 401


def test_organizations_retrieve_exact_body(world, viewer_client):
    unhcr = OrganizationFactory(name="UN Refugee Agency", acronym="UNHCR", kind="un_agency")
    response = viewer_client.get(f"/api/v1/organizations/{unhcr.pk}/")
    assert response.status_code == 200
    assert response.json() == _organization_body(unhcr)
    assert response.json()["kind"] == "un_agency"


def test_organizations_filters(world, member_client):
    unhcr = OrganizationFactory(name="UN Refugee Agency", acronym="UNHCR", kind="un_agency")
    drc = OrganizationFactory(name="Danish Refugee Council", acronym="DRC", kind="ingo")
    assert ids(member_client.get("/api/v1/organizations/?kind=un_agency")) == [unhcr.pk]
    assert ids(member_client.get("/api/v1/organizations/?q=drc")) == [drc.pk]
    assert ids(member_client.get("/api/v1/organizations/?q=refugee")) == [drc.pk, unhcr.pk]


def test_organizations_create_by_coordinator(world, coordinator_client):
    response = coordinator_client.post(
        "/api/v1/organizations/",
        {"name": "Norwegian Refugee Council", "acronym": "NRC", "kind": "ingo"},
        format="json",
    )
    assert response.status_code == 201
    nrc = Organization.objects.get(acronym="NRC")
    assert response.json() == _organization_body(nrc)


def test_organizations_create_defaults_to_other_kind(world, admin_client):
    response = admin_client.post("/api/v1/organizations/", {"name": "Local NGO"}, format="json")
    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["acronym"]) == ("other", "")


@pytest.mark.parametrize("role", ["member", "viewer", "outsider"])
def test_organizations_create_refused(world, clients, role):
    response = clients[role].post("/api/v1/organizations/", {"name": "Mine"}, format="json")
    assert response.status_code == 403
    assert response.json() == NOT_ALLOWED
    assert Organization.objects.count() == 0


def test_organizations_create_duplicate_name_any_case(world, coordinator_client):
    OrganizationFactory(name="UNHCR", acronym="UNHCR")
    response = coordinator_client.post("/api/v1/organizations/", {"name": "unhcr"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["An organization with this name already exists."]
    }
    assert Organization.objects.count() == 1


def test_organizations_create_validation(world, coordinator_client):
    response = coordinator_client.post(
        "/api/v1/organizations/",
        {"name": "", "kind": "company", "acronym": "X" * 31},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "name": ["This field may not be blank."],
        "acronym": ["Ensure this field has no more than 30 characters."],
        "kind": ['"company" is not a valid choice.'],
    }


def test_organizations_patch(world, clients):
    org = OrganizationFactory(name="UNHCR", acronym="")
    response = clients["coordinator"].patch(
        f"/api/v1/organizations/{org.pk}/",
        {"name": "UN Refugee Agency", "acronym": "UNHCR"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == _organization_body(org)
    assert (org.name, org.acronym) == ("UN Refugee Agency", "UNHCR")
    for role in ("member", "viewer"):
        response = clients[role].patch(
            f"/api/v1/organizations/{org.pk}/", {"name": "X"}, format="json"
        )
        assert response.status_code == 403, role
        assert response.json() == NOT_ALLOWED


def test_organizations_delete_not_allowed(world, admin_client):
    org = OrganizationFactory()
    response = admin_client.delete(f"/api/v1/organizations/{org.pk}/")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}


def test_organizations_unknown_id_is_404(world, member_client):
    response = member_client.get("/api/v1/organizations/999999/")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
