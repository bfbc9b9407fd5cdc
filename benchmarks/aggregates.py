"""Latency of the aggregates endpoint over a national-scale data set on PostgreSQL.

43 forces x 3 areas x 10 cases x 60 months: 77,400 moderated audits and 1.7 million answers, made
by `manage.py generate_national_data` in a throwaway database, read by an inspector holding a
role in every force (so each query spans the whole data set).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "case_audit_bench_national"
RUNS = 15
QUERIES = [
    ("month x theme, all forces", {"group_by": "month,theme"}),
    ("theme x team type, 12 months", {"group_by": "theme,team_type", "month_from": "LAST12"}),
    ("area x month, one theme", {"group_by": "area,month", "theme": "CUST"}),
    ("month, graded basis", {"group_by": "month", "basis": "graded"}),
]


def _psql(sql: str, base: str) -> None:
    import psycopg

    with psycopg.connect(base.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(sql)


def measure() -> None:
    """Runs inside the benchmark database's environment: time the endpoint in-process."""
    import django

    django.setup()
    from django.test import Client

    from audit_app.accounts.tokens import token_create
    from audit_app.models import User
    from audit_app.months import add_months, current_month

    inspector = User.objects.get(username="bench.inspector")
    _, key = token_create(user=inspector, name=f"bench {time.time()}")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    last12 = f"{add_months(current_month(), -12):%Y-%m}"
    for label, params in QUERIES:
        params = {k: (last12 if v == "LAST12" else v) for k, v in params.items()}
        timings = []
        rows = 0
        for _ in range(RUNS + 2):
            started = time.perf_counter()
            response = client.get("/api/aggregates/", params)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content[:200]
            rows = len(response.json())
        timings = sorted(timings[2:])
        print(
            f"  {label:32s} median {statistics.median(timings):7.1f} ms   "
            f"p95 {timings[int(len(timings) * 0.95) - 1]:7.1f} ms   rows {rows}"
        )


def run() -> None:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        print("aggregates: skipped, it needs DATABASE_URL pointing at PostgreSQL")
        return
    url = base.rsplit("/", 1)[0] + f"/{DATABASE}"
    _psql(f"DROP DATABASE IF EXISTS {DATABASE}", base)
    _psql(f"CREATE DATABASE {DATABASE}", base)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "audit_app.settings",
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY")
        or "benchmark-only-secret-key-never-used-in-any-deployment",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        "CELERY_BROKER_URL": "",
        "API_RATE_USER": "100000/minute",
    }
    python = sys.executable
    try:
        for command in (
            ["migrate", "-v0"],
            ["load_reference_data", "-v0"],
            ["generate_national_data"],
        ):
            subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True)
        print(f"aggregates endpoint: in-process, PostgreSQL, {RUNS} runs each after 2 warm-up")
        subprocess.run(
            [python, "-c", "from benchmarks.aggregates import measure; measure()"],
            cwd=ROOT,
            env=env,
            check=True,
        )
    finally:
        _psql(f"DROP DATABASE IF EXISTS {DATABASE}", base)
