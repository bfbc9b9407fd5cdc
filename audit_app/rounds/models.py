"""Candidate cases imported from the records system, and each round's selection of them.

An import is checked row by row before anything is saved: the rows and their outcomes are kept so
the audit manager can read every reason, then confirm. A selection slot is one of a round's ten
places (one per theme, plus the force-interest case); a case fills at most one slot, ever.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from audit_app.audits.models import AuditRound, Case
from audit_app.models.organisation import Force
from audit_app.models.reference import CaseTheme


class CaseImportState(models.TextChoices):
    QUEUED = "queued", "Queued"
    CHECKING = "checking", "Checking rows"
    READY = "ready", "Ready to confirm"
    SAVING = "saving", "Saving"
    IMPORTED = "imported", "Imported"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


IMPORT_IN_FLIGHT_STATES = (CaseImportState.QUEUED, CaseImportState.CHECKING, CaseImportState.SAVING)


class CaseImportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"


class CaseImport(models.Model):
    """One file of candidate cases, from upload through the row-by-row check to saving."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="case_imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=4, choices=CaseImportFormat.choices)
    # Kept only until the rows are checked, then deleted: it may hold more than the app needs.
    file = models.FileField(upload_to="imports/", blank=True)
    state = models.CharField(
        max_length=10, choices=CaseImportState.choices, default=CaseImportState.QUEUED
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    accepted_rows = models.PositiveIntegerField(default=0)
    rejected_rows = models.PositiveIntegerField(default=0)
    known_rows = models.PositiveIntegerField(default=0)
    saved_cases = models.PositiveIntegerField(default=0)
    failure_reason = models.TextField(blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "audit_app_caseimport"
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=CaseImportState.values), name="case_import_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(file_format__in=CaseImportFormat.values),
                name="case_import_format_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.file_name})"

    @property
    def is_in_flight(self) -> bool:
        return self.state in IMPORT_IN_FLIGHT_STATES

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


class RowOutcome(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    KNOWN = "known", "Already known"


class CaseImportRow(models.Model):
    """One row of an import file, its outcome and, when accepted, the values to save."""

    case_import = models.ForeignKey(CaseImport, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField(help_text="The row in the file, the header being 1.")
    outcome = models.CharField(max_length=8, choices=RowOutcome.choices)
    reason = models.CharField(max_length=300, blank=True)
    reference = models.CharField(max_length=60, blank=True)
    values = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "audit_app_caseimportrow"
        ordering = ["case_import", "row_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_import", "row_number"], name="case_import_row_unique"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=RowOutcome.values), name="case_import_row_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome="accepted") | ~Q(reason=""),
                name="case_import_row_refusal_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["case_import", "outcome", "row_number"])]

    def __str__(self) -> str:
        return f"Row {self.row_number} of import {self.case_import_id}"


class SelectionSlot(models.Model):
    """One of a round's places: a theme, the month its case was drawn from, and the case."""

    round = models.ForeignKey(AuditRound, on_delete=models.CASCADE, related_name="slots")
    position = models.PositiveSmallIntegerField()
    theme = models.ForeignKey(CaseTheme, on_delete=models.PROTECT, related_name="+")
    is_force_interest = models.BooleanField(default=False)
    source_month = models.DateField(help_text="The month whose cases were eligible.")
    case = models.OneToOneField(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="selection_slot",
        help_text="A case is selected once, ever.",
    )
    eligible_count = models.PositiveIntegerField(default=0)
    empty_reason = models.TextField(blank=True, max_length=1000)
    selected_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(table_name="audit_app_historicalselectionslot")

    class Meta:
        db_table = "audit_app_selectionslot"
        ordering = ["round", "position"]
        constraints = [
            models.UniqueConstraint(fields=["round", "position"], name="selection_slot_unique"),
            models.CheckConstraint(
                condition=Q(source_month__day=1), name="selection_slot_month_is_first_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} slot {self.position} ({self.theme.code})"
