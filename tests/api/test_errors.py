"""Bad requests are 4xx with a JSON body that says what is wrong, never a 500.

Malformed JSON, wrong types, NUL bytes, unknown filter values, bad paging,
unknown ids, wrong media types: each with its exact answer.
"""

import pytest

from actionplans.models import ActionPlan, ActionPoint, ProgressUpdate
from tests.api.helpers import NOT_FOUND

pytestmark = pytest.mark.django_db

INVALID_CHOICE = "Select a valid choice. That choice is not one of the available choices."
NUL = "Null characters are not allowed."
LIST_URLS = [
    "/api/v1/organizations/",
    "/api/v1/people/",
    "/api/v1/plans/",
    "/api/v1/working-groups/",
    "/api/v1/challenges/",
    "/api/v1/action-points/",
    "/api/v1/action-points/{point}/updates/",
]


def _json(client, url: str, raw: str | bytes, method: str = "post"):
    return getattr(client, method)(url, raw, content_type="application/json")


def _nothing_written(world) -> None:
    assert ActionPlan.objects.count() == 2
    assert ActionPoint.objects.count() == 2
    assert ProgressUpdate.objects.count() == 0
    world.action_point.refresh_from_db()
    assert world.action_point.version == 1


# --- malformed bodies ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "{bad",
            {
                "detail": "JSON parse error - Expecting property name enclosed in double quotes: "
                "line 1 column 2 (char 1)"
            },
        ),
        ("[1,", {"detail": "JSON parse error - Expecting value: line 1 column 4 (char 3)"}),
        (
            b"\xff\xfe",
            {
                "detail": "JSON parse error - 'utf-8' codec can't decode byte 0xff in position 0: "
                "invalid start byte"
            },
        ),
        (
            '{"progress": NaN}',
            {
                "detail": "JSON parse error - "
                "Out of range float values are not JSON compliant: 'NaN'"
            },
        ),
        ("[1, 2]", {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
        ("42", {"non_field_errors": ["Invalid data. Expected a dictionary, but got int."]}),
        ('"text"', {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}),
        ("null", {"non_field_errors": ["No data provided"]}),
    ],
)
def test_errors_malformed_json_is_400(world, member_client, raw, expected):
    response = _json(member_client, f"/api/v1/action-points/{world.action_point.pk}/updates/", raw)
    assert response.status_code == 400
    assert response.json() == expected
    _nothing_written(world)


def test_errors_malformed_json_on_every_write(world, coordinator_client):
    expected = {
        "detail": "JSON parse error - Expecting property name enclosed in double quotes: "
        "line 1 column 2 (char 1)"
    }
    point = world.action_point.pk
    writes = [
        ("post", "/api/v1/plans/"),
        ("patch", f"/api/v1/plans/{world.plan.pk}/"),
        ("put", f"/api/v1/plans/{world.plan.pk}/"),
        ("post", "/api/v1/working-groups/"),
        ("post", "/api/v1/challenges/"),
        ("post", "/api/v1/action-points/"),
        ("patch", f"/api/v1/action-points/{point}/"),
        ("post", f"/api/v1/action-points/{point}/reschedule/"),
        ("post", "/api/v1/people/"),
        ("post", "/api/v1/organizations/"),
    ]
    for method, url in writes:
        response = _json(coordinator_client, url, "{bad", method)
        assert response.status_code == 400, (method, url)
        assert response.json() == expected, (method, url)
    _nothing_written(world)


# --- wrong types ----------------------------------------------------------------------


def test_errors_wrong_types_on_plan(world, coordinator_client):
    response = coordinator_client.post(
        "/api/v1/plans/",
        {"title": ["a"], "country": None, "coordinators": "coordinator", "status": 3},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "title": ["Not a valid string."],
        "country": ["This field may not be null."],
        "status": ['"3" is not a valid choice.'],
        "coordinators": ['Expected a list of items but got type "str".'],
    }
    _nothing_written(world)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"progress": "abc"}, {"progress": ["A valid integer is required."]}),
        ({"progress": True}, {"progress": ["A valid integer is required."]}),
        ({"progress": 50.5}, {"progress": ["A valid integer is required."]}),
        ({"progress": 1e400}, {"progress": ["A valid integer is required."]}),
        ({"progress": -1}, {"progress": ["Ensure this value is greater than or equal to 0."]}),
        ({"progress": 10**30}, {"progress": ["Ensure this value is less than or equal to 100."]}),
        ({"status": ["in_progress"]}, {"status": ["\"['in_progress']\" is not a valid choice."]}),
        ({"status": None}, {"status": ["This field may not be null."]}),
        ({"note": {"text": "x"}}, {"note": ["Not a valid string."]}),
        ({"evidence_url": 5}, {"evidence_url": ["Enter a valid URL."]}),
    ],
)
def test_errors_wrong_types_on_update(world, member_client, body, expected):
    url = f"/api/v1/action-points/{world.action_point.pk}/updates/"
    if body.get("progress") == 1e400:
        response = _json(member_client, url, '{"progress": 1e400}')
    else:
        response = member_client.post(url, body, format="json")
    assert response.status_code == 400
    assert response.json() == expected
    _nothing_written(world)


