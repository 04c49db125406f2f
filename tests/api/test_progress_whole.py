"""The API takes any whole progress from 0 to 100, and refuses the rest by field."""

import pytest

from actionplans.models import ProgressUpdate

pytestmark = pytest.mark.django_db


def test_the_api_records_33_percent(world, member_client):
    point = world.action_point
    response = member_client.post(
        f"/api/v1/action-points/{point.pk}/updates/",
        {"status": "in_progress", "progress": 33},
        format="json",
    )
    assert response.status_code == 201, response.json()
    point.refresh_from_db()
    assert point.progress == 33
    # A note alone keeps 33 %.
    again = member_client.post(
        f"/api/v1/action-points/{point.pk}/updates/", {"note": "Still a third."}, format="json"
    )
    assert again.status_code == 201, again.json()
    assert ProgressUpdate.objects.first().progress == 33


@pytest.mark.parametrize(
    ("progress", "error"),
    [
        (101, "Ensure this value is less than or equal to 100."),
        (-1, "Ensure this value is greater than or equal to 0."),
        (2.5, "A valid integer is required."),
    ],
)
def test_the_api_refuses_progress_off_the_range_or_not_whole(world, member_client, progress, error):
    point = world.action_point
    response = member_client.post(
        f"/api/v1/action-points/{point.pk}/updates/", {"progress": progress}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["progress"] == [error]
    assert ProgressUpdate.objects.count() == 0
