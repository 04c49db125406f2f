"""The importer finds people already in the directory (issue 15): the plan's own
people first, then the people the importing user may see in plans of the same
country; one match is reused, several are a choice, none is a new person.
Tables carry no email column, so an import never matches by email."""

from __future__ import annotations

import html as html_module
import re
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command, execute_from_command_line
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actionplans import services
from actionplans.choices import PlanVisibility
from actionplans.demo import demo_load
from actionplans.imports.read import read_table
from actionplans.imports.write import plan_import
from actionplans.models import ActionPlan, Naming
from actionplans.selectors import plan_people
from orgs.models import Person
from orgs.services import organization_get_or_create, person_create
from tests.actionplans.transfer import SEED, SEED_CONTENT, plan_content, seed_bytes, snapshot
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SEED_PEOPLE = ["Fanette", "Fred", "Jad", "Maria", "Omar", "Rana"]

# The seed's people written in other case and spacing (and an accent: accents are ignored).
OTHER_SPELLING = (
    "Lebanon, written otherwise\n"
    "Group 1: Data Sharing\n"
    "Team leader\t  JAD \n"
    "Team members\trana,   OMAR , maria, FRED, jad\n"
    "Challenges\tAction Point\tDeadline\tFocal point\n"
    "1. Tools\tRecommend tools\tQ1 2019\tfanette  (Fréd can advise)\n"
).encode()


def _table(*focal_points: str, leader: str = "", members: str = "") -> bytes:
    """One group, one challenge, an action point per focal-point cell."""
    lines = ["Group 1: Data"]
    if leader:
        lines.append(f"Team leader\t{leader}")
    if members:
        lines.append(f"Team members\t{members}")
    lines.append("Challenges\tAction Point\tDeadline\tFocal point")
    for number, cell in enumerate(focal_points, start=1):
        lines.append(f"{'1. Lack' if number == 1 else ''}\tAction {number}\t2019\t{cell}")
    return ("\n".join(lines) + "\n").encode()


def _coordinator(username: str = "importer"):
    """An account that may create plans (and so import), coordinating none yet."""
    user = UserFactory(username=username)
    user.user_permissions.add(Permission.objects.get(codename="add_actionplan"))
    return user


def _demo(tmp_path) -> ActionPlan:
    """The demo plan: Lebanon, open to every signed-in user."""
    return demo_load(table_file=SEED, credentials_file=tmp_path / "credentials.json").plan


def _plan_with(title: str, country: str, people: list[Person], coordinator=None, **options):
    """A plan whose group names these people (through the services: their namings recorded)."""
    plan = services.plan_create(
        title=title,
        country=country,
        coordinators=[coordinator] if coordinator else [],
        **options,
    )
    services.working_group_create(
        plan=plan, name="Group", team_leader=people[0], team_members=people
    )
    return plan


def _person(name: str, organization: str | None = None) -> Person:
    org = organization_get_or_create(name=organization) if organization else None
    return person_create(name=name, organization=org)


@pytest.fixture
def two_omars():
    """Two Omars named in Lebanon plans the importer may see, of different organizations;
    the importer coordinates the first plan, the second is open to all signed-in users."""
    importer = _coordinator()
    unhcr_omar = _person("Omar", "UNHCR")
    wfp_omar = _person("Omar", "WFP")
    _plan_with("Lebanon protection", "Lebanon", [unhcr_omar], importer)
    _plan_with("Lebanon food security", "Lebanon", [wfp_omar], visibility=PlanVisibility.SIGNED_IN)
    return importer, unhcr_omar, wfp_omar


def _import(data: bytes, **options):
    return plan_import(table=read_table(data), **options)


def _names_and_ids(plan: ActionPlan) -> list[tuple[str, int]]:
    return sorted((person.name, person.pk) for person in plan_people(plan=plan))


# --- pages: upload, preview, confirm ----------------------------------------------------------


def _text(html: str) -> str:
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip())


