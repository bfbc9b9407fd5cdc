"""Feedback to the officer in the case and their supervisor once an audit is moderated: drafted
from the audit, sent by email (or recorded as given in person or by phone), acknowledged from a
single-use link, and chased by reminders."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from audit_app.audits.models import NOTE_MAX_LENGTH, Audit
from audit_app.models import StaffMember


class FeedbackRole(models.TextChoices):
    OFFICER = "officer", "Officer in the case"
    SUPERVISOR = "supervisor", "Supervisor"


class FeedbackState(models.TextChoices):
    DRAFTED = "drafted", "Owed"
    SENT = "sent", "Sent"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    GIVEN = "given", "Given in person or by phone"


class FeedbackMethod(models.TextChoices):
    EMAIL = "email", "By email"
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "By phone"


class AcknowledgedVia(models.TextChoices):
    LINK = "link", "From the link in the email"
    RECORDED = "recorded", "Recorded by the moderator"


class Feedback(models.Model):
    """What the officer in the case or their supervisor is told: good practice, what to improve."""

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="feedback")
    recipient = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="feedback")
    recipient_role = models.CharField(max_length=12, choices=FeedbackRole.choices)
    good_practice = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    areas_for_improvement = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    state = models.CharField(
        max_length=14, choices=FeedbackState.choices, default=FeedbackState.DRAFTED
    )
    method = models.CharField(max_length=10, choices=FeedbackMethod.choices, blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField(auto_now_add=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who sent the email, or gave the feedback in person or by phone.",
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    given_on = models.DateField(
        null=True, blank=True, help_text="When it was given in person or by phone."
    )
    acknowledged_on = models.DateField(null=True, blank=True)
    acknowledged_via = models.CharField(max_length=10, choices=AcknowledgedVia.choices, blank=True)
    # The acknowledgement link: only a hash is kept, so the database cannot acknowledge for anyone.
    link_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    link_expires_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(
        table_name="audit_app_historicalfeedback", excluded_fields=["link_token_hash"]
    )

    class Meta:
        db_table = "audit_app_feedback"
        ordering = ["audit", "recipient_role"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "recipient_role"], name="one_feedback_per_recipient_role"
            ),
            models.CheckConstraint(
                condition=Q(state__in=FeedbackState.values), name="feedback_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(method="") | Q(method__in=FeedbackMethod.values),
                name="feedback_method_valid",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["drafted", "given"])
                | Q(sent_at__isnull=False, method="email"),
                name="sent_feedback_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(state="given")
                | Q(given_on__isnull=False, method__in=["in_person", "phone"]),
                name="given_feedback_has_date_and_method",
            ),
            models.CheckConstraint(
                condition=~Q(state="acknowledged") | Q(acknowledged_on__isnull=False),
                name="acknowledged_feedback_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback on audit {self.audit_id} to {self.get_recipient_role_display().lower()}"

    @property
    def is_owed(self) -> bool:
        return self.state == FeedbackState.DRAFTED
