"""The duplicates page (/people/duplicates/) and the merge confirmation
(/people/<kept>/merge/<merged>/): who may use them, which pairs are listed (same
name by the matching rule; similar names by trigram similarity on PostgreSQL and
difflib on SQLite), what the confirmation lists, and the merge itself."""

import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains

from actionplans import permissions as perms
from actionplans.choices import PlanVisibility
from actionplans.duplicates import likely_duplicates
from actionplans.models import FocalPoint, Naming
from actionplans.services import (
    FocalPointAssignment,
    action_point_create,
    focal_points_assign,
    working_group_create,
)
from orgs.models import Person
from orgs.services import person_create
from tests.factories import (
    ActionPlanFactory,
    ChallengeFactory,
    OrganizationFactory,
    UserFactory,
)
from tests.users import build_world

pytestmark = pytest.mark.django_db

URL = "/people/duplicates/"


def name_in(plan, *people, name="Team"):
    """Name the people in the plan as members of a new group (the services record it)."""
    return working_group_create(plan=plan, name=name, team_members=people)


def carry(plan, person, description="Map services", role="lead"):
    group = name_in(plan, name=f"Group for {description}")
    return action_point_create(
        challenge=ChallengeFactory(working_group=group),
        description=description,
        focal_points=[FocalPointAssignment(person, role)],
    )


def _text(html: str) -> str:
    """The page's text: inline tags dropped, others read as spaces."""
    html = re.sub(r"</?(?:span|a)\b[^>]*>", "", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def listed(response) -> list[tuple[str, str, str]]:
    """The pairs on the page: (first name, second name, kind)."""
    return [
        (pair.first.name, pair.second.name, "same" if pair.same_name else "similar")
        for pair in response.context["page_obj"]
    ]


@pytest.fixture
def world():
    return build_world()


# --- access ---------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["member", "viewer", "outsider"])
def test_only_coordinators_and_administrators_use_the_page(client, world, role):
    client.force_login(getattr(world, role))
    assert client.get(URL).status_code == 403
    person = world.member_person
    assert client.get(f"/people/{person.pk}/merge/{person.pk}/").status_code == 403
    assert client.post(f"/people/{person.pk}/merge/{person.pk}/").status_code == 403


def test_no_pairs(client, world):
    client.force_login(world.coordinator)
    response = client.get(URL)
    assert response.status_code == 200
    assert listed(response) == []
    assertContains(response, "No likely duplicates among the people you may edit.")


# --- which pairs ----------------------------------------------------------------------


def test_same_name_and_similar_names_are_listed_on_both_databases(client, world):
    org = OrganizationFactory(name="UN Refugee Agency", acronym="UNHCR")
    omar = person_create(name="Omar Said", email="omar@example.org", organization=org)
    omar2 = person_create(name="OMAR   saïd")
    karim, karim2 = person_create(name="Karim Nasser"), person_create(name="Karim Nassar")
    rana, rana2 = person_create(name="Rana Haddad"), person_create(name="Rana Khoury")
    name_in(world.plan, omar, omar2, karim, karim2, rana, rana2)
    carry(world.plan, omar)
    client.force_login(world.coordinator)

    response = client.get(URL)

    assert listed(response) == [
        ("Omar Said", "OMAR saïd", "same"),
        ("Karim Nassar", "Karim Nasser", "similar"),
    ]
    text = _text(response.content.decode())
    assert "2 pairs" in text
    # Each side: organization, email (coordinators see emails), plans, focal points.
    assert (
        "Organization UNHCR Email omar@example.org Plans PIM Lebanon Action Plan "
        "PIM Lebanon Action Plan Focal points 1 0"
    ) in text
    html = response.content.decode()
    assert f'<form method="get" action="/people/{omar.pk}/merge/{omar2.pk}/">' in html
    assert f'<form method="get" action="/people/{omar2.pk}/merge/{omar.pk}/">' in html


def test_only_people_the_coordinator_may_edit_are_paired(client, world):
    """A namesake named only in a plan the coordinator does not coordinate is not
    offered, even when that plan is visible to them; an administrator sees it."""
    visible_elsewhere = ActionPlanFactory(title="Iraq", visibility=PlanVisibility.SIGNED_IN)
    jad_iraq = person_create(name="jad")
    name_in(visible_elsewhere, jad_iraq)
    client.force_login(world.coordinator)
    assert listed(client.get(URL)) == []

    client.force_login(world.admin)
    assert listed(client.get(URL)) == [("Jad", "jad", "same")]


def test_two_addresses_or_two_accounts_are_not_a_pair(client, world):
    a = person_create(name="Layla", email="layla@a.org")
    b = person_create(name="LAYLA", email="layla@b.org")
    c = person_create(name="Sara Khoury", user=UserFactory())
    d = person_create(name="Sarah Khoury", user=UserFactory())
    e = person_create(name="Nour", email="nour@a.org")
    f = person_create(name="nour")  # no address: may be the same person
    name_in(world.plan, a, b, c, d, e, f)
    client.force_login(world.coordinator)
    assert listed(client.get(URL)) == [("Nour", "nour", "same")]


def test_three_namesakes_make_three_pairs():
    people = [person_create(name=name) for name in ("Fred", "FRED", "fred ")]
    pairs = likely_duplicates(Person.objects.filter(pk__in=[p.pk for p in people]))
    # One key: by name ignoring case, then by id.
    a, b, c = (person.pk for person in people)
    assert [(pair.first.pk, pair.second.pk) for pair in pairs] == [(a, b), (a, c), (b, c)]
    assert all(pair.same_name for pair in pairs)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Mohammed Haddad", "Mohamed Haddad"),
        ("Fanette", "Fanete"),
        ("Maria Lopez", "Mario Lopez"),
        ("Sara Khoury", "Sarah Khoury"),
    ],
)
def test_similar_names_on_this_database(a, b):
    first, second = person_create(name=a), person_create(name=b)
    pairs = likely_duplicates(Person.objects.all())
    assert [(p.first.pk, p.second.pk, p.same_name) for p in pairs] == [
        tuple(sorted((first.pk, second.pk), key=lambda pk: Person.objects.get(pk=pk).name))
        + (False,)
    ]


