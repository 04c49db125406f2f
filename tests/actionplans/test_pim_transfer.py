"""Issue 19: PIM tags and priority in imports and exports (CSV, workbook, HXL), and
their round trip."""

import io

import hxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from actionplans import services
from actionplans.choices import PimCategory, PimPrinciple
from actionplans.exports.csv import csv_blocks
from actionplans.exports.hxl import hxl_rows
from actionplans.exports.rows import SHARED_CELLS, flat_rows
from actionplans.exports.xlsx import plan_workbook
from actionplans.imports.read import read_table
from actionplans.imports.write import plan_import
from actionplans.models import ActionPlan, ActionPoint, PimTag
from tests.actionplans.transfer import csv_bytes, workshop_tsv
from tests.factories import ActionPointFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = ["Working group", "Challenge", "Action point", "Deadline", "Focal points"]
PIM_HEADER = ["PIM category", "PIM principle", "PIM process step", "Priority"]
ALL_CATEGORIES = ", ".join(str(label) for _value, label in PimCategory.choices)


def _table(*rows: list[str], header: list[str] = HEADER + PIM_HEADER):
    return read_table(csv_bytes([header, *rows]))


def _tags(plan: ActionPlan) -> list[tuple]:
    """Each action point's description, categories, principles, step and priority."""
    return [
        (p.description, p.pim_categories, p.pim_principles, p.pim_process_step, p.priority)
        for p in ActionPoint.objects.of_plan(plan).in_workshop_order()
    ]


def _row(description: str, categories="", principles="", step="", priority="") -> list[str]:
    return ["Group 1: Data", "1. Tools", description, "Q1 2030", "Jad", *(
        categories, principles, step, priority
    )]  # fmt: skip


# --- reading --------------------------------------------------------------------------------


def test_import_reads_pim_values_by_slug_label_any_case_and_separator():
    table = _table(
        _row(
            "Tagged",
            "protection_monitoring; POPULATION DATA",
            "Data responsibility, protection and security, do no harm",
            "Design IM systems",
            "HIGH",
        ),
        _row("Untagged"),
    )

    plan = plan_import(table=table, title="Tagged plan").plan

    assert table.issues == []
    assert _tags(plan) == [
        (
            "Tagged",
            ["population_data", "protection_monitoring"],
            ["do_no_harm", "data_responsibility_protection_security"],
            "design_im_systems",
            "high",
        ),
        ("Untagged", [], [], "", "normal"),
    ]
    # Written with history rows, as every write.
    assert PimTag.history.filter(history_type="+").count() == 4


def test_import_reads_a_label_in_french_and_arabic():
    with translation.override("fr"):
        french = str(PimCategory.CASE_MANAGEMENT.label)
    with translation.override("ar"):
        arabic = str(PimPrinciple.IMPARTIALITY.label)
    table = _table(_row("Tagged", french.upper(), arabic))

    plan = plan_import(table=table, title="Plan").plan

    assert table.issues == []
    assert _tags(plan) == [("Tagged", ["case_management"], ["impartiality"], "", "normal")]


def test_import_unknown_values_are_errors_in_their_cells_and_nothing_is_written():
    table = _table(
        _row("One", "population_data; gossip"),
        _row("Two", "", "", "", "urgent"),
    )
    plans = ActionPlan.objects.count()

    assert [str(issue) for issue in table.issues] == [
        f'Row 2, column F: Unknown value "gossip". Use one of: {ALL_CATEGORIES}.',
        'Row 3, column I: Unknown value "urgent". Use one of: High, Normal.',
    ]
    with pytest.raises(ValidationError):
        plan_import(table=table, title="Refused")
    assert ActionPlan.objects.count() == plans
    assert PimTag.objects.count() == 0


def test_import_workshop_layout_reads_the_pim_columns():
    text = workshop_tsv(
        "Group 1: Data\n"
        "Challenges\tAction Point\tTimeline / Deadline\tFocal point\tPIM categories\tPriority\n"
        "1. Tools\tDo it\tQ1 2030\tJad\tCase management\thigh\n"
        "\tAnother\t2030\tRana\t\t\n"
    )

    table = read_table(text.encode())
    plan = plan_import(table=table, title="Workshop").plan

    assert table.errors == []
    assert _tags(plan) == [
        ("Do it", ["case_management"], [], "", "high"),
        ("Another", [], [], "", "normal"),
    ]


def test_import_into_a_plan_sets_given_values_and_leaves_empty_cells_alone():
    plan = plan_import(
        table=_table(_row("Kept", "case_management", "do_no_harm", "evaluate_impact", "high")),
        title="Existing",
    ).plan
    point = ActionPoint.objects.of_plan(plan).get()
    version = point.version

    # The same point, with an empty category cell and a new principle: only the
    # principle changes. Re-reading the same table again changes nothing.
    again = _table(_row("Kept", "", "impartiality"))
    result = plan_import(table=again, plan=plan)
    repeated = plan_import(table=again, plan=plan)

    assert (result.unchanged, result.retagged) == (1, 1)
    assert (repeated.unchanged, repeated.retagged) == (1, 0)
    assert _tags(plan) == [
        ("Kept", ["case_management"], ["impartiality"], "evaluate_impact", "high")
    ]
    point.refresh_from_db()
    assert point.version == version + 1


