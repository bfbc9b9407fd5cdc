import smtplib

import pytest
from django.core import mail

from audit_app.notifications.models import NotificationState
from audit_app.notifications.services import notification_queue, notification_send
from tests import factories

pytestmark = pytest.mark.django_db


def test_queued_notification_is_sent_after_commit(django_capture_on_commit_callbacks):
    user = factories.UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notification = notification_queue(
            recipient=user,
            subject="Audit allocated",
            body="Case REF-1 is yours.",
            link="/my-audits/",
        )
    notification.refresh_from_db()
    assert notification.state == NotificationState.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert "/my-audits/" in mail.outbox[0].body


def test_sending_twice_sends_once():
    notification = factories.NotificationFactory()
    assert notification_send(notification_id=notification.pk) is True
    assert notification_send(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1


def test_a_failed_send_is_recorded_and_raised_for_retry(monkeypatch):
    notification = factories.NotificationFactory()

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr("audit_app.notifications.services.send_mail", refuse)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        notification_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.state == NotificationState.FAILED
    assert notification.attempts == 1
    assert notification.last_error == "SMTPServerDisconnected"
    monkeypatch.undo()
    assert notification_send(notification_id=notification.pk) is True
