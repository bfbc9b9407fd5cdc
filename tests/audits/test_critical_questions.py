"""Critical questions are marked where they are answered, and the grade page says why it suggests
what it does."""

import pytest
from django.urls import reverse

from audit_app.audits import selectors
from audit_app.audits.models import Answer, AnswerValue
from tests.walk_helpers import agreed_audit, allocated_audit, answer_everything

pytestmark = pytest.mark.django_db


def _critical_and_not(audit):
    questions = [q for s in selectors.audit_walk(audit).sections for q in s.questions]
    return (
        next(q for q in questions if q.is_critical),
        next(q for q in questions if not q.is_critical),
    )


def test_walk_grading_marks_the_questions_that_can_suggest_inadequate(reference_data):
    audit = allocated_audit()
    walk = selectors.audit_walk(audit)
    grading = selectors.walk_grading(walk)
    questions = [q for s in walk.sections for q in s.questions]
    # The fixture's rules: "No" on a critical question suggests inadequate, on any other less.
    assert grading.critical_ids == {q.pk for q in questions if q.is_critical}
    assert grading.critical_ids


def test_section_page_tags_critical_questions_beside_the_question(client, reference_data):
    audit = allocated_audit()
    critical, plain = _critical_and_not(audit)
    client.force_login(audit.auditor)
    page = client.get(reverse("audit_section", args=[audit.pk, critical.section.code]))
    html = page.content.decode()
    tag = '<strong class="govuk-tag govuk-tag--grey">Critical</strong></legend>'
    assert f"{critical.number}. {critical.text} {tag}" in html
    if plain.section_id == critical.section_id:
        assert f"{plain.number}. {plain.text}</legend>" in html


def test_grade_page_names_the_answer_that_made_it_inadequate(client, reference_data):
    audit = allocated_audit()
    answer_everything(audit, "yes")
    critical, _ = _critical_and_not(audit)
    Answer.objects.filter(audit=audit, question=critical).update(
        value=AnswerValue.NO, comment="Not done."
    )
    client.force_login(audit.auditor)
    html = client.get(reverse("audit_grade", args=[audit.pk])).content.decode()
    assert "the suggested grade is <strong>inadequate</strong>" in html
    assert f"Inadequate because question {critical.number} ({critical.code}) was No." in html


def test_grade_page_explains_nothing_when_the_suggestion_is_good(client, reference_data):
    audit = allocated_audit()
    answer_everything(audit, "yes")
    client.force_login(audit.auditor)
    html = client.get(reverse("audit_grade", args=[audit.pk])).content.decode()
    assert "the suggested grade is <strong>good</strong>" in html
    assert "because" not in html


def test_moderation_page_tags_critical_questions(client, reference_data):
    audit, moderator = agreed_audit()
    critical, _ = _critical_and_not(audit)
    client.force_login(moderator)
    html = client.get(reverse("moderate_audit", args=[audit.pk])).content.decode()
    assert f"{critical.number}. {critical.text} " in html
    assert ">Critical</strong>" in html
