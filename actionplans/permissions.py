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

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from actionplans.models import (
    ActionPlan,
    ActionPoint,
    Challenge,
    FocalPoint,
    Naming,
    WorkingGroup,
)
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
    """People named nowhere now. Every group and action point belongs to a plan, so
    no plan is joined: three anti-joins on the people's own indexes, rather than
    "not among the people of all plans", which reads every plan's people."""
    person = OuterRef("pk")
    return (
        ~Exists(WorkingGroup.objects.filter(team_leader_id=person))
        & ~Exists(WorkingGroup.team_members.through.objects.filter(person_id=person))
        & ~Exists(FocalPoint.objects.filter(person_id=person))
    )


def _named_outside(plans: QuerySet) -> Q:
    """Named, now or ever, in a plan that is not among these: a Naming record
    (kept after a removal) or a current role. The current roles are asked too, so
    that a role written without its Naming record cannot open a hidden plan's
    person. Correlated checks on the person's own indexes."""
    person = OuterRef("pk")
    return (
        Exists(Naming.objects.filter(person_id=person).exclude(plan__in=plans))
        | Exists(WorkingGroup.objects.filter(team_leader_id=person).exclude(plan__in=plans))
        | Exists(
            WorkingGroup.team_members.through.objects.filter(person_id=person).exclude(
                workinggroup__plan__in=plans
            )
        )
        | Exists(
            FocalPoint.objects.filter(person_id=person).exclude(
                action_point__challenge__working_group__plan__in=plans
            )
        )
    )


def _created_and_not_hidden(user, visible_plans: QuerySet) -> QuerySet:
    """Ids of the people the user added who were never named in a plan the user
    cannot see. An IN-subquery that starts from the user's own additions (the
    created_by index), so the checks run for those few people only."""
    return (
        Person.objects.order_by()
        .filter(created_by_id=user.pk)
        .exclude(_named_outside(visible_plans))
        .values("id")
    )


def visible_people(user) -> QuerySet[Person]:
    """The people a user may see. Names and emails are personal data: nobody but
    administrators gets the whole directory.

    - administrators: everyone;
    - everyone signed in: themselves, and the people named now (leader, member,
      focal point) in a plan they may see;
    - coordinators (anyone who may add people, actionplans.permissions.
      can_manage_people) also: the people ever named in a plan they coordinate
      (Naming: still after a removal), and the people they added (created_by)
      who have never been named in a plan they cannot see: their own newcomers,
      never named or named only in plans they see.

    So a person once named in a plan you cannot see stays invisible to you,
    even if you added them, until you may see that plan (or it is deleted,
    and its Naming records with it); people added by an import or the system
    (no created_by) and named nowhere are seen by administrators only.
    """
    if not user.is_authenticated or not user.is_active:
        return Person.objects.none()
    if is_admin(user):
        return Person.objects.all()
    visible = ActionPlan.objects.visible_to(user).values("id")
    rule = Q(user=user) | Q(id__in=_people_in_plans(visible))
    if can_manage_people(user):
        coordinated = ActionPlan.objects.coordinated_by(user).values("id")
        rule |= Q(id__in=Naming.objects.filter(plan__in=coordinated).values("person_id"))
        rule |= Q(id__in=_created_and_not_hidden(user, visible))
    return Person.objects.filter(rule)


def _editable(user, person: Person | None = None) -> Q:
    """can_edit_person's rule for a coordinator, as a condition on people: named now
    in a plan they coordinate, or added by them (created_by) while named in no plan
    and never named in a plan they cannot see. For one person, the creator's part
    is asked only of its creator (on that one row); for a set, it starts from the
    user's own additions (_created_and_not_hidden)."""
    coordinated = ActionPlan.objects.coordinated_by(user).values("id")
    visible = ActionPlan.objects.visible_to(user).values("id")
    rule = Q(id__in=_people_in_plans(coordinated))
    if person is None:
        rule |= Q(id__in=_created_and_not_hidden(user, visible)) & _in_no_plan()
    elif person.created_by_id == user.pk:
        rule |= _in_no_plan() & ~_named_outside(visible)
    return rule


def can_edit_person(user, person: Person) -> bool:
    """Administrators; the coordinators of a plan the person is named in now; and
    the coordinator who added them, while they are named in no plan and were
    never named in a plan that coordinator cannot see (visible_people's rule).
    Someone removed from every plan is edited by administrators, or by their
    creator on those terms; naming them again gives the plan's coordinators the
    right back. One query (and can_manage_people's)."""
    if is_admin(user):
        return True
    if not can_manage_people(user):
        return False
    return Person.objects.filter(_editable(user, person), pk=person.pk).exists()


def editable_people(user) -> QuerySet[Person]:
    """The people the user may edit (and so merge): can_edit_person's rule as a set,
    for lists such as the duplicates page."""
    if is_admin(user):
        return Person.objects.all()
    if not can_manage_people(user):
        return Person.objects.none()
    return Person.objects.filter(_editable(user))


