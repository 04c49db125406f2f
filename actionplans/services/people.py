"""The people a plan names, found by name as the workshop wrote them."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from simple_history.utils import bulk_create_with_history

from actionplans.models import ActionPlan
from actionplans.selectors import plan_people
from actionplans.services.common import User
from orgs.matching import check_name, match_key
from orgs.models import Organization, Person
from orgs.services import organization_get_or_create, person_create


class PlanPeople:
    """People of one plan by name, ignoring case and spacing; new names create people."""

    def __init__(self, plan: ActionPlan) -> None:
        self.by_name = {person.match_key: person for person in plan_people(plan=plan)}
        self.created = 0
        self._organizations: dict[str, Organization] = {}

    def _organization(self, name: str | None) -> Organization | None:
        if not name:
            return None
        if name not in self._organizations:
            self._organizations[name] = organization_get_or_create(name=name)
        return self._organizations[name]

    def prepare(self, entries: Iterable[tuple[str, str | None]], user: User | None = None) -> None:
        """Create every new person of a table at once (with their history rows):
        one by one, each costs a validation and two inserts."""
        new: dict[str, Person] = {}
        for written, organization in entries:
            key = match_key(written)
            if key in self.by_name or key in new:
                continue
            try:
                name = check_name(written)
            except ValidationError:
                continue  # left to get(), where person_create says what is wrong
            new[key] = Person(
                name=name, match_key=key, organization=self._organization(organization)
            )
        created = bulk_create_with_history(
            list(new.values()), Person, batch_size=1000, default_user=user
        )
        self.by_name.update(zip(new, created, strict=True))
        self.created += len(created)

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
