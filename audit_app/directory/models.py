"""Imports of the force's staff directory from its HR system's export.

The people themselves are the kernel's StaffMember (audit_app.models); an import is checked row by
row on upload, shown to the audit manager, and applied once on confirmation, by a Celery task on
the imports queue (directory.apply_staff_import): ready -> applying -> applied, or failed (nothing
changed; it may be confirmed again).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from audit_app.models import Force, StaffMember


class StaffImportState(models.TextChoices):
    READY = "ready", "Ready to confirm"
    APPLYING = "applying", "Applying"
    APPLIED = "applied", "Applied"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class StaffImport(models.Model):
    """One file of the HR system's staff export, checked on upload and applied once."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="staff_imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=255)
    state = models.CharField(
        max_length=10, choices=StaffImportState.choices, default=StaffImportState.READY
    )
    total_rows = models.PositiveIntegerField(default=0)
    create_rows = models.PositiveIntegerField(default=0)
    update_rows = models.PositiveIntegerField(default=0)
    unchanged_rows = models.PositiveIntegerField(default=0)
    rejected_rows = models.PositiveIntegerField(default=0)
    # Who confirmed the import (the history's user for its changes), and when it was applied.
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=StaffImportState.values), name="staff_import_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Staff import {self.pk} ({self.file_name})"

    @property
    def is_confirmable(self) -> bool:
        """Waiting for confirmation, or failed (nothing was changed) and may be confirmed again."""
        return self.state in (StaffImportState.READY, StaffImportState.FAILED)

    @property
    def change_reason(self) -> str:
        """What every change this import makes is recorded under, in the people's history."""
        return f"directory import {self.pk}"


class StaffRowOutcome(models.TextChoices):
    CREATE = "create", "New person"
    UPDATE = "update", "Update"
    UNCHANGED = "unchanged", "Unchanged"
    REJECTED = "rejected", "Rejected"


class StaffImportRow(models.Model):
    """One row of a staff import: its outcome, the reasons when rejected, the values to apply and,
    for an update, each field's old and new value."""

    staff_import = models.ForeignKey(StaffImport, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField(help_text="The row in the file, the header being 1.")
    outcome = models.CharField(max_length=10, choices=StaffRowOutcome.choices)
    reasons = models.JSONField(default=list, blank=True)
    identifier = models.CharField(max_length=60, blank=True)
    name = models.CharField(max_length=120, blank=True)
    values = models.JSONField(default=dict, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    staff_member = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["staff_import", "row_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff_import", "row_number"], name="staff_import_row_unique"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=StaffRowOutcome.values),
                name="staff_import_row_outcome_valid",
            ),
        ]
        indexes = [models.Index(fields=["staff_import", "outcome", "row_number"])]

    def __str__(self) -> str:
        return f"Row {self.row_number} of staff import {self.staff_import_id}"
