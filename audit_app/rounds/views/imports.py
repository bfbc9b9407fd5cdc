"""Importing candidate cases: upload, watch the check, read every row's outcome, confirm."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from audit_app.models import Role, User
from audit_app.permissions import areas_for, role_required
from audit_app.rounds import imports as importing
from audit_app.rounds.forms import CaseImportForm
from audit_app.rounds.models import CaseImport, CaseImportRow, CaseImportState, RowOutcome

logger = logging.getLogger(__name__)

ROWS_PER_PAGE = 100


def imports_for(user: User) -> QuerySet[CaseImport]:
    return importing.case_imports_for(user).select_related("uploaded_by")


def import_for_user(user: User, import_id: int) -> CaseImport:
    return get_object_or_404(imports_for(user), pk=import_id)


@role_required(Role.AUDIT_MANAGER)
@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    form = CaseImportForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST" and form.is_valid():
        force = areas_for(request.user, (Role.AUDIT_MANAGER,)).first().force
        try:
            with transaction.atomic():
                case_import = importing.case_import_start(
                    force=force, by=request.user, upload=form.cleaned_data["file"]
                )
        except importing.ImportFileRefused as refusal:
            form.add_error("file", refusal.messages[0])
        except PermissionDenied:
            raise
        else:
            try:
                importing.case_import_check_queue(case_import=case_import)
            except importing.QueueUnavailable as refusal:
                messages.warning(request, str(refusal))
            return redirect("import_detail", import_id=case_import.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "rounds/import_list.html",
        {
            "form": form,
            "imports": imports_for(request.user)[:50],
            "limits": importing.import_limits(),
        },
        status=status,
    )


@role_required(Role.AUDIT_MANAGER)
@require_http_methods(["GET", "POST"])
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    case_import = import_for_user(request.user, import_id)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "confirm":
                importing.case_import_confirm_and_queue(case_import=case_import, by=request.user)
            elif action == "cancel":
                importing.case_import_cancel(case_import=case_import)
                messages.success(request, "The import is cancelled; nothing was saved.")
            elif action == "retry" and case_import.state == CaseImportState.QUEUED:
                importing.case_import_check_queue(case_import=case_import)
            else:
                return HttpResponse("Unknown action.", status=400)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except importing.QueueUnavailable as refusal:
            messages.warning(request, str(refusal))
        return redirect("import_detail", import_id=case_import.pk)

    outcome = request.GET.get("outcome", "")
    rows = CaseImportRow.objects.filter(case_import=case_import).only(
        "row_number", "outcome", "reason", "reference"
    )
    if outcome in RowOutcome.values:
        rows = rows.filter(outcome=outcome)
    page = Paginator(rows.order_by("row_number"), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "rounds/import_detail.html",
        {
            "case_import": case_import,
            "page": page,
            "outcome": outcome,
            "outcomes": RowOutcome.choices,
            "refresh": case_import.is_in_flight,
        },
    )
