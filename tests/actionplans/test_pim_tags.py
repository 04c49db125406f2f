"""PIM categories, principles, process step and priority on the pages: the action
point form (create and edit, all or nothing), where they show (the action point's
page, the plan table and cards, my action points), the filters (plan page, my
action points, the all-points export) and who may set them (the plan's
coordinators: the edit form's rule, permissions.can_edit_plan)."""

import csv
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains

from actionplans import services
from actionplans.filtersets import ActionPointFilterSet
from actionplans.models import ActionPoint, PimTag
from tests.actionplans.test_views_structure import _edit_data, _formset
from tests.factories import ActionPointFactory, ChallengeFactory, FocalPointFactory, PersonFactory
from tests.users import build_world

pytestmark = pytest.mark.django_db

UNKNOWN = "Select a valid choice. %s is not one of the available choices."


@pytest.fixture
def world():
    return build_world()


def _classify(point, **kwargs) -> None:
    services.action_point_classify(action_point=point, user=None, **kwargs)


@pytest.fixture
def tagged(world):
    """Four action points of the plan's challenge, in the member's group:
    monitoring (protection monitoring; do no harm), cases (case management; high
    priority), census (population data; design step; in progress), plain (none)."""
    monitoring = world.action_point
    _classify(monitoring, pim_categories=["protection_monitoring"], pim_principles=["do_no_harm"])
    cases = ActionPointFactory(challenge=world.challenge, position=2, description="Case files")
    _classify(cases, pim_categories=["case_management"], priority="high")
    census = ActionPointFactory(
        challenge=world.challenge,
        position=3,
        description="Census",
        status="in_progress",
        progress=20,
    )
    _classify(
        census,
        pim_categories=["population_data"],
        pim_principles=["defined_purpose"],
        pim_process_step="design_im_systems",
    )
    plain = ActionPointFactory(challenge=world.challenge, position=4, description="Plain")
    return {"monitoring": monitoring, "cases": cases, "census": census, "plain": plain}


def _tags(point: ActionPoint) -> tuple:
    point = ActionPoint.objects.get(pk=point.pk)
    return (point.pim_categories, point.pim_principles, point.pim_process_step, point.priority)


# --- the form ----------------------------------------------------------------------


def test_add_form_offers_the_pim_lists_in_fieldsets_and_the_step_and_priority(client, world):
    client.force_login(world.coordinator)

    response = client.get(f"/challenges/{world.challenge.pk}/action-points/add/")

    assert response.status_code == 200
    html = response.content.decode()
    for legend, name, count in (
        ("PIM categories", "pim_categories", 8),
        ("PIM principles", "pim_principles", 8),
    ):
        fieldset = re.search(
            rf'<fieldset class="pim-choices">\s*<legend>{legend}</legend>(.*?)</fieldset>',
            html,
            re.S,
        )
        assert fieldset, legend
        assert fieldset.group(1).count(f'type="checkbox" name="{name}"') == count
    assertContains(response, "Protection response monitoring and evaluation")
    assertContains(response, "Informed consent and confidentiality")
    step = re.search(r'<select name="pim_process_step"[^>]*>(.*?)</select>', html, re.S)
    assert re.findall(r"<option[^>]*>([^<]*)</option>", step.group(1)) == [
        "—",
        "Assess information landscape",
        "Design IM systems",
        "Implement IM systems",
        "Evaluate impact",
    ]
    priority = re.search(r'<select name="priority"[^>]*>(.*?)</select>', html, re.S)
    assert re.findall(r'<option value="(\w+)"( selected)?>', priority.group(1)) == [
        ("high", ""),
        ("normal", " selected"),
    ]
    assertContains(response, '<label for="id_pim_process_step">PIM process step:</label>')
    assertContains(response, '<label for="id_priority">Priority:</label>')


