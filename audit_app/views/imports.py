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
from kombu.exceptions import OperationalError as BrokerUnavailable

from audit_app import case_import as importing
from audit_app.forms import CaseImportForm
from audit_app.models import CaseImport, CaseImportRow, CaseImportState, Role, RowOutcome, User
from audit_app.permissions import areas_for, role_required
from audit_app.queueing import task_named

logger = logging.getLogger(__name__)

ROWS_PER_PAGE = 100


def imports_for(user: User) -> QuerySet[CaseImport]:
    return importing.case_imports_for(user).select_related("uploaded_by")


def import_for_user(user: User, import_id: int) -> CaseImport:
    return get_object_or_404(imports_for(user), pk=import_id)


def queue(task, case_import_id: int) -> bool:
    """Queue a task for a saved import; False when the broker cannot be reached."""
    try:
        task.delay(case_import_id)
    except BrokerUnavailable:
        logger.exception("queue unavailable for case import %s", case_import_id)
        return False
    return True


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
            if not queue(task_named("rounds.check_case_import"), case_import.pk):
                messages.warning(
                    request,
                    "The file is saved but the background queue is unavailable, so it is not "
                    "checked yet. Try again in a few minutes.",
                )
            return redirect("import_detail", import_id=case_import.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "imports/import_list.html",
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
                before = importing.confirmation_fields(case_import)
                importing.case_import_confirm(case_import=case_import, by=request.user)
                if not queue(task_named("rounds.save_case_import"), case_import.pk):
                    importing.case_import_unconfirm(case_import_id=case_import.pk, before=before)
                    messages.warning(
                        request,
                        "The background queue is unavailable, so nothing was saved. The import "
                        "is still ready: confirm it again in a few minutes.",
                    )
            elif action == "cancel":
                importing.case_import_cancel(case_import=case_import)
                messages.success(request, "The import is cancelled; nothing was saved.")
            elif action == "retry" and case_import.state == CaseImportState.QUEUED:
                queue(task_named("rounds.check_case_import"), case_import.pk)
            else:
                return HttpResponse("Unknown action.", status=400)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
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
        "imports/import_detail.html",
        {
            "case_import": case_import,
            "page": page,
            "outcome": outcome,
            "outcomes": RowOutcome.choices,
            "refresh": case_import.is_in_flight,
        },
    )
