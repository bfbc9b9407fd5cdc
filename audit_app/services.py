"""Writes: each function validates, enforces the rules, writes in a transaction and queues work
after the commit."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from audit_app.models import Notification, NotificationState, QuestionSet, QuestionSetState, User

logger = logging.getLogger(__name__)


def notification_queue(*, recipient: User, subject: str, body: str, link: str = "") -> Notification:
    """Record an email owed to `recipient` and send it through Celery once the change commits."""
    from audit_app.tasks import send_notification

    notification = Notification.objects.create(
        recipient=recipient, subject=subject, body=body, link=link
    )
    transaction.on_commit(lambda: send_notification.delay(notification.pk))
    return notification


def notification_send(*, notification_id: int) -> bool:
    """Send one notification. Returns False when it was already sent or is being sent elsewhere.

    The conditional update claims the row, so a repeated or duplicated task sends nothing twice.
    """
    claimed = Notification.objects.filter(
        pk=notification_id, state__in=[NotificationState.PENDING, NotificationState.FAILED]
    ).update(state=NotificationState.SENDING)
    if not claimed:
        logger.info("notification %s already sent or in flight; nothing to do", notification_id)
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    body = notification.body
    if notification.link:
        body = f"{body}\n\n{settings.SITE_URL.rstrip('/')}{notification.link}"
    try:
        send_mail(
            subject=f"[{settings.SERVICE_NAME}] {notification.subject}",
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notification.recipient.email],
        )
    except Exception as exc:
        Notification.objects.filter(pk=notification_id).update(
            state=NotificationState.FAILED,
            attempts=notification.attempts + 1,
            last_error=type(exc).__name__,
        )
        logger.warning("notification %s failed to send: %s", notification_id, type(exc).__name__)
        raise
    Notification.objects.filter(pk=notification_id).update(
        state=NotificationState.SENT, attempts=notification.attempts + 1, sent_at=timezone.now()
    )
    return True


def question_set_publish(*, question_set: QuestionSet) -> QuestionSet:
    """Publish a draft question set; from then on it never changes."""
    if question_set.state != QuestionSetState.DRAFT:
        raise ValidationError(
            f"{question_set} is already {question_set.get_state_display().lower()}."
        )
    if not question_set.questions.exists():
        raise ValidationError(f"{question_set} has no questions to publish.")
    question_set.state = QuestionSetState.PUBLISHED
    question_set.published_at = timezone.now()
    question_set.save(update_fields=["state", "published_at"])
    return question_set


def current_question_set() -> QuestionSet:
    """The newest published question set: new audits pin to it."""
    question_set = (
        QuestionSet.objects.filter(state=QuestionSetState.PUBLISHED).order_by("-version").first()
    )
    if question_set is None:
        raise ValidationError("No question set is published yet.")
    return question_set
