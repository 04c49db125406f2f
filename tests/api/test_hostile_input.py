"""Hostile input: whatever a client sends to any field or query parameter, the API
answers without a server error, and a 400 names what it refuses.

The corpus (NUL, control and direction characters, 10 KB strings, huge and
negative numbers, wrong types, lists where text is expected, lone surrogates) goes
to every field of every write operation the schema documents, one operation per
test, and to every query parameter of every read operation. What was accepted is
then checked in the database: no stored text holds a control character, no name
or link a direction override (pim_tracker/characters.py).

Also here: issue 17's findings 4 and 5 reproduced (a title with U+000B broke the
Excel export; deeply nested JSON was an HTML 500), and the schemathesis seed of the
review that found the first.
"""

from __future__ import annotations

import io
import json
import re

import hypothesis
import pytest
import schemathesis
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck
from openpyxl import load_workbook

from actionplans import services
from actionplans.models import (
    ActionPlan,
    ActionPoint,
    Challenge,
    DeadlineChange,
    ExtensionRequest,
    FocalPoint,
    ProgressUpdate,
    WorkingGroup,
)
from orgs.models import Organization, Person
from tests.api.helpers import token_client
from tests.factories import OrganizationFactory
from webhooks import services as webhooks
from webhooks.models import Subscription

pytestmark = pytest.mark.django_db

# The schema as /api/schema/ serves it (test_schemathesis shows they are the same).
SCHEMA = SchemaGenerator().get_schema(request=None, public=True)

HOSTILE: dict[str, object] = {
    "nul": "a\x00b",
    "vertical tab": "Plan\x0bA",
    "c1 control": "a\x85b",
    "carriage returns": "a\r\nb\rc",
    "right-to-left override": "abc\u202edcba",
    "zero width space": "\u200b=cmd",
    "lone surrogate": "\ud800",
    "10 KB": "x" * 10_240,
    "huge integer": 10**30,
    "negative": -1,
    "float": 1.5,
    "boolean": True,
    "null": None,
    "object": {"a": 1},
    "list of strings": ["a", "b"],
}
# Inside the items of a list (focal points, team members, coordinators): fewer.
HOSTILE_ITEMS = [
    "nul",
    "vertical tab",
    "right-to-left override",
    "10 KB",
    "huge integer",
    "null",
    "object",
    "list of strings",
]

SURROGATE = {"detail": "JSON parse error - a string holds half of a surrogate pair (U+D800)."}
# No stored text holds these (pim_tracker.characters); a carriage return is stored
# as a line feed.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
DIRECTION = re.compile("[\u202a-\u202e\u2066-\u2069]")
TEXTS = {
    ActionPlan: ["title", "country", "origin"],
    WorkingGroup: ["name"],
    Challenge: ["description"],
    ActionPoint: ["description", "deadline"],
    FocalPoint: ["note"],
    ProgressUpdate: ["note", "evidence_url"],
    DeadlineChange: ["new_deadline", "reason"],
    ExtensionRequest: ["new_deadline", "reason", "decision_note"],
    Organization: ["name", "acronym"],
    Person: ["name", "email"],
    Subscription: ["target_url", "description"],
}
NAMES = {
    ActionPlan: ["title", "country", "origin"],
    WorkingGroup: ["name"],
    Organization: ["name", "acronym"],
    Person: ["name"],
    ProgressUpdate: ["evidence_url"],
    Subscription: ["target_url"],
}


def _send(client, method: str, url: str, body: object):
    # Encoded here, ASCII only, so that a lone surrogate travels as "\ud800".
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def _request_fields(path: str, method: str) -> set[str]:
    """The fields the schema documents for the request body of an operation."""
    content = SCHEMA["paths"][path][method]["requestBody"]["content"]["application/json"]
    name = content["schema"]["$ref"].rsplit("/", 1)[-1]
    return set(SCHEMA["components"]["schemas"][name]["properties"])


def _stored_texts_are_clean() -> list[str]:
    """Every stored text without control characters; names and links without
    direction overrides."""
    found = []
    for model, fields in TEXTS.items():
        for row in model.objects.values("pk", *fields):
            for field in fields:
                value = row[field] or ""
                if CONTROL.search(value) or (
                    field in NAMES.get(model, []) and DIRECTION.search(value)
                ):
                    found.append(f"{model.__name__} {row['pk']} {field}: {value!r}")
    return found


