"""Faults injected and survived: a database error mid-save, and the broker out of reach."""

from __future__ import annotations

import pytest
from django.db import DatabaseError
from django.urls import reverse

from audit_app.audits.models import (
    Answer,
    AuditState,
    Case,
    Grade,
    Moderation,
    ModerationDecision,
    ModerationPolicy,
)
from audit_app.models import Area, Force, Role
from audit_app.notifications import services
from audit_app.notifications import tasks as notifications_tasks
from audit_app.rounds import imports as importing
from audit_app.rounds import tasks as rounds_tasks
from audit_app.rounds.models import CaseImport, CaseImportState
from tests import factories
from tests.builders import GOOD, csv_upload
from tests.walk_helpers import allocated_audit, answer_everything, submit

pytestmark = pytest.mark.django_db


def test_a_database_error_in_a_section_save_rolls_back_the_whole_save(
    client, reference_data, monkeypatch
):
    audit = allocated_audit()
    client.force_login(audit.auditor)
    section = client.get(reverse("audit_overview", args=[audit.pk]))
    assert section.status_code == 200
    from audit_app.audits.models import AuditEvent

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(AuditEvent.objects, "create", broken)
    questions = list(audit.question_set.questions.filter(section__code="A").order_by("number"))
    data = {f"q{q.pk}": "yes" for q in questions}
    client.raise_request_exception = False
    response = client.post(reverse("audit_section", args=[audit.pk, "A"]), data)
    assert response.status_code == 500
    audit.refresh_from_db()
    assert not Answer.objects.filter(audit=audit).exists(), "no answer saved without the rest"
    assert audit.state == AuditState.NOT_STARTED and audit.revision == 0


def test_a_database_error_in_a_moderation_decision_changes_nothing(
    client, reference_data, monkeypatch
):
    audit = allocated_audit()
    ModerationPolicy.objects.update_or_create(
        force=audit.round.area.force, defaults={"blind_share_percent": 0}
    )
    answer_everything(audit)
    submit(audit, grade=Grade.GOOD)
    moderator = factories.user_with_role(Role.MODERATOR, audit.round.area)
    client.force_login(moderator)
    from audit_app.audits.models import AuditEvent

    def broken(*args, **kwargs):
        raise DatabaseError("connection lost")

    monkeypatch.setattr(AuditEvent.objects, "create", broken)
    audit.refresh_from_db()
    client.raise_request_exception = False
    response = client.post(
        reverse("moderate_audit", args=[audit.pk]),
        {
            "decision": ModerationDecision.CHANGED,
            "agreed_grade": Grade.INADEQUATE,
            "reason": "Missed referral.",
            "revision": audit.revision,
        },
    )
    assert response.status_code == 500
    audit.refresh_from_db()
    assert audit.state == AuditState.SUBMITTED and audit.moderated_grade == ""
    assert not Moderation.objects.filter(audit=audit).exists()


def test_with_the_broker_out_of_reach_an_upload_is_kept_and_the_user_told(
    client, reference_data, monkeypatch
):
    """The fault is injected where the app meets the broker: queueing raises what kombu raises
    when Redis refuses the connection."""
    from kombu.exceptions import OperationalError

    def refused(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(rounds_tasks.check_case_import, "delay", refused)
    manager = factories.user_with_role(Role.AUDIT_MANAGER, None, force=Force.objects.get())
    client.force_login(manager)
    for page in ("home", "rounds", "imports", "dashboard"):
        assert client.get(reverse(page)).status_code == 200, page
    response = client.post(reverse("imports"), {"file": csv_upload([GOOD])}, follow=True)
    assert "background task queue is unavailable" in response.content.decode()
    case_import = CaseImport.objects.get()
    assert case_import.state == CaseImportState.QUEUED
    assert not Case.objects.exists()
    # Once the queue is back, the same upload is checked: nothing was lost.
    monkeypatch.undo()
    importing.case_import_check(case_import_id=case_import.pk)
    case_import.refresh_from_db()
    assert case_import.state == CaseImportState.READY and case_import.accepted_rows == 1


def test_emails_owed_while_the_broker_is_down_are_sent_later(
    reference_data, monkeypatch, django_capture_on_commit_callbacks
):
    import datetime

    from django.core import mail
    from django.utils import timezone
    from kombu.exceptions import OperationalError

    from audit_app.notifications.models import Notification, NotificationState

    def refused(*args, **kwargs):
        raise OperationalError("Connection refused.")

    user = factories.user_with_role(Role.AUDITOR, Area.objects.get(code="west"))
    monkeypatch.setattr(notifications_tasks.send_notification, "delay", refused)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = services.notification_queue(recipient=user, subject="S", body="B")
    assert len(callbacks) == 1  # it ran, failed, and the failure did not propagate
    # The commit went through; the email is owed, not lost.
    notification.refresh_from_db()
    assert notification.state == NotificationState.PENDING
    monkeypatch.undo()
    Notification.objects.filter(pk=notification.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=11)
    )
    assert notifications_tasks.resend_pending_notifications() == 1
    notification.refresh_from_db()
    assert notification.state == NotificationState.SENT
    assert [m.to for m in mail.outbox] == [[user.email]]
