"""The access log: who consulted, downloaded, exported, changed or erased which record, and when.

Part 3 of the Data Protection Act 2018 (section 62) asks for logs of consultation and disclosure,
not only of change. Entries are only ever added: the model refuses updates and deletes, and on
PostgreSQL a trigger refuses them in the database too (migration 0008).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone


class AccessAction(models.TextChoices):
    VIEW = "view", "Viewed"
    DOWNLOAD = "download", "Downloaded"
    EXPORT = "export", "Exported"
    CHANGE = "change", "Changed"
    ERASE = "erase", "Erased"


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("The access log is append-only.")

    def delete(self):
        raise PermissionDenied("The access log is append-only.")


class AccessLogEntry(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the system itself (scheduled tasks).",
    )
    action = models.CharField(max_length=10, choices=AccessAction.choices)
    record_type = models.CharField(max_length=40, blank=True)
    record_id = models.CharField(max_length=40, blank=True)
    method = models.CharField(max_length=8, blank=True)
    path = models.CharField(max_length=300, blank=True)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    # For exports and lists, the filter used; for erasure, what was removed. Never record content.
    detail = models.JSONField(default=dict, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        db_table = "audit_app_accesslogentry"
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["record_type", "record_id"]),
            models.Index(fields=["user", "at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=AccessAction.values), name="access_action_valid"
            ),
        ]
        verbose_name_plural = "access log entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.action} {self.record_type}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionDenied("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("The access log is append-only.")
