"""A benchmark's child process on a throwaway database: with DATABASE_URL pointing at PostgreSQL,
a database named after the benchmark and this process on the same server, created here and dropped
afterwards; otherwise a SQLite file in a temporary directory. The child runs `python -m <module>
--child` with the benchmark settings, so its peak resident memory is its own."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def _with_path(url: str, database: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


def _postgres(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(_with_path(url, "postgres"), autocommit=True) as connection:
        connection.execute(statement)


def run_child(module: str, name: str) -> None:
    """Migrate a fresh database and run `module --child` on it; drop it whatever happens."""
    database = f"case_audit_bench_{name}_{os.getpid()}"  # one per run: two runs never collide
    workdir = tempfile.mkdtemp(prefix=f"case-audit-bench-{name}-")
    given = os.environ.get("DATABASE_URL", "")
    on_postgres = given.startswith(("postgres://", "postgresql://"))
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="benchmarks.settings",
        DATABASE_URL=_with_path(given, database)
        if on_postgres
        else f"sqlite:///{workdir}/bench.sqlite3",
        DATABASE_CONN_MAX_AGE="0",
        DEBUG="0",
        SECRET_KEY=env.get("SECRET_KEY")
        or "benchmark-only-secret-key-never-used-in-any-deployment",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
        CELERY_BROKER_URL="",
        MEDIA_ROOT=workdir,
    )
    python = sys.executable
    if on_postgres:
        _postgres(given, f"DROP DATABASE IF EXISTS {database}")
        _postgres(given, f"CREATE DATABASE {database}")
    try:
        subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run([python, "-m", module, "--child"], cwd=ROOT, env=env, check=True)
    finally:
        if on_postgres:
            _postgres(given, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        shutil.rmtree(workdir, ignore_errors=True)
