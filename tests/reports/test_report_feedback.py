"""The PVP report's newer sections read back from the PDF: feedback (each moderated audit's
officer and supervisor status, counts compared with the database) and the recommendations' ratings
(the inspectorate's review gave none; our reading is labelled as ours)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from audit_app.audits.models import Audit
from audit_app.feedback import services as feedback_services
from audit_app.feedback.models import Feedback
from audit_app.models import Area
from audit_app.reports import services
from audit_app.reports.models import PvpReportVersion
from tests import factories
from tests.builders import Planned, build_month, pdf_text, people_for

MONTH = datetime.date(2026, 3, 1)

pytestmark = pytest.mark.django_db


def test_the_report_shows_feedback_status_per_audit(
    reference_data, django_capture_on_commit_callbacks
):
    area = Area.objects.get(code="west")
    people = people_for(area)
    audits = build_month(
        area=area, month=MONTH, people=people, plan=[Planned("DA"), Planned("REF"), Planned("MISS")]
    )
    for audit in audits:
        audit.case.officer_in_case = factories.StaffMemberFactory(
            force=area.force, email="pc@example.police.uk"
        )
        audit.case.supervisor = factories.StaffMemberFactory(force=area.force)
        audit.case.save()
    sent_one, given_one, owed_one = audits
    moderator = people.moderator
    with django_capture_on_commit_callbacks(execute=True):
        officer, _ = feedback_services.feedback_draft(audit=sent_one, by=moderator)
        feedback_services.feedback_update(
            feedback=officer, good_practice="Prompt referral.", areas_for_improvement=""
        )
        feedback_services.feedback_send(feedback=officer, by=moderator)
    _, supervisor = feedback_services.feedback_draft(audit=given_one, by=moderator)
    feedback_services.feedback_record_given(
        feedback=supervisor, method="in_person", given_on=timezone.localdate(), by=moderator
    )
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.report_request(force=area.force, area=area, month=MONTH, by=None)
    version = PvpReportVersion.objects.get(pk=outcome.version.pk)
    text = pdf_text(version.file.read())
    numbered = re.search(r"(\d+)\. Feedback to officers and supervisors As the report", text)
    assert numbered, "the feedback section's heading"
    number = int(numbered.group(1))
    # Six recipients: one sent, one given in person, four owed (drafted or not yet drafted).
    assert Feedback.objects.filter(state="drafted").count() == 2
    assert (
        "4 still owed, 1 sent and not yet acknowledged, 0 acknowledged, "
        "1 given in person or by phone" in text
    )
    section = text[numbered.start() : text.index(f"{number + 1}. Actions agreed")]
    # Table cells wrap a long reference, so the rows are compared without spaces.
    rows = section.replace(" ", "")
    team = sent_one.case.team.name.replace(" ", "")
    assert f"{sent_one.case.reference}DA{team}sentowed" in rows
    assert f"{given_one.case.reference}REF{team}owedgiveninperson" in rows
    assert f"{owed_one.case.reference}MISS{team}owedowed" in rows


def test_the_report_labels_our_reading_of_the_review_and_gives_the_inspectorate_no_rating(
    reference_data, django_capture_on_commit_callbacks
):
    area = Area.objects.get(code="west")
    build_month(area=area, month=MONTH, people=people_for(area), plan=[Planned("DA")])
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.report_request(force=area.force, area=area, month=MONTH, by=None)
    text = pdf_text(PvpReportVersion.objects.get(pk=outcome.version.pk).file.read())
    # The December 2018 review gave findings, never ratings: any rating shown is labelled ours.
    assert "by the inspectorate: none given" in text
    assert "Our reading of the inspectorate's review, not its rating:" in text


def test_the_force_report_gives_each_areas_feedback_and_lists_only_audits_still_owed(
    reference_data, django_capture_on_commit_callbacks
):
    west, east = Area.objects.get(code="west"), Area.objects.get(code="east")
    given_audit = None
    for area in (west, east):
        people = people_for(area)
        audits = build_month(
            area=area,
            month=MONTH,
            people=people,
            plan=[Planned("DA", good_practice="Prompt referral."), Planned("REF")],
        )
        for audit in audits:
            audit.case.officer_in_case = factories.StaffMemberFactory(force=area.force)
            audit.case.save()
        if area == west:
            given_audit = audits[0]
            (officer,) = feedback_services.feedback_draft(audit=given_audit, by=people.moderator)
            feedback_services.feedback_record_given(
                feedback=officer, method="phone", given_on=timezone.localdate(), by=people.moderator
            )
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.report_request(force=west.force, area=None, month=MONTH, by=None)
    text = pdf_text(PvpReportVersion.objects.get(pk=outcome.version.pk).file.read())
    start = text.index("Feedback by area")
    section = text[start : text.index("Actions agreed", start)].replace(" ", "")
    # Area, still owed, sent, acknowledged, given: East owes both, West one of two.
    assert "East2000" in section and "West1001" in section
    assert given_audit.case.reference not in section
    owed = [a for a in Audit.objects.filter(round__month=MONTH) if a.pk != given_audit.pk]
    assert all(audit.case.reference in section for audit in owed)
