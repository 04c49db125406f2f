"""Dashboard figures: what is done, late, due soon, stuck, and who carries what.

One engine for a plan's dashboard, now or "as of" a past day: a loader reads
the plan's rows (its groups, each action point with its overdue, due-soon and
stale flags computed by the database from actionplans.querysets, its focal
points, its deadline changes), and the same counting code turns them into a
PlanDashboard. Live figures read the tables; "as of" figures read the history
tables, as the plan stood at the end of that day. Either way a fixed number
of queries, whatever the plan's size.

The portfolio counts many plans at once in SQL, with the same rules.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, F, FloatField, Min, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Lower, NullIf
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from actionplans.choices import OPEN_STATUSES, ActionPointStatus, FocalPointRole, Priority
from actionplans.models import (
    ActionPlan,
    ActionPoint,
    Challenge,
    DeadlineChange,
    FocalPoint,
    WorkingGroup,
    with_focal_points,
)
from actionplans.querysets import (
    PLAN_PATH,
    WORKSHOP_ORDER,
    due_soon_condition,
    end_of_day,
    open_condition,
    overdue_condition,
)
from actionplans.selectors import last_activity

# The lists at the top of a plan's dashboard show this many action points each,
# then "and N more" (a link to the plan page, filtered).
LIST_LIMIT = 10
# The portfolio's list of what is late: action points per page.
LATE_PAGE_SIZE = 20
# The portfolio's workload tables: people / organizations shown, the busiest first.
WORKLOAD_LIMIT = 50
ROLE_RANK = {role: rank for rank, role in enumerate(FocalPointRole.values)}
STATUSES = list(ActionPointStatus.values)
COMPLETED = ActionPointStatus.COMPLETED
CANCELLED = ActionPointStatus.CANCELLED
BLOCKED = ActionPointStatus.BLOCKED


def completion_rate(completed: int, total: int, cancelled: int) -> float | None:
    """Completed / all but cancelled, as a fraction; None when nothing counts."""
    counted = total - cancelled
    return completed / counted if counted else None


@dataclass
class StatusCounts:
    by_status: dict[str, int]
    overdue: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def completed(self) -> int:
        return self.by_status[COMPLETED]

    @property
    def open(self) -> int:
        return sum(self.by_status[s] for s in OPEN_STATUSES)

    @property
    def completion_rate(self) -> float | None:
        return completion_rate(self.completed, self.total, self.by_status[CANCELLED])


@dataclass
class Headline(StatusCounts):
    due_soon: int = 0
    stale: int = 0
    rescheduled: int = 0


@dataclass
class GroupRow(StatusCounts):
    group_id: int = 0
    number: int = 0
    name: str = ""


@dataclass
class WorkloadRow:
    """Open, overdue and completed action points of one person or organization."""

    key: int | None
    name: str
    open: int = 0
    overdue: int = 0
    completed: int = 0
    due_soon: int = 0


@dataclass
class QuarterRow:
    start: datetime.date
    due: int = 0
    done: int = 0

    @cached_property  # read by the chart, its words and the table: translated once
    def label(self) -> str:
        quarter = (self.start.month - 1) // 3 + 1
        return _("Q%(quarter)s %(year)s") % {"quarter": quarter, "year": self.start.year}

    @property
    def end(self) -> datetime.date:
        return _quarter_end(self.start)

    gap = False


@dataclass
class QuarterGap:
    """A run of quarters without any deadline, drawn as one marker: "2021–2023: none"."""

    start: datetime.date
    end: datetime.date
    due: int = 0
    done: int = 0
    gap = True

    @property
    def label(self) -> str:
        if self.start.month == 1 and self.end.month == 12:  # whole calendar years
            if self.start.year == self.end.year:
                return str(self.start.year)
            return f"{self.start.year}\u2013{self.end.year}"
        return f"{_label(self.start)} \u2013 {_label(self.end)}"

    @property
    def words(self) -> str:
        return _("%(span)s: none") % {"span": self.label}


@dataclass
class SlipRow:
    action_point_id: int
    description: str
    changes: int
    days: int

    def get_absolute_url(self) -> str:
        return reverse("actionplans:actionpoint_detail", args=[self.action_point_id])


@dataclass
class PointRow:
    """An action point as it stood (now, or at the end of a past day), with the
    database's verdict on it for that day."""

    pk: int
    description: str
    deadline: str
    due_date: datetime.date | None
    status: str
    progress: int
    updated: datetime.datetime
    challenge_id: int
    is_open: bool
    is_overdue: bool
    is_due_soon: bool
    is_stale: bool
    priority: str
    group_id: int = 0
    group_number: int = 0
    challenge_number: int = 0
    # (person id, name, role) of its focal points, lead first: set for the lists.
    focal: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def number(self) -> str:
        """Where it sits in the plan: group.challenge, as the workshop numbers them."""
        return f"{self.group_number}.{self.challenge_number}"

    @property
    def focal_names(self) -> list[tuple[str, str]]:
        """(name, role) of its focal points, lead first; the role left empty for a lead."""
        return [
            (name, "" if role == FocalPointRole.LEAD else FocalPointRole(role).label)
            for _pk, name, role in self.focal
        ]

    def get_absolute_url(self) -> str:
        return reverse("actionplans:actionpoint_detail", args=[self.pk])

    def get_status_display(self) -> str:
        return ActionPointStatus(self.status).label