# --- every write field ---------------------------------------------------------------
# Each operation: (method, schema path), a valid body (every other field stays valid
# while one is hostile), the nested places of the hostile value, and what runs
# before each request to give it a fresh start.


def _operations(world, user) -> dict[str, dict]:
    plan, group, challenge, point = world.plan, world.group, world.challenge, world.action_point
    person = world.member_person
    organization = OrganizationFactory(name="UN Refugee Agency", acronym="UNHCR")

    def fresh_request() -> None:
        ExtensionRequest.objects.all().delete()
        point.refresh_from_db()
        deadline = "Q3 2031" if point.deadline != "Q3 2031" else "Q4 2031"
        services.extension_request_create(
            action_point=point, user=user, new_deadline=deadline, reason="Rains"
        )

    def no_request() -> None:
        ExtensionRequest.objects.all().delete()

    def completed_by_member() -> None:
        ActionPoint.objects.filter(pk=point.pk).update(
            status="completed",
            progress=100,
            completed_by=world.member,
            completed_at=timezone.now(),
            verified_by=None,
            verified_at=None,
        )

    comment = services.comment_create(action_point=point, author=user, body="First thoughts")
    subscription = _webhook(user)

    return {
        "plan create": {
            "op": ("post", "/api/v1/plans/"),
            "url": "/api/v1/plans/",
            "body": {"title": "New plan", "country": "Lebanon", "origin": "Workshop"},
            "items": {"coordinators": "coordinator"},
        },
        "plan update": {
            "op": ("patch", "/api/v1/plans/{id}/"),
            "url": f"/api/v1/plans/{plan.pk}/",
            "body": {},
            "items": {"coordinators": "coordinator"},
        },
        "working group create": {
            "op": ("post", "/api/v1/working-groups/"),
            "url": "/api/v1/working-groups/",
            "body": {"plan": plan.pk, "name": "Assessments"},
            "items": {"team_member_ids": person.pk},
        },
        "working group update": {
            "op": ("patch", "/api/v1/working-groups/{id}/"),
            "url": f"/api/v1/working-groups/{group.pk}/",
            "body": {},
            "items": {"team_member_ids": person.pk},
        },
        "challenge create": {
            "op": ("post", "/api/v1/challenges/"),
            "url": "/api/v1/challenges/",
            "body": {"working_group": group.pk, "description": "Lack of data"},
        },
        "challenge update": {
            "op": ("patch", "/api/v1/challenges/{id}/"),
            "url": f"/api/v1/challenges/{challenge.pk}/",
            "body": {},
        },
        "action point create": {
            "op": ("post", "/api/v1/action-points/"),
            "url": "/api/v1/action-points/",
            "body": {"challenge": challenge.pk, "description": "Map the services"},
            "nested": {
                "focal_points": {"person": person.pk, "role": "lead", "note": "tbc"},
            },
        },
        "action point update": {
            "op": ("patch", "/api/v1/action-points/{id}/"),
            "url": f"/api/v1/action-points/{point.pk}/",
            "body": {"deadline_reason": "The workshop moved"},
            "nested": {
                "focal_points": {"person": person.pk, "role": "lead", "note": "tbc"},
            },
        },
        "progress update": {
            "op": ("post", "/api/v1/action-points/{id}/updates/"),
            "url": f"/api/v1/action-points/{point.pk}/updates/",
            "body": {"status": "in_progress", "progress": 10, "note": "Started"},
        },
        "reschedule": {
            "op": ("post", "/api/v1/action-points/{id}/reschedule/"),
            "url": f"/api/v1/action-points/{point.pk}/reschedule/",
            "body": {"deadline": "Q2 2031", "reason": "Funding came late"},
            "before": lambda: ActionPoint.objects.filter(pk=point.pk).update(deadline="2030"),
        },
        "extension request": {
            "op": ("post", "/api/v1/action-points/{id}/extension-requests/"),
            "url": f"/api/v1/action-points/{point.pk}/extension-requests/",
            "body": {"new_deadline": "Q1 2032", "reason": "Rains"},
            "before": no_request,
        },
        "extension decision": {
            "op": ("post", "/api/v1/action-points/{id}/extension-requests/decide/"),
            "url": f"/api/v1/action-points/{point.pk}/extension-requests/decide/",
            "body": {"approve": False, "note": "Not this time"},
            "before": fresh_request,
        },
        "send back": {
            "op": ("post", "/api/v1/action-points/{id}/send-back/"),
            "url": f"/api/v1/action-points/{point.pk}/send-back/",
            "body": {"reason": "The evidence link is missing"},
            "before": completed_by_member,
        },
        "comment create": {
            "op": ("post", "/api/v1/action-points/{action_point_pk}/comments/"),
            "url": f"/api/v1/action-points/{point.pk}/comments/",
            "body": {"body": "Shared with the IMWG"},
        },
        "comment update": {
            "op": ("patch", "/api/v1/action-points/{action_point_pk}/comments/{id}/"),
            "url": f"/api/v1/action-points/{point.pk}/comments/{comment.pk}/",
            "body": {"body": "Shared with the IMWG on Monday"},
        },
        "person create": {
            "op": ("post", "/api/v1/people/"),
            "url": "/api/v1/people/",
            "body": {"name": "Rana", "organization": organization.pk},
        },
        "person update": {
            "op": ("patch", "/api/v1/people/{id}/"),
            "url": f"/api/v1/people/{person.pk}/",
            "body": {},
        },
        "organization create": {
            "op": ("post", "/api/v1/organizations/"),
            "url": "/api/v1/organizations/",
            "body": {"name": "Danish Refugee Council", "acronym": "DRC", "kind": "ingo"},
            "before": lambda: Organization.objects.filter(name__startswith="Danish").delete(),
        },
        "organization update": {
            "op": ("patch", "/api/v1/organizations/{id}/"),
            "url": f"/api/v1/organizations/{organization.pk}/",
            "body": {},
        },
        "webhook create": {
            "op": ("post", "/api/v1/webhooks/"),
            "url": "/api/v1/webhooks/",
            "body": {"target_url": WEBHOOK_TARGET, "events": ["plan.updated"]},
            "items": {"events": "plan.updated"},
        },
        "webhook update": {
            "op": ("patch", "/api/v1/webhooks/{id}/"),
            "url": f"/api/v1/webhooks/{subscription.pk}/",
            "body": {},
            "items": {"events": "plan.updated"},
        },
    }


