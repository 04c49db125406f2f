"""Saved views: the service's checks and normalisation, who sees a shared view,
owner-only changes, the pages' "Saved views" block and its query counts."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actionplans import permissions as perms
from actionplans import services
from actionplans.choices import PlanVisibility
from actionplans.models import SavedView
from tests.factories import (
    ActionPlanFactory,
    ActionPointFactory,
    PersonFactory,
    UserFactory,
    WorkingGroupFactory,
)
from tests.users import build_world

pytestmark = pytest.mark.django_db

TAKEN = "You already have a view with this name here."
ONLY_PLAN = "Only a plan page's view has a plan and can be shared."
ONLY_MEMBERS = "Only the plan's coordinators and members can share a view with them."


@pytest.fixture
def world():
    return build_world()


def _create(owner, plan=None, *, name="Late", query="", shared=False, page=None):
    return services.saved_view_create(
        owner=owner,
        page=page or ("plan" if plan is not None else "mine"),
        plan=plan,
        name=name,
        query=query,
        shared=shared,
    )


def _errors(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


# --- normalisation ---------------------------------------------------------------


def test_saved_view_keeps_only_the_pages_filters_sorted(world):
    view = _create(
        world.coordinator,
        world.plan,
        query="?page=3&csrfmiddlewaretoken=abc&zzz=1&status=not_started&status=in_progress"
        "&q=+tools+&overdue=unknown&due_before=&row=flat&sort=-due_date",
    )
    assert view.query == "q=tools&sort=-due_date&status=in_progress&status=not_started"
    assert SavedView.objects.get().query == view.query


def test_saved_view_query_is_the_same_whatever_the_order(world):
    one = _create(
        world.coordinator, world.plan, name="A", query="status=blocked&q=x&status=completed"
    )
    two = _create(
        world.coordinator,
        world.plan,
        name="B",
        query="status=completed&status=blocked&q=x&status=blocked",
    )
    assert one.query == two.query == "q=x&status=blocked&status=completed"


def test_saved_view_keeps_the_cards_view_without_the_tables_sort(world):
    cards = _create(world.coordinator, world.plan, name="Cards", query="view=cards&sort=status")
    table = _create(world.coordinator, world.plan, name="Table", query="view=table&sort=nonsense")
    assert (cards.query, table.query) == ("view=cards", "")


def test_saved_view_of_my_action_points_keeps_its_filters_and_order(world):
    view = _create(
        world.member,
        query=f"plan={world.plan.pk}&ordering=-due_date&view=cards&sort=status&overdue=true",
    )
    assert view.query == f"ordering=-due_date&overdue=true&plan={world.plan.pk}"


def test_saved_view_refuses_an_invalid_filter_naming_it(world):
    errors = _errors(lambda: _create(world.coordinator, world.plan, query="status=bogus&q=x"))
    assert errors == {
        "query": ["Status: Select a valid choice. bogus is not one of the available choices."]
    }
    assert not SavedView.objects.exists()


def test_saved_view_refuses_a_person_of_another_plan(world):
    stranger = PersonFactory()
    errors = _errors(
        lambda: _create(world.coordinator, world.plan, query=f"focal_point={stranger.pk}")
    )
    assert errors == {
        "query": [
            "Focal point: Select a valid choice. That choice is not one of the available choices."
        ]
    }


def test_saved_view_refuses_filters_too_long(world):
    errors = _errors(lambda: _create(world.coordinator, world.plan, query="q=" + "x" * 2000))
    assert errors == {"query": ["These filters are too long to save."]}


# --- names -------------------------------------------------------------------------


def test_saved_view_name_is_stripped_and_required(world):
    assert _create(world.coordinator, world.plan, name="  Late points  ").name == "Late points"
    assert _errors(lambda: _create(world.coordinator, world.plan, name="   ")) == {
        "name": ["Name is required."]
    }
    assert _errors(lambda: _create(world.coordinator, world.plan, name="x" * 81)) == {
        "name": ["Name is 81 characters long; the most is 80."]
    }


def test_saved_view_name_is_unique_per_owner_and_plan_whatever_the_case(world):
    _create(world.coordinator, world.plan, name="Late")
    assert _errors(lambda: _create(world.coordinator, world.plan, name="LATE")) == {"name": [TAKEN]}
    # Another plan, another owner, the other page: no clash.
    other = ActionPlanFactory(visibility=PlanVisibility.SIGNED_IN)
    _create(world.coordinator, other, name="Late")
    _create(world.member, world.plan, name="Late")
    _create(world.coordinator, name="Late")
    assert _errors(lambda: _create(world.coordinator, name="late")) == {"name": [TAKEN]}
    assert SavedView.objects.count() == 4


def test_saved_view_of_a_plan_one_cannot_see_is_refused(world):
    errors = _errors(lambda: _create(world.outsider, world.plan))
    assert errors == {"plan": ["No such plan."]}


# --- sharing -----------------------------------------------------------------------


def test_saved_view_of_my_action_points_cannot_be_shared(world):
    assert _errors(lambda: _create(world.member, shared=True)) == {"shared": [ONLY_PLAN]}


def test_saved_view_is_shared_by_members_only(world):
    world.plan.visibility = PlanVisibility.SIGNED_IN
    world.plan.save()
    assert _errors(lambda: _create(world.viewer, world.plan, shared=True)) == {
        "shared": [ONLY_MEMBERS]
    }
    assert _create(world.member, world.plan, name="Mine", shared=True).shared
    assert _create(world.coordinator, world.plan, name="Theirs", shared=True).shared
    assert _create(world.admin, world.plan, name="Admin's", shared=True).shared


def _names(user, plan=None, page="plan"):
    return [
        (view.name, view.owner.username)
        for view in perms.saved_views_for(user, page=page, plan=plan)
    ]


def test_shared_view_is_seen_by_the_plans_members_only(world):
    world.plan.visibility = PlanVisibility.SIGNED_IN
    world.plan.save()
    _create(world.coordinator, world.plan, name="Coordinator's shared", shared=True)
    _create(world.coordinator, world.plan, name="Coordinator's own")
    _create(world.member, world.plan, name="Member's own")
    _create(world.viewer, world.plan, name="Viewer's own")
    other_member = UserFactory()
    other_group = WorkingGroupFactory(plan=world.other_plan, number=2)
    other_group.team_members.add(PersonFactory(user=other_member))

    assert _names(world.member, world.plan) == [
        ("Member's own", "member"),
        ("Coordinator's shared", "coordinator"),
    ]
    assert _names(world.coordinator, world.plan) == [
        ("Coordinator's own", "coordinator"),
        ("Coordinator's shared", "coordinator"),
    ]
    # Sees the plan (open to all signed-in users) but is no member of it.
    assert _names(world.viewer, world.plan) == [("Viewer's own", "viewer")]
    assert _names(other_member, world.plan) == []
    assert _names(world.admin, world.plan) == [("Coordinator's shared", "coordinator")]
    assert _names(world.member, world.other_plan) == []


def test_shared_view_of_someone_no_longer_a_member_is_not_shown(world):
    _create(world.member, world.plan, name="Member's shared", shared=True)
    assert _names(world.coordinator, world.plan) == [("Member's shared", "member")]
    world.group.team_members.clear()
    world.group.team_leader = None
    world.group.save()
    world.action_point.focal_points.all().delete()
    assert _names(world.coordinator, world.plan) == []


def test_members_only_plans_page_hides_shared_views_from_non_members(client, world):
    _create(world.coordinator, world.plan, name="Shared", shared=True)
    client.force_login(world.viewer)
    assert client.get(f"/plans/{world.plan.pk}/").status_code == 404
    assert _names(world.viewer, world.plan) == []


# --- changes: the owner only -------------------------------------------------------


def test_saved_view_update_renames_shares_and_replaces_filters(world):
    view = _create(world.coordinator, world.plan, name="Late", query="status=blocked")
    _create(world.coordinator, world.plan, name="Other")
    services.saved_view_update(
        view=view, user=world.coordinator, name=" Blocked ", shared=True, query="q=x&page=2"
    )
    view.refresh_from_db()
    assert (view.name, view.shared, view.query) == ("Blocked", True, "q=x")
    assert _errors(
        lambda: services.saved_view_update(view=view, user=world.coordinator, name="other")
    ) == {"name": [TAKEN]}
    services.saved_view_update(view=view, user=world.coordinator, shared=False)
    view.refresh_from_db()
    assert not view.shared


def test_saved_view_changes_are_the_owners_only(world):
    view = _create(world.coordinator, world.plan, shared=True)
    for user in (world.member, world.admin):
        with pytest.raises(PermissionDenied):
            services.saved_view_update(view=view, user=user, name="Mine now")
        with pytest.raises(PermissionDenied):
            services.saved_view_delete(view=view, user=user)
    services.saved_view_delete(view=view, user=world.coordinator)
    assert not SavedView.objects.exists()


# --- pages -------------------------------------------------------------------------


def test_plan_page_lists_own_then_shared_views_marking_the_current_one(client, world):
    _create(world.coordinator, world.plan, name="Blocked", query="status=blocked", shared=True)
    _create(world.member, world.plan, name="In progress", query="status=in_progress")
    client.force_login(world.member)
    response = client.get(f"/plans/{world.plan.pk}/?status=in_progress&page=1")
    html = response.content.decode()
    block = response.context["saved_views"]
    assert [(v.name, v.is_own, v.is_current) for v in block.views] == [
        ("In progress", True, True),
        ("Blocked", False, False),
    ]
    url = f"/plans/{world.plan.pk}/"
    assert (
        f'<a href="{url}?status=in_progress" dir="auto" aria-current="page">In progress</a>' in html
    )
    assert (
        f'<a href="{url}?status=blocked" dir="auto">Blocked</a> '
        '<span class="muted">(shared by <bdi>coordinator</bdi>)</span>'
    ) in html
    assert 'name="shared"' in html  # a member may share


def test_plan_page_offers_no_sharing_to_a_non_member(client, world):
    world.plan.visibility = PlanVisibility.SIGNED_IN
    world.plan.save()
    client.force_login(world.viewer)
    html = client.get(f"/plans/{world.plan.pk}/").content.decode()
    assert 'action="/views/add/"' in html
    assert 'name="shared"' not in html


def test_my_action_points_shows_its_own_views_only(client, world):
    _create(world.member, name="Overdue", query="overdue=true")
    _create(world.member, world.plan, name="On the plan")
    _create(world.coordinator, name="Someone else's")
    client.force_login(world.member)
    response = client.get("/my/action-points/?overdue=true")
    assert [(v.name, v.is_current) for v in response.context["saved_views"].views] == [
        ("Overdue", True)
    ]
    assert '<a href="/my/action-points/?overdue=true" dir="auto" aria-current="page">' in (
        response.content.decode()
    )


def test_saving_a_view_from_the_page_opens_it(client, world):
    client.force_login(world.coordinator)
    response = client.post(
        "/views/add/",
        {
            "page": "plan",
            "plan": world.plan.pk,
            "query": "status=blocked&page=2&view=cards",
            "name": "Blocked cards",
            "shared": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{world.plan.pk}/?status=blocked&view=cards"
    view = SavedView.objects.get()
    assert (view.owner, view.plan, view.name, view.shared) == (
        world.coordinator,
        world.plan,
        "Blocked cards",
        True,
    )


def test_saving_a_view_with_an_error_shows_it(client, world):
    _create(world.coordinator, world.plan, name="Late")
    client.force_login(world.coordinator)
    response = client.post(
        "/views/add/", {"page": "plan", "plan": world.plan.pk, "query": "", "name": "late"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": [TAKEN]}
    assert SavedView.objects.count() == 1


def test_saving_a_view_of_a_hidden_plan_is_404(client, world):
    client.force_login(world.outsider)
    response = client.post("/views/add/", {"page": "plan", "plan": world.plan.pk, "name": "x"})
    assert response.status_code == 404
    assert not SavedView.objects.exists()


def test_replacing_a_views_filters(client, world):
    view = _create(world.member, world.plan, name="Mine", query="status=blocked")
    client.force_login(world.member)
    response = client.post("/views/replace/", {"view": view.pk, "query": "q=tools&page=4"})
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{world.plan.pk}/?q=tools"
    view.refresh_from_db()
    assert view.query == "q=tools"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/views/{pk}/edit/"),
        ("post", "/views/{pk}/edit/"),
        ("post", "/views/{pk}/share/"),
        ("get", "/views/{pk}/delete/"),
        ("post", "/views/{pk}/delete/"),
    ],
)
def test_someone_elses_saved_view_is_404(client, world, method, path):
    view = _create(world.coordinator, world.plan, name="Shared", shared=True)
    for user in (world.member, world.admin):
        client.force_login(user)
        response = getattr(client, method)(path.format(pk=view.pk), {"name": "x", "shared": "0"})
        assert response.status_code == 404
    view.refresh_from_db()
    assert (view.name, view.shared) == ("Shared", True)


def test_someone_elses_view_cannot_be_replaced(client, world):
    view = _create(world.coordinator, world.plan, name="Shared", query="q=a", shared=True)
    client.force_login(world.member)
    response = client.post("/views/replace/", {"view": view.pk, "query": "q=b"})
    assert response.status_code == 404
    view.refresh_from_db()
    assert view.query == "q=a"


def test_manage_page_renames_shares_and_deletes(client, world):
    view = _create(world.member, world.plan, name="Late")
    mine = _create(world.member, name="Overdue", query="overdue=true")
    _create(world.coordinator, world.plan, name="Not mine")
    client.force_login(world.member)

    response = client.get("/views/")
    assert [v.name for v in response.context["views"]] == ["Overdue", "Late"]
    assert [v.can_share for v in response.context["views"]] == [False, True]

    response = client.post(f"/views/{view.pk}/edit/", {"name": "Late points"})
    assert (response.status_code, response["Location"]) == (302, "/views/")
    response = client.post(f"/views/{view.pk}/share/", {"shared": "1"})
    assert (response.status_code, response["Location"]) == (302, "/views/")
    view.refresh_from_db()
    assert (view.name, view.shared) == ("Late points", True)

    assert client.get(f"/views/{mine.pk}/delete/").status_code == 200
    response = client.post(f"/views/{mine.pk}/delete/")
    assert (response.status_code, response["Location"]) == (302, "/views/")
    assert not SavedView.objects.filter(pk=mine.pk).exists()


def test_manage_page_refuses_sharing_for_a_non_member(client, world):
    world.plan.visibility = PlanVisibility.SIGNED_IN
    world.plan.save()
    view = _create(world.viewer, world.plan, name="Late")
    client.force_login(world.viewer)
    assert [v.can_share for v in client.get("/views/").context["views"]] == [False]
    response = client.post(f"/views/{view.pk}/share/", {"shared": "1"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [ONLY_MEMBERS]
    view.refresh_from_db()
    assert not view.shared


# --- applying a view -----------------------------------------------------------------


def test_a_saved_view_shows_exactly_its_filtered_rows(client, world):
    challenge = world.challenge
    blocked = [
        ActionPointFactory(challenge=challenge, description=f"Blocked {n}", status="blocked")
        for n in range(3)
    ]
    ActionPointFactory(challenge=challenge, description="Dropped", status="cancelled")
    view = _create(world.member, world.plan, name="Blocked", query="status=blocked")
    client.force_login(world.member)
    response = client.get(response_url := f"/plans/{world.plan.pk}/?{view.query}")
    assert response_url.endswith("?status=blocked")
    assert response.context["body"].shown_count == 3
    assert sorted(response.context["filterset"].qs.values_list("pk", flat=True)) == sorted(
        point.pk for point in blocked
    )


# --- query counts: flat in the number of saved views ---------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def _add_views(world, start: int, count: int) -> None:
    for n in range(start, start + count):
        _create(world.member, world.plan, name=f"Own {n}", query=f"q=own{n}")
        _create(world.coordinator, world.plan, name=f"Shared {n}", query=f"q=s{n}", shared=True)
        _create(world.member, name=f"Mine {n}", query="overdue=true")


@pytest.mark.parametrize(
    "url", ["/plans/{plan}/", "/plans/{plan}/?q=own0", "/my/action-points/", "/views/"]
)
def test_saved_views_query_counts_do_not_grow(client, world, url):
    url = url.format(plan=world.plan.pk)
    client.force_login(world.member)
    _add_views(world, 0, 1)  # 2 views on the plan's page
    small = _queries(client, url)
    _add_views(world, 1, 9)  # 20
    assert _queries(client, url) == small
