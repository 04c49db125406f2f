"""The demo's second plan: an example whose dates are relative to the day it is
loaded, so that the dashboards, "as of" and the portfolio have something to show
on first run (the seed plan's deadlines are all in 2019, so everything in it is
long overdue and nothing is due soon or stale).

Its story, told from the day it is loaded (T), with the default settings
(DUE_SOON_DAYS 30, STALE_DAYS 60):

- the plan, its two groups and eight action points were entered at T-180;
- overdue: one by a few days (T-5), one by months (T-75, after its deadline was
  moved once, with a reason, at T-125);
- due in the next 30 days: two (T+7, T+21);
- completed: two (one at T-35, one at T-7), both awaiting verification: the first
  by the demo member account (Jad), with what was done, for a demo coordinator
  to verify; the second by Fred from a reminder's one-click link (no account);
- blocked: one (since T-45);
- stale: one (last update STALE_DAYS + 40 days ago);
- one more action point added at T-30 (so "as of" 60 days ago shows fewer).
- five action points tagged with PIM categories, principles and process steps (the
  dashboards' PIM breakdown), the one overdue by a few days of high priority (first
  in what is late).

Everything is written through the services, as a person would, then moved back
to the day it happened (see _Clock). The plan is recognised by its title: loading
the demo again, on any later day, adds nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone

from actionplans import signals
from actionplans.choices import ActionPointStatus, FocalPointRole, PlanStatus, PlanVisibility
from actionplans.models import (
    ActionPlan,
    ActionPoint,
    Challenge,
    DeadlineChange,
    FocalPoint,
    ProgressUpdate,
    WorkingGroup,
)
from actionplans.querysets import PLAN_PATH
from actionplans.services import (
    FocalPointAssignment,
    action_point_classify,
    action_point_create,
    action_point_reschedule,
    challenge_create,
    plan_create,
    progress_update_create,
    working_group_create,
)
from orgs.models import Person

EXAMPLE_TITLE = "Example plan (dates relative to today)"
EXAMPLE_COUNTRY = "Lebanon"
EXAMPLE_ORIGIN = "Example made by load_demo: its dates follow the day the demo was loaded"
ENTERED_DAYS_AGO = 180

# How each model of the example reaches its plan, and the times a step sets.
_SCOPE = {
    ActionPlan: "",
    WorkingGroup: "plan",
    Challenge: "working_group__plan",
    ActionPoint: PLAN_PATH,
    FocalPoint: f"action_point__{PLAN_PATH}",
    ProgressUpdate: f"action_point__{PLAN_PATH}",
    DeadlineChange: f"action_point__{PLAN_PATH}",
}
_TIMES = ("created", "updated", "changed_at", "completed_at")


@contextmanager
def _unannounced() -> Iterator[None]:
    """The example's past is made up: nobody is notified of it (the domain's signals,
    which the notifications app turns into reminders and emails, are held back
    while it is written, then given back their listeners)."""
    held = [
        signals.focal_point_named,
        signals.action_point_rescheduled,
        signals.progress_recorded,
        signals.action_point_completed,
    ]
    saved = [(signal, signal.receivers) for signal in held]
    try:
        for signal in held:
            signal.receivers = []
            signal.sender_receivers_cache.clear()
        yield
    finally:
        for signal, receivers in saved:
            signal.receivers = receivers
            signal.sender_receivers_cache.clear()


class _Clock:
    """The services write "now"; the example's story took months. After each step,
    the rows it wrote or changed (their created / updated / changed_at, and the
    history_date and times of their history rows) are moved back to the step's
    day with queryset .update(), which leaves auto_now alone. It all happens in
    demo_load's transaction: no one ever sees these rows at "now", and "as of" a
    past day then reads the plan as it was that day."""

    def __init__(self) -> None:
        self.started = timezone.now()
        self.plan: ActionPlan | None = None  # set once the plan is written
        self.marks = {model: self._last_history_id(model) for model in _SCOPE}

    @staticmethod
    def _last_history_id(model) -> int:
        return model.history.aggregate(last=models.Max("history_id"))["last"] or 0

    def at(self, day: datetime.date) -> None:
        """What was written since the last call happened on this day (10:00)."""
        when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
        for model, path in _SCOPE.items():
            mine = model.objects.filter(Q(pk=self.plan.pk) if not path else Q(**{path: self.plan}))
            fields = [f for f in _TIMES if any(x.name == f for x in model._meta.fields)]
            for field in fields:
                mine.filter(**{f"{field}__gte": self.started}).update(**{field: when})
            history = model.history.filter(
                history_id__gt=self.marks[model], id__in=mine.values("pk")
            )
            for field in fields:
                history.filter(**{f"{field}__gte": self.started}).update(**{field: when})
            history.update(history_date=when)
            self.marks[model] = self._last_history_id(model)


@dataclass(frozen=True)
class _Point:
    description: str
    due_in: int  # days from today (negative: in the past)
    focal: tuple[str, ...]
    # (days from today, status or None, progress or None, note)
    updates: tuple[tuple[int, str | None, int | None, str], ...] = ()
    entered: int = -ENTERED_DAYS_AGO
    # (days from today, deadline moved from due_in + shift to due_in, reason)
    moved: tuple[int, int, str] | None = None
    # Its PIM framework and priority (action_point_classify's arguments), set when entered.
    pim: dict | None = None


IN_PROGRESS = ActionPointStatus.IN_PROGRESS
BLOCKED = ActionPointStatus.BLOCKED
COMPLETED = ActionPointStatus.COMPLETED


def _story() -> dict[tuple[str, str], list[_Point]]:
    stale = settings.STALE_DAYS + 40
    return {
        ("Needs Assessment", "Assessments overlap and are not shared"): [
            _Point(
                "Agree on a joint calendar of needs assessments",
                -5,
                ("Rana",),
                (
                    (-150, IN_PROGRESS, 20, "First calendar drafted with three partners."),
                    (-90, None, 40, "Calendar shared at the IMWG."),
                    (-10, None, 60, "Two sectors still to confirm their dates."),
                ),
                pim={
                    "pim_categories": ["protection_needs_assessment"],
                    "pim_principles": ["coordination_collaboration"],
                    "pim_process_step": "assess_information_landscape",
                    "priority": "high",
                },
            ),
            _Point(
                "Publish the 3W map of who does what where",
                -75,
                ("Omar", "Maria"),
                (
                    (-140, IN_PROGRESS, 10, "Data collection form sent to partners."),
                    (-30, None, 33, "A third of the partners have reported."),
                ),
                moved=(-125, -45, "Partners asked for more time to send their data."),
                pim={
                    "pim_categories": ["population_data", "sectoral_systems_other"],
                    "pim_principles": ["coordination_collaboration"],
                    "pim_process_step": "implement_im_systems",
                },
            ),
            _Point(
                "Share the multi-sector assessment report with all sectors",
                7,
                ("Rana", "Omar"),
                (
                    (-60, IN_PROGRESS, 25, "Report drafted."),
                    (-14, None, 50, "Sectors are commenting on the draft."),
                ),
                pim={
                    "pim_categories": ["protection_needs_assessment"],
                    "pim_principles": ["defined_purpose"],
                },
            ),
            _Point(
                "Train partners on the joint assessment tool",
                21,
                ("Maria",),
                ((-40, None, None, "Terms of reference for the training shared."),),
            ),
        ],
        ("Information Sharing", "No agreed rules for sharing personal data"): [
            _Point(
                "Draft the data-sharing protocol",
                -30,
                ("Jad",),
                (
                    (-160, IN_PROGRESS, 30, "Outline agreed with the protection sector."),
                    (-35, COMPLETED, 100, "Protocol endorsed by the IMWG."),
                ),
                pim={
                    "pim_categories": ["sectoral_systems_other"],
                    "pim_principles": [
                        "informed_consent_confidentiality",
                        "data_responsibility_protection_security",
                    ],
                    "pim_process_step": "design_im_systems",
                },
            ),
            _Point(
                "Map the information systems of the partners",
                40,
                ("Fred",),
                (
                    (-100, IN_PROGRESS, 50, "Half of the partners mapped."),
                    (-7, COMPLETED, 100, "Map published on the shared drive."),
                ),
            ),
            _Point(
                "Sign data-sharing agreements with the line ministries",
                60,
                ("Jad", "Fanette"),
                (
                    (-120, IN_PROGRESS, 20, "First meeting with the ministries."),
                    (-45, BLOCKED, None, "Waiting for the ministries' legal review."),
                ),
                pim={"pim_principles": ["data_responsibility_protection_security"]},
            ),
            _Point(
                "Set up a shared repository of anonymised datasets",
                90,
                ("Fanette",),
                ((-stale, IN_PROGRESS, 10, "Hosting options listed."),),
            ),
            _Point(
                "Run a session on responsible data sharing for new staff",
                200,
                ("Fred", "Jad"),
                ((-20, None, None, "Added after the IMWG asked for it."),),
                entered=-30,
            ),
        ],
    }


def _people(names: set[str], seed_plan: ActionPlan) -> dict[str, Person]:
    from actionplans.selectors import plan_people

    return {p.name: p for p in plan_people(plan=seed_plan) if p.name in names}


def _words(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def example_plan_load(
    *, seed_plan: ActionPlan, coordinator: AbstractUser, member: AbstractUser
) -> tuple[ActionPlan, bool]:
    """The example plan, made if it is not there yet (called inside demo_load's
    transaction). Its people are the seed plan's; the member account reports on
    the points of the person it is linked to."""
    existing = ActionPlan.objects.filter(title=EXAMPLE_TITLE).order_by("id").first()
    if existing is not None:
        return existing, False
    today = timezone.localdate()
    story = _story()
    leaders = {"Needs Assessment": "Rana", "Information Sharing": "Jad"}
    members = {
        "Needs Assessment": ["Omar", "Maria", "Fred"],
        "Information Sharing": ["Fanette", "Fred"],
    }
    names = {*leaders.values(), *(n for group in members.values() for n in group)}
    names |= {n for points in story.values() for point in points for n in point.focal}
    people = _people(names, seed_plan)
    member_person = getattr(member, "person", None)

    def day(offset: int) -> datetime.date:
        return today + datetime.timedelta(days=offset)

    with _unannounced():
        clock = _Clock()
        plan = plan_create(
            title=EXAMPLE_TITLE,
            country=EXAMPLE_COUNTRY,
            origin=EXAMPLE_ORIGIN,
            status=PlanStatus.ACTIVE,
            visibility=PlanVisibility.SIGNED_IN,
            coordinators=[coordinator],
            created_by=coordinator,
        )
        clock.plan = plan
        challenges = {}
        for group_name, challenge_text in story:
            group = working_group_create(
                plan=plan,
                name=group_name,
                team_leader=people.get(leaders[group_name]),
                team_members=[people[n] for n in members[group_name] if n in people],
                created_by=coordinator,
            )
            challenges[group_name, challenge_text] = challenge_create(
                working_group=group, description=challenge_text, created_by=coordinator
            )
        clock.at(day(-ENTERED_DAYS_AGO))

        # Every event of every point, in the order they happened.
        events: list[tuple[int, int, str, tuple]] = []
        for key, points in story.items():
            for index, point in enumerate(points):
                events.append((point.entered, 0, "enter", (key, index, point)))
                for when, status, progress, note in point.updates:
                    events.append((when, 2, "update", (key, index, status, progress, note)))
                if point.moved:
                    when, _shift, reason = point.moved
                    events.append((when, 1, "move", (key, index, reason)))
        created: dict[tuple, ActionPoint] = {}
        for when, _order, kind, data in sorted(events, key=lambda e: (e[0], e[1])):
            if kind == "enter":
                key, index, point = data
                first_due = point.due_in + (point.moved[1] if point.moved else 0)
                created[key, index] = action_point_create(
                    challenge=challenges[key],
                    description=point.description,
                    deadline=_words(day(first_due)),
                    position=index + 1,
                    focal_points=[
                        FocalPointAssignment(
                            person=people[name],
                            role=FocalPointRole.LEAD if n == 0 else FocalPointRole.SUPPORT,
                        )
                        for n, name in enumerate(point.focal)
                        if name in people
                    ],
                    created_by=coordinator,
                )
                if point.pim:
                    action_point_classify(
                        action_point=created[key, index], user=coordinator, **point.pim
                    )
            elif kind == "move":
                key, index, reason = data
                point = story[key][index]
                action_point_reschedule(
                    action_point=created[key, index],
                    new_deadline=_words(day(point.due_in)),
                    reason=reason,
                    changed_by=coordinator,
                )
            else:
                key, index, status, progress, note = data
                lead = people.get(story[key][index].focal[0])
                by_member = member_person is not None and lead == member_person
                created[key, index].refresh_from_db()
                progress_update_create(
                    action_point=created[key, index],
                    author=member if by_member else None,
                    reported_by=None if by_member else lead,
                    status=status,
                    progress=progress,
                    note=note,
                )
            clock.at(day(when))
    return plan, True