WEBHOOK_TARGET = "http://127.0.0.1:8765/hooks"


def _webhook(user) -> Subscription:
    subscription, _secret = webhooks.subscription_create(
        owner=user, target_url=WEBHOOK_TARGET, events=["action_point.created"]
    )
    return subscription


def _variants(operation: dict, field: str) -> list[tuple[str, dict]]:
    """(where, body) for each hostile value in `field`, and in its nested places."""
    base = operation["body"]
    variants = [(f"{field}={label}", {**base, field: value}) for label, value in HOSTILE.items()]
    if field in operation.get("items", {}):
        variants += [
            (f"{field}[0]={label}", {**base, field: [HOSTILE[label]]}) for label in HOSTILE_ITEMS
        ]
    if field in operation.get("nested", {}):
        item = operation["nested"][field]
        variants += [
            (f"{field}[0].{key}={label}", {**base, field: [{**item, key: HOSTILE[label]}]})
            for key in item
            for label in HOSTILE_ITEMS
        ]
    return variants


OPERATIONS = [
    "plan create",
    "plan update",
    "working group create",
    "working group update",
    "challenge create",
    "challenge update",
    "action point create",
    "action point update",
    "progress update",
    "reschedule",
    "extension request",
    "extension decision",
    "send back",
    "comment create",
    "comment update",
    "person create",
    "person update",
    "organization create",
    "organization update",
    "webhook create",
    "webhook update",
]


