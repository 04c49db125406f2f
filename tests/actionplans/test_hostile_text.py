"""Characters people paste: what stored text may hold (pim_tracker/characters.py),
refused alike by every door (services, so forms, API and import), sanitised by every
export, and formulas hidden behind invisible or fullwidth characters neutralised.
"""

from __future__ import annotations

import csv
import datetime
import io

import icalendar
import openpyxl
import pytest
from django.core.exceptions import ValidationError

from actionplans import services
from actionplans.choices import DeadlinePrecision
from actionplans.exports.cells import needs_neutralising, neutralise, safe_cell, unneutralise
from actionplans.exports.csv import csv_blocks
from actionplans.exports.hxl import hxl_rows
from actionplans.exports.ical import calendar
from actionplans.exports.rows import SHARED_CELLS, export_points, flat_rows
from actionplans.exports.xlsx import plan_workbook
from actionplans.imports.read import read_table
from actionplans.imports.write import plan_import
from actionplans.models import ActionPlan, ActionPoint
from orgs.models import Organization
from orgs.services import api_token_issue, organization_create, organization_update
from pim_tracker.characters import (
    TextKind,
    normalise_newlines,
    printable,
    refused_character,
)
from tests.actionplans.transfer import csv_bytes
from tests.factories import (
    ActionPlanFactory,
    ActionPointFactory,
    ChallengeFactory,
    FocalPointFactory,
    PersonFactory,
    UserFactory,
    WorkingGroupFactory,
)

CONTROL = (
    "%(label)s contains a control character (%(character)s), often pasted from another "
    "program: remove it."
)
DIRECTION = (
    "%(label)s contains a character that changes the direction of the text "
    "(%(character)s): remove it."
)
INVISIBLE = "%(label)s contains an invisible character (%(character)s): remove it."


# --- the rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("Plan\x0bA", TextKind.TEXT, ("\x0b", "control")),
        ("a\x1bb", TextKind.TEXT, ("\x1b", "control")),
        ("a\x7fb", TextKind.TEXT, ("\x7f", "control")),
        ("a\x85b", TextKind.TEXT, ("\x85", "control")),  # C1: NEXT LINE
        ("a\x9fb", TextKind.TEXT, ("\x9f", "control")),
        ("a\rb", TextKind.TEXT, ("\r", "control")),  # normalise_newlines first
        ("a\tb\nc", TextKind.NAME, None),
        # Descriptions and notes keep direction characters and invisible ones.
        ("abc\u202edcba", TextKind.TEXT, None),
        ("\u2067عربي\u2069", TextKind.TEXT, None),
        ("\ufeff\u200b=x", TextKind.TEXT, None),
        # Names: no embedding, override, or isolate; marks are letters.
        ("abc\u202edcba", TextKind.NAME, ("\u202e", "direction")),
        ("\u202aLTR", TextKind.NAME, ("\u202a", "direction")),
        ("\u202bRTL", TextKind.NAME, ("\u202b", "direction")),
        ("a\u202cb", TextKind.NAME, ("\u202c", "direction")),
        ("\u202dLTR", TextKind.NAME, ("\u202d", "direction")),
        ("x\u2066y", TextKind.NAME, ("\u2066", "direction")),
        ("x\u2067y", TextKind.NAME, ("\u2067", "direction")),
        ("x\u2068y", TextKind.NAME, ("\u2068", "direction")),
        ("Plan\u2069 2019", TextKind.NAME, ("\u2069", "direction")),
        ("خطة لبنان\u200f 2019", TextKind.NAME, None),
        ("UNHCR\u200e", TextKind.NAME, None),
        ("\u061cعربي", TextKind.NAME, None),
        ("ZWNJ\u200cin Persian", TextKind.NAME, None),
        ("\ufeffTitle", TextKind.NAME, None),
        # Links: no invisible character at all.
        ("https://example.org/\u202efdp.exe", TextKind.LINK, ("\u202e", "direction")),
        ("https://example.org/\u200bx", TextKind.LINK, ("\u200b", "invisible")),
        ("https://example.org/\ufeff", TextKind.LINK, ("\ufeff", "invisible")),
        ("https://example.org/\u200f", TextKind.LINK, ("\u200f", "invisible")),
        ("https://example.org/a\u00adb", TextKind.LINK, ("\u00ad", "invisible")),
        ("https://example.org/عربي", TextKind.LINK, None),
    ],
)
def test_refused_character(text, kind, expected):
    assert refused_character(text, kind) == expected


