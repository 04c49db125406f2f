"""Who may see and change what: the one rule set every view and API endpoint uses.

The table of roles of docs/domain.md, as code:

- site administrator: sees everything, changes everything;
- plan coordinator: sees the plan, changes the whole plan;
- member (team leader, team member or focal point in the plan): sees the plan,
  changes status, progress, notes and evidence of their action points;
- any other signed-in user: sees plans visible to all signed-in users, changes nothing;
- anonymous: sees the sign-in page only.

"Their action points" are those in a working group they lead or belong to,
and those where they are a focal point.

Views use the get_*_or_404 / require_* helpers: an object the user may not
see answers 404 (its existence must not leak); one they may see but not
change answers 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from actionplans.models import ActionPlan, ActionPoint, Challenge, FocalPoint, WorkingGroup
from actionplans.querysets import PLAN_PATH, is_admin, person_of
from orgs.models import Organization, Person

__all__ = ["is_admin"]  # the role itself lives beside the visibility rule (querysets.py)

# Nothing here is cached between calls: a role can change in the middle of a
# request (a plan created, a person named), and the checks are single-row queries.

# --- who is who ------------------------------------------------------------------


def is_linked_to_person(user) -> bool:
    """Whether the account is someone named in plans (and so can carry action points)."""
    return user.is_authenticated and Person.objects.filter(user_id=user.pk).exists()


def is_coordinator(user, plan: ActionPlan) -> bool:
    if not user.is_authenticated:
        return False
    return ActionPlan.objects.coordinated_by(user).filter(pk=plan.pk).exists()


# --- plans -----------------------------------------------------------------------


def can_view_plan(user, plan: ActionPlan) -> bool:
    return ActionPlan.objects.visible_to(user).filter(pk=plan.pk).exists()


def can_edit_plan(user, plan: ActionPlan) -> bool:
    """Change the plan's structure: groups, challenges, action points, people, deadlines."""
    return is_admin(user) or (user.is_active and is_coordinator(user, plan))


def can_create_plan(user) -> bool:
    """Administrators, coordinators of any plan, and accounts given the add permission."""
    if not user.is_authenticated or not user.is_active:
        return False
    return (
        is_admin(user)
        or ActionPlan.objects.coordinated_by(user).exists()
        or user.has_perm("actionplans.add_actionplan")
    )


# --- action points ---------------------------------------------------------------


def _updatable(user) -> QuerySet:
    """Ids of the action points in a group the user's person leads or belongs to, or
    where they are a focal point: id sets, each found through its own index (an OR
    across the joins reads every action point). A union, so that the database
    starts from the person's few rows rather than testing every action point
    against each id set."""
    person = person_of(user)
    memberships = WorkingGroup.team_members.through.objects.filter(person__in=person)
    groups = (
        WorkingGroup.objects.order_by()
        .filter(team_leader__in=person)
        .values("id")
        .union(memberships.values("workinggroup_id"))
    )
    in_groups = ActionPoint.objects.order_by().filter(
        challenge__in=Challenge.objects.order_by().filter(working_group__in=groups).values("id")
    )
    as_focal_point = FocalPoint.objects.order_by().filter(person__in=person)
    return in_groups.values("id").union(as_focal_point.values("action_point_id"))


def can_update_action_point(user, action_point: ActionPoint) -> bool:
    """Post status, progress, notes and evidence on this action point."""
    plan = action_point.challenge.working_group.plan
    if can_edit_plan(user, plan):
        return True
    if not user.is_authenticated or not user.is_active:
        return False
    return ActionPoint.objects.filter(id__in=_updatable(user), pk=action_point.pk).exists()


def updatable_action_point_ids(user, plan: ActionPlan) -> set[int] | None:
    """Ids of the plan's action points the user may update; None means all of them.

    One query for a whole plan page, instead of one check per action point.
    """
    if can_edit_plan(user, plan):
        return None
    if not user.is_authenticated or not user.is_active:
        return set()
    return set(
        ActionPoint.objects.of_plan(plan)
        .filter(id__in=_updatable(user))
        .values_list("id", flat=True)
    )


def my_action_points(user) -> QuerySet[ActionPoint]:
    """The action points the user carries: focal point, or in a group they belong to."""
    if not user.is_authenticated or not user.is_active:
        return ActionPoint.objects.none()
    return ActionPoint.objects.visible_to(user).filter(id__in=_updatable(user))


# --- people and organizations ----------------------------------------------------


