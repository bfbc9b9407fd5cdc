"""The force, its areas and teams, the staff audited, and the users of the app with their roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class Force(models.Model):
    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=120, unique=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    """A policing area (basic command unit), e.g. West, South, East."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="areas")
    code = models.SlugField(max_length=32)
    name = models.CharField(max_length=120)

    history = HistoricalRecords()

    class Meta:
        ordering = ["force__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["force", "code"], name="area_code_unique_in_force"),
            models.UniqueConstraint(fields=["force", "name"], name="area_name_unique_in_force"),
        ]

    def __str__(self) -> str:
        return f"{self.name} area"


class TeamType(models.TextChoices):
    SPECIALIST = "specialist", "Specialist"
    NON_SPECIALIST = "non_specialist", "Non-specialist"


class Team(models.Model):
    """A team inside an area. Every figure in the reports is cut by team type."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="teams")
    code = models.SlugField(max_length=48)
    name = models.CharField(max_length=120)
    team_type = models.CharField(max_length=20, choices=TeamType.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["area__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "code"], name="team_code_unique_in_area"),
            models.CheckConstraint(
                condition=Q(team_type__in=TeamType.values), name="team_type_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.area.name})"


class StaffIdentifierKind(models.TextChoices):
    COLLAR_NUMBER = "collar", "Collar number"
    STAFF_ID = "staff_id", "Staff ID"


class StaffMember(models.Model):
    """An officer or member of staff whose work is audited, known by collar number or staff ID."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="staff")
    identifier = models.CharField(max_length=20)
    name = models.CharField(max_length=120, blank=True)
    identifier_kind = models.CharField(
        max_length=10,
        choices=StaffIdentifierKind.choices,
        default=StaffIdentifierKind.COLLAR_NUMBER,
    )
    rank = models.CharField(max_length=60, blank=True)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="staff"
    )
    email = models.EmailField(blank=True, help_text="Work address for feedback, if known.")
    line_manager = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="direct_reports",
        help_text="From the force's staff directory; allocation avoids the auditor's chain.",
    )
    # People leave; their cases and feedback stay. The directory marks them, never deletes them.
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["identifier"]
        constraints = [
            models.UniqueConstraint(
                fields=["force", "identifier"], name="staff_identifier_unique_in_force"
            ),
            models.CheckConstraint(
                condition=~Q(line_manager=models.F("pk")), name="staff_not_own_line_manager"
            ),
        ]

    def __str__(self) -> str:
        label = StaffIdentifierKind(self.identifier_kind).label
        described = f"{self.rank} {label.lower()} {self.identifier}".strip()
        return f"{self.name} ({described})" if self.name else described


class User(AbstractUser):
    """A person who signs in. What they may do comes from their role assignments."""

    staff_member = models.OneToOneField(
        StaffMember,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="user",
        help_text="The user's own staff record, so nobody audits their own team.",
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Role(models.TextChoices):
    AUDITOR = "auditor", "Auditor"
    MODERATOR = "moderator", "Moderator"
    SENIOR_LEADER = "senior_leader", "Senior leader"
    AUDIT_MANAGER = "audit_manager", "Audit manager"
    INSPECTOR = "inspector", "Inspector"


class RoleAssignment(models.Model):
    """One role for one user, over one area or (area left empty) the whole force."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=20, choices=Role.choices)
    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="role_assignments")
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
        help_text="Leave empty for a force-wide role.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["user__username", "role"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="role_valid"),
            models.UniqueConstraint(
                fields=["user", "role", "area"], name="role_assignment_unique_per_area"
            ),
            models.UniqueConstraint(
                fields=["user", "role", "force"],
                condition=Q(area__isnull=True),
                name="role_assignment_unique_force_wide",
            ),
            # An auditor audits the cases of one area; they are never force-wide.
            models.CheckConstraint(
                condition=~Q(role="auditor") | Q(area__isnull=False),
                name="auditor_has_area",
            ),
        ]

    def __str__(self) -> str:
        scope = self.area.name if self.area_id else "whole force"
        return f"{self.user} – {self.get_role_display()} ({scope})"