def test_normalise_newlines_makes_every_line_break_a_line_feed():
    assert normalise_newlines("a\r\nb\rc\nd\r\n\r\ne") == "a\nb\nc\nd\n\ne"


def test_printable_leaves_out_what_no_export_writes():
    assert printable("a\x00b\x0bc\x1fd\x7fe\x85f\ufffeg\uffffh\ti\nj\rk") == "abcdefgh\ti\nj\rk"
    assert printable("a\u202eb\u200bc") == "a\u202eb\u200bc"
    assert printable(42) == 42
    assert printable(None) is None


# --- services: one rule for every door ------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": "Plan\x0bA"}, "title", CONTROL % {"label": "Title", "character": "U+000B"}),
        (
            {"title": "Plan \u202eA"},
            "title",
            DIRECTION % {"label": "Title", "character": "U+202E"},
        ),
        (
            {"title": "P", "country": "Leb\u2069anon"},
            "country",
            DIRECTION % {"label": "Country", "character": "U+2069"},
        ),
        (
            {"title": "P", "origin": "Erbil\x85"},
            "origin",
            CONTROL % {"label": "Origin", "character": "U+0085"},
        ),
    ],
)
def test_plan_create_refuses_characters_naming_the_field(fields, field, message):
    with pytest.raises(ValidationError) as excinfo:
        services.plan_create(**fields)

    assert excinfo.value.message_dict == {field: [message]}
    assert not ActionPlan.objects.exists()


@pytest.mark.django_db
def test_plan_update_checks_its_texts_like_plan_create():
    plan = ActionPlanFactory(title="PIM Lebanon")

    with pytest.raises(ValidationError) as excinfo:
        services.plan_update(plan=plan, user=None, title="PIM \u202eLebanon")

    assert excinfo.value.message_dict == {
        "title": [DIRECTION % {"label": "Title", "character": "U+202E"}]
    }
    plan.refresh_from_db()
    assert plan.title == "PIM Lebanon"
    services.plan_update(plan=plan, user=None, origin="  Workshop\r\nBeirut  ")
    plan.refresh_from_db()
    assert plan.origin == "Workshop\nBeirut"


@pytest.mark.django_db
def test_working_group_names_refuse_overrides_and_keep_marks():
    plan = ActionPlanFactory()

    with pytest.raises(ValidationError) as excinfo:
        services.working_group_create(plan=plan, name="Data\u202d Sharing")
    group = services.working_group_create(plan=plan, name="مشاركة البيانات\u200f 1")

    assert excinfo.value.message_dict == {
        "name": [DIRECTION % {"label": "Name", "character": "U+202D"}]
    }
    assert group.name == "مشاركة البيانات\u200f 1"


@pytest.mark.django_db
def test_descriptions_refuse_controls_keep_direction_characters_and_normalise_line_breaks():
    challenge = ChallengeFactory()

    with pytest.raises(ValidationError) as excinfo:
        services.action_point_create(challenge=challenge, description="Map\x1b[31m")
    point = services.action_point_create(
        challenge=challenge, description="Map \u202bالخدمات\u202c\r\nthen\rshare"
    )

    assert excinfo.value.message_dict == {
        "description": [CONTROL % {"label": "Description", "character": "U+001B"}]
    }
    assert point.description == "Map \u202bالخدمات\u202c\nthen\nshare"


@pytest.mark.django_db
def test_focal_point_notes_refuse_controls_and_store_line_feeds():
    point = ActionPointFactory()
    person = PersonFactory(name="Jad")

    with pytest.raises(ValidationError) as excinfo:
        services.focal_points_assign(
            action_point=point,
            assignments=[services.FocalPointAssignment(person, "lead", note="tbc\x07")],
        )
    services.focal_points_assign(
        action_point=point,
        assignments=[services.FocalPointAssignment(person, "lead", note="a\r\nb")],
    )

    assert excinfo.value.message_dict == {
        "focal_points": [CONTROL % {"label": "Focal point 1 note", "character": "U+0007"}]
    }
    assert list(point.focal_points.values_list("note", flat=True)) == ["a\nb"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "https://example.org/report\u200b.pdf",
            INVISIBLE % {"label": "Evidence link", "character": "U+200B"},
        ),
        (
            "https://example.org/\u202efdp.exe",
            DIRECTION % {"label": "Evidence link", "character": "U+202E"},
        ),
        (
            "https://example.org/\x0b",
            CONTROL % {"label": "Evidence link", "character": "U+000B"},
        ),
    ],
)
def test_evidence_links_refuse_invisible_characters(url, message):
    point = ActionPointFactory()

    with pytest.raises(ValidationError) as excinfo:
        services.progress_update_create(
            action_point=point, author=None, progress=10, evidence_url=url
        )

    assert excinfo.value.message_dict == {"evidence_url": [message]}
    assert not point.progress_updates.exists()


