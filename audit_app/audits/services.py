"""Writes: each function validates, enforces the rules, writes in a transaction and queues work
after the commit."""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from audit_app.audits import selectors
from audit_app.audits.models import (
    ANSWERS_NEEDING_COMMENT,
    COMMENT_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    Answer,
    Audit,
    AuditEvent,
    AuditEventKind,
    AuditState,
    AuditSubmission,
    BlindGrade,
    EscalationState,
    FindingTheme,
    Grade,
    Moderation,
    ModerationDecision,
    ModerationPolicy,
    Question,
    QuestionSet,
    QuestionSetState,
    SafeguardingEscalation,
)
from audit_app.models import User
from audit_app.notifications.services import notification_queue

logger = logging.getLogger(__name__)


DEFAULT_BLIND_SHARE_PERCENT = 20


def question_set_publish(*, question_set: QuestionSet) -> QuestionSet:
    """Publish a draft question set; from then on it never changes."""
    if question_set.state != QuestionSetState.DRAFT:
        raise ValidationError(
            f"{question_set} is already {question_set.get_state_display().lower()}."
        )
    if not question_set.questions.exists():
        raise ValidationError(f"{question_set} has no questions to publish.")
    question_set.state = QuestionSetState.PUBLISHED
    question_set.published_at = timezone.now()
    question_set.save(update_fields=["state", "published_at"])
    return question_set


def current_question_set() -> QuestionSet:
    """The newest published question set: new audits pin to it."""
    question_set = (
        QuestionSet.objects.filter(state=QuestionSetState.PUBLISHED).order_by("-version").first()
    )
    if question_set is None:
        raise ValidationError("No question set is published yet.")
    return question_set


class AuditNotEditable(ValidationError):
    """The audit is submitted, moderated or in a closed round: the auditor cannot change it."""


class SectionConflict(Exception):
    """The section changed (in another tab or device) since the auditor opened it."""

    def __init__(self, saved: dict[int, tuple[str, str]], fingerprint: str) -> None:
        super().__init__("This section was changed since you opened it.")
        self.saved = saved
        self.fingerprint = fingerprint


class AuditChanged(ValidationError):
    """The audit changed since the page was opened (a submission or decision on stale data)."""


@dataclass(frozen=True)
class AnswerInput:
    value: str
    comment: str = ""


def section_fingerprint(answers: Iterable[Answer]) -> str:
    """A short digest of a section's saved answers, to tell whether it changed since it was read."""
    material = sorted((a.question_id, a.value, a.comment) for a in answers)
    return hashlib.sha256(json.dumps(material).encode()).hexdigest()[:16]


def _refuse_unless_editable(audit: Audit, by: User) -> None:
    if audit.auditor_id != by.pk:
        raise PermissionDenied("Only the allocated auditor can change this audit.")
    if not selectors.audit_is_editable(audit):
        raise AuditNotEditable(
            f"This audit is {audit.get_state_display().lower()} and cannot be changed."
        )


def _validate_answer(question: Question, given: AnswerInput) -> None:
    if given.value not in question.answer_options:
        raise ValidationError(f"{given.value!r} is not an answer to question {question.number}.")
    if given.value in ANSWERS_NEEDING_COMMENT and not given.comment.strip():
        raise ValidationError(f"Question {question.number} needs a comment for that answer.")
    if len(given.comment) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            f"The comment on question {question.number} is longer than "
            f"{COMMENT_MAX_LENGTH} characters."
        )