def test_hostile_input_every_write_operation_of_the_schema_is_covered():
    documented = {
        (method, path)
        for path, operations in SCHEMA["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation and method != "put"  # PUT: the fields of PATCH
    }
    covered = {
        ("post", "/api/v1/plans/"),
        ("patch", "/api/v1/plans/{id}/"),
        ("post", "/api/v1/working-groups/"),
        ("patch", "/api/v1/working-groups/{id}/"),
        ("post", "/api/v1/challenges/"),
        ("patch", "/api/v1/challenges/{id}/"),
        ("post", "/api/v1/action-points/"),
        ("patch", "/api/v1/action-points/{id}/"),
        ("post", "/api/v1/action-points/{id}/updates/"),
        ("post", "/api/v1/action-points/{id}/reschedule/"),
        ("post", "/api/v1/action-points/{id}/extension-requests/"),
        ("post", "/api/v1/action-points/{id}/extension-requests/decide/"),
        ("post", "/api/v1/action-points/{id}/send-back/"),
        ("post", "/api/v1/action-points/{action_point_pk}/comments/"),
        ("patch", "/api/v1/action-points/{action_point_pk}/comments/{id}/"),
        ("post", "/api/v1/people/"),
        ("patch", "/api/v1/people/{id}/"),
        ("post", "/api/v1/organizations/"),
        ("patch", "/api/v1/organizations/{id}/"),
        ("post", "/api/v1/webhooks/"),
        ("patch", "/api/v1/webhooks/{id}/"),
    }
    assert documented == covered


@pytest.mark.parametrize("name", OPERATIONS)
def test_hostile_input_in_every_field_is_never_a_server_error(world, name):
    # The administrator may make every write: the input is under test, not the role.
    client = token_client(world.admin)
    operation = _operations(world, world.admin)[name]
    method, path = operation["op"]
    fields = sorted(_request_fields(path, method))
    assert fields  # the schema documents the body
    problems = []
    for field in fields:
        for where, body in _variants(operation, field):
            if "before" in operation:
                operation["before"]()
            response = _send(client, method, operation["url"], body)
            if response.status_code >= 500:
                problems.append(f"{where}: {response.status_code}")
            elif response.status_code == 400 and field not in response.json():
                # A body that does not parse names no field, only what is wrong with it.
                if response.json() != SURROGATE or "surrogate" not in where:
                    problems.append(f"{where}: 400 naming {sorted(response.json())}")
            elif response.status_code not in (200, 201, 400):
                problems.append(f"{where}: {response.status_code} {response.content[:200]!r}")
    assert problems == []
    assert _stored_texts_are_clean() == []


# --- every query parameter -----------------------------------------------------------

QUERY_VALUES = {
    "nul": "a\x00b",
    "vertical tab": "a\x0bb",
    "right-to-left override": "\u202e1",
    "10 KB": "x" * 10_240,
    "huge integer": "9" * 200,
    "negative": "-1",
    "float": "1.5",
    "list": "[1, 2]",
    "empty": "",
}


def _query_operations() -> list[tuple[str, str]]:
    return [
        (path, parameter["name"])
        for path, operations in SCHEMA["paths"].items()
        for method, operation in operations.items()
        if method == "get"
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
    ]


@pytest.mark.parametrize("path", sorted({path for path, _name in _query_operations()}))
def test_hostile_query_parameters_are_never_a_server_error(world, path):
    client = token_client(world.admin)
    ids = {"plans": world.plan.pk, "action-points": world.action_point.pk}
    if path.startswith("/api/v1/webhooks/{id}/"):
        ids["webhooks"] = _webhook(world.admin).pk
    url = path.replace("{id}", str(ids.get(path.split("/")[3])))
    names = [name for each, name in _query_operations() if each == path]
    problems = []
    for name in names:
        # The deletions need updated_after: the other parameters are tried beside a good one.
        given = {"updated_after": "2020-01-01T00:00:00Z"} if path.endswith("/deleted/") else {}
        given.pop(name, None)
        cases = [(label, {**given, name: value}) for label, value in QUERY_VALUES.items()]
        cases.append(("twice", {**given, name: ["1", "2"]}))
        for label, params in cases:
            response = client.get(url, params)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            if response.status_code >= 500:
                problems.append(f"{name}={label}: {response.status_code}")
            elif response.status_code == 400 and name not in json.loads(body):
                problems.append(f"{name}={label}: 400 naming {sorted(json.loads(body))}")
            elif response.status_code not in (200, 400, 404):
                problems.append(f"{name}={label}: {response.status_code}")
    assert problems == []


# --- finding 5: deeply nested JSON ---------------------------------------------------

NESTED_TOO_DEEPLY = {"detail": "JSON parse error - the document is nested too deeply."}


def _write_urls(world) -> list[tuple[str, str]]:
    point, plan = world.action_point.pk, world.plan.pk
    return [
        ("post", "/api/v1/plans/"),
        ("patch", f"/api/v1/plans/{plan}/"),
        ("put", f"/api/v1/plans/{plan}/"),
        ("post", "/api/v1/working-groups/"),
        ("patch", f"/api/v1/working-groups/{world.group.pk}/"),
        ("post", "/api/v1/challenges/"),
        ("patch", f"/api/v1/challenges/{world.challenge.pk}/"),
        ("post", "/api/v1/action-points/"),
        ("patch", f"/api/v1/action-points/{point}/"),
        ("post", f"/api/v1/action-points/{point}/updates/"),
        ("post", f"/api/v1/action-points/{point}/reschedule/"),
        ("post", f"/api/v1/action-points/{point}/extension-requests/"),
        ("post", f"/api/v1/action-points/{point}/extension-requests/decide/"),
        ("post", "/api/v1/people/"),
        ("patch", f"/api/v1/people/{world.member_person.pk}/"),
        ("post", "/api/v1/organizations/"),
    ]


@pytest.mark.parametrize(
    "document",
    [
        "[" * 1000 + "]" * 1000,  # the review's 2 KB
        '{"title": ' + "[" * 50_000 + "]" * 50_000 + "}",
        '{"a":' * 5000 + "1" + "}" * 5000,
    ],
    ids=["2 KB of lists", "100 KB inside a field", "objects"],
)
def test_deeply_nested_json_is_a_400_on_every_write(world, document):
    client = token_client(world.coordinator)
    answers = {
        (method, url): getattr(client, method)(url, document, content_type="application/json")
        for method, url in _write_urls(world)
    }
    assert {key: (r.status_code, r["Content-Type"]) for key, r in answers.items()} == dict.fromkeys(
        answers, (400, "application/json")
    )
    assert {key: r.json() for key, r in answers.items()} == dict.fromkeys(
        answers, NESTED_TOO_DEEPLY
    )
    assert ActionPlan.objects.count() == 2


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            '{"title": ' + "9" * 5000 + "}",
            {"detail": "JSON parse error - a number has 5000 digits; the most is 100."},
        ),
        (
            '{"title": -' + "9" * 101 + "}",
            {"detail": "JSON parse error - a number has 101 digits; the most is 100."},
        ),
        (
            '{"title": "\\ud800"}',
            {"detail": "JSON parse error - a string holds half of a surrogate pair (U+D800)."},
        ),
        (
            '{"title": ["\\udfff"]}',
            {"detail": "JSON parse error - a string holds half of a surrogate pair (U+DFFF)."},
        ),
        ('{"title": "Plan \\ud83d\\ude00"}', {"title": ["Plan 😀"]}),
        (
            b'{"title": "\xc3\x28"}',
            {
                "detail": "JSON parse error - 'utf-8' codec can't decode byte 0xc3 in "
                "position 11: invalid continuation byte"
            },
        ),
    ],
    ids=[
        "5000 digits",
        "negative 101 digits",
        "lone surrogate",
        "lone surrogate in a list",
        "surrogate pair",
        "invalid utf-8",
    ],
)
def test_numbers_and_encodings_that_do_not_parse_are_a_400(world, raw, expected):
    response = token_client(world.coordinator).post(
        "/api/v1/plans/", raw, content_type="application/json"
    )
    if "title" in expected and expected["title"][0].startswith("Plan"):
        # A surrogate pair is an emoji, read as one.
        assert (response.status_code, response.json()["title"]) == (201, expected["title"][0])
    else:
        assert (response.status_code, response.json()) == (400, expected)