def _upload(client, data: bytes, url: str = "/plans/import/", **fields):
    post = {"step": "upload", "file": SimpleUploadedFile("plan.tsv", data)}
    return client.post(url, post | {"visibility": "members"} | fields)


def _token(response) -> str:
    return response.context["confirm"]["token"].value()


def _confirm(client, token: str, url: str = "/plans/import/", **fields):
    return client.post(url, {"step": "confirm", "token": token} | fields)


def _people(response) -> list[tuple[str, str]]:
    """The preview's people, as (status, text), ambiguous ones by their question."""
    html = response.content.decode()
    rows = []
    for status, body in re.findall(r'<li class="person-(\w+)">(.*?)</li>\n', html, re.S):
        if status == "ambiguous":
            body = re.search(r"<legend>(.*?)</legend>", body, re.S).group(1)
        rows.append((status, _text(body)))
    return rows


def _radios(response) -> list[tuple[str, str, str]]:
    """Each radio button of the preview: (name, value, label)."""
    html = response.content.decode()
    return [
        (
            re.search(r'name="([^"]+)"', tag).group(1),
            re.search(r'value="([^"]*)"', tag).group(1),
            _text(label),
        )
        for tag, label in re.findall(
            r'(<input type="radio"[^>]*>) <label[^>]*>(.*?)</label>', html, re.S
        )
    ]


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_page_second_lebanon_plan_from_the_demo_table_creates_no_person(client, tmp_path):
    demo = _demo(tmp_path)
    client.force_login(_coordinator())
    people_before = Person.objects.count()

    preview = _upload(client, seed_bytes(), title="Lebanon 2020", country="Lebanon")

    assert _people(preview) == [
        ("existing", f"{name} — existing: {name} (no organization; plans: PIM Lebanon Action Plan)")
        for name in ["Jad", "Rana", "Omar", "Maria", "Fred", "Fanette"]
    ]
    assert _radios(preview) == []
    response = _confirm(client, _token(preview))

    plan = ActionPlan.objects.get(title="Lebanon 2020")
    assert response["Location"] == f"/plans/{plan.pk}/"
    assert _messages(response) == [
        "Imported: 1 working group(s), 4 challenge(s), 4 action point(s) and 0 person(s) "
        "added, 6 person(s) of other plans named."
    ]
    assert Person.objects.count() == people_before == 6
    assert _names_and_ids(plan) == _names_and_ids(demo)
    assert plan_content(plan) == SEED_CONTENT


def test_page_same_people_in_other_case_and_spacing_creates_no_person(client, tmp_path):
    demo = _demo(tmp_path)
    client.force_login(_coordinator())

    preview = _upload(client, OTHER_SPELLING, country="Lebanon")
    _confirm(client, _token(preview))

    plan = ActionPlan.objects.get(title="Lebanon, written otherwise")
    assert Person.objects.count() == 6
    assert [status for status, _text in _people(preview)] == ["existing"] * 6
    assert _names_and_ids(plan) == _names_and_ids(demo)
    # The names are the people's, not the table's spellings.
    assert sorted(person.name for person in plan_people(plan=plan)) == SEED_PEOPLE


def test_page_iraq_plan_naming_omar_creates_a_new_omar(client, tmp_path):
    _demo(tmp_path)
    lebanon_omar = Person.objects.get(name="Omar")
    client.force_login(_coordinator())

    preview = _upload(client, _table("Omar"), title="Iraq 2020", country="Iraq")
    response = _confirm(client, _token(preview))

    assert _people(preview) == [("new", "Omar — new person")]
    assert _messages(response) == [
        "Imported: 1 working group(s), 1 challenge(s), 1 action point(s) and 1 person(s) added."
    ]
    iraq_omar = Person.objects.exclude(pk=lebanon_omar.pk).get(name="Omar")
    assert _names_and_ids(ActionPlan.objects.get(title="Iraq 2020")) == [("Omar", iraq_omar.pk)]