def can_manage_people(user) -> bool:
    """Add people and organizations: administrators and coordinators."""
    return can_create_plan(user)


def _people_in_plans(plans: QuerySet) -> QuerySet:
    """Ids of people named in these plans (an IN-subquery: no DISTINCT needed outside).

    One id set per role: an OR across the joins would multiply them."""
    leaders = WorkingGroup.objects.filter(plan__in=plans).values("team_leader_id")
    members = WorkingGroup.team_members.through.objects.filter(workinggroup__plan__in=plans).values(
        "person_id"
    )
    focal = FocalPoint.objects.filter(
        action_point__challenge__working_group__plan__in=plans
    ).values("person_id")
    return Person.objects.filter(Q(id__in=leaders) | Q(id__in=members) | Q(id__in=focal)).values(
        "id"
    )


def _in_no_plan() -> Q:
    """People named nowhere yet. Every group and action point belongs to a plan, so
    no plan is joined: three anti-joins on the people's own indexes, rather than
    "not among the people of all plans", which reads every plan's people."""
    person = OuterRef("pk")
    return (
        ~Exists(WorkingGroup.objects.filter(team_leader_id=person))
        & ~Exists(WorkingGroup.team_members.through.objects.filter(person_id=person))
        & ~Exists(FocalPoint.objects.filter(person_id=person))
    )


def visible_people(user) -> QuerySet[Person]:
    """People named in a plan the user may see, plus themselves.

    Names and emails are personal data: nobody gets the whole directory but
    administrators. Coordinators also see people in no plan yet (someone just
    added, about to be named in their plan).
    """
    if not user.is_authenticated or not user.is_active:
        return Person.objects.none()
    if is_admin(user):
        return Person.objects.all()
    rule = Q(user=user) | Q(
        id__in=_people_in_plans(ActionPlan.objects.visible_to(user).values("id"))
    )
    if can_manage_people(user):
        rule |= _in_no_plan()
    return Person.objects.filter(rule)


def can_edit_person(user, person: Person) -> bool:
    """Administrators; coordinators for people of their plans and people in no plan."""
    if is_admin(user):
        return True
    if not can_manage_people(user):
        return False
    coordinated = ActionPlan.objects.coordinated_by(user).values("id")
    return Person.objects.filter(
        Q(id__in=_people_in_plans(coordinated)) | _in_no_plan(), pk=person.pk
    ).exists()


def visible_organizations(user) -> QuerySet[Organization]:
    """Organizations are public facts: every signed-in user sees them."""
    if not user.is_authenticated or not user.is_active:
        return Organization.objects.none()
    return Organization.objects.all()


# --- helpers for views: 404 when hidden, 403 when seen but not allowed -----------


def get_plan_or_404(user, pk: int) -> ActionPlan:
    plan = ActionPlan.objects.visible_to(user).filter(pk=pk).first()
    if plan is None:
        raise Http404("No such plan.")
    return plan


def _in_visible_plan_or_404(objects: QuerySet, plan_path: str, user, pk: int, label: str):
    """The object with this id if its plan is visible to the user, its plan loaded."""
    obj = (
        objects.select_related(plan_path)
        .filter(pk=pk, **{f"{plan_path}__in": ActionPlan.objects.visible_to(user)})
        .first()
    )
    if obj is None:
        raise Http404(f"No such {label}.")
    return obj


def get_group_or_404(user, pk: int) -> WorkingGroup:
    return _in_visible_plan_or_404(WorkingGroup.objects, "plan", user, pk, "working group")


def get_challenge_or_404(user, pk: int) -> Challenge:
    return _in_visible_plan_or_404(Challenge.objects, "working_group__plan", user, pk, "challenge")


def get_action_point_or_404(user, pk: int) -> ActionPoint:
    """The action point with its flags for today (overdue, due soon, stale)."""
    points = ActionPoint.objects.with_flags(timezone.localdate())
    return _in_visible_plan_or_404(points, PLAN_PATH, user, pk, "action point")


def require(allowed: bool, message: str = "You may not do this.") -> None:
    if not allowed:
        raise PermissionDenied(message)


def require_plan_edit(user, plan: ActionPlan) -> None:
    require(can_edit_plan(user, plan), "Only the plan's coordinators can change its structure.")


def require_action_point_update(user, action_point: ActionPoint) -> None:
    require(
        can_update_action_point(user, action_point),
        "Only the plan's coordinators and this action point's group members "
        "and focal points can update it.",
    )
