"""The staff directory's pages: the list and search, correcting one person, and importing the HR
system's export (upload, preview, confirm; the apply runs as a task, and the page refreshes itself
while it does)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audit_app.directory import selectors, services
from audit_app.directory.forms import StaffImportForm, StaffMemberForm, StaffSearchForm
from audit_app.directory.models import StaffImportState, StaffRowOutcome
from audit_app.models import Force, Role
from audit_app.permissions import role_required, user_scope

PEOPLE_PER_PAGE = 50
ROWS_PER_PAGE = 100
NOT_IN_FILE = "not_in_file"


def _force_wide_force(request: HttpRequest) -> Force:
    """The force the user is the force-wide audit manager of; 403 for an area's manager."""
    force_ids = user_scope(request.user).force_wide.get(Role.AUDIT_MANAGER)
    if not force_ids:
        raise PermissionDenied("Only the force-wide audit manager imports the staff directory.")
    return Force.objects.get(pk=min(force_ids))


@role_required(Role.AUDIT_MANAGER)
@require_http_methods(["GET"])
def directory(request: HttpRequest) -> HttpResponse:
    form = StaffSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    people = selectors.staff_search(request.user, query)
    page = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "directory/directory.html",
        {
            "form": form,
            "query": query,
            "page": page,
            "can_import": bool(user_scope(request.user).force_wide.get(Role.AUDIT_MANAGER)),
        },
    )


@role_required(Role.AUDIT_MANAGER)
@require_http_methods(["GET", "POST"])
def person(request: HttpRequest, staff_id: int) -> HttpResponse:
    staff_member = selectors.staff_member_for_user(request.user, staff_id)
    form = StaffMemberForm(
        request.POST if request.method == "POST" else None, staff_member=staff_member
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.staff_member_update(
                staff_member=staff_member,
                by=request.user,
                name=data["name"],
                rank=data["rank"],
                email=data["email"],
                team=data["team"],
                line_manager_identifier=data["line_manager"],
                is_active=data["is_active"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(request, "The person's record is saved.")
            return redirect("directory_person", staff_id=staff_member.pk)
        staff_member.refresh_from_db()
    return render(
        request,
        "directory/person.html",
        {
            "staff_member": staff_member,
            "form": form,
            "changes": selectors.staff_history(staff_member),
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.AUDIT_MANAGER)
@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    force = _force_wide_force(request)
    form = StaffImportForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST" and form.is_valid():
        try:
            staff_import = services.staff_import_check(
                force=force, by=request.user, upload=form.cleaned_data["file"]
            )
        except services.StaffFileRefused as refusal:
            form.add_error("file", refusal.messages[0])
        else:
            return redirect("directory_import_detail", staff_import_id=staff_import.pk)
    return render(
        request,
        "directory/import_list.html",
        {"form": form, "imports": selectors.staff_imports_for(request.user)[:50]},
        status=400 if form.errors else 200,
    )


@role_required(Role.AUDIT_MANAGER)
@require_http_methods(["GET", "POST"])
def import_detail(request: HttpRequest, staff_import_id: int) -> HttpResponse:
    _force_wide_force(request)  # an area's audit manager: 403, as for the list of imports
    staff_import = selectors.staff_import_for_user(request.user, staff_import_id)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "confirm":
                staff_import = services.staff_import_confirm_and_queue(
                    staff_import=staff_import, by=request.user
                )
                if staff_import.state == StaffImportState.APPLIED:  # run in-process
                    messages.success(request, "The import is applied to the staff directory.")
            elif action == "cancel":
                services.staff_import_cancel(staff_import=staff_import, by=request.user)
                messages.success(request, "The import is cancelled; nothing was changed.")
            else:
                return HttpResponse("Unknown action.", status=400)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except services.QueueUnavailable as refusal:
            messages.warning(request, str(refusal))
        return redirect("directory_import_detail", staff_import_id=staff_import.pk)

    outcome = request.GET.get("outcome", "")
    missing = selectors.not_in_file(staff_import)
    if outcome == NOT_IN_FILE:
        rows = missing
    else:
        rows = selectors.import_rows(
            staff_import, outcome if outcome in StaffRowOutcome.values else ""
        )
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "directory/import_detail.html",
        {
            "staff_import": staff_import,
            "page": page,
            "outcome": outcome,
            "outcomes": [*StaffRowOutcome.choices, (NOT_IN_FILE, "Not in this file")],
            "showing_missing": outcome == NOT_IN_FILE,
            "missing_count": len(missing),
            "changes": {} if outcome == NOT_IN_FILE else selectors.change_labels(page),
            "is_ready": staff_import.is_confirmable,
            "refresh": staff_import.state == StaffImportState.APPLYING,
        },
    )
