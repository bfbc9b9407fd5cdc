"""Shared fixtures.

Tests that need PostgreSQL, Redis or Chromium skip with the reason when those are missing, so a new
user's `make test` passes; with REQUIRE_SERVICES=1 (as `.ci/run` sets) a missing service fails the
run instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.management import call_command

# Playwright's sync API runs an event loop in the test thread; the ORM calls tests make around it
# are still synchronous, so Django's guard against async contexts does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# A deliberately slow hasher protects real passwords; the suite creates hundreds of users.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def missing_service(reason: str) -> None:
    """Skip the test, or fail it when the run requires every service."""
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


# Markers by where a test lives or what it is, so `-m "not browser and not faults"` picks the fast
# suite (pyproject.toml explains each).
FOLDER_MARKERS = {"e2e": "browser", "faults": "faults"}
FUZZ_MODULES = {"test_api_fuzz", "test_form_fuzz"}


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        folder = item.path.parent.name
        if folder in FOLDER_MARKERS:
            item.add_marker(FOLDER_MARKERS[folder])
        if item.path.stem in FUZZ_MODULES:
            item.add_marker("fuzz")


def pytest_report_header(config) -> list[str]:
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = settings.CELERY_BROKER_URL or "none (tasks run in-process)"
    return [f"case-audit: database={engine} broker={broker} require_services={REQUIRE_SERVICES}"]


def pytest_sessionstart(session) -> None:
    if REQUIRE_SERVICES and "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        pytest.exit(
            "REQUIRE_SERVICES=1 but DATABASE_URL is not a PostgreSQL database", returncode=3
        )
    if REQUIRE_SERVICES and not settings.CELERY_BROKER_URL:
        pytest.exit("REQUIRE_SERVICES=1 but CELERY_BROKER_URL is not set", returncode=3)


@pytest.fixture
def reference_data(db) -> None:
    """The force, areas, teams, themes, question set v1 and the 2017 recommendations."""
    call_command("load_reference_data", verbosity=0)


@pytest.fixture
def demo_logins(reference_data, settings) -> list:
    from audit_app.demo.world import build_demo

    return build_demo()


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        missing_service(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server) -> Iterator:
    context = chromium.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture(autouse=True)
def tasks_in_process(request) -> Iterator[None]:
    """Run tasks in-process, as the embedded default does, except in tests on a real worker."""
    from audit_app.celery import app

    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def celery_worker_on_broker(transactional_db) -> Iterator:
    """A real Celery worker, in a thread, consuming from the configured broker (Redis in CI)."""
    from celery.contrib.testing.worker import start_worker

    from audit_app.celery import app, queue_names

    if not settings.CELERY_BROKER_URL:
        missing_service("CELERY_BROKER_URL is not set, so there is no broker for a real worker")
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        missing_service(f"the broker at {settings.CELERY_BROKER_URL} is unreachable: {exc}")
    app.conf.task_always_eager = False
    # Every queue (imports, reports, email): production runs a worker for each.
    with start_worker(
        app, pool="solo", perform_ping_check=False, shutdown_timeout=30, queues=queue_names()
    ) as worker:
        yield worker


class SmtpInbox:
    """A real SMTP server on loopback (aiosmtpd) and the messages it received, parsed."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope) -> str:
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 20.0) -> list:
        """The first `count` messages, waiting for a worker to send them."""
        import time

        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, f"{len(self.messages)} of {count} messages arrived"
        return self.messages[:count]


@pytest.fixture
def smtp_inbox(settings) -> Iterator[SmtpInbox]:
    """Django sends mail over SMTP to a server the test reads back."""
    import socket

    from aiosmtpd.controller import Controller

    inbox = SmtpInbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        controller.stop()