def test_coordinator_adds_an_action_point_with_its_tags(client, world):
    client.force_login(world.coordinator)

    response = client.post(
        f"/challenges/{world.challenge.pk}/action-points/add/",
        {
            "description": "Map the protection monitoring tools",
            "deadline": "",
            "priority": "high",
            "pim_process_step": "assess_information_landscape",
            "pim_categories": ["protection_monitoring", "population_data"],
            "pim_principles": ["do_no_harm"],
            **_formset(),
        },
    )

    assert response.status_code == 302
    point = ActionPoint.objects.get(description="Map the protection monitoring tools")
    assert _tags(point) == (
        ["population_data", "protection_monitoring"],
        ["do_no_harm"],
        "assess_information_landscape",
        "high",
    )
    assert {tag.history_user for tag in PimTag.history.all()} == {world.coordinator}


def test_edit_form_shows_the_current_tags(client, tagged, world):
    client.force_login(world.coordinator)

    response = client.get(f"/action-points/{tagged['census'].pk}/edit/")

    form = response.context["form"]
    assert form["pim_categories"].value() == ["population_data"]
    assert form["pim_principles"].value() == ["defined_purpose"]
    assert form["pim_process_step"].value() == "design_im_systems"
    assert form["priority"].value() == "normal"
    assertContains(
        response,
        '<input type="checkbox" name="pim_categories" value="population_data" '
        'id="id_pim_categories_0" checked>',
        html=False,
    )


def test_coordinator_edits_tags_with_the_rest_in_one_save(client, tagged, world):
    client.force_login(world.coordinator)
    point = tagged["monitoring"]
    point.refresh_from_db()

    response = client.post(
        f"/action-points/{point.pk}/edit/",
        _edit_data(
            point,
            description="IMWG to recommend common tools",
            priority="high",
            pim_process_step="",
            pim_categories=["case_management", "communicating_with_communities"],
            pim_principles=[],
        ),
    )

    assert response.status_code == 302
    point.refresh_from_db()
    assert point.description == "IMWG to recommend common tools"
    assert _tags(point) == (
        ["case_management", "communicating_with_communities"],
        [],
        "",
        "high",
    )


