import pytest
from django.db import connection, connections
from django.utils import translation


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # Files a test writes (demo credentials) stay out of the checkout.
    settings.LOCAL_STATE_DIR = tmp_path / "local"
    # Real password hashing costs ~0.3 s per login; tests need only correctness.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    # A request activates its language in the thread (LocaleMiddleware) and nothing
    # turns it off: without this, a French page in one test would make the next
    # test's messages French.
    translation.deactivate()
    yield
    translation.deactivate()


# The longest single tests, first: on two workers, one of them runs it while the other
# works through the rest, instead of both waiting for it at the end of the run.
FIRST = ("tests/api/test_sync_scale.py",)


# A test that reaches neither the test database nor the connection (its vendor) does
# the same work whatever DATABASE_URL says: a second run on another engine skips it.
DATABASE_FIXTURES = {
    "_django_db_helper",
    "db",
    "transactional_db",
    "django_db_setup",
    "live_server",
}


def pytest_addoption(parser) -> None:
    parser.addoption(
        "--engine-tests-only",
        action="store_true",
        help="Run only the tests that can tell database engines apart (they use the test "
        "database, or their module the connection): .ci/run's second engine.",
    )


def tells_engines_apart(item) -> bool:
    if item.get_closest_marker("django_db") is not None:
        return True
    if not DATABASE_FIXTURES.isdisjoint(getattr(item, "fixturenames", ())):
        return True
    module = vars(getattr(item, "module", None) or object)
    return any(value is connection or value is connections for value in module.values())


def pytest_collection_modifyitems(config, items) -> None:
    if config.getoption("engine_tests_only"):
        same = [item for item in items if not tells_engines_apart(item)]
        if same:
            config.hook.pytest_deselected(items=same)
            items[:] = [item for item in items if tells_engines_apart(item)]
    items.sort(key=lambda item: not item.nodeid.startswith(FIRST))
