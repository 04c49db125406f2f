import pytest


@pytest.fixture(autouse=True)
def _local_state_dir(settings, tmp_path):
    """Keep files a test writes (demo credentials) out of the checkout."""
    settings.LOCAL_STATE_DIR = tmp_path / "local"
