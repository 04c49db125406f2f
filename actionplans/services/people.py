"""The people a plan names, found by name as the workshop wrote them.

Who a written name is (the rule of actionplans/directory.py):

1. a person of the plan itself, when the plan has one by that name (ignoring case,
   spacing, accents: orgs.matching.match_key);
2. else, for a plan with a country, the people the user may see who have been named
   in a plan of the same operation (the plans of that country): one is reused;
   several are a choice (the importer's preview asks; a command creates a new person
   or stops); written with an organization ("UNHCR (Omar)"), the one of that
   organization, when only one is;
3. else a new person.

Tables carry no email column, so an import never matches by email
(directory.by_email is for the doors that take one).

"The user" is whoever imports; None means what runs without a user (manage.py
import_plan): administrators' view, every person named in the operation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from actionplans import directory
from actionplans.models import ActionPlan
from actionplans.selectors import plan_people
from actionplans.services.common import User
from orgs.matching import check_name, clean_name, match_key
from orgs.models import Organization, Person
from orgs.services import organization_get_or_create, person_create

# What to do with a name several people of the operation bear, when no choice is given.
AMBIGUOUS_STOP = "stop"  # refuse the import, naming them (the default)
AMBIGUOUS_NEW = "new"  # a new person for each
AMBIGUOUS_POLICIES = (AMBIGUOUS_STOP, AMBIGUOUS_NEW)

# How a name of the table is resolved (NamedPerson.status).
IN_PLAN = "plan"
EXISTING = "existing"
AMBIGUOUS = "ambiguous"
NEW = "new"


@dataclass
class NamedPerson:
    """A name the table writes (once, whatever the spelling) and who it is."""

    index: int  # its place among the table's names, in the order written
    key: str
    name: str  # as first written, with single spaces
    organization: str | None = None  # the first organization written with it
    person: Person | None = None  # the person of the plan, or the one match
    in_plan: bool = False
    candidates: list[Person] = field(default_factory=list)  # several: a choice
    # The plans each candidate (or the person) has been named in, that the user may see.
    plans: dict[int, list[ActionPlan]] = field(default_factory=dict)

    @property
    def status(self) -> str:
        if self.in_plan:
            return IN_PLAN
        if self.person is not None:
            return EXISTING
        return AMBIGUOUS if self.candidates else NEW

    def describe(self, person: Person) -> str:
        """“Omar (UNHCR; plans: Lebanon 2019, Beirut shelter)”: what tells namesakes
        apart (the plans the user may see; describe_plans() finds them)."""
        details = [person.organization.name if person.organization else _("no organization")]
        if titles := [plan.title for plan in self.plans.get(person.pk, [])]:
            details.append(_("plans: %(titles)s") % {"titles": ", ".join(titles)})
        return f"{person.name} ({'; '.join(details)})"

    @property
    def description(self) -> str:
        """The person found, described (for a name found outside the plan)."""
        return self.describe(self.person) if self.person is not None else ""

    def candidates_text(self) -> str:
        return ", ".join(self.describe(person) for person in self.candidates)


def match_names(
    entries: Iterable[tuple[str, str | None]],
    *,
    plan: ActionPlan | None,
    country: str,
    user: User | None,
    own: Mapping[str, Person] | None = None,
) -> list[NamedPerson]:
    """Who each name of a table is (see the module's rule), in the order written.
    Writes nothing: two queries (the plan's people, the operation's matches),
    whatever the number of names. Names without letters are left out (the import
    refuses them when it writes). `own`: the plan's people by key, when known."""
    named: dict[str, NamedPerson] = {}
    organizations: dict[str, set[str]] = {}
    for written, organization in entries:
        key = match_key(written)
        if not key:
            continue
        item = named.get(key)
        if item is None:
            item = named[key] = NamedPerson(index=len(named), key=key, name=clean_name(written))
        if organization:
            item.organization = item.organization or organization
            organizations.setdefault(key, set()).add(clean_name(organization).casefold())
    if own is None and plan is not None and plan.pk is not None:
        own = {person.match_key: person for person in plan_people(plan=plan)}
    if own:
        for key, item in named.items():
            if key in own:
                item.person, item.in_plan = own[key], True
    rest = [item.name for item in named.values() if not item.in_plan]
    if rest and country:
        found = directory.matches(user, rest, country=country)
        for key, people in found.items():
            item = named[key]
            if item.in_plan:
                continue
            people = _of_organization(people, organizations.get(key, set())) or people
            if len(people) == 1:
                item.person = people[0]
            else:
                item.candidates = people
    return list(named.values())


def _of_organization(people: list[Person], written: set[str]) -> list[Person]:
    """The one person of the organization the table writes with the name ("UNHCR
    (Omar)"), by name or acronym; [] when that does not single one out."""
    if len(people) < 2 or len(written) != 1:
        return []
    (organization,) = written
    of_it = [
        person
        for person in people
        if person.organization is not None
        and organization
        in {person.organization.name.casefold(), person.organization.acronym.casefold()}
    ]
    return of_it if len(of_it) == 1 else []


def describe_plans(named: list[NamedPerson], user: User | None) -> None:
    """Fill in the plans of the people found and offered (one query), for the preview
    and the messages that list namesakes."""
    ids = [person.pk for item in named for person in _shown(item)]
    plans = directory.plans_named_in(user, ids)
    for item in named:
        item.plans = {person.pk: plans.get(person.pk, []) for person in _shown(item)}


def _shown(item: NamedPerson) -> list[Person]:
    if item.candidates:
        return item.candidates
    return [item.person] if item.person is not None and not item.in_plan else []


class PlanPeople:
    """People of one plan by name (orgs.matching.match_key); new names create people.

    prepare() finds every name of a table at once (the plan's own people first, then
    the directory of the plan's operation) and creates the new people in one bulk
    insert; get() then answers without a query. Without prepare() (a form that names
    a few people), get() matches within the plan only.
    """

    def __init__(self, plan: ActionPlan) -> None:
        self.plan = plan
        self.by_name = {person.match_key: person for person in plan_people(plan=plan)}
        self.created = 0
        self.reused = 0  # people of other plans of the operation, now named here
        self.ambiguous: list[NamedPerson] = []  # several candidates: what was done
        self._organizations: dict[str, Organization] = {}

    def _organization(self, name: str | None) -> Organization | None:
        if not name:
            return None
        if name not in self._organizations:
            self._organizations[name] = organization_get_or_create(name=name)
        return self._organizations[name]

    def prepare(
        self,
        entries: Iterable[tuple[str, str | None]],
        user: User | None = None,
        *,
        choices: Mapping[str, int | None] | None = None,
        ambiguous: str = AMBIGUOUS_STOP,
    ) -> None:
        """Find or create every person a table names, all at once.

        `user` imports: their view of the directory (None: everyone's) and the
        history's author. `choices` says who an ambiguous name is, by its key: a
        candidate's id, or None for a new person; a name with candidates and no
        choice follows `ambiguous`. A choice that is not one of the candidates, or
        (by default) a name left ambiguous, raises ValidationError before anything
        is written.
        """
        if ambiguous not in AMBIGUOUS_POLICIES:
            raise ValueError(f"ambiguous must be one of {AMBIGUOUS_POLICIES}")
        choices = dict(choices or {})
        named = match_names(
            entries, plan=self.plan, country=self.plan.country, user=user, own=self.by_name
        )
        self._check_choices(named, choices)
        undecided = [item for item in named if item.status == AMBIGUOUS and item.key not in choices]
        if any(item.candidates for item in named):
            describe_plans(named, user)
        if undecided and ambiguous == AMBIGUOUS_STOP:
            raise ValidationError(
                [
                    ValidationError(
                        _(
                            "“%(name)s” may be any of %(count)d people already named in plans "
                            "of %(country)s: %(people)s. Say which, or that it is a new person."
                        ),
                        code="ambiguous_people",
                        params={
                            "name": item.name,
                            "count": len(item.candidates),
                            "country": self.plan.country,
                            "people": item.candidates_text(),
                        },
                    )
                    for item in undecided
                ]
            )
        new: dict[str, Person] = {}
        found: list[Person] = []
        for item in named:
            if item.in_plan:
                continue
            person = item.person
            if item.candidates:
                self.ambiguous.append(item)
                chosen = choices.get(item.key)
                person = next((p for p in item.candidates if p.pk == chosen), None)
            elif item.key in choices and choices[item.key] is None:
                person = None  # a new person, as chosen
            if person is not None:
                self.by_name[item.key] = person
                found.append(person)
                continue
            try:
                name = check_name(item.name)
            except ValidationError:
                continue  # left to get(), where person_create says what is wrong
            new[item.key] = Person(
                name=name, match_key=item.key, organization=self._organization(item.organization)
            )
        in_plan = [item.person for item in named if item.in_plan and item.person is not None]
        self._complete_organizations(named, in_plan + found, user)
        created = bulk_create_with_history(
            list(new.values()), Person, batch_size=1000, default_user=user
        )
        self.by_name.update(zip(new, created, strict=True))
        self.created += len(created)
        self.reused += len(found)

    def _check_choices(self, named: list[NamedPerson], choices: dict[str, int | None]) -> None:
        """Each choice names a name of the table not already in the plan, and one of
        the people it may be (or None: a new person)."""
        items = {item.key: item for item in named}
        problems = []
        for key, chosen in choices.items():
            item = items.get(key)
            if item is None or item.in_plan:
                problems.append(
                    ValidationError(
                        _("The table names no new “%(name)s” to choose for."),
                        code="invalid_choice",
                        params={"name": key},
                    )
                )
            elif chosen is not None and chosen not in {
                person.pk for person in item.candidates or [item.person] if person is not None
            }:
                problems.append(
                    ValidationError(
                        _(
                            "The person chosen for “%(name)s” is not one of those offered: "
                            "choose again."
                        ),
                        code="invalid_choice",
                        params={"name": item.name},
                    )
                )
        if problems:
            raise ValidationError(problems)

    def _complete_organizations(
        self, named: list[NamedPerson], found: list[Person], user: User | None
    ) -> None:
        """People found (in the plan or the directory) without an organization take
        the one the table writes with their name (one update for all)."""
        organizations = {item.key: item.organization for item in named if item.organization}
        changed = []
        now = timezone.now()
        for person in found:
            if person.organization_id is None and person.match_key in organizations:
                person.organization = self._organization(organizations[person.match_key])
                person.updated = now
                changed.append(person)
        if changed:
            bulk_update_with_history(
                changed, Person, ["organization", "updated"], batch_size=1000, default_user=user
            )

    def get(self, name: str, organization: str | None = None) -> Person:
        key = match_key(name)
        person = self.by_name.get(key)
        org = self._organization(organization)
        if person is None:
            person = person_create(name=name, organization=org)
            self.by_name[key] = person
            self.created += 1
        elif org is not None and person.organization_id is None:
            person.organization = org
            person.save(update_fields=["organization", "updated"])
        return person
