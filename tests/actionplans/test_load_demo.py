"""load_demo: the seed plan exactly as the workshop wrote it, four accounts, the people's
example addresses, an example plan whose dates follow today, idempotent."""

import datetime
import json
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from actionplans.demo import DEMO_TITLE
from actionplans.demo_example import EXAMPLE_TITLE
from actionplans.models import (
    ActionPlan,
    ActionPoint,
    Challenge,
    DeadlineChange,
    FocalPoint,
    ProgressUpdate,
    WorkingGroup,
)
from actionplans.selectors import team_members_in_order
from orgs.models import Organization, Person

pytestmark = pytest.mark.django_db

MODELS = [
    ActionPlan,
    WorkingGroup,
    Challenge,
    ActionPoint,
    FocalPoint,
    ProgressUpdate,
    DeadlineChange,
    Person,
    Organization,
    get_user_model(),
]


def _load(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def _snapshot() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    for model in MODELS[:-1]:
        counts[f"history:{model.__name__}"] = model.history.count()
    return counts


def test_load_demo_creates_the_seed_plan():
    _load()

    plan = ActionPlan.objects.get(title=DEMO_TITLE)
    assert (plan.title, plan.country, plan.origin, plan.status, plan.visibility) == (
        "PIM Lebanon Action Plan",
        "Lebanon",
        "PIM training, Beirut, 10-13 Dec 2018",
        "active",
        "signed_in",
    )
    group = WorkingGroup.objects.get(plan=plan)
    assert (group.plan, group.number, group.name, group.team_leader.name) == (
        plan,
        1,
        "Data Sharing",
        "Jad",
    )
    assert [p.name for p in team_members_in_order([group.pk])[group.pk]] == [
        "Rana",
        "Omar",
        "Maria",
        "Fred",
        "Jad",
    ]
    assert list(
        Challenge.objects.filter(working_group__plan=plan)
        .order_by("number")
        .values_list("number", "description")
    ) == [
        (1, "Lack of common, user-friendly and secure data-sharing tools"),
        (2, "Informed consent about sharing and different types of sharing and recipients"),
        (3, "Trust between actors (in terms of data quality, methodology, data protection)"),
        (4, "Lack of knowledge about where and how to access information and data"),
    ]
    points = ActionPoint.objects.of_plan(plan).order_by("challenge__number", "position")
    assert [
        (
            p.challenge.number,
            p.position,
            p.deadline,
            p.deadline_precision,
            p.due_date,
            p.status,
            p.progress,
        )
        for p in points
    ] == [
        (1, 1, "Q1 of 2019", "quarter", datetime.date(2019, 3, 31), "not_started", 0),
        (2, 1, "2019", "year", datetime.date(2019, 12, 31), "not_started", 0),
        (3, 1, "Q1 of 2019", "quarter", datetime.date(2019, 3, 31), "not_started", 0),
        (4, 1, "Q1 of 2019", "quarter", datetime.date(2019, 3, 31), "not_started", 0),
    ]
    assert [p.description for p in points] == [
        "IMWG to recommend standardized tools and procedures",
        "Build comprehensive consent form drafts and guidelines on which to choose depending on "
        "survey/activities Disseminate",
        'Disseminate the "VASyR quality assurance package" methodology',
        "Raise awareness on national studies (VASyR, KAP, MICS, ARK) in sector WG, in "
        "inter-agency. Promote use of and contributions to Lebanon Factbook and Assessment "
        "Registry in IMWG and Inter-Agency",
    ]
    assert [[(fp.person.name, fp.role) for fp in p.focal_points.all()] for p in points] == [
        [("Jad", "lead")],
        [("Fanette", "lead"), ("Fred", "advisor")],
        [("Jad", "lead")],
        [("Jad", "lead")],
    ]
    assert sorted(Person.objects.values_list("name", flat=True)) == [
        "Fanette",
        "Fred",
        "Jad",
        "Maria",
        "Omar",
        "Rana",
    ]


def test_load_demo_creates_four_accounts_with_their_roles(client):
    output = _load()

    plan = ActionPlan.objects.get(title=DEMO_TITLE)
    users = get_user_model().objects.order_by("username")
    assert [u.username for u in users] == [
        "demo-admin",
        "demo-coordinator",
        "demo-member",
        "demo-viewer",
    ]
    assert [u.username for u in plan.coordinators.all()] == ["demo-coordinator"]
    assert Person.objects.get(name="Jad").user.username == "demo-member"
    assert [u.username for u in users if u.is_staff or u.is_superuser] == ["demo-admin"]
    assert users.get(username="demo-admin").is_superuser

    printed = dict(re.findall(r"^\s+(demo-\w+)\s+(\S+)\s", output, re.MULTILINE))
    assert sorted(printed) == ["demo-admin", "demo-coordinator", "demo-member", "demo-viewer"]
    for username, password in printed.items():
        response = client.post("/accounts/login/", {"username": username, "password": password})
        assert response.status_code == 302, username


def test_load_demo_twice_changes_nothing(settings):
    first = _load()
    before = _snapshot()
    passwords = {u.username: u.password for u in get_user_model().objects.all()}

    second = _load()

    assert _snapshot() == before
    assert {u.username: u.password for u in get_user_model().objects.all()} == passwords
    plan_id = ActionPlan.objects.get(title=DEMO_TITLE).pk
    example_id = ActionPlan.objects.get(title=EXAMPLE_TITLE).pk
    assert first.splitlines()[:2] == [
        f'Created plan "PIM Lebanon Action Plan" (id {plan_id}).',
        f'Created plan "Example plan (dates relative to today)" (id {example_id}).',
    ]
    assert second.splitlines()[:2] == [
        f'Already there: plan "PIM Lebanon Action Plan" (id {plan_id}).',
        f'Already there: plan "Example plan (dates relative to today)" (id {example_id}).',
    ]
    # The credentials kept in the ignored local file are printed again.
    assert first.splitlines()[2:] == second.splitlines()[2:]
    stored = json.loads((settings.LOCAL_STATE_DIR / "demo_credentials.json").read_text())
    assert sorted(stored) == ["demo-admin", "demo-coordinator", "demo-member", "demo-viewer"]


DEMO_ADDRESSES = [
    ("Fanette", "fanette@example.org"),
    ("Fred", "fred@example.org"),
    ("Jad", "jad@example.org"),
    ("Maria", "maria@example.org"),
    ("Omar", "omar@example.org"),
    ("Rana", "rana@example.org"),
]


def test_load_demo_gives_the_people_example_addresses():
    output = _load()

    assert list(Person.objects.order_by("name").values_list("name", "email")) == DEMO_ADDRESSES
    # The member account stays linked to Jad, with its own address.
    jad = Person.objects.get(name="Jad")
    assert (jad.user.username, jad.user.email) == ("demo-member", "demo-member@example.org")
    assert output.splitlines()[-2:] == [
        "Demo people's addresses (example.org: nothing is delivered there):",
        "  " + ", ".join(f"{name} {email}" for name, email in DEMO_ADDRESSES),
    ]
    # The change is in the people's history, like any other.
    assert Person.history.filter(history_type="~", email="jad@example.org").count() == 1


def test_load_demo_keeps_an_address_and_skips_one_taken_by_someone_else():
    _load()
    Person.objects.filter(name="Fred").update(email="Fred.Advisor@Example.NET")
    Person.objects.filter(name__in=["Omar", "Rana"]).update(email="")
    Person.objects.create(name="Another Omar", email="OMAR@example.org")

    output = _load()

    assert list(
        Person.objects.filter(name__in=["Fred", "Omar", "Rana"])
        .order_by("name")
        .values_list("name", "email")
    ) == [
        ("Fred", "Fred.Advisor@Example.NET"),
        ("Omar", ""),
        ("Rana", "rana@example.org"),
    ]
    assert "Fred Fred.Advisor@Example.NET, Jad jad@example.org" in output
    assert "Omar (none), Rana rana@example.org" in output
    assert Person.objects.get(name="Jad").user.username == "demo-member"


def test_load_demo_gives_addresses_to_a_demo_loaded_before_addresses_existed():
    _load()
    Person.objects.update(email="")

    _load()

    assert list(Person.objects.order_by("name").values_list("name", "email")) == DEMO_ADDRESSES


def test_load_demo_reset_passwords_gives_new_working_passwords(client):
    first = dict(re.findall(r"^\s+(demo-\w+)\s+(\S+)\s", _load(), re.MULTILINE))
    second = dict(re.findall(r"^\s+(demo-\w+)\s+(\S+)\s", _load("--reset-passwords"), re.MULTILINE))
    assert all(first[name] != second[name] for name in first)
    # Through the sign-in page (django-axes needs the request to check its lockouts):
    # signed in, a redirect; refused, the form again.
    signed_in = client.post(
        "/accounts/login/", {"username": "demo-viewer", "password": second["demo-viewer"]}
    )
    assert signed_in.status_code == 302
    refused = client.post(
        "/accounts/login/", {"username": "demo-member", "password": first["demo-member"]}
    )
    assert refused.status_code == 200


def test_load_demo_without_credentials_file_says_password_unchanged(settings):
    _load()
    (settings.LOCAL_STATE_DIR / "demo_credentials.json").unlink()
    output = _load()
    assert output.count("(unchanged; run `manage.py load_demo --reset-passwords`") == 4


def test_load_demo_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError) as excinfo:
        _load("--file", str(tmp_path / "nope.tsv"))
    assert str(excinfo.value) == f"No such file: {tmp_path / 'nope.tsv'}"
    assert ActionPlan.objects.count() == 0


def test_load_demo_broken_table_writes_nothing(tmp_path):
    broken = tmp_path / "broken.tsv"
    broken.write_text(
        "Group 1: Data\nChallenges\tAction Point\tDeadline\tFocal point\n1. A\tDo a\tsoonish\tJad\n"
    )
    with pytest.raises(CommandError) as excinfo:
        _load("--file", str(broken))
    assert str(excinfo.value).startswith(
        f'{broken}: Row 3, column C: Cannot read the deadline "soonish".'
    )
    assert _snapshot() == dict.fromkeys(_snapshot(), 0)
