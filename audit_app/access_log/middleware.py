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

import functools
import logging
from collections.abc import Callable

from django.apps import apps
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.urls import ResolverMatch

from audit_app.access_log.models import AccessAction
from audit_app.access_log.services import access_record, canonical_id, record_type_of
from audit_app.middleware import is_api_request

logger = logging.getLogger(__name__)


SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


# Views that hold no records: never logged. Every other API view is, lists included.
# The feedback acknowledgement is public: the link is the credential, and what it does is
# recorded on the feedback itself.
NOT_LOGGED = {"healthz", "login", "api-schema", "api-docs", "feedback_acknowledge"}


# Page URLs name their record by an id keyword; the last one in the URL is the record read
# (`/rounds/3/audits/7/reassign/` is audit 7). A keyword that means different models in different
# namespaces is named with its namespace.
PAGE_RECORD_KWARGS: dict[str, str] = {
    "audit_id": "audits.Audit",
    "round_id": "audits.AuditRound",
    "slot_id": "rounds.SelectionSlot",
    "import_id": "rounds.CaseImport",
    "staff_id": "audit_app.StaffMember",
    "staff_import_id": "directory.StaffImport",
    "escalation_id": "audits.SafeguardingEscalation",
    "token_id": "accounts.ApiToken",
    "user_id": "audit_app.User",
    "recommendation_id": "recommendations.Recommendation",
    "report_id": "reports.PvpReport",
    "version_id": "reports.PvpReportVersion",
    "reports:action_id": "reports.MeetingAction",
    "recommendations:action_id": "recommendations.RecommendationAction",
}


# URL keywords that are not record ids (a section of an audit, a file format...).
NOT_RECORD_KWARGS = {"section_code", "kind", "file_format", "format", "token"}
# Key messages are named by their meeting ("area-3", "force-1") and month ("2026-03").
NOT_RECORD_KWARGS |= {"meeting", "month"}


# API views that serve no queryset: the model whose records they read.
VIEW_MODELS: dict[str, str] = {
    "api-aggregates": "audits.Audit",
    "api-export": "audits.Audit",
}


@functools.cache
def _view_class_model(view_class: type) -> type[Model] | None:
    """The model a DRF view serves: its `queryset`'s, or else what `get_queryset()` answers for a
    stand-in view flagged `swagger_fake_view`, as drf-spectacular asks it when it builds the schema
    (the views answer an empty queryset of their model then)."""
    model = getattr(getattr(view_class, "queryset", None), "model", None)
    if model is not None or not hasattr(view_class, "get_queryset"):
        return model
    view = view_class()
    view.swagger_fake_view = True
    view.request, view.args, view.kwargs, view.action, view.format_kwarg = None, (), {}, None, None
    try:
        return view.get_queryset().model
    except Exception:
        logger.exception("access log: no model found for API view %s", view_class.__name__)
        return None


def api_view_model(view_name: str, view: Callable) -> type[Model] | None:
    """The model whose records an API view (a URL pattern's callback) reads."""
    if view_name in VIEW_MODELS:
        return apps.get_model(VIEW_MODELS[view_name])
    view_class = getattr(view, "cls", None)
    return _view_class_model(view_class) if view_class is not None else None


def _api_record(match: ResolverMatch) -> tuple[str, str]:
    model = api_view_model(match.view_name, match.func)
    view_class = getattr(match.func, "cls", None)
    lookup = getattr(view_class, "lookup_url_kwarg", None) or getattr(
        view_class, "lookup_field", "pk"
    )
    record_id = match.kwargs.get(lookup, "")
    return (record_type_of(model) if model is not None else ""), canonical_id(record_id)


def _page_record(match: ResolverMatch) -> tuple[str, str]:
    """The most specific record a page's URL names, or ("", "") when it names none."""
    admin = getattr(match.func, "model_admin", None)
    if admin is not None:
        object_id = match.kwargs.get("object_id", "")
        return record_type_of(admin.model), canonical_id(object_id) if object_id else ""
    for key in reversed(list(match.kwargs)):
        label = PAGE_RECORD_KWARGS.get(f"{match.namespace}:{key}") or PAGE_RECORD_KWARGS.get(key)
        if label is not None:
            return record_type_of(apps.get_model(label)), canonical_id(match.kwargs[key])
    return "", ""


def record_for(request: HttpRequest, match: ResolverMatch) -> tuple[str, str]:
    """(record type, canonical record id) of what a request reads or changes."""
    if is_api_request(request):
        return _api_record(match)
    return _page_record(match)


def classify(request: HttpRequest, view_name: str, record_id: str) -> str | None:
    """The access action for a request, or None when it touches no record."""
    if view_name in NOT_LOGGED:
        return None
    if request.method not in SAFE_METHODS:
        return AccessAction.CHANGE
    if view_name == "api-export":
        return AccessAction.EXPORT
    if "download" in view_name or request.GET.get("format") == "pdf":
        return AccessAction.DOWNLOAD
    if is_api_request(request) or record_id:
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
        record_type, record_id = record_for(request, match)
        action = classify(request, match.view_name, record_id)
        if action is None:
            return response
        detail: dict = {"view": match.view_name}
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
