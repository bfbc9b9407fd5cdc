"""Celery tasks: each takes an id, calls a service, and owns its retries."""

from __future__ import annotations

from celery import shared_task

from audit_app.rounds import imports as case_import
from audit_app.rounds import services as rounds


@shared_task(name="rounds.check_case_import")
def check_case_import(case_import_id: int) -> None:
    case_import.case_import_check(case_import_id=case_import_id)


@shared_task(name="rounds.save_case_import")
def save_case_import(case_import_id: int) -> None:
    case_import.case_import_save(case_import_id=case_import_id)


@shared_task(name="rounds.flag_overdue_audits")
def flag_overdue_audits() -> int:
    return rounds.overdue_audits_flag()
