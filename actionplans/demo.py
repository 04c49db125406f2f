"""The demo: the seed plan from the PIM training in Beirut, four accounts,
example addresses for the plan's people (so that reminders have somewhere to go),
and (load_demo) an example plan whose dates follow today (demo_example.py).

Used by `manage.py load_demo` (and so by `make run`). Running it again
changes nothing: the plan is recognised by its title, the accounts by their
usernames, and a person who has an address keeps it.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.text import slugify

from actionplans.choices import PlanStatus, PlanVisibility
from actionplans.demo_example import example_plan_load
from actionplans.imports.read import read_workshop_tsv
from actionplans.imports.write import plan_create_from_workshop
from actionplans.models import ActionPlan
from actionplans.selectors import plan_people
from actionplans.services import plan_update
from actionplans.services.people import AMBIGUOUS_NEW
from orgs.models import Person
from orgs.services import normalize_name, person_update

DEMO_TITLE = "PIM Lebanon Action Plan"
DEMO_COUNTRY = "Lebanon"
DEMO_ORIGIN = "PIM training, Beirut, 10-13 Dec 2018"
DEMO_MEMBER_PERSON = "Jad"
# Reserved for examples (RFC 2606): no mail is ever delivered there.
DEMO_EMAIL_DOMAIN = "example.org"

# username -> what the account is for
DEMO_ACCOUNTS = {
    "demo-admin": "site administrator (can use the admin at /admin/)",
    "demo-coordinator": "coordinator of the demo plan",
    "demo-member": f"member of the demo plan (the person {DEMO_MEMBER_PERSON})",
    "demo-viewer": "signed-in user with no role in the plan",
}


@dataclass
class DemoAccount:
    username: str
    role: str
    password: str | None  # None: unchanged and not known to this checkout
    created: bool


@dataclass
class DemoResult:
    plan: ActionPlan
    plan_created: bool
    accounts: list[DemoAccount]
    # The plan's people and their addresses, by name.
    addresses: list[tuple[str, str]]
    # The example plan whose dates follow the day it was loaded (demo_example.py).
    example_plan: ActionPlan | None = None
    example_created: bool = False


def _read_credentials(path: Path) -> dict[str, str]:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return {}


def _write_credentials(path: Path, credentials: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(credentials, indent=2))
    path.chmod(0o600)


def _account(
    username: str, credentials: dict[str, str], reset_password: bool
) -> tuple[AbstractUser, DemoAccount]:
    """Get or create one demo account; a password is generated, never committed."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    created = user is None
    if created or reset_password:
        password = secrets.token_urlsafe(9)
        if created:
            user = user_model.objects.create_user(
                username=username, email=f"{username}@example.org", password=password
            )
            if username == "demo-admin":
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
        credentials[username] = password
    else:
        stored = credentials.get(username)
        password = stored if stored and user.check_password(stored) else None
    return user, DemoAccount(username, DEMO_ACCOUNTS[username], password, created)


def demo_address(name: str) -> str:
    """jad@example.org for Jad: an example address made from a person's name."""
    return f"{slugify(name).replace('-', '.') or 'person'}@{DEMO_EMAIL_DOMAIN}"


def _give_addresses(plan: ActionPlan) -> list[tuple[str, str]]:
    """An example address for each person of the plan who has none (an address
    another person already has is left alone: addresses are unique)."""
    people = list(plan_people(plan=plan).order_by("name", "id"))
    wanted = {person.pk: demo_address(person.name) for person in people if not person.email}
    taken = set(
        Person.objects.annotate(address=Lower("email"))
        .filter(address__in=wanted.values())
        .values_list("address", flat=True)
    )
    for person in people:
        address = wanted.get(person.pk)
        if address and address not in taken:
            person_update(person=person, email=address)
            taken.add(address)
    return [(person.name, person.email) for person in people]


@transaction.atomic
def demo_load(
    *,
    table_file: Path,
    credentials_file: Path,
    reset_passwords: bool = False,
    example: bool = False,
) -> DemoResult:
    """Create the demo plan and accounts where they are missing; with `example`, the
    example plan with dates relative to today too (actionplans/demo_example.py)."""
    credentials = _read_credentials(credentials_file)
    plan = ActionPlan.objects.filter(title=DEMO_TITLE).order_by("id").first()
    plan_created = plan is None
    if plan is None:
        table = read_workshop_tsv(table_file.read_text(encoding="utf-8"))
        plan = plan_create_from_workshop(
            table=table,
            title=DEMO_TITLE,
            country=DEMO_COUNTRY,
            origin=DEMO_ORIGIN,
            status=PlanStatus.ACTIVE,
            # The viewer account is there to show what any signed-in user sees.
            visibility=PlanVisibility.SIGNED_IN,
            # A database that already names two people of a demo name in Lebanon
            # still gets its demo: the demo's own people then.
            ambiguous=AMBIGUOUS_NEW,
        )

    accounts = []
    users = {}
    for username in DEMO_ACCOUNTS:
        users[username], account = _account(username, credentials, reset_passwords)
        accounts.append(account)

    coordinator = users["demo-coordinator"]
    if not plan.coordinators.filter(pk=coordinator.pk).exists():
        plan_update(plan=plan, user=None, coordinators=[*plan.coordinators.all(), coordinator])

    member = users["demo-member"]
    person = next(
        (
            p
            for p in plan_people(plan=plan)
            if normalize_name(p.name) == normalize_name(DEMO_MEMBER_PERSON)
        ),
        None,
    )
    if person is not None and person.user_id is None and not hasattr(member, "person"):
        person_update(person=person, user=member)
    addresses = _give_addresses(plan)
    example_plan, example_created = None, False
    if example:
        example_plan, example_created = example_plan_load(
            seed_plan=plan, coordinator=coordinator, member=member
        )

    if any(account.password for account in accounts if account.created) or reset_passwords:
        _write_credentials(credentials_file, credentials)
    return DemoResult(
        plan=plan,
        plan_created=plan_created,
        accounts=accounts,
        addresses=addresses,
        example_plan=example_plan,
        example_created=example_created,
    )