@pytest.mark.django_db
def test_organizations_refuse_controls_and_overrides_in_name_and_acronym():
    with pytest.raises(ValidationError) as created:
        organization_create(name="UN Refugee Agency", acronym="\u202eRCHNU")
    organization = organization_create(name="UN  Refugee\tAgency", acronym="UNHCR")
    with pytest.raises(ValidationError) as updated:
        organization_update(organization=organization, name="UN Refugee Agency\x08")

    assert created.value.message_dict == {
        "acronym": [DIRECTION % {"label": "Acronym", "character": "U+202E"}]
    }
    assert updated.value.message_dict == {
        "name": [CONTROL % {"label": "Name", "character": "U+0008"}]
    }
    organization.refresh_from_db()
    assert (organization.name, organization.acronym) == ("UN Refugee Agency", "UNHCR")
    assert Organization.objects.count() == 1


@pytest.mark.django_db
def test_token_names_refuse_control_characters():
    with pytest.raises(ValidationError) as excinfo:
        api_token_issue(user=UserFactory(), name="Kobo\x0bsync")

    assert excinfo.value.message_dict == {
        "name": [CONTROL % {"label": "Name", "character": "U+000B"}]
    }


@pytest.mark.django_db
def test_the_plan_form_shows_the_services_refusal_on_its_field(client):
    user = UserFactory(username="planner", is_staff=True, is_superuser=True)
    client.force_login(user)

    response = client.post(
        "/plans/add/",
        {"title": "PIM Iraq\x0bAction Plan", "status": "active", "visibility": "members"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "title": [CONTROL % {"label": "Title", "character": "U+000B"}]
    }
    assert not ActionPlan.objects.exists()


@pytest.mark.django_db
def test_the_tokens_page_shows_the_services_refusal_on_its_field(client):
    user = UserFactory(username="partner")
    client.force_login(user)

    response = client.post("/account/tokens/", {"name": "Kobo\x0bsync"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "name": [CONTROL % {"label": "Name", "character": "U+000B"}]
    }
    assert response.context["new_key"] is None
    assert not user.api_tokens.exists()


@pytest.mark.django_db
def test_the_importer_refuses_what_the_services_refuse():
    rows = [
        ["Working group", "Challenge", "Action point", "Focal points"],
        ["Group 1: Data", "1. Lack", "Map\x01 the services", "Jad"],
    ]

    with pytest.raises(ValidationError) as excinfo:
        plan_import(table=read_table(csv_bytes(rows)), title="Imported")

    assert excinfo.value.message_dict == {
        "description": [CONTROL % {"label": "Description", "character": "U+0001"}]
    }
    assert not ActionPlan.objects.exists()


# --- formula neutralisation -------------------------------------------------------------

HIDDEN_FORMULAS = ["\ufeff=1+1", "\u200b=cmd", "＝1+1", "＋1", "－1", "＠SUM(A1)"]
HIDDEN_IDS = ["bom", "zero width space", "fullwidth equals", "plus", "minus", "at"]


@pytest.mark.parametrize(
    "text",
    [
        *HIDDEN_FORMULAS,
        "\u200d\u2060\ufeff+1",
        "\u200f=1",  # a direction mark
        "\x0b=1+1",  # a control character an export leaves out
        "﹦1",  # small equals sign
        "⁺1",  # superscript plus
    ],
)
def test_needs_neutralising_sees_formulas_behind_invisible_and_compatibility_forms(text):
    assert needs_neutralising(text)
    assert neutralise(text) == "'" + text
    assert unneutralise(neutralise(text)) == text


@pytest.mark.parametrize(
    "text", ["Jad", "ＡＢＣ", "\u200bJad", "\u200fعربي", " =x", "\ufeff", "", "１. Ａ"]
)
def test_needs_neutralising_leaves_text_alone(text):
    assert not needs_neutralising(text)
    assert neutralise(text) == text


def test_safe_cell_is_printable_then_neutralised():
    assert safe_cell("\x0b=1+1") == "'=1+1"
    assert safe_cell("Plan\x0bA") == "PlanA"
    assert safe_cell(7) == 7


def _hidden_formula_plan() -> ActionPlan:
    """Texts starting like formulas behind invisible or fullwidth characters (written
    past the services, which accept them: they are not control characters)."""
    plan = ActionPlanFactory(title='\ufeff=HYPERLINK("x")')
    group = WorkingGroupFactory(plan=plan, number=1, name="Data")
    challenge = ChallengeFactory(working_group=group, number=1, description="Lack")
    for position, text in enumerate(HIDDEN_FORMULAS, start=1):
        point = ActionPointFactory(
            challenge=challenge, position=position, description=text, deadline=text
        )
        FocalPointFactory(action_point=point, person=PersonFactory(name=f"Jad {position}"))
    return plan


@pytest.mark.django_db
def test_hidden_formulas_neutralised_in_csv():
    plan = _hidden_formula_plan()

    rows = list(csv.reader(io.StringIO("".join(csv_blocks(flat_rows(plan))).lstrip("\ufeff"))))

    assert rows[1][0] == '\'\ufeff=HYPERLINK("x")'
    assert [(row[5], row[6]) for row in rows[1:]] == [("'" + t, "'" + t) for t in HIDDEN_FORMULAS]


@pytest.mark.django_db
def test_hidden_formulas_neutralised_in_hxl():
    plan = _hidden_formula_plan()

    rows = list(csv.reader(io.StringIO("".join(csv_blocks(hxl_rows(plan, "http://x"))))))

    assert [(row[5], row[6]) for row in rows[2:]] == [("'" + t, "'" + t) for t in HIDDEN_FORMULAS]


@pytest.mark.django_db
def test_hidden_formulas_neutralised_in_xlsx():
    plan = _hidden_formula_plan()

    workbook = openpyxl.load_workbook(io.BytesIO(plan_workbook(plan)))

    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    plan_sheet = [list(row) for row in workbook["Plan"].iter_rows(values_only=True)]
    assert plan_sheet[0][0] == '\'\ufeff=HYPERLINK("x")'
    assert [row[1:3] for row in plan_sheet[4:]] == [["'" + t, "'" + t] for t in HIDDEN_FORMULAS]
    flat = [list(row) for row in workbook["Action points"].iter_rows(values_only=True)]
    assert [row[5:7] for row in flat[1:]] == [["'" + t, "'" + t] for t in HIDDEN_FORMULAS]


@pytest.mark.django_db
def test_hidden_formulas_read_back_as_written():
    plan = _hidden_formula_plan()

    table = read_table(plan_workbook(plan))

    points = table.groups[0].challenges[0].action_points
    assert [point.description for point in points] == HIDDEN_FORMULAS


# --- exports of rows stored before the rule --------------------------------------------


def _old_rows() -> ActionPlan:
    plan = ActionPlanFactory(title="Plan\x0bA")
    group = WorkingGroupFactory(plan=plan, number=1, name="Data\x1fSharing")
    challenge = ChallengeFactory(working_group=group, number=1, description="Lack\x0c")
    ActionPointFactory(
        challenge=challenge,
        position=1,
        description="Map\x01 the\x85 services\ufffe",
        deadline="2030-01-15",
        deadline_precision=DeadlinePrecision.DAY,
        due_date=datetime.date(2030, 1, 15),
    )
    ActionPoint.objects.update(description="Map\x01 the\x85 services\ufffe")
    return plan


@pytest.mark.django_db
def test_every_export_leaves_out_characters_it_cannot_write():
    plan = _old_rows()

    text = "".join(csv_blocks(flat_rows(plan), repeated=SHARED_CELLS))
    hxl = "".join(csv_blocks(hxl_rows(plan, "http://x")))
    workbook = openpyxl.load_workbook(io.BytesIO(plan_workbook(plan)))
    events = icalendar.Calendar.from_ical(
        calendar("Deadlines: Plan\x0bA", export_points(plan), "http://x")
    ).walk("VEVENT")

    assert list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1][:6] == [
        "PlanA",
        "Group 1: DataSharing",
        "",
        "",
        "1. Lack",
        "Map the services",
    ]
    assert "Map the services" in hxl
    assert workbook["Plan"]["A1"].value == "PlanA"
    assert workbook["Plan"]["B5"].value == "Map the services"
    assert str(events[0]["SUMMARY"]) == "Map the services"
    assert "Plan: PlanA" in str(events[0]["DESCRIPTION"])
