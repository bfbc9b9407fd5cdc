"""The moderation page built for decisions: answers to look at first, finding themes suggested
from the answers (and the audit manager's map behind them), "Save and give feedback", and the
queue's columns."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit_app.audits import grading, selectors, services
from audit_app.audits.models import (
    AnswerValue,
    AuditState,
    FindingTheme,
    Grade,
    ModerationPolicy,
    Question,
)
from audit_app.models import Area, Role
from tests import factories
from tests.walk_helpers import allocated_audit, submit

pytestmark = pytest.mark.django_db

SUPERVISION = "Supervision lacking"


@pytest.fixture
def west(reference_data) -> Area:
    return Area.objects.get(code="west")


def blind_share(area: Area, percent: int) -> None:
    ModerationPolicy.objects.update_or_create(
        force=area.force, defaults={"blind_share_percent": percent}
    )


@pytest.fixture
def no_blind(west) -> None:
    blind_share(west, 0)


def answered_audit(failing: dict[str, str] | None = None, grade: str = Grade.GOOD, **kwargs):
    """A West audit of a DA case submitted with every answer Yes but those in `failing`
    ({question code: value})."""
    failing = failing or {}
    audit = allocated_audit(**kwargs)
    for progress in selectors.audit_walk(audit).sections:
        answers = {}
        for question in progress.questions:
            value = failing.get(question.code, AnswerValue.YES)
            comment = f"Comment on {question.code}." if grading.is_failed(value) else ""
            answers[question.pk] = services.AnswerInput(value, comment)
        services.audit_section_save(
            audit=audit,
            by=audit.auditor,
            section_code=progress.section.code,
            answers=answers,
            seen_fingerprint=None,
        )
    return submit(audit, grade=grade, reason="The auditor's view of the case.")


def question(code: str) -> Question:
    return Question.objects.get(question_set__version=1, code=code)


def west_moderator(west: Area):
    return factories.user_with_role(Role.MODERATOR, west)


def force_manager(west: Area):
    return factories.user_with_role(Role.AUDIT_MANAGER, None, force=west.force)


# --- Answers to look at ---------------------------------------------------------------------------


def test_failed_answers_are_defined_once():
    assert grading.FAILED_ANSWERS == (AnswerValue.PARTLY, AnswerValue.NO)
    assert grading.failed_answer_labels() == "Partly or No"
    assert not grading.is_failed(AnswerValue.YES) and not grading.is_failed("na")


def test_failing_and_critical_answers_come_first_and_the_rest_by_section(no_blind):
    audit = answered_audit({"Q09": AnswerValue.NO, "Q18": AnswerValue.PARTLY})
    walk = selectors.audit_walk(audit)
    answers = selectors.moderation_answers(walk, selectors.walk_grading(walk))
    first = [row.question.code for row in answers.to_look_at]
    # Q09 and Q18 failed; Q01, Q07, Q10, Q11, Q17 and Q20 are critical (answered Yes).
    assert first == ["Q01", "Q07", "Q09", "Q10", "Q11", "Q17", "Q18", "Q20"]
    assert [row.is_failed for row in answers.to_look_at].count(True) == 2
    rest = [row.question.code for group in answers.others for row in group.rows]
    assert "Q04" in rest and not set(first) & set(rest)
    assert all(row.answer.value == AnswerValue.YES for g in answers.others for row in g.rows)


def test_the_page_shows_answers_to_look_at_first_and_collapses_the_rest(client, west, no_blind):
    audit = answered_audit({"Q09": AnswerValue.NO}, grade=Grade.REQUIRES_IMPROVEMENT)
    client.force_login(west_moderator(west))
    html = client.get(reverse("moderate_audit", args=[audit.pk])).content.decode()
    look_at = html.index("Answers to look at")
    others = html.index("Other answers")
    failed, critical, plain = question("Q09"), question("Q07"), question("Q04")
    assert look_at < html.index(failed.text) < others
    assert look_at < html.index(critical.text) < others
    assert html.index(plain.text) > others
    # The failed answer with its section, number, answer and the auditor's comment, inset.
    part = html[look_at:others]
    item = re.search(
        r'<li class="govuk-inset-text[^"]*">(?:(?!</li>).)*Q09(?:(?!</li>).)*</li>', part, re.S
    )
    assert item, "question 9 is in an inset of its own"
    text = item.group(0)
    assert f"9. {failed.text}" in text
    assert "C. Risk and safeguarding" in text
    assert "<strong>No</strong>" in text and "Comment on Q09." in text
    assert ">Critical</strong>" in part
    # The rest: in GOV.UK details by section, shut until opened (no JavaScript needed).
    details = re.findall(r'<details class="govuk-details">(.*?)</details>', html[others:], re.S)
    assert details and any(plain.text in d for d in details)
    assert "B. The voice of the child" in html[others:]
    assert "open" not in re.findall(r"<details[^>]*>", html[others:])[0]
    # The suggested grade and the answer that drove it, beside the auditor's grade.
    grade = html[html.index("The auditor's grade") : look_at]
    assert "Suggested grade" in grade and "because question 9 (Q09) was No" in grade


def test_a_blind_audit_still_asks_for_the_blind_grade_first(client, west):
    blind_share(west, 100)
    audit = answered_audit({"Q09": AnswerValue.NO}, grade=Grade.INADEQUATE)
    assert audit.is_blind
    client.force_login(west_moderator(west))
    html = client.get(reverse("moderate_audit", args=[audit.pk])).content.decode()
    assert "Answers to look at" not in html
    assert "Comment on Q09." not in html and "Suggested because" not in html


# --- Finding themes suggested from the answers ----------------------------------------------------


def test_themes_are_suggested_from_the_map(no_blind):
    supervision = FindingTheme.objects.get(name=SUPERVISION)
    assert supervision.evidence_question_codes == ["Q17", "Q18"]  # the fixture's map
    retired = factories.FindingThemeFactory(
        name="Retired", is_active=False, evidence_question_codes=["Q18"]
    )
    free = factories.FindingThemeFactory(
        name="Free", is_controlled=False, evidence_question_codes=["Q18"]
    )
    audit = answered_audit({"Q18": AnswerValue.PARTLY, "Q16": AnswerValue.NO})
    suggestions = selectors.suggested_finding_themes(selectors.audit_walk(audit))
    by_name = {s.theme.name: s for s in suggestions}
    assert set(by_name) == {SUPERVISION, "Avoidable delay in investigation"}
    assert by_name[SUPERVISION].hint == "Suggested because question 18 was Partly"
    assert retired.name not in by_name and free.name not in by_name


def test_a_theme_is_not_suggested_by_yes_answers(no_blind):
    audit = answered_audit()
    assert selectors.suggested_finding_themes(selectors.audit_walk(audit)) == []


def test_the_hint_names_every_failing_mapped_answer(no_blind):
    audit = answered_audit({"Q17": AnswerValue.NO, "Q18": AnswerValue.PARTLY})
    [supervision] = [
        s
        for s in selectors.suggested_finding_themes(selectors.audit_walk(audit))
        if s.theme.name == SUPERVISION
    ]
    assert supervision.hint == "Suggested because question 17 was No and question 18 was Partly"


def test_suggested_themes_are_ticked_and_unticking_removes_them(client, west, no_blind):
    audit = answered_audit({"Q18": AnswerValue.PARTLY, "Q16": AnswerValue.NO})
    supervision = FindingTheme.objects.get(name=SUPERVISION)
    delay = FindingTheme.objects.get(name="Avoidable delay in investigation")
    client.force_login(west_moderator(west))
    url = reverse("moderate_audit", args=[audit.pk])
    html = client.get(url).content.decode()
    box = re.search(rf'<input[^>]*value="{supervision.pk}"[^>]*>', html).group(0)
    assert "checked" in box and "aria-describedby" in box
    assert "Suggested because question 18 was Partly" in html
    other = FindingTheme.objects.get(name="Missed referral")
    assert "checked" not in re.search(rf'<input[^>]*value="{other.pk}"[^>]*>', html).group(0)
    # The moderator keeps the delay and unticks supervision: what stays ticked is saved.
    response = client.post(
        url, {"decision": "agreed", "revision": audit.revision, "themes": [delay.pk]}
    )
    assert response.status_code == 302
    assert list(audit.moderations.get().themes.all()) == [delay]


# --- The map: which questions suggest each theme --------------------------------------------------


def test_the_map_service_keeps_known_codes_in_question_order(west):
    theme = FindingTheme.objects.get(name=SUPERVISION)
    manager = force_manager(west)
    services.finding_theme_map_set(theme=theme, question_codes=["Q18", "Q03", "Q18"], by=manager)
    theme.refresh_from_db()
    assert theme.evidence_question_codes == ["Q03", "Q18"]
    assert theme.history.first().history_user == manager


def test_the_map_service_refuses_unknown_codes(west):
    theme = FindingTheme.objects.get(name=SUPERVISION)
    with pytest.raises(ValidationError, match="Q99 is not a question of question set v1"):
        services.finding_theme_map_set(
            theme=theme, question_codes=["Q17", "Q99"], by=force_manager(west)
        )
    theme.refresh_from_db()
    assert theme.evidence_question_codes == ["Q17", "Q18"]


def test_the_map_service_refuses_a_theme_off_the_list(west):
    free = factories.FindingThemeFactory(name="Free", is_controlled=False)
    with pytest.raises(ValidationError, match="not on the list"):
        services.finding_theme_map_set(theme=free, question_codes=["Q17"], by=force_manager(west))


def test_the_audit_manager_edits_the_map(client, west):
    client.force_login(force_manager(west))
    settings_page = client.get(reverse("moderation_settings")).content.decode()
    url = reverse("moderation_theme_questions")
    assert url in settings_page
    listing = client.get(url).content.decode()
    assert SUPERVISION in listing and "17 (Q17)" in listing
    theme = FindingTheme.objects.get(name=SUPERVISION)
    page = client.get(url, {"theme": theme.pk}).content.decode()
    q17 = question("Q17")
    box = re.search(r'<input[^>]*value="Q17"[^>]*>', page).group(0)
    assert "checked" in box
    assert f"17. {q17.text}" in page and "Q17, section F" in page
    response = client.post(url, {"theme": theme.pk, "question_codes": ["Q17", "Q19"]})
    assert response.status_code == 302 and response["Location"] == url
    theme.refresh_from_db()
    assert theme.evidence_question_codes == ["Q17", "Q19"]
    client.post(url, {"theme": theme.pk})
    theme.refresh_from_db()
    assert theme.evidence_question_codes == []


def test_the_map_page_refuses_an_unknown_code_with_an_error_summary(client, west):
    client.force_login(force_manager(west))
    theme = FindingTheme.objects.get(name=SUPERVISION)
    url = reverse("moderation_theme_questions")
    response = client.post(url, {"theme": theme.pk, "question_codes": ["Q17", "Q99"]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Q99 is not a question of the current question set" in html
    assert 'href="#id_question_codes"' in html and 'id="id_question_codes"' in html
    theme.refresh_from_db()
    assert theme.evidence_question_codes == ["Q17", "Q18"]


def test_the_map_page_refuses_themes_off_the_list(client, west):
    client.force_login(force_manager(west))
    url = reverse("moderation_theme_questions")
    free = factories.FindingThemeFactory(name="Free", is_controlled=False)
    assert client.get(url, {"theme": free.pk}).status_code == 404
    assert client.get(url, {"theme": "x"}).status_code == 404
    assert client.post(url, {"theme": free.pk, "question_codes": ["Q17"]}).status_code == 400
    free.refresh_from_db()
    assert free.evidence_question_codes == []


def test_only_a_force_wide_audit_manager_edits_the_map(client, west):
    url = reverse("moderation_theme_questions")
    theme = FindingTheme.objects.get(name=SUPERVISION)
    for user in (
        factories.user_with_role(Role.AUDIT_MANAGER, west),
        west_moderator(west),
    ):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"theme": theme.pk, "question_codes": ["Q01"]}).status_code == 403
    theme.refresh_from_db()
    assert theme.evidence_question_codes == ["Q17", "Q18"]


# --- Save and give feedback -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decision", "then", "goes_to"),
    [
        ({"decision": "agreed"}, "feedback", "audit_feedback"),
        (
            {"decision": "changed", "agreed_grade": "inadequate", "reason": "Left at risk."},
            "feedback",
            "audit_feedback",
        ),
        ({"decision": "returned", "comments": "Look again at C."}, "feedback", "moderation_queue"),
        ({"decision": "agreed"}, "", "moderation_queue"),
    ],
)
def test_save_and_give_feedback(client, west, no_blind, decision, then, goes_to):
    audit = answered_audit()
    client.force_login(west_moderator(west))
    url = reverse("moderate_audit", args=[audit.pk])
    assert "Save and give feedback" in client.get(url).content.decode()
    response = client.post(url, {**decision, "then": then, "revision": audit.revision})
    assert response.status_code == 302
    expected = (
        reverse(goes_to, args=[audit.pk]) if goes_to == "audit_feedback" else reverse(goes_to)
    )
    assert response["Location"] == expected
    assert audit.moderations.get().decision == decision["decision"]


def test_save_and_give_feedback_refused_decision_stays_on_the_page(client, west, no_blind):
    audit = answered_audit()
    client.force_login(west_moderator(west))
    url = reverse("moderate_audit", args=[audit.pk])
    response = client.post(
        url, {"decision": "changed", "then": "feedback", "revision": audit.revision}
    )
    assert response.status_code == 200
    assert "Select the grade you are changing it to" in response.content.decode()
    assert not audit.moderations.exists()
    tampered = client.post(url, {"decision": "agreed", "then": "elsewhere", "revision": 0})
    assert tampered.status_code == 400


# --- The queue ------------------------------------------------------------------------------------


def _queue_row(html: str, reference: str) -> str:
    return re.search(rf"<tr\b(?:(?!</tr>).)*{reference}.*?</tr>", html, re.S).group(0)


def test_the_queue_shows_each_audits_columns_and_hides_a_blind_grade(client, west):
    blind_share(west, 0)
    seen = answered_audit(grade=Grade.GOOD)
    blind_share(west, 100)
    blind = answered_audit(grade=Grade.INADEQUATE)
    assert blind.is_blind and not seen.is_blind
    moderator = west_moderator(west)
    client.force_login(moderator)
    html = client.get(reverse("moderation_queue")).content.decode()
    for heading in ("Case", "Theme", "Team", "Auditor", "Days waiting", "Auditor's grade"):
        assert f">{heading}</th>" in html, heading
    row = _queue_row(html, seen.case.reference)
    assert seen.case.theme.code in row
    assert f"{seen.case.team.name} ({seen.case.team.get_team_type_display().lower()})" in row
    assert seen.auditor.display_name in row
    assert ">Good</strong>" in row and ">Submitted</strong>" in row
    assert re.search(r">0<span class=\"govuk-visually-hidden\"> days since", row)
    hidden = _queue_row(html, blind.case.reference)
    assert "Inadequate" not in hidden and "Shown once you record your own grade" in hidden
    # Once the blind grade is recorded the auditor's grade is shown.
    services.blind_grade_record(audit=blind, moderator=moderator, grade=Grade.GOOD)
    html = client.get(reverse("moderation_queue")).content.decode()
    assert ">Inadequate</strong>" in _queue_row(html, blind.case.reference)


def test_days_waiting_count_from_submission(west, no_blind):
    audit = answered_audit()
    moderator = west_moderator(west)
    today = timezone.localdate(audit.submitted_at) + datetime.timedelta(days=6)
    rows = selectors.moderation_queue_rows(
        selectors.moderation_queue(moderator), moderator, today=today
    )
    [row] = [r for r in rows if r.audit.pk == audit.pk]
    assert row.days_waiting == 6 and not row.grade_hidden


def test_the_queue_query_count_is_flat(client, west):
    blind_share(west, 50)
    moderator = west_moderator(west)
    template = answered_audit()
    client.force_login(moderator)

    def make(n: int) -> None:
        factories.AuditFactory.create_batch(
            n,
            round=template.round,
            case__area=west,
            case__theme=template.case.theme,
            case__team=template.case.team,
            question_set=template.question_set,
            state=AuditState.SUBMITTED,
            grade=Grade.GOOD,
            submitted_at=template.submitted_at,
            is_blind=True,
        )

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("moderation_queue")).status_code == 200
        return len(captured)

    make(4)
    few = count()
    make(8)
    assert count() == few