def test_unknown_slug_in_the_form_is_a_field_error_and_nothing_is_written(client, tagged, world):
    client.force_login(world.coordinator)
    point = tagged["monitoring"]
    point.refresh_from_db()
    before = (_tags(point), point.version, point.description)

    response = client.post(
        f"/action-points/{point.pk}/edit/",
        _edit_data(
            point,
            description="Changed",
            pim_categories=["protection_monitoring", "gossip"],
            pim_principles=["rumour"],
            pim_process_step="dream",
            priority="urgent",
        ),
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {
        "pim_categories": [UNKNOWN % "gossip"],
        "pim_principles": [UNKNOWN % "rumour"],
        "pim_process_step": [UNKNOWN % "dream"],
        "priority": [UNKNOWN % "urgent"],
    }
    # Each error on its own field: the lists' in their fieldset.
    assertContains(
        response,
        f'<ul class="errorlist" id="id_pim_categories_error"><li>{UNKNOWN % "gossip"}</li></ul>',
        html=False,
    )
    point.refresh_from_db()
    assert (_tags(point), point.version, point.description) == before


def test_a_refused_classification_undoes_the_whole_edit(client, tagged, world, monkeypatch):
    """The service's own refusal (whatever the form let through) leaves nothing
    written: not the description, not the focal points."""
    client.force_login(world.coordinator)
    point = tagged["monitoring"]
    point.refresh_from_db()
    before = (point.version, point.description, _tags(point))

    def refuse(**kwargs):
        raise ValidationError({"pim_categories": "Refused for the test."})

    monkeypatch.setattr(services, "action_point_classify", refuse)
    response = client.post(
        f"/action-points/{point.pk}/edit/",
        _edit_data(
            point,
            description="Changed",
            pim_categories=["case_management"],
            **_formset(("Jad", "support", ""), ("Rana", "lead", ""), initial=1),
        ),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"pim_categories": ["Refused for the test."]}
    point.refresh_from_db()
    assert (point.version, point.description, _tags(point)) == before
    assert [fp.person.name for fp in point.focal_points.all()] == ["Jad"]


def test_a_refused_classification_undoes_the_new_action_point(client, world, monkeypatch):
    client.force_login(world.coordinator)

    def refuse(**kwargs):
        raise ValidationError({"priority": "Refused for the test."})

    monkeypatch.setattr(services, "action_point_classify", refuse)
    response = client.post(
        f"/challenges/{world.challenge.pk}/action-points/add/",
        {"description": "New", "deadline": "", "priority": "high", **_formset()},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"priority": ["Refused for the test."]}
    assert ActionPoint.objects.count() == 2


def test_stale_edit_keeps_the_tags_the_user_chose(client, tagged, world):
    client.force_login(world.coordinator)
    point = tagged["monitoring"]
    point.refresh_from_db()
    data = _edit_data(
        point, pim_categories=["case_management", "population_data"], version=str(point.version)
    )
    services.action_point_update(action_point=point, user=None, description="Someone else's")

    response = client.post(f"/action-points/{point.pk}/edit/", data)

    assert response.status_code == 200
    assert response.context["conflict"] is not None
    assert response.context["form"]["pim_categories"].value() == [
        "case_management",
        "population_data",
    ]
    assert _tags(point)[0] == ["protection_monitoring"]


# --- who may set them --------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_only_coordinators_set_tags_members_read_them(client, tagged, world, role):
    """The member leads the group (may update its points) but does not coordinate
    the plan: the edit form, the one place tags are set, is refused (403)."""
    world.plan.visibility = "signed_in"
    world.plan.save(update_fields=["visibility"])
    client.force_login(getattr(world, role))
    point = tagged["cases"]
    point.refresh_from_db()

    assert client.get(f"/action-points/{point.pk}/edit/").status_code == 403
    response = client.post(
        f"/action-points/{point.pk}/edit/", _edit_data(point, pim_categories=["population_data"])
    )

    assert response.status_code == 403
    assert _tags(point) == (["case_management"], [], "", "high")
    page = client.get(f"/action-points/{point.pk}/")
    assertContains(page, '<span class="badge priority-high">High priority</span>', count=1)
    assertContains(page, "<dd>Case management</dd>", html=False)


# --- where they show ------------------------------------------------------------------


def test_action_point_page_shows_categories_principles_step_and_priority(client, tagged, world):
    client.force_login(world.member)

    census = client.get(f"/action-points/{tagged['census'].pk}/")
    monitoring = client.get(f"/action-points/{tagged['monitoring'].pk}/")
    cases = client.get(f"/action-points/{tagged['cases'].pk}/")

    assertContains(
        census,
        "<dt>Priority</dt><dd>Normal</dd>\n"
        "  <dt>PIM categories</dt><dd>Population data</dd>\n"
        "  <dt>PIM principles</dt><dd>Defined purpose</dd>\n"
        "  <dt>PIM process step</dt><dd>Design IM systems</dd>",
        html=False,
    )
    assertContains(monitoring, "<dt>PIM principles</dt><dd>Do no harm</dd>", html=False)
    assertContains(monitoring, "<dt>PIM process step</dt><dd>none</dd>", html=False)
    assertContains(
        cases,
        '<dt>Priority</dt><dd><span class="badge priority-high">High priority</span></dd>',
        html=False,
    )
    assertNotContains(census, "High priority")


def _cell(html: str, pk: int) -> str:
    """The action point cell of a plan table row."""
    row = re.search(rf'<tr class="ap-row" id="ap-{pk}"[^>]*>(.*?)</tr>', html, re.S).group(1)
    return re.search(r'<td><a class="ap-link".*?</td>', row, re.S).group(0)


def test_plan_table_shows_badge_and_categories_in_the_action_point_cell(client, tagged, world):
    client.force_login(world.member)

    html = client.get(f"/plans/{world.plan.pk}/").content.decode()

    cases, census = tagged["cases"], tagged["census"]
    assert _cell(html, cases.pk) == (
        f'<td><a class="ap-link" href="/action-points/{cases.pk}/" dir="auto">Case files</a> '
        '<span class="badge priority-high">High priority</span>'
        '<ul class="pim-tags" aria-label="PIM categories"><li>Case management</li></ul></td>'
    )
    assert _cell(html, census.pk) == (
        f'<td><a class="ap-link" href="/action-points/{census.pk}/" dir="auto">Census</a>'
        '<ul class="pim-tags" aria-label="PIM categories"><li>Population data</li></ul></td>'
    )
    plain = tagged["plain"]
    assert _cell(html, plain.pk) == (
        f'<td><a class="ap-link" href="/action-points/{plain.pk}/" dir="auto">Plain</a></td>'
    )
    assert html.count("High priority") == 1


def test_plan_cards_and_my_action_points_show_badge_and_categories(client, tagged, world):
    client.force_login(world.member)

    cards = client.get(f"/plans/{world.plan.pk}/?view=cards")
    mine = client.get("/my/action-points/")

    for response in (cards, mine):
        assertContains(response, '<span class="badge priority-high">High priority</span>', count=1)
        assertContains(
            response,
            '<ul class="pim-tags" aria-label="PIM categories"><li>Protection monitoring</li></ul>',
            count=1,
            html=False,
        )
        assertContains(response, '<ul class="pim-tags"', count=3, html=False)


# --- filters ----------------------------------------------------------------------------


def _filtered(world, query: dict) -> set[int]:
    request = RequestFactory().get("/")
    request.user = world.coordinator
    filterset = ActionPointFilterSet(query, queryset=ActionPoint.objects.all(), request=request)
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("id", flat=True))


