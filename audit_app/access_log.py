"""Recording access: every request for a particular record, list or export, and every change.

The middleware records from the resolved URL, so a new view is logged without anyone having to
remember to: a URL with a record id is a consultation of that record; an export URL is an export
with its filter; a download URL is a disclosure; anything that is not a GET is a change. Entries
name the record by type and id and never hold its content.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.http import HttpRequest, HttpResponse

from audit_app.models import AccessAction, AccessLogEntry, User

logger = logging.getLogger(__name__)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Lists of records under /api/ are consultation too (an analyst reading many audits at once).
LOGGED_LISTS = {
    "api-audit-result-list",
    "api-case-list",
    "api-moderation-record-list",
    "api-audit-list",
    "api-moderation-list",
}
RECORD_KWARGS = {
    "audit_id": "audit",
    "round_id": "round",
    "slot_id": "selection slot",
    "import_id": "case import",
    "escalation_id": "escalation",
    "token_id": "api token",
    "recommendation_id": "recommendation",
    "report_id": "report",
}
NOT_LOGGED = {"healthz", "login", "api-schema", "api-docs"}


def access_record(
    *,
    user: User | None,
    action: str,
    record_type: str = "",
    record_id: str = "",
    request: HttpRequest | None = None,
    status: int | None = None,
    detail: Mapping | None = None,
) -> AccessLogEntry:
    return AccessLogEntry.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        record_type=record_type[:40],
        record_id=str(record_id)[:40],
        method=request.method if request is not None else "",
        path=request.path[:300] if request is not None else "",
        status=status,
        detail=dict(detail or {}),
    )


def _record(url_name: str, kwargs: Mapping[str, str]) -> tuple[str, str]:
    """The most specific record the URL names: (type, id)."""
    for key in reversed(list(kwargs)):
        if key in RECORD_KWARGS:
            return RECORD_KWARGS[key], kwargs[key]
        if key in ("pk", "id"):
            kind = url_name.removeprefix("api-").removesuffix("-detail")
            for suffix in ("-download", "-answers", "-submit", "-decision", "-blind-grade"):
                kind = kind.removesuffix(suffix)
            return kind.replace("-", " ")[:40], kwargs[key]
    return url_name.removeprefix("api-").replace("-", " ")[:40], ""


def classify(request: HttpRequest, url_name: str, kwargs: Mapping[str, str]) -> str | None:
    """The access action for a request, or None when it touches no record."""
    if url_name in NOT_LOGGED:
        return None
    if request.method not in SAFE_METHODS:
        return AccessAction.CHANGE
    if url_name == "api-export":
        return AccessAction.EXPORT
    if "download" in url_name or request.GET.get("format") == "pdf":
        return AccessAction.DOWNLOAD
    if kwargs or url_name in LOGGED_LISTS:
        return AccessAction.VIEW
    return None


class AccessLogMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        if user is None or not user.is_authenticated or match is None:
            return response
        url_name = match.url_name or ""
        action = classify(request, url_name, match.kwargs)
        if action is None:
            return response
        record_type, record_id = _record(url_name, match.kwargs)
        detail: dict = {"view": url_name}
        if action in (AccessAction.EXPORT, AccessAction.VIEW) and request.GET:
            detail["filter"] = {key: request.GET.getlist(key) for key in request.GET}
        access_record(
            user=user,
            action=action,
            record_type=record_type,
            record_id=record_id,
            request=request,
            status=response.status_code,
            detail=detail,
        )
        return response
