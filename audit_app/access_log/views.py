"""The audit manager's search of the access log. Read-only: nothing here changes an entry."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit_app.access_log.models import AccessAction, AccessLogEntry
from audit_app.access_log.services import RECORD_LABELS, canonical_id, search_record_type
from audit_app.models import Role
from audit_app.permissions import role_required, user_scope

PER_PAGE = 100


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


@role_required(Role.AUDIT_MANAGER)
def access_log(request: HttpRequest) -> HttpResponse:
    if not user_scope(request.user).force_wide.get(Role.AUDIT_MANAGER):
        raise PermissionDenied("Only a force-wide audit manager reads the access log.")
    query = {key: request.GET.get(key, "").strip() for key in
             ("user", "action", "record_type", "record_id", "from", "to")}  # fmt: skip
    errors = []
    entries = AccessLogEntry.objects.select_related("user")
    if query["user"]:
        entries = entries.filter(user__username__iexact=query["user"])
    if query["action"]:
        if query["action"] not in AccessAction.values:
            errors.append("Choose an action from the list")
        entries = entries.filter(action=query["action"])
    if query["record_type"]:
        entries = entries.filter(record_type__iexact=search_record_type(query["record_type"]))
    if query["record_id"]:
        # As the log holds it: "0007" finds record 7.
        entries = entries.filter(record_id=canonical_id(query["record_id"]))
    for key, lookup in (("from", "at__date__gte"), ("to", "at__date__lte")):
        if query[key]:
            day = _date(query[key])
            if day is None:
                errors.append(f"Enter the '{key}' date as YYYY-MM-DD")
            else:
                entries = entries.filter(**{lookup: day})
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "access_log/access_log.html",
        {
            "page": page,
            "query": query,
            "actions": AccessAction.choices,
            "record_types": sorted(set(RECORD_LABELS.values())),
            "errors": errors,
            "params": params.urlencode(),
        },
        status=400 if errors else 200,
    )
