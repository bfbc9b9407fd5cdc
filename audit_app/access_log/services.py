"""Recording access: every read of a record or a list of records, every export and every change.

The middleware records from the resolved URL, so a new view is logged without anyone having to
remember to:

- every request to the API is logged, lists included, unless its view is in NOT_LOGGED (the
  schema and its documentation, which hold no records);
- a page with a record id in its URL is a consultation of that record;
- an export URL is an export with its filter, a download URL a disclosure, and anything that is not
  a GET a change.

An entry names its record by a type and an id and never holds the record's content. The type is
the label of the model the view serves (`record_type_of`): the DRF view's queryset model on the
API, the model named by the URL's id on pages, so an audit is "audit" whichever page or endpoint
read it. The id is canonical (`canonical_id`: `/api/audits/0007/` is record "7"), so a search of
the log for a record finds every read of it.
"""

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
    "rounds.SelectionSlot": "selection slot",
    "audits.Moderation": "moderation",
    "audits.FindingTheme": "finding theme",
    "audits.SafeguardingEscalation": "escalation",
    "accounts.ApiToken": "api token",
    "audit_app.User": "user",
    "reports.PvpReport": "report",
    "reports.PvpReportVersion": "report version",
    "reports.MeetingAction": "meeting action",
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
