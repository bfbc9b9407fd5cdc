"""Reads, already scoped to what the user may see and shaped to avoid N+1 queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from audit_app.models import (
    Audit,
    AuditRound,
    AuditState,
    EscalationState,
    Question,
    Role,
    RoleAssignment,
    RoundKind,
    RoundState,
    SafeguardingEscalation,
    User,
)
from audit_app.permissions import ROUND_READERS, rounds_for, user_scope


def current_month(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    return today.replace(day=1)


def auditor_audits(user: User) -> QuerySet[Audit]:
    """Every audit allocated to this auditor, newest round first, with what the task list shows."""
    return (
        Audit.objects.filter(auditor=user)
        .select_related("case__theme", "case__team", "round__area")
        .order_by("-round__month", "round__due_date", "case__reference")
    )


def auditor_current_audits(user: User) -> QuerySet[Audit]:
    """The auditor's audits in rounds that are open now."""
    return auditor_audits(user).filter(round__state=RoundState.OPEN)


def audits_awaiting_moderation(user: User) -> QuerySet[Audit]:
    """Submitted audits in the moderator's areas, oldest submission first, never their own."""
    scope = user_scope(user)
    return (
        Audit.objects.filter(scope.area_filter(Role.MODERATOR, area_field="round__area"))
        .filter(state=AuditState.SUBMITTED)
        .exclude(auditor=user)
        .select_related("case__theme", "case__team", "round__area", "auditor")
        .order_by("submitted_at")
    )


def open_escalations(user: User) -> QuerySet[SafeguardingEscalation]:
    """Open safeguarding escalations the user must see: moderators, managers and senior leaders."""
    scope = user_scope(user)
    return (
        SafeguardingEscalation.objects.filter(state=EscalationState.OPEN)
        .filter(
            scope.area_filter(
                Role.MODERATOR,
                Role.AUDIT_MANAGER,
                Role.SENIOR_LEADER,
                area_field="audit__round__area",
            )
        )
        .select_related("audit__case", "audit__round__area")
        .order_by("respond_by")
    )


@dataclass(frozen=True)
class RoundProgress:
    round: AuditRound
    total: int
    not_started: int
    in_progress: int
    submitted: int
    returned: int
    moderated: int
    overdue: int

    @property
    def finished(self) -> int:
        return self.moderated


def round_progress(
    rounds: QuerySet[AuditRound], today: datetime.date | None = None
) -> list[RoundProgress]:
    """Audit counts by state for each round, counted in the database in one query."""
    today = today or timezone.localdate()
    unfinished = ~Q(audits__state__in=[AuditState.SUBMITTED, AuditState.MODERATED])
    annotated = rounds.select_related("area").annotate(
        total=Count("audits"),
        not_started=Count("audits", filter=Q(audits__state=AuditState.NOT_STARTED)),
        in_progress=Count("audits", filter=Q(audits__state=AuditState.IN_PROGRESS)),
        submitted=Count("audits", filter=Q(audits__state=AuditState.SUBMITTED)),
        returned=Count("audits", filter=Q(audits__state=AuditState.RETURNED)),
        moderated=Count("audits", filter=Q(audits__state=AuditState.MODERATED)),
        overdue=Count("audits", filter=unfinished & Q(due_date__lt=today)),
    )
    return [
        RoundProgress(
            round=r,
            total=r.total,
            not_started=r.not_started,
            in_progress=r.in_progress,
            submitted=r.submitted,
            returned=r.returned,
            moderated=r.moderated,
            overdue=r.overdue,
        )
        for r in annotated
    ]


def open_rounds_for(user: User, roles: tuple[str, ...] = ROUND_READERS) -> QuerySet[AuditRound]:
    """The user's monthly rounds that are open now, most recent month first."""
    scope = user_scope(user)
    return (
        AuditRound.objects.filter(scope.area_filter(*roles))
        .filter(kind=RoundKind.MONTHLY, state=RoundState.OPEN)
        .order_by("-month", "area__name")
    )


def role_descriptions(user: User) -> list[str]:
    """'Moderator (West)', 'Inspector (whole force)': what the user is signed in as."""
    assignments = RoleAssignment.objects.filter(user=user).select_related("area")
    return [
        f"{a.get_role_display()} ({a.area.name if a.area_id else 'whole force'})"
        for a in assignments
    ]


def round_for_user(user: User, round_id: int) -> AuditRound:
    """The round if the user may read it; 404 otherwise, whether it exists or not."""
    return get_object_or_404(rounds_for(user).select_related("area__force"), pk=round_id)


def round_audits(audit_round: AuditRound) -> QuerySet[Audit]:
    return audit_round.audits.select_related("case__theme", "case__team", "auditor").order_by(
        "case__theme__display_order", "case__reference"
    )


def questions_for_theme(question_set_id: int, theme_id: int) -> QuerySet:
    """The questions of a set that apply to a case theme: those for every theme, and its own."""
    return (
        Question.objects.filter(question_set_id=question_set_id)
        .filter(Q(applies_to_themes__isnull=True) | Q(applies_to_themes=theme_id))
        .select_related("section")
        .distinct()
        .order_by("number")
    )
