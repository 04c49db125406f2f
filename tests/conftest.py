import pytest
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


def pytest_collection_modifyitems(config, items) -> None:
    items.sort(key=lambda item: not item.nodeid.startswith(FIRST))
