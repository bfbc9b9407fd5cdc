"""Latency of the auditor's walk pages under concurrent load, beside a bare Django view.

Serves the app with gunicorn (two workers, as on this two-core machine) on loopback, against a
fresh database with the demo data, and compares median and 95th-percentile latency.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.http_load import measure

ROOT = Path(__file__).resolve().parent.parent
CONCURRENCY = 4
REQUESTS_EACH = 50
WARM_UP = 10


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def run() -> None:
    workdir = tempfile.mkdtemp(prefix="case-audit-bench-")
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    env.update(
        DJANGO_SETTINGS_MODULE="benchmarks.settings",
        DEBUG="0",
        SECRET_KEY=env.get("SECRET_KEY")
        or "benchmark-only-secret-key-never-used-in-any-deployment",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
        CELERY_BROKER_URL="",
    )
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    prepared = subprocess.run(
        [python, "-m", "benchmarks.prepare_walk"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    cookie, *paths = prepared.stdout.split()
    port = _free_port()
    server = subprocess.Popen(
        [
            python,
            "-m",
            "gunicorn",
            "benchmarks.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_for(port, time.monotonic() + 30)
        for path in ["/bench/bare/", "/bench/signed-in/", *paths]:
            measure(port, path, cookie=cookie, concurrency=1, requests_each=WARM_UP)
        bare = measure(port, "/bench/bare/", concurrency=CONCURRENCY, requests_each=REQUESTS_EACH)
        database = env["DATABASE_URL"].split(":")[0]
        print(f"walk pages: gunicorn, 2 workers, {CONCURRENCY} concurrent clients, {database}")
        print(f"  {bare}")
        for path in ["/bench/signed-in/", *paths]:
            report = measure(
                port, path, cookie=cookie, concurrency=CONCURRENCY, requests_each=REQUESTS_EACH
            )
            print(
                f"  {report}   ratio to bare: median {report.median_ms / bare.median_ms:5.1f}x"
                f"  p95 {report.p95_ms / bare.p95_ms:5.1f}x"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
