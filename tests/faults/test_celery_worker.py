"""A task runs on a real Celery worker over the broker, not in-process."""

import time

import pytest
from django.core import mail

from audit_app.notifications.models import Notification, NotificationState
from audit_app.notifications.services import notification_queue
from tests import factories


@pytest.mark.celery_worker
def test_notification_is_sent_by_a_real_worker(celery_worker_on_broker, settings):
    from audit_app.celery import app

    assert app.conf.task_always_eager is False
    user = factories.UserFactory()
    notification = notification_queue(
        recipient=user, subject="Audit allocated", body="Case REF-9 is yours."
    )  # autocommit: the task is queued on commit at once
    deadline = time.monotonic() + 20
    state = None
    while time.monotonic() < deadline:
        state = Notification.objects.get(pk=notification.pk).state
        if state == NotificationState.SENT:
            break
        time.sleep(0.1)
    assert state == NotificationState.SENT
    assert [message.to for message in mail.outbox] == [[user.email]]
