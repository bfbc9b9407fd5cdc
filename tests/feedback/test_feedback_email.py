"""Feedback leaves by SMTP and comes back by its link: a real SMTP server (aiosmtpd) reads each
message back, once with tasks run in-process (the embedded default) and once through a real
Celery worker on the broker."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from audit_app.feedback import services
from audit_app.feedback.models import Feedback, FeedbackState
from audit_app.feedback.tasks import send_feedback_reminders
from audit_app.models import Area
from tests import factories
from tests.walk_helpers import agreed_audit


def _moderated_with_recipients():
    area = Area.objects.get(code="west")
    team = area.teams.first()
    supervisor = factories.StaffMemberFactory(
        force=area.force, team=team, rank="DS", name="Dee Sergeant", email="ds1@example.police.uk"
    )
    officer = factories.StaffMemberFactory(
        force=area.force,
        team=team,
        name="Olly Officer",
        email="pc1@example.police.uk",
        line_manager=supervisor,
    )
    return agreed_audit(case__officer_in_case=officer, case__supervisor=supervisor)


def _link(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"https?://[^/\s]+(/feedback/acknowledge/[A-Za-z0-9_-]+/)", body)
    assert match, body
    return match.group(1)


def _send_both(audit, moderator) -> list[Feedback]:
    drafted = services.feedback_draft(audit=audit, by=moderator)
    for feedback in drafted:
        services.feedback_send(feedback=feedback, by=moderator)
    return drafted


@pytest.mark.django_db
def test_feedback_and_its_reminder_arrive_over_smtp(
    reference_data, smtp_inbox, settings, django_capture_on_commit_callbacks
):
    audit, moderator = _moderated_with_recipients()
    with django_capture_on_commit_callbacks(execute=True):
        _send_both(audit, moderator)
    by_address = {message["To"]: message for message in smtp_inbox.wait_for(2)}
    assert set(by_address) == {"pc1@example.police.uk", "ds1@example.police.uk"}
    officer_mail, supervisor_mail = by_address.values()
    for message in (officer_mail, supervisor_mail):
        assert (
            message["Subject"] == f"[Case Audit] Case audit feedback: case {audit.case.reference}"
        )
        body = message.get_body(preferencelist=("plain",)).get_content()
        assert "Grade agreed at moderation" in body
    # A week on, the daily task reminds both, each with a new link.
    later = timezone.now() + datetime.timedelta(days=settings.FEEDBACK_REMINDER_DAYS + 1)
    Feedback.objects.filter(audit=audit).update(sent_at=later - datetime.timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_feedback_reminders.delay().get() == 2
    reminders = smtp_inbox.wait_for(4)[2:]
    assert all(m["Subject"].startswith("[Case Audit] Reminder:") for m in reminders)
    assert {_link(m) for m in reminders}.isdisjoint({_link(officer_mail), _link(supervisor_mail)})


@pytest.mark.celery_worker
def test_a_real_worker_sends_feedback_that_is_acknowledged_from_its_link(
    celery_worker_on_broker, smtp_inbox
):
    call_command("load_reference_data", verbosity=0)
    audit, moderator = _moderated_with_recipients()
    _send_both(audit, moderator)  # autocommit: queued on the broker at once
    messages = smtp_inbox.wait_for(2, timeout=60)
    by_address = {message["To"]: message for message in messages}
    assert set(by_address) == {"pc1@example.police.uk", "ds1@example.police.uk"}
    anonymous = Client()
    for message in by_address.values():
        link = _link(message)
        assert anonymous.get(link).status_code == 200
        assert anonymous.post(link).status_code == 200
        assert anonymous.post(link).status_code == 404  # single use
    states = set(Feedback.objects.filter(audit=audit).values_list("state", flat=True))
    assert states == {FeedbackState.ACKNOWLEDGED}
