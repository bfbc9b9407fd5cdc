"""Writes for feedback: each function validates, enforces the rules, writes in a transaction and
queues email after the commit."""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from audit_app.audits import selectors as audit_selectors
from audit_app.audits.models import Audit, AuditState
from audit_app.feedback import drafting
from audit_app.feedback.models import (
    AcknowledgedVia,
    Feedback,
    FeedbackMethod,
    FeedbackRole,
    FeedbackState,
)
from audit_app.models import User
from audit_app.notifications.services import notification_queue

logger = logging.getLogger(__name__)


class LinkNotUsable(Exception):
    """An acknowledgement link that is unknown, used or expired: the caller says nothing more."""


@transaction.atomic
def feedback_draft(*, audit: Audit, by: User) -> list[Feedback]:
    """Draft feedback for the officer in the case and their supervisor from the moderated audit.

    Drafting again keeps what was already drafted or sent, and drafts for a recipient added to
    the case since."""
    if audit.state != AuditState.MODERATED:
        raise ValidationError("Feedback is drafted once the audit has been moderated.")
    walk = audit_selectors.audit_walk(audit)
    officer = audit.case.officer_in_case
    # The case names the supervisor; where it does not, the directory's line manager is theirs.
    supervisor = audit.case.supervisor or (officer.line_manager if officer else None)
    drafted = []
    for role, recipient, draft in (
        (FeedbackRole.OFFICER, officer, drafting.officer_draft),
        (FeedbackRole.SUPERVISOR, supervisor, drafting.supervisor_draft),
    ):
        if recipient is None:
            continue
        existing = Feedback.objects.filter(audit=audit, recipient_role=role).first()
        if existing is None:
            text = draft(audit, walk)
            existing = Feedback.objects.create(
                audit=audit,
                recipient_role=role,
                recipient=recipient,
                good_practice=text.good_practice,
                areas_for_improvement=text.areas_for_improvement,
                drafted_by=by,
            )
        drafted.append(existing)
    if not drafted:
        raise ValidationError("The case records no officer or supervisor to give feedback to.")
    return drafted


def feedback_update(
    *, feedback: Feedback, good_practice: str, areas_for_improvement: str
) -> Feedback:
    """Save the text of feedback not yet given."""
    if feedback.state != FeedbackState.DRAFTED:
        raise ValidationError("Feedback that has been given cannot be changed.")
    feedback.good_practice = good_practice.strip()
    feedback.areas_for_improvement = areas_for_improvement.strip()
    feedback.full_clean(exclude=["audit", "recipient", "drafted_by"])
    feedback.save(update_fields=["good_practice", "areas_for_improvement"])
    return feedback


def _refuse_unless_owed(feedback: Feedback) -> None:
    if feedback.state != FeedbackState.DRAFTED:
        raise ValidationError("This feedback has already been given.")
    if not (feedback.good_practice or feedback.areas_for_improvement):
        raise ValidationError("Write the good practice or the areas for improvement first.")


def _new_link(feedback: Feedback) -> str:
    """A fresh single-use acknowledgement link; only its hash is stored, and it replaces any
    earlier link."""
    token = secrets.token_urlsafe(32)
    feedback.link_token_hash = _hash(token)
    feedback.link_expires_at = timezone.now() + datetime.timedelta(days=settings.FEEDBACK_LINK_DAYS)
    return reverse("feedback_acknowledge", args=[token])


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feedback_email_body(feedback: Feedback, *, reminder: bool = False) -> str:
    audit = feedback.audit
    lines = []
    if reminder:
        lines += [
            "This is a reminder: please confirm you have read the feedback below.",
            "",
        ]
    lines += [
        f"Feedback from the child-protection case audit of case {audit.case.reference}, "
        f"for you as the {feedback.get_recipient_role_display().lower()}.",
        "",
        f"Grade agreed at moderation: {drafting.agreed_grade_label(audit)}.",
    ]
    if feedback.good_practice:
        lines += ["", "Good practice:", feedback.good_practice]
    if feedback.areas_for_improvement:
        lines += ["", "Areas for improvement:", feedback.areas_for_improvement]
    lines += [
        "",
        "Please confirm you have read this feedback by opening the link below. The link works "
        f"once and for {settings.FEEDBACK_LINK_DAYS} days; you do not need to sign in.",
    ]
    return "\n".join(lines)


@transaction.atomic
def feedback_send(*, feedback: Feedback, by: User) -> Feedback:
    """Email the feedback to the officer or supervisor (through Celery, with retries)."""
    feedback = (
        Feedback.objects.select_for_update()
        .select_related("recipient", "audit__case")
        .get(pk=feedback.pk)
    )
    _refuse_unless_owed(feedback)
    if not feedback.recipient.email:
        raise ValidationError(
            f"No email address is recorded for {feedback.recipient}. Add it, or record the "
            "feedback as given in person or by phone."
        )
    link = _new_link(feedback)
    notification_queue(
        email=feedback.recipient.email,
        subject=f"Case audit feedback: case {feedback.audit.case.reference}",
        body=feedback_email_body(feedback),
        link=link,
        link_is_secret=True,
    )
    feedback.state = FeedbackState.SENT
    feedback.method = FeedbackMethod.EMAIL
    feedback.sent_at = timezone.now()
    feedback.given_by = by
    feedback.save()
    logger.info("feedback %s on audit %s sent by user %s", feedback.pk, feedback.audit_id, by.pk)
    return feedback


