"""Pages for PVP reports (list, ask for one, progress, versions, preview, download) and the
actions agreed at meetings. Thin: permission helpers fetch, forms validate, services write."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit_app.pdf import pdf_download_response
from audit_app.permissions import role_required
from audit_app.reports import selectors, services
from audit_app.reports.forms import MeetingActionForm, ReportRequestForm
from audit_app.reports.models import ReportState
from audit_app.reports.rendering import render_report_html

logger = logging.getLogger(__name__)

READERS = selectors.REPORT_READERS
WRITERS = selectors.REPORT_WRITERS


def _request_form(request: HttpRequest, data=None) -> ReportRequestForm | None:
    meetings = selectors.report_choices(request.user, WRITERS)
    if not meetings:
        return None
    return ReportRequestForm(data, meetings=meetings)


@role_required(*READERS)
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reports/list.html",
        {
            "reports": list(selectors.reports_for(request.user)[:60]),
            "form": _request_form(request),
        },
    )


def _after_request(request: HttpRequest, outcome: services.ReportRequest) -> None:
    version = outcome.version
    version.refresh_from_db(fields=["state", "failure_reason"])
    if outcome.joined:
        messages.info(
            request,
            f"Version {version.number} of this report was already being compiled: "
            "your request has joined it.",
        )
    elif version.state == ReportState.FAILED:
        messages.error(request, version.failure_reason)
    elif version.state == ReportState.READY:
        messages.success(request, f"Version {version.number} of the report is ready.")
    else:
        messages.success(request, f"Version {version.number} of the report has been queued.")


@role_required(*WRITERS)
@require_POST
def report_generate(request: HttpRequest) -> HttpResponse:
    form = _request_form(request, request.POST)
    if form is None:
        raise Http404("No meeting you may ask a report for.")
    if not form.is_valid():
        return render(
            request,
            "reports/list.html",
            {"reports": list(selectors.reports_for(request.user)[:60]), "form": form},
            status=400,
        )
    force, area = selectors.resolve_choice(request.user, form.cleaned_data["meeting"], WRITERS)
    try:
        outcome = services.report_request(
            force=force, area=area, month=form.cleaned_data["month"], by=request.user
        )
    except ValidationError as error:
        form.add_error("month", error)
        return render(
            request,
            "reports/list.html",
            {"reports": list(selectors.reports_for(request.user)[:60]), "form": form},
            status=400,
        )
    _after_request(request, outcome)
    return redirect("reports:detail", report_id=outcome.version.report_id)


@role_required(*READERS)
@require_GET
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = selectors.report_for(request.user, report_id)
    versions = list(selectors.report_versions(report))
    in_flight = next((version for version in versions if version.in_flight), None)
    latest = versions[0] if versions else None
    may_generate = services.report_month_problem(report.month) is None and selectors.report_scope(
        request.user, WRITERS
    ).covers(force_id=report.force_id, area_id=report.area_id)
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "versions": versions,
            "in_flight": in_flight,
            "in_flight_lost": bool(in_flight and services.is_lost(in_flight)),
            "latest": latest,
            "may_generate": may_generate,
        },
    )


@role_required(*WRITERS)
@require_POST
def report_regenerate(request: HttpRequest, report_id: int) -> HttpResponse:
    report = selectors.report_for(request.user, report_id, WRITERS)
    try:
        outcome = services.report_request(
            force=report.force, area=report.area, month=report.month, by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reports:detail", report_id=report.pk)
    _after_request(request, outcome)
    return redirect("reports:detail", report_id=report.pk)


@role_required(*READERS)
@require_GET
def version_download(request: HttpRequest, version_id: int) -> FileResponse:
    version = selectors.version_for(request.user, version_id)
    return pdf_download_response(*services.report_pdf_open(version=version, user=request.user))


@role_required(*READERS)
@require_GET
def version_preview(request: HttpRequest, version_id: int) -> HttpResponse:
    """The report as HTML, from the same template and the same compiled content as its PDF. A
    failed version shows why it failed instead: its content may be what made it fail."""
    version = selectors.version_for(request.user, version_id)
    if version.state == ReportState.FAILED:
        return render(
            request, "reports/version_failed.html", {"version": version, "report": version.report}
        )
    if not version.content:
        raise Http404("This version has not been compiled.")
    html = render_report_html(
        version.content,
        number=version.number,
        generated_at=version.generated_at,
        for_pdf=False,
        back_url=reverse("reports:detail", args=[version.report_id]),
    )
    response = HttpResponse(html)
    response["Cache-Control"] = "private, no-store"
    return response


# --- Meeting actions ----------------------------------------------------------------------------


def _action_form(request: HttpRequest, data=None, initial=None) -> MeetingActionForm:
    meetings = selectors.report_choices(request.user, WRITERS)
    return MeetingActionForm(
        data,
        initial=initial,
        meetings=meetings,
        force_ids=selectors.forces_of(request.user),
    )


def _action_input(form: MeetingActionForm) -> services.ActionInput:
    data = form.cleaned_data
    return services.ActionInput(
        meeting_month=data["meeting_month"],
        description=data["description"],
        action_type=data["action_type"],
        owner=data["owner"],
        due_on=data["due_on"],
        state=data["state"],
        theme_ids=tuple(theme.pk for theme in data["themes"]),
        recommendation_id=data["recommendation"].pk if data["recommendation"] else None,
    )


@role_required(*READERS)
@require_GET
def action_list(request: HttpRequest) -> HttpResponse:
    actions = selectors.actions_for(request.user).order_by(
        "-meeting_month", "area__name", "due_on", "pk"
    )
    return render(
        request,
        "reports/action_list.html",
        {
            "actions": list(actions[:200]),
            "may_record": bool(selectors.report_choices(request.user, WRITERS)),
        },
    )


@role_required(*WRITERS)
@require_http_methods(["GET", "POST"])
def action_new(request: HttpRequest) -> HttpResponse:
    form = _action_form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        force, area = selectors.resolve_choice(request.user, form.cleaned_data["meeting"], WRITERS)
        try:
            services.meeting_action_create(
                force=force, area=area, data=_action_input(form), by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The action has been recorded.")
            return redirect("reports:actions")
    return render(
        request,
        "reports/action_form.html",
        {"form": form, "action": None},
        status=400 if form.errors else 200,
    )


@role_required(*WRITERS)
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, action_id: int) -> HttpResponse:
    action = selectors.action_for(request.user, action_id)
    meeting = f"area-{action.area_id}" if action.area_id else f"force-{action.force_id}"
    initial = {
        "meeting": meeting,
        "meeting_month": f"{action.meeting_month:%Y-%m}",
        "description": action.description,
        "action_type": action.action_type,
        "owner": action.owner,
        "due_on": action.due_on.strftime("%d/%m/%Y"),
        "state": action.state,
        "themes": list(action.themes.all()),
        "recommendation": action.recommendation_id,
    }
    form = _action_form(request, request.POST if request.method == "POST" else None, initial)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["meeting"] != meeting:
            form.add_error("meeting", "An action stays with the meeting that agreed it")
        else:
            try:
                services.meeting_action_update(
                    action=action, data=_action_input(form), by=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "The action has been updated.")
                return redirect("reports:actions")
    return render(
        request,
        "reports/action_form.html",
        {"form": form, "action": action},
        status=400 if form.errors else 200,
    )
