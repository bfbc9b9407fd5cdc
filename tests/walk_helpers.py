"""Builders for tests of the auditor's walk, on question set v1 from the fixtures."""

from __future__ import annotations

from audit_app.audits import selectors, services
from audit_app.audits.models import (
    Audit,
    AuditRound,
    ModerationDecision,
    ModerationPolicy,
    QuestionSet,
)
from audit_app.models import Area, Role, User
from audit_app.models.reference import CaseTheme
from audit_app.months import current_month
from tests import factories


def allocated_audit(theme_code: str = "DA", auditor: User | None = None, **kwargs) -> Audit:
    """An audit of a case of `theme_code` in West's open round, pinned to question set v1."""
    area = Area.objects.get(code="west")
    auditor = auditor or factories.user_with_role(Role.AUDITOR, area)
    audit_round = kwargs.pop("round", None) or (
        AuditRound.objects.filter(area=area, month=current_month(), kind="monthly").first()
        or factories.AuditRoundFactory(area=area)
    )
    return factories.AuditFactory(
        round=audit_round,
        case__area=area,
        case__theme=CaseTheme.objects.get(code=theme_code),
        case__team=area.teams.first(),
        auditor=auditor,
        question_set=QuestionSet.objects.get(version=1),
        **kwargs,
    )


def answer_everything(audit: Audit, value: str = "yes") -> None:
    """Save `value` (with a comment where needed) for every applicable question."""
    walk = selectors.audit_walk(audit)
    comment = "Because the log says so." if value in ("partly", "no") else ""
    for section in walk.sections:
        services.audit_section_save(
            audit=audit,
            by=audit.auditor,
            section_code=section.section.code,
            answers={q.pk: services.AnswerInput(value, comment) for q in section.questions},
            seen_fingerprint=None,
        )


def submit(audit: Audit, grade: str = "good", reason: str = "") -> Audit:
    audit.refresh_from_db()
    return services.audit_submit(
        audit=audit,
        by=audit.auditor,
        grade=grade,
        grade_reason=reason,
        good_practice="Prompt referral.",
        areas_for_improvement="Record the child's words.",
        seen_revision=audit.revision,
    )


def agreed_audit(**kwargs) -> tuple[Audit, User]:
    """An audit of West (not moderated blind) answered, submitted and agreed by a new moderator
    of West, with that moderator; `kwargs` go to `allocated_audit`."""
    area = Area.objects.get(code="west")
    ModerationPolicy.objects.update_or_create(force=area.force, defaults={"blind_share_percent": 0})
    audit = allocated_audit(**kwargs)
    answer_everything(audit)
    submit(audit)
    moderator = factories.user_with_role(Role.MODERATOR, area)
    audit.refresh_from_db()
    services.moderation_record(
        audit=audit,
        moderator=moderator,
        decision=services.ModerationInput(decision=ModerationDecision.AGREED),
        seen_revision=audit.revision,
    )
    audit.refresh_from_db()
    return audit, moderator
