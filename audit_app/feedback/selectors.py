"""Reads for feedback: an audit's feedback, the feedback still owed in a user's areas, and each
audit's feedback status as the PVP report shows it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, When

from audit_app.audits.models import Audit, AuditState
from audit_app.feedback.models import Feedback, FeedbackMethod, FeedbackRole, FeedbackState
from audit_app.models import Role, User
from audit_app.permissions import user_scope

# Who sees feedback still owed on their home page.
OWED_TO_ROLES = (Role.MODERATOR, Role.AUDIT_MANAGER)

STATUS_OWED = "owed"
STATUS_NO_RECIPIENT = "no_recipient"


def audit_feedback(audit: Audit) -> QuerySet[Feedback]:
    return audit.feedback.select_related("recipient").order_by("recipient_role")


def feedback_owed(user: User) -> QuerySet[Audit]:
    """Moderated audits in the user's areas with an officer or supervisor not yet given feedback
    (none drafted, or drafted and not sent or given), oldest moderation first. Two queries
    whatever the number (count and page)."""
    given = Q(feedback__state__in=[s for s in FeedbackState.values if s != FeedbackState.DRAFTED])
    # As drafting decides: the officer in the case, and the supervisor the case names or, failing
    # that, the officer's line manager in the directory.
    has_supervisor = Q(case__supervisor__isnull=False) | Q(
        case__officer_in_case__line_manager__isnull=False
    )
    recipients = Case(
        When(case__officer_in_case__isnull=False, then=1), default=0, output_field=IntegerField()
    ) + Case(When(has_supervisor, then=1), default=0, output_field=IntegerField())
    return (
        Audit.objects.filter(
            user_scope(user).area_filter(*OWED_TO_ROLES, area_field="round__area"),
            state=AuditState.MODERATED,
        )
        .annotate(recipients=recipients, given=Count("feedback", filter=given))
        .filter(recipients__gt=0, given__lt=recipients)
        .annotate(still_owed=F("recipients") - F("given"))
        .select_related("case__theme", "case__team", "round__area")
        .order_by("moderated_at", "pk")
    )


@dataclass(frozen=True)
class FeedbackStatus:
    """One recipient's feedback as the report shows it."""

    code: str
    label: str


def _status(feedback: Feedback | None, has_recipient: bool) -> FeedbackStatus:
    if feedback is None or feedback.state == FeedbackState.DRAFTED:
        if not has_recipient and feedback is None:
            return FeedbackStatus(STATUS_NO_RECIPIENT, "no one recorded")
        return FeedbackStatus(STATUS_OWED, "owed")
    if feedback.state == FeedbackState.GIVEN:
        method = "in person" if feedback.method == FeedbackMethod.IN_PERSON else "by phone"
        return FeedbackStatus(feedback.state, f"given {method}")
    return FeedbackStatus(feedback.state, feedback.get_state_display().lower())


def feedback_status_by_audit(
    recipients: dict[int, tuple[int | None, int | None]],
) -> dict[int, dict[str, FeedbackStatus]]:
    """For each audit id, given its case's (officer, supervisor) staff ids: the officer's and
    the supervisor's feedback status. One query."""
    audit_ids = list(recipients)
    records = {
        (record.audit_id, record.recipient_role): record
        for record in Feedback.objects.filter(audit_id__in=audit_ids).only(
            "audit_id", "recipient_role", "state", "method"
        )
    }
    return {
        audit_id: {
            FeedbackRole.OFFICER.value: _status(
                records.get((audit_id, FeedbackRole.OFFICER)), bool(recipients[audit_id][0])
            ),
            FeedbackRole.SUPERVISOR.value: _status(
                records.get((audit_id, FeedbackRole.SUPERVISOR)), bool(recipients[audit_id][1])
            ),
        }
        for audit_id in audit_ids
    }