def test_a_number_of_100_digits_is_read_and_refused_by_its_field(world):
    response = token_client(world.coordinator).post(
        "/api/v1/working-groups/",
        json.dumps({"plan": world.plan.pk, "name": "G", "number": 10**99}),
        content_type="application/json",
    )

    assert (response.status_code, response.json()) == (
        400,
        {"number": ["Ensure this value is less than or equal to 32767."]},
    )


# --- finding 4: a control character in a title broke the Excel export ---------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _titled_with_a_vertical_tab(world) -> ActionPlan:
    # Written past the services, as rows stored before they refused it are.
    ActionPlan.objects.filter(pk=world.plan.pk).update(title="PIM Lebanon\x0bAction Plan")
    ActionPoint.objects.filter(pk=world.action_point.pk).update(
        description="Map\x01 the\x1f services\x7f", deadline="Q1\x0c 2030"
    )
    return world.plan


def test_xlsx_export_of_a_title_with_a_vertical_tab_over_the_api(world):
    plan = _titled_with_a_vertical_tab(world)

    response = token_client(world.member).get(f"/api/v1/plans/{plan.pk}/export/xlsx/")

    assert (response.status_code, response["Content-Type"]) == (200, XLSX)
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook["Plan"]["A1"].value == "PIM LebanonAction Plan"
    assert [cell.value for cell in workbook["Action points"][2]][:6] == [
        "PIM LebanonAction Plan",
        "Group 1: Data Sharing",
        "Jad",
        "Jad",
        "1. Lack of tools",
        "Map the services",
    ]
    assert workbook["Action points"]["G2"].value == "Q1 2030"