@transaction.atomic
def feedback_record_given(
    *, feedback: Feedback, method: str, given_on: datetime.date, by: User
) -> Feedback:
    """Record feedback given in person or by phone instead of by email."""
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    _refuse_unless_owed(feedback)
    if method not in (FeedbackMethod.IN_PERSON, FeedbackMethod.PHONE):
        raise ValidationError("Choose whether the feedback was given in person or by phone.")
    if given_on > timezone.localdate():
        raise ValidationError("The date the feedback was given cannot be in the future.")
    moderated_at = feedback.audit.moderated_at
    if moderated_at and given_on < timezone.localtime(moderated_at).date():
        raise ValidationError(
            "The date the feedback was given cannot be before the audit was moderated."
        )
    feedback.state = FeedbackState.GIVEN
    feedback.method = method
    feedback.given_on = given_on
    feedback.given_by = by
    feedback.save()
    logger.info("feedback %s on audit %s recorded as given", feedback.pk, feedback.audit_id)
    return feedback


def feedback_acknowledge(*, feedback: Feedback, acknowledged_on: datetime.date) -> Feedback:
    """The moderator records an acknowledgement received another way (a reply, a call)."""
    if feedback.state != FeedbackState.SENT:
        raise ValidationError("Only sent feedback can be acknowledged.")
    if acknowledged_on > timezone.localdate():
        raise ValidationError("The date of acknowledgement cannot be in the future.")
    if acknowledged_on < timezone.localtime(feedback.sent_at).date():
        raise ValidationError("The date of acknowledgement cannot be before the feedback was sent.")
    feedback.state = FeedbackState.ACKNOWLEDGED
    feedback.acknowledged_on = acknowledged_on
    feedback.acknowledged_via = AcknowledgedVia.RECORDED
    feedback.link_token_hash = ""
    feedback.save()
    return feedback


def feedback_for_link(token: str) -> Feedback:
    """The sent feedback an acknowledgement link stands for, or LinkNotUsable."""
    if not token or len(token) > 100:
        raise LinkNotUsable
    feedback = (
        Feedback.objects.select_related("audit__case", "recipient")
        .filter(link_token_hash=_hash(token), state=FeedbackState.SENT)
        .first()
    )
    if feedback is None or feedback.link_expires_at is None:
        raise LinkNotUsable
    if feedback.link_expires_at <= timezone.now():
        raise LinkNotUsable
    return feedback


def feedback_acknowledge_by_link(*, token: str) -> Feedback:
    """The recipient confirms from the emailed link. The link works once."""
    feedback = feedback_for_link(token)
    claimed = Feedback.objects.filter(
        pk=feedback.pk,
        state=FeedbackState.SENT,
        link_token_hash=_hash(token),
        link_expires_at__gt=timezone.now(),
    ).update(
        state=FeedbackState.ACKNOWLEDGED,
        acknowledged_on=timezone.localdate(),
        acknowledged_via=AcknowledgedVia.LINK,
        link_token_hash="",
        link_expires_at=None,
    )
    if not claimed:
        raise LinkNotUsable
    logger.info("feedback %s acknowledged from its link", feedback.pk)
    feedback.refresh_from_db()
    return feedback


def feedback_due_a_reminder(now: datetime.datetime | None = None) -> list[int]:
    """Sent, unacknowledged feedback whose last email (or reminder) is older than the interval."""
    return list(
        Feedback.objects.filter(_due_a_reminder(now or timezone.now()))
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )


def _due_a_reminder(now: datetime.datetime) -> Q:
    """Sent and unacknowledged, under the limit, and the last email older than the interval: the
    one rule both the daily list and each reminder's claim apply."""
    cutoff = now - datetime.timedelta(days=settings.FEEDBACK_REMINDER_DAYS)
    return Q(state=FeedbackState.SENT, reminders_sent__lt=settings.FEEDBACK_REMINDERS_MAX) & (
        Q(last_reminded_at__isnull=True, sent_at__lt=cutoff) | Q(last_reminded_at__lt=cutoff)
    )


def feedback_remind(*, feedback_id: int, now: datetime.datetime | None = None) -> bool:
    """Email one reminder with a new link (the old one stops working). Claimed by a conditional
    update, so a repeated task sends nothing twice."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Feedback.objects.filter(_due_a_reminder(now), pk=feedback_id).update(
            reminders_sent=F("reminders_sent") + 1, last_reminded_at=now
        )
        if not claimed:
            return False
        feedback = Feedback.objects.select_related("recipient", "audit__case").get(pk=feedback_id)
        link = _new_link(feedback)
        feedback.save(update_fields=["link_token_hash", "link_expires_at"])
        notification_queue(
            email=feedback.recipient.email,
            subject=f"Reminder: case audit feedback, case {feedback.audit.case.reference}",
            body=feedback_email_body(feedback, reminder=True),
            link=link,
            link_is_secret=True,
        )
    logger.info("feedback %s: reminder %s queued", feedback_id, feedback.reminders_sent)
    return True


def feedback_remind_unacknowledged(now: datetime.datetime | None = None) -> list[int]:
    """Remind every recipient whose feedback is due a reminder; the ids reminded."""
    return [
        feedback_id
        for feedback_id in feedback_due_a_reminder(now)
        if feedback_remind(feedback_id=feedback_id, now=now)
    ]
