"""Feedback to officers and supervisors, the feedback sheet as HTML and PDF, and the PDF fetcher."""

import datetime
import hashlib
import io
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from audit_app.audits.models import Answer
from audit_app.feedback import selectors, services
from audit_app.feedback.models import Feedback, FeedbackState
from audit_app.models import Area, Role
from audit_app.notifications.models import Notification
from audit_app.pdf import BASE_URL, ProjectFilesFetcher, render_pdf
from tests import factories
from tests.walk_helpers import agreed_audit, allocated_audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderated(reference_data):
    area = Area.objects.get(code="west")
    officer = factories.StaffMemberFactory(
        force=area.force, team=area.teams.first(), email="pc1234@example.police.uk"
    )
    supervisor = factories.StaffMemberFactory(
        force=area.force, team=area.teams.first(), rank="DS", email=""
    )
    return agreed_audit(case__officer_in_case=officer, case__supervisor=supervisor)


def _fall_short(audit, number: int, value: str, comment: str) -> None:
    """Change one answer of a moderated audit, as if the auditor had given it."""
    Answer.objects.filter(audit=audit, question__number=number).update(value=value, comment=comment)


def test_feedback_is_drafted_for_officer_and_supervisor(moderated):
    audit, moderator = moderated
    _fall_short(audit, 5, "partly", "Words recorded but not demeanour.")
    _fall_short(audit, 17, "no", "No supervisory review on file.")
    officer, supervisor = services.feedback_draft(audit=audit, by=moderator)
    assert [officer.recipient_role, supervisor.recipient_role] == ["officer", "supervisor"]
    # The officer hears about the case: the answer that fell short, with the auditor's comment.
    assert "Question 5 (Partly)" in officer.areas_for_improvement
    assert "Words recorded but not demeanour." in officer.areas_for_improvement
    assert "Question 17" not in officer.areas_for_improvement
    assert audit.areas_for_improvement in officer.areas_for_improvement
    assert officer.good_practice == audit.good_practice
    # The supervisor hears about supervision, and how many points the officer was given.
    assert "Question 17 (No)" in supervisor.areas_for_improvement
    assert "No supervisory review on file." in supervisor.areas_for_improvement
    assert "Question 5" not in supervisor.areas_for_improvement
    assert "given 1 other point to improve" in supervisor.areas_for_improvement
    assert services.feedback_draft(audit=audit, by=moderator) == [officer, supervisor]


def test_a_supervisor_with_nothing_on_supervision_is_told_so(moderated):
    audit, moderator = moderated
    _, supervisor = services.feedback_draft(audit=audit, by=moderator)
    assert "no shortfall in supervision" in supervisor.areas_for_improvement


def test_sending_emails_the_officer_with_the_grade_and_a_single_use_link(
    moderated, django_capture_on_commit_callbacks
):
    audit, moderator = moderated
    officer_feedback, supervisor_feedback = services.feedback_draft(audit=audit, by=moderator)
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.feedback_send(feedback=officer_feedback, by=moderator)
    assert sent.state == FeedbackState.SENT and sent.sent_at and sent.method == "email"
    assert sent.given_by == moderator
    message = mail.outbox[0]
    assert message.to == ["pc1234@example.police.uk"]
    assert f"Grade agreed at moderation: {audit.get_moderated_grade_display()}" in message.body
    assert "Areas for improvement" in message.body
    token = _token(message.body)
    # Only the link's hash is kept, and the email's link is cleared once the email has gone.
    assert sent.link_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not Notification.objects.filter(link__contains=token).exists()
    with pytest.raises(ValidationError, match="No email address"):
        services.feedback_send(feedback=supervisor_feedback, by=moderator)
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.feedback_update(feedback=sent, good_practice="x", areas_for_improvement="y")
    acknowledged = services.feedback_acknowledge(
        feedback=sent, acknowledged_on=timezone.localdate()
    )
    assert acknowledged.state == FeedbackState.ACKNOWLEDGED
    assert acknowledged.acknowledged_via == "recorded"
    with pytest.raises(services.LinkNotUsable):  # recorded by hand: the link is spent too
        services.feedback_for_link(token)


