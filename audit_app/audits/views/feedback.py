"""Feedback to the officer in the case and their supervisor, and the printable feedback sheet."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from audit_app.audits import selectors, services
from audit_app.audits.forms import AcknowledgementForm, FeedbackForm
from audit_app.models import Role
from audit_app.pdf import render_pdf
from audit_app.permissions import role_required


@role_required(Role.MODERATOR)
@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = selectors.audit_for_moderator(request.user, audit_id)
    records = list(selectors.audit_feedback(audit))
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "draft":
                services.feedback_draft(audit=audit, by=request.user)
                messages.success(request, "Feedback has been drafted from the audit.")
                return redirect("audit_feedback", audit_id=audit.pk)
            record = _record(records, request.POST.get("feedback"))
            if action == "save":
                form = FeedbackForm(request.POST, prefix=f"f{record.pk}")
                if not form.is_valid():
                    raise ValidationError([e for errs in form.errors.values() for e in errs])
                services.feedback_update(feedback=record, **form.cleaned_data)
                messages.success(request, "The feedback has been saved.")
            elif action == "send":
                services.feedback_send(feedback=record, by=request.user)
                messages.success(request, f"The feedback has been sent to {record.recipient}.")
            elif action == "acknowledge":
                form = AcknowledgementForm(request.POST)
                if not form.is_valid():
                    raise ValidationError([e for errs in form.errors.values() for e in errs])
                services.feedback_acknowledge(
                    feedback=record, acknowledged_on=form.cleaned_data["acknowledged_on"]
                )
                messages.success(request, "The acknowledgement has been recorded.")
            else:
                raise ValidationError("Choose what to do with the feedback.")
        except ValidationError as error:
            errors = error.messages
        else:
            return redirect("audit_feedback", audit_id=audit.pk)
        records = list(selectors.audit_feedback(audit))
    forms_by_record = [
        (
            record,
            FeedbackForm(
                initial={
                    "good_practice": record.good_practice,
                    "areas_for_improvement": record.areas_for_improvement,
                },
                prefix=f"f{record.pk}",
            ),
        )
        for record in records
    ]
    return render(
        request,
        "audits/feedback.html",
        {
            "audit": selectors.hide_unseen_work(
                audit, selectors.audit_visibility(request.user, audit)
            ),
            "records": forms_by_record,
            "errors": errors,
        },
        status=400 if errors else 200,
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
    context = {
        "audit": selectors.hide_unseen_work(audit, selectors.audit_visibility(request.user, audit)),
        "records": selectors.audit_feedback(audit),
        "generated_at": timezone.now(),
    }
    if request.GET.get("format") == "pdf":
        html = render_to_string("audits/feedback_sheet.html", {**context, "for_pdf": True})
        response = HttpResponse(render_pdf(html), content_type="application/pdf")
        filename = f"feedback-{audit.case.reference}.pdf".replace("/", "-")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return render(request, "audits/feedback_sheet.html", context)
