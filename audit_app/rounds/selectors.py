"""Reads, already scoped to what the user may see and shaped to avoid N+1 queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    Q,
    QuerySet,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone

from audit_app.audits.models import (
    Audit,
    AuditRound,
    AuditState,
    RoundKind,
    RoundState,
)
from audit_app.audits.selectors import as_seen_by, rounds_for, with_visibility
from audit_app.models import User
from audit_app.permissions import OVERSIGHT_ROLES, user_scope


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


def open_rounds_for(user: User, roles: tuple[str, ...] = OVERSIGHT_ROLES) -> QuerySet[AuditRound]:
    """The user's monthly rounds that are open now, most recent month first."""
    scope = user_scope(user)
    return (
        AuditRound.objects.filter(scope.area_filter(*roles))
        .filter(kind=RoundKind.MONTHLY, state=RoundState.OPEN)
        .order_by("-month", "area__name")
    )


def round_for_user(user: User, round_id: int) -> AuditRound:
    """The round if the user may read it; 404 otherwise, whether it exists or not."""
    return get_object_or_404(rounds_for(user).select_related("area__force"), pk=round_id)


def round_audits(audit_round: AuditRound, user: User | None = None) -> list[Audit]:
    """The round's audits for its page, with what `user` may not see of each blanked (without a
    user, what a reader who is not the auditor may not see)."""
    audits = with_visibility(
        audit_round.audits.select_related("round", "case__theme", "case__team", "auditor"),
        user,
    ).order_by("case__theme__display_order", "case__reference")
    return as_seen_by(audits, user)