@pytest.mark.parametrize(
    ("a", "b"),
    [("Rana Haddad", "Rana Khoury"), ("Omar Said", "Omar Khalil"), ("Omar", "Omar Said")],
)
def test_different_names_are_not_paired(a, b):
    person_create(name=a), person_create(name=b)
    assert likely_duplicates(Person.objects.all()) == []


def test_the_page_s_people_are_exactly_those_the_user_may_edit(world):
    """editable_people (the page's set) and can_edit_person (one person) agree, for
    every standard user and every kind of person."""
    other_coordinator = UserFactory()
    world.other_plan.coordinators.add(other_coordinator)
    mine_alone = person_create(name="New", created_by=world.coordinator)
    mine_named_hidden = person_create(name="Hidden", created_by=world.coordinator)
    name_in(world.other_plan, mine_named_hidden)
    mine_in_my_plan = person_create(name="Mine", created_by=world.coordinator)
    name_in(world.plan, mine_in_my_plan)
    theirs_alone = person_create(name="Theirs", created_by=other_coordinator)
    imported_alone = person_create(name="Imported")
    in_other_plan = person_create(name="Other")
    name_in(world.other_plan, in_other_plan)
    users = [
        world.admin,
        world.coordinator,
        world.member,
        world.viewer,
        world.outsider,
        other_coordinator,
    ]
    for user in users:
        one_by_one = {p.pk for p in Person.objects.all() if perms.can_edit_person(user, p)}
        assert set(perms.editable_people(user).values_list("pk", flat=True)) == one_by_one
    assert set(perms.editable_people(world.coordinator)) == {
        world.member_person,
        mine_alone,
        mine_in_my_plan,
    }
    assert theirs_alone in perms.editable_people(other_coordinator)
    assert imported_alone not in perms.editable_people(other_coordinator)


# --- query count ----------------------------------------------------------------------


NAMES = [
    "Layla Haddad",
    "Karim Nasser",
    "Omar Khalil",
    "Rana Khoury",
    "Fanette Martin",
    "Samir Tannous",
    "Yara Saleh",
    "Hiba Mansour",
    "Tarek Aoun",
    "Nour Fakih",
]


def _grow(world, pairs: int, start: int) -> None:
    """Pairs of people written twice (same key), each in a group, each carrying a point."""
    for index in range(start, start + pairs):
        a = person_create(name=NAMES[index], organization=OrganizationFactory())
        b = person_create(name=NAMES[index].upper())
        name_in(world.plan, a, b, name=f"Team {index}")
        carry(world.plan, a, description=f"Action {index}")
        carry(world.plan, b, description=f"Other action {index}", role="support")


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_query_count_does_not_grow_with_the_pairs(client, world, role):
    client.force_login(getattr(world, role))
    _grow(world, 2, 0)
    with CaptureQueriesContext(connection) as small:
        response = client.get(URL)
    assert len(response.context["page_obj"]) == 2
    _grow(world, 8, 2)
    with CaptureQueriesContext(connection) as large:
        response = client.get(URL)
    assert len(response.context["page_obj"]) == 10
    assert len(large) == len(small)


# --- the confirmation and the merge ----------------------------------------------------


@pytest.fixture
def pair(world):
    """Jad (the world's member, with an account) and "JAD" (with an email), both of
    the coordinator's plan; JAD also carries an action point of a plan the
    coordinator cannot see."""
    jad2 = person_create(name="JAD", email="jad@example.org")
    name_in(world.plan, jad2)
    point = carry(world.plan, jad2, description="Train the partners", role="support")
    focal_points_assign(
        action_point=world.action_point,
        assignments=[
            FocalPointAssignment(world.member_person, "lead"),
            FocalPointAssignment(jad2, "advisor", "tbc"),
        ],
    )
    hidden = carry(world.other_plan, jad2, description="Secret mapping")
    return world.member_person, jad2, point, hidden


