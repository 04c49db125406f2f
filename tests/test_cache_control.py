"""`Cache-Control: no-store, private` on everything the app computes
(pim_tracker.middleware.NoStoreMiddleware); static files keep their public cache.

Shared computers and proxies in field offices must keep no copy of a plan, an
export, a feed or an API answer.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache

from actionplans.services import calendar_feed_create
from tests.api.helpers import token_client
from tests.users import build_world

NO_STORE = "no-store, private"
# Django's never_cache, which the sign-in view uses already.
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"


@pytest.fixture
def world(db):
    cache.clear()  # the API's throttles count in the cache
    yield build_world()
    cache.clear()


@pytest.mark.parametrize(
    "url",
    [
        "/plans/",
        "/plans/{plan}/",
        "/plans/{plan}/dashboard/",
        "/dashboard/",
        "/my/action-points/",
        "/people/",
        "/notifications/",
        "/account/calendar/",
    ],
)
def test_signed_in_pages_are_not_stored(client, world, url):
    client.force_login(world.member)

    response = client.get(url.format(plan=world.plan.pk))

    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


def test_htmx_fragment_is_not_stored(client, world):
    client.force_login(world.member)

    response = client.get(
        f"/action-points/{world.action_point.pk}/update-form/", headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


@pytest.mark.parametrize("path", ["export.csv", "export-hxl.csv", "export.xlsx"])
def test_plan_exports_are_not_stored(client, world, path):
    client.force_login(world.member)

    response = client.get(f"/plans/{world.plan.pk}/{path}")

    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


def test_all_action_points_export_is_not_stored(client, world):
    client.force_login(world.member)

    response = client.get("/action-points/export.csv")

    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


def test_api_answers_are_not_stored(client, world):
    member = token_client(world.member)
    answers = {
        "plan": member.get(f"/api/v1/plans/{world.plan.pk}/"),
        "list": member.get("/api/v1/action-points/?limit=1"),
        "export": member.get(f"/api/v1/plans/{world.plan.pk}/export/csv/"),
        "hidden plan": member.get(f"/api/v1/plans/{world.other_plan.pk}/"),
        "no credentials": client.get("/api/v1/plans/"),
        "wrong token": client.get("/api/v1/plans/", headers={"Authorization": "Token wrong"}),
    }

    assert {name: answer.status_code for name, answer in answers.items()} == {
        "plan": 200,
        "list": 200,
        "export": 200,
        "hidden plan": 404,
        "no credentials": 401,
        "wrong token": 401,
    }
    assert {name: answer["Cache-Control"] for name, answer in answers.items()} == dict.fromkeys(
        answers, NO_STORE
    )


def test_api_schema_and_docs_are_not_stored(client, world):
    client.force_login(world.member)

    for url in ["/api/schema/", "/api/docs/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == NO_STORE, url


def test_calendar_feed_is_not_stored(client, world):
    # No session: the key in the address is the credential.
    feed = calendar_feed_create(user=world.member)

    response = client.get(f"/calendar/{feed.key}/plans/{world.plan.pk}.ics")

    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


def test_signed_out_pages_and_redirects_are_not_stored(client, world):
    answers = {
        "sign-in": client.get("/accounts/login/"),
        "password reset": client.get("/accounts/password_reset/"),
        "to sign-in": client.get(f"/plans/{world.plan.pk}/"),
    }

    assert {name: answer.status_code for name, answer in answers.items()} == {
        "sign-in": 200,
        "password reset": 200,
        "to sign-in": 302,
    }
    assert {name: answer["Cache-Control"] for name, answer in answers.items()} == {
        "sign-in": NEVER_CACHE,  # the view's own choice is kept
        "password reset": NO_STORE,
        "to sign-in": NO_STORE,
    }


@pytest.fixture
def static_files_served(settings):
    """WhiteNoise serving the project's static files as in production, without collectstatic."""
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    settings.WHITENOISE_MAX_AGE = 60  # WhiteNoise's default when DEBUG is off


@pytest.mark.parametrize(
    "url",
    [
        "/static/css/app.css",
        "/static/django_htmx/htmx-2.min.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
    ],
)
def test_static_files_keep_their_public_cache(client, world, static_files_served, url):
    client.force_login(world.member)

    response = client.get(url)

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=60, public"
    # The policy is on every response, static files too (an SVG opened on its own).
    assert "default-src 'self'" in response["Content-Security-Policy"]
