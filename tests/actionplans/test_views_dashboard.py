"""Dashboard pages: who sees them, what they show, and their query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actionplans.choices import PlanVisibility
from actionplans.services import (
    FocalPointAssignment,
    action_point_create,
    challenge_create,
    plan_create,
    working_group_create,
)
from actionplans.templatetags.plan_tags import human_duration
from tests.factories import PersonFactory
from tests.users import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build_world()
    world.action_point.deadline, world.action_point.due_date = "2019", datetime.date(2019, 12, 31)
    world.action_point.deadline_precision = "year"
    world.action_point.save()
    return world


@pytest.mark.parametrize("role", ["admin", "coordinator", "member"])
def test_plan_dashboard_shows_figures_to_who_sees_the_plan(client, world, role):
    client.force_login(getattr(world, role))
    response = client.get(f"/plans/{world.plan.pk}/dashboard/")
    assert response.status_code == 200
    d = response.context["d"]
    assert (d.live, d.headline.total, d.headline.overdue) == (True, 1, 1)
    html = response.content.decode()
    assert '<dd id="figure-overdue">1</dd>' in html
    assert 'role="img"' in html and "<title id=" in html
    assert "Not started 1, In progress 0, Blocked 0, Completed 0, Cancelled 0." in html


@pytest.mark.parametrize("role", ["viewer", "outsider"])
def test_plan_dashboard_is_404_for_users_who_cannot_see_the_plan(client, world, role):
    client.force_login(getattr(world, role))
    assert client.get(f"/plans/{world.plan.pk}/dashboard/").status_code == 404


def test_plan_dashboard_open_to_viewer_when_plan_is_open_to_all(client):
    world = build_world(visibility=PlanVisibility.SIGNED_IN)
    client.force_login(world.viewer)
    assert client.get(f"/plans/{world.plan.pk}/dashboard/").status_code == 200


def test_plan_dashboard_requires_login(client, world):
    url = f"/plans/{world.plan.pk}/dashboard/"
    response = client.get(url)
    assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={url}")


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_plan_dashboard_refuses_writes(client, world, method):
    client.force_login(world.coordinator)
    assert getattr(client, method)(f"/plans/{world.plan.pk}/dashboard/").status_code == 405


def test_plan_dashboard_as_of_a_past_day(client, world):
    client.force_login(world.coordinator)
    response = client.get(f"/plans/{world.plan.pk}/dashboard/?as_of=2018-12-01")
    d = response.context["d"]
    assert (d.live, d.today, d.headline.total) == (False, datetime.date(2018, 12, 1), 0)
    assert "<h1>Dashboard as of 1 Dec 2018</h1>" in response.content.decode()


@pytest.mark.parametrize(
    ("value", "message"),
    [("2999-01-01", "Pick today or a day in the past."), ("yesterday", "Enter a valid date.")],
)
def test_plan_dashboard_bad_as_of_is_a_field_error(client, world, value, message):
    client.force_login(world.coordinator)
    response = client.get(f"/plans/{world.plan.pk}/dashboard/?as_of={value}")
    assert response.status_code == 200
    assert response.context["form"].errors == {"as_of": [message]}
    assert response.context["d"].live is True


def test_portfolio_lists_visible_plans_with_totals(client, world):
    client.force_login(world.member)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r.plan.title, r.counts.overdue) for r in rows] == [("PIM Lebanon Action Plan", 1)]
    assert "Other plan" not in response.content.decode()
    assert response.context["totals"].total == 1


def test_portfolio_sorts_and_reports_bad_sort(client, world):
    client.force_login(world.admin)
    titles = lambda r: [row.plan.title for row in r.context["rows"]]  # noqa: E731
    assert titles(client.get("/dashboard/?sort=-overdue")) == [
        "PIM Lebanon Action Plan",
        "Other plan",
    ]
    assert titles(client.get("/dashboard/?sort=title")) == ["Other plan", "PIM Lebanon Action Plan"]
    response = client.get("/dashboard/?sort=budget")
    assert response.context["sort_error"] == "Cannot sort by “budget”; sorted by plan instead."
    assert titles(response) == ["Other plan", "PIM Lebanon Action Plan"]


def test_portfolio_for_user_without_plans_is_empty(client, world):
    client.force_login(world.outsider)
    response = client.get("/dashboard/")
    assert response.context["rows"] == []
    assert "No plan to show." in response.content.decode()


def _grow(world, n):
    for i in range(n):
        plan = plan_create(title=f"Plan {i}", visibility=PlanVisibility.SIGNED_IN)
        plan.coordinators.add(world.coordinator)
        group = working_group_create(plan=world.plan, name=f"Group {i}")
        challenge = challenge_create(working_group=group, description="C")
        for deadline in ("2019", "2031"):
            action_point_create(
                challenge=challenge,
                description=f"{i} {deadline}",
                deadline=deadline,
                focal_points=[FocalPointAssignment(PersonFactory(), "lead")],
            )


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url", ["/dashboard/", "/plans/{plan}/dashboard/", "/plans/{plan}/dashboard/?as_of={day}"]
)
def test_dashboard_pages_query_count_does_not_grow(client, world, url):
    client.force_login(world.coordinator)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    target = url.format(plan=world.plan.pk, day=yesterday.isoformat())
    _grow(world, 1)
    small = _queries(client, target)
    _grow(world, 4)
    assert _queries(client, target) == small


# --- issue 18: the dashboard leads with action; "as of" says when the plan was entered;
# the portfolio lists what is late and who carries what -------------------------------------


def _late_points(world, n, *, plan=None, person=None):
    """n overdue action points due 1, 2, ... January 2019 (older than world's 2019-12-31)."""
    group = working_group_create(plan=plan or world.plan, name="Late group")
    challenge = challenge_create(working_group=group, description="Late challenge")
    person = person or PersonFactory(name="Rana")
    for day in range(1, n + 1):
        action_point_create(
            challenge=challenge,
            description=f"Late {day}",
            deadline=f"2019-01-{day:02d}",
            focal_points=[FocalPointAssignment(person, "lead")],
        )
    return group


def test_plan_dashboard_leads_with_what_needs_someone_now(client, world):
    group = _late_points(world, 11)
    client.force_login(world.member)
    response = client.get(f"/plans/{world.plan.pk}/dashboard/")
    html = response.content.decode()
    assert html.index('<h2 id="attention-title">Needs someone now</h2>') < html.index(
        'id="headline-title"'
    )
    d = response.context["d"]
    assert [p.description for p in d.lists["overdue"]] == [f"Late {n}" for n in range(1, 11)]
    assert d.list_totals["overdue"] == 12
    assert (
        '<h3 id="list-overdue">Overdue (high priority first, then oldest) '
        '<span class="muted">(12)</span></h3>'
    ) in html
    assert (
        f'<a href="/plans/{world.plan.pk}/?overdue=true&amp;sort=due_date">and 2 more</a>' in html
    )
    first = d.lists["overdue"][0]
    assert (first.number, first.focal_names) == (f"{group.number}.1", [("Rana", "")])
    assert f'<td class="num">{group.number}.1</td>' in html
    assert '<time datetime="2019-01-01">1 Jan 2019</time>' in html
    late = (timezone.localdate() - datetime.date(2019, 1, 1)).days
    assert f'<span class="badge overdue">Overdue by {human_duration(late)}</span>' in html
    # Every table of the page but the two-column one by status scrolls inside its own
    # container (360 px wide phones): overdue, groups, three workloads, quarters, PIM
    # categories and principles.
    assert (html.count("<table"), html.count('<div class="table-scroll"')) == (9, 8)
    assert 'class="table-wrap"' not in html


def test_plan_dashboard_more_links_use_the_plan_page_filters(client, world):
    client.force_login(world.coordinator)
    response = client.get(f"/plans/{world.plan.pk}/dashboard/")
    from actionplans.views.dashboards import _more_urls

    today = datetime.date(2020, 1, 15)
    urls = _more_urls(world.plan, today)
    base = f"/plans/{world.plan.pk}/?"
    assert urls == {
        "overdue": base + "overdue=true&sort=due_date",
        "due_soon": base + "status=not_started&status=in_progress&status=blocked"
        "&due_after=2020-01-15&due_before=2020-02-14&sort=due_date",
        "stale": base + "status=not_started&status=in_progress&status=blocked",
        "blocked": base + "status=blocked&sort=due_date",
    }
    assert response.status_code == 200


def test_plan_dashboard_as_of_before_the_plan_was_entered_says_so(client, world):
    client.force_login(world.coordinator)
    response = client.get(f"/plans/{world.plan.pk}/dashboard/?as_of=2018-12-01")
    entered = timezone.localdate(world.plan.created).strftime("%-d %b %Y")
    assert response.context["as_of_note"] == (
        f"This plan was entered in the tracker on {entered}; on 1 Dec 2018 it held nothing yet."
    )
    assert response.context["as_of_note"] in response.content.decode()


def test_plan_dashboard_as_of_after_entry_says_what_the_plan_held(client, world):
    from actionplans.models import ActionPlan, ActionPoint, Challenge, WorkingGroup

    moment = timezone.make_aware(datetime.datetime(2019, 1, 10, 12))
    for model, pk in (
        (ActionPlan, world.plan.pk),
        (WorkingGroup, world.group.pk),
        (Challenge, world.challenge.pk),
        (ActionPoint, world.action_point.pk),
    ):
        model.history.filter(id=pk, history_type="+").update(history_date=moment)
    client.force_login(world.coordinator)
    response = client.get(f"/plans/{world.plan.pk}/dashboard/?as_of=2019-06-01")
    assert response.context["as_of_note"] == "On 1 Jun 2019 the plan held 1 action point."
    assert "On 1 Jun 2019 the plan held 1 action point." in response.content.decode()
    earlier = client.get(f"/plans/{world.plan.pk}/dashboard/?as_of=2019-01-09")
    assert earlier.context["as_of_note"] == (
        "This plan was entered in the tracker on 10 Jan 2019; on 9 Jan 2019 it held nothing yet."
    )


def test_plan_dashboard_quarter_table_compresses_empty_years(client, world):
    # Deadlines in Q4 2019 (world) and Q1 2024: the years between are one row.
    action_point_create(challenge=world.challenge, description="Later", deadline="2024-02-01")
    client.force_login(world.coordinator)
    html = client.get(f"/plans/{world.plan.pk}/dashboard/").content.decode()
    assert (
        '<tr class="gap"><th scope="row">2020–2023</th>'
        '<td colspan="2" class="muted">no deadline in these quarters</td></tr>'
    ) in html
    assert html.count('<th scope="row">Q') == 2  # Q4 2019, Q1 2024
    assert "<title>2020–2023: none</title>" in html
    assert "Q4 2019: 1 due, 0 done; 2020–2023: none; Q1 2024: 1 due, 0 done." in html


def _secret_world():
    """world.plan open to all signed-in users; world.other_plan (members only) has a
    late point carried by Rana, who also carries one in world.plan, and by Hidden."""
    world = build_world(visibility=PlanVisibility.SIGNED_IN)
    world.action_point.deadline, world.action_point.due_date = "2019", datetime.date(2019, 12, 31)
    world.action_point.deadline_precision = "year"
    world.action_point.save()
    rana = PersonFactory(name="Rana")
    _late_points(world, 1, person=rana)
    hidden_group = _late_points(
        world, 1, plan=world.other_plan, person=PersonFactory(name="Hidden")
    )
    from actionplans.models import FocalPoint

    FocalPoint.objects.create(
        action_point=hidden_group.challenges.get().action_points.get(), person=rana, role="support"
    )
    return world


@pytest.mark.parametrize("role", ["coordinator", "member", "viewer"])
def test_portfolio_lists_what_is_late_without_hidden_plans(client, role):
    world = _secret_world()
    client.force_login(getattr(world, role))
    response = client.get("/dashboard/")
    html = response.content.decode()
    late = response.context["late"]
    assert [p.description for p in late] == ["Late 1", "IMWG to recommend standardized tools"]
    assert late.paginator.count == 2
    assert [(r.name, r.open, r.overdue) for r in response.context["people"]] == [
        ("Jad", 1, 1),
        ("Rana", 1, 1),
    ]
    assert [(r.name, r.open, r.overdue) for r in response.context["organizations"]] == [
        ("No organization", 2, 2)
    ]
    assert "Other plan" not in html and "Hidden" not in html
    assert html.index('id="late-title"') < html.index('id="status-title"')
    assert '<span class="muted">(2)</span>' in html


def test_portfolio_for_an_administrator_counts_the_other_plan(client):
    world = _secret_world()
    client.force_login(world.admin)
    response = client.get("/dashboard/")
    assert [p.description for p in response.context["late"]] == [
        "Late 1",
        "Late 1",
        "IMWG to recommend standardized tools",
    ]
    assert [(r.name, r.open, r.overdue) for r in response.context["people"]] == [
        ("Rana", 2, 2),
        ("Hidden", 1, 1),
        ("Jad", 1, 1),
    ]


def test_portfolio_late_list_is_paginated(client, world):
    _late_points(world, 25)
    client.force_login(world.member)
    first = client.get("/dashboard/")
    assert len(first.context["late"].object_list) == 20
    assert first.context["late"].paginator.count == 26
    html = first.content.decode()
    assert '<a href="?late_page=2#late" rel="next">' in html
    second = client.get("/dashboard/?late_page=2")
    assert [p.description for p in second.context["late"]] == [
        "Late 21",
        "Late 22",
        "Late 23",
        "Late 24",
        "Late 25",
        "IMWG to recommend standardized tools",
    ]


def _grow_plans(world, n):
    """n plans the coordinator coordinates, each with late, due-soon and done points
    carried by people of several organizations, and n groups in world.plan likewise."""
    from tests.factories import OrganizationFactory

    soon = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    for i in range(n):
        plan = plan_create(title=f"Grown {i}", visibility=PlanVisibility.SIGNED_IN)
        plan.coordinators.add(world.coordinator)
        for target in (plan, world.plan):
            group = working_group_create(plan=target, name=f"Grown group {i}")
            challenge = challenge_create(working_group=group, description="C")
            for deadline in ("2019", soon, "2031"):
                action_point_create(
                    challenge=challenge,
                    description=f"{i} {deadline}",
                    deadline=deadline,
                    focal_points=[
                        FocalPointAssignment(
                            PersonFactory(organization=OrganizationFactory()), "lead"
                        ),
                        FocalPointAssignment(world.member_person, "support"),
                    ],
                )


@pytest.mark.parametrize("role", ["coordinator", "member", "admin"])
@pytest.mark.parametrize(
    "url", ["/dashboard/", "/plans/{plan}/dashboard/", "/plans/{plan}/dashboard/?as_of={day}"]
)
def test_dashboard_pages_query_count_is_the_same_at_ten_times_the_data(client, world, role, url):
    client.force_login(getattr(world, role))
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    target = url.format(plan=world.plan.pk, day=yesterday.isoformat())
    _grow_plans(world, 1)
    small = _queries(client, target)
    _grow_plans(world, 9)
    assert _queries(client, target) == small
