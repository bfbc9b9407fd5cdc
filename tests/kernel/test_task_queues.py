"""Every task goes to a queue of its kind, and every queue has a worker of its own (issue 12).

An import of 100,000 rows once held up every report and email behind it: one queue served all.
The tasks are walked from the Celery app's registry and beat's schedule, so a new task without a
route fails here rather than joining whatever queue happens to be the default.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings

from audit_app.celery import app, queue_names

ROOT = Path(__file__).resolve().parents[2]
KINDS = {
    "rounds.check_case_import": "imports",
    "rounds.save_case_import": "imports",
    "reports.compile_report": "reports",
    "notifications.send": "email",
}


def project_tasks() -> list[str]:
    app.loader.import_default_modules()  # autodiscovery, as a worker does at start
    return sorted(name for name in app.tasks if not name.startswith("celery."))


def routed_queue(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def test_every_task_has_a_route_to_a_declared_queue():
    names = project_tasks()
    assert names, "no task was discovered"
    unrouted = [name for name in names if name not in settings.CELERY_TASK_ROUTES]
    assert not unrouted, f"tasks without a route in CELERY_TASK_ROUTES: {unrouted}"
    for name in names:
        assert routed_queue(name) in queue_names(), name
    stale = set(settings.CELERY_TASK_ROUTES) - set(names)
    assert not stale, f"routes for tasks that do not exist: {stale}"


def test_imports_reports_and_email_each_have_their_own_queue():
    assert {name: routed_queue(name) for name in KINDS} == KINDS
    assert sorted(queue_names()) == ["email", "imports", "reports"]


def test_every_task_beat_schedules_is_routed():
    project = set(project_tasks())
    for entry, scheduled in settings.CELERY_BEAT_SCHEDULE.items():
        assert scheduled["task"] in project, f"{entry}: no task named {scheduled['task']}"
        assert routed_queue(scheduled["task"]) in queue_names(), entry


def _worker_queues(command: list[str]) -> set[str]:
    assert "-Q" in command, f"a worker without -Q consumes every queue: {command}"
    return set(command[command.index("-Q") + 1].split(","))


def test_the_stack_runs_a_worker_for_each_queue_and_none_for_two():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    workers = {
        name: _worker_queues(service["command"])
        for name, service in services.items()
        if service.get("command", [])[:4] == ["celery", "-A", "audit_app", "worker"]
    }
    consumed = [queue for queues in workers.values() for queue in queues]
    assert sorted(consumed) == sorted(queue_names()), workers
    assert all(len(queues) == 1 for queues in workers.values()), workers


def test_worker_memory_per_child_is_bounded_and_set_from_the_environment():
    assert app.conf.worker_max_memory_per_child == settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD > 0
    env = {**os.environ, "CELERY_WORKER_MAX_MEMORY_PER_CHILD": "123456"}
    env.setdefault("SECRET_KEY", "task-queue-test-only-secret-key-not-used-anywhere-else-at-all")
    shown = subprocess.run(
        [sys.executable, "-c", "from audit_app.celery import app; "
         "print(app.conf.worker_max_memory_per_child)"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert shown.stdout.strip().splitlines()[-1] == "123456"
