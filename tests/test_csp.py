"""Content-Security-Policy on every response (django-csp), and templates it lets work.

The policy: scripts, styles, images and requests only from the app itself (images
also as data: URIs, for Swagger UI's icons), no plugins, no framing, no <base>,
forms posted only to the app. The one inline script, Swagger UI's set-up, carries
a nonce that is added to script-src on that response alone. The browser side
(nothing refused on the plan page, the dashboards, /api/docs/) is
tests/browser/test_csp_browser.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from actionplans.services import calendar_feed_create
from tests.api.helpers import token_client
from tests.users import build_world

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
}
TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Emails are read in mail programs, where only inline styles work; no browser applies
# the app's policy to them.
EMAIL_TEMPLATES = TEMPLATES / "notifications" / "email"


def directives(response) -> dict[str, str]:
    """The response's policy, directive by directive (django-csp does not keep their order)."""
    header = response["Content-Security-Policy"]
    parts = [part.strip().split(" ", 1) for part in header.split(";")]
    result = dict(parts)
    assert len(result) == len(parts), f"a directive is repeated: {header}"
    return result


@pytest.fixture
def world(db):
    cache.clear()  # the API's throttles count in the cache
    yield build_world()
    cache.clear()


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/password_reset/", "/admin/login/"])
def test_signed_out_pages_carry_the_policy(client, world, url):
    response = client.get(url)

    assert response.status_code == 200
    assert directives(response) == POLICY
    assert response["Referrer-Policy"] == "same-origin"


def test_plan_page_carries_the_policy_and_tells_htmx_to_inject_no_style(client, world):
    client.force_login(world.member)

    response = client.get(f"/plans/{world.plan.pk}/")

    assert response.status_code == 200
    assert directives(response) == POLICY
    assert response["Referrer-Policy"] == "same-origin"
    html = response.content.decode()
    config = """'{"includeIndicatorStyles": false, "allowEval": false}'"""
    assert f'<meta name="htmx-config" content={config}>' in html
    assert "nonce" not in html


def test_htmx_fragment_carries_the_policy(client, world):
    client.force_login(world.member)

    response = client.get(
        f"/action-points/{world.action_point.pk}/update-form/", headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert directives(response) == POLICY


def test_dashboards_carry_the_policy(client, world):
    client.force_login(world.coordinator)

    for url in [f"/plans/{world.plan.pk}/dashboard/", "/dashboard/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert directives(response) == POLICY, url


def test_api_answers_carry_the_policy(client, world):
    answers = [
        token_client(world.member).get(f"/api/v1/plans/{world.plan.pk}/"),
        token_client(world.member).get("/api/v1/action-points/?limit=1"),
        client.get("/api/v1/plans/"),  # no credentials: 401
        client.get("/api/schema/"),  # 401 as well: the schema is for signed-in users
    ]

    assert [answer.status_code for answer in answers] == [200, 200, 401, 401]
    for answer in answers:
        assert directives(answer) == POLICY


@pytest.mark.parametrize("path", ["export.csv", "export-hxl.csv", "export.xlsx"])
def test_plan_exports_carry_the_policy(client, world, path):
    client.force_login(world.member)

    response = client.get(f"/plans/{world.plan.pk}/{path}")

    assert response.status_code == 200
    assert directives(response) == POLICY


def test_api_export_and_calendar_feed_carry_the_policy(client, world):
    feed = calendar_feed_create(user=world.member)
    answers = [
        token_client(world.member).get(f"/api/v1/plans/{world.plan.pk}/export/xlsx/"),
        client.get(f"/calendar/{feed.key}/plans/{world.plan.pk}.ics"),
    ]

    assert [answer.status_code for answer in answers] == [200, 200]
    for answer in answers:
        assert directives(answer) == POLICY


def test_not_found_page_carries_the_policy(client, world):
    client.force_login(world.member)

    response = client.get(f"/plans/{world.other_plan.pk}/")

    assert response.status_code == 404
    assert directives(response) == POLICY


def test_api_docs_inline_script_carries_the_nonce_of_its_response(client, world):
    client.force_login(world.member)

    response = client.get("/api/docs/")

    assert response.status_code == 200
    policy = directives(response)
    nonce = re.fullmatch(r"'self' 'nonce-([A-Za-z0-9+/=]{24})'", policy.pop("script-src"))
    assert nonce, response["Content-Security-Policy"]
    assert policy == {key: value for key, value in POLICY.items() if key != "script-src"}
    html = response.content.decode()
    inline = re.findall(r"<script(?![^>]*\ssrc=)([^>]*)>", html)
    assert inline == [f' nonce="{nonce[1]}"']
    assert "<style" not in html and " style=" not in html
    assert '<link rel="stylesheet" href="/static/css/swagger-ui-page.css">' in html
    # A nonce is never used twice.
    assert (
        client.get("/api/docs/")["Content-Security-Policy"] != response["Content-Security-Policy"]
    )


# What the policy refuses in a page: an inline script without the nonce, a <style>
# element, a style attribute, an event handler attribute, a javascript: URL, and
# htmx's hx-on (evaluated as a string) or js: values.
FORBIDDEN = {
    "inline script": re.compile(r"<script(?![^>]*\s(?:src|nonce)=)[^>]*>", re.IGNORECASE),
    "style element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "style attribute": re.compile(r"""[\s"']style\s*=""", re.IGNORECASE),
    "event handler": re.compile(r"""[\s"']on[a-z]+\s*=""", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "hx-on": re.compile(r"hx-on", re.IGNORECASE),
    "js: value": re.compile(r"""hx-vals=["']\s*js:""", re.IGNORECASE),
}


# Template comments (Django's and Jinja's) reach no browser.
COMMENTS = re.compile(r"{#.*?#}|{% comment %}.*?{% endcomment %}", re.DOTALL)


def test_templates_hold_nothing_the_policy_refuses():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        if path.is_relative_to(EMAIL_TEMPLATES):
            continue
        text = COMMENTS.sub("", path.read_text())
        for what, pattern in FORBIDDEN.items():
            found += [
                f"{path.relative_to(TEMPLATES)}: {what}: {m[0]!r}" for m in pattern.finditer(text)
            ]

    assert found == []


def test_template_check_finds_what_the_policy_refuses():
    examples = {
        "inline script": "<script>alert(1)</script>",
        "style element": "<style>p{}</style>",
        "style attribute": '<progress style="width: 50%">',
        "event handler": '<button onclick="go()">',
        "javascript: URL": '<a href="javascript:go()">',
        "hx-on": '<form hx-on::after-request="go()">',
        "js: value": """<input hx-vals='js:{a: 1}'>""",
    }

    found = {what: bool(FORBIDDEN[what].search(text)) for what, text in examples.items()}
    assert found == dict.fromkeys(examples, True)
    assert not FORBIDDEN["inline script"].search('<script src="/static/js/a.js" defer></script>')
    assert not FORBIDDEN["inline script"].search('<script nonce="{{ request.csp_nonce }}">')
