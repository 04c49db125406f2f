"""People and organizations pages: who sees what, who changes what, and at what query cost."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from actionplans.choices import PlanVisibility
from actionplans.models import FocalPoint
from orgs.models import Organization, Person
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


# --- helpers ---------------------------------------------------------------------


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _tables(response) -> list[list[list[str]]]:
    """The text of every body cell, table by table, row by row."""
    html = response.content.decode()
    return [
        [
            [_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
        ]
        for body in re.findall(r"<tbody>(.*?)</tbody>", html, re.S)
    ]


def _rows(response) -> list[list[str]]:
    tables = _tables(response)
    assert len(tables) == 1
    return tables[0]


def _shown_errors(response) -> dict[str, list[str]]:
    """Error messages as rendered inside each field's block, next to its label."""
    html = response.content.decode()
    blocks = re.findall(r'<div class="field has-error">(.*?)</div>', html, re.S)
    errors = {}
    for block in blocks:
        name = re.search(r'<label for="id_(\w+)">', block).group(1)
        errors[name] = [_text(item) for item in re.findall(r"<li>(.*?)</li>", block, re.S)]
    assert '<ul class="errorlist" role="alert">' not in html  # no errors of the whole form
    return errors


def _login(client, user):
    client.force_login(user)
    return client


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.fixture
def world():
    """build_world() plus an organization, emails, and a person only in "Other plan"."""
    world = build_world()
    world.drc = OrganizationFactory(name="Danish Refugee Council", acronym="DRC", kind="ingo")
    world.member_person.organization = world.drc
    world.member_person.email = "jad@example.org"
    world.member_person.save()
    world.hidden = PersonFactory(name="Hidden Person", email="hidden@example.org")
    FocalPointFactory(action_point=world.other_action_point, person=world.hidden, role="lead")
    return world


def _urls(world) -> dict[str, str]:
    person, org = world.member_person.pk, world.drc.pk
    return {
        "person_list": "/people/",
        "person_add": "/people/add/",
        "person_detail": f"/people/{person}/",
        "person_edit": f"/people/{person}/edit/",
        "organization_list": "/organizations/",
        "organization_add": "/organizations/add/",
        "organization_detail": f"/organizations/{org}/",
        "organization_edit": f"/organizations/{org}/edit/",
    }


VIEWS = [
    "person_list",
    "person_add",
    "person_detail",
    "person_edit",
    "organization_list",
    "organization_add",
    "organization_detail",
    "organization_edit",
]
FORMS = ["person_add", "person_edit", "organization_add", "organization_edit"]


# --- every view ------------------------------------------------------------------


def test_urls_are_named_in_the_orgs_namespace(world):
    pks = {"person_detail": [1], "person_edit": [1]}
    pks |= {"organization_detail": [2], "organization_edit": [2]}
    assert {name: reverse(f"orgs:{name}", args=pks.get(name, [])) for name in VIEWS} == {
        "person_list": "/people/",
        "person_add": "/people/add/",
        "person_detail": "/people/1/",
        "person_edit": "/people/1/edit/",
        "organization_list": "/organizations/",
        "organization_add": "/organizations/add/",
        "organization_detail": "/organizations/2/",
        "organization_edit": "/organizations/2/edit/",
    }


@pytest.mark.parametrize("view", VIEWS)
def test_views_anonymous_is_sent_to_login(client, world, view):
    url = _urls(world)[view]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
@pytest.mark.parametrize("view", VIEWS)
def test_views_wrong_method_is_405(client, world, view, method):
    _login(client, world.admin)
    response = getattr(client, method)(_urls(world)[view])
    assert response.status_code == 405


@pytest.mark.parametrize("view", ["person_list", "person_detail", "organization_list"])
def test_views_post_to_read_only_page_is_405(client, world, view):
    _login(client, world.admin)
    assert client.post(_urls(world)[view]).status_code == 405


@pytest.mark.parametrize("role", ["member", "viewer", "outsider"])
@pytest.mark.parametrize("view", FORMS)
def test_forms_forbidden_to_users_who_do_not_manage_people(client, world, view, role):
    _login(client, getattr(world, role))
    url = _urls(world)[view]
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "Changed", "kind": "other"}).status_code == 403
    assert Person.objects.filter(name="Changed").count() == 0
    assert Organization.objects.filter(name="Changed").count() == 0
    world.member_person.refresh_from_db()
    assert world.member_person.name == "Jad"


