"""The documented backup and restore (README, "Backup and restore") run for real: a dump of the
database restored into a fresh database holds every audit, answer and access-log entry."""

from __future__ import annotations

import shutil
import subprocess

import psycopg
import pytest
from django.db import connection

from audit_app.access_log.models import AccessAction, AccessLogEntry
from audit_app.access_log.services import access_record
from audit_app.audits.models import Answer, Audit
from tests.conftest import missing_service

pytestmark = pytest.mark.django_db(transaction=True)

RESTORED = "case_audit_restore_check"


def _url(settings_dict: dict, name: str) -> str:
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    user = settings_dict["USER"] or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    return f"postgresql://{user}{password}@{host}:{port}/{name}"


def test_a_dump_restores_into_a_fresh_database_with_every_audit(demo_logins, tmp_path):
    if connection.vendor != "postgresql":
        missing_service("the backup test needs PostgreSQL (DATABASE_URL)")
    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        missing_service("pg_dump and pg_restore are not installed")
    source = _url(connection.settings_dict, connection.settings_dict["NAME"])
    target = _url(connection.settings_dict, RESTORED)
    admin = _url(connection.settings_dict, "postgres")
    access_record(user=None, action=AccessAction.VIEW, record_type="audit", record_id="1")
    audits = sorted(Audit.objects.values_list("pk", "state", "grade"))
    answers = Answer.objects.count()
    log_entries = AccessLogEntry.objects.count()
    assert audits and answers

    dump = tmp_path / "case-audit.dump"
    subprocess.run(
        [shutil.which("pg_dump"), "--format=custom", "--no-owner", f"--file={dump}", source],
        check=True,
    )
    with psycopg.connect(admin, autocommit=True) as server:
        server.execute(f"DROP DATABASE IF EXISTS {RESTORED}")
        server.execute(f"CREATE DATABASE {RESTORED}")
    try:
        subprocess.run(
            [
                shutil.which("pg_restore"),
                "--no-owner",
                "--exit-on-error",
                f"--dbname={target}",
                str(dump),
            ],
            check=True,
        )
        with psycopg.connect(target) as restored:
            got = sorted(
                restored.execute("SELECT id, state, grade FROM audit_app_audit").fetchall()
            )
            (got_answers,) = restored.execute("SELECT count(*) FROM audit_app_answer").fetchone()
            (got_log,) = restored.execute(
                "SELECT count(*) FROM audit_app_accesslogentry"
            ).fetchone()
            # The access log stays append-only after a restore: the trigger came back too.
            with pytest.raises(psycopg.errors.RaiseException):
                restored.execute("DELETE FROM audit_app_accesslogentry")
        assert got == audits
        assert (got_answers, got_log) == (answers, log_entries)
    finally:
        with psycopg.connect(admin, autocommit=True) as server:
            server.execute(f"DROP DATABASE IF EXISTS {RESTORED}")
