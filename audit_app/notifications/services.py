"""Writes: each function validates, enforces the rules, writes in a transaction and queues work
after the commit."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from audit_app.models import User
from audit_app.notifications.models import Notification, NotificationState
from audit_app.queueing import enqueue_on_commit

logger = logging.getLogger(__name__)


def notification_queue(
    *,
    subject: str,
    body: str,
    recipient: User | None = None,
    email: str = "",
    link: str = "",
    link_is_secret: bool = False,
) -> Notification:
    """Record an email owed to a user (or an address) and send it through Celery after commit.

    A secret link (one that grants something by itself) is kept only until the email has gone.
    """
    notification = Notification.objects.create(
        recipient=recipient,
        email=email,
        subject=subject,
        body=body,
        link=link,
        link_is_secret=link_is_secret,
    )
    # Robust: with the broker down the change that owed the email still stands, the failure is
    # logged, and the beat task `resend_pending_notifications` sends it once the queue is back.
    enqueue_on_commit("notifications.send", notification.pk, robust=True)
    return notification


def notifications_overdue(older_than: datetime.timedelta) -> list[int]:
    """Notifications still pending this long after they were owed: their task never ran."""
    return list(
        Notification.objects.filter(
            state=NotificationState.PENDING, created_at__lt=timezone.now() - older_than
        ).values_list("pk", flat=True)[:500]
    )


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
            recipient_list=[notification.address],
        )
    except Exception as exc:
        Notification.objects.filter(pk=notification_id).update(
            state=NotificationState.FAILED,
            attempts=notification.attempts + 1,
            last_error=type(exc).__name__,
        )
        logger.warning("notification %s failed to send: %s", notification_id, type(exc).__name__)
        raise
    sent = {"state": NotificationState.SENT, "attempts": notification.attempts + 1}
    if notification.link_is_secret:
        sent["link"] = ""
    Notification.objects.filter(pk=notification_id).update(sent_at=timezone.now(), **sent)
    return True