@transaction.atomic
def audit_section_save(
    *,
    audit: Audit,
    by: User,
    section_code: str,
    answers: dict[int, AnswerInput],
    seen_fingerprint: str | None,
) -> Audit:
    """Save the answers given for one section of the walk.

    Questions left unanswered keep what was saved before. When the section changed since the
    auditor read it (`seen_fingerprint` differs), nothing is written and `SectionConflict` says
    what is saved now, so the auditor can choose.
    """
    audit = Audit.objects.select_for_update().select_related("round", "case").get(pk=audit.pk)
    _refuse_unless_editable(audit, by)
    walk = selectors.audit_walk(audit)
    section = walk.section(section_code)
    if section is None:
        raise ValidationError(f"Section {section_code} is not part of this audit.")
    questions = {question.pk: question for question in section.questions}
    unknown = set(answers) - set(questions)
    if unknown:
        raise ValidationError("Answers were sent for questions that are not in this section.")
    for question_id, given in answers.items():
        _validate_answer(questions[question_id], given)

    current = section_fingerprint(section.answers.values())
    if seen_fingerprint is not None and seen_fingerprint != current:
        saved = {qid: (a.value, a.comment) for qid, a in section.answers.items()}
        raise SectionConflict(saved=saved, fingerprint=current)

    for question_id, given in answers.items():
        Answer.objects.update_or_create(
            audit=audit,
            question_id=question_id,
            defaults={"value": given.value, "comment": given.comment.strip()},
        )
    now = timezone.now()
    if audit.state == AuditState.NOT_STARTED:
        audit.state = AuditState.IN_PROGRESS
        audit.started_at = now
        _record_event(audit, by, AuditEventKind.STARTED, AuditState.NOT_STARTED)
    audit.revision = F("revision") + 1
    audit.save(update_fields=["state", "started_at", "revision", "updated_at"])
    audit.refresh_from_db(fields=["revision"])
    logger.info("audit %s: section %s saved by user %s", audit.pk, section_code, by.pk)
    return audit


def _record_event(
    audit: Audit, actor: User, kind: str, from_state: str, *, grade: str = "", note: str = ""
) -> AuditEvent:
    return AuditEvent.objects.create(
        audit=audit,
        actor=actor,
        kind=kind,
        from_state=from_state,
        to_state=audit.state,
        grade=grade,
        note=note[:300],
    )


def _chosen_for_blind_moderation(audit: Audit) -> bool:
    """At random, at the share the force's moderation policy sets."""
    policy = ModerationPolicy.objects.filter(force_id=audit.round.area.force_id).first()
    share = policy.blind_share_percent if policy else DEFAULT_BLIND_SHARE_PERCENT
    return secrets.randbelow(100) < share


def audit_suggested_grade(walk: selectors.AuditWalk) -> Grade:
    return selectors.walk_grading(walk).suggested


@transaction.atomic
def audit_submit(
    *,
    audit: Audit,
    by: User,
    grade: str,
    grade_reason: str,
    good_practice: str,
    areas_for_improvement: str,
    seen_revision: int,
) -> Audit:
    """Grade and submit a complete audit; it is locked until a moderator returns it."""
    audit = (
        Audit.objects.select_for_update()
        .select_related("round__area", "case", "question_set")
        .get(pk=audit.pk)
    )
    _refuse_unless_editable(audit, by)
    if audit.revision != seen_revision:
        raise AuditChanged(
            "This audit changed since you opened the page. Check the answers again, then submit."
        )
    if grade not in Grade.values:
        raise ValidationError(f"{grade!r} is not a grade.")
    walk = selectors.audit_walk(audit)
    if not walk.is_complete:
        raise ValidationError("Answer every question before submitting the audit.")
    suggested = audit_suggested_grade(walk)
    if grade != suggested and not grade_reason.strip():
        raise ValidationError("Give a reason for a grade that differs from the suggested grade.")
    for text in (grade_reason, good_practice, areas_for_improvement):
        if len(text) > NOTE_MAX_LENGTH:
            raise ValidationError(f"Notes are limited to {NOTE_MAX_LENGTH} characters.")

    now = timezone.now()
    from_state = audit.state
    audit.is_blind = _chosen_for_blind_moderation(audit)
    audit.grade = grade
    audit.suggested_grade = suggested
    audit.grade_reason = grade_reason.strip()
    audit.good_practice = good_practice.strip()
    audit.areas_for_improvement = areas_for_improvement.strip()
    audit.state = AuditState.SUBMITTED
    audit.submitted_at = now
    audit.moderated_grade = ""
    audit.revision = F("revision") + 1
    audit.save()
    audit.refresh_from_db(fields=["revision"])
    AuditSubmission.objects.create(
        audit=audit,
        number=audit.submissions.count() + 1,
        submitted_by=by,
        submitted_at=now,
        grade=grade,
        suggested_grade=suggested,
        grade_reason=audit.grade_reason,
        good_practice=audit.good_practice,
        areas_for_improvement=audit.areas_for_improvement,
        answers={
            question.code: {"value": answer.value, "comment": answer.comment}
            for section in walk.sections
            for question in section.questions
            if (answer := section.answers.get(question.pk))
        },
    )
    _record_event(audit, by, AuditEventKind.SUBMITTED, from_state, grade=grade)
    logger.info("audit %s submitted by user %s", audit.pk, by.pk)
    return audit