# The values a PointRow is built from, in its order (flags from with_flags()).
ROW_FIELDS = (
    "id", "description", "deadline", "due_date", "status", "progress", "updated",
    "challenge_id", "is_open", "is_overdue", "is_due_soon", "is_stale", "priority",
)  # fmt: skip


@dataclass
class PlanDashboard:
    plan: ActionPlan
    today: datetime.date
    live: bool
    headline: Headline
    groups: list[GroupRow]
    leads: list[WorkloadRow]
    everyone: list[WorkloadRow]
    organizations: list[WorkloadRow]
    quarters: list[QuarterRow]
    slippage: list[SlipRow]
    lists: dict[str, list[PointRow]] = field(default_factory=dict)
    # How many each list holds in all (it shows at most LIST_LIMIT).
    list_totals: dict[str, int] = field(default_factory=dict)
    # Quarters with each run of empty ones (a year or more) as one QuarterGap.
    timeline: list = field(default_factory=list)
    # "As of": the day the plan was entered in the tracker (its first record).
    entered: datetime.date | None = None

    @property
    def before_entry(self) -> bool:
        """An "as of" day before the plan was entered: it held nothing yet."""
        return self.entered is not None and self.today < self.entered

    @property
    def slippage_days(self) -> int:
        return sum(row.days for row in self.slippage)

    @property
    def slippage_changes(self) -> int:
        return sum(row.changes for row in self.slippage)


@dataclass
class PlanRows:
    """What the counting code reads: a plan as it stood on `today`."""

    groups: list[tuple[int, int, str]]  # (id, number, name), in order
    points: list[PointRow]
    changes: list[tuple[int, datetime.date | None, datetime.date | None]]  # (point, old, new)
    focal_points: list[tuple[int, int, str]] = field(default_factory=list)  # (point, person, role)
    people: dict[int, PersonRow] = field(default_factory=dict)


# --- quarters ------------------------------------------------------------------------


def _quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _quarter_end(start: datetime.date) -> datetime.date:
    month = start.month + 3
    year = start.year + (month > 12)
    month = month - 12 if month > 12 else month
    return datetime.date(year, month, 1) - datetime.timedelta(days=1)


