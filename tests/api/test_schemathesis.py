"""The OpenAPI contract: the schema is valid, lists every endpoint, and the API keeps it.

schemathesis generates requests from the schema (valid and invalid ones: boundary
values of every parameter, then MAX_EXAMPLES random cases per operation, all from a
fixed seed) and sends them to the app in-process, on the demo data, authenticated as
the demo coordinator so that the writes run too. Every response must be no server
error, carry a documented status code and content type, and match the documented body.

A failure here is a bug of the API or of its schema: fix the code or the schema
(actionplans/api/schema.py), never the checks. The report gives a curl command.
"""

from __future__ import annotations

import json
import re

import hypothesis
import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.python import wsgi as schemathesis_wsgi

from actionplans.demo import demo_load
from actionplans.models import ActionPlan, ActionPoint, Challenge, Comment, WorkingGroup
from actionplans.services import action_point_delete
from orgs.choices import OrganizationKind
from orgs.models import Organization, Person
from orgs.services import api_token_issue
from tests.factories import OrganizationFactory
from webhooks import services as webhooks
from webhooks.choices import Event
from webhooks.models import Subscription

CONTRACT_PATHS = [
    "/api/v1/organizations/",
    "/api/v1/people/",
    "/api/v1/plans/",
    "/api/v1/plans/{id}/summary/",
    "/api/v1/working-groups/",
    "/api/v1/challenges/",
    "/api/v1/action-points/",
    "/api/v1/action-points/{id}/updates/",
    "/api/v1/action-points/{id}/reschedule/",
    "/api/v1/action-points/{id}/extension-requests/",
    "/api/v1/action-points/{id}/extension-requests/decide/",
    "/api/v1/action-points/{action_point_pk}/comments/",
    "/api/v1/action-points/{action_point_pk}/comments/{id}/",
    "/api/v1/action-points/{action_point_pk}/watch/",
    "/api/v1/deleted/",
    "/api/v1/webhooks/",
    "/api/v1/webhooks/{id}/",
    "/api/v1/webhooks/{id}/deliveries/",
    "/api/v1/webhooks/{id}/test/",
    "/api/v1/webhooks/{id}/resume/",
    "/api/v1/webhooks/{id}/rotate-secret/",
]

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
]
MAX_EXAMPLES = 10
SEED = 20181210


# --- the schema itself -----------------------------------------------------------


@pytest.fixture
def coordinator_key(db, settings, tmp_path) -> str:
    """The demo plan and accounts, and a read-write token of the demo coordinator."""
    demo_load(table_file=settings.DEMO_PLAN_FILE, credentials_file=tmp_path / "demo.json")
    # The demo names no organization: two, so that their endpoints have objects too.
    unhcr = OrganizationFactory(
        name="UN Refugee Agency", acronym="UNHCR", kind=OrganizationKind.UN_AGENCY
    )
    OrganizationFactory(name="Norwegian Refugee Council", acronym="", kind=OrganizationKind.INGO)
    Person.objects.filter(name="Jad").update(organization=unhcr)
    # A comment, so that the comments' detail operations have one to edit and delete.
    Comment.objects.create(
        action_point=ActionPoint.objects.order_by("pk").first(),
        author=get_user_model().objects.get(username="demo-coordinator"),
        body="Shall we meet on Monday?",
    )
    coordinator = get_user_model().objects.get(username="demo-coordinator")
    # A deleted action point for /deleted/, a webhook with a delivery for /webhooks/.
    action_point_delete(action_point=ActionPoint.objects.order_by("pk").last(), user=coordinator)
    subscription, _secret = webhooks.subscription_create(
        owner=coordinator, target_url="http://127.0.0.1:9/hook", events=[Event.values[0]]
    )
    webhooks.send_test_event(subscription=subscription, user=coordinator)
    token, key = api_token_issue(user=coordinator, name="schemathesis")
    assert not token.read_only
    return key


def _served_schema(key: str | None) -> tuple[int, dict]:
    client = APIClient()
    if key:
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/schema/", {"format": "json"})
    return response.status_code, (response.json() if response.status_code == 200 else {})


@pytest.mark.django_db
def test_generated_schema_is_valid_without_warnings(tmp_path):
    """drf-spectacular's own validation, warnings (undocumented views) counting as errors."""
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )


