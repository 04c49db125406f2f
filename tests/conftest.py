import pytest


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # Files a test writes (demo credentials) stay out of the checkout.
    settings.LOCAL_STATE_DIR = tmp_path / "local"
    # Real password hashing costs ~0.3 s per login; tests need only correctness.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