def _label(day: datetime.date) -> str:
    return _("Q%(quarter)s %(year)s") % {"quarter": (day.month - 1) // 3 + 1, "year": day.year}


def _fill_quarters(found: dict[datetime.date, tuple[int, int]]) -> list[QuarterRow]:
    """Every quarter from the first to the last one found, empty ones included."""
    if not found:
        return []
    quarters, current, last = [], _quarter_start(min(found)), max(found)
    while current <= last:
        quarters.append(QuarterRow(current, *found.get(current, (0, 0))))
        current = _quarter_end(current) + datetime.timedelta(days=1)
    return quarters


GAP_MIN_QUARTERS = 4


def compress_quarters(quarters: list[QuarterRow], today: datetime.date | None = None) -> list:
    """The quarters, each run of GAP_MIN_QUARTERS or more without a deadline (a year
    or more) collapsed into one QuarterGap; shorter runs stay, quarter by quarter.
    Today's quarter always stays on its own, so that "now" has a place."""
    result: list = []
    run: list[QuarterRow] = []

    def flush() -> None:
        if len(run) >= GAP_MIN_QUARTERS:
            result.append(QuarterGap(run[0].start, run[-1].end))
        else:
            result.extend(run)
        run.clear()

    for quarter in quarters:
        if quarter.due or quarter.done or (today and quarter.start <= today <= quarter.end):
            flush()
            result.append(quarter)
        else:
            run.append(quarter)
    flush()
    return result


# --- loading: the live tables, or the history tables as of a day -----------------------


def _point_rows(
    points: QuerySet,
    today: datetime.date,
    group_of: dict[int, tuple[int, int]],
    groups: list[tuple[int, int, str]],
) -> list[PointRow]:
    """The action points whose challenge is in `group_of` (challenge: its group and
    number), flagged for `today`."""
    numbers = {group_id: number for group_id, number, _name in groups}
    rows = []
    for values in points.with_flags(today).order_by().values_list(*ROW_FIELDS):
        row = PointRow(*values)
        if row.challenge_id in group_of:
            row.group_id, row.challenge_number = group_of[row.challenge_id]
            row.group_number = numbers.get(row.group_id, 0)
            rows.append(row)
    return rows


class OrganizationRow(NamedTuple):
    pk: int
    name: str


class PersonRow(NamedTuple):
    """A focal point's person: name and organization (None: none)."""

    pk: int
    name: str
    organization: OrganizationRow | None


FOCAL_FIELDS = (
    "action_point_id", "person_id", "role",
    "person__name", "person__organization_id", "person__organization__name",
)  # fmt: skip


def _focal_points(focal: QuerySet) -> tuple[list[tuple[int, int, str]], dict[int, PersonRow]]:
    """(point, person, role) of these focal points (live or history rows), and their
    people by id, in one query."""
    focal_points, people = [], {}
    for point, person, role, name, organization, organization_name in focal.order_by().values_list(
        *FOCAL_FIELDS
    ):
        focal_points.append((point, person, role))
        if person not in people:
            found = OrganizationRow(organization, organization_name) if organization else None
            people[person] = PersonRow(person, name, found)
    return focal_points, people


def plan_rows(plan: ActionPlan, today: datetime.date, *, people: bool = True) -> PlanRows:
    """The plan now: four queries, five with the focal points and their people."""
    groups = list(plan.working_groups.order_by("number").values_list("id", "number", "name"))
    group_of = {
        challenge_id: (group_id, number)
        for challenge_id, group_id, number in Challenge.objects.filter(
            working_group__plan=plan
        ).values_list("id", "working_group_id", "number")
    }
    points = _point_rows(ActionPoint.objects.of_plan(plan), today, group_of, groups)
    changes = list(
        DeadlineChange.objects.filter(**{f"action_point__{PLAN_PATH}": plan})
        .order_by("changed_at", "id")
        .values_list("action_point_id", "old_due_date", "new_due_date")
    )
    rows = PlanRows(groups, points, changes)
    if people:
        rows.focal_points, rows.people = _focal_points(
            FocalPoint.objects.filter(**{f"action_point__{PLAN_PATH}": plan})
        )
    return rows


def _as_of(history: QuerySet, moment: datetime.datetime) -> QuerySet:
    """Each object's last history row up to `moment`, unless that row is its deletion."""
    return history.filter(history_date__lte=moment).latest_of_each().exclude(history_type="-")


def plan_rows_as_of(plan: ActionPlan, day: datetime.date) -> PlanRows:
    """The plan as it stood at the end of `day`, from the history tables: five
    queries. An action point counts if its challenge and group existed then too."""
    moment = end_of_day(day)
    ever_groups = WorkingGroup.history.filter(plan_id=plan.pk).values("id")
    groups = sorted(
        _as_of(WorkingGroup.history.filter(plan_id=plan.pk), moment).values_list(
            "id", "number", "name"
        ),
        key=lambda group: group[1],
    )
    group_ids = {group_id for group_id, _number, _name in groups}
    group_of = {
        challenge_id: (group_id, number)
        for challenge_id, group_id, number in _as_of(
            Challenge.history.filter(working_group_id__in=ever_groups), moment
        ).values_list("id", "working_group_id", "number")
        if group_id in group_ids
    }
    ever_challenges = Challenge.history.filter(working_group_id__in=ever_groups).values("id")
    points = _point_rows(
        _as_of(ActionPoint.history.filter(challenge_id__in=ever_challenges), moment),
        day,
        group_of,
        groups,
    )
    point_ids = [row.pk for row in points]
    changes = list(
        DeadlineChange.objects.filter(action_point_id__in=point_ids, changed_at__lte=moment)
        .order_by("changed_at", "id")
        .values_list("action_point_id", "old_due_date", "new_due_date")
    )
    focal_points, people = _focal_points(
        _as_of(FocalPoint.history.filter(action_point_id__in=point_ids), moment)
    )
    return PlanRows(groups, points, changes, focal_points, people)


# --- counting: the same code for both ---------------------------------------------------


def _status_counts(points: Iterable[PointRow]) -> tuple[dict[str, int], int]:
    by_status = dict.fromkeys(STATUSES, 0)
    overdue = 0
    for point in points:
        by_status[point.status] += 1
        overdue += point.is_overdue
    return by_status, overdue


def headline(rows: PlanRows) -> Headline:
    by_status, overdue = _status_counts(rows.points)
    return Headline(
        by_status=by_status,
        overdue=overdue,
        due_soon=sum(point.is_due_soon for point in rows.points),
        stale=sum(point.is_stale for point in rows.points),
        rescheduled=len({point_id for point_id, _old, _new in rows.changes}),
    )


def group_rows(rows: PlanRows) -> list[GroupRow]:
    """Status shares, completion and overdue per working group (groups without points too)."""
    by_group: dict[int, list[PointRow]] = defaultdict(list)
    for point in rows.points:
        by_group[point.group_id].append(point)
    result = []
    for group_id, number, name in rows.groups:
        by_status, overdue = _status_counts(by_group[group_id])
        result.append(GroupRow(by_status, overdue, group_id, number, name))
    return result


def _workload_sort(rows: Iterable[WorkloadRow]) -> list[WorkloadRow]:
    return sorted(rows, key=lambda r: (-r.overdue, -r.open, r.name.casefold()))


def workload(rows: PlanRows) -> tuple[list[WorkloadRow], list[WorkloadRow], list[WorkloadRow]]:
    """Per focal point (lead role; all roles) and per organization, where two people
    of one organization on one action point count it once."""
    by_id = {point.pk: point for point in rows.points}
    leads: dict = {}
    everyone: dict = {}
    organizations: dict = {}
    counted: set[tuple[int | None, int]] = set()
    nameless = _("No organization")

    def tally(table: dict, key: int | None, name: str, point: PointRow) -> None:
        row = table.get(key)
        if row is None:
            row = table[key] = WorkloadRow(key, name)
        row.open += point.is_open
        row.overdue += point.is_overdue
        row.due_soon += point.is_due_soon
        row.completed += point.status == COMPLETED

    for point_id, person_id, role in rows.focal_points:
        point, person = by_id.get(point_id), rows.people.get(person_id)
        if point is None or person is None:
            continue
        tally(everyone, person.pk, person.name, point)
        if role == FocalPointRole.LEAD:
            tally(leads, person.pk, person.name, point)
        organization = person.organization
        key = organization.pk if organization else None
        if (key, point.pk) not in counted:
            counted.add((key, point.pk))
            name = organization.name if organization else nameless
            tally(organizations, key, name, point)
    return (
        _workload_sort(leads.values()),
        _workload_sort(everyone.values()),
        _workload_sort(organizations.values()),
    )


def quarters(rows: PlanRows) -> list[QuarterRow]:
    """Planned against delivered: per quarter, action points due and those completed."""
    found: dict[datetime.date, list[int]] = defaultdict(lambda: [0, 0])
    for point in rows.points:
        if point.due_date is not None and point.status != CANCELLED:
            counts = found[_quarter_start(point.due_date)]
            counts[0] += 1
            counts[1] += point.status == COMPLETED
    return _fill_quarters({start: (due, done) for start, (due, done) in found.items()})


def slippage(rows: PlanRows) -> list[SlipRow]:
    """Action points whose deadline moved: how often, and by how many days in total."""
    descriptions = {point.pk: point.description for point in rows.points}
    found: dict[int, SlipRow] = {}
    for point_id, old, new in rows.changes:
        row = found.setdefault(point_id, SlipRow(point_id, descriptions.get(point_id, ""), 0, 0))
        row.changes += 1
        if old is not None and new is not None:
            row.days += (new - old).days
    return sorted(found.values(), key=lambda r: (-r.days, -r.changes, r.action_point_id))


# What is late (the plan dashboard's overdue list, the portfolio's late list): high
# priority first, then the oldest due date first. The same order in Python (late_key,
# over PointRows, live or "as of") and in SQL (LATE_ORDER).
PRIORITY_RANK = {value: rank for rank, value in enumerate(Priority.values)}  # high first
LATE_ORDER = (
    Case(
        *(When(priority=value, then=Value(rank)) for value, rank in PRIORITY_RANK.items()),
        default=Value(len(PRIORITY_RANK)),
    ),
    "due_date",
    *WORKSHOP_ORDER,
)


def late_key(point: PointRow) -> tuple:
    return (PRIORITY_RANK.get(point.priority, len(PRIORITY_RANK)), *_by_due_date(point))


def _by_due_date(point: PointRow) -> tuple:
    return (point.due_date or datetime.date.max, point.pk)


def attention(rows: PlanRows) -> dict[str, list[PointRow]]:
    """What needs someone now, whole: overdue (high priority first, then the oldest
    due date: late_key), due soon
    (soonest first), stale (longest unchanged first) and blocked (by due date),
    each action point with its focal points (lead first). The flags are the
    database's, from actionplans.querysets: nothing is decided here."""

    by_due_date = _by_due_date
    focal: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for point_id, person_id, role in rows.focal_points:
        person = rows.people.get(person_id)
        if person is not None:
            focal[point_id].append((person_id, person.name, role))
    for point in rows.points:
        point.focal = sorted(
            focal.get(point.pk, []), key=lambda f: (ROLE_RANK.get(f[2], 9), f[1].casefold())
        )
    return {
        "overdue": sorted((p for p in rows.points if p.is_overdue), key=late_key),
        "due_soon": sorted((p for p in rows.points if p.is_due_soon), key=by_due_date),
        "stale": sorted((p for p in rows.points if p.is_stale), key=lambda p: (p.updated, p.pk)),
        "blocked": sorted(
            (p for p in rows.points if p.is_open and p.status == BLOCKED), key=by_due_date
        ),
    }


def lists(rows: PlanRows) -> dict[str, list[PointRow]]:
    """The lists of attention(), at most LIST_LIMIT each."""
    return {name: points[:LIST_LIMIT] for name, points in attention(rows).items()}


def dashboard(plan: ActionPlan, today: datetime.date, rows: PlanRows, *, live: bool):
    leads, everyone, organizations = workload(rows)
    found = attention(rows)
    quarter_rows = quarters(rows)
    return PlanDashboard(
        plan=plan,
        today=today,
        live=live,
        headline=headline(rows),
        groups=group_rows(rows),
        leads=leads,
        everyone=everyone,
        organizations=organizations,
        quarters=quarter_rows,
        slippage=slippage(rows),
        lists={name: points[:LIST_LIMIT] for name, points in found.items()},
        list_totals={name: len(points) for name, points in found.items()},
        timeline=compress_quarters(quarter_rows, today),
    )


def plan_dashboard(plan: ActionPlan, today: datetime.date | None = None) -> PlanDashboard:
    """The plan's dashboard now."""
    today = today or timezone.localdate()
    return dashboard(plan, today, plan_rows(plan, today), live=True)


def plan_dashboard_as_of(plan: ActionPlan, day: datetime.date) -> PlanDashboard:
    """The dashboard as it stood at the end of `day`, rebuilt from the history,
    with the day the plan was entered (one query more)."""
    result = dashboard(plan, day, plan_rows_as_of(plan, day), live=False)
    result.entered = plan_entered(plan)
    return result


def plan_entered(plan: ActionPlan) -> datetime.date:
    """The day the plan was entered in the tracker: its creation, or its first
    history record if that is earlier (a plan loaded with a backdated history)."""
    first = ActionPlan.history.filter(id=plan.pk).aggregate(first=Min("history_date"))["first"]
    moments = [moment for moment in (plan.created, first) if moment is not None]
    return timezone.localdate(min(moments))


# --- across plans --------------------------------------------------------------------------


@dataclass
class PortfolioRow:
    plan: ActionPlan
    counts: StatusCounts
    due_soon: int
    last_activity: datetime.datetime


# The portfolio's plans: this many a page.
PLANS_PAGE_SIZE = 25
_POINTS = "working_groups__challenges__action_points__"


def _with_figures(plans: QuerySet[ActionPlan], today: datetime.date) -> QuerySet[ActionPlan]:
    """Each plan with its action points by status, overdue, due soon, last activity and
    completion rate (NULL when nothing counts): one aggregate over their action points."""
    counts = {
        f"s_{status}": Count(f"{_POINTS}id", filter=Q(**{f"{_POINTS}status": status}))
        for status in STATUSES
    }
    counted = Count(f"{_POINTS}id", filter=~Q(**{f"{_POINTS}status": CANCELLED}))
    return plans.annotate(
        **counts,
        overdue=Count(f"{_POINTS}id", filter=overdue_condition(today, _POINTS)),
        due_soon=Count(f"{_POINTS}id", filter=due_soon_condition(today, _POINTS)),
        last_activity=last_activity(_POINTS),
        completion=Cast(f"s_{COMPLETED}", FloatField()) / NullIf(counted, 0),
    )


def portfolio(
    plans: QuerySet[ActionPlan], today: datetime.date | None = None
) -> list[PortfolioRow]:
    """One row per plan with its figures: one query for all the plans, by title."""
    today = today or timezone.localdate()
    return [
        PortfolioRow(
            plan=plan,
            counts=StatusCounts(
                by_status={s: getattr(plan, f"s_{s}") for s in STATUSES}, overdue=plan.overdue
            ),
            due_soon=plan.due_soon,
            last_activity=plan.last_activity,
        )
        for plan in _with_figures(plans, today).order_by("title", "id")
    ]


# The portfolio's sorts: a plan's own field, read from the plans alone, or a figure.
PLAN_SORTS = {"title": Lower("title"), "country": Lower("country"), "status": F("status")}
FIGURE_SORTS = ("completion", "overdue", "due_soon", "last_activity")
PORTFOLIO_SORTS = (*PLAN_SORTS, *FIGURE_SORTS)


def portfolio_page(
    plans: QuerySet[ActionPlan],
    today: datetime.date | None = None,
    *,
    sort: str = "title",
    number=1,
    per_page: int = PLANS_PAGE_SIZE,
) -> Page:
    """A page of these plans in the order of `sort` (a PORTFOLIO_SORTS key, "-" first
    for the other way; ties by title), its object_list their PortfolioRows. Figures
    are counted for the plans of the page only; sorted by a figure, the database
    first sorts every plan by it (one aggregate) and returns the page's ids."""
    today = today or timezone.localdate()
    key, descending = sort.removeprefix("-"), sort.startswith("-")
    expression = PLAN_SORTS.get(key, F(key))
    order = (
        expression.desc(nulls_first=True) if descending else expression.asc(nulls_last=True),
        "title",
        "id",
    )
    if key in PLAN_SORTS:
        page = Paginator(plans.order_by(*order).values_list("id", flat=True), per_page)
        page = page.get_page(number)
        ids = list(page.object_list)
    else:
        page = Paginator(plans.order_by("id").values_list("id", flat=True), per_page)
        page = page.get_page(number)
        start = (page.number - 1) * per_page
        ids = list(
            _with_figures(plans, today)
            .order_by(*order)
            .values_list("id", flat=True)[start : start + per_page]
        )
    rows = {row.plan.pk: row for row in portfolio(ActionPlan.objects.filter(pk__in=ids), today)}
    page.object_list = [rows[pk] for pk in ids]
    return page


@dataclass
class PortfolioTotals(StatusCounts):
    due_soon: int = 0


def portfolio_totals(
    plans: QuerySet[ActionPlan], today: datetime.date | None = None
) -> PortfolioTotals:
    """Every action point of these plans by status, overdue and due soon: one aggregate."""
    today = today or timezone.localdate()
    figures = (
        ActionPoint.objects.of_plans(plans)
        .order_by()
        .aggregate(
            **{f"s_{status}": Count("id", filter=Q(status=status)) for status in STATUSES},
            overdue=Count("id", filter=overdue_condition(today)),
            due_soon=Count("id", filter=due_soon_condition(today)),
        )
    )
    return PortfolioTotals(
        by_status={status: figures[f"s_{status}"] for status in STATUSES},
        overdue=figures["overdue"],
        due_soon=figures["due_soon"],
    )


def late_points(plans: QuerySet[ActionPlan], today: datetime.date | None = None) -> QuerySet:
    """What is late across these plans: their overdue action points, high priority
    first, then the oldest due date (LATE_ORDER), with their plan, group, challenge
    and focal points (three queries for a page of them, whatever their number)."""
    today = today or timezone.localdate()
    return (
        ActionPoint.objects.of_plans(plans)
        .overdue(today)
        .with_flags(today)
        .select_related("challenge__working_group__plan")
        .prefetch_related(with_focal_points())
        .order_by(*LATE_ORDER)
    )


def _workload_counts(today: datetime.date) -> dict:
    """Open, overdue, due soon and completed action points, counted from focal points:
    each action point once per group (a person, an organization)."""
    path = "action_point__"

    def count(condition: Q) -> Count:
        return Count(f"{path}id", filter=condition, distinct=True)

    return {
        "n_open": count(open_condition(path)),
        "n_overdue": count(overdue_condition(today, path)),
        "n_due_soon": count(due_soon_condition(today, path)),
        "n_completed": count(Q(**{f"{path}status": COMPLETED})),
    }


def portfolio_workload(
    plans: QuerySet[ActionPlan], today: datetime.date | None = None
) -> tuple[list[WorkloadRow], list[WorkloadRow]]:
    """Who carries what across these plans: per person and per organization (two
    people of one organization on one action point count it once), the most
    overdue first. Two aggregate queries, whatever the number of plans."""
    today = today or timezone.localdate()
    focal = FocalPoint.objects.filter(**{f"action_point__{PLAN_PATH}__in": plans}).order_by()
    counts = _workload_counts(today)

    def row(key, name, values) -> WorkloadRow:
        return WorkloadRow(
            key,
            name,
            open=values["n_open"],
            overdue=values["n_overdue"],
            completed=values["n_completed"],
            due_soon=values["n_due_soon"],
        )

    people = [
        row(values["person_id"], values["person__name"], values)
        for values in focal.values("person_id", "person__name").annotate(**counts)
    ]
    organizations = [
        row(
            values["person__organization_id"],
            values["person__organization__name"] or _("No organization"),
            values,
        )
        for values in focal.values(
            "person__organization_id", "person__organization__name"
        ).annotate(**counts)
    ]
    return _workload_sort(people), _workload_sort(organizations)