def _token(body: str) -> str:
    match = re.search(r"/feedback/acknowledge/([A-Za-z0-9_-]+)/", body)
    assert match, body
    return match.group(1)


def test_the_link_acknowledges_once_without_signing_in(
    client, moderated, django_capture_on_commit_callbacks
):
    audit, moderator = moderated
    officer, _ = services.feedback_draft(audit=audit, by=moderator)
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_send(feedback=officer, by=moderator)
    url = reverse("feedback_acknowledge", args=[_token(mail.outbox[0].body)])
    page = client.get(url)
    assert page.status_code == 200
    assert "I have read this feedback" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    officer.refresh_from_db()
    assert officer.state == FeedbackState.SENT  # reading is not acknowledging
    done = client.post(url)
    assert done.status_code == 200 and "Feedback acknowledged" in done.content.decode()
    officer.refresh_from_db()
    assert officer.state == FeedbackState.ACKNOWLEDGED
    assert officer.acknowledged_via == "link"
    assert officer.acknowledged_on == timezone.localdate()
    # Used, guessed, or far too long: one answer that says nothing about the feedback.
    unusable = [
        url,
        reverse("feedback_acknowledge", args=["x" * 43]),
        url.replace("/acknowledge/", "/acknowledge/A"),
    ]
    for attempt in unusable:
        for method in (client.get, client.post):
            response = method(attempt)
            assert response.status_code == 404
            body = response.content.decode()
            assert "This link cannot be used" in body
            assert audit.case.reference not in body and "Good practice" not in body
    # The link gave its holder nothing else: no session was signed in.
    assert client.get(reverse("home")).status_code == 302


