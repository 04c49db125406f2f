"""Issue 19: the dashboards' PIM breakdown, and high priority first in what is late."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actionplans import dashboards, services
from actionplans.models import ActionPlan, ActionPoint
from actionplans.pim_breakdown import plan_pim_breakdown, portfolio_pim_breakdown
from tests.factories import ActionPointFactory
from tests.users import build_world

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)
LONG_AGO = datetime.date(2020, 1, 1)
FIGURES = ("total", "open", "overdue", "completed")


def _point(world, description, *, due=None, status="in_progress", position=2, **tags):
    point = ActionPointFactory(
        challenge=world.challenge,
        position=position,
        description=description,
        status=status,
        progress=100 if status == "completed" else 0,
        due_date=due,
        deadline="2020-01-01" if due else "",
        deadline_precision="day" if due else "none",
    )
    if tags:
        services.action_point_classify(action_point=point, user=None, **tags)
    return point


@pytest.fixture
def world():
    world = build_world()
    # The world's own point: open, no deadline, untagged.
    _point(
        world,
        "A",
        due=LONG_AGO,
        position=2,
        pim_categories=["population_data", "protection_monitoring"],
        pim_principles=["do_no_harm"],
    )
    _point(world, "B", status="completed", position=3, pim_categories=["population_data"])
    _point(world, "D", due=LONG_AGO, position=4, pim_principles=["do_no_harm"], priority="high")
    services.action_point_classify(
        action_point=world.other_action_point, user=None, pim_categories=["case_management"]
    )
    return world


def _figures(rows) -> dict[str, tuple]:
    return {
        row.slug or "none": tuple(getattr(row, name) for name in FIGURES)
        for row in rows
        if row.total or not row.slug
    }


def test_plan_breakdown_counts_each_category_and_principle(world):
    pim = plan_pim_breakdown(world.plan, TODAY)

    assert [row.slug for row in pim.categories][-1] == ""
    assert len(pim.categories) == 9 and len(pim.principles) == 9
    assert _figures(pim.categories) == {
        "population_data": (2, 1, 1, 1),
        "protection_monitoring": (1, 1, 1, 0),
        # The world's point and D.
        "none": (2, 2, 1, 0),
    }
    assert _figures(pim.principles) == {"do_no_harm": (2, 2, 2, 0), "none": (2, 1, 0, 1)}
    row = pim.categories[0]
    url = f"/plans/{world.plan.pk}/"
    assert row.figures == [
        (2, f"{url}?pim_category=population_data"),
        (
            1,
            f"{url}?pim_category=population_data&status=not_started&status=in_progress"
            "&status=blocked",
        ),
        (1, f"{url}?pim_category=population_data&overdue=true"),
        (1, f"{url}?pim_category=population_data&status=completed"),
    ]
    assert pim.categories[-1].figures == [(2, ""), (2, ""), (1, ""), (0, "")]


def test_portfolio_breakdown_leaves_out_plans_one_may_not_see(world):
    member = portfolio_pim_breakdown(ActionPlan.objects.visible_to(world.member), TODAY)
    admin = portfolio_pim_breakdown(ActionPlan.objects.visible_to(world.admin), TODAY)

    assert _figures(member.categories) == {
        "population_data": (2, 1, 1, 1),
        "protection_monitoring": (1, 1, 1, 0),
        "none": (2, 2, 1, 0),
    }
    assert _figures(admin.categories) == {
        "population_data": (2, 1, 1, 1),
        "protection_monitoring": (1, 1, 1, 0),
        "case_management": (1, 1, 0, 0),
        "none": (2, 2, 1, 0),
    }
    assert member.categories[0].links is None


@pytest.mark.parametrize("extra", [0, 20])
def test_breakdown_takes_three_queries_whatever_the_size(world, extra):
    for n in range(extra):
        _point(world, f"More {n}", position=10 + n, pim_categories=["case_management"])

    with CaptureQueriesContext(connection) as queries:
        pim = portfolio_pim_breakdown(ActionPlan.objects.all(), TODAY)

    assert len(queries) == 3
    assert _figures(pim.categories)["case_management"][0] == 1 + extra


def test_plan_dashboard_page_shows_the_breakdown_table(client, world):
    client.force_login(world.member)

    html = client.get(f"/plans/{world.plan.pk}/dashboard/").content.decode()

    assert '<caption id="pim-categories-caption">PIM categories</caption>' in html
    assert (
        '<tr><th scope="row">Population data</th><td class="num">'
        f'<a href="/plans/{world.plan.pk}/?pim_category=population_data">2</a></td>'
    ) in html
    assert '<tr class="muted"><th scope="row">Not tagged</th>' in html


def test_portfolio_page_shows_only_visible_plans_in_the_breakdown(client, world):
    client.force_login(world.member)

    html = client.get("/dashboard/").content.decode()

    assert '<caption id="pim-categories-caption">PIM categories</caption>' in html
    assert (
        '<tr><th scope="row">Case management</th><td class="num">0</td><td class="num">0</td>'
    ) in html


# --- what is late: high priority first -------------------------------------------------------


def test_plan_overdue_list_puts_high_priority_first_then_oldest(world):
    older = _point(world, "Older", due=datetime.date(2019, 1, 1), position=5)
    newer_high = _point(world, "Newer high", due=datetime.date(2021, 1, 1), position=6)
    services.action_point_classify(action_point=newer_high, user=None, priority="high")

    board = dashboards.plan_dashboard(world.plan, TODAY)

    # D (high, 2020), Newer high (high, 2021), then Older (2019), A (2020).
    assert [p.description for p in board.lists["overdue"]] == ["D", "Newer high", "Older", "A"]
    assert [p.priority for p in board.lists["overdue"]] == ["high", "high", "normal", "normal"]
    assert older.priority == "normal"


def test_portfolio_late_list_puts_high_priority_first_then_oldest(world):
    _point(world, "Older", due=datetime.date(2019, 1, 1), position=5)

    late = dashboards.late_points(ActionPlan.objects.all(), TODAY)

    assert [p.description for p in late] == ["D", "Older", "A"]


def test_late_lists_show_a_high_priority_badge(client, world):
    client.force_login(world.admin)
    today = timezone.localdate()
    ActionPoint.objects.filter(description="A").update(due_date=today - datetime.timedelta(days=3))

    board = client.get(f"/plans/{world.plan.pk}/dashboard/").content.decode()
    portfolio = client.get("/dashboard/").content.decode()

    badge = '<span class="badge priority-high">High priority</span>'
    assert board.count(badge) == 1
    assert portfolio.count(badge) == 1
    assert portfolio.index(">D</a>") < portfolio.index(">A</a>")
