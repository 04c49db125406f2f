"""Dashboard selectors on hand-built data whose every figure is known."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actionplans import dashboards
from actionplans.choices import PlanVisibility
from actionplans.models import ActionPoint, Challenge, DeadlineChange, FocalPoint, WorkingGroup
from actionplans.services import (
    FocalPointAssignment,
    action_point_create,
    action_point_reschedule,
    challenge_create,
    plan_create,
    progress_update_create,
    working_group_create,
)
from tests.factories import OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2020, 1, 15)


def _days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@pytest.fixture
def plan_data():
    """Seven action points around TODAY = 2020-01-15, in two groups.

    a not_started due yesterday (overdue)       e completed due 2019-10-07
    b in_progress due today (due soon)          f cancelled due 5 days ago
    c blocked due in 30 days (due soon)         g in_progress undated, stale
    d not_started due in 31 days
    """
    plan = plan_create(title="Plan", visibility=PlanVisibility.MEMBERS)
    unhcr = OrganizationFactory(name="UNHCR", acronym="UNHCR")
    jad = PersonFactory(name="Jad", organization=unhcr)
    rana = PersonFactory(name="Rana", organization=unhcr)
    omar = PersonFactory(name="Omar")
    g1 = working_group_create(plan=plan, name="Data Sharing")
    g2 = working_group_create(plan=plan, name="Assessments")
    c1 = challenge_create(working_group=g1, description="Tools")
    c2 = challenge_create(working_group=g2, description="Registry")

    def point(challenge, name, deadline, status=None, focal=()):
        ap = action_point_create(
            challenge=challenge,
            description=name,
            deadline=deadline,
            focal_points=[FocalPointAssignment(p, role) for p, role in focal],
        )
        if status:
            progress_update_create(
                action_point=ap, author=None, status=status, note="Done." * (status == "completed")
            )
        return ap

    points = {
        "a": point(c1, "a", "2020-01-14", focal=[(jad, "lead"), (rana, "support")]),
        "b": point(c1, "b", "2019-12-01", "in_progress", focal=[(jad, "lead")]),
        "c": point(c1, "c", "2020-01-31", "blocked", focal=[(rana, "lead")]),
        "d": point(c1, "d", "2020-02-15"),
        "e": point(c2, "e", "2019-10-07", "completed", focal=[(jad, "lead")]),
        "f": point(c2, "f", "2020-01-10", "cancelled"),
        "g": point(c2, "g", "ongoing", "in_progress", focal=[(omar, "advisor")]),
    }
    action_point_reschedule(
        action_point=points["b"], new_deadline="2020-01-15", reason="Late data", changed_by=None
    )
    action_point_reschedule(
        action_point=points["c"], new_deadline="14 February 2020", reason="Funding", changed_by=None
    )
    # Last changed exactly 60 days before TODAY: stale; 59 days: not.
    ActionPoint.objects.filter(pk=points["g"].pk).update(updated=_at(_days(-60)))
    ActionPoint.objects.filter(pk=points["d"].pk).update(updated=_at(_days(-59)))
    return plan, points, (g1, g2), (jad, rana, omar, unhcr)


def test_headline_counts(plan_data):
    plan, *_ = plan_data
    headline = dashboards.plan_dashboard(plan, TODAY).headline
    assert headline.by_status == {
        "not_started": 2,
        "in_progress": 2,
        "blocked": 1,
        "completed": 1,
        "cancelled": 1,
    }
    assert (headline.total, headline.overdue, headline.due_soon, headline.stale) == (7, 1, 2, 1)
    assert headline.rescheduled == 2
    # Cancelled does not count: 1 completed of 6.
    assert headline.completion_rate == pytest.approx(1 / 6)


def test_groups_status_shares_completion_and_overdue(plan_data):
    plan, _points, (g1, g2), _people = plan_data
    rows = dashboards.plan_dashboard(plan, TODAY).groups
    assert [
        (r.group_id, r.number, r.name, r.total, r.overdue, r.completion_rate) for r in rows
    ] == [
        (g1.pk, 1, "Data Sharing", 4, 1, 0.0),
        (g2.pk, 2, "Assessments", 3, 0, 0.5),
    ]
    assert rows[0].by_status == {
        "not_started": 2,
        "in_progress": 1,
        "blocked": 1,
        "completed": 0,
        "cancelled": 0,
    }


def test_workload_per_lead_everyone_and_organization(plan_data):
    plan, _points, _groups, (jad, rana, omar, unhcr) = plan_data
    d = dashboards.plan_dashboard(plan, TODAY)
    rows = lambda items: [(r.key, r.name, r.open, r.overdue, r.completed) for r in items]  # noqa: E731
    assert rows(d.leads) == [(jad.pk, "Jad", 2, 1, 1), (rana.pk, "Rana", 1, 0, 0)]
    assert rows(d.everyone) == [
        (jad.pk, "Jad", 2, 1, 1),
        (rana.pk, "Rana", 2, 1, 0),
        (omar.pk, "Omar", 1, 0, 0),
    ]
    # a is carried by two UNHCR people and counts once.
    assert rows(d.organizations) == [
        (unhcr.pk, "UNHCR", 3, 1, 1),
        (None, "No organization", 1, 0, 0),
    ]


def test_quarters_planned_against_delivered(plan_data):
    plan, *_ = plan_data
    quarters = dashboards.plan_dashboard(plan, TODAY).quarters
    assert [(q.label, q.start, q.end, q.due, q.done) for q in quarters] == [
        ("Q4 2019", datetime.date(2019, 10, 1), datetime.date(2019, 12, 31), 1, 1),
        ("Q1 2020", datetime.date(2020, 1, 1), datetime.date(2020, 3, 31), 4, 0),
    ]


def test_quarters_fill_the_gaps():
    rows = dashboards._fill_quarters(
        {datetime.date(2019, 1, 1): (2, 1), datetime.date(2019, 10, 1): (1, 0)}
    )
    assert [(q.label, q.due, q.done) for q in rows] == [
        ("Q1 2019", 2, 1),
        ("Q2 2019", 0, 0),
        ("Q3 2019", 0, 0),
        ("Q4 2019", 1, 0),
    ]


def test_slippage_totals(plan_data):
    plan, points, *_ = plan_data
    d = dashboards.plan_dashboard(plan, TODAY)
    assert [(s.action_point_id, s.changes, s.days) for s in d.slippage] == [
        (points["b"].pk, 1, 45),
        (points["c"].pk, 1, 14),
    ]
    assert (d.slippage_changes, d.slippage_days) == (2, 59)


def test_slippage_counts_every_move_and_skips_undated_ones(plan_data):
    plan, points, *_ = plan_data
    action_point_reschedule(
        action_point=points["b"], new_deadline="2020-01-10", reason="Earlier", changed_by=None
    )
    action_point_reschedule(
        action_point=points["b"], new_deadline="ongoing", reason="Continuous", changed_by=None
    )
    rows = {
        s.action_point_id: (s.changes, s.days)
        for s in dashboards.slippage(dashboards.plan_rows(plan, TODAY))
    }
    assert rows[points["b"].pk] == (3, 40)


def test_lists(plan_data):
    plan, points, *_ = plan_data
    lists = dashboards.plan_dashboard(plan, TODAY).lists
    names = {key: [row.description for row in rows] for key, rows in lists.items()}
    assert names == {"overdue": ["a"], "due_soon": ["b", "c"], "stale": ["g"], "blocked": ["c"]}
    assert lists["overdue"][0].get_absolute_url() == f"/action-points/{points['a'].pk}/"


def test_empty_plan_has_no_completion_rate():
    plan = plan_create(title="Empty")
    d = dashboards.plan_dashboard(plan, TODAY)
    assert (d.headline.total, d.headline.completion_rate, d.quarters, d.groups) == (0, None, [], [])


def _move_history(model, pk, day):
    model.history.filter(id=pk).update(history_date=_at(day))


def test_as_of_before_and_after_a_status_change():
    plan = plan_create(title="Then and now")
    group = working_group_create(plan=plan, name="G")
    challenge = challenge_create(working_group=group, description="C")
    point = action_point_create(challenge=challenge, description="Do it", deadline="2019-03-31")
    for model, pk in ((WorkingGroup, group.pk), (Challenge, challenge.pk), (ActionPoint, point.pk)):
        _move_history(model, pk, datetime.date(2019, 1, 10))
    progress_update_create(action_point=point, author=None, status="completed", note="Done.")
    ActionPoint.history.filter(id=point.pk, history_type="~").update(
        history_date=_at(datetime.date(2019, 5, 1))
    )

    before = dashboards.plan_dashboard_as_of(plan, datetime.date(2019, 4, 30))
    after = dashboards.plan_dashboard_as_of(plan, datetime.date(2019, 5, 1))
    earlier = dashboards.plan_dashboard_as_of(plan, datetime.date(2019, 1, 9))

    assert before.live is False and before.today == datetime.date(2019, 4, 30)
    assert (before.headline.by_status["not_started"], before.headline.overdue) == (1, 1)
    assert before.headline.completion_rate == 0.0
    assert [r.description for r in before.lists["overdue"]] == ["Do it"]
    assert (after.headline.by_status["completed"], after.headline.overdue) == (1, 0)
    assert after.headline.completion_rate == 1.0
    assert [(q.label, q.due, q.done) for q in after.quarters] == [("Q1 2019", 1, 1)]
    assert (earlier.headline.total, earlier.groups) == (0, [])


def test_as_of_leaves_out_deleted_and_later_points():
    plan = plan_create(title="Deleted")
    challenge = challenge_create(
        working_group=working_group_create(plan=plan, name="G"), description="C"
    )
    kept = action_point_create(challenge=challenge, description="kept", deadline="2019")
    gone = action_point_create(challenge=challenge, description="gone", deadline="2019")
    gone.delete()
    d = dashboards.plan_dashboard_as_of(plan, timezone.localdate())
    assert [r.description for r in d.lists["overdue"]] == ["kept"]
    assert d.headline.total == 1
    assert kept.pk != gone.pk


def test_as_of_today_equals_live(plan_data):
    """Both paths count the same things: the history and the aggregates agree."""
    plan, points, *_ = plan_data
    # Raw updates of `updated` in the fixture bypass the history; put it back in line.
    for point in ActionPoint.objects.filter(pk__in=[points["g"].pk, points["d"].pk]):
        point.save()
    today = timezone.localdate()
    live = dashboards.plan_dashboard(plan, today)
    past = dashboards.plan_dashboard_as_of(plan, today)
    for name in (
        "headline",
        "groups",
        "leads",
        "everyone",
        "organizations",
        "quarters",
        "slippage",
    ):
        assert getattr(live, name) == getattr(past, name), name
    assert {k: [r.pk for r in v] for k, v in live.lists.items()} == {
        k: [r.pk for r in v] for k, v in past.lists.items()
    }


def _grow(plan, n):
    org = OrganizationFactory()
    for g in range(n):
        group = working_group_create(plan=plan, name=f"G{g}")
        challenge = challenge_create(working_group=group, description="C")
        for deadline in ("2019", "Q3 2031", "ongoing"):
            person = PersonFactory(organization=org)
            point = action_point_create(
                challenge=challenge,
                description=f"{g} {deadline}",
                deadline=deadline,
                focal_points=[FocalPointAssignment(person, "lead")],
            )
            progress_update_create(action_point=point, author=None, status="blocked")
            action_point_reschedule(
                action_point=point, new_deadline="2032", reason="later", changed_by=None
            )


@pytest.mark.parametrize("as_of", [False, True])
def test_dashboard_query_count_is_fixed(as_of):
    plan = plan_create(title="Sized")

    def run() -> int:
        with CaptureQueriesContext(connection) as captured:
            if as_of:
                dashboards.plan_dashboard_as_of(plan, timezone.localdate())
            else:
                dashboards.plan_dashboard(plan)
        return len(captured)

    _grow(plan, 1)
    small = run()
    _grow(plan, 5)
    assert run() == small
    # Groups, challenges, action points, deadline changes, focal points with their
    # people; "as of" also the plan's first history record (the day it was entered).
    assert small == (6 if as_of else 5)


def test_portfolio_rows_and_totals(plan_data):
    plan, *_ = plan_data
    other = plan_create(title="Other")
    plans = type(plan).objects.filter(pk__in=[plan.pk, other.pk])
    rows = dashboards.portfolio(plans, today=TODAY)
    assert [(r.plan.title, r.counts.total, r.counts.overdue, r.due_soon) for r in rows] == [
        ("Other", 0, 0, 0),
        ("Plan", 7, 1, 2),
    ]
    assert rows[1].counts.completion_rate == pytest.approx(1 / 6)
    totals = dashboards.portfolio_totals(plans, today=TODAY)
    assert (totals.total, totals.completed, totals.overdue, totals.due_soon) == (7, 1, 1, 2)
    assert DeadlineChange.objects.count() == 2


# --- issue 18: what needs someone now, the timeline, "as of" entry, the portfolio ----------


def test_attention_lists_carry_focal_points_lead_first_and_numbers(plan_data):
    plan, points, *_ = plan_data
    d = dashboards.plan_dashboard(plan, TODAY)
    (a,) = d.lists["overdue"]
    assert (a.pk, a.number, a.focal_names) == (
        points["a"].pk,
        "1.1",
        [("Jad", ""), ("Rana", "Support")],
    )
    assert [(p.description, p.number, p.focal_names) for p in d.lists["stale"]] == [
        ("g", "2.1", [("Omar", "Advisor")])
    ]
    assert [(p.description, p.focal_names) for p in d.lists["blocked"]] == [("c", [("Rana", "")])]
    assert d.list_totals == {"overdue": 1, "due_soon": 2, "stale": 1, "blocked": 1}


def test_attention_lists_are_capped_oldest_first_with_totals():
    plan = plan_create(title="Many late")
    challenge = challenge_create(
        working_group=working_group_create(plan=plan, name="G"), description="C"
    )
    # 13 overdue action points, created newest due date first.
    for n in range(13, 0, -1):
        action_point_create(
            challenge=challenge, description=f"late {n}", deadline=f"2019-01-{n:02d}"
        )
    d = dashboards.plan_dashboard(plan, TODAY)
    assert dashboards.LIST_LIMIT == 10
    assert [p.description for p in d.lists["overdue"]] == [f"late {n}" for n in range(1, 11)]
    assert d.list_totals["overdue"] == 13
    assert d.headline.overdue == 13


def _timeline(found):
    return [
        (q.gap, q.label, q.due, q.done)
        for q in dashboards.compress_quarters(dashboards._fill_quarters(found))
    ]


def test_timeline_collapses_empty_whole_years_into_one_marker():
    found = {datetime.date(2019, 10, 1): (2, 1), datetime.date(2024, 1, 1): (1, 0)}
    assert _timeline(found) == [
        (False, "Q4 2019", 2, 1),
        (True, "2020–2023", 0, 0),
        (False, "Q1 2024", 1, 0),
    ]
    gap = dashboards.compress_quarters(dashboards._fill_quarters(found))[1]
    assert (gap.start, gap.end, gap.words) == (
        datetime.date(2020, 1, 1),
        datetime.date(2023, 12, 31),
        "2020–2023: none",
    )


def test_timeline_names_a_gap_by_quarters_and_keeps_short_runs():
    found = {
        datetime.date(2019, 1, 1): (1, 0),
        # Q2 and Q3 2019 empty: a short run, kept quarter by quarter.
        datetime.date(2019, 10, 1): (1, 1),
        # Q1 2020 to Q4 2020 and Q1 2021 empty (5 quarters): one marker.
        datetime.date(2021, 4, 1): (3, 0),
        # Q3 2021 to Q2 2022 empty (4 quarters, one year): one marker.
        datetime.date(2022, 7, 1): (1, 0),
    }
    assert _timeline(found) == [
        (False, "Q1 2019", 1, 0),
        (False, "Q2 2019", 0, 0),
        (False, "Q3 2019", 0, 0),
        (False, "Q4 2019", 1, 1),
        (True, "Q1 2020 – Q1 2021", 0, 0),
        (False, "Q2 2021", 3, 0),
        (True, "Q3 2021 – Q2 2022", 0, 0),
        (False, "Q3 2022", 1, 0),
    ]
    one_year = {datetime.date(2020, 10, 1): (1, 0), datetime.date(2022, 1, 1): (1, 0)}
    assert [label for _gap, label, *_ in _timeline(one_year)] == ["Q4 2020", "2021", "Q1 2022"]


def test_timeline_keeps_todays_quarter_on_its_own():
    quarters = dashboards._fill_quarters(
        {datetime.date(2019, 1, 1): (1, 0), datetime.date(2024, 1, 1): (1, 0)}
    )
    today = datetime.date(2021, 5, 20)
    assert [(q.gap, q.label) for q in dashboards.compress_quarters(quarters, today)] == [
        (False, "Q1 2019"),
        (True, "Q2 2019 – Q1 2021"),
        (False, "Q2 2021"),
        (True, "Q3 2021 – Q4 2023"),
        (False, "Q1 2024"),
    ]


def test_plan_timeline_spans_first_to_last_deadline_compressed():
    plan = plan_create(title="Long")
    challenge = challenge_create(
        working_group=working_group_create(plan=plan, name="G"), description="C"
    )
    for deadline in ("2019-05-02", "2019-08-20", "2026-11-30"):
        action_point_create(challenge=challenge, description=deadline, deadline=deadline)
    d = dashboards.plan_dashboard(plan, TODAY)
    assert (d.quarters[0].label, d.quarters[-1].label, len(d.quarters)) == (
        "Q2 2019",
        "Q4 2026",
        31,
    )
    assert [(q.gap, q.label, q.due) for q in d.timeline] == [
        (False, "Q2 2019", 1),
        (False, "Q3 2019", 1),
        # TODAY (15 Jan 2020) keeps its quarter: Q4 2019 alone is too short a run.
        (False, "Q4 2019", 0),
        (False, "Q1 2020", 0),
        (True, "Q2 2020 – Q3 2026", 0),
        (False, "Q4 2026", 1),
    ]


def test_as_of_knows_when_the_plan_was_entered():
    plan = plan_create(title="Entered")
    challenge = challenge_create(
        working_group=working_group_create(plan=plan, name="G"), description="C"
    )
    point = action_point_create(challenge=challenge, description="Do it", deadline="2019-03-31")
    for model, pk in (
        (type(plan), plan.pk),
        (WorkingGroup, challenge.working_group_id),
        (Challenge, challenge.pk),
        (ActionPoint, point.pk),
    ):
        _move_history(model, pk, datetime.date(2019, 1, 10))
    assert dashboards.plan_entered(plan) == datetime.date(2019, 1, 10)
    before = dashboards.plan_dashboard_as_of(plan, datetime.date(2019, 1, 9))
    on = dashboards.plan_dashboard_as_of(plan, datetime.date(2019, 1, 10))
    assert (before.entered, before.before_entry, before.headline.total) == (
        datetime.date(2019, 1, 10),
        True,
        0,
    )
    assert (on.before_entry, on.headline.total) == (False, 1)
    assert dashboards.plan_dashboard(plan, TODAY).before_entry is False


def _portfolio_world():
    """A plan open to every signed-in user and a members-only plan (world.other_plan)
    that coordinator, member and viewer cannot see. Rana (UNHCR) is a focal point in
    both; Hidden (Hidden Org) only in the hidden one."""
    from tests.users import build_world

    world = build_world(visibility=PlanVisibility.SIGNED_IN)
    unhcr = OrganizationFactory(name="UNHCR", acronym="UNHCR")
    hidden_org = OrganizationFactory(name="Hidden Org", acronym="HO")
    world.member_person.organization = unhcr
    world.member_person.save()
    rana = PersonFactory(name="Rana", organization=unhcr)
    hidden = PersonFactory(name="Hidden", organization=hidden_org)
    world.action_point.deadline, world.action_point.due_date = "2019", datetime.date(2019, 12, 31)
    world.action_point.deadline_precision = "year"
    world.action_point.save()
    late = action_point_create(
        challenge=world.challenge,
        description="Older",
        deadline="2019-06-30",
        focal_points=[FocalPointAssignment(rana, "lead")],
    )
    action_point_create(
        challenge=world.challenge,
        description="Soon",
        deadline=(TODAY + datetime.timedelta(days=3)).isoformat(),
        focal_points=[FocalPointAssignment(rana, "support")],
    )
    done = action_point_create(
        challenge=world.challenge,
        description="Done",
        deadline="2019-02-01",
        focal_points=[FocalPointAssignment(world.member_person, "lead")],
    )
    progress_update_create(action_point=done, author=None, status="completed", note="Done.")
    secret = world.other_action_point
    secret.deadline, secret.due_date = "2019", datetime.date(2019, 1, 1)
    secret.deadline_precision = "year"
    secret.save()
    for person in (rana, hidden):
        FocalPoint.objects.create(action_point=secret, person=person, role="lead")
    return world, late, unhcr, hidden_org, rana, hidden


def _workload(rows):
    return [(r.name, r.open, r.overdue, r.due_soon, r.completed) for r in rows]


@pytest.mark.parametrize("role", ["coordinator", "member", "viewer"])
def test_portfolio_late_and_workload_leave_out_hidden_plans(role):
    world, late, *_ = _portfolio_world()
    plans = type(world.plan).objects.visible_to(getattr(world, role))
    assert [p.description for p in dashboards.late_points(plans, TODAY)] == [
        "Older",
        "IMWG to recommend standardized tools",
    ]
    people, organizations = dashboards.portfolio_workload(plans, TODAY)
    # The most overdue first, then the most open: Rana's point in the hidden plan is not counted.
    assert _workload(people) == [("Rana", 2, 1, 1, 0), ("Jad", 1, 1, 0, 1)]
    # Jad and Rana are both UNHCR: three open points (one late by each), one done.
    assert _workload(organizations) == [("UNHCR", 3, 2, 1, 1)]


def test_portfolio_late_and_workload_for_an_administrator_count_every_plan():
    world, *_ = _portfolio_world()
    plans = type(world.plan).objects.visible_to(world.admin)
    late = list(dashboards.late_points(plans, TODAY))
    assert [p.description for p in late] == [
        "Secret action",
        "Older",
        "IMWG to recommend standardized tools",
    ]
    assert [fp.person.name for fp in late[0].focal_point_list] == ["Rana", "Hidden"]
    people, organizations = dashboards.portfolio_workload(plans, TODAY)
    assert _workload(people) == [
        ("Rana", 3, 2, 1, 0),
        ("Hidden", 1, 1, 0, 0),
        ("Jad", 1, 1, 0, 1),
    ]
    # The secret point is carried by Rana (UNHCR) and Hidden (Hidden Org): once each.
    assert _workload(organizations) == [("UNHCR", 4, 3, 1, 1), ("Hidden Org", 1, 1, 0, 0)]