def test_errors_wrong_types_on_action_point(world, coordinator_client):
    response = coordinator_client.post(
        "/api/v1/action-points/",
        {"challenge": "abc", "description": ["x"], "position": "first", "focal_points": "Jad"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "challenge": ["Incorrect type. Expected pk value, received str."],
        "position": ["A valid integer is required."],
        "description": ["Not a valid string."],
        "focal_points": {"non_field_errors": ['Expected a list of items but got type "str".']},
    }
    _nothing_written(world)


def test_errors_huge_numbers_in_body(world, coordinator_client):
    response = coordinator_client.post(
        "/api/v1/action-points/",
        {"challenge": 10**30, "description": "x", "position": 10**30},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "challenge": [f'Invalid pk "{10**30}" - object does not exist.'],
        "position": ["Ensure this value is less than or equal to 32767."],
    }


def test_errors_wrong_types_on_group(world, coordinator_client):
    response = coordinator_client.post(
        "/api/v1/working-groups/",
        {"plan": world.plan.pk, "name": "X", "team_member_ids": "1", "team_leader": [1]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "team_leader": ["Incorrect type. Expected pk value, received list."],
        "team_member_ids": ['Expected a list of items but got type "str".'],
    }


def test_errors_too_long_text(world, coordinator_client):
    response = coordinator_client.post(
        "/api/v1/plans/", {"title": "T" * 201, "country": "C" * 101}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "title": ["Ensure this field has no more than 200 characters."],
        "country": ["Ensure this field has no more than 100 characters."],
    }
    response = coordinator_client.post(
        f"/api/v1/action-points/{world.action_point.pk}/reschedule/",
        {"deadline": "Q1 2019 " * 20, "reason": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"deadline": ["Ensure this field has no more than 100 characters."]}


# --- NUL bytes --------------------------------------------------------------------------


def test_errors_nul_byte_in_body(world, coordinator_client):
    point = world.action_point.pk
    cases = [
        ("post", f"/api/v1/action-points/{point}/updates/", '{"note": "a\\u0000b"}', "note"),
        (
            "post",
            f"/api/v1/action-points/{point}/reschedule/",
            '{"deadline": "Q1\\u00002019", "reason": "x"}',
            "deadline",
        ),
        ("post", "/api/v1/plans/", '{"title": "Plan\\u0000"}', "title"),
        ("patch", f"/api/v1/plans/{world.plan.pk}/", '{"origin": "\\u0000"}', "origin"),
        (
            "post",
            "/api/v1/action-points/",
            f'{{"challenge": {world.challenge.pk}, "description": "a\\u0000b"}}',
            "description",
        ),
        ("patch", f"/api/v1/people/{world.member_person.pk}/", '{"name": "J\\u0000"}', "name"),
        ("post", "/api/v1/organizations/", '{"name": "A\\u0000"}', "name"),
    ]
    for method, url, raw, field in cases:
        response = _json(coordinator_client, url, raw, method)
        assert response.status_code == 400, url
        assert response.json() == {field: [NUL]}, url
    _nothing_written(world)
    assert world.member_person.name == "Jad"


def test_errors_nul_byte_in_query(world, coordinator_client):
    for url, field in [
        ("/api/v1/action-points/?q=a%00b", "q"),
        ("/api/v1/plans/?q=a%00b", "q"),
        ("/api/v1/people/?q=%00", "q"),
        ("/api/v1/action-points/?plan=1%00", "plan"),
    ]:
        response = coordinator_client.get(url)
        assert response.status_code == 400, url
        assert response.json() == {field: [NUL]}, url


def test_errors_nul_byte_in_path_is_404(world, coordinator_client):
    response = coordinator_client.get("/api/v1/plans/%00/")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


# --- unknown filter values --------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "status=finished",
            {"status": ["Select a valid choice. finished is not one of the available choices."]},
        ),
        (
            "status=in_progress&status=finished",
            {"status": ["Select a valid choice. finished is not one of the available choices."]},
        ),
        ("plan=999999", {"plan": [INVALID_CHOICE]}),
        ("plan=abc", {"plan": [INVALID_CHOICE]}),
        ("plan=99999999999999999999999", {"plan": [INVALID_CHOICE]}),
        ("working_group=999999", {"working_group": [INVALID_CHOICE]}),
        ("challenge=-1", {"challenge": [INVALID_CHOICE]}),
        ("focal_point=999999", {"focal_point": [INVALID_CHOICE]}),
        ("organization=999999", {"organization": [INVALID_CHOICE]}),
        ("overdue=maybe", {"overdue": ['overdue must be "true" or "false", not "maybe".']}),
        ("overdue=1", {"overdue": ['overdue must be "true" or "false", not "1".']}),
        ("overdue=yes", {"overdue": ['overdue must be "true" or "false", not "yes".']}),
        ("due_before=2019-13-45", {"due_before": ["Enter a valid date."]}),
        ("due_after=tomorrow", {"due_after": ["Enter a valid date."]}),
        (
            "ordering=priority",
            {"ordering": ["Select a valid choice. priority is not one of the available choices."]},
        ),
        (
            "status=finished&overdue=maybe&due_before=2019-13-45",
            {
                "status": ["Select a valid choice. finished is not one of the available choices."],
                "overdue": ['overdue must be "true" or "false", not "maybe".'],
                "due_before": ["Enter a valid date."],
            },
        ),
    ],
)
def test_errors_unknown_action_point_filter_values(world, member_client, query, expected):
    response = member_client.get(f"/api/v1/action-points/?{query}")
    assert response.status_code == 400
    assert response.json() == expected


