"""The walk's pages: wiring, permissions, refusals and the two-tab conflict."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit_app.audits import selectors, services
from audit_app.audits.models import Answer, AuditState
from audit_app.models import Role
from tests import factories
from tests.walk_helpers import allocated_audit, answer_everything, submit

pytestmark = pytest.mark.django_db


def section_post(audit, code, value="yes", action="continue", fingerprint=None, comment=""):
    section = selectors.audit_walk(audit).section(code)
    data = {"action": action}
    if fingerprint is not None:
        data["fingerprint"] = fingerprint
    for question in section.questions:
        data[f"q{question.pk}"] = value
        data[f"q{question.pk}-comment"] = comment
    return section, data


def test_walk_pages_of_another_auditors_audit_are_404(client, reference_data):
    audit = allocated_audit()
    intruder = factories.user_with_role(Role.AUDITOR, audit.round.area)
    client.force_login(intruder)
    for name, args in [
        ("audit_overview", [audit.pk]),
        ("audit_section", [audit.pk, "A"]),
        ("audit_check", [audit.pk]),
        ("audit_grade", [audit.pk]),
        ("escalation_new", [audit.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name
    _, data = section_post(audit, "A")
    assert client.post(reverse("audit_section", args=[audit.pk, "A"]), data).status_code == 404
    assert not audit.answers.exists()


def test_the_audit_manager_reads_but_cannot_edit(client, reference_data):
    audit = allocated_audit()
    manager = factories.user_with_role(Role.AUDIT_MANAGER, audit.round.area)
    client.force_login(manager)
    check = client.get(reverse("audit_check", args=[audit.pk]))
    assert check.status_code == 200
    assert "You can read this audit but not change it" in check.content.decode()
    assert client.get(reverse("audit_section", args=[audit.pk, "A"])).status_code == 403
    east_manager = factories.user_with_role(
        Role.AUDIT_MANAGER, audit.round.area.force.areas.get(code="east")
    )
    client.force_login(east_manager)
    assert client.get(reverse("audit_check", args=[audit.pk])).status_code == 404


def test_save_and_continue_goes_to_the_next_section(client, reference_data):
    audit = allocated_audit()
    client.force_login(audit.auditor)
    _, data = section_post(audit, "A")
    response = client.post(reverse("audit_section", args=[audit.pk, "A"]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("audit_section", args=[audit.pk, "B"])
    audit.refresh_from_db()
    assert audit.state == AuditState.IN_PROGRESS


def test_save_and_come_back_later_keeps_partial_work(client, reference_data):
    audit = allocated_audit()
    client.force_login(audit.auditor)
    section = selectors.audit_walk(audit).section("A")
    first = section.questions[0]
    response = client.post(
        reverse("audit_section", args=[audit.pk, "A"]),
        {"action": "later", f"q{first.pk}": "yes"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("audit_overview", args=[audit.pk])
    assert list(audit.answers.values_list("question_id", flat=True)) == [first.pk]
    overview = client.get(response["Location"]).content.decode()
    assert "1 of 3 answered" in overview


def test_missing_answers_and_comments_show_an_error_summary_and_keep_input(client, reference_data):
    audit = allocated_audit()
    client.force_login(audit.auditor)
    section = selectors.audit_walk(audit).section("A")
    q1, q2 = section.questions[0], section.questions[1]
    response = client.post(
        reverse("audit_section", args=[audit.pk, "A"]),
        {"action": "continue", f"q{q1.pk}": "no", f"q{q2.pk}-comment": "kept text"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in content
    assert f"Explain your answer of No to question {q1.number}" in content
    assert f"Select an answer to question {q2.number}" in content
    assert "kept text" in content
    assert not audit.answers.exists()


def test_an_overlong_comment_has_a_clear_message(client, reference_data):
    audit = allocated_audit()
    client.force_login(audit.auditor)
    _, data = section_post(audit, "A", value="no", comment="x" * 2001)
    response = client.post(reverse("audit_section", args=[audit.pk, "A"]), data)
    assert "must be 2000 characters or fewer" in response.content.decode()
    assert not audit.answers.exists()


@pytest.mark.parametrize(
    "tamper",
    ["foreign-question", "bad-value", "other-section"],
)
def test_tampered_posts_are_refused_and_change_nothing(client, reference_data, tamper):
    audit = allocated_audit()
    client.force_login(audit.auditor)
    section, data = section_post(audit, "A")
    if tamper == "foreign-question":
        data[f"q{factories.QuestionFactory().pk}"] = "yes"
    elif tamper == "bad-value":
        data[f"q{section.questions[0].pk}"] = "outstanding"
    else:
        data[f"q{selectors.audit_walk(audit).section('B').questions[0].pk}"] = "yes"
    response = client.post(reverse("audit_section", args=[audit.pk, "A"]), data)
    assert response.status_code == 400
    assert "Nothing was changed" in response.content.decode()
    assert not audit.answers.exists()


def test_a_section_of_another_audits_set_is_404(client, reference_data):
    audit = allocated_audit("DA")
    client.force_login(audit.auditor)
    assert client.get(reverse("audit_section", args=[audit.pk, "H"])).status_code == 404
    assert client.get(reverse("audit_section", args=[audit.pk, "Z"])).status_code == 404


def test_two_tabs_show_a_conflict_with_both_versions(client, reference_data):
    audit = allocated_audit()
    client.force_login(audit.auditor)
    opened = client.get(reverse("audit_section", args=[audit.pk, "A"])).context["form"]
    fingerprint = opened.initial["fingerprint"]
    _, first_tab = section_post(audit, "A", value="no", comment="Tab one", fingerprint=fingerprint)
    assert client.post(reverse("audit_section", args=[audit.pk, "A"]), first_tab).status_code == 302
    _, second_tab = section_post(audit, "A", value="yes", fingerprint=fingerprint)
    response = client.post(reverse("audit_section", args=[audit.pk, "A"]), second_tab)
    content = response.content.decode()
    assert response.status_code == 409
    assert "changed in another tab" in content
    assert "No: Tab one" in content and "Yes" in content
    assert set(audit.answers.values_list("value", flat=True)) == {"no"}
    keep_mine = dict(second_tab, fingerprint=response.context["form"]["fingerprint"].value())
    assert client.post(reverse("audit_section", args=[audit.pk, "A"]), keep_mine).status_code == 302
    assert set(audit.answers.values_list("value", flat=True)) == {"yes"}


def test_grade_page_shows_the_suggestion_and_needs_a_reason_to_differ(client, reference_data):
    audit = allocated_audit()
    answer_everything(audit, "no")
    audit.refresh_from_db()
    client.force_login(audit.auditor)
    page = client.get(reverse("audit_grade", args=[audit.pk]))
    assert "the suggested grade is <strong>inadequate</strong>" in page.content.decode()
    response = client.post(
        reverse("audit_grade", args=[audit.pk]), {"grade": "good", "revision": audit.revision}
    )
    assert "Explain why your grade differs" in response.content.decode()
    audit.refresh_from_db()
    assert audit.state == AuditState.IN_PROGRESS
    tampered = client.post(
        reverse("audit_grade", args=[audit.pk]),
        {"grade": "outstanding", "revision": audit.revision},
    )
    assert tampered.status_code == 400
    response = client.post(
        reverse("audit_grade", args=[audit.pk]),
        {"grade": "inadequate", "revision": audit.revision, "areas_for_improvement": "Refer."},
    )
    assert response["Location"] == reverse("audit_submitted", args=[audit.pk])
    audit.refresh_from_db()
    assert audit.state == AuditState.SUBMITTED and audit.grade == "inadequate"


def test_a_submitted_audit_cannot_be_edited_through_the_pages(client, reference_data):
    audit = allocated_audit()
    answer_everything(audit)
    submit(audit)
    client.force_login(audit.auditor)
    _, data = section_post(audit, "A", value="no", comment="Late change")
    response = client.post(reverse("audit_section", args=[audit.pk, "A"]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("audit_check", args=[audit.pk])
    assert not Answer.objects.filter(audit=audit, value="no").exists()
    assert client.get(reverse("audit_grade", args=[audit.pk])).status_code == 302


def test_a_stale_grade_form_is_refused_with_a_message(client, reference_data):
    audit = allocated_audit()
    answer_everything(audit)
    audit.refresh_from_db()
    client.force_login(audit.auditor)
    response = client.post(
        reverse("audit_grade", args=[audit.pk]), {"grade": "good", "revision": audit.revision - 1}
    )
    assert response.status_code == 409
    assert "changed since you opened the page" in response.content.decode()


def test_raising_an_escalation_from_a_section_returns_there(client, reference_data):
    audit = allocated_audit()
    client.force_login(audit.auditor)
    back = reverse("audit_section", args=[audit.pk, "C"])
    response = client.post(
        reverse("escalation_new", args=[audit.pk]),
        {"concern": "No bail conditions; suspect at home.", "back": back},
    )
    assert response["Location"] == back
    escalation = audit.escalations.get()
    moderator = factories.user_with_role(Role.MODERATOR, audit.round.area)
    client.force_login(moderator)
    home = client.get(reverse("home")).content.decode()
    assert reverse("escalation_detail", args=[escalation.pk]) in home
    resolved = client.post(
        reverse("escalation_detail", args=[escalation.pk]),
        {"response": "Visited the same day.", "action_taken_on": "01/11/2026"},
    )
    assert resolved.status_code == 302
    escalation.refresh_from_db()
    assert escalation.state == "resolved"


def test_an_empty_escalation_is_refused_with_a_message(client, reference_data):
    audit = allocated_audit()
    client.force_login(audit.auditor)
    response = client.post(reverse("escalation_new", args=[audit.pk]), {"concern": ""})
    assert "Describe why the child may still be at risk" in response.content.decode()
    assert not audit.escalations.exists()


def test_escalation_of_another_area_is_404(client, reference_data):
    escalation = factories.SafeguardingEscalationFactory(audit=allocated_audit())
    east = escalation.audit.round.area.force.areas.get(code="east")
    client.force_login(factories.user_with_role(Role.MODERATOR, east))
    assert client.get(reverse("escalation_detail", args=[escalation.pk])).status_code == 404


def test_a_senior_leader_sees_but_cannot_resolve_an_escalation(client, reference_data):
    escalation = factories.SafeguardingEscalationFactory(audit=allocated_audit())
    leader = factories.user_with_role(Role.SENIOR_LEADER, escalation.audit.round.area)
    client.force_login(leader)
    assert client.get(reverse("escalation_detail", args=[escalation.pk])).status_code == 200
    response = client.post(
        reverse("escalation_detail", args=[escalation.pk]),
        {"response": "Done", "action_taken_on": "01/11/2026"},
    )
    assert response.status_code == 403
    escalation.refresh_from_db()
    assert escalation.state == "open"


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def test_walk_page_queries_do_not_grow_with_the_number_of_audits(client, reference_data):
    audit = allocated_audit()
    answer_everything(audit, "partly")
    services.escalation_raise(audit=audit, by=audit.auditor, concern="At risk")
    client.force_login(audit.auditor)
    urls = [
        reverse("home"),
        reverse("my_audits"),
        reverse("audit_overview", args=[audit.pk]),
        reverse("audit_section", args=[audit.pk, "C"]),
        reverse("audit_check", args=[audit.pk]),
        reverse("audit_grade", args=[audit.pk]),
    ]
    before = {url: _queries(client, url) for url in urls}
    for _ in range(9):
        allocated_audit(auditor=audit.auditor)
    ten = {url: _queries(client, url) for url in urls}
    factories.AuditFactory.create_batch(
        990,
        round=audit.round,
        case__area=audit.round.area,
        case__theme=audit.case.theme,
        case__team=audit.case.team,
        auditor=audit.auditor,
        question_set=audit.question_set,
    )
    thousand = {url: _queries(client, url) for url in urls}
    assert ten == thousand, f"1: {before}\n10: {ten}\n1000: {thousand}"


def test_overdue_audits_stand_out_and_earlier_rounds_are_read_only(client, reference_data):
    import datetime

    from audit_app.audits.models import AuditRound

    current = allocated_audit()
    earlier_round = AuditRound.objects.create(
        area=current.round.area,
        month=datetime.date(2025, 1, 1),
        state="closed",
        due_date=datetime.date(2025, 1, 31),
    )
    late = allocated_audit(auditor=current.auditor, round=earlier_round)
    client.force_login(current.auditor)
    page = client.get(reverse("my_audits")).content.decode()
    assert page.count("Overdue") == 1
    assert "Closed: read only" in page
    overview = client.get(reverse("audit_overview", args=[late.pk])).content.decode()
    assert reverse("audit_section", args=[late.pk, "A"]) not in overview
    assert client.get(reverse("audit_section", args=[late.pk, "A"])).status_code == 302