@transaction.atomic
def escalation_raise(*, audit: Audit, by: User, concern: str) -> SafeguardingEscalation:
    """Raise at once that a child may still be at risk; the area's moderators and audit managers
    are told straight away. Never waits for the audit to be submitted."""
    if audit.auditor_id != by.pk:
        raise PermissionDenied("Only the allocated auditor can raise a concern from this audit.")
    concern = concern.strip()
    if not concern:
        raise ValidationError("Describe why the child may still be at risk.")
    if len(concern) > NOTE_MAX_LENGTH:
        raise ValidationError(f"The concern is limited to {NOTE_MAX_LENGTH} characters.")
    escalation = SafeguardingEscalation.objects.create(
        audit=audit,
        raised_by=by,
        concern=concern,
        respond_by=timezone.now() + timedelta(hours=settings.ESCALATION_RESPONSE_HOURS),
    )
    reference = audit.case.reference
    respond_by = timezone.localtime(escalation.respond_by)
    for recipient in selectors.escalation_recipients(audit.round.area_id):
        notification_queue(
            recipient=recipient,
            subject=f"Safeguarding escalation: case {reference}",
            body=(
                f"An auditor has raised that a child in case {reference} may still be at risk. "
                f"Record what was done by {respond_by:%d %B %Y %H:%M}."
            ),
            link=reverse("escalation_detail", args=[escalation.pk]),
        )
    logger.info("escalation %s raised on audit %s by user %s", escalation.pk, audit.pk, by.pk)
    return escalation


@transaction.atomic
def escalation_resolve(
    *,
    escalation: SafeguardingEscalation,
    by: User,
    response: str,
    action_taken_on: datetime.date,
) -> SafeguardingEscalation:
    """Record what was done about an escalation, and when; it then closes."""
    escalation = SafeguardingEscalation.objects.select_for_update().get(pk=escalation.pk)
    if escalation.state != EscalationState.OPEN:
        raise ValidationError("This escalation has already been resolved.")
    response = response.strip()
    if not response:
        raise ValidationError("Record what was done to keep the child safe.")
    if action_taken_on > timezone.localdate():
        raise ValidationError("The date action was taken cannot be in the future.")
    escalation.state = EscalationState.RESOLVED
    escalation.response = response
    escalation.action_taken_on = action_taken_on
    escalation.responded_by = by
    escalation.responded_at = timezone.now()
    escalation.save()
    logger.info("escalation %s resolved by user %s", escalation.pk, by.pk)
    return escalation


def _refuse_unless_moderatable(audit: Audit, moderator: User) -> None:
    if audit.auditor_id == moderator.pk:
        raise PermissionDenied("You cannot moderate an audit you wrote.")
    if audit.state != AuditState.SUBMITTED:
        raise ValidationError(
            f"This audit is {audit.get_state_display().lower()}, not waiting for moderation."
        )


def _submission_number(audit: Audit) -> int:
    return audit.submissions.count()