def test_errors_unknown_filter_values_other_lists(world, member_client):
    cases = {
        "/api/v1/plans/?status=open": {
            "status": ["Select a valid choice. open is not one of the available choices."]
        },
        "/api/v1/working-groups/?plan=999999": {"plan": [INVALID_CHOICE]},
        "/api/v1/challenges/?plan=abc": {"plan": [INVALID_CHOICE]},
        "/api/v1/challenges/?working_group=999999": {"working_group": [INVALID_CHOICE]},
        "/api/v1/people/?organization=999999": {"organization": [INVALID_CHOICE]},
        "/api/v1/organizations/?kind=company": {
            "kind": ["Select a valid choice. company is not one of the available choices."]
        },
    }
    for url, expected in cases.items():
        response = member_client.get(url)
        assert response.status_code == 400, url
        assert response.json() == expected, url


def test_errors_unknown_query_parameters_are_ignored(world, member_client):
    response = member_client.get("/api/v1/action-points/?colour=blue&overdue=")
    assert response.status_code == 200
    assert response.json()["count"] == 1


# --- paging ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("limit=-1", {"limit": ["limit must be from 1 to 500, not -1."]}),
        ("limit=0", {"limit": ["limit must be from 1 to 500, not 0."]}),
        ("limit=501", {"limit": ["limit must be from 1 to 500, not 501."]}),
        (
            "limit=99999999999999999999",
            {"limit": ["limit must be from 1 to 500, not 99999999999999999999."]},
        ),
        ("limit=abc", {"limit": ["limit must be a whole number."]}),
        ("limit=1.5", {"limit": ["limit must be a whole number."]}),
        ("offset=-5", {"offset": ["offset must be from 0 to 1000000000, not -5."]}),
        ("offset=abc", {"offset": ["offset must be a whole number."]}),
        (
            "offset=1000000001",
            {"offset": ["offset must be from 0 to 1000000000, not 1000000001."]},
        ),
    ],
)
def test_errors_bad_paging_on_every_list(world, member_client, query, expected):
    for url in LIST_URLS:
        url = url.format(point=world.action_point.pk)
        response = member_client.get(f"{url}?{query}")
        assert response.status_code == 400, url
        assert response.json() == expected, url


def test_errors_good_paging_limits(world, admin_client):
    response = admin_client.get("/api/v1/plans/?limit=500")
    assert response.status_code == 200
    assert response.json()["count"] == 2
    response = admin_client.get("/api/v1/plans/?limit=1&offset=1")
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": "http://testserver/api/v1/plans/?limit=1",
        "results": [response.json()["results"][0]],
    }
    assert response.json()["results"][0]["id"] == world.plan.pk
    response = admin_client.get("/api/v1/plans/?offset=1000")
    assert response.json()["results"] == []
    assert admin_client.get("/api/v1/plans/?limit=&offset=").status_code == 200