def test_the_confirmation_lists_what_moves(client, world, pair):
    jad, jad2, point, hidden = pair
    client.force_login(world.coordinator)

    response = client.get(f"/people/{jad.pk}/merge/{jad2.pk}/")

    assert response.status_code == 200
    text = _text(response.content.decode())
    assert "Merge JAD into Jad?" in text
    moves = text[text.index("What moves to Jad") : text.index("What JAD carries")]
    assert moves == (
        "What moves to Jad "
        "Focal point (support): Train the partners (PIM Lebanon Action Plan) "
        "Focal point of both (lead and advisor): IMWG to recommend standardized tools "
        "(PIM Lebanon Action Plan): one row stays for Jad, as lead; note: tbc "
        f"Team member of {jad2.working_groups.get()} (PIM Lebanon Action Plan) "
        "Named in PIM Lebanon Action Plan "
        "The email address jad@example.org "
        "Their notifications and used one-click links "
    )
    # Nothing of the plan the coordinator cannot see, not even its title or a count.
    assertNotContains(response, "Secret mapping")
    assertNotContains(response, world.other_plan.title)
    assert "What JAD carries in plans you cannot see moves too." in text
    # Reading it wrote nothing.
    assert Person.objects.filter(pk=jad2.pk).exists()


def test_posting_merges_and_opens_the_kept_person(client, world, pair):
    jad, jad2, point, hidden = pair
    client.force_login(world.coordinator)

    response = client.post(f"/people/{jad.pk}/merge/{jad2.pk}/")

    assert response.status_code == 302
    assert response["Location"] == f"/people/{jad.pk}/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Merged JAD into Jad."]
    assert not Person.objects.filter(pk=jad2.pk).exists()
    jad.refresh_from_db()
    assert jad.email == "jad@example.org"
    assert sorted(
        FocalPoint.objects.filter(person=jad).values_list("action_point_id", flat=True)
    ) == sorted([world.action_point.pk, point.pk, hidden.pk])
    assert set(Naming.objects.filter(person=jad).values_list("plan_id", flat=True)) == {
        world.plan.pk,
        world.other_plan.pk,
    }
    history = Person.history.get(id=jad2.pk, history_type="-")
    assert history.history_user == world.coordinator


def test_a_refused_merge_says_why_and_writes_nothing(client, world, pair):
    jad, jad2, _point, _hidden = pair
    Person.objects.filter(pk=jad.pk).update(email="jad@other.org")
    client.force_login(world.coordinator)

    shown = client.get(f"/people/{jad.pk}/merge/{jad2.pk}/")
    posted = client.post(f"/people/{jad.pk}/merge/{jad2.pk}/")

    for response in (shown, posted):
        assertContains(
            response,
            "have different email addresses: an address identifies one person",
            status_code=200 if response is shown else 400,
        )
        assertNotContains(
            response,
            'Merge <span dir="auto">JAD</span> into <span dir="auto">Jad</span></button>',
            status_code=response.status_code,
        )
    assert Person.objects.filter(pk=jad2.pk).exists()
    assert FocalPoint.objects.filter(person=jad2).count() == 3


def test_a_person_cannot_be_merged_with_themself(client, world):
    jad = world.member_person
    client.force_login(world.admin)
    response = client.post(f"/people/{jad.pk}/merge/{jad.pk}/")
    assertContains(response, "Jad cannot be merged with themself.", status_code=400)
    assert Person.objects.filter(pk=jad.pk).exists()


def test_a_person_the_coordinator_cannot_see_is_not_found(client, world):
    stranger = person_create(name="Jad")
    name_in(world.other_plan, stranger)
    client.force_login(world.coordinator)
    jad = world.member_person
    assert client.get(f"/people/{jad.pk}/merge/{stranger.pk}/").status_code == 404
    assert client.post(f"/people/{stranger.pk}/merge/{jad.pk}/").status_code == 404
    assert Person.objects.filter(pk=stranger.pk).exists()


def test_a_visible_person_the_coordinator_cannot_edit_is_forbidden(client, world):
    seen = ActionPlanFactory(title="Iraq", visibility=PlanVisibility.SIGNED_IN)
    stranger = person_create(name="Jad")
    name_in(seen, stranger)
    client.force_login(world.coordinator)
    jad = world.member_person
    assert client.get(f"/people/{jad.pk}/merge/{stranger.pk}/").status_code == 403
    assert client.post(f"/people/{jad.pk}/merge/{stranger.pk}/").status_code == 403
    assert Person.objects.filter(pk=stranger.pk).exists()

    client.force_login(world.admin)
    assert client.post(f"/people/{jad.pk}/merge/{stranger.pk}/").status_code == 302
    assert not Person.objects.filter(pk=stranger.pk).exists()


def test_the_people_list_links_to_the_page_for_coordinators_only(client, world):
    link = '<a class="button secondary" href="/people/duplicates/">Likely duplicates</a>'
    client.force_login(world.coordinator)
    assertContains(client.get("/people/"), link, html=True)
    client.force_login(world.member)
    assertNotContains(client.get("/people/"), "/people/duplicates/")