@transaction.atomic
def blind_grade_record(
    *, audit: Audit, moderator: User, grade: str, reason: str = ""
) -> BlindGrade:
    """The moderator's own grade of a blind audit, before the auditor's grade is revealed."""
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    _refuse_unless_moderatable(audit, moderator)
    if not audit.is_blind:
        raise ValidationError("This audit is not moderated blind.")
    if grade not in Grade.values:
        raise ValidationError(f"{grade!r} is not a grade.")
    blind, created = BlindGrade.objects.get_or_create(
        audit=audit,
        submission_number=_submission_number(audit),
        defaults={"moderator": moderator, "grade": grade, "reason": reason.strip()},
    )
    if not created:
        raise ValidationError("A blind grade has already been recorded for this submission.")
    _record_event(audit, moderator, AuditEventKind.BLIND_GRADED, audit.state, grade=grade)
    return blind


def current_blind_grade(audit: Audit) -> BlindGrade | None:
    return BlindGrade.objects.filter(
        audit=audit, submission_number=_submission_number(audit)
    ).first()


@dataclass(frozen=True)
class ModerationInput:
    decision: str
    agreed_grade: str = ""
    reason: str = ""
    comments: str = ""
    section_comments: dict[str, str] = field(default_factory=dict)
    theme_ids: tuple[int, ...] = ()
    new_theme_names: tuple[str, ...] = ()
    publicise_good_practice: bool = False


@transaction.atomic
def moderation_record(
    *, audit: Audit, moderator: User, decision: ModerationInput, seen_revision: int
) -> Moderation:
    """Agree the grade, change it (the original stays on record) or return the audit."""
    audit = (
        Audit.objects.select_for_update()
        .select_related("round__area", "case", "question_set", "auditor")
        .get(pk=audit.pk)
    )
    _refuse_unless_moderatable(audit, moderator)
    if audit.revision != seen_revision:
        raise AuditChanged(
            "This audit changed since you opened it. Read it again before you decide."
        )
    blind = current_blind_grade(audit) if audit.is_blind else None
    if audit.is_blind and blind is None:
        raise ValidationError("Record your own grade first: this audit is moderated blind.")

    kind = decision.decision
    agreed_grade = decision.agreed_grade
    reason = decision.reason.strip()
    comments = decision.comments.strip()
    section_comments = {
        code: text.strip() for code, text in decision.section_comments.items() if text.strip()
    }
    known_sections = set(audit.question_set.sections.values_list("code", flat=True))
    if set(section_comments) - known_sections:
        raise ValidationError("Comments were given for sections that are not in this audit.")
    if kind == ModerationDecision.AGREED:
        agreed_grade = audit.grade
    elif kind == ModerationDecision.CHANGED:
        if agreed_grade not in Grade.values:
            raise ValidationError("Choose the grade you are changing it to.")
        if agreed_grade == audit.grade:
            raise ValidationError("The new grade is the same as the auditor's; agree it instead.")
        if not reason:
            raise ValidationError("Give the reason for changing the grade.")
    elif kind == ModerationDecision.RETURNED:
        agreed_grade = ""
        if not comments and not section_comments:
            raise ValidationError("Say what the auditor should look at again.")
    else:
        raise ValidationError(f"{kind!r} is not a moderation decision.")
    for text in (reason, comments, *section_comments.values()):
        if len(text) > NOTE_MAX_LENGTH:
            raise ValidationError(f"Comments are limited to {NOTE_MAX_LENGTH} characters.")

    moderation = Moderation.objects.create(
        audit=audit,
        moderator=moderator,
        auditor=audit.auditor,
        decision=kind,
        original_grade=audit.grade,
        agreed_grade=agreed_grade,
        reason=reason,
        comments=comments,
        section_comments=section_comments,
        is_blind=audit.is_blind,
        blind_grade=blind.grade if blind else "",
        good_practice_to_publicise=decision.publicise_good_practice,
    )
    themes = list(FindingTheme.objects.filter(pk__in=decision.theme_ids, is_active=True))
    for name in decision.new_theme_names:
        themes.append(finding_theme_suggest(name=name, by=moderator))
    moderation.themes.set(themes)

    from_state = audit.state
    if kind == ModerationDecision.RETURNED:
        audit.state = AuditState.RETURNED
    else:
        audit.state = AuditState.MODERATED
        audit.moderated_at = timezone.now()
        audit.moderated_grade = agreed_grade
    audit.revision = F("revision") + 1
    audit.save(update_fields=["state", "moderated_at", "moderated_grade", "revision", "updated_at"])
    audit.refresh_from_db(fields=["revision"])
    _record_event(
        audit,
        moderator,
        {
            ModerationDecision.AGREED: AuditEventKind.AGREED,
            ModerationDecision.CHANGED: AuditEventKind.CHANGED,
            ModerationDecision.RETURNED: AuditEventKind.RETURNED,
        }[kind],
        from_state,
        grade=agreed_grade,
        note=reason or comments,
    )
    if kind == ModerationDecision.RETURNED:
        notification_queue(
            recipient=audit.auditor,
            subject=f"Audit of case {audit.case.reference} returned with comments",
            body="The moderator has returned your audit with comments. Please look again and "
            "resubmit it.",
            link=reverse("audit_overview", args=[audit.pk]),
        )
    logger.info(
        "audit %s: moderation %s (%s) by user %s", audit.pk, moderation.pk, kind, moderator.pk
    )
    return moderation


