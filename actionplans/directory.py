"""Who a written name is, in the directory of people (issue: one directory of people).

The rule, for every door (forms, API, import, invitations):
- an email address identifies a person anywhere;
- without one, a name (compared by orgs.matching.match_key) identifies a person
  only within one operation: the plans of the same country. "Omar" named in a
  Lebanon plan and "Omar" named in an Iraq plan are different people; across
  countries a match is only ever a suggestion;
- only people the user may see are ever offered (actionplans.permissions).

One match is the person; several are a choice the user makes; none is a new
person.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.db.models.functions import Lower

from actionplans.models import ActionPlan, Naming
from actionplans.permissions import visible_people
from actionplans.selectors import plan_people
from orgs.matching import match_key
from orgs.models import Person


def operation_plans(country: str) -> QuerySet[ActionPlan]:
    """The plans of one operation: same country, ignoring case and spacing. A plan
    without a country is an operation of its own (nothing else is in it)."""
    country = " ".join(country.split())
    if not country:
        return ActionPlan.objects.none()
    return ActionPlan.objects.filter(country__iexact=country)


def people_in_operation(user, country: str) -> QuerySet[Person]:
    """People the user may see (everyone for None: what runs without a user, as
    manage.py import_plan) who have been named in a plan of this operation."""
    named = Naming.objects.filter(plan__in=operation_plans(country)).values("person_id")
    people = Person.objects.all() if user is None else visible_people(user)
    return people.filter(id__in=named)


def matches(user, names: Iterable[str], *, country: str) -> dict[str, list[Person]]:
    """For each name's key, the people of the operation it may be (one query), among
    those the user may see (everyone for None).

    Keys with no match are absent; a key with several people is ambiguous.
    """
    keys = {match_key(name) for name in names} - {""}
    if not keys:
        return {}
    found: dict[str, list[Person]] = {}
    people = (
        people_in_operation(user, country)
        .filter(match_key__in=keys)
        .select_related("organization")
        .order_by("name", "id")
    )
    for person in people:
        found.setdefault(person.match_key, []).append(person)
    return found


def by_email(user, emails: Iterable[str]) -> dict[str, Person]:
    """The person each address belongs to, anywhere (addresses are unique ignoring
    case), among those the user may see; lower-cased addresses as keys."""
    wanted = {email.strip().lower() for email in emails if email and email.strip()}
    if not wanted:
        return {}
    people = visible_people(user).annotate(address=Lower("email")).filter(address__in=wanted)
    return {person.address: person for person in people}


def plans_named_in(user, person_ids: Iterable[int]) -> dict[int, list[ActionPlan]]:
    """The plans each person has been named in, among those the user may see (every
    plan for None: what runs without a user), by title (one query). What tells two
    namesakes apart, with their organization."""
    ids = set(person_ids)
    if not ids:
        return {}
    namings = Naming.objects.filter(person_id__in=ids).select_related("plan")
    if user is not None:
        namings = namings.filter(plan__in=ActionPlan.objects.visible_to(user))
    found: dict[int, list[ActionPlan]] = {}
    for naming in namings.order_by("plan__title", "plan_id"):
        found.setdefault(naming.person_id, []).append(naming.plan)
    return found


# --- typing people in a plan's forms --------------------------------------------------
# The focal-point and team fields of the plan pages: suggestions while typing, and who
# each typed name is (actionplans/forms.py: PeopleReading).


def in_plan_operation(plan: ActionPlan) -> Q:
    """People of the plan's operation: named in a plan of the same country, or in this
    plan (a plan without a country is an operation of its own; the plan's people
    are counted as it names them now too)."""
    named = Naming.objects.filter(Q(plan__in=operation_plans(plan.country)) | Q(plan=plan))
    return Q(id__in=named.values("person_id")) | Q(id__in=plan_people(plan=plan).values("id"))


def _flag(condition: Q) -> Case:
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def namesakes(user, names: Iterable[str], *, plan: ActionPlan) -> dict[str, list[Person]]:
    """For each name's key, every person the user may see who has that key (one
    query), with `in_operation`: whether they are of the plan's operation. Only those
    may be the name without asking (one is the person, several a choice); the
    others are namesakes elsewhere, offered as a suggestion, never taken silently."""
    keys = {match_key(name) for name in names} - {""}
    if not keys:
        return {}
    people = (
        visible_people(user)
        .filter(match_key__in=keys)
        .annotate(in_operation=_flag(in_plan_operation(plan)))
        .select_related("organization")
        .order_by("-in_operation", "name", "id")
    )
    found: dict[str, list[Person]] = {}
    for person in people:
        found.setdefault(person.match_key, []).append(person)
    return found


def visible_by_id(user, ids: Iterable[int]) -> dict[int, Person]:
    """The people with these ids the user may see (a person picked among the
    suggestions; a forged id finds nobody). One query."""
    wanted = set(ids)
    if not wanted:
        return {}
    people = visible_people(user).filter(id__in=wanted).select_related("organization")
    return {person.pk: person for person in people}


def suggestions(
    user, text: str, *, plan: ActionPlan | None = None, limit: int = 10
) -> list[Person]:
    """People the user may see whose name contains what is typed (compared by
    match_key): those of the plan's operation first, then names that start with it
    (or one of whose words does), then by name. One query."""
    key = match_key(text)
    if not key:
        return []
    in_operation = _flag(in_plan_operation(plan)) if plan is not None else Value(False)
    starts = _flag(Q(match_key__startswith=key) | Q(match_key__contains=f" {key}"))
    return list(
        visible_people(user)
        .filter(match_key__contains=key)
        .annotate(in_operation=in_operation, starts=starts)
        .select_related("organization")
        .order_by("-in_operation", "-starts", "name", "id")[:limit]
    )
