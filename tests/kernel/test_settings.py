"""Configuration comes from the environment and fails loudly when production would be unsafe."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from audit_app.settings import INSECURE_DEVELOPMENT_SECRET_KEY, env_bool, env_int

ROOT = Path(__file__).resolve().parents[2]


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


DEPLOYED = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-deployment-key-for-this-test-only-" + "k" * 20,
    "ALLOWED_HOSTS": "case-audit.example.police.uk",
    "SITE_URL": "https://case-audit.example.police.uk",
    "DATABASE_URL": "postgresql://case-audit@db.invalid/case-audit",
    "CELERY_BROKER_URL": "redis://broker.invalid:6379/0",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}


# What the suite sets for itself (plain HTTP on loopback, async-unsafe for the browser tests) is
# not what a deployment has.
SUITE_ONLY = {
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
}


def deploy_check(**changes: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in set(DEPLOYED) | SUITE_ONLY}
    clean.update({**DEPLOYED, **changes})
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_deployment_with_every_service_passes_the_deploy_check():
    result = deploy_check()
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"DATABASE_URL": ""}, "case_audit.E001"),
        ({"CELERY_BROKER_URL": ""}, "case_audit.E002"),
        ({"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}, "case_audit.E003"),
        ({"SITE_URL": "http://127.0.0.1:8000"}, "case_audit.E004"),
        ({"SITE_URL": "https://localhost"}, "case_audit.E004"),
    ],
)
def test_the_deploy_check_refuses_each_embedded_default(changes, error):
    result = deploy_check(**changes)
    assert result.returncode != 0
    assert error in result.stderr


def test_every_environment_variable_the_settings_read_is_in_the_readme():
    source = (ROOT / "audit_app" / "settings.py").read_text()
    names = set(
        re.findall(r'(?:environ\.get|env_int|env_bool|env_list)\(\s*"([A-Z][A-Z0-9_]+)"', source)
    )
    assert len(names) > 30, "the scan found too few variables: has the settings' style changed?"
    readme = (ROOT / "README.md").read_text()
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert not missing, "variables the settings read but the README does not name: " + ", ".join(
        missing
    )


def test_no_setting_is_read_with_a_default_in_code():
    """A setting's default lives in settings.py, once: code reads settings.NAME."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("audit_app", "recommendations")
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"getattr\(settings, \"[A-Z_]+\", ", line)
    ]
    assert not offenders, "settings read with a default in code: " + ", ".join(offenders)
