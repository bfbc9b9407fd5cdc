"""The kernel's models: the force's organisation and its reference data. Each domain app holds
its own models (audit_app/audits, audit_app/rounds, ...)."""

from audit_app.models.organisation import (
    Area,
    Force,
    Role,
    RoleAssignment,
    StaffIdentifierKind,
    StaffMember,
    Team,
    TeamType,
    User,
)
from audit_app.models.reference import CaseTheme

__all__ = [
    "Area",
    "CaseTheme",
    "Force",
    "Role",
    "RoleAssignment",
    "StaffIdentifierKind",
    "StaffMember",
    "Team",
    "TeamType",
    "User",
]