def test_page_ambiguous_name_asks_with_each_candidate_and_a_new_person(client, two_omars):
    importer, unhcr_omar, wfp_omar = two_omars
    client.force_login(importer)
    before = snapshot()

    preview = _upload(client, _table("Omar", "Rana"), title="Lebanon 2021", country="Lebanon")

    assert snapshot() == before
    assert _people(preview) == [
        (
            "ambiguous",
            "Who is “Omar”? Several people you may see in plans of this country have that name.",
        ),
        ("new", "Rana — new person"),
    ]
    assert _radios(preview) == [
        ("who-0", str(unhcr_omar.pk), "Omar (UNHCR; plans: Lebanon protection)"),
        ("who-0", str(wfp_omar.pk), "Omar (WFP; plans: Lebanon food security)"),
        ("who-0", "new", "A new person"),
    ]


@pytest.mark.parametrize("chosen", ["unhcr", "wfp"])
def test_page_choosing_a_candidate_reuses_that_person(client, two_omars, chosen):
    importer, unhcr_omar, wfp_omar = two_omars
    omar = {"unhcr": unhcr_omar, "wfp": wfp_omar}[chosen]
    client.force_login(importer)
    token = _token(_upload(client, _table("Omar"), title="Lebanon 2021", country="Lebanon"))

    response = _confirm(client, token, **{"who-0": str(omar.pk)})

    plan = ActionPlan.objects.get(title="Lebanon 2021")
    assert response["Location"] == f"/plans/{plan.pk}/"
    assert Person.objects.count() == 2
    assert _names_and_ids(plan) == [("Omar", omar.pk)]


def test_page_choosing_a_new_person_creates_one(client, two_omars):
    importer, unhcr_omar, wfp_omar = two_omars
    client.force_login(importer)
    token = _token(_upload(client, _table("Omar"), title="Lebanon 2021", country="Lebanon"))

    _confirm(client, token, **{"who-0": "new"})

    new_omar = Person.objects.exclude(pk__in=[unhcr_omar.pk, wfp_omar.pk]).get()
    assert (new_omar.name, new_omar.organization) == ("Omar", None)
    assert _names_and_ids(ActionPlan.objects.get(title="Lebanon 2021")) == [("Omar", new_omar.pk)]


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        ("forged", "The person chosen for “Omar” is not one of those offered: choose again."),
        ("999999", "The person chosen for “Omar” is not one of those offered: choose again."),
        ("not-a-number", "The person chosen for “Omar” is not one of those offered: choose again."),
        (None, "Say who “Omar” is: one of the people listed, or a new person."),
    ],
    ids=["another-persons-id", "unknown-id", "not-an-id", "no-choice"],
)
def test_page_forged_or_missing_choice_is_refused_and_writes_nothing(
    client, two_omars, choice, message
):
    importer, _unhcr_omar, _wfp_omar = two_omars
    someone_else = _person("Karim")  # exists, but is not one of the Omars offered
    if choice == "forged":
        choice = str(someone_else.pk)
    client.force_login(importer)
    token = _token(_upload(client, _table("Omar"), title="Lebanon 2021", country="Lebanon"))
    before = snapshot()

    response = _confirm(client, token, **({"who-0": choice} if choice else {}))

    assert response.status_code == 200
    assert response.templates[0].name == "actionplans/import_preview.html"
    assert response.context["confirm"].errors == {"who-0": [message]}
    assert message in _text(response.content.decode())
    assert snapshot() == before
    # The import can still be confirmed with a valid choice.
    assert _confirm(client, token, **{"who-0": "new"}).status_code == 302