@pytest.mark.parametrize("view", ["person_edit", "organization_edit"])
def test_forms_forbidden_even_for_missing_objects(client, world, view):
    # 403 before any lookup: the answer does not tell whether the object exists.
    _login(client, world.member)
    url = "/people/999999/edit/" if view == "person_edit" else "/organizations/999999/edit/"
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    ("view", "nav", "title"),
    [
        ("person_list", "people", "People"),
        ("person_add", "people", "Add person"),
        ("person_detail", "people", "Jad"),
        ("person_edit", "people", "Edit Jad"),
        ("organization_list", "organizations", "Organizations"),
        ("organization_add", "organizations", "Add organization"),
        ("organization_detail", "organizations", "Danish Refugee Council"),
        ("organization_edit", "organizations", "Edit Danish Refugee Council"),
    ],
)
def test_views_set_title_and_navigation(client, world, view, nav, title):
    _login(client, world.coordinator)
    response = client.get(_urls(world)[view])
    assert response.status_code == 200
    assert response.context["nav"] == nav
    assertContains(response, f"<title>{title} · PIM Action Tracker</title>", html=True)
    # A person's or an organization's name is user-written text: its direction follows
    # its script, in the heading of its page and in "Edit ...".
    h1 = '<h1 dir="auto">' if view in {"person_detail", "organization_detail"} else "<h1>"
    heading = title
    if view.endswith("_edit"):
        heading = f'Edit <span dir="auto">{title.removeprefix("Edit ")}</span>'
    assertContains(response, f"{h1}{heading}</h1>", html=True)
    assertNotContains(response, "style=")
    assertNotContains(response, "<script>")


# --- person list -----------------------------------------------------------------


def test_person_list_member_sees_people_of_their_plans_without_emails(client, world):
    _login(client, world.member)
    response = client.get("/people/")
    assert response.status_code == 200
    assert _rows(response) == [["Jad", "DRC", "PIM Lebanon Action Plan", "1"]]
    assertNotContains(response, "jad@example.org")
    assertNotContains(response, "Hidden Person")
    assertNotContains(response, "Add person")


def test_person_list_coordinator_sees_their_plans_people_with_emails(client, world):
    _login(client, world.coordinator)
    response = client.get("/people/")
    # Hidden Person is only named in a plan the coordinator cannot see.
    assert _rows(response) == [["Jad", "DRC", "PIM Lebanon Action Plan", "jad@example.org", "1"]]
    assertContains(response, '<a class="button" href="/people/add/">Add person</a>', html=True)


def test_person_list_outsider_sees_nobody(client, world):
    _login(client, world.outsider)
    response = client.get("/people/")
    assert response.status_code == 200
    assert _tables(response) == []
    assertContains(response, "No people match.")


def test_person_list_viewer_sees_people_of_plans_open_to_all(client):
    world = build_world(visibility=PlanVisibility.SIGNED_IN)
    _login(client, world.viewer)
    # No organization: an empty cell, never "None".
    assert _rows(client.get("/people/")) == [["Jad", "", "PIM Lebanon Action Plan", "1"]]


def test_person_list_counts_open_action_points_in_visible_plans_only(client, world):
    rana = PersonFactory(name="Rana")
    FocalPointFactory(action_point=world.action_point, person=rana, role="support")
    FocalPointFactory(action_point=world.other_action_point, person=rana, role="lead")
    done = ActionPointFactory(challenge=world.challenge, status="completed", progress=100)
    FocalPointFactory(action_point=done, person=rana)

    _login(client, world.member)
    assert _rows(client.get("/people/?q=rana")) == [["Rana", "", "PIM Lebanon Action Plan", "1"]]
    _login(client, world.admin)
    assert _rows(client.get("/people/?q=rana")) == [
        ["Rana", "", "Other plan , PIM Lebanon Action Plan", "", "2"]  # two links
    ]


