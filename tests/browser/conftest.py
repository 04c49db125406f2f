"""Browser tests in real headless Chromium (Debian's /usr/bin/chromium), no pytest plugin.

Playwright's sync API is driven directly: one browser for these tests, a new
context (cookies, viewport) per test. Screenshots go to <repo>/test-artifacts/,
which git ignores.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.staticfiles.storage import (
    ManifestFilesMixin,
    StaticFilesStorage,
    staticfiles_storage,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEFAULT_TIMEOUT_MS = 10_000
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
PASSWORD = "pass-for-tests-1"  # tests.factories.UserFactory
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="package")
def browser() -> Iterator:
    """One Chromium for all the browser tests (they all live in this package).

    Package rather than session scope: Playwright's event loop and
    DJANGO_ALLOW_ASYNC_UNSAFE last only while these tests run. Left on for the
    rest of a full run, the variable reaches subprocesses such as
    `manage.py check --deploy` (tests/test_settings.py), which rejects it (async.E001).
    """
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Browser tests need Debian's Chromium at {CHROMIUM} "
            "(apt-get install -y chromium). Do not run `playwright install`.",
            pytrace=False,
        )
    # Playwright's sync API runs an event loop in this thread; Django's ORM
    # (used by the tests and by the live server thread) refuses to run next
    # to one unless told it is safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _plain_static_files(settings) -> None:
    """Serve static files under their own names: no manifest is built in tests."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    assert isinstance(staticfiles_storage, StaticFilesStorage)
    assert not isinstance(staticfiles_storage, ManifestFilesMixin)


def _console_error(page, message, errors: list[str]) -> None:
    # Failed loads are reported by _failed_resource, where an expected 403 or
    # 404 page can be told from a missing script or stylesheet.
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        errors.append(f"{page.url}: console error: {message.text}")


def _failed_resource(response, errors: list[str]) -> None:
    if response.status >= 400 and response.request.resource_type != "document":
        errors.append(f"{response.request.resource_type} {response.url}: {response.status}")


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable]:
    """Open a page in a fresh browser context.

    JavaScript errors and failed loads of scripts, styles or htmx requests fail
    the test (pages themselves may answer 403 or 404 on purpose).
    """
    contexts = []
    errors: list[str] = []

    def open_page(**context_options):
        context_options.setdefault("viewport", DESKTOP)
        context = browser.new_context(base_url=live_server.url, **context_options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(DEFAULT_TIMEOUT_MS)
        page.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        page.on("console", lambda message: _console_error(page, message, errors))
        page.on("response", lambda response: _failed_resource(response, errors))
        return page

    yield open_page
    for context in contexts:
        context.close()
    if errors:
        pytest.fail("Errors in the browser:\n" + "\n".join(errors), pytrace=False)


@pytest.fixture
def page(new_page):
    """A desktop-sized page (1280 x 900)."""
    return new_page()


@pytest.fixture
def phone_page(new_page):
    """A phone-sized page (360 x 740), as a touch phone renders it."""
    return new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)


@pytest.fixture
def sign_in(live_server) -> Callable:
    """Sign a user in through the real login form."""
    from playwright.sync_api import expect

    def sign_in(page, user, password: str = PASSWORD) -> None:
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("Username").fill(user.get_username())
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    return sign_in


@pytest.fixture
def artifacts() -> Path:
    """Where screenshots go: <repo>/test-artifacts/ (git-ignored, never committed)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