def test_filters_select_exactly_the_tagged_points(world, tagged):
    ids = {name: point.pk for name, point in tagged.items()}
    # Any of the categories given.
    assert _filtered(world, {"pim_category": ["protection_monitoring", "case_management"]}) == {
        ids["monitoring"],
        ids["cases"],
    }
    assert _filtered(world, {"pim_category": ["sectoral_systems_other"]}) == set()
    assert _filtered(world, {"pim_principle": ["do_no_harm", "defined_purpose"]}) == {
        ids["monitoring"],
        ids["census"],
    }
    assert _filtered(world, {"pim_process_step": "design_im_systems"}) == {ids["census"]}
    assert _filtered(world, {"priority": "high"}) == {ids["cases"]}
    normal = _filtered(world, {"priority": "normal"})
    assert normal == {ids["monitoring"], ids["census"], ids["plain"], world.other_action_point.pk}
    # With the other filters: all must hold.
    both = {"pim_category": ["population_data", "case_management"]}
    assert _filtered(world, {**both, "status": ["in_progress"]}) == {ids["census"]}
    assert _filtered(world, {**both, "priority": "high"}) == {ids["cases"]}
    assert _filtered(world, {**both, "pim_principle": ["do_no_harm"]}) == set()
    assert _filtered(world, {**both, "q": "Census"}) == {ids["census"]}


def test_a_point_with_two_matching_tags_is_listed_once(world, tagged):
    _classify(tagged["cases"], pim_categories=["case_management", "protection_monitoring"])
    query = {"pim_category": ["protection_monitoring", "case_management"]}
    request = RequestFactory().get("/")
    request.user = world.coordinator
    qs = ActionPointFilterSet(query, queryset=ActionPoint.objects.all(), request=request).qs
    assert sorted(qs.values_list("id", flat=True)) == sorted(
        [tagged["monitoring"].pk, tagged["cases"].pk]
    )


def _table_ids(response) -> list[int]:
    assert response.status_code == 200
    return [
        int(pk) for pk in re.findall(r'<tr class="ap-row" id="ap-(\d+)"', response.content.decode())
    ]


def test_plan_page_filters_by_tags(client, world, tagged):
    client.force_login(world.member)
    url = f"/plans/{world.plan.pk}/"

    response = client.get(url + "?pim_category=protection_monitoring&pim_category=case_management")

    assert _table_ids(response) == [tagged["monitoring"].pk, tagged["cases"].pk]
    # "More filters" opens when one of them is used.
    assertContains(response, '<details class="more-filters wide" open>', html=False)
    assert _table_ids(client.get(url + "?priority=high&view=table")) == [tagged["cases"].pk]
    assert _table_ids(client.get(url + "?pim_principle=defined_purpose&status=in_progress")) == [
        tagged["census"].pk
    ]
    unfiltered = client.get(url)
    assertContains(unfiltered, '<details class="more-filters wide">', html=False)
    assertContains(unfiltered, "<summary>More filters</summary>", html=False)
    assertContains(unfiltered, "<legend>PIM categories</legend>", count=1, html=False)