def test_page_choices_for_two_ambiguous_names_are_all_or_nothing(client, two_omars):
    importer, unhcr_omar, _wfp_omar = two_omars
    rana_1, rana_2 = _person("Rana", "UNICEF"), _person("Rana", "IOM")
    _plan_with("Lebanon education", "Lebanon", [rana_1, rana_2], importer)
    client.force_login(importer)
    token = _token(
        _upload(client, _table("Omar", "Rana", "Zeina"), title="Lebanon 2021", country="Lebanon")
    )
    before = snapshot()

    refused = _confirm(client, token, **{"who-0": str(unhcr_omar.pk), "who-1": "999999"})

    assert refused.context["confirm"].errors == {
        "who-1": ["The person chosen for “Rana” is not one of those offered: choose again."]
    }
    assert snapshot() == before
    _confirm(client, token, **{"who-0": str(unhcr_omar.pk), "who-1": str(rana_2.pk)})
    plan = ActionPlan.objects.get(title="Lebanon 2021")
    zeina = Person.objects.get(name="Zeina")
    assert _names_and_ids(plan) == sorted(
        [("Omar", unhcr_omar.pk), ("Rana", rana_2.pk), ("Zeina", zeina.pk)]
    )


def test_page_people_the_coordinator_cannot_see_are_never_offered(client):
    importer = _coordinator()
    other = _coordinator("other-coordinator")
    hidden_karim = _person("Karim", "UNHCR")
    hidden = _plan_with("Lebanon secret plan", "Lebanon", [hidden_karim], other)
    assert hidden.visibility == PlanVisibility.MEMBERS
    client.force_login(importer)

    preview = _upload(client, _table("Karim"), title="Lebanon 2021", country="Lebanon")

    assert _people(preview) == [("new", "Karim — new person")]
    assert _radios(preview) == []
    page = preview.content.decode()
    assert "Lebanon secret plan" not in page
    assert "UNHCR" not in page
    _confirm(client, _token(preview))
    new_karim = Person.objects.exclude(pk=hidden_karim.pk).get(name="Karim")
    assert _names_and_ids(ActionPlan.objects.get(title="Lebanon 2021")) == [("Karim", new_karim.pk)]
    # The hidden plan is untouched, and its Karim is still only there.
    assert _names_and_ids(hidden) == [("Karim", hidden_karim.pk)]


def test_page_an_administrator_sees_the_person_a_coordinator_cannot(client):
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    hidden_karim = _person("Karim", "UNHCR")
    _plan_with("Lebanon secret plan", "Lebanon", [hidden_karim], _coordinator("other"))
    client.force_login(admin)

    preview = _upload(client, _table("Karim"), title="Lebanon 2021", country="Lebanon")

    assert _people(preview) == [
        ("existing", "Karim — existing: Karim (UNHCR; plans: Lebanon secret plan)")
    ]


def test_page_import_into_an_existing_plan_takes_its_own_people_first(client, two_omars):
    importer, _unhcr_omar, _wfp_omar = two_omars
    own_omar = _person("Omar")
    plan = _plan_with("Lebanon 2021", "Lebanon", [own_omar], importer)
    url = f"/plans/{plan.pk}/import/"
    client.force_login(importer)

    preview = _upload(client, _table("OMAR", "Jad"), url=url)
    response = _confirm(client, _token(preview), url=url)

    assert _people(preview) == [
        ("plan", "OMAR — already in this plan"),
        ("new", "Jad — new person"),
    ]
    assert _radios(preview) == []
    assert response["Location"] == f"/plans/{plan.pk}/"
    jad = Person.objects.get(name="Jad")
    assert _names_and_ids(plan) == [("Jad", jad.pk), ("Omar", own_omar.pk)]


def test_page_a_name_written_with_its_organization_picks_that_namesake(client, two_omars):
    importer, _unhcr_omar, wfp_omar = two_omars
    client.force_login(importer)

    preview = _upload(client, _table("WFP (Omar)"), title="Lebanon 2021", country="Lebanon")
    _confirm(client, _token(preview))

    assert _people(preview) == [
        ("existing", "Omar — existing: Omar (WFP; plans: Lebanon food security)")
    ]
    assert _names_and_ids(ActionPlan.objects.get(title="Lebanon 2021")) == [("Omar", wfp_omar.pk)]


