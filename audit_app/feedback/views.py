"""Feedback to the officer in the case and their supervisor, the printable feedback sheet, and the
page where a recipient acknowledges feedback from the emailed link, without signing in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from audit_app.audits import selectors
from audit_app.directory.services import staff_email_record
from audit_app.feedback import drafting, services
from audit_app.feedback import selectors as feedback_selectors
from audit_app.feedback.forms import AcknowledgementForm, FeedbackForm
from audit_app.feedback.models import Feedback, FeedbackState
from audit_app.models import Role
from audit_app.pdf import render_pdf
from audit_app.permissions import role_required


@role_required(Role.MODERATOR)
@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = selectors.audit_for_moderator(request.user, audit_id)
    records = list(feedback_selectors.audit_feedback(audit))
    bound: dict[int, FeedbackForm] = {}
    errors: list[str] = []
    failed_form = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "draft":
            try:
                services.feedback_draft(audit=audit, by=request.user)
            except ValidationError as error:
                errors = error.messages
            else:
                messages.success(request, "Feedback has been drafted from the audit.")
                return redirect("audit_feedback", audit_id=audit.pk)
        elif action == "acknowledge":
            record = _record(records, request.POST.get("feedback"))
            form = AcknowledgementForm(request.POST)
            try:
                if not form.is_valid():
                    raise ValidationError([e for errs in form.errors.values() for e in errs])
                services.feedback_acknowledge(
                    feedback=record, acknowledged_on=form.cleaned_data["acknowledged_on"]
                )
            except ValidationError as error:
                errors = error.messages
            else:
                messages.success(request, "The acknowledgement has been recorded.")
                return redirect("audit_feedback", audit_id=audit.pk)
        else:
            record = _record(records, request.POST.get("feedback"))
            form = FeedbackForm(request.POST, prefix=f"f{record.pk}")
            done = _act(request, record, form)
            if done:
                messages.success(request, done)
                return redirect("audit_feedback", audit_id=audit.pk)
            bound[record.pk] = form
            failed_form = form
        records = list(feedback_selectors.audit_feedback(audit))
    visibility = selectors.audit_visibility(request.user, audit)
    return render(
        request,
        "feedback/feedback.html",
        {
            "audit": selectors.hide_unseen_work(audit, visibility),
            "records": [
                (record, bound.get(record.pk) or _unbound_form(record)) for record in records
            ],
            "acknowledgement": AcknowledgementForm(),
            "errors": errors,
            "failed_form": failed_form,
        },
        status=400 if errors or failed_form else 200,
    )


def _act(request: HttpRequest, record: Feedback, form: FeedbackForm) -> str | None:
    """Save the text, then do what was asked. The text is kept whatever else is refused.

    Returns the message for a done action, or None with the form's errors filled."""
    if record.state != FeedbackState.DRAFTED:
        form.add_error(None, "This feedback has already been given.")
        return None
    if not form.text_is_valid():
        return None
    services.feedback_update(
        feedback=record,
        good_practice=form.cleaned_data["good_practice"],
        areas_for_improvement=form.cleaned_data["areas_for_improvement"],
    )
    if form.errors:
        return None
    action = form.cleaned_data["action"]
    try:
        if form.cleaned_data.get("email") and not record.recipient.email:
            staff_email_record(
                staff_member=record.recipient, email=form.cleaned_data["email"], by=request.user
            )
        if action == "save":
            return "The feedback has been saved."
        if action == "send":
            services.feedback_send(feedback=record, by=request.user)
            return f"The feedback has been sent to {record.recipient}."
        services.feedback_record_given(
            feedback=record,
            method=form.cleaned_data["method"],
            given_on=form.cleaned_data["given_on"],
            by=request.user,
        )
        return "The feedback has been recorded as given."
    except ValidationError as error:
        form.add_error(None, " ".join(error.messages) + " The text has been saved.")
        return None


def _unbound_form(record: Feedback) -> FeedbackForm:
    return FeedbackForm(
        initial={
            "good_practice": record.good_practice,
            "areas_for_improvement": record.areas_for_improvement,
        },
        prefix=f"f{record.pk}",
    )


def _record(records, feedback_id):
    for record in records:
        if str(record.pk) == str(feedback_id):
            return record
    raise Http404("No such feedback on this audit.")


@role_required(Role.MODERATOR)
def feedback_sheet(request: HttpRequest, audit_id: int) -> HttpResponse:
    """The printable feedback sheet for a case: HTML, or PDF with ?format=pdf."""
    audit = selectors.audit_for_moderator(request.user, audit_id)
    visibility = selectors.audit_visibility(request.user, audit)
    walk = selectors.audit_walk(audit, with_answers=visibility.auditor_work)
    context = {
        "audit": selectors.hide_unseen_work(audit, visibility),
        "records": feedback_selectors.audit_feedback(audit),
        "short_answers": drafting.short_answers(walk),
        "agreed_grade": drafting.agreed_grade_label(audit),
        "generated_at": timezone.now(),
    }
    if request.GET.get("format") == "pdf":
        html = render_to_string("feedback/feedback_sheet.html", {**context, "for_pdf": True})
        response = HttpResponse(render_pdf(html), content_type="application/pdf")
        filename = f"feedback-{audit.case.reference}.pdf".replace("/", "-")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return render(request, "feedback/feedback_sheet.html", context)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def acknowledge(request: HttpRequest, token: str) -> HttpResponse:
    """The recipient's page: the feedback the link was sent with, and a button to confirm it was
    read. A link that is unknown, used or expired gets one answer, which says nothing more."""
    try:
        if request.method == "POST":
            record = services.feedback_acknowledge_by_link(token=token)
            return render(request, "feedback/acknowledged.html", {"record": record})
        record = services.feedback_for_link(token)
    except services.LinkNotUsable:
        return render(request, "feedback/link_not_usable.html", status=404)
    return render(
        request,
        "feedback/acknowledge.html",
        {"record": record, "agreed_grade": drafting.agreed_grade_label(record.audit)},
    )