def attach_named_plans(user, people: list[Person]) -> list[Person]:
    """Sets each person's `named_plans`: the plans they are named in now (leader,
    member or focal point) that the user may see, as {"id", "title"} dicts in
    title order. What tells two namesakes apart on the people pages and in the API.

    One query for all the people given (a page), whatever their number: a UNION
    of the three roles, each found through the people's own indexes. The roles
    themselves are read, not the Naming records: a plan someone was removed from
    is not listed, and a role written without its record (the Django admin) is.
    """
    by_person: dict[int, list[tuple[int, str]]] = {person.pk: [] for person in people}
    if by_person and user.is_authenticated and user.is_active:
        ids = list(by_person)
        leaders = WorkingGroup.objects.filter(team_leader_id__in=ids)
        members = WorkingGroup.team_members.through.objects.filter(person_id__in=ids)
        focal = FocalPoint.objects.filter(person_id__in=ids)
        if not is_admin(user):
            visible = ActionPlan.objects.visible_to(user).values("id")
            leaders = leaders.filter(plan__in=visible)
            members = members.filter(workinggroup__plan__in=visible)
            focal = focal.filter(action_point__challenge__working_group__plan__in=visible)
        path = "action_point__challenge__working_group__plan"
        rows = (
            leaders.order_by()
            .values_list("team_leader_id", "plan_id", "plan__title")
            .union(
                members.order_by().values_list(
                    "person_id", "workinggroup__plan_id", "workinggroup__plan__title"
                ),
                focal.order_by().values_list("person_id", f"{path}_id", f"{path}__title"),
            )
        )
        for person_id, plan_id, title in rows:
            by_person[person_id].append((plan_id, title))
    for person in people:
        person.named_plans = [
            {"id": plan_id, "title": title}
            for plan_id, title in sorted(by_person[person.pk], key=lambda pair: (pair[1], pair[0]))
        ]
    return people


def visible_organizations(user) -> QuerySet[Organization]:
    """Organizations are public facts: every signed-in user sees them."""
    if not user.is_authenticated or not user.is_active:
        return Organization.objects.none()
    return Organization.objects.all()


def plans_using_organization(organization: Organization) -> QuerySet[ActionPlan]:
    """The plans that name someone of this organization now: team leader, team
    member or focal point (the people shown beside the organization's name)."""
    people = Person.objects.filter(organization=organization).values("id")
    leaders = WorkingGroup.objects.filter(team_leader__in=people).values("plan_id")
    members = WorkingGroup.team_members.through.objects.filter(person__in=people).values(
        "workinggroup__plan_id"
    )
    focal = FocalPoint.objects.filter(person__in=people).values(
        "action_point__challenge__working_group__plan_id"
    )
    return ActionPlan.objects.filter(Q(id__in=leaders) | Q(id__in=members) | Q(id__in=focal))


def can_edit_organization(user, organization: Organization) -> bool:
    """Rename or reclassify an organization: administrators, and those who may add
    organizations (can_manage_people) when they coordinate every plan that uses it
    (plans_using_organization), hidden ones included, since a change shows in all of
    them. An organization no plan uses changes what no plan shows: whoever may add
    organizations may edit it. One query (and can_manage_people's)."""
    if is_admin(user):
        return True
    if not can_manage_people(user):
        return False
    coordinated = ActionPlan.objects.coordinated_by(user).values("id")
    return not plans_using_organization(organization).exclude(id__in=coordinated).exists()


def require_organization_edit(user, organization: Organization) -> None:
    require(
        can_edit_organization(user, organization),
        _(
            "Only administrators and the coordinators of every plan that names people of "
            "this organization can edit it: ask an administrator to make the change."
        ),
    )


def coordinator_choices(user, plan: ActionPlan | None = None) -> QuerySet:
    """The accounts offered when choosing a plan's coordinators: administrators get
    every active account; others the people of their operation, not the whole list
    of accounts: the active accounts of the people they may see (visible_people),
    their own, and the plan's current coordinators. Administrators' accounts are
    offered to others only when they coordinate this plan already. Anyone else is
    added by typing their username or email (actionplans.forms.ActionPlanForm)."""
    accounts = get_user_model().objects.filter(is_active=True).order_by("username", "id")
    if is_admin(user):
        return accounts
    people_accounts = visible_people(user).filter(user__isnull=False).values("user_id")
    rule = (Q(pk__in=people_accounts) | Q(pk=user.pk)) & Q(is_superuser=False)
    if plan is not None and plan.pk is not None:
        rule |= Q(pk__in=plan.coordinators.values("pk"))
    return accounts.filter(rule)


# --- helpers for views: 404 when hidden, 403 when seen but not allowed -----------


def get_plan_or_404(user, pk: int) -> ActionPlan:
    plan = ActionPlan.objects.visible_to(user).filter(pk=pk).first()
    if plan is None:
        raise Http404(_("No such plan."))
    return plan


def _in_visible_plan_or_404(objects: QuerySet, plan_path: str, user, pk: int, missing: str):
    """The object with this id if its plan is visible to the user, its plan loaded;
    else 404 saying `missing`."""
    obj = (
        objects.select_related(plan_path)
        .filter(pk=pk, **{f"{plan_path}__in": ActionPlan.objects.visible_to(user)})
        .first()
    )
    if obj is None:
        raise Http404(missing)
    return obj


def get_group_or_404(user, pk: int) -> WorkingGroup:
    return _in_visible_plan_or_404(
        WorkingGroup.objects, "plan", user, pk, _("No such working group.")
    )


def get_challenge_or_404(user, pk: int) -> Challenge:
    return _in_visible_plan_or_404(
        Challenge.objects, "working_group__plan", user, pk, _("No such challenge.")
    )


def get_action_point_or_404(user, pk: int) -> ActionPoint:
    """The action point with its flags for today (overdue, due soon, stale)."""
    points = ActionPoint.objects.with_flags(timezone.localdate())
    return _in_visible_plan_or_404(points, PLAN_PATH, user, pk, _("No such action point."))


def require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("You may not do this."))


def require_plan_edit(user, plan: ActionPlan) -> None:
    require(can_edit_plan(user, plan), _("Only the plan's coordinators can change its structure."))


def require_action_point_update(user, action_point: ActionPoint) -> None:
    require(
        can_update_action_point(user, action_point),
        _(
            "Only the plan's coordinators and this action point's group members "
            "and focal points can update it."
        ),
    )
