"""Feedback to officers and supervisors, the feedback sheet as HTML and PDF, and the PDF fetcher."""

import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from audit_app.audits import services
from audit_app.audits.models import FeedbackState
from audit_app.models import Area, Role
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


def test_feedback_is_drafted_for_officer_and_supervisor(moderated):
    audit, moderator = moderated
    drafted = services.feedback_draft(audit=audit, by=moderator)
    assert [f.recipient_role for f in drafted] == ["officer", "supervisor"]
    assert drafted[0].areas_for_improvement == audit.areas_for_improvement
    assert services.feedback_draft(audit=audit, by=moderator) == drafted  # drafting again: same


def test_sending_emails_the_officer_and_records_the_state(
    moderated, django_capture_on_commit_callbacks
):
    audit, moderator = moderated
    officer_feedback, supervisor_feedback = services.feedback_draft(audit=audit, by=moderator)
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.feedback_send(feedback=officer_feedback, by=moderator)
    assert sent.state == FeedbackState.SENT and sent.sent_at
    assert mail.outbox[0].to == ["pc1234@example.police.uk"]
    assert "Areas for improvement" in mail.outbox[0].body
    with pytest.raises(ValidationError, match="No email address"):
        services.feedback_send(feedback=supervisor_feedback, by=moderator)
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.feedback_update(feedback=sent, good_practice="x", areas_for_improvement="y")
    acknowledged = services.feedback_acknowledge(
        feedback=sent, acknowledged_on=timezone.localdate()
    )
    assert acknowledged.state == FeedbackState.ACKNOWLEDGED


def test_feedback_needs_a_moderated_audit(reference_data):
    audit = allocated_audit()
    with pytest.raises(ValidationError, match="moderated"):
        services.feedback_draft(audit=audit, by=audit.auditor)


def test_feedback_page_drafts_edits_and_sends(client, moderated):
    audit, moderator = moderated
    client.force_login(moderator)
    url = reverse("audit_feedback", args=[audit.pk])
    assert client.post(url, {"action": "draft"}).status_code == 302
    officer = audit.feedback.get(recipient_role="officer")
    client.post(
        url,
        {
            "action": "save",
            "feedback": officer.pk,
            f"f{officer.pk}-good_practice": "Quick referral to the MASH.",
            f"f{officer.pk}-areas_for_improvement": "Speak to the child alone.",
        },
    )
    officer.refresh_from_db()
    assert officer.areas_for_improvement == "Speak to the child alone."
    supervisor = audit.feedback.get(recipient_role="supervisor")
    refused = client.post(url, {"action": "send", "feedback": supervisor.pk})
    assert refused.status_code == 400
    assert "No email address" in refused.content.decode()
    assert client.post(url, {"action": "send", "feedback": 999999}).status_code == 404


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