def test_page_a_choice_made_stale_by_a_new_namesake_asks_again(client, two_omars):
    """Between preview and confirm a third Omar is named: the choice made still holds
    (it is one of the candidates); a name that became ambiguous meanwhile is asked."""
    importer, unhcr_omar, _wfp_omar = two_omars
    client.force_login(importer)
    token = _token(_upload(client, _table("Omar", "Rana"), title="Lebanon 2021", country="Lebanon"))
    _plan_with("Lebanon health", "Lebanon", [_person("Rana", "WHO"), _person("Rana", "MSF")])
    ActionPlan.objects.filter(title="Lebanon health").update(visibility=PlanVisibility.SIGNED_IN)
    before = snapshot()

    response = _confirm(client, token, **{"who-0": str(unhcr_omar.pk)})

    assert response.context["confirm"].errors == {
        "who-1": ["Say who “Rana” is: one of the people listed, or a new person."]
    }
    assert snapshot() == before


# --- the service ----------------------------------------------------------------------------------


def test_service_forged_choice_is_refused_and_nothing_is_written(two_omars):
    importer, _unhcr_omar, _wfp_omar = two_omars
    before = snapshot()

    with pytest.raises(ValidationError) as excinfo:
        _import(
            _table("Omar"),
            title="Lebanon 2021",
            country="Lebanon",
            created_by=importer,
            people_choices={"omar": 999999},
        )

    assert excinfo.value.messages == [
        "The person chosen for “Omar” is not one of those offered: choose again."
    ]
    assert snapshot() == before


def test_service_choice_for_a_name_not_in_the_table_is_refused(two_omars):
    importer, unhcr_omar, _wfp_omar = two_omars
    before = snapshot()

    with pytest.raises(ValidationError) as excinfo:
        _import(
            _table("Omar"),
            title="Lebanon 2021",
            country="Lebanon",
            created_by=importer,
            people_choices={"omar": unhcr_omar.pk, "karim": None},
        )

    assert excinfo.value.messages == ["The table names no new “karim” to choose for."]
    assert snapshot() == before


def test_service_ambiguous_name_without_choice_stops_by_default(two_omars):
    importer, unhcr_omar, wfp_omar = two_omars
    before = snapshot()

    with pytest.raises(ValidationError) as excinfo:
        _import(_table("Omar"), title="Lebanon 2021", country="Lebanon", created_by=importer)

    assert excinfo.value.messages == [
        "“Omar” may be any of 2 people already named in plans of Lebanon: "
        "Omar (UNHCR; plans: Lebanon protection), Omar (WFP; plans: Lebanon food security). "
        "Say which, or that it is a new person."
    ]
    assert snapshot() == before


def test_service_reused_person_without_organization_takes_the_tables(tmp_path):
    demo = _demo(tmp_path)
    rana = Person.objects.get(name="Rana")
    assert rana.organization is None

    result = _import(_table("UNHCR (Rana)"), title="Lebanon 2021", country="Lebanon")

    rana.refresh_from_db()
    assert (result.people, result.reused) == (0, 1)
    assert rana.organization.name == "UNHCR"
    assert rana.history.first().history_type == "~"
    assert Naming.objects.filter(person=rana).count() == 2
    assert demo in ActionPlan.objects.filter(namings__person=rana)


# --- manage.py import_plan ------------------------------------------------------------------------


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_plan", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _write(tmp_path, data: bytes, name: str = "plan.tsv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_command_second_lebanon_plan_from_the_demo_table_creates_no_person(tmp_path):
    demo = _demo(tmp_path)

    out, err = _run(str(SEED), "--title", "Lebanon 2020", "--country", "Lebanon")

    assert out == (
        "Imported into a new plan “Lebanon 2020”: 1 working group(s), 4 challenge(s), "
        "4 action point(s), 0 person(s) created, 6 found in other plans; "
        "0 action point(s) already there.\n"
    )
    assert err == ""
    assert Person.objects.count() == 6
    assert _names_and_ids(ActionPlan.objects.get(title="Lebanon 2020")) == _names_and_ids(demo)


