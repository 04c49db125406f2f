"""The domain's rules, written once: what is open, overdue, due soon and stale,
a plan's action points, the order a workshop writes them in, and which plans a
user may see.

Each rule is a condition (a Q object) over the path to an action point, so the
same rule filters a list, counts inside an aggregate across plans
(`prefix="working_groups__challenges__action_points__"`), and flags rows of
the history tables for the "as of" dashboard. Pages, the API, exports,
and dashboards all ask these; nothing else spells them out.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, Case, Q, Value, When
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.utils import timezone
from simple_history.manager import HistoricalQuerySet

from actionplans.choices import OPEN_STATUSES, PlanStatus, PlanVisibility

# Where an action point's plan is, seen from the action point.
PLAN_PATH = "challenge__working_group__plan"
# The order a workshop writes a plan in: group, challenge, position (the plan
# first, when several are listed). Numbers and positions are unique within their
# parent, so this is a total order: pages of a list never overlap.
WORKSHOP_ORDER = (
    f"{PLAN_PATH}_id",
    "challenge__working_group__number",
    "challenge__number",
    "position",
)


def due_soon_days() -> int:
    """Open action points due within this many days are "due soon" (DUE_SOON_DAYS)."""
    return settings.DUE_SOON_DAYS


def stale_days() -> int:
    """Open action points not changed for this many days are "stale" (STALE_DAYS)."""
    return settings.STALE_DAYS


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The last moment of a day in the site's time zone: "as of" means at its close."""
    start = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    return timezone.make_aware(start) - datetime.timedelta(microseconds=1)


# --- the rules, as conditions over a path to an action point ----------------------


def open_condition(prefix: str = "") -> Q:
    """Still to be delivered: not started, in progress or blocked."""
    return Q(**{f"{prefix}status__in": OPEN_STATUSES})


def overdue_condition(today: datetime.date, prefix: str = "") -> Q:
    """Open, and due before today (due today is not overdue yet)."""
    return open_condition(prefix) & Q(**{f"{prefix}due_date__lt": today})


def due_soon_condition(today: datetime.date, prefix: str = "") -> Q:
    """Open, and due today or within the next DUE_SOON_DAYS days."""
    last = today + datetime.timedelta(days=due_soon_days())
    return open_condition(prefix) & Q(
        **{f"{prefix}due_date__gte": today, f"{prefix}due_date__lte": last}
    )


def stale_condition(today: datetime.date, prefix: str = "") -> Q:
    """Open, and last changed STALE_DAYS or more days ago (any time that day)."""
    last_change = end_of_day(today - datetime.timedelta(days=stale_days()))
    return open_condition(prefix) & Q(**{f"{prefix}updated__lte": last_change})


def _flag(condition: Q) -> Case:
    # Case, not the bare condition: a comparison with a NULL due date is NULL in SQL.
    return Case(When(condition, then=True), default=False, output_field=BooleanField())


class ActionPointRules:
    """Methods shared by the action points and their history rows (same fields)."""

    def open(self):
        return self.filter(open_condition())

    def overdue(self, today: datetime.date):
        return self.filter(overdue_condition(today))

    def due_soon(self, today: datetime.date):
        return self.filter(due_soon_condition(today))

    def stale(self, today: datetime.date):
        return self.filter(stale_condition(today))

    def with_flags(self, today: datetime.date):
        """Each row's is_open, is_overdue, is_due_soon and is_stale, computed by the
        database with the rules above: what cards, badges and the API show."""
        return self.annotate(
            is_open=_flag(open_condition()),
            is_overdue=_flag(overdue_condition(today)),
            is_due_soon=_flag(due_soon_condition(today)),
            is_stale=_flag(stale_condition(today)),
        )


def last_update_values(point: str = "pk") -> dict[str, models.Subquery]:
    """What the latest progress updates of an action point say, as subqueries over the
    action point's id (`point`, seen from the outer query): the note of the latest
    update with a note, the evidence link of the latest with a link, and the time and
    author of the latest update (the account's full name, else its username, else the
    person who reported it from a reminder's link). NULL when there is none.

    Correlated subqueries, each read through the (action_point, created) index: no
    query per row, and the rows stream as before (exports read them by name)."""
    from actionplans.models import ProgressUpdate

    updates = ProgressUpdate.objects.filter(action_point_id=models.OuterRef(point)).order_by(
        "-created", "-id"
    )
    name = Trim(Concat("author__first_name", Value(" "), "author__last_name"))
    author = Coalesce(NullIf(name, Value("")), "author__username", "reported_by__name")
    return {
        "latest_note": models.Subquery(
            updates.exclude(note="").values("note")[:1], output_field=models.TextField()
        ),
        "latest_evidence_url": models.Subquery(
            updates.exclude(evidence_url="").values("evidence_url")[:1],
            output_field=models.CharField(),
        ),
        "last_update_at": models.Subquery(updates.values("created")[:1]),
        "last_update_by": models.Subquery(
            updates.annotate(by=author).values("by")[:1], output_field=models.CharField()
        ),
    }


