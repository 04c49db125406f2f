"""Likely duplicates among the people a coordinator may edit, and merging two of them.

The list (actionplans/duplicates.py) pairs people with the same name by the
matching rule or a similar one; each side of a pair offers "Merge into this one",
which opens a confirmation page listing exactly what would move
(services.merge_plan); posting it merges (services.person_merge) and opens the
kept person. Coordinators and administrators only (403 for others, before any
lookup); a person the user may not see is 404, a pair they may not both edit 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from actionplans import permissions as perms
from actionplans import services
from actionplans.duplicates import likely_duplicates
from actionplans.models import ActionPlan, ActionPoint, FocalPoint
from actionplans.services.merge import MergePlan, can_merge, check_mergeable
from orgs.models import Person
from pim_tracker.text import isolate

PAGE_SIZE = 25


def _require_manager(user) -> None:
    perms.require(
        perms.can_manage_people(user),
        _("Only coordinators and administrators can look for duplicates and merge people."),
    )


def _describe(user, people: list[Person]) -> list[Person]:
    """Each person's plans the user may see (`named_plans`) and focal points in them
    (`focal_point_count`): a fixed number of queries for the people given."""
    perms.attach_named_plans(user, people)
    counts = dict(
        FocalPoint.objects.filter(
            person__in=[person.pk for person in people],
            action_point__in=ActionPoint.objects.visible_to(user),
        )
        .order_by()
        .values_list("person_id")
        .annotate(n=Count("pk"))
    )
    for person in people:
        person.focal_point_count = counts.get(person.pk, 0)
    return people


@dataclass
class PairRow:
    first: Person
    second: Person
    same_name: bool

    @property
    def people(self) -> tuple[Person, Person]:
        return (self.first, self.second)


@require_safe
def person_duplicates(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_manager(user)
    pairs = likely_duplicates(perms.editable_people(user))
    page_obj = Paginator(pairs, PAGE_SIZE).get_page(request.GET.get("page"))
    ids = {candidate.pk for pair in page_obj for candidate in (pair.first, pair.second)}
    people = {
        person.pk: person
        for person in _describe(
            user, list(Person.objects.filter(pk__in=ids).select_related("organization"))
        )
    }
    page_obj.object_list = [
        PairRow(people[pair.first.pk], people[pair.second.pk], pair.same_name) for pair in page_obj
    ]
    return render(
        request,
        "actionplans/duplicates.html",
        {
            "nav": "people",
            "page_obj": page_obj,
            "show_email": perms.can_manage_people(user),
        },
    )


@dataclass
class Listing:
    """What the confirmation page shows of a merge plan: its rows in plans the user
    may see. Rows in other plans move too but are neither listed nor counted: a
    count would reveal that the person is named in a plan the user cannot see (the
    people pages' rule); the page says so in general terms."""

    focal_points: list
    combined: list
    leaderships: list
    memberships: list
    progress_updates: list
    plans: list[ActionPlan]


def _plan_of(point: ActionPoint) -> int:
    return point.challenge.working_group.plan_id


def _listing(user, plan: MergePlan) -> Listing:
    touched = (
        {_plan_of(fp.action_point) for fp in plan.focal_points}
        | {_plan_of(c.kept.action_point) for c in plan.combined}
        | {group.plan_id for group in plan.leaderships + plan.memberships}
        | {_plan_of(update.action_point) for update in plan.progress_updates}
        | set(plan.namings)
    )
    visible = {
        p.pk: p for p in ActionPlan.objects.visible_to(user).filter(pk__in=touched).order_by()
    }
    for group in plan.memberships:
        group.joins = group.pk in plan.joins
    return Listing(
        focal_points=[fp for fp in plan.focal_points if _plan_of(fp.action_point) in visible],
        combined=[c for c in plan.combined if _plan_of(c.kept.action_point) in visible],
        leaderships=[group for group in plan.leaderships if group.plan_id in visible],
        memberships=[group for group in plan.memberships if group.plan_id in visible],
        progress_updates=[u for u in plan.progress_updates if _plan_of(u.action_point) in visible],
        plans=sorted(
            (visible[pk] for pk in plan.namings if pk in visible),
            key=lambda p: (p.title.casefold(), p.pk),
        ),
    )


@require_http_methods(["GET", "HEAD", "POST"])
def person_merge(request: HttpRequest, pk: int, other: int) -> HttpResponse:
    """Merge person `other` into person `pk`: GET lists what would move, POST merges."""
    user = request.user
    _require_manager(user)
    people = perms.visible_people(user).select_related("organization", "user")
    kept = get_object_or_404(people, pk=pk)
    merged = kept if other == pk else get_object_or_404(people, pk=other)
    perms.require(
        can_merge(user, kept, merged),
        _("Only administrators, and coordinators who may edit both people, can merge them."),
    )
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.person_merge(kept=kept, merged=merged, user=user)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request,
                _("Merged %(merged)s into %(kept)s.")
                % {"merged": isolate(merged.name), "kept": isolate(kept.name)},
            )
            return redirect("orgs:person_detail", pk=kept.pk)
    else:
        try:
            check_mergeable(kept, merged)
        except ValidationError as error:
            errors = error.messages
    plan = listing = None
    if not errors:
        plan = services.merge_plan(kept=kept, merged=merged)
        listing = _listing(user, plan)
    _describe(user, [kept] if kept is merged else [kept, merged])
    return render(
        request,
        "actionplans/duplicates_merge.html",
        {
            "nav": "people",
            "kept": kept,
            "merged": merged,
            "errors": errors,
            "listing": listing,
            "plan": plan,
            "show_email": perms.can_manage_people(user),
            "show_account": perms.is_admin(user),
        },
        status=400 if errors and request.method == "POST" else 200,
    )
