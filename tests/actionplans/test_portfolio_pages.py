"""Issue 21: the portfolio shows a page of plans (dashboards.PLANS_PAGE_SIZE), sorted in
the database, with the totals of every plan the user may see; what is late, who carries
what, verification and the PIM breakdown count the plans of the page. Its queries do
not follow the number of plans or action points."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actionplans import dashboards
from actionplans.choices import PlanVisibility
from actionplans.services import (
    FocalPointAssignment,
    action_point_create,
    challenge_create,
    plan_create,
    working_group_create,
)
from tests.factories import PersonFactory
from tests.users import build_world

pytestmark = pytest.mark.django_db


def _plan(title: str, deadlines: list[str]):
    """A plan open to all signed-in users with one action point per deadline."""
    plan = plan_create(title=title, visibility=PlanVisibility.SIGNED_IN)
    group = working_group_create(plan=plan, name="G")
    challenge = challenge_create(working_group=group, description="C")
    person = PersonFactory(name=f"{title} person")
    for n, deadline in enumerate(deadlines):
        action_point_create(
            challenge=challenge,
            description=f"{title} {n}",
            deadline=deadline,
            focal_points=[FocalPointAssignment(person, "lead")],
        )
    return plan


@pytest.fixture
def world(monkeypatch):
    monkeypatch.setattr(dashboards, "PLANS_PAGE_SIZE", 2)
    world = build_world()
    world.action_point.deadline, world.action_point.due_date = "2019", datetime.date(2019, 12, 31)
    world.action_point.deadline_precision = "year"
    world.action_point.save()
    _plan("Alpha", ["2019", "2018", "2031"])  # two late
    _plan("Zulu", ["2031"])
    return world


def test_portfolio_shows_a_page_of_plans_with_the_totals_of_all(client, world):
    client.force_login(world.admin)  # sees Alpha, Other plan, PIM Lebanon Action Plan, Zulu
    first = client.get("/dashboard/")
    page = first.context["page"]
    assert [row.plan.title for row in page] == ["Alpha", "Other plan"]
    assert (page.paginator.count, page.paginator.num_pages) == (4, 2)
    totals = first.context["totals"]
    assert (totals.total, totals.overdue) == (6, 3)  # Lebanon 1 + Other 1 + Alpha 3 + Zulu 1
    # What is late counts the plans of the page: Alpha's two, not Lebanon's.
    assert [p.description for p in first.context["late"]] == ["Alpha 1", "Alpha 0"]
    assert [r.name for r in first.context["people"]] == ["Alpha person"]
    html = first.content.decode()
    assert '<a href="?page=2" rel="next">' in html
    assert 'id="paged-note"' in html and "Total, all plans" in html
    second = client.get("/dashboard/?page=2&late_page=3")
    assert [row.plan.title for row in second.context["page"]] == [
        "PIM Lebanon Action Plan",
        "Zulu",
    ]
    assert [p.description for p in second.context["late"]] == [world.action_point.description]
    assert '<a href="?page=1" rel="prev">' in second.content.decode()  # late_page left out


def test_portfolio_sorts_every_plan_by_a_figure_then_pages(client, world):
    client.force_login(world.admin)
    titles = lambda r: [row.plan.title for row in r.context["page"]]  # noqa: E731
    assert titles(client.get("/dashboard/?sort=-overdue")) == ["Alpha", "PIM Lebanon Action Plan"]
    assert titles(client.get("/dashboard/?sort=-overdue&page=2")) == ["Other plan", "Zulu"]
    assert titles(client.get("/dashboard/?sort=-title")) == ["Zulu", "PIM Lebanon Action Plan"]
    html = client.get("/dashboard/?sort=-overdue").content.decode()
    assert '<a href="?sort=-overdue&amp;page=2" rel="next">' in html


def test_one_page_of_plans_says_all_plans(client, world, monkeypatch):
    monkeypatch.setattr(dashboards, "PLANS_PAGE_SIZE", 25)
    client.force_login(world.admin)
    response = client.get("/dashboard/")
    html = response.content.decode()
    assert len(response.context["rows"]) == 4
    assert "What is late, all plans" in html and 'id="paged-note"' not in html
    assert 'rel="next"' not in html


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/dashboard/", "/dashboard/?sort=-overdue&page=2"])
def test_portfolio_queries_do_not_follow_the_plans(client, world, url):
    client.force_login(world.admin)
    small = _queries(client, url)
    for n in range(4):  # after the plans shown, by title and by overdue
        _plan(f"Zz {n}", ["2031", "2032"])
    assert _queries(client, url) == small