def test_person_list_filters_by_text_and_organization(client, world):
    PersonFactory(name="Fanette", organization=OrganizationFactory(name="UNHCR", acronym=""))
    _login(client, world.admin)
    assert [row[0] for row in _rows(client.get("/people/?q=drc"))] == ["Jad"]
    assert [row[0] for row in _rows(client.get("/people/?q=danish"))] == ["Jad"]
    assert [row[0] for row in _rows(client.get("/people/?q=fan"))] == ["Fanette"]
    assert [row[0] for row in _rows(client.get("/people/?q=hidden@"))] == ["Hidden Person"]
    by_org = client.get(f"/people/?organization={world.drc.pk}")
    assert [row[0] for row in _rows(by_org)] == ["Jad"]


def test_person_list_search_does_not_match_emails_for_members(client, world):
    # Members do not see emails, so a search must not reveal them either.
    _login(client, world.member)
    response = client.get("/people/?q=jad@")
    assert _tables(response) == []
    assertContains(response, "No people match.")


def test_person_list_paginates_by_50(client, world):
    PersonFactory.create_batch(49)
    _login(client, world.admin)
    first = client.get("/people/")
    second = client.get("/people/?page=2")
    assert len(_rows(first)) == 50
    assert len(_rows(second)) == 1
    assertContains(first, "Page 1 of 2")
    assertContains(first, "51 people")


def _grow_people(world, count: int) -> None:
    """People with an organization, each a focal point on an open action point of the plan."""
    for n in range(count):
        person = PersonFactory(organization=OrganizationFactory(), email=f"p{n}@example.org")
        action_point = ActionPointFactory(challenge=world.challenge)
        FocalPointFactory(action_point=action_point, person=person)


@pytest.mark.parametrize("role", ["admin", "coordinator", "member"])
def test_person_list_query_count_does_not_grow_with_people(client, world, role):
    _login(client, getattr(world, role))
    client.get("/people/")
    small = _queries(client, "/people/")
    _grow_people(world, 5)
    large = _queries(client, "/people/")
    assert len(_rows(client.get("/people/"))) >= 6
    assert small == large


# --- person detail ---------------------------------------------------------------


def test_person_detail_member_sees_groups_and_action_points(client, world):
    _login(client, world.member)
    response = client.get(f"/people/{world.member_person.pk}/")
    assert response.status_code == 200
    groups, action_points = _tables(response)
    assert groups == [["PIM Lebanon Action Plan", "Group 1: Data Sharing", "Team leader"]]
    assert action_points == [
        [
            "PIM Lebanon Action Plan",
            "IMWG to recommend standardized tools",
            "Lead",
            "None",
            "Not started",
            "0%",
        ]
    ]
    plan_url = reverse("actionplans:plan_detail", args=[world.plan.pk])
    ap_url = reverse("actionplans:actionpoint_detail", args=[world.action_point.pk])
    # In the facts (the plans Jad is named in), the groups and the action points.
    assertContains(
        response,
        f'<a href="{plan_url}" dir="auto">PIM Lebanon Action Plan</a>',
        count=3,
        html=True,
    )
    assertContains(
        response,
        f'<a href="{ap_url}" dir="auto">IMWG to recommend standardized tools</a>',
        html=True,
    )
    assertContains(response, '<span class="badge status-not_started">Not started</span>', html=True)
    assertContains(response, "Danish Refugee Council (DRC)")
    assertNotContains(response, "jad@example.org")
    assertNotContains(response, "Edit person")
    assertNotContains(response, "User account")


def test_person_detail_coordinator_sees_email_and_edit_link(client, world):
    _login(client, world.coordinator)
    response = client.get(f"/people/{world.member_person.pk}/")
    assertContains(response, '<a href="mailto:jad@example.org">jad@example.org</a>', html=True)
    assertContains(
        response,
        f'<a class="button secondary" href="/people/{world.member_person.pk}/edit/">'
        "Edit person</a>",
        html=True,
    )
    assertNotContains(response, "User account")


def test_person_detail_admin_sees_linked_account(client, world):
    _login(client, world.admin)
    response = client.get(f"/people/{world.member_person.pk}/")
    assertContains(
        response, '<dt>User account</dt><dd><span dir="auto">member</span></dd>', html=True
    )


