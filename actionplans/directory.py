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

from django.db.models import QuerySet
from django.db.models.functions import Lower

from actionplans.models import ActionPlan, Naming
from actionplans.permissions import visible_people
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
    """People the user may see who have been named in a plan of this operation."""
    named = Naming.objects.filter(plan__in=operation_plans(country)).values("person_id")
    return visible_people(user).filter(id__in=named)


def matches(user, names: Iterable[str], *, country: str) -> dict[str, list[Person]]:
    """For each name's key, the people of the operation it may be (one query).

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


def matches_for_everyone(names: Iterable[str], *, country: str) -> dict[str, list[Person]]:
    """matches() as an administrator sees the directory: everyone named in a plan
    of the operation. For what runs without a user (manage.py import_plan)."""
    keys = {match_key(name) for name in names} - {""}
    if not keys:
        return {}
    named = Naming.objects.filter(plan__in=operation_plans(country)).values("person_id")
    found: dict[str, list[Person]] = {}
    people = (
        Person.objects.filter(id__in=named, match_key__in=keys)
        .select_related("organization")
        .order_by("name", "id")
    )
    for person in people:
        found.setdefault(person.match_key, []).append(person)
    return found


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
