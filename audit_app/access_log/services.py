"""Writing access-log entries, and the one label and canonical id every entry names its record
by (the middleware, audit_app/access_log/middleware.py, says what is logged and when)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.apps import apps
from django.db.models import Model
from django.http import HttpRequest

from audit_app.access_log.models import AccessLogEntry
from audit_app.models import User

logger = logging.getLogger(__name__)


# One label per model, for pages and the API alike. The log is searched by these labels, so an
# existing label never changes; a model not named here is logged under its verbose name.
RECORD_LABELS: dict[str, str] = {
    "audits.Audit": "audit",
    "audits.AuditRound": "round",
    "audits.Case": "case",
    "rounds.CaseImport": "case import",
    "audit_app.StaffMember": "staff member",
    "directory.StaffImport": "staff import",
    "rounds.SelectionSlot": "selection slot",
    "audits.Moderation": "moderation",
    "audits.FindingTheme": "finding theme",
    "audits.SafeguardingEscalation": "escalation",
    "accounts.ApiToken": "api token",
    "audit_app.User": "user",
    "reports.PvpReport": "report",
    "reports.PvpReportVersion": "report version",
    "reports.MeetingAction": "meeting action",
    "reports.KeyMessages": "key messages",
    "recommendations.Inspection": "inspection",
    "recommendations.Recommendation": "recommendation",
    "recommendations.RecommendationAction": "recommendation action",
    "recommendations.ProgressAssessment": "assessment",
}


def record_type_of(model: type[Model]) -> str:
    """The one label a model's records are logged under."""
    return RECORD_LABELS.get(model._meta.label, str(model._meta.verbose_name))[:40]


def canonical_id(value: object) -> str:
    """A record id as the log holds it: a number without leading zeros, anything else as given.
    (Stripping the zeros rather than calling int() keeps a 5,000-digit id from raising.)"""
    text = str(value)
    if text.isascii() and text.isdigit():
        text = text.lstrip("0") or "0"
    return text[:40]


def search_record_type(text: str) -> str:
    """The label a search for `text` means: a label as it is, or a model's verbose name
    ("audit round") as that model's label ("round")."""
    wanted = " ".join(text.split()).lower()
    if wanted in RECORD_LABELS.values():
        return wanted
    for label, record_type in RECORD_LABELS.items():
        if str(apps.get_model(label)._meta.verbose_name).lower() == wanted:
            return record_type
    return wanted


def access_record(
    *,
    user: User | None,
    action: str,
    record_type: str = "",
    record_id: object = "",
    request: HttpRequest | None = None,
    status: int | None = None,
    detail: Mapping | None = None,
) -> AccessLogEntry:
    return AccessLogEntry.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        record_type=record_type[:40],
        record_id=canonical_id(record_id) if record_id not in ("", None) else "",
        method=request.method if request is not None else "",
        path=request.path[:300] if request is not None else "",
        status=status,
        detail=dict(detail or {}),
    )