def test_served_schema_is_valid_openapi_3_and_lists_the_contract(coordinator_key):
    status, document = _served_schema(coordinator_key)
    assert status == 200
    assert document["openapi"].startswith("3.")
    validate_schema(document)  # raises on any violation of the OpenAPI 3 JSON schema
    paths = document["paths"]
    for path in CONTRACT_PATHS:
        assert path in paths, path
    assert set(paths["/api/v1/action-points/{id}/reschedule/"]) == {"post"}
    assert set(paths["/api/v1/action-points/{id}/updates/"]) == {"get", "post"}
    assert set(paths["/api/v1/plans/{id}/summary/"]) == {"get"}
    assert set(paths["/api/v1/action-points/{id}/extension-requests/"]) == {"get", "post"}
    assert set(paths["/api/v1/action-points/{id}/extension-requests/decide/"]) == {"post"}
    assert "tokenAuth" in document["components"]["securitySchemes"]


@pytest.mark.django_db
def test_schema_needs_credentials():
    status, _document = _served_schema(None)
    assert status == 401


# --- schemathesis ----------------------------------------------------------------
# The schema is generated at import time (no request, no database), so that pytest
# collects one test per operation; test_schemathesis_tests_the_served_schema shows it
# is the very document /api/schema/ serves.


def _generated_schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
        # Boundary and invalid values of every parameter, but not every HTTP method on
        # every path: that tests DRF's router (405), at 10% of the run time.
        "phases": {"coverage": {"unexpected-methods": []}},
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
    }
)
schema = schemathesis.openapi.from_dict(_generated_schema(), config=CONFIG)
schema.app = WSGIHandler()


@pytest.mark.django_db
def test_schemathesis_tests_the_served_schema(coordinator_key):
    status, served = _served_schema(coordinator_key)
    assert status == 200
    assert json.loads(json.dumps(served)) == json.loads(json.dumps(_generated_schema()))


# The model behind each collection, by the path segment after /api/v1/.
ID_MODELS = {
    "organizations": Organization,
    "people": Person,
    "plans": ActionPlan,
    "working-groups": WorkingGroup,
    "challenges": Challenge,
    "action-points": ActionPoint,
    "webhooks": Subscription,
}


def _aim_at_existing_object(case) -> None:
    """A generated integer id becomes the id of an object that exists (chosen by it).

    Random ids would almost all be 404s, leaving the detail, update and delete
    code untested; ids that are not integers (negative cases: "null", 0.5, "AAA")
    stay as generated.
    """
    path = case.operation.path
    models = {"id": ID_MODELS.get(path.split("/")[3]), "action_point_pk": ActionPoint}
    if "/comments/{id}/" in path:
        models["id"] = Comment
    for name, model in models.items():
        value = (case.path_parameters or {}).get(name)
        if isinstance(value, bool) or not re.fullmatch(r"-?[0-9]+", str(value)):
            continue
        assert model is not None, f"{path}: add the model of its ids to ID_MODELS"
        ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
        if ids:
            case.path_parameters[name] = ids[int(value) % len(ids)]


@pytest.fixture(scope="module")
def _keep_test_connection():
    """Django closes "old" connections around each request; in a test that would drop
    the test database's connection (on PostgreSQL), so not around in-process calls."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def coordinator_headers(_keep_test_connection, coordinator_key, monkeypatch, settings) -> dict:
    # No throttling in the way: a 429 is not part of the contract under test.
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100000/second", "user": "100000/second"}
    )
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, schemathesis_wsgi.HOST]
    # Schemathesis asks for gzip but reads in-process WSGI answers as they come:
    # the contract is about content; compression is tested in test_page_weight.
    return {"Authorization": f"Token {coordinator_key}", "Accept-Encoding": "identity"}


# One test per operation, each on fresh demo data. No transaction=True needed: the
# WSGI app runs in this thread, on this test's connection (kept by _keep_test_connection).
@pytest.mark.django_db
@schema.parametrize()
@hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        # The demo data and token are made once per operation, on purpose.
        HealthCheck.function_scoped_fixture,
    ],
)
def test_api_keeps_its_contract(case, coordinator_headers):
    _aim_at_existing_object(case)
    case.call_and_validate(headers=coordinator_headers)
