"""Configuration comes from the environment and fails loudly when production would be unsafe."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from audit_app.settings import INSECURE_DEVELOPMENT_SECRET_KEY, env_bool, env_int

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env: str) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with exactly these variables."""
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    clean.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import audit_app.settings as s;"
            "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER)",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_debug_off_without_a_secret_key_refuses_to_start():
    result = load_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


@pytest.mark.parametrize(
    "key", [INSECURE_DEVELOPMENT_SECRET_KEY, "django-insecure-" + "x" * 60, "short"]
)
def test_debug_off_with_a_default_or_weak_secret_key_refuses_to_start(key):
    result = load_settings(DEBUG="0", SECRET_KEY=key)
    assert result.returncode != 0
    assert "SECRET_KEY is a development default" in result.stderr


def test_embedded_default_is_sqlite_with_tasks_in_process():
    env = {"DEBUG": "1", "DATABASE_URL": "", "CELERY_BROKER_URL": ""}
    result = load_settings(**env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True"]


def test_a_broker_url_turns_off_in_process_tasks():
    result = load_settings(DEBUG="1", CELERY_BROKER_URL="redis://127.0.0.1:6379/9")
    assert result.stdout.split()[1] == "False"


def test_bad_boolean_fails_loudly(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG", False)
    monkeypatch.setenv("SOME_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER"):
        env_int("SOME_NUMBER", 1)