def test_xlsx_export_of_a_title_with_a_vertical_tab_from_the_page(client, world):
    plan = _titled_with_a_vertical_tab(world)
    client.force_login(world.member)

    response = client.get(f"/plans/{plan.pk}/export.xlsx")

    assert (response.status_code, response["Content-Type"]) == (200, XLSX)
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook["Plan"]["A1"].value == "PIM LebanonAction Plan"


@pytest.mark.parametrize("kind", ["csv", "hxl"])
def test_csv_exports_of_control_characters_leave_them_out(world, kind):
    plan = _titled_with_a_vertical_tab(world)

    response = token_client(world.member).get(f"/api/v1/plans/{plan.pk}/export/{kind}/")

    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    assert CONTROL.findall(text.replace("\r\n", "")) == []
    assert "Map the services,Q1 2030," in text


def test_a_title_with_a_vertical_tab_is_refused_over_the_api(world):
    response = _send(
        token_client(world.coordinator), "post", "/api/v1/plans/", {"title": "Plan\x0bA"}
    )

    assert (response.status_code, response.json()) == (
        400,
        {
            "title": [
                "Title contains a control character (U+000B), often pasted from another "
                "program: remove it."
            ]
        },
    )
    assert ActionPlan.objects.count() == 2


# The seed with which schemathesis found finding 4, given once (issue 17), to its
# strategy for creating plans; each plan it creates is then exported as a workbook.
# With these 40 examples it draws titles holding control characters (checked
# below, so that the test keeps testing what it is for): before the services
# refused them, the 8th plan created was titled "\x0eÒ\x1f½…" and its Excel export
# answered 500 (IllegalCharacterError). The examples drawn depend on their number.
ISSUE_SEED = 194304813927810275129225917374451719351
ISSUE_EXAMPLES = 40
_contract = schemathesis.openapi.from_dict(SCHEMA)


def test_schemathesis_issue_seed_plans_always_export(world):
    client = token_client(world.coordinator)
    titles: list[str] = []

    @hypothesis.given(case=_contract["/api/v1/plans/"]["POST"].as_strategy())
    @hypothesis.seed(ISSUE_SEED)
    @hypothesis.settings(
        max_examples=ISSUE_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def create_then_export(case) -> None:
        if isinstance(case.body, dict) and isinstance(case.body.get("title"), str):
            titles.append(case.body["title"])
        response = _send(client, "post", "/api/v1/plans/", case.body)
        assert response.status_code in (201, 400), response.content
        if response.status_code == 201:
            export = client.get(f"/api/v1/plans/{response.json()['id']}/export/xlsx/")
            assert export.status_code == 200

    create_then_export()

    assert [title for title in titles if CONTROL.search(title)] != []
    assert _stored_texts_are_clean() == []
