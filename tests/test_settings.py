"""Settings come from the environment; production settings pass check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-key-used-only-by-this-test-0123456789-abcdefghijklmnop",
    "ALLOWED_HOSTS": "pim.example.org",
    "DATABASE_URL": "sqlite:///:memory:",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_secret_key_required_when_debug_is_off():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


@pytest.mark.parametrize(("name", "value"), [("DEBUG", "maybe"), ("EMAIL_USE_TLS", "sometimes")])
def test_bad_boolean_names_the_variable(name, value):
    result = _manage("check", env={**PRODUCTION, name: value})
    assert result.returncode != 0
    assert f"{name} must be true or false, not '{value}'." in result.stderr


def test_bad_number_names_the_variable():
    result = _manage("check", env={**PRODUCTION, "EMAIL_PORT": "twenty-five"})
    assert result.returncode != 0
    assert "EMAIL_PORT must be a whole number, not 'twenty-five'." in result.stderr


def test_development_key_is_generated_into_the_local_dir(tmp_path):
    env = {"DEBUG": "true", "LOCAL_STATE_DIR": str(tmp_path), "DATABASE_URL": "sqlite:///:memory:"}
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        env=env,
    )
    key_file = tmp_path / "secret_key"
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == key_file.read_text()
    assert len(key_file.read_text()) >= 50
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_blank_variables_fall_back_to_their_defaults(tmp_path):
    # "DATABASE_URL=" in a .env file means "not set": the embedded SQLite database,
    # not a crash on an empty address.
    env = {"DEBUG": "true", "LOCAL_STATE_DIR": str(tmp_path), "DATABASE_URL": " ", "TIME_ZONE": ""}
    result = _manage(
        "shell",
        "--verbosity",
        "0",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.TIME_ZONE)",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        str(BASE_DIR / "db.sqlite3"),
        "UTC",
    ]
