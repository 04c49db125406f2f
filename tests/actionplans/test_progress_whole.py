"""Any whole progress from 0 to 100 is accepted, on the action point's page and in
the quick (inline) update form; a point at 33 % takes a note-only quick save."""

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from actionplans import services
from actionplans.forms import ProgressUpdateForm
from actionplans.models import ProgressUpdate
from tests.users import build_world

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def world():
    return build_world()


def _post(point, **fields) -> dict:
    data = {
        "status": point.status,
        "progress": str(point.progress),
        "note": "",
        "evidence_url": "",
        "version": str(point.version),
    }
    return {**data, **fields}


def test_the_progress_field_steps_by_one():
    html = str(ProgressUpdateForm()["progress"])
    assert 'step="1"' in html
    assert 'step="5"' not in html


def test_33_percent_through_the_page_form(client, world):
    point = world.action_point
    client.force_login(world.member)
    response = client.post(
        f"/action-points/{point.pk}/update/", _post(point, status="in_progress", progress="33")
    )
    assert response.status_code == 302
    point.refresh_from_db()
    assert (point.status, point.progress) == ("in_progress", 33)


def test_a_point_at_33_percent_takes_a_note_only_quick_save(client, world):
    point = world.action_point
    services.progress_update_create(
        action_point=point, author=world.coordinator, status="in_progress", progress=33
    )
    point.refresh_from_db()
    client.force_login(world.member)

    form = client.get(f"/action-points/{point.pk}/update-form/", headers=HTMX)
    assert form.status_code == 200
    assertContains(form, 'value="33"')
    assertContains(form, 'step="1"')
    assertNotContains(form, 'step="5"')

    response = client.post(
        f"/action-points/{point.pk}/update/", _post(point, note="Still at a third."), headers=HTMX
    )
    assert response.status_code == 200
    assertContains(response, "Update recorded.")
    latest = ProgressUpdate.objects.first()
    assert (latest.progress, latest.note, latest.author) == (33, "Still at a third.", world.member)


@pytest.mark.parametrize(
    ("progress", "error"),
    [
        ("101", "Ensure this value is less than or equal to 100."),
        ("-1", "Ensure this value is greater than or equal to 0."),
        ("2.5", "Enter a whole number."),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_progress_off_the_range_or_not_whole_is_refused(client, world, progress, error, htmx):
    point = world.action_point
    client.force_login(world.member)
    response = client.post(
        f"/action-points/{point.pk}/update/",
        _post(point, status="in_progress", progress=progress),
        headers=HTMX if htmx else {},
    )
    assert response.status_code == 200
    assertContains(response, error)
    assert ProgressUpdate.objects.count() == 0
    if not htmx:
        assert response.context["update_form"].errors == {"progress": [error]}
