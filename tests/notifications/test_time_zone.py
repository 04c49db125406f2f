"""Pages show times in the zone the user chose, from sign-in on."""

import datetime

import pytest
import time_machine

from actionplans.services.updates import progress_update_create
from notifications.middleware import SESSION_KEY
from notifications.models import Preference
from tests.users import build_world

pytestmark = pytest.mark.django_db


def _update_at_noon_utc(world):
    moment = datetime.datetime(2019, 3, 1, 12, 0, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        progress_update_create(action_point=world.action_point, author=None, note="Shared")


def test_times_follow_the_chosen_zone_from_sign_in(client, settings):
    settings.TIME_ZONE = "UTC"
    world = build_world()
    _update_at_noon_utc(world)
    Preference.objects.create(email=world.member.email, time_zone="Asia/Beirut")

    # Through the sign-in page (django-axes needs the request to check its lockouts).
    response = client.post(
        "/accounts/login/", {"username": "member", "password": "pass-for-tests-1"}
    )
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == "Asia/Beirut"
    page = client.get(f"/action-points/{world.action_point.pk}/").content.decode()
    assert "1 Mar 2019, 14:00" in page  # Beirut is UTC+2 in winter
    assert "1 Mar 2019, 12:00" not in page


def test_saving_preferences_changes_the_zone_at_once(client, settings):
    settings.TIME_ZONE = "UTC"
    world = build_world()
    _update_at_noon_utc(world)
    client.force_login(world.member)
    page = client.get(f"/action-points/{world.action_point.pk}/").content.decode()
    assert "1 Mar 2019, 12:00" in page

    response = client.post(
        "/account/notifications/",
        {
            "kinds": ["due_soon", "due_today", "overdue", "stale"],
            "lead_days": "14, 3",
            "digest_weekday": "0",
            "time_zone": "America/Bogota",
        },
    )
    assert response.status_code == 302
    assert Preference.objects.get(email=world.member.email).time_zone == "America/Bogota"
    page = client.get(f"/action-points/{world.action_point.pk}/").content.decode()
    assert "1 Mar 2019, 07:00" in page