def test_command_same_people_in_other_case_and_spacing_creates_no_person(tmp_path):
    demo = _demo(tmp_path)

    out, _err = _run(str(_write(tmp_path, OTHER_SPELLING)), "--country", "Lebanon")

    assert ", 0 person(s) created, 6 found in other plans; " in out
    plan = ActionPlan.objects.get(title="Lebanon, written otherwise")
    assert _names_and_ids(plan) == _names_and_ids(demo)


def test_command_iraq_plan_naming_omar_creates_a_new_omar(tmp_path):
    _demo(tmp_path)

    out, _err = _run(
        str(_write(tmp_path, _table("Omar"))), "--title", "Iraq 2020", "--country", "Iraq"
    )

    assert ", 1 person(s) created; " in out
    assert Person.objects.filter(name="Omar").count() == 2


def test_command_ambiguous_names_stop_by_default_listing_each_and_write_nothing(
    tmp_path, two_omars
):
    _importer, _unhcr_omar, _wfp_omar = two_omars
    _plan_with("Lebanon education", "Lebanon", [_person("Rana", "UNICEF"), _person("Rana")])
    path = _write(tmp_path, _table("Omar", "Rana", "Zeina"))
    before = snapshot()

    with pytest.raises(CommandError) as excinfo:
        _run(str(path), "--title", "Lebanon 2021", "--country", "Lebanon")

    assert str(excinfo.value) == (
        f"{path}: nothing imported.\n"
        "“Omar” may be any of 2 people already named in plans of Lebanon: "
        "Omar (UNHCR; plans: Lebanon protection), Omar (WFP; plans: Lebanon food security). "
        "Say which, or that it is a new person.\n"
        "“Rana” may be any of 2 people already named in plans of Lebanon: "
        "Rana (UNICEF; plans: Lebanon education), "
        "Rana (no organization; plans: Lebanon education). Say which, or that it is a new person.\n"
        "Write the organization with the name in the table (“UNHCR (Omar)”) to say which, "
        "or run again with --ambiguous=new to create new people."
    )
    assert snapshot() == before
    # --ambiguous=stop is the default, said explicitly.
    with pytest.raises(CommandError):
        _run(str(path), "--title", "Lebanon 2021", "--country", "Lebanon", "--ambiguous=stop")
    assert snapshot() == before


def test_command_ambiguous_stop_exits_non_zero_from_the_command_line(
    tmp_path, two_omars, capsys, monkeypatch
):
    # run_from_argv closes every connection when it ends: keep the test's transaction.
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)
    path = _write(tmp_path, _table("Omar"))
    before = snapshot()

    with pytest.raises(SystemExit) as excinfo:
        execute_from_command_line(
            ["manage.py", "import_plan", str(path), "--title", "L", "--country", "Lebanon"]
        )

    assert excinfo.value.code == 1
    assert capsys.readouterr().err.startswith(
        f"CommandError: {path}: nothing imported.\n“Omar” may be any of 2 people "
    )
    assert snapshot() == before


def test_command_ambiguous_new_creates_new_people_and_says_so(tmp_path, two_omars):
    _importer, unhcr_omar, wfp_omar = two_omars
    path = _write(tmp_path, _table("Omar", "Zeina"))

    out, err = _run(
        str(path), "--title", "Lebanon 2021", "--country", "Lebanon", "--ambiguous", "new"
    )

    assert err == (
        "Note: “Omar” may be any of 2 people named in plans of Lebanon: "
        "Omar (UNHCR; plans: Lebanon protection), Omar (WFP; plans: Lebanon food security); "
        "a new person was created.\n"
    )
    assert ", 2 person(s) created; " in out
    new_omar = Person.objects.exclude(pk__in=[unhcr_omar.pk, wfp_omar.pk]).get(name="Omar")
    plan = ActionPlan.objects.get(title="Lebanon 2021")
    assert [name for name, _pk in _names_and_ids(plan)] == ["Omar", "Zeina"]
    assert new_omar.pk in [pk for _name, pk in _names_and_ids(plan)]


