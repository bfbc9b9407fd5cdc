"""The rules of the auditor's walk, tested where they live: the services."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit_app.audits import selectors, services
from audit_app.audits.models import (
    Answer,
    AuditState,
    EscalationState,
    Grade,
    Moderation,
    ModerationDecision,
    Question,
    QuestionSet,
)
from audit_app.audits.services import AnswerInput
from audit_app.models import Role
from tests import factories
from tests.walk_helpers import allocated_audit, answer_everything, submit

pytestmark = pytest.mark.django_db


def first_section(audit):
    return selectors.audit_walk(audit).sections[0]


def test_saving_a_section_starts_the_audit_and_bumps_the_revision(reference_data):
    audit = allocated_audit()
    section = first_section(audit)
    question = section.questions[0]
    saved = services.audit_section_save(
        audit=audit,
        by=audit.auditor,
        section_code=section.section.code,
        answers={question.pk: AnswerInput("yes")},
        seen_fingerprint=services.section_fingerprint([]),
    )
    assert saved.state == AuditState.IN_PROGRESS
    assert saved.started_at is not None
    assert saved.revision == 1
    assert Answer.objects.get(audit=audit, question=question).value == "yes"


def test_only_questions_for_the_case_theme_are_walked(reference_data):
    custody = allocated_audit("CUST")
    numbers = {q.number for s in selectors.audit_walk(custody).sections for q in s.questions}
    assert {21, 22, 23} <= numbers
    assert 8 not in numbers and 13 not in numbers
    domestic = allocated_audit("DA")
    numbers = {q.number for s in selectors.audit_walk(domestic).sections for q in s.questions}
    assert 8 in numbers and not ({21, 22, 23} & numbers)
    assert "H" not in [s.section.code for s in selectors.audit_walk(domestic).sections]


def test_a_changed_section_is_not_overwritten(reference_data):
    audit = allocated_audit()
    section = first_section(audit)
    question = section.questions[0]
    opened = services.section_fingerprint([])  # both tabs opened the empty section
    services.audit_section_save(
        audit=audit,
        by=audit.auditor,
        section_code=section.section.code,
        answers={question.pk: AnswerInput("no", "First tab's reason")},
        seen_fingerprint=opened,
    )
    with pytest.raises(services.SectionConflict) as conflict:
        services.audit_section_save(
            audit=audit,
            by=audit.auditor,
            section_code=section.section.code,
            answers={question.pk: AnswerInput("yes")},
            seen_fingerprint=opened,
        )
    assert conflict.value.saved == {question.pk: ("no", "First tab's reason")}
    assert Answer.objects.get(audit=audit, question=question).value == "no"
    # Choosing "keep mine" sends the fingerprint of what is saved now.
    services.audit_section_save(
        audit=audit,
        by=audit.auditor,
        section_code=section.section.code,
        answers={question.pk: AnswerInput("yes")},
        seen_fingerprint=conflict.value.fingerprint,
    )
    assert Answer.objects.get(audit=audit, question=question).value == "yes"


def test_saving_another_section_in_another_tab_is_no_conflict(reference_data):
    audit = allocated_audit()
    walk = selectors.audit_walk(audit)
    a, b = walk.sections[0], walk.sections[1]
    empty = services.section_fingerprint([])
    for section in (a, b):
        services.audit_section_save(
            audit=audit,
            by=audit.auditor,
            section_code=section.section.code,
            answers={section.questions[0].pk: AnswerInput("yes")},
            seen_fingerprint=empty,
        )
    assert audit.answers.count() == 2


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (AnswerInput("maybe"), "is not an answer"),
        (AnswerInput("partly", "   "), "needs a comment"),
        (AnswerInput("no", "x" * 2001), "longer than 2000"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_saved(reference_data, answer, message):
    audit = allocated_audit()
    section = first_section(audit)
    good, bad = section.questions[0], section.questions[1]
    with pytest.raises(ValidationError, match=message):
        services.audit_section_save(
            audit=audit,
            by=audit.auditor,
            section_code=section.section.code,
            answers={good.pk: AnswerInput("yes"), bad.pk: answer},
            seen_fingerprint=None,
        )
    assert not audit.answers.exists()
    audit.refresh_from_db()
    assert audit.state == AuditState.NOT_STARTED and audit.revision == 0


def test_questions_of_another_section_or_set_are_refused(reference_data):
    audit = allocated_audit()
    walk = selectors.audit_walk(audit)
    other_section_question = walk.sections[1].questions[0]
    foreign = factories.QuestionFactory()
    for question in (other_section_question, foreign):
        with pytest.raises(ValidationError, match="not in this section"):
            services.audit_section_save(
                audit=audit,
                by=audit.auditor,
                section_code=walk.sections[0].section.code,
                answers={question.pk: AnswerInput("yes")},
                seen_fingerprint=None,
            )
    with pytest.raises(ValidationError, match="not part of this audit"):
        services.audit_section_save(
            audit=audit, by=audit.auditor, section_code="H", answers={}, seen_fingerprint=None
        )
    assert not audit.answers.exists()


def test_only_the_allocated_auditor_may_save(reference_data):
    audit = allocated_audit()
    other = factories.user_with_role(Role.AUDITOR, audit.round.area)
    with pytest.raises(PermissionDenied):
        services.audit_section_save(
            audit=audit,
            by=other,
            section_code="A",
            answers={},
            seen_fingerprint=None,
        )


def test_submission_needs_every_answer(reference_data):
    audit = allocated_audit()
    with pytest.raises(ValidationError, match="Answer every question"):
        submit(audit)
    audit.refresh_from_db()
    assert audit.state == AuditState.NOT_STARTED


def test_grade_against_the_suggestion_needs_a_reason(reference_data):
    audit = allocated_audit()
    answer_everything(audit, "no")  # a No on a critical question suggests inadequate
    with pytest.raises(ValidationError, match="reason"):
        submit(audit, grade=Grade.GOOD)
    submitted = submit(audit, grade=Grade.GOOD, reason="The referral was made by phone.")
    assert submitted.suggested_grade == Grade.INADEQUATE
    assert submitted.grade == Grade.GOOD


def test_submission_locks_the_audit_and_keeps_a_record(reference_data):
    audit = allocated_audit()
    answer_everything(audit)
    submitted = submit(audit)
    assert submitted.state == AuditState.SUBMITTED
    assert submitted.suggested_grade == Grade.GOOD
    record = submitted.submissions.get()
    assert record.number == 1 and record.grade == Grade.GOOD
    assert set(record.answers) == {
        q.code for s in selectors.audit_walk(submitted).sections for q in s.questions
    }
    with pytest.raises(services.AuditNotEditable):
        services.audit_section_save(
            audit=submitted,
            by=submitted.auditor,
            section_code="A",
            answers={},
            seen_fingerprint=None,
        )


def test_a_stale_submission_is_refused(reference_data):
    audit = allocated_audit()
    answer_everything(audit)
    audit.refresh_from_db()
    stale = audit.revision - 1
    with pytest.raises(services.AuditChanged):
        services.audit_submit(
            audit=audit,
            by=audit.auditor,
            grade="good",
            grade_reason="",
            good_practice="",
            areas_for_improvement="",
            seen_revision=stale,
        )
    audit.refresh_from_db()
    assert audit.state == AuditState.IN_PROGRESS


def test_a_returned_audit_can_be_edited_and_resubmitted_with_history(reference_data):
    audit = allocated_audit()
    answer_everything(audit)
    submit(audit)
    moderator = factories.user_with_role(Role.MODERATOR, audit.round.area)
    Moderation.objects.create(
        audit=audit,
        moderator=moderator,
        auditor=audit.auditor,
        decision=ModerationDecision.RETURNED,
        original_grade=Grade.GOOD,
        comments="Say which supervisory entries you relied on.",
        section_comments={"F": "Which entries?"},
    )
    type(audit).objects.filter(pk=audit.pk).update(state=AuditState.RETURNED)
    audit.refresh_from_db()
    assert selectors.latest_return(audit).section_comments == {"F": "Which entries?"}
    supervision = selectors.audit_walk(audit).section("F")
    services.audit_section_save(
        audit=audit,
        by=audit.auditor,
        section_code="F",
        answers={supervision.questions[0].pk: AnswerInput("partly", "Only one DS entry")},
        seen_fingerprint=None,
    )
    submit(audit, grade=Grade.REQUIRES_IMPROVEMENT)
    numbers = list(audit.submissions.values_list("number", "grade"))
    assert numbers == [(1, Grade.GOOD), (2, Grade.REQUIRES_IMPROVEMENT)]


def test_an_audit_keeps_its_question_set_after_a_new_version_is_published(reference_data):
    audit = allocated_audit()
    answer_everything(audit)
    version_two = factories.QuestionSetFactory(version=2)
    factories.QuestionFactory(section__question_set=version_two, number=1, text="New question")
    services.question_set_publish(question_set=version_two)
    assert services.current_question_set() == version_two
    walk = selectors.audit_walk(audit)
    assert {q.question_set_id for s in walk.sections for q in s.questions} == {
        QuestionSet.objects.get(version=1).pk
    }
    submit(audit)
    assert not Question.objects.filter(question_set=version_two, answers__audit=audit).exists()


def test_closed_round_is_read_only(reference_data):
    audit = allocated_audit()
    audit.round.state = "closed"
    audit.round.save()
    with pytest.raises(services.AuditNotEditable):
        services.audit_section_save(
            audit=audit, by=audit.auditor, section_code="A", answers={}, seen_fingerprint=None
        )


def test_escalation_goes_at_once_to_the_area_moderator_and_managers(
    reference_data, django_capture_on_commit_callbacks
):
    audit = allocated_audit()
    area = audit.round.area
    moderator = factories.user_with_role(Role.MODERATOR, area)
    area_manager = factories.user_with_role(Role.AUDIT_MANAGER, area)
    force_manager = factories.user_with_role(Role.AUDIT_MANAGER, None, force=area.force)
    factories.user_with_role(Role.MODERATOR, area.force.areas.get(code="east"))
    with django_capture_on_commit_callbacks(execute=True):
        escalation = services.escalation_raise(
            audit=audit, by=audit.auditor, concern="Suspect still at the address."
        )
    assert escalation.state == EscalationState.OPEN
    assert escalation.respond_by > timezone.now()
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted(u.email for u in (moderator, area_manager, force_manager))
    assert all("Suspect" not in message.body for message in mail.outbox)
    assert audit.state == AuditState.NOT_STARTED  # it never waits for the audit


def test_escalation_needs_a_concern_and_the_auditor(reference_data):
    audit = allocated_audit()
    with pytest.raises(ValidationError):
        services.escalation_raise(audit=audit, by=audit.auditor, concern="  ")
    with pytest.raises(PermissionDenied):
        services.escalation_raise(
            audit=audit, by=factories.UserFactory(), concern="Someone else's audit"
        )
    assert not audit.escalations.exists()


def test_resolving_an_escalation_records_what_was_done(reference_data):
    escalation = factories.SafeguardingEscalationFactory(audit=allocated_audit())
    moderator = factories.user_with_role(Role.MODERATOR, escalation.audit.round.area)
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        services.escalation_resolve(
            escalation=escalation, by=moderator, response="", action_taken_on=today
        )
    resolved = services.escalation_resolve(
        escalation=escalation,
        by=moderator,
        response="Strategy meeting held.",
        action_taken_on=today,
    )
    assert resolved.state == EscalationState.RESOLVED
    assert resolved.responded_by == moderator
    with pytest.raises(ValidationError, match="already"):
        services.escalation_resolve(
            escalation=escalation, by=moderator, response="Again", action_taken_on=today
        )
