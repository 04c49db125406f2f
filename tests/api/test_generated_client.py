"""A Python client generated from the OpenAPI schema, the partners' route of the README.

openapi-python-client (docs/api-client.yaml) generates a client from `manage.py
spectacular`'s output, once per test module, into a temporary folder. Its types must be
the filters' own (a yes/no filter is a `bool`, an id an `int`, a date a `date`): a
generated client sends what its types allow, and the API answers 400 to anything else.
Then the client is used as a partner would, against the live server with a token.
"""

from __future__ import annotations

import datetime
import importlib
import json
import re
import subprocess
import sys
import typing
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import django_filters
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import resolve
from django.utils import timezone

from actionplans import services
from actionplans.models import ActionPoint
from orgs.services import api_token_issue
from tests.users import build_world

PACKAGE = "pim_client"
CONFIG = Path(settings.BASE_DIR) / "docs" / "api-client.yaml"


@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> Path:
    """The schema as `manage.py spectacular` writes it (what /api/schema/ serves)."""
    path = tmp_path_factory.mktemp("schema") / "pim-schema.json"
    call_command(
        "spectacular", "--format", "openapi-json", "--validate", "--fail-on-warn",
        "--file", str(path),
    )  # fmt: skip
    return path


@pytest.fixture(scope="module")
def document(schema) -> dict:
    return json.loads(schema.read_text())