def test_command_sees_every_plan_like_an_administrator(tmp_path):
    """The command runs as no user: a members-only plan's people are found too."""
    hidden_karim = _person("Karim", "UNHCR")
    _plan_with("Lebanon secret plan", "Lebanon", [hidden_karim], _coordinator("other"))

    out, _err = _run(
        str(_write(tmp_path, _table("Karim"))), "--title", "Lebanon 2021", "--country", "Lebanon"
    )

    assert ", 0 person(s) created, 1 found in other plans; " in out
    assert _names_and_ids(ActionPlan.objects.get(title="Lebanon 2021")) == [
        ("Karim", hidden_karim.pk)
    ]


def test_command_dry_run_with_ambiguous_new_writes_nothing(tmp_path, two_omars):
    path = _write(tmp_path, _table("Omar"))
    before = snapshot()

    out, err = _run(
        str(path), "--title", "L", "--country", "Lebanon", "--ambiguous=new", "--dry-run"
    )

    assert out.startswith("Would import into a new plan “L”: ")
    assert err.endswith("; a new person would be created.\n")
    assert snapshot() == before


def test_command_refuses_an_unknown_ambiguous_policy(tmp_path):
    with pytest.raises(CommandError) as excinfo:
        _run(str(SEED), "--ambiguous", "guess")

    assert str(excinfo.value) == (
        "Error: argument --ambiguous: invalid choice: 'guess' (choose from 'stop', 'new')"
    )


# --- no query per person --------------------------------------------------------------------------


def _people_table(count: int, start: int = 0, organization: str = "UNHCR") -> bytes:
    """A table naming `count` people: a leader, members, and each a focal point (with
    the organization, when given)."""
    names = [f"Person {chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(start, start + count)]
    cells = [f"{organization} ({name})" if organization else name for name in names]
    return _table(*cells, leader=names[0], members=", ".join(names))


def _earlier_plan(count: int) -> None:
    """A Lebanon plan naming the first half of the people, without organization."""
    _import(
        _people_table(count // 2, start=count * 10, organization=""),
        title=f"Earlier {count}",
        country="Lebanon",
    )


def _import_queries(count: int, importer) -> int:
    """Queries of importing a Lebanon plan naming `count` people: half of them named
    in an earlier Lebanon plan (without organization), half new."""
    _earlier_plan(count)
    table = read_table(_people_table(count, start=count * 10))
    with CaptureQueriesContext(connection) as queries:
        result = plan_import(
            table=table,
            title=f"Lebanon {count}",
            country="Lebanon",
            created_by=importer,
            coordinators=[importer],
        )
    assert (result.people, result.reused) == (count // 2, count // 2)
    # The people found took the table's organization (in one update).
    assert set(plan_people(plan=result.plan).values_list("organization__name", flat=True)) == {
        "UNHCR"
    }
    return len(queries)


def test_import_queries_do_not_grow_with_the_number_of_people():
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    organization_get_or_create(name="UNHCR")  # found by both imports

    small = _import_queries(10, admin)
    large = _import_queries(40, admin)

    print(f"import of 10 people: {small} queries; of 40: {large}")
    assert small == large


def _preview_queries(client, count: int) -> tuple[int, int]:
    """Queries of the preview and of the confirmation of a Lebanon plan naming `count`
    people, half of them named in an earlier Lebanon plan."""
    _earlier_plan(count)
    with CaptureQueriesContext(connection) as queries:
        response = _upload(
            client, _people_table(count, start=count * 10), title=f"L {count}", country="Lebanon"
        )
    statuses = [status for status, _text in _people(response)]
    assert statuses == ["existing"] * (count // 2) + ["new"] * (count // 2)
    with CaptureQueriesContext(connection) as confirm_queries:
        assert _confirm(client, _token(response)).status_code == 302
    return len(queries), len(confirm_queries)


def test_preview_and_confirm_queries_do_not_grow_with_the_number_of_people(client):
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    organization_get_or_create(name="UNHCR")  # found by both imports

    small = _preview_queries(client, 10)
    large = _preview_queries(client, 40)

    print(f"preview and confirm of 10 people: {small} queries; of 40: {large}")
    assert small == large