def test_person_detail_lists_action_points_overdue_first_then_by_due_date(client, world):
    jad = world.member_person
    rows = [
        ("Later", "January 2099", FUTURE, "month", "in_progress", 40),
        ("Late", "March 2019", PAST, "month", "blocked", 10),
        ("Done long ago", "Q1 2019", PAST, "quarter", "completed", 100),
        ("Whenever", "ongoing", None, "none", "not_started", 0),
    ]
    for description, deadline, due, precision, status, progress in rows:
        action_point = ActionPointFactory(
            challenge=world.challenge,
            description=description,
            deadline=deadline,
            due_date=due,
            deadline_precision=precision,
            status=status,
            progress=progress,
        )
        FocalPointFactory(action_point=action_point, person=jad, role="advisor")

    _login(client, world.member)
    response = client.get(f"/people/{jad.pk}/")
    _, action_points = _tables(response)
    assert [row[1:] for row in action_points] == [
        ["Late", "Advisor", "March 2019", "Blocked Overdue", "10%"],
        ["Done long ago", "Advisor", "Q1 2019", "Completed", "100%"],
        ["Later", "Advisor", "January 2099", "In progress", "40%"],
        ["IMWG to recommend standardized tools", "Lead", "None", "Not started", "0%"],
        ["Whenever", "Advisor", "ongoing", "Not started", "0%"],
    ]
    assertContains(response, '<span class="badge overdue">Overdue</span>', count=1, html=True)


def test_person_detail_hides_action_points_of_hidden_plans(client, world):
    FocalPointFactory(action_point=world.action_point, person=world.hidden, role="support")
    _login(client, world.member)
    response = client.get(f"/people/{world.hidden.pk}/")
    assert response.status_code == 200
    assert [[row[1] for row in table] for table in _tables(response)] == [
        ["IMWG to recommend standardized tools"]
    ]
    assertContains(response, "Not in any working group you can see.")
    assertNotContains(response, "Secret action")
    assertNotContains(response, "Other plan")


def test_person_detail_person_only_in_hidden_plan_is_404(client, world):
    _login(client, world.member)
    assert client.get(f"/people/{world.hidden.pk}/").status_code == 404


def test_person_detail_person_only_in_hidden_plan_is_visible_to_admin(client, world):
    _login(client, world.admin)
    response = client.get(f"/people/{world.hidden.pk}/")
    assert response.status_code == 200
    assert _tables(response) == [
        [["Other plan", "Secret action", "Lead", "None", "Not started", "0%"]]
    ]


def test_person_detail_coordinator_cannot_see_people_of_other_plans(client, world):
    _login(client, world.coordinator)
    assert client.get(f"/people/{world.hidden.pk}/").status_code == 404
    assert client.get(f"/people/{world.hidden.pk}/edit/").status_code == 404


def test_person_in_no_plan_is_visible_and_editable_by_the_coordinator_who_added_them(client, world):
    loner = PersonFactory(name="Newcomer", created_by=world.coordinator)
    _login(client, world.coordinator)
    assert client.get(f"/people/{loner.pk}/").status_code == 200
    assert client.get(f"/people/{loner.pk}/edit/").status_code == 200
    elsewhere = UserFactory(username="elsewhere")
    world.other_plan.coordinators.add(elsewhere)
    # Another plan's coordinator does not see them; a member may not edit anyone (403
    # before any lookup).
    for user, edit in ((elsewhere, 404), (world.member, 403)):
        _login(client, user)
        assert client.get(f"/people/{loner.pk}/").status_code == 404
        assert client.get(f"/people/{loner.pk}/edit/").status_code == edit


def test_person_of_a_signed_in_plan_is_not_editable_by_another_plans_coordinator(client):
    world = build_world(visibility=PlanVisibility.SIGNED_IN)
    other_coordinator = UserFactory(username="elsewhere")
    world.other_plan.coordinators.add(other_coordinator)
    _login(client, other_coordinator)
    assert client.get(f"/people/{world.member_person.pk}/").status_code == 200
    assert client.get(f"/people/{world.member_person.pk}/edit/").status_code == 403


@pytest.mark.parametrize("role", ["viewer", "outsider"])
def test_person_detail_is_404_for_users_without_a_shared_plan(client, world, role):
    _login(client, getattr(world, role))
    assert client.get(f"/people/{world.member_person.pk}/").status_code == 404


def test_person_detail_missing_person_is_404(client, world):
    _login(client, world.admin)
    assert client.get("/people/999999/").status_code == 404