@pytest.fixture(scope="module")
def generated(schema, tmp_path_factory):
    """generated("api.action_points.action_points_list"): a module of the client."""
    folder = tmp_path_factory.mktemp("client")
    result = subprocess.run(
        [
            sys.executable, "-m", "openapi_python_client", "generate",
            "--path", str(schema), "--meta", "none",
            "--output-path", str(folder / PACKAGE), "--config", str(CONFIG),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip
    # Any warning means a piece of the API the client left out.
    assert (result.returncode, result.stderr, result.stdout.strip()) == (
        0,
        "",
        f"Generating {folder / PACKAGE}",
    ), result.stdout
    sys.path.insert(0, str(folder))
    yield lambda name: importlib.import_module(f"{PACKAGE}.{name}")
    sys.path.remove(str(folder))
    for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
        del sys.modules[name]


def _operations(document: dict):
    """(path, method, operation) of every operation in the schema."""
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def _filterset(path: str, method: str):
    """The FilterSet whose filters the operation takes, if any (by resolving its URL)."""
    match = resolve(re.sub(r"\{[^}]+\}", "1", path))
    view = getattr(match.func, "cls", None)
    actions = getattr(match.func, "actions", None) or {}
    action = actions.get(method)
    filtered = ("list", *getattr(view, "filtered_actions", ()))
    if action not in filtered:
        return None
    return getattr(view, "filterset_class", None)


def _function(generated, document: dict, operation_id: str):
    """The generated module of an operation (api/<tag>/<operation id>.py)."""
    for _path, _method, operation in _operations(document):
        if operation["operationId"] == operation_id:
            tag = operation["tags"][0].replace("-", "_")
            return generated(f"api.{tag}.{operation_id}")
    raise LookupError(operation_id)


# --- the schema types every filter by its kind -------------------------------------


def _expected_schema(field) -> dict:
    """A filter's parameter schema, by what the filter accepts."""
    if isinstance(field, django_filters.BooleanFilter):
        return {"type": "boolean"}
    if isinstance(field, django_filters.DateFilter):
        return {"type": "string", "format": "date"}
    if isinstance(field, django_filters.ModelChoiceFilter):
        return {"type": "integer"}
    if isinstance(field, django_filters.OrderingFilter):
        values = [value for pair in field.param_map.items() for value in (pair[0], f"-{pair[0]}")]
        return {"type": "array", "items": {"type": "string", "enum": values}}
    if isinstance(field, django_filters.MultipleChoiceFilter):
        values = [value for value, _label in field.extra["choices"]]
        return {"type": "array", "items": {"type": "string", "enum": values}}
    if isinstance(field, django_filters.ChoiceFilter):
        return {"type": "string", "enum": [value for value, _label in field.extra["choices"]]}
    if isinstance(field, django_filters.CharFilter):
        return {"type": "string"}
    raise AssertionError(f"no expected schema for {type(field).__name__}: add it here")


def _unordered(schema: dict) -> dict:
    """A parameter's schema without its description, enums as sets."""
    result = {key: value for key, value in schema.items() if key != "description"}
    if "enum" in result:
        result["enum"] = set(result["enum"])
    if "items" in result:
        result["items"] = _unordered(result["items"])
    return result


def test_schema_types_every_filter_by_its_kind(document):
    checked = set()
    for path, method, operation in _operations(document):
        filterset = _filterset(path, method)
        if filterset is None:
            continue
        parameters = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
        for name, field in filterset.base_filters.items():
            found = _unordered(parameters[name]["schema"])
            assert found == _unordered(_expected_schema(field)), (path, method, name)
            checked.add((operation["operationId"], name))
    # Not vacuous: the filters of the pages' lists are among those checked.
    assert {
        ("action_points_list", "overdue"),
        ("action_points_export_csv_retrieve", "overdue"),
        ("action_points_list", "due_before"),
        ("action_points_list", "plan"),
        ("people_list", "organization"),
        ("organizations_list", "kind"),
    } <= checked


def test_schema_types_every_id_in_a_path_as_an_integer(document):
    wrong = [
        (path, method, parameter["name"], parameter["schema"])
        for path, method, operation in _operations(document)
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path" and parameter["schema"] != {"type": "integer"}
    ]
    assert wrong == []


# --- the generated client's types ----------------------------------------------------


def test_generated_list_types_overdue_as_a_bool(generated, document):
    unset = generated("types").Unset
    listing = _function(generated, document, "action_points_list")
    hints = typing.get_type_hints(listing.sync)
    assert hints["overdue"] == bool | unset
    assert hints["plan"] == int | unset
    assert hints["due_before"] == datetime.date | unset
    assert hints["updated_after"] == datetime.datetime | unset
    assert hints["cursor"] == str | unset


def test_generated_client_types_every_boolean_filter_as_a_bool(generated, document):
    unset = generated("types").Unset
    found = {}
    for path, method, operation in _operations(document):
        filterset = _filterset(path, method)
        if filterset is None:
            continue
        hints = typing.get_type_hints(_function(generated, document, operation["operationId"]).sync)
        for name, field in filterset.base_filters.items():
            if isinstance(field, django_filters.BooleanFilter):
                found[(operation["operationId"], name)] = hints[name]
    assert set(found.values()) == {bool | unset}
    assert {
        ("action_points_list", "overdue"),
        ("action_points_export_csv_retrieve", "overdue"),
    } <= set(found)


# --- the generated client at work ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_generated_client_lists_overdue_points_and_follows_a_sync(generated, document, live_server):
    world = build_world()
    today = timezone.localdate()
    first = world.action_point  # no deadline: never overdue
    late = services.action_point_create(
        challenge=world.challenge,
        description="Share forms",
        deadline="Q1 2019",
        status="in_progress",
    )
    done = services.action_point_create(
        challenge=world.challenge, description="Map tools", deadline="2019", status="completed"
    )
    yesterday = services.action_point_create(
        challenge=world.challenge,
        description="Due yesterday",
        deadline=(today - datetime.timedelta(days=1)).isoformat(),
    )
    tomorrow = services.action_point_create(
        challenge=world.challenge,
        description="Due tomorrow",
        deadline=(today + datetime.timedelta(days=1)).isoformat(),
    )
    # Overdue too, in the plan Jad has no part in: neither listed nor synced for him.
    services.action_point_create(
        challenge=world.other_action_point.challenge, description="Hidden", deadline="Q1 2019"
    )
    _token, key = api_token_issue(user=world.member, name="generated client")
    client = generated("client").AuthenticatedClient(
        base_url=live_server.url, token=key, prefix="Token", raise_on_unexpected_status=True
    )
    listing = _function(generated, document, "action_points_list")
    unset = generated("types").UNSET

    page = listing.sync(client=client, plan=world.plan.pk, overdue=True)
    assert (page.count, [point.id for point in page.results]) == (2, [late.pk, yesterday.pk])
    page = listing.sync(client=client, plan=world.plan.pk, overdue=False)
    assert [point.id for point in page.results] == [first.pk, done.pk, tomorrow.pk]

    # A nightly sync: changes at or after `since`, in the order they were made.
    base = timezone.now() - datetime.timedelta(days=10)
    for days, point in enumerate([done, tomorrow, late, first, yesterday]):
        ActionPoint.objects.filter(pk=point.pk).update(updated=base + datetime.timedelta(days=days))
    since = base + datetime.timedelta(days=1)
    pages = [listing.sync(client=client, updated_after=since, limit=3)]
    while pages[-1].next_:
        cursor = parse_qs(urlsplit(pages[-1].next_).query)["cursor"][0]
        pages.append(listing.sync(client=client, updated_after=since, cursor=cursor, limit=3))
    assert [[point.id for point in page.results] for page in pages] == [
        [tomorrow.pk, late.pk, first.pk],
        [yesterday.pk],
    ]
    # Cursor pages have no count; every field of every point is one the schema names.
    assert [(page.count, page.previous, page.additional_properties) for page in pages] == [
        (unset, None, {}),
        (unset, None, {}),
    ]
    assert [point.additional_properties for page in pages for point in page.results] == [{}] * 4
    assert pages[0].results[1].updated == base + datetime.timedelta(days=2)


# --- what schemathesis found on the new endpoints ---------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["action-points", "deleted"])
def test_updated_after_with_any_offset_is_read_in_utc(world, coordinator_client, path):
    # +22:24 is valid ISO 8601; PostgreSQL refuses offsets past ±15:59 (was a 500).
    response = coordinator_client.get(
        f"/api/v1/{path}/", {"updated_after": "4523-05-18T17:03:18.526531+22:24"}
    )
    assert (response.status_code, response.json()) == (
        200,
        {"next": None, "previous": None, "results": []},
    )