def test_plan_page_reports_an_unknown_slug_on_its_field(client, world, tagged):
    client.force_login(world.member)

    response = client.get(f"/plans/{world.plan.pk}/?pim_category=gossip&priority=urgent")

    assert response.context["filterset"].errors == {
        "pim_category": [UNKNOWN % "gossip"],
        "priority": [UNKNOWN % "urgent"],
    }
    assert _table_ids(response) == []
    assertContains(
        response, f'<ul class="errorlist"><li>{UNKNOWN % "gossip"}</li></ul>', html=False
    )


def test_my_action_points_filter_by_tags(client, world, tagged):
    client.force_login(world.member)

    response = client.get(
        "/my/action-points/?pim_category=population_data&pim_category=case_management"
    )
    assert {point.pk for point in response.context["page_obj"]} == {
        tagged["census"].pk,
        tagged["cases"].pk,
    }
    response = client.get("/my/action-points/?pim_process_step=design_im_systems&priority=normal")
    assert [point.pk for point in response.context["page_obj"]] == [tagged["census"].pk]
    response = client.get("/my/action-points/?pim_principle=gossip")
    assert response.context["filterset"].errors == {"pim_principle": [UNKNOWN % "gossip"]}
    assert list(response.context["page_obj"]) == []


def _csv_descriptions(response) -> list[str]:
    assert response.status_code == 200, response.content
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    column = rows[0].index("Action point")
    return [row[column] for row in rows[1:]]


def test_all_points_export_takes_the_tag_filters(client, world, tagged):
    client.force_login(world.coordinator)

    response = client.get(
        "/action-points/export.csv?pim_category=protection_monitoring&pim_category=population_data"
    )
    assert _csv_descriptions(response) == ["IMWG to recommend standardized tools", "Census"]
    response = client.get("/action-points/export.csv?priority=high")
    assert _csv_descriptions(response) == ["Case files"]
    bad = client.get("/action-points/export.csv?pim_category=gossip")
    assert bad.status_code == 400
    assert bad.content.decode() == (
        f"The filters are not valid:\npim_category: {UNKNOWN % 'gossip'}\n"
    )


# --- queries: the same at two sizes, with tags ------------------------------------------


def _grow(world, start: int, count: int) -> None:
    """Points in new challenges of the member's group, each with two categories, a
    principle, a step, a priority and a focal point."""
    for n in range(start, start + count):
        challenge = ChallengeFactory(working_group=world.group, number=10 + n, description="C")
        point = ActionPointFactory(challenge=challenge, position=1, description=f"Point {n}")
        FocalPointFactory(action_point=point, person=PersonFactory())
        _classify(
            point,
            pim_categories=["population_data", "case_management"],
            pim_principles=["do_no_harm"],
            pim_process_step="evaluate_impact",
            priority="high" if n % 2 else "normal",
        )


@pytest.mark.parametrize(
    "url",
    [
        "/plans/{plan}/",
        "/plans/{plan}/?view=cards",
        "/plans/{plan}/?sort=-updated",
        "/plans/{plan}/?pim_category=population_data&pim_category=case_management&priority=high",
        "/plans/{plan}/?pim_principle=do_no_harm&pim_process_step=evaluate_impact",
        "/my/action-points/",
        "/my/action-points/?pim_category=population_data&priority=normal",
        "/action-points/{point}/",
    ],
)
@pytest.mark.parametrize("role", ["coordinator", "member"])
def test_pages_with_tags_run_the_same_queries_at_two_sizes(client, world, url, role):
    client.force_login(getattr(world, role))
    url = url.format(plan=world.plan.pk, point=world.action_point.pk)
    _classify(world.action_point, pim_categories=["protection_monitoring"], priority="high")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured)

    _grow(world, 0, 2)
    small = count()
    _grow(world, 2, 10)
    assert count() == small
