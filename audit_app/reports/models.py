"""PVP meeting reports, their versions and downloads, and the actions agreed at PVP meetings.

A `PvpReport` is one meeting's report: an area's, or (area left empty) the whole force's, for one
month. Each compilation is a `PvpReportVersion`, numbered from 1; earlier versions are kept. The
report points at its current version, the latest one that became ready, so a failed attempt never
hides the last good PDF. The database allows at most one version in flight per report, so a second
request while one is compiling joins it rather than starting another.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from audit_app.audits.models import FindingTheme
from audit_app.models import Area, Force

DESCRIPTION_MAX_LENGTH = 2000
KEY_MESSAGES_MAX_LENGTH = 3000


def report_storage() -> Storage:
    """Where report PDFs live: the "reports" storage (local disk by default, S3 by setting)."""
    return storages["reports"]


class PvpReport(models.Model):
    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="pvp_reports")
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pvp_reports",
        help_text="Empty for the force-wide (central) meeting's report.",
    )
    month = models.DateField(help_text="The first day of the month reported on.")
    # Versions are numbered from this counter, read and bumped under a row lock.
    last_version = models.PositiveIntegerField(default=0)
    current = models.ForeignKey(
        "PvpReportVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The latest version that became ready.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "area__name"]
        constraints = [
            # NULL areas are distinct in a plain unique constraint, so the force report has its own.
            models.UniqueConstraint(
                fields=["force", "area", "month"],
                condition=Q(area__isnull=False),
                name="one_pvp_report_per_area_and_month",
            ),
            models.UniqueConstraint(
                fields=["force", "month"],
                condition=Q(area__isnull=True),
                name="one_force_pvp_report_per_month",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="pvp_report_month_is_first_day"),
        ]

    def __str__(self) -> str:
        return f"PVP report {self.pk}"

    @property
    def scope_label(self) -> str:
        return f"{self.area.name} area" if self.area_id else "Whole force"

    @property
    def is_force_wide(self) -> bool:
        return self.area_id is None


class ReportState(models.TextChoices):
    QUEUED = "queued", "Queued"
    COMPILING = "compiling", "Compiling"
    RENDERING = "rendering", "Rendering"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


IN_FLIGHT_STATES = (ReportState.QUEUED, ReportState.COMPILING, ReportState.RENDERING)


class PvpReportVersion(models.Model):
    report = models.ForeignKey(PvpReport, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=ReportState.choices, default=ReportState.QUEUED)
    failure_reason = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the monthly schedule asked for it.",
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    celery_task_id = models.CharField(max_length=64, blank=True)
    # Only audits moderated by this moment count, so the figures are those of one instant.
    data_cutoff = models.DateTimeField(null=True, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    # The compiled figures and lists (case references, teams, professional notes: no child's
    # personal data). The PDF and the HTML preview are both rendered from this.
    content = models.JSONField(default=dict, blank=True)
    file = models.FileField(storage=report_storage, max_length=300, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["report", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="pvp_version_number_unique"),
            models.UniqueConstraint(
                fields=["report"],
                condition=Q(state__in=IN_FLIGHT_STATES),
                name="one_pvp_version_in_flight",
            ),
            models.CheckConstraint(
                condition=Q(state__in=ReportState.values), name="pvp_version_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state="ready")
                | (~Q(file="") & Q(size__isnull=False) & Q(sha256__regex=r"^[0-9a-f]{64}$")),
                name="ready_pvp_version_has_file",
            ),
            models.CheckConstraint(
                condition=~Q(state="failed") | ~Q(failure_reason=""),
                name="failed_pvp_version_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of PVP report {self.report_id}"

    @property
    def in_flight(self) -> bool:
        return self.state in IN_FLIGHT_STATES


class DownloadLog(models.Model):
    """Who downloaded which report PDF, and when."""

    version = models.ForeignKey(
        PvpReportVersion, on_delete=models.PROTECT, related_name="downloads"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["version", "at"])]

    def __str__(self) -> str:
        return f"Download of report version {self.version_id} by user {self.user_id}"


class ActionType(models.TextChoices):
    BRIEFING = "briefing", "Briefing to officers and staff"
    EMAIL = "email", "Email to all officers and staff"
    INTRANET = "intranet", "Message on the force intranet"
    CAMPAIGN = "campaign", "Internal media campaign"
    TRAINING = "training", "Training"
    OTHER = "other", "Other"


class ActionState(models.TextChoices):
    AGREED = "agreed", "Agreed"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


OPEN_ACTION_STATES = (ActionState.AGREED, ActionState.IN_PROGRESS)


class MeetingAction(models.Model):
    """An action agreed at a PVP meeting: an area's, or (area empty) the central meeting's."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="meeting_actions")
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_actions",
        help_text="Empty for the central, force-wide meeting.",
    )
    meeting_month = models.DateField(help_text="The first day of the month of the meeting.")
    description = models.TextField(max_length=DESCRIPTION_MAX_LENGTH)
    action_type = models.CharField(max_length=10, choices=ActionType.choices)
    owner = models.CharField(max_length=120, help_text="A role or a name: who will do it.")
    due_on = models.DateField()
    state = models.CharField(max_length=12, choices=ActionState.choices, default=ActionState.AGREED)
    themes = models.ManyToManyField(FindingTheme, blank=True, related_name="meeting_actions")
    recommendation = models.ForeignKey(
        "recommendations.Recommendation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting_actions",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-meeting_month", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting_month__day=1), name="meeting_action_month_is_first_day"
            ),
            models.CheckConstraint(
                condition=Q(action_type__in=ActionType.values), name="meeting_action_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=ActionState.values), name="meeting_action_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(description=""), name="meeting_action_has_description"
            ),
            models.CheckConstraint(condition=~Q(owner=""), name="meeting_action_has_owner"),
        ]
        indexes = [models.Index(fields=["force", "area", "meeting_month"])]

    def __str__(self) -> str:
        return f"Meeting action {self.pk}"


class KeyMessages(models.Model):
    """The month's main messages for managers, drafted before the meeting by the area's moderator
    (or the audit manager) and printed on the report's summary page. Area empty: the force's."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="key_messages")
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="key_messages",
        help_text="Empty for the central, force-wide meeting.",
    )
    month = models.DateField(help_text="The first day of the month reported on.")
    text = models.TextField(max_length=KEY_MESSAGES_MAX_LENGTH)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "area__name"]
        verbose_name_plural = "key messages"
        constraints = [
            models.UniqueConstraint(
                fields=["force", "area", "month"],
                condition=Q(area__isnull=False),
                name="one_key_messages_per_area_and_month",
            ),
            models.UniqueConstraint(
                fields=["force", "month"],
                condition=Q(area__isnull=True),
                name="one_force_key_messages_per_month",
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="key_messages_month_is_first_day"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="key_messages_have_text"),
        ]

    def __str__(self) -> str:
        return f"Key messages {self.pk}"
