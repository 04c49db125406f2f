"""The admin: login required, every model listed, lists at a fixed query count."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actionplans.services import FocalPointAssignment, focal_points_assign, progress_update_create
from tests.factories import ActionPointFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "/admin/orgs/organization/",
    "/admin/orgs/person/",
    "/admin/actionplans/actionplan/",
    "/admin/actionplans/workinggroup/",
    "/admin/actionplans/challenge/",
    "/admin/actionplans/actionpoint/",
    "/admin/actionplans/focalpoint/",
    "/admin/actionplans/progressupdate/",
    "/admin/actionplans/deadlinechange/",
]


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("url", CHANGELISTS)
def test_admin_changelist_requires_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.parametrize("url", CHANGELISTS)
def test_admin_changelist_opens_for_administrators(admin_client, url):
    ActionPointFactory()
    assert admin_client.get(url).status_code == 200


def test_admin_action_point_page_shows_history(admin_client):
    point = ActionPointFactory()
    progress_update_create(action_point=point, author=None, status="in_progress", progress=30)
    assert admin_client.get(f"/admin/actionplans/actionpoint/{point.pk}/change/").status_code == 200
    response = admin_client.get(f"/admin/actionplans/actionpoint/{point.pk}/history/")
    assert response.status_code == 200
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))
    assert "Status: not_started &nbsp;&rarr;&nbsp;&nbsp;in_progress" in text
    assert "Progress (%): 0 &nbsp;&rarr;&nbsp;&nbsp;30" in text


def _change_form(point, deadline: str) -> dict:
    return {
        "challenge": point.challenge_id,
        "position": point.position,
        "description": point.description,
        "deadline": deadline,
        "status": "not_started",
        "progress": 0,
        "priority": "normal",
        "pim_process_step": "",
        "focal_points-TOTAL_FORMS": 0,
        "focal_points-INITIAL_FORMS": 0,
        "progress_updates-TOTAL_FORMS": 0,
        "progress_updates-INITIAL_FORMS": 0,
        "deadline_changes-TOTAL_FORMS": 0,
        "deadline_changes-INITIAL_FORMS": 0,
    }


def test_admin_refuses_unreadable_deadline(admin_client):
    point = ActionPointFactory()
    response = admin_client.post(
        f"/admin/actionplans/actionpoint/{point.pk}/change/", _change_form(point, "whenever")
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["deadline"]
    assert errors["deadline"][0].startswith('Cannot read the deadline "whenever".')
    point.refresh_from_db()
    assert point.deadline == ""


def test_admin_derives_due_date_from_deadline(admin_client):
    point = ActionPointFactory()
    response = admin_client.post(
        f"/admin/actionplans/actionpoint/{point.pk}/change/", _change_form(point, "H1 2019")
    )
    assert response.status_code == 302
    point.refresh_from_db()
    assert (point.deadline, point.deadline_precision, str(point.due_date), point.version) == (
        "H1 2019",
        "half",
        "2019-06-30",
        2,
    )
    change = point.deadline_changes.get()
    assert (
        change.old_deadline,
        change.new_deadline,
        change.changed_by.username,
        change.reason,
    ) == (
        "",
        "H1 2019",
        "root",
        "Changed in the administration site.",
    )


def _changelist_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/actionplans/actionpoint/",
        "/admin/actionplans/focalpoint/",
        "/admin/actionplans/progressupdate/",
        "/admin/orgs/person/",
    ],
)
def test_admin_changelist_query_count_does_not_grow(admin_client, url):
    def add(n: int) -> None:
        for _ in range(n):
            point = ActionPointFactory()
            focal_points_assign(
                action_point=point, assignments=[FocalPointAssignment(PersonFactory())]
            )
            progress_update_create(action_point=point, author=None, note="started")

    add(1)
    small = _changelist_queries(admin_client, url)
    add(5)
    assert _changelist_queries(admin_client, url) == small


def test_admin_refuses_changes_in_a_closed_plan(admin_client):
    point = ActionPointFactory()
    plan = point.challenge.working_group.plan
    plan.status = "closed"
    plan.save()
    response = admin_client.post(
        f"/admin/actionplans/actionpoint/{point.pk}/change/", _change_form(point, "H1 2019")
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "This plan is closed: reopen it before changing it."
    ]
    point.refresh_from_db()
    assert (point.deadline, point.version) == ("", 1)


def test_admin_sets_priority_and_process_step_through_the_service(admin_client):
    point = ActionPointFactory()
    data = _change_form(point, point.deadline) | {
        "priority": "high",
        "pim_process_step": "evaluate_impact",
    }
    response = admin_client.post(f"/admin/actionplans/actionpoint/{point.pk}/change/", data)
    assert response.status_code == 302
    point.refresh_from_db()
    assert (point.priority, point.pim_process_step, point.version) == (
        "high",
        "evaluate_impact",
        2,
    )
    assert point.history.first().history_user.is_superuser
