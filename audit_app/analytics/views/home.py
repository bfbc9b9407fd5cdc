from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from audit_app.audits import selectors as audit_selectors
from audit_app.feedback import selectors as feedback_selectors
from audit_app.models import Role
from audit_app.permissions import role_descriptions, user_scope
from audit_app.reports.selectors import reports_for
from audit_app.rounds import selectors as round_selectors
from recommendations.selectors import recommendations_overview


def home(request: HttpRequest) -> HttpResponse:
    """What each of the user's roles does next, one panel per role."""
    user = request.user
    scope = user_scope(user)
    context: dict = {
        "scope": scope,
        "roles": sorted(scope.roles),
        "now": timezone.now(),
        "signed_in_as": role_descriptions(user),
    }
    if scope.has_role(Role.AUDITOR):
        context["my_audits"] = list(audit_selectors.auditor_current_audits(user))
        context["my_next_audits"] = list(audit_selectors.auditor_next_audits(user))
    if scope.has_role(Role.MODERATOR):
        awaiting = audit_selectors.audits_awaiting_moderation(user)
        context["awaiting_moderation"] = list(awaiting[:10])
        context["awaiting_moderation_count"] = awaiting.count()
    if scope.has_role(*feedback_selectors.OWED_TO_ROLES):
        owed = feedback_selectors.feedback_owed(user)
        context["feedback_owed"] = list(owed[:10])
        context["feedback_owed_count"] = owed.count()
    if scope.has_role(Role.MODERATOR, Role.AUDIT_MANAGER, Role.SENIOR_LEADER):
        context["open_escalations"] = list(audit_selectors.open_escalations(user))
    if scope.has_role(Role.AUDIT_MANAGER, Role.SENIOR_LEADER, Role.INSPECTOR):
        context["round_progress"] = round_selectors.round_progress(
            round_selectors.open_rounds_for(user)
        )
    if scope.has_role(Role.SENIOR_LEADER):
        context["latest_reports"] = list(reports_for(user)[:5])
    if scope.has_role(Role.INSPECTOR, Role.SENIOR_LEADER):
        context["recommendations"] = list(recommendations_overview(request.user)[:10])
    return render(request, "analytics/home.html", context)