class ActionPointQuerySet(ActionPointRules, models.QuerySet):
    def of_plan(self, plan):
        return self.filter(**{PLAN_PATH: plan})

    def of_plans(self, plans):
        """Of these plans (a queryset of plans: one subquery)."""
        return self.filter(**{f"{PLAN_PATH}__in": plans})

    def in_workshop_order(self):
        return self.order_by(*WORKSHOP_ORDER)

    def tagged(self, kind: str, slugs):
        """Those tagged with any of these PIM categories or principles (`kind`:
        PimTagKind): what ?pim_category= and ?pim_principle= select everywhere."""
        from actionplans.models import PimTag

        return self.filter(
            models.Exists(
                PimTag.objects.filter(
                    action_point=models.OuterRef("pk"), kind=kind, slug__in=list(slugs)
                )
            )
        )

    def in_live_plans(self):
        """In plans that are not closed: a closed plan is read-only and quiet."""
        return self.exclude(**{f"{PLAN_PATH}__status": PlanStatus.CLOSED})

    def with_last_update(self, *names: str):
        """Each row's latest_note, latest_evidence_url, last_update_at and
        last_update_by (see last_update_values): what the exports and the API show.
        Given names, only those (the plan page shows when and by whom)."""
        values = last_update_values()
        return self.annotate(**{name: values[name] for name in names or values})

    def visible_to(self, user):
        from actionplans.models import ActionPlan

        if is_admin(user):
            return self.all()  # the same rows, without joining every plan
        return self.of_plans(ActionPlan.objects.visible_to(user))


class HistoricalActionPointQuerySet(ActionPointRules, HistoricalQuerySet):
    """History rows of action points: the same rules apply to a past state."""


# --- who sees which plans -----------------------------------------------------------


def is_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def person_of(user) -> models.QuerySet:
    """The id of the Person linked to the account, as a subquery (none for anonymous)."""
    from orgs.models import Person

    return Person.objects.filter(user_id=user.pk).values("id")


def _coordinated_plan_ids(user) -> models.QuerySet:
    from actionplans.models import ActionPlan

    through = ActionPlan.coordinators.through
    return through.objects.filter(user_id=user.pk).values("actionplan_id")


def _member_condition(user) -> Q:
    """Plans where the user's person leads or belongs to a group, or is a focal point.

    One id set per role, each found through its own index: a single OR across
    the joins multiplies groups by members by action points by focal points.
    """
    from actionplans.models import FocalPoint, WorkingGroup

    person = person_of(user)
    led = WorkingGroup.objects.filter(team_leader__in=person).values("plan_id")
    member = WorkingGroup.team_members.through.objects.filter(person__in=person).values(
        "workinggroup__plan_id"
    )
    focal = FocalPoint.objects.filter(person__in=person).values(
        "action_point__challenge__working_group__plan_id"
    )
    return Q(id__in=led) | Q(id__in=member) | Q(id__in=focal)


class ActionPlanQuerySet(models.QuerySet):
    def live(self):
        """Not closed: plans that accept changes and send reminders."""
        return self.exclude(status=PlanStatus.CLOSED)

    def coordinated_by(self, user):
        return self.filter(id__in=_coordinated_plan_ids(user))

    def with_member(self, user):
        """Plans the user is a member of: coordinates, or is named in (team leader,
        team member, focal point). Whatever the plan's visibility."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(id__in=_coordinated_plan_ids(user)) | _member_condition(user))

    def visible_to(self, user):
        """Administrators see every plan; others the plans open to all signed-in
        users, those they coordinate, and those they are named in."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if is_admin(user):
            return self.all()
        members = self.model.objects.filter(_member_condition(user)).values("id")
        return self.filter(
            Q(visibility=PlanVisibility.SIGNED_IN)
            | Q(id__in=_coordinated_plan_ids(user))
            | Q(id__in=members)
        )