def finding_theme_suggest(*, name: str, by: User) -> FindingTheme:
    """A moderator's free theme, off the controlled list until the audit manager promotes it."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError("A theme needs a name.")
    if len(name) > 120:
        raise ValidationError("Theme names are limited to 120 characters.")
    existing = FindingTheme.objects.filter(name__iexact=name).first()
    if existing is not None:
        return existing
    return FindingTheme.objects.create(name=name, is_controlled=False, created_by=by)


def finding_theme_promote(*, theme: FindingTheme) -> FindingTheme:
    theme.is_controlled = True
    theme.save(update_fields=["is_controlled"])
    return theme


def finding_theme_map_set(
    *, theme: FindingTheme, question_codes: Iterable[str], by: User
) -> FindingTheme:
    """Set which questions suggest `theme` to the moderator when answered Partly or No (any of
    `grading.FAILED_ANSWERS`): codes of the current published question set, kept in question
    order. Only a theme on the list (controlled, still offered) is mapped."""
    if not (theme.is_controlled and theme.is_active):
        raise ValidationError(
            f"“{theme.name}” is not on the list of themes; add it to the list before you choose "
            "its questions."
        )
    question_set = current_question_set()
    known = list(question_set.questions.order_by("number").values_list("code", flat=True))
    chosen = {code.strip() for code in question_codes}
    unknown = sorted(chosen - set(known))
    if unknown:
        listed = ", ".join(unknown)
        raise ValidationError(
            f"{listed} {'is not a question' if len(unknown) == 1 else 'are not questions'} of "
            f"question set v{question_set.version}. Choose questions from the list."
        )
    theme.evidence_question_codes = [code for code in known if code in chosen]
    theme._history_user = by
    theme.save(update_fields=["evidence_question_codes"])
    logger.info(
        "finding theme %s mapped to %s by user %s", theme.pk, theme.evidence_question_codes, by.pk
    )
    return theme


def moderation_policy_set(*, force_id: int, blind_share_percent: int) -> ModerationPolicy:
    if not 0 <= blind_share_percent <= 100:
        raise ValidationError("The blind share is a percentage from 0 to 100.")
    policy, _ = ModerationPolicy.objects.update_or_create(
        force_id=force_id, defaults={"blind_share_percent": blind_share_percent}
    )
    return policy


def finding_theme_retire(*, theme: FindingTheme) -> FindingTheme:
    """Stop offering a theme; moderations already tagged with it keep it."""
    theme.is_active = False
    theme.save(update_fields=["is_active"])
    return theme