def _grow_person_work(world, count: int) -> None:
    """More groups, focal points and action points, all carried by Jad."""
    jad = world.member_person
    for n in range(count):
        group = WorkingGroupFactory(plan=world.plan, number=10 + n, team_leader=jad)
        group.team_members.add(jad)
        challenge = ChallengeFactory(working_group=group)
        for status in ("in_progress", "not_started"):
            action_point = ActionPointFactory(
                challenge=challenge,
                status=status,
                deadline="March 2019",
                due_date=PAST,
                deadline_precision="month",
            )
            FocalPointFactory(action_point=action_point, person=jad, role="support")


@pytest.mark.parametrize("role", ["admin", "coordinator", "member"])
def test_person_detail_query_count_does_not_grow_with_action_points(client, world, role):
    _login(client, getattr(world, role))
    url = f"/people/{world.member_person.pk}/"
    client.get(url)
    small = _queries(client, url)
    _grow_person_work(world, 5)
    large = _queries(client, url)
    groups, action_points = _tables(client.get(url))
    assert (len(groups), len(action_points)) == (6, 11)
    assert small == large


# --- person add ------------------------------------------------------------------


def test_person_add_form_for_coordinator_has_no_account_field(client, world):
    _login(client, world.coordinator)
    response = client.get("/people/add/")
    assert response.status_code == 200
    assert list(response.context["form"].fields) == ["name", "email", "organization"]
    assertContains(response, '<label for="id_name">Name:</label>', html=True)
    assertContains(response, '<label for="id_email">Email:</label>', html=True)
    assertContains(response, '<label for="id_organization">Organization:</label>', html=True)


def test_person_add_form_for_admin_has_account_field(client, world):
    _login(client, world.admin)
    response = client.get("/people/add/")
    assert list(response.context["form"].fields) == ["name", "email", "organization", "user"]
    assertContains(response, '<label for="id_user">User account:</label>', html=True)


def test_person_add_creates_person_and_records_history(client, world):
    _login(client, world.coordinator)
    response = client.post(
        "/people/add/",
        {"name": "  Anne   Marie ", "email": " anne@example.org ", "organization": world.drc.pk},
    )
    person = Person.objects.get(name="Anne Marie")
    assert response.status_code == 302
    assert response["Location"] == f"/people/{person.pk}/"
    assert (person.email, person.organization, person.user) == ("anne@example.org", world.drc, None)
    history = person.history.get()
    assert (history.history_type, history.history_user) == ("+", world.coordinator)
    followed = client.get(response["Location"])
    assert [str(m) for m in followed.context["messages"]] == ["Added Anne Marie."]


def test_person_add_admin_links_an_account(client, world):
    account = UserFactory(username="fanette")
    _login(client, world.admin)
    response = client.post("/people/add/", {"name": "Fanette", "user": account.pk})
    assert response.status_code == 302
    assert Person.objects.get(name="Fanette").user == account


def test_person_add_coordinator_cannot_link_an_account(client, world):
    account = UserFactory(username="fanette")
    _login(client, world.coordinator)
    response = client.post("/people/add/", {"name": "Fanette", "user": account.pk})
    assert response.status_code == 302
    assert Person.objects.get(name="Fanette").user is None


