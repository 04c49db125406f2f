"""PIM categories, principles, process step and priority in the API: read on every
action point, written by coordinators on create, update and patch (all or nothing,
with the version and If-Match rules), validated (an unknown slug is a 400 naming the
field and the value), filtered (?pim_category=, repeatable, any of them), in the
OpenAPI schema as enums, and read in a fixed number of queries."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actionplans import services
from actionplans.choices import PimCategory, PimPrinciple, PimProcessStep
from actionplans.models import ActionPoint, PimTag
from tests.api.helpers import NOT_ALLOWED, STALE, ids, token_client
from tests.factories import ActionPointFactory, ChallengeFactory, FocalPointFactory, PersonFactory

pytestmark = pytest.mark.django_db

INVALID = '"%s" is not a valid choice.'
FILTER_INVALID = "Select a valid choice. %s is not one of the available choices."


def _classify(point, **kwargs) -> None:
    services.action_point_classify(action_point=point, user=None, **kwargs)


def _tags(point) -> dict:
    point = ActionPoint.objects.get(pk=point.pk)
    return {
        "priority": point.priority,
        "pim_categories": point.pim_categories,
        "pim_principles": point.pim_principles,
        "pim_process_step": point.pim_process_step or None,
    }


def _read(body: dict) -> dict:
    names = ("priority", "pim_categories", "pim_principles", "pim_process_step")
    return {name: body[name] for name in names}


@pytest.fixture
def tagged(world):
    monitoring = world.action_point
    _classify(monitoring, pim_categories=["protection_monitoring"], pim_principles=["do_no_harm"])
    cases = ActionPointFactory(challenge=world.challenge, position=2, description="Case files")
    _classify(cases, pim_categories=["case_management"], priority="high")
    census = ActionPointFactory(
        challenge=world.challenge,
        position=3,
        description="Census",
        status="in_progress",
        progress=5,
    )
    _classify(
        census,
        pim_categories=["population_data", "case_management"],
        pim_principles=["defined_purpose"],
        pim_process_step="design_im_systems",
    )
    plain = ActionPointFactory(challenge=world.challenge, position=4, description="Plain")
    return {"monitoring": monitoring, "cases": cases, "census": census, "plain": plain}


# --- reading ----------------------------------------------------------------------------


def test_every_role_that_sees_a_point_reads_its_tags(world, tagged, member_client):
    body = member_client.get(f"/api/v1/action-points/{tagged['census'].pk}/").json()
    assert _read(body) == {
        "priority": "normal",
        "pim_categories": ["population_data", "case_management"],  # the matrix's order
        "pim_principles": ["defined_purpose"],
        "pim_process_step": "design_im_systems",
    }
    listed = {
        item["id"]: _read(item)
        for item in member_client.get("/api/v1/action-points/").json()["results"]
    }
    assert listed[tagged["cases"].pk] == {
        "priority": "high",
        "pim_categories": ["case_management"],
        "pim_principles": [],
        "pim_process_step": None,
    }


# --- writing ----------------------------------------------------------------------------


def test_coordinator_creates_an_action_point_with_tags(world, coordinator_client):
    response = coordinator_client.post(
        "/api/v1/action-points/",
        {
            "challenge": world.challenge.pk,
            "description": "Map the monitoring tools",
            "priority": "high",
            "pim_categories": ["protection_monitoring", "population_data", "population_data"],
            "pim_principles": ["impartiality"],
            "pim_process_step": "assess_information_landscape",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    expected = {
        "priority": "high",
        "pim_categories": ["population_data", "protection_monitoring"],
        "pim_principles": ["impartiality"],
        "pim_process_step": "assess_information_landscape",
    }
    assert _read(response.json()) == expected
    assert _tags(ActionPoint.objects.get(pk=response.json()["id"])) == expected


def test_create_without_tags_has_none(world, coordinator_client):
    response = coordinator_client.post(
        "/api/v1/action-points/",
        {"challenge": world.challenge.pk, "description": "Nothing else"},
        format="json",
    )
    assert response.status_code == 201
    assert _read(response.json()) == {
        "priority": "normal",
        "pim_categories": [],
        "pim_principles": [],
        "pim_process_step": None,
    }
    assert response.json()["version"] == 1


def test_patch_replaces_only_what_it_sends(world, tagged, coordinator_client):
    point = tagged["census"]
    url = f"/api/v1/action-points/{point.pk}/"
    etag = coordinator_client.get(url)["ETag"]

    response = coordinator_client.patch(
        url, {"pim_categories": ["sectoral_systems_other"]}, format="json", HTTP_IF_MATCH=etag
    )

    assert response.status_code == 200, response.content
    assert _read(response.json()) == {
        "priority": "normal",
        "pim_categories": ["sectoral_systems_other"],
        "pim_principles": ["defined_purpose"],
        "pim_process_step": "design_im_systems",
    }
    point.refresh_from_db()
    assert response["ETag"] == f'"actionpoint-{point.pk}-{point.version}"' != etag
    assert response.json()["version"] == point.version


@pytest.mark.parametrize("cleared", [None, ""])
def test_patch_clears_the_process_step_with_null_or_blank(
    world, tagged, coordinator_client, cleared
):
    point = tagged["census"]
    response = coordinator_client.patch(
        f"/api/v1/action-points/{point.pk}/",
        {"pim_process_step": cleared, "pim_principles": [], "priority": "high"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert _tags(point) == {
        "priority": "high",
        "pim_categories": ["population_data", "case_management"],
        "pim_principles": [],
        "pim_process_step": None,
    }


def test_put_with_tags_and_description_writes_both(world, tagged, coordinator_client):
    point = tagged["monitoring"]
    response = coordinator_client.put(
        f"/api/v1/action-points/{point.pk}/",
        {
            "challenge": world.challenge.pk,
            "description": "Recommend common tools",
            "pim_categories": ["communicating_with_communities"],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    point.refresh_from_db()
    assert point.description == "Recommend common tools"
    assert _tags(point)["pim_categories"] == ["communicating_with_communities"]
    assert _tags(point)["pim_principles"] == ["do_no_harm"]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"pim_categories": ["protection_monitoring", "gossip"]},
            {"pim_categories": [INVALID % "gossip"]},
        ),
        ({"pim_principles": ["rumour"]}, {"pim_principles": [INVALID % "rumour"]}),
        ({"pim_process_step": "dream"}, {"pim_process_step": [INVALID % "dream"]}),
        ({"priority": "urgent"}, {"priority": [INVALID % "urgent"]}),
        ({"priority": None}, {"priority": ["This field may not be null."]}),
        (
            {"pim_categories": "population_data"},
            {"pim_categories": ['Expected a list of items but got type "str".']},
        ),
        ({"pim_categories": None}, {"pim_categories": ["This field may not be null."]}),
        ({"pim_categories": [""]}, {"pim_categories": [INVALID % ""]}),
    ],
)
def test_bad_values_are_a_400_naming_field_and_value_and_nothing_is_written(
    world, tagged, coordinator_client, body, errors
):
    point = tagged["census"]
    point.refresh_from_db()
    before = (_tags(point), point.version, point.description)

    response = coordinator_client.patch(
        f"/api/v1/action-points/{point.pk}/", {"description": "Changed", **body}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == errors
    point.refresh_from_db()
    assert (_tags(point), point.version, point.description) == before


def test_a_refused_classification_undoes_the_whole_write(
    world, tagged, coordinator_client, monkeypatch
):
    from django.core.exceptions import ValidationError

    point = tagged["census"]
    point.refresh_from_db()
    before = (_tags(point), point.version, point.description, ActionPoint.objects.count())

    def refuse(**kwargs):
        raise ValidationError({"pim_categories": "Refused for the test."})

    monkeypatch.setattr(services, "action_point_classify", refuse)
    patched = coordinator_client.patch(
        f"/api/v1/action-points/{point.pk}/",
        {"description": "Changed", "pim_categories": ["population_data"]},
        format="json",
    )
    created = coordinator_client.post(
        "/api/v1/action-points/",
        {"challenge": world.challenge.pk, "description": "New", "priority": "high"},
        format="json",
    )

    assert patched.status_code == created.status_code == 400
    assert patched.json() == created.json() == {"pim_categories": ["Refused for the test."]}
    point.refresh_from_db()
    assert (_tags(point), point.version, point.description, ActionPoint.objects.count()) == before


def test_stale_if_match_is_a_412_and_writes_nothing(world, tagged, coordinator_client):
    point = tagged["census"]
    url = f"/api/v1/action-points/{point.pk}/"
    etag = coordinator_client.get(url)["ETag"]
    _classify(point, priority="high")  # someone else, meanwhile

    response = coordinator_client.patch(
        url, {"pim_categories": ["population_data"]}, format="json", HTTP_IF_MATCH=etag
    )

    assert response.status_code == 412
    assert response.json() == STALE
    assert _tags(point)["pim_categories"] == ["population_data", "case_management"]


@pytest.mark.parametrize("role", ["member", "viewer", "member_ro"])
def test_only_coordinators_set_tags(world, tagged, clients, role):
    """The member leads the group and may post updates on its points, but tags,
    step and priority are the plan's coordinators' (the edit rule, can_edit_plan)."""
    world.plan.visibility = "signed_in"
    world.plan.save(update_fields=["visibility"])
    point = tagged["census"]
    before = _tags(point)

    response = clients[role].patch(
        f"/api/v1/action-points/{point.pk}/",
        {"pim_categories": ["population_data"], "priority": "high"},
        format="json",
    )

    assert response.status_code == 403
    if role != "member_ro":
        assert response.json() == NOT_ALLOWED
    assert _tags(point) == before
    assert PimTag.objects.filter(action_point=point).count() == 3


# --- filters ----------------------------------------------------------------------------


def test_filters_select_exactly_the_tagged_points(world, tagged, member_client):
    t = {name: point.pk for name, point in tagged.items()}
    base = "/api/v1/action-points/"
    assert ids(member_client.get(f"{base}?pim_category=protection_monitoring")) == [t["monitoring"]]
    assert ids(
        member_client.get(f"{base}?pim_category=protection_monitoring&pim_category=case_management")
    ) == [t["monitoring"], t["cases"], t["census"]]
    assert ids(
        member_client.get(f"{base}?pim_principle=defined_purpose&pim_principle=do_no_harm")
    ) == [
        t["monitoring"],
        t["census"],
    ]
    assert ids(member_client.get(f"{base}?pim_process_step=design_im_systems")) == [t["census"]]
    assert ids(member_client.get(f"{base}?priority=high")) == [t["cases"]]
    assert ids(member_client.get(f"{base}?pim_category=case_management&status=in_progress")) == [
        t["census"]
    ]
    assert ids(member_client.get(f"{base}?pim_category=case_management&priority=normal")) == [
        t["census"]
    ]
    assert ids(member_client.get(f"{base}?pim_category=sectoral_systems_other")) == []


def test_filters_with_unknown_values_are_a_400_naming_them(world, tagged, member_client):
    response = member_client.get(
        "/api/v1/action-points/?pim_category=protection_monitoring&pim_category=gossip"
        "&pim_principle=rumour&pim_process_step=dream&priority=urgent"
    )
    assert response.status_code == 400
    assert response.json() == {
        "pim_category": [FILTER_INVALID % "gossip"],
        "pim_principle": [FILTER_INVALID % "rumour"],
        "pim_process_step": [FILTER_INVALID % "dream"],
        "priority": [FILTER_INVALID % "urgent"],
    }


def test_export_csv_endpoint_takes_the_tag_filters(world, tagged, member_client):
    ok = member_client.get("/api/v1/action-points/export/csv/?priority=high")
    assert ok.status_code == 200
    bad = member_client.get("/api/v1/action-points/export/csv/?pim_category=gossip")
    assert bad.status_code == 400
    assert bad.json() == {"pim_category": [FILTER_INVALID % "gossip"]}


# --- the schema -------------------------------------------------------------------------


def test_schema_shows_the_enums(world, coordinator_client):
    document = coordinator_client.get("/api/schema/", {"format": "json"}).json()
    components = document["components"]["schemas"]

    def resolve(schema: dict) -> dict:
        if "$ref" in schema:
            return components[schema["$ref"].rsplit("/", 1)[1]]
        if "allOf" in schema:
            return resolve(schema["allOf"][0])
        return schema

    properties = components["ActionPoint"]["properties"]
    categories = resolve(properties["pim_categories"]["items"])
    principles = resolve(properties["pim_principles"]["items"])
    assert properties["pim_categories"]["type"] == properties["pim_principles"]["type"] == "array"
    assert sorted(categories["enum"]) == sorted(PimCategory.values)
    assert sorted(principles["enum"]) == sorted(PimPrinciple.values)
    step = properties["pim_process_step"]
    step_enums = [resolve(option).get("enum") for option in step.get("oneOf", [step])]
    assert [
        value for enum in step_enums if enum for value in enum if value
    ] == PimProcessStep.values
    assert step.get("nullable") is True
    assert resolve(properties["priority"])["enum"] == ["high", "normal"]
    parameters = {
        p["name"]: p for p in document["paths"]["/api/v1/action-points/"]["get"]["parameters"]
    }
    assert sorted(parameters["pim_category"]["schema"]["items"]["enum"]) == sorted(
        PimCategory.values
    )
    assert parameters["pim_category"]["explode"] is True
    assert parameters["priority"]["schema"]["enum"] == ["high", "normal"]


# --- queries ------------------------------------------------------------------------------


def _grow(world, start: int, count: int) -> None:
    for n in range(start, start + count):
        challenge = ChallengeFactory(working_group=world.group, number=10 + n, description="C")
        point = ActionPointFactory(challenge=challenge, position=1, description=f"Point {n}")
        FocalPointFactory(action_point=point, person=PersonFactory())
        _classify(
            point,
            pim_categories=["population_data", "case_management"],
            pim_principles=["do_no_harm", "impartiality"],
            pim_process_step="evaluate_impact",
            priority="high" if n % 2 else "normal",
        )


@time_machine.travel(datetime.datetime(2026, 11, 27, 12, tzinfo=datetime.UTC), tick=False)
@pytest.mark.parametrize(
    "query",
    [
        "",
        "?pim_category=population_data&pim_category=case_management",
        "?pim_principle=do_no_harm&pim_process_step=evaluate_impact&priority=high",
    ],
)
@pytest.mark.parametrize("role", ["coordinator", "member"])
def test_list_with_tags_runs_the_same_queries_at_two_sizes(world, role, query):
    client = token_client(getattr(world, role))
    client.get("/api/v1/")  # the token's first use records last_used: not counted
    url = f"/api/v1/action-points/{query}"

    def measure() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured), response.json()["count"]

    _grow(world, 0, 2)
    small, small_rows = measure()
    _grow(world, 2, 10)
    large, large_rows = measure()
    assert large == small
    assert large_rows > small_rows
