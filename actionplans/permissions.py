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

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from actionplans.choices import PlanVisibility
from actionplans.completion import completed_it
from actionplans.models import (
    ActionPlan,
    ActionPoint,
    Challenge,
    FocalPoint,
    Naming,
    SavedView,
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
    """Change the plan's structure: groups, challenges, action points, people, deadlines,
    and the action points' PIM tags, process step and priority (members read them)."""
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


def can_manage_webhooks(user) -> bool:
    """Make webhook subscriptions: administrators and coordinators of any plan
    (a partner system is set up by whoever runs a plan)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return is_admin(user) or ActionPlan.objects.coordinated_by(user).exists()


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


def can_verify(user, action_point: ActionPoint) -> bool:
    """Verify a completed action point, or send it back to in progress: the plan's
    coordinators (and administrators, as for every coordinator's right), except
    whoever completed it (completion.completed_it). Whether the point is
    completed (and not yet verified) is the services' check, with its own message."""
    plan = action_point.challenge.working_group.plan
    return can_edit_plan(user, plan) and not completed_it(user, action_point)


def require_verifier(user, action_point: ActionPoint) -> None:
    """403 for who is not a coordinator of the plan; the completer who is one gets
    the services' ValidationError instead (a rule of the point, not of the role)."""
    require(
        can_edit_plan(user, action_point.challenge.working_group.plan),
        _("Only the plan's coordinators can verify a completed action point or send it back."),
    )


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


# --- deletions (the sync's /api/v1/deleted/) ---------------------------------------
# A deleted object is judged from the history tables (django-simple-history): who
# could see it when it went. Only its kind, id and moment are ever shown, and only
# to someone who could have seen the object itself.


def deleted_plans_seen_by(user, since: datetime.datetime | None = None) -> QuerySet:
    """Ids of the deleted plans the user could see when they were deleted:
    ActionPlan.objects.visible_to's rule, applied to the plan's history.

    - administrators (now): every deleted plan;
    - open to all signed-in users: the visibility its deletion record holds;
    - coordinators: those of its last record before the deletion (the deletion's
      own record lists none: the coordinators' rows are gone by the time it is
      written);
    - members: the people named in it (team leader, team member, focal point)
      at any time its history records. Whether a name was still there at the
      moment of the deletion is more than the history says cheaply; a removal
      before it reveals no more than that the plan the person once saw is gone.

    Given `since`, only plans deleted at or after it: what a list of deletions
    since then asks about (a plan is deleted after everything in it), read through
    the history_date index. An IN-subquery; each part starts from the user's own
    rows (their account, their person), through the history tables' indexes.
    """
    # Deleted and not created again since (a restored plan is judged as it is now).
    deleted = ActionPlan.history.filter(history_type="-").filter(
        ~Exists(ActionPlan.objects.filter(pk=OuterRef("id")))
    )
    if since is not None:
        deleted = deleted.filter(history_date__gte=since)
    if not user.is_authenticated or not user.is_active:
        return deleted.none().values("id")
    if is_admin(user):
        return deleted.values("id")
    plans = ActionPlan.history.model
    later = plans.objects.filter(
        id=OuterRef("history__id"), history_id__gt=OuterRef("history_id")
    ).exclude(history_type="-")
    coordinated = (
        plans.coordinators.model.objects.filter(user_id=user.pk)
        .exclude(history__history_type="-")
        .filter(~Exists(later))
        .values("history__id")
    )
    person = person_of(user)
    led = WorkingGroup.history.filter(team_leader__in=person).values("plan_id")
    members = WorkingGroup.history.model.team_members.model.objects.filter(
        person__in=person
    ).values("history__plan_id")
    points = FocalPoint.history.filter(person__in=person).values("action_point_id")
    challenges = ActionPoint.history.filter(id__in=points).values("challenge_id")
    groups = Challenge.history.filter(id__in=challenges).values("working_group_id")
    focal = WorkingGroup.history.filter(id__in=groups).values("plan_id")
    return deleted.filter(
        Q(visibility=PlanVisibility.SIGNED_IN)
        | Q(id__in=coordinated)
        | Q(id__in=led)
        | Q(id__in=members)
        | Q(id__in=focal)
    ).values("id")


def plan_seen(user, field: str, since: datetime.datetime | None = None) -> Q | None:
    """A condition on rows whose plan id is in `field`: the plan is visible to the
    user now, or was deleted (at or after `since`) and visible to them then
    (deleted_plans_seen_by). None for administrators, who see every row."""
    if is_admin(user):
        return None
    return Q(**{f"{field}__in": ActionPlan.objects.visible_to(user).values("id")}) | Q(
        **{f"{field}__in": deleted_plans_seen_by(user, since)}
    )


def deleted_people_seen(user) -> Q | None:
    """A condition on the deletion records of people (Person.history): who may
    learn that the person is gone. visible_people's rule, as far as the history
    holds it; None for administrators (everyone).

    A person is deleted by a merge (services.merge: everything they carried moved
    to the person kept first) or by an administrator, so they are named nowhere
    by then: "named now" becomes "named, in the history of groups and focal
    points, in a plan the user may see now". Then, as for the living:
    themselves (the account the record holds), and for those who may add people
    (can_manage_people) the people they added who were never named, per the
    history, outside the plans they may see (a focal point on an action point
    deleted since counts as outside: the doubt hides the person)."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if is_admin(user):
        return None
    person = OuterRef("id")
    visible = ActionPlan.objects.visible_to(user).values("id")
    points = ActionPoint.objects.of_plans(visible).values("id")
    focal = FocalPoint.history.model.objects.filter(person_id=person)
    led = WorkingGroup.history.model.objects.filter(team_leader_id=person)
    member = WorkingGroup.history.model.team_members.model.objects.filter(person_id=person)
    rule = (
        Q(user_id=user.pk)
        | Exists(focal.filter(action_point_id__in=points))
        | Exists(led.filter(plan_id__in=visible))
        | Exists(member.filter(history__plan_id__in=visible))
    )
    if can_manage_people(user):
        outside = (
            Exists(focal.exclude(action_point_id__in=points))
            | Exists(led.exclude(plan_id__in=visible))
            | Exists(member.exclude(history__plan_id__in=visible))
        )
        rule |= Q(created_by_id=user.pk) & ~outside
    return rule


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


def can_bulk_edit(user, plan: ActionPlan) -> bool:
    """Change several of the plan's action points at once (status, focal point, tags,
    priority, deadlines): the rule of plan edits, the coordinators' (can_edit_plan)."""
    return can_edit_plan(user, plan)


def require_bulk_edit(user, plan: ActionPlan) -> None:
    require(
        can_bulk_edit(user, plan),
        _("Only the plan's coordinators can change several action points at once."),
    )


def require_action_point_update(user, action_point: ActionPoint) -> None:
    require(
        can_update_action_point(user, action_point),
        _(
            "Only the plan's coordinators and this action point's group members "
            "and focal points can update it."
        ),
    )


# --- comments and watchers ----------------------------------------------------------


def can_see_action_point(user, action_point: ActionPoint) -> bool:
    """Whoever may see the action point's plan (the visibility rule)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return ActionPoint.objects.visible_to(user).filter(pk=action_point.pk).exists()


def can_comment(user, action_point: ActionPoint) -> bool:
    """Comment on, and watch, an action point: everyone who may see it (coordinators,
    members, and signed-in users of a plan open to all of them). A closed plan
    refuses the comment itself (services.common.require_open)."""
    return can_see_action_point(user, action_point)


def comment_edit_deadline(comment) -> datetime.datetime:
    """Until when its author may correct a comment (settings.COMMENT_EDIT_MINUTES)."""
    return comment.created + datetime.timedelta(minutes=settings.COMMENT_EDIT_MINUTES)


def can_edit_comment(user, comment) -> bool:
    """Its author, within COMMENT_EDIT_MINUTES of posting it, while it is not deleted."""
    return (
        user.is_authenticated
        and user.is_active
        and comment.author_id == user.pk
        and comment.deleted_at is None
        and timezone.now() <= comment_edit_deadline(comment)
    )


def can_delete_comment(user, comment) -> bool:
    """The plan's coordinators and administrators (can_edit_plan)."""
    return can_edit_plan(user, comment.action_point.challenge.working_group.plan)


def mentionable_people(user, plan: ActionPlan) -> QuerySet[Person]:
    """Whom a comment in this plan may mention: the people named in it now (team
    leaders, members, focal points) and the people of its coordinators' accounts,
    among those the user may see (visible_people)."""
    named = _people_in_plans(ActionPlan.objects.filter(pk=plan.pk))
    coordinators = plan.coordinators.values("pk")
    return visible_people(user).filter(Q(id__in=named) | Q(user__in=coordinators))


def require_comment(user, action_point: ActionPoint) -> None:
    require(can_comment(user, action_point), _("You may not comment on this action point."))


# --- saved views ------------------------------------------------------------------
# A saved view is its owner's. A plan page's view can be shared with the plan's
# members: its coordinators and the people named in it now (team leader, team
# member, focal point), those with an account. Sharing shows the filters, never
# an action point: whoever opens a view sees what they may see, filtered.


def plan_member_accounts(plan: ActionPlan) -> QuerySet:
    """The accounts of the plan's members (ActionPlanQuerySet.with_member's rule, seen
    from the plan): its coordinators and the accounts of the people named in it."""
    coordinators = ActionPlan.coordinators.through.objects.filter(actionplan_id=plan.pk)
    named = Person.objects.filter(
        id__in=_people_in_plans(ActionPlan.objects.filter(pk=plan.pk)), user__isnull=False
    )
    return get_user_model().objects.filter(
        Q(pk__in=coordinators.values("user_id")) | Q(pk__in=named.values("user_id")),
        is_active=True,
    )


def can_share_saved_view(user, plan: ActionPlan) -> bool:
    """Share a view of this plan's page with its members: its members themselves and
    administrators (who see every plan)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return is_admin(user) or ActionPlan.objects.with_member(user).filter(pk=plan.pk).exists()


def sharing_plan_ids(user, plan_ids) -> set[int]:
    """Which of these plans the user may share views in (can_share_saved_view for
    many plans, one query)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    plans = ActionPlan.objects.filter(id__in=plan_ids)
    if not is_admin(user):
        plans = plans & ActionPlan.objects.with_member(user)
    return set(plans.values_list("id", flat=True))


def saved_views_for(user, *, page: str, plan: ActionPlan | None = None) -> QuerySet[SavedView]:
    """The saved views a page offers the user: their own, then (on a plan's page, for
    its members and administrators) those its members shared, by name, with their
    owners. One query."""
    if not user.is_authenticated or not user.is_active:
        return SavedView.objects.none()
    views = SavedView.objects.filter(page=page, plan=plan)
    mine = Q(owner_id=user.pk)
    rule = mine
    if plan is not None:
        members = plan_member_accounts(plan)
        # Shared by someone still a member (or an administrator), seen by a member.
        shared = Q(shared=True, owner__is_active=True) & (
            Q(owner__in=members.values("pk")) | Q(owner__is_superuser=True)
        )
        if not is_admin(user):
            shared &= Exists(members.filter(pk=user.pk))
        rule |= shared
    return (
        views.filter(rule)
        .select_related("owner")
        .alias(theirs=Case(When(mine, then=Value(0)), default=Value(1)))
        .order_by("theirs", Lower("name"), "id")
    )


def own_saved_views(user) -> QuerySet[SavedView]:
    """The user's saved views, those of plans they may no longer see left out."""
    if not user.is_authenticated or not user.is_active:
        return SavedView.objects.none()
    return SavedView.objects.filter(
        Q(plan__isnull=True) | Q(plan__in=ActionPlan.objects.visible_to(user)), owner_id=user.pk
    )


def can_change_saved_view(user, view: SavedView) -> bool:
    """Rename, share, replace the filters of, delete: its owner only."""
    return user.is_authenticated and user.is_active and view.owner_id == user.pk


def get_saved_view_or_404(user, pk: int) -> SavedView:
    """One of the user's own saved views: anyone else's answers 404, shared or not."""
    view = own_saved_views(user).select_related("plan").filter(pk=pk).first()
    if view is None:
        raise Http404(_("No such saved view."))
    return view