def test_person_add_duplicate_email_is_an_error_on_the_email_field(client, world):
    _login(client, world.coordinator)
    response = client.post("/people/add/", {"name": "Jad Again", "email": "JAD@example.org"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "email": ["Another person already has this email address."]
    }
    assert _shown_errors(response) == {"email": ["Another person already has this email address."]}
    assert Person.objects.filter(name="Jad Again").count() == 0


def test_person_add_empty_name_is_an_error_on_the_name_field(client, world):
    _login(client, world.coordinator)
    before = Person.objects.count()
    response = client.post("/people/add/", {"name": "   ", "email": "new@example.org"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["A person needs a name."]}
    assert _shown_errors(response) == {"name": ["A person needs a name."]}
    assert Person.objects.count() == before


def test_person_add_account_already_linked_is_an_error_on_the_account_field(client, world):
    _login(client, world.admin)
    response = client.post("/people/add/", {"name": "Jad Twin", "user": world.member.pk})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "user": ["This account is already linked to another person."]
    }
    assert Person.objects.filter(name="Jad Twin").count() == 0


# --- person edit -----------------------------------------------------------------


def test_person_edit_saves_changes_and_keeps_the_account_link(client, world):
    jad = world.member_person
    unhcr = OrganizationFactory(name="UNHCR", acronym="UNHCR")
    _login(client, world.coordinator)
    response = client.get(f"/people/{jad.pk}/edit/")
    assert response.context["form"].initial["email"] == "jad@example.org"

    response = client.post(
        f"/people/{jad.pk}/edit/",
        {"name": "Jad  Haddad", "email": "jad.haddad@example.org", "organization": unhcr.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/people/{jad.pk}/"
    jad.refresh_from_db()
    assert (jad.name, jad.email, jad.organization, jad.user) == (
        "Jad Haddad",
        "jad.haddad@example.org",
        unhcr,
        world.member,
    )
    latest = jad.history.latest()
    assert (latest.history_type, latest.history_user, latest.name) == (
        "~",
        world.coordinator,
        "Jad Haddad",
    )
    followed = client.get(response["Location"])
    assert [str(m) for m in followed.context["messages"]] == ["Saved Jad Haddad."]


def test_person_edit_admin_unlinks_the_account(client, world):
    jad = world.member_person
    _login(client, world.admin)
    response = client.post(
        f"/people/{jad.pk}/edit/", {"name": "Jad", "email": jad.email, "user": ""}
    )
    assert response.status_code == 302
    jad.refresh_from_db()
    assert jad.user is None


def test_person_edit_keeps_own_email_in_another_case(client, world):
    jad = world.member_person
    _login(client, world.coordinator)
    response = client.post(f"/people/{jad.pk}/edit/", {"name": "Jad", "email": "JAD@example.org"})
    assert response.status_code == 302
    jad.refresh_from_db()
    assert jad.email == "JAD@example.org"


def test_person_edit_duplicate_email_writes_nothing(client, world):
    jad = world.member_person
    history_rows = jad.history.count()
    _login(client, world.coordinator)
    response = client.post(
        f"/people/{jad.pk}/edit/", {"name": "Renamed", "email": "Hidden@Example.org"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "email": ["Another person already has this email address."]
    }
    assert _shown_errors(response) == {"email": ["Another person already has this email address."]}
    # The heading keeps the saved name, not the rejected input.
    assertContains(response, '<h1>Edit <span dir="auto">Jad</span></h1>', html=True)
    jad.refresh_from_db()
    assert (jad.name, jad.email, jad.history.count()) == ("Jad", "jad@example.org", history_rows)


def test_person_edit_missing_person_is_404_for_managers(client, world):
    _login(client, world.coordinator)
    assert client.get("/people/999999/edit/").status_code == 404


# --- organization list -----------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "drc_people"),
    [("admin", "1"), ("coordinator", "1"), ("member", "1"), ("outsider", "0")],
)
def test_organization_list_every_signed_in_user_sees_organizations(client, world, role, drc_people):
    OrganizationFactory(name="UNHCR", acronym="UNHCR", kind="un_agency")
    _login(client, getattr(world, role))
    response = client.get("/organizations/")
    assert response.status_code == 200
    assert _rows(response) == [
        ["Danish Refugee Council", "DRC", "International NGO", drc_people],
        ["UNHCR", "UNHCR", "UN agency", "0"],
    ]


def test_organization_list_counts_only_people_the_user_may_see(client, world):
    world.hidden.organization = world.drc
    world.hidden.save()
    _login(client, world.member)
    assert _rows(client.get("/organizations/")) == [
        ["Danish Refugee Council", "DRC", "International NGO", "1"]
    ]
    _login(client, world.admin)
    assert _rows(client.get("/organizations/")) == [
        ["Danish Refugee Council", "DRC", "International NGO", "2"]
    ]


def test_organization_list_add_button_only_for_managers(client, world):
    button = '<a class="button" href="/organizations/add/">Add organization</a>'
    _login(client, world.coordinator)
    assertContains(client.get("/organizations/"), button, html=True)
    _login(client, world.member)
    assertNotContains(client.get("/organizations/"), "Add organization")


def test_organization_list_filters_by_text_and_kind(client, world):
    OrganizationFactory(name="Office for the Coordination of Humanitarian Affairs", acronym="OCHA")
    OrganizationFactory(name="UNHCR", acronym="", kind="un_agency")
    _login(client, world.viewer)
    assert [row[0] for row in _rows(client.get("/organizations/?q=ocha"))] == [
        "Office for the Coordination of Humanitarian Affairs"
    ]
    assert [row[0] for row in _rows(client.get("/organizations/?q=danish"))] == [
        "Danish Refugee Council"
    ]
    assert [row[0] for row in _rows(client.get("/organizations/?kind=un_agency"))] == ["UNHCR"]


@pytest.mark.parametrize("role", ["admin", "member"])
def test_organization_list_query_count_does_not_grow_with_organizations(client, world, role):
    _login(client, getattr(world, role))
    client.get("/organizations/")
    small = _queries(client, "/organizations/")
    _grow_people(world, 5)
    large = _queries(client, "/organizations/")
    assert len(_rows(client.get("/organizations/"))) == 6
    assert small == large


# --- organization detail ---------------------------------------------------------


def test_organization_detail_shows_people_and_action_point_counts(client, world):
    rana = PersonFactory(name="Rana", organization=world.drc)
    late = ActionPointFactory(
        challenge=world.challenge, deadline="March 2019", due_date=PAST, deadline_precision="month"
    )
    done = ActionPointFactory(challenge=world.challenge, status="completed", progress=100)
    # Jad and Rana share one action point: the organization counts it once.
    FocalPointFactory(action_point=world.action_point, person=rana, role="support")
    FocalPointFactory(action_point=late, person=rana)
    FocalPointFactory(action_point=done, person=rana)

    _login(client, world.member)
    response = client.get(f"/organizations/{world.drc.pk}/")
    assert response.status_code == 200
    assert _rows(response) == [["Jad", "1", "0"], ["Rana", "2", "1"]]
    assert response.context["totals"] == {"open": 2, "overdue": 1}
    assertContains(response, "<dt>Open action points</dt><dd>2</dd>", html=True)
    assertContains(response, '<span class="badge overdue">1 overdue</span>', html=True)
    assertNotContains(response, "Edit organization")


def test_organization_detail_leaves_out_hidden_people_and_plans(client, world):
    world.hidden.organization = world.drc
    world.hidden.save()
    _login(client, world.member)
    response = client.get(f"/organizations/{world.drc.pk}/")
    assert _rows(response) == [["Jad", "1", "0"]]
    assert response.context["totals"] == {"open": 1, "overdue": 0}
    _login(client, world.admin)
    response = client.get(f"/organizations/{world.drc.pk}/")
    assert _rows(response) == [["Hidden Person", "1", "0"], ["Jad", "1", "0"]]
    assert response.context["totals"] == {"open": 2, "overdue": 0}
    assertContains(
        response,
        f'<a class="button secondary" href="/organizations/{world.drc.pk}/edit/">'
        "Edit organization</a>",
        html=True,
    )


def test_organization_detail_outsider_sees_the_organization_but_nobody(client, world):
    _login(client, world.outsider)
    response = client.get(f"/organizations/{world.drc.pk}/")
    assert response.status_code == 200
    assert _tables(response) == []
    assert response.context["totals"] == {"open": 0, "overdue": 0}
    assertContains(response, "No people from this organization that you can see.")


def test_organization_detail_missing_organization_is_404(client, world):
    _login(client, world.member)
    assert client.get("/organizations/999999/").status_code == 404


@pytest.mark.parametrize("role", ["admin", "member"])
def test_organization_detail_query_count_does_not_grow_with_people(client, world, role):
    _login(client, getattr(world, role))
    url = f"/organizations/{world.drc.pk}/"
    client.get(url)
    small = _queries(client, url)
    for n in range(5):
        person = PersonFactory(organization=world.drc, name=f"Colleague {n}")
        for due in (PAST, FUTURE):
            action_point = ActionPointFactory(
                challenge=world.challenge, deadline=str(due), due_date=due, deadline_precision="day"
            )
            FocalPointFactory(action_point=action_point, person=person)
    large = _queries(client, url)
    assert len(_rows(client.get(url))) == 6
    assert small == large


# --- organization add and edit ---------------------------------------------------


def test_organization_add_creates_organization_and_records_history(client, world):
    _login(client, world.coordinator)
    response = client.get("/organizations/add/")
    assert list(response.context["form"].fields) == ["name", "acronym", "kind"]
    assertContains(response, '<label for="id_kind">Kind:</label>', html=True)

    response = client.post(
        "/organizations/add/",
        {"name": " Norwegian  Refugee Council ", "acronym": "NRC", "kind": "ingo"},
    )
    organization = Organization.objects.get(acronym="NRC")
    assert response.status_code == 302
    assert response["Location"] == f"/organizations/{organization.pk}/"
    assert (organization.name, organization.kind) == ("Norwegian Refugee Council", "ingo")
    history = organization.history.get()
    assert (history.history_type, history.history_user) == ("+", world.coordinator)
    followed = client.get(response["Location"])
    assert [str(m) for m in followed.context["messages"]] == ["Added Norwegian Refugee Council."]


def test_organization_add_duplicate_name_ignoring_case_is_an_error_on_the_name_field(client, world):
    _login(client, world.coordinator)
    response = client.post(
        "/organizations/add/", {"name": "danish REFUGEE council", "acronym": "", "kind": "ingo"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "name": ["An organization with this name already exists."]
    }
    assert _shown_errors(response) == {"name": ["An organization with this name already exists."]}
    assert Organization.objects.count() == 1


def test_organization_add_empty_name_and_unknown_kind_are_field_errors(client, world):
    _login(client, world.coordinator)
    response = client.post("/organizations/add/", {"name": " ", "acronym": "X", "kind": "company"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "name": ["An organization needs a name."],
        "kind": ["Select a valid choice. company is not one of the available choices."],
    }
    assert _shown_errors(response) == {
        "name": ["An organization needs a name."],
        "kind": ["Select a valid choice. company is not one of the available choices."],
    }
    assert Organization.objects.count() == 1


def test_organization_edit_saves_changes(client, world):
    drc = world.drc
    _login(client, world.admin)
    response = client.post(
        f"/organizations/{drc.pk}/edit/",
        {"name": "Danish Refugee Council", "acronym": "DRC-DDG", "kind": "nngo"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/organizations/{drc.pk}/"
    drc.refresh_from_db()
    assert (drc.acronym, drc.kind) == ("DRC-DDG", "nngo")
    latest = drc.history.latest()
    assert (latest.history_type, latest.history_user) == ("~", world.admin)


def test_organization_edit_keeps_own_name_in_another_case(client, world):
    _login(client, world.coordinator)
    response = client.post(
        f"/organizations/{world.drc.pk}/edit/",
        {"name": "DANISH REFUGEE COUNCIL", "acronym": "DRC", "kind": "ingo"},
    )
    assert response.status_code == 302
    world.drc.refresh_from_db()
    assert world.drc.name == "DANISH REFUGEE COUNCIL"


def test_organization_edit_duplicate_name_writes_nothing(client, world):
    OrganizationFactory(name="UNHCR")
    history_rows = world.drc.history.count()
    _login(client, world.coordinator)
    response = client.post(
        f"/organizations/{world.drc.pk}/edit/", {"name": "unhcr", "acronym": "", "kind": "ingo"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "name": ["An organization with this name already exists."]
    }
    assert _shown_errors(response) == {"name": ["An organization with this name already exists."]}
    assertContains(
        response, '<h1>Edit <span dir="auto">Danish Refugee Council</span></h1>', html=True
    )
    world.drc.refresh_from_db()
    assert (world.drc.name, world.drc.history.count()) == ("Danish Refugee Council", history_rows)


def test_organization_edit_missing_organization_is_404_for_managers(client, world):
    _login(client, world.coordinator)
    assert client.get("/organizations/999999/edit/").status_code == 404


@pytest.mark.parametrize("role", ["leader", "member", "focal point"])
def test_person_named_only_in_a_hidden_plan_is_not_in_no_plan(client, world, role):
    # "In no plan yet" means named nowhere: not as a leader, member or focal point
    # of any plan, hidden ones included.
    person = PersonFactory(name="Elsewhere")
    group = world.other_action_point.challenge.working_group
    if role == "leader":
        group.team_leader = person
        group.save()
    elif role == "member":
        group.team_members.add(person)
    else:
        FocalPoint.objects.create(action_point=world.other_action_point, person=person)
    _login(client, world.coordinator)
    assert client.get(f"/people/{person.pk}/").status_code == 404
    assert client.get(f"/people/{person.pk}/edit/").status_code == 404
    assert person.name not in client.get("/people/").content.decode()