def test_import_preview_shows_the_tags(client):
    client.force_login(UserFactory(is_superuser=True))
    data = csv_bytes(
        [HEADER + PIM_HEADER, _row("Tagged", "population_data", "", "", "high"), _row("Plain")]
    )

    response = client.post(
        "/plans/import/",
        {
            "step": "upload",
            "file": SimpleUploadedFile("plan.csv", data),
            "visibility": "members",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert '<th scope="col">PIM framework and priority</th>' in html
    assert "<td>PIM categories: Population data<br>Priority: High</td>" in html
    assert "<td>—</td></tr>" in html


# --- writing and the round trip -------------------------------------------------------------


@pytest.fixture
def tagged_plan():
    first = ActionPointFactory(description="First", position=1)
    plan = first.challenge.working_group.plan
    second = ActionPointFactory(challenge=first.challenge, position=2, description="Second")
    services.action_point_classify(
        action_point=first,
        user=None,
        pim_categories=["protection_monitoring", "population_data"],
        pim_principles=["data_responsibility_protection_security", "do_no_harm"],
        pim_process_step="implement_im_systems",
        priority="high",
    )
    services.action_point_classify(
        action_point=second, user=None, pim_categories=["sectoral_systems_other"]
    )
    return plan


TAGGED = [
    (
        "First",
        ["population_data", "protection_monitoring"],
        ["do_no_harm", "data_responsibility_protection_security"],
        "implement_im_systems",
        "high",
    ),
    ("Second", ["sectoral_systems_other"], [], "", "normal"),
]


def test_flat_export_writes_english_labels_separated_by_semicolons(tagged_plan):
    rows = list(flat_rows(tagged_plan))

    assert rows[0][-4:] == ["PIM categories", "PIM principles", "PIM process step", "Priority"]
    assert [row[-4:] for row in rows[1:]] == [
        [
            "Population data; Protection monitoring",
            "Do no harm; Data responsibility, protection and security",
            "Implement IM systems",
            "High",
        ],
        ["Sectoral systems/other", "", "", "Normal"],
    ]


def test_flat_export_stays_english_for_a_french_request(tagged_plan):
    with translation.override("fr"):
        rows = list(flat_rows(tagged_plan))

    assert rows[1][-1] == "High"
    assert rows[2][-4] == "Sectoral systems/other"


def test_csv_round_trip_keeps_the_tags(tagged_plan):
    text = "".join(csv_blocks(flat_rows(tagged_plan), repeated=SHARED_CELLS))

    table = read_table(text.encode("utf-8"))
    copy = plan_import(table=table, title="Copy").plan

    assert table.issues == []
    assert _tags(tagged_plan) == _tags(copy) == TAGGED


def test_workbook_round_trip_keeps_the_tags(tagged_plan):
    table = read_table(plan_workbook(tagged_plan))
    copy = plan_import(table=table, title="Copy").plan

    assert table.errors == []
    assert _tags(copy) == TAGGED


def test_hxl_export_writes_slugs_under_their_hashtags(tagged_plan):
    body = "".join(csv_blocks(hxl_rows(tagged_plan, "http://testserver"))).encode("utf-8")

    source = hxl.data(io.BytesIO(body))
    values = [
        (
            row.get("#x_pim+category"),
            row.get("#x_pim+principle"),
            row.get("#x_pim+step"),
            row.get("#x_priority"),
        )
        for row in source
    ]

    assert values == [
        (
            "population_data;protection_monitoring",
            "do_no_harm;data_responsibility_protection_security",
            "implement_im_systems",
            "high",
        ),
        # libhxl reads an empty cell as None.
        ("sectoral_systems_other", None, None, "normal"),
    ]
    high = hxl.data(io.BytesIO(body)).with_rows("#x_priority=high")
    assert [row.get("#activity+name") for row in high] == ["First"]


@pytest.mark.parametrize("extra", [0, 10])
def test_hxl_export_reads_tags_in_one_query_whatever_the_size(
    tagged_plan, django_assert_num_queries, extra
):
    challenge = ActionPoint.objects.get(description="First").challenge
    for position in range(3, 3 + extra):
        point = ActionPointFactory(challenge=challenge, position=position)
        services.action_point_classify(action_point=point, user=None, pim_principles=["do_no_harm"])

    # The points (with their plan and latest update), their focal points, their tags.
    with django_assert_num_queries(3):
        rows = list(hxl_rows(tagged_plan, "http://testserver"))

    assert len(rows) == 2 + 2 + extra
    assert [row[-4] for row in rows[4:]] == [""] * extra
    assert [row[-3] for row in rows[4:]] == ["do_no_harm"] * extra
