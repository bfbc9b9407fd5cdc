"""Safeguarding escalations: seen by the area's moderators, managers and senior leaders."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audit_app.audits import selectors, services
from audit_app.audits.forms import EscalationResponseForm
from audit_app.audits.models import EscalationState
from audit_app.models import Role
from audit_app.permissions import role_required, user_scope

ESCALATION_READERS = (Role.MODERATOR, Role.AUDIT_MANAGER, Role.SENIOR_LEADER, Role.AUDITOR)


@role_required(*ESCALATION_READERS)
@require_http_methods(["GET", "POST"])
def escalation_detail(request: HttpRequest, escalation_id: int) -> HttpResponse:
    escalation = selectors.escalation_for_user(request.user, escalation_id)
    may_respond = escalation.state == EscalationState.OPEN and selectors.may_respond_to_escalation(
        request.user, escalation
    )
    form = EscalationResponseForm(request.POST or None)
    if request.method == "POST":
        if not may_respond:
            raise PermissionDenied("Only the area's moderator or audit manager can respond.")
        if form.is_valid():
            try:
                services.escalation_resolve(
                    escalation=escalation,
                    by=request.user,
                    response=form.cleaned_data["response"],
                    action_taken_on=form.cleaned_data["action_taken_on"],
                )
            except ValidationError as error:
                form.add_error(None, error.messages[0])
            else:
                messages.success(
                    request, "The response has been recorded and the escalation closed."
                )
                return redirect("escalation_detail", escalation_id=escalation.pk)
    return render(
        request,
        "audits/escalation_detail.html",
        {
            "escalation": escalation,
            "form": form,
            "may_respond": may_respond,
            "scope": user_scope(request.user),
        },
    )
