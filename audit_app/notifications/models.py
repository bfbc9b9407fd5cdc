"""An email owed to someone, recorded with the change that owed it and sent by Celery."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class NotificationState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Notification(models.Model):
    """An email owed to someone: written in the transaction of the change, sent by Celery."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    # For people who do not sign in (officers receiving feedback): their work address.
    email = models.EmailField(blank=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    link = models.CharField(max_length=300, blank=True)
    # A secret link (a single-use acknowledgement) is cleared once the email has gone.
    link_is_secret = models.BooleanField(default=False)
    state = models.CharField(
        max_length=10, choices=NotificationState.choices, default=NotificationState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "audit_app_notification"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=NotificationState.values), name="notification_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(email=""),
                name="notification_has_an_addressee",
            ),
        ]

    def __str__(self) -> str:
        return f"Notification {self.pk}"

    @property
    def address(self) -> str:
        return self.recipient.email if self.recipient_id else self.email