def test_an_expired_link_is_refused(client, moderated, django_capture_on_commit_callbacks):
    audit, moderator = moderated
    officer, _ = services.feedback_draft(audit=audit, by=moderator)
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_send(feedback=officer, by=moderator)
    Feedback.objects.filter(pk=officer.pk).update(
        link_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    url = reverse("feedback_acknowledge", args=[_token(mail.outbox[0].body)])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    officer.refresh_from_db()
    assert officer.state == FeedbackState.SENT


def test_reminders_go_after_the_interval_with_a_new_link_up_to_the_limit(
    settings, moderated, django_capture_on_commit_callbacks
):
    settings.FEEDBACK_REMINDER_DAYS = 7
    settings.FEEDBACK_REMINDERS_MAX = 2
    audit, moderator = moderated
    officer, _ = services.feedback_draft(audit=audit, by=moderator)
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_send(feedback=officer, by=moderator)
    first_token = _token(mail.outbox[0].body)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.feedback_remind_unacknowledged(now + datetime.timedelta(days=6)) == []
        assert services.feedback_remind_unacknowledged(now + datetime.timedelta(days=8)) == [
            officer.pk
        ]
        # The same day again (a repeated task): nothing more is sent.
        assert services.feedback_remind_unacknowledged(now + datetime.timedelta(days=8)) == []
    assert len(mail.outbox) == 2
    reminder = mail.outbox[1]
    assert reminder.subject.endswith(f"Reminder: case audit feedback, case {audit.case.reference}")
    second_token = _token(reminder.body)
    assert second_token != first_token
    with pytest.raises(services.LinkNotUsable):  # the old link stops working
        services.feedback_for_link(first_token)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.feedback_remind_unacknowledged(now + datetime.timedelta(days=16)) == [
            officer.pk
        ]
        assert services.feedback_remind_unacknowledged(now + datetime.timedelta(days=30)) == []
    assert len(mail.outbox) == 3
    services.feedback_acknowledge_by_link(token=_token(mail.outbox[2].body))
    officer.refresh_from_db()
    assert officer.reminders_sent == 2 and officer.state == FeedbackState.ACKNOWLEDGED


def test_without_a_supervisor_on_the_case_the_directory_line_manager_is_asked(reference_data):
    area = Area.objects.get(code="west")
    manager = factories.StaffMemberFactory(
        force=area.force, rank="DS", email="ds@example.police.uk"
    )
    officer = factories.StaffMemberFactory(force=area.force, line_manager=manager)
    audit, moderator = agreed_audit(case__officer_in_case=officer, case__supervisor=None)
    assert selectors.feedback_owed(moderator).get().still_owed == 2
    _, supervisor = services.feedback_draft(audit=audit, by=moderator)
    assert supervisor.recipient == manager and supervisor.recipient_role == "supervisor"
    services.feedback_record_given(
        feedback=supervisor, method="phone", given_on=timezone.localdate(), by=moderator
    )
    assert selectors.feedback_owed(moderator).get().still_owed == 1  # the officer's


def test_feedback_needs_a_moderated_audit(reference_data):
    audit = allocated_audit()
    with pytest.raises(ValidationError, match="moderated"):
        services.feedback_draft(audit=audit, by=audit.auditor)


def test_feedback_page_drafts_edits_and_sends(
    client, moderated, django_capture_on_commit_callbacks
):
    audit, moderator = moderated
    client.force_login(moderator)
    url = reverse("audit_feedback", args=[audit.pk])
    assert client.post(url, {"action": "draft"}).status_code == 302
    officer = audit.feedback.get(recipient_role="officer")
    client.post(
        url,
        {
            "feedback": officer.pk,
            f"f{officer.pk}-action": "save",
            f"f{officer.pk}-good_practice": "Quick referral to the MASH.",
            f"f{officer.pk}-areas_for_improvement": "Speak to the child alone.",
        },
    )
    officer.refresh_from_db()
    assert officer.areas_for_improvement == "Speak to the child alone."
    assert client.post(url, {"action": "send", "feedback": 999999}).status_code == 404


def test_a_refused_send_keeps_the_text_and_an_email_added_on_the_spot_is_kept_with_history(
    client, moderated, django_capture_on_commit_callbacks
):
    audit, moderator = moderated
    client.force_login(moderator)
    url = reverse("audit_feedback", args=[audit.pk])
    client.post(url, {"action": "draft"})
    supervisor = audit.feedback.get(recipient_role="supervisor")
    prefix = f"f{supervisor.pk}"
    text = {
        "feedback": supervisor.pk,
        f"{prefix}-good_practice": "Swift strategy discussion.",
        f"{prefix}-areas_for_improvement": "Review within 28 days.",
    }
    refused = client.post(url, {**text, f"{prefix}-action": "send"})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "govuk-error-summary" in body and "No email address" in body
    supervisor.refresh_from_db()
    assert supervisor.areas_for_improvement == "Review within 28 days."  # kept
    bad = client.post(url, {**text, f"{prefix}-action": "send", f"{prefix}-email": "not-an-email"})
    assert bad.status_code == 400
    assert "Enter an email address in the correct format" in bad.content.decode()
    assert "Review within 28 days." in bad.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            url, {**text, f"{prefix}-action": "send", f"{prefix}-email": "ds9@example.police.uk"}
        )
    assert sent.status_code == 302
    supervisor.refresh_from_db()
    assert supervisor.state == FeedbackState.SENT
    assert supervisor.recipient.email == "ds9@example.police.uk"
    assert supervisor.recipient.history.filter(email="ds9@example.police.uk").exists()
    assert mail.outbox[-1].to == ["ds9@example.police.uk"]


def test_feedback_given_in_person_is_recorded_with_its_date(client, moderated):
    audit, moderator = moderated
    client.force_login(moderator)
    url = reverse("audit_feedback", args=[audit.pk])
    client.post(url, {"action": "draft"})
    officer = audit.feedback.get(recipient_role="officer")
    prefix = f"f{officer.pk}"
    text = {
        "feedback": officer.pk,
        f"{prefix}-good_practice": "Good practice.",
        f"{prefix}-areas_for_improvement": "Improve.",
        f"{prefix}-action": "given",
    }
    missing = client.post(url, text)
    assert missing.status_code == 400
    body = missing.content.decode()
    assert "Choose whether the feedback was given in person or by phone" in body
    assert "Enter the date the feedback was given" in body
    future = (timezone.localdate() + datetime.timedelta(days=3)).strftime("%d/%m/%Y")
    assert (
        client.post(
            url, {**text, f"{prefix}-method": "phone", f"{prefix}-given_on": future}
        ).status_code
        == 400
    )
    today = timezone.localdate().strftime("%d/%m/%Y")
    done = client.post(url, {**text, f"{prefix}-method": "in_person", f"{prefix}-given_on": today})
    assert done.status_code == 302
    officer.refresh_from_db()
    assert officer.state == FeedbackState.GIVEN and officer.method == "in_person"
    assert officer.given_on == timezone.localdate() and officer.given_by == moderator
    assert not mail.outbox


