"""The rules the database itself enforces, because they are absolute."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit_app.audits.models import (
    Answer,
    AnswerValue,
    Audit,
    AuditState,
    EscalationState,
    Grade,
    ModerationDecision,
)
from audit_app.audits.services import question_set_publish
from tests import factories

pytestmark = pytest.mark.django_db


def refused(callable_, *args, **kwargs) -> bool:
    try:
        with transaction.atomic():
            callable_(*args, **kwargs)
    except IntegrityError:
        return True
    return False


def test_one_audit_per_case_per_round():
    audit = factories.AuditFactory()
    assert refused(
        factories.AuditFactory,
        round=audit.round,
        case=audit.case,
        question_set=audit.question_set,
    )
    assert Audit.objects.count() == 1


def test_the_same_case_may_be_audited_in_an_inspection_round_too():
    audit = factories.AuditFactory()
    inspection_round = factories.AuditRoundFactory(area=audit.round.area, kind="inspection")
    factories.AuditFactory(round=inspection_round, case=audit.case, question_set=audit.question_set)
    assert Audit.objects.filter(case=audit.case).count() == 2


def test_grade_outside_the_allowed_set_is_refused():
    audit = factories.AuditFactory()
    assert refused(Audit.objects.filter(pk=audit.pk).update, grade="outstanding")
    audit.refresh_from_db()
    assert audit.grade == ""


def test_submitted_audit_must_have_a_grade():
    audit = factories.AuditFactory()
    assert refused(
        Audit.objects.filter(pk=audit.pk).update,
        state=AuditState.SUBMITTED,
        submitted_at=timezone.now(),
    )
    Audit.objects.filter(pk=audit.pk).update(
        state=AuditState.SUBMITTED, submitted_at=timezone.now(), grade=Grade.GOOD
    )


def test_a_moderator_cannot_moderate_their_own_audit():
    audit = factories.AuditFactory(
        state=AuditState.SUBMITTED, grade=Grade.GOOD, submitted_at=timezone.now()
    )
    assert refused(
        factories.ModerationFactory, audit=audit, moderator=audit.auditor, auditor=audit.auditor
    )
    assert not audit.moderations.exists()


def test_changing_a_grade_needs_a_reason_and_a_different_grade():
    audit = factories.AuditFactory(
        state=AuditState.SUBMITTED, grade=Grade.GOOD, submitted_at=timezone.now()
    )
    changed = {"audit": audit, "decision": ModerationDecision.CHANGED}
    assert refused(factories.ModerationFactory, agreed_grade=Grade.INADEQUATE, reason="", **changed)
    assert refused(factories.ModerationFactory, agreed_grade=Grade.GOOD, reason="Why", **changed)
    moderation = factories.ModerationFactory(
        agreed_grade=Grade.INADEQUATE, reason="Child left at risk", **changed
    )
    assert moderation.original_grade == Grade.GOOD


def test_partly_or_no_answer_needs_a_comment():
    audit = factories.AuditFactory()
    question = factories.QuestionFactory(section__question_set=audit.question_set)
    assert refused(Answer.objects.create, audit=audit, question=question, value=AnswerValue.NO)
    assert refused(Answer.objects.create, audit=audit, question=question, value="maybe")
    Answer.objects.create(audit=audit, question=question, value=AnswerValue.NO, comment="Not done")


def test_resolved_escalation_needs_a_response():
    escalation = factories.SafeguardingEscalationFactory()
    assert refused(
        type(escalation).objects.filter(pk=escalation.pk).update, state=EscalationState.RESOLVED
    )


def test_auditor_role_needs_an_area():
    area = factories.AreaFactory()
    assert refused(factories.RoleAssignmentFactory, role="auditor", area=None, force=area.force)


def test_round_month_is_the_first_of_the_month():
    assert refused(factories.AuditRoundFactory, month=datetime.date(2026, 3, 2))


def test_one_monthly_round_per_area_and_month():
    audit_round = factories.AuditRoundFactory()
    assert refused(factories.AuditRoundFactory, area=audit_round.area, month=audit_round.month)


def test_a_published_question_set_cannot_change():
    question = factories.QuestionFactory()
    question_set = question_set_publish(question_set=question.question_set)
    question.text = "Edited after publication"
    with pytest.raises(ValidationError, match="cannot change"):
        question.save()
    with pytest.raises(ValidationError, match="cannot change"):
        factories.QuestionFactory(section=question.section, question_set=question_set)
    with pytest.raises(ValidationError, match="cannot change"):
        question.delete()
    question.refresh_from_db()
    assert question.text != "Edited after publication"


def test_publishing_twice_or_empty_is_refused():
    empty = factories.QuestionSetFactory()
    with pytest.raises(ValidationError, match="no questions"):
        question_set_publish(question_set=empty)
    question = factories.QuestionFactory()
    question_set_publish(question_set=question.question_set)
    with pytest.raises(ValidationError, match="already published"):
        question_set_publish(question_set=question.question_set)