# --- unknown ids ----------------------------------------------------------------------------


@pytest.mark.parametrize("bad_id", ["999999", "abc", "99999999999999999999", "-1", "1.5"])
def test_errors_unknown_ids_are_404(world, admin_client, bad_id):
    urls = [
        f"/api/v1/organizations/{bad_id}/",
        f"/api/v1/people/{bad_id}/",
        f"/api/v1/plans/{bad_id}/",
        f"/api/v1/plans/{bad_id}/summary/",
        f"/api/v1/working-groups/{bad_id}/",
        f"/api/v1/challenges/{bad_id}/",
        f"/api/v1/action-points/{bad_id}/",
        f"/api/v1/action-points/{bad_id}/updates/",
    ]
    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 404, url
        if "." not in bad_id:  # "1.5" matches no route at all
            assert response.json() == NOT_FOUND, url
    for url in (f"/api/v1/action-points/{bad_id}/updates/", f"/api/v1/plans/{bad_id}/"):
        method = "post" if url.endswith("updates/") else "patch"
        response = getattr(admin_client, method)(url, {"note": "x"}, format="json")
        assert response.status_code == 404, url
    response = admin_client.post(
        f"/api/v1/action-points/{bad_id}/reschedule/",
        {"deadline": "2019", "reason": "x"},
        format="json",
    )
    assert response.status_code == 404


def test_errors_unknown_endpoint_is_404_not_a_redirect(world, member_client, anonymous_client):
    # Django's own 404 page answers for URLs no route matches (not JSON: see report).
    for client in (member_client, anonymous_client):
        response = client.get("/api/v1/no-such-thing/")
        assert response.status_code == 404
        assert not response.has_header("Location")


# --- media types and methods ------------------------------------------------------------


def test_errors_form_encoded_body_is_415(world, member_client):
    url = f"/api/v1/action-points/{world.action_point.pk}/updates/"
    response = member_client.post(
        url, "note=Hello", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert response.json() == {
        "detail": 'Unsupported media type "application/x-www-form-urlencoded" in request.'
    }
    response = member_client.post(url, {"note": "Hello"})  # multipart, as a browser form
    assert response.status_code == 415
    assert response.json() == {
        "detail": 'Unsupported media type "multipart/form-data; boundary=BoUnDaRyStRiNg; '
        'charset=utf-8" in request.'
    }
    response = member_client.post(url, "Hello", content_type="text/plain")
    assert response.status_code == 415
    assert response.json() == {"detail": 'Unsupported media type "text/plain" in request.'}
    _nothing_written(world)


def test_errors_html_accept_is_406(world, member_client):
    response = member_client.get("/api/v1/plans/", HTTP_ACCEPT="text/html")
    assert response.status_code == 406
    assert response.json() == {"detail": "Could not satisfy the request Accept header."}


def test_errors_wrong_method_is_405(world, coordinator_client):
    cases = {
        ("put", "/api/v1/action-points/"): "PUT",
        ("delete", "/api/v1/plans/"): "DELETE",
        ("patch", f"/api/v1/action-points/{world.action_point.pk}/updates/"): "PATCH",
        ("get", f"/api/v1/action-points/{world.action_point.pk}/reschedule/"): "GET",
    }
    for (method, url), name in cases.items():
        response = getattr(coordinator_client, method)(url, {}, format="json")
        assert response.status_code == 405, url
        assert response.json() == {"detail": f'Method "{name}" not allowed.'}, url


def test_errors_are_json(world, clients):
    responses = [
        clients["anonymous"].get("/api/v1/plans/"),
        clients["member"].get("/api/v1/plans/999999/"),
        clients["member"].get("/api/v1/action-points/?limit=0"),
        clients["member"].patch(f"/api/v1/plans/{world.plan.pk}/", {}, format="json"),
        clients["member_ro"].post("/api/v1/plans/", {}, format="json"),
    ]
    assert [r.status_code for r in responses] == [401, 404, 400, 403, 403]
    assert {r["Content-Type"] for r in responses} == {"application/json"}


def test_errors_unknown_api_path_is_a_json_404(world):
    from tests.api.helpers import token_client

    client = token_client(world.member)
    response = client.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}