def test_feedback_owed_is_listed_on_the_moderators_and_managers_home(
    client, moderated, django_assert_max_num_queries
):
    audit, moderator = moderated
    manager = factories.user_with_role(Role.AUDIT_MANAGER, Area.objects.get(code="west"))
    east = factories.user_with_role(Role.MODERATOR, Area.objects.get(code="east"))
    assert list(selectors.feedback_owed(moderator)) == [audit]
    assert list(selectors.feedback_owed(manager)) == [audit]
    assert list(selectors.feedback_owed(east)) == []
    client.force_login(moderator)
    home = client.get(reverse("home")).content.decode()
    assert "Feedback still owed" in home and audit.case.reference in home
    officer, supervisor = services.feedback_draft(audit=audit, by=moderator)
    assert list(selectors.feedback_owed(moderator)) == [audit]  # drafted is still owed
    services.feedback_record_given(
        feedback=officer, method="phone", given_on=timezone.localdate(), by=moderator
    )
    assert selectors.feedback_owed(moderator).get().still_owed == 1
    services.feedback_record_given(
        feedback=supervisor, method="in_person", given_on=timezone.localdate(), by=moderator
    )
    assert list(selectors.feedback_owed(moderator)) == []
    recipients = {audit.pk: (audit.case.officer_in_case_id, audit.case.supervisor_id)}
    statuses = selectors.feedback_status_by_audit(recipients)[audit.pk]
    assert statuses["officer"].label == "given by phone"
    assert statuses["supervisor"].label == "given in person"


def test_feedback_sheet_pdf_holds_the_feedback(client, moderated):
    audit, moderator = moderated
    services.feedback_draft(audit=audit, by=moderator)
    client.force_login(moderator)
    html = client.get(reverse("audit_feedback_sheet", args=[audit.pk]))
    assert "Case audit feedback" in html.content.decode()
    response = client.get(reverse("audit_feedback_sheet", args=[audit.pk]), {"format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    assert f"feedback-{audit.case.reference}.pdf" in response["Content-Disposition"]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert f"case {audit.case.reference}" in text
    assert "OFFICIAL-SENSITIVE" in text
    # The page's margin boxes come from the stylesheet, so it was fetched and applied.
    assert "page 1 of" in text
    assert audit.areas_for_improvement in text
    assert "Supervisor" in text
    assert f"Grade agreed at moderation {audit.get_moderated_grade_display()}" in " ".join(
        text.split()
    )


def test_feedback_pages_are_404_for_another_area(client, moderated):
    audit, _ = moderated
    east = factories.user_with_role(Role.MODERATOR, Area.objects.get(code="east"))
    client.force_login(east)
    assert client.get(reverse("audit_feedback", args=[audit.pk])).status_code == 404
    assert client.get(reverse("audit_feedback_sheet", args=[audit.pk])).status_code == 404


def test_the_pdf_fetcher_serves_static_files_and_refuses_everything_else():
    fetcher = ProjectFilesFetcher()
    response = fetcher.fetch(f"{BASE_URL}static/js/govuk-supported.js")
    assert b"js-enabled" in response.read()
    for url in [
        "http://127.0.0.1:8000/static/js/app.mjs",
        "file:///etc/passwd",
        f"{BASE_URL}static/../../etc/passwd",
        f"{BASE_URL}admin/",
    ]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_a_document_pointing_outside_still_renders_without_fetching_it():
    html = '<p>Hello</p><img src="http://127.0.0.1:9/secret.png"><img src="file:///etc/hostname">'
    pdf = render_pdf(html)
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Hello" in text
