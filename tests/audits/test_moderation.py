"""Moderation: the state machine, the rules, permissions, blind moderation and consistency."""

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit_app.audits import selectors, services
from audit_app.audits.models import (
    AuditEventKind,
    AuditState,
    FindingTheme,
    Grade,
    Moderation,
    ModerationDecision,
    ModerationPolicy,
)
from audit_app.audits.services import ModerationInput
from audit_app.models import Area, Role
from tests import factories
from tests.walk_helpers import allocated_audit, answer_everything, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_blind(reference_data):
    """Moderation is not blind unless a test says so."""
    force = Area.objects.get(code="west").force
    ModerationPolicy.objects.update_or_create(force=force, defaults={"blind_share_percent": 0})


def submitted_audit(grade: str = Grade.GOOD, value: str = "yes", reason: str = "") -> object:
    audit = allocated_audit()
    answer_everything(audit, value)
    return submit(audit, grade=grade, reason=reason)


def west_moderator():
    return factories.user_with_role(Role.MODERATOR, Area.objects.get(code="west"))


def decide(audit, moderator, **kwargs):
    audit.refresh_from_db()
    return services.moderation_record(
        audit=audit,
        moderator=moderator,
        decision=ModerationInput(**kwargs),
        seen_revision=audit.revision,
    )


def test_submitted_returned_resubmitted_moderated(no_blind, django_capture_on_commit_callbacks):
    audit = submitted_audit()
    moderator = west_moderator()
    with django_capture_on_commit_callbacks(execute=True):
        decide(
            audit,
            moderator,
            decision=ModerationDecision.RETURNED,
            section_comments={"F": "Which supervisory entries?"},
        )
    audit.refresh_from_db()
    assert audit.state == AuditState.RETURNED
    assert [m.to for m in mail.outbox] == [[audit.auditor.email]]
    submit(audit, grade=Grade.GOOD)
    audit.refresh_from_db()
    assert audit.state == AuditState.SUBMITTED
    decide(
        audit,
        moderator,
        decision=ModerationDecision.CHANGED,
        agreed_grade=Grade.REQUIRES_IMPROVEMENT,
        reason="Supervision was only acknowledged.",
        theme_ids=(FindingTheme.objects.get(name="Supervision lacking").pk,),
        new_theme_names=("Log not flagged",),
    )
    audit.refresh_from_db()
    assert audit.state == AuditState.MODERATED
    assert audit.grade == Grade.GOOD  # the auditor's grade stays on record
    final = audit.moderations.order_by("-created_at").first()
    assert (final.original_grade, final.agreed_grade) == (Grade.GOOD, Grade.REQUIRES_IMPROVEMENT)
    audit.refresh_from_db()
    assert (audit.grade, audit.moderated_grade) == (Grade.GOOD, Grade.REQUIRES_IMPROVEMENT)
    assert {t.name for t in final.themes.all()} == {"Supervision lacking", "Log not flagged"}
    assert not FindingTheme.objects.get(name="Log not flagged").is_controlled
    kinds = list(selectors.audit_history(audit).values_list("kind", flat=True))
    assert kinds == [
        AuditEventKind.STARTED,
        AuditEventKind.SUBMITTED,
        AuditEventKind.RETURNED,
        AuditEventKind.SUBMITTED,
        AuditEventKind.CHANGED,
    ]


def test_agreeing_keeps_the_grade(no_blind):
    audit = submitted_audit()
    moderation = decide(audit, west_moderator(), decision=ModerationDecision.AGREED)
    assert moderation.agreed_grade == moderation.original_grade == Grade.GOOD


@pytest.mark.parametrize(
    ("decision", "message"),
    [
        ({"decision": "changed", "agreed_grade": "inadequate"}, "reason"),
        ({"decision": "changed", "agreed_grade": "good", "reason": "x"}, "same as the auditor"),
        ({"decision": "returned"}, "look at again"),
        ({"decision": "returned", "section_comments": {"Z": "?"}}, "not in this audit"),
        ({"decision": "promoted"}, "not a moderation decision"),
    ],
)
def test_refused_decisions_change_nothing(no_blind, decision, message):
    audit = submitted_audit()
    with pytest.raises(ValidationError, match=message):
        decide(audit, west_moderator(), **decision)
    audit.refresh_from_db()
    assert audit.state == AuditState.SUBMITTED
    assert not audit.moderations.exists()


def test_a_moderator_cannot_moderate_their_own_audit(no_blind):
    area = Area.objects.get(code="west")
    both = factories.user_with_role(Role.AUDITOR, area)
    factories.RoleAssignmentFactory(user=both, role=Role.MODERATOR, area=area)
    audit = allocated_audit(auditor=both)
    answer_everything(audit)
    submit(audit)
    with pytest.raises(PermissionDenied, match="you wrote"):
        decide(audit, both, decision=ModerationDecision.AGREED)
    assert not Moderation.objects.exists()


def test_a_decision_on_a_changed_audit_is_refused(no_blind):
    audit = submitted_audit()
    stale = audit.revision - 1
    with pytest.raises(services.AuditChanged):
        services.moderation_record(
            audit=audit,
            moderator=west_moderator(),
            decision=ModerationInput(decision=ModerationDecision.AGREED),
            seen_revision=stale,
        )
    assert not audit.moderations.exists()


def test_blind_moderation_needs_the_moderators_grade_first(reference_data):
    force = Area.objects.get(code="west").force
    ModerationPolicy.objects.update_or_create(force=force, defaults={"blind_share_percent": 100})
    audit = submitted_audit(grade=Grade.GOOD)
    assert audit.is_blind
    moderator = west_moderator()
    with pytest.raises(ValidationError, match="own grade first"):
        decide(audit, moderator, decision=ModerationDecision.AGREED)
    services.blind_grade_record(audit=audit, moderator=moderator, grade=Grade.INADEQUATE)
    moderation = decide(audit, moderator, decision=ModerationDecision.AGREED)
    assert moderation.is_blind and moderation.blind_grade == Grade.INADEQUATE


def test_no_audit_is_blind_at_a_zero_share(reference_data):
    force = Area.objects.get(code="west").force
    ModerationPolicy.objects.update_or_create(force=force, defaults={"blind_share_percent": 0})
    assert not submitted_audit().is_blind


def test_moderator_of_another_area_gets_404(client, no_blind):
    audit = submitted_audit()
    east = factories.user_with_role(Role.MODERATOR, Area.objects.get(code="east"))
    client.force_login(east)
    assert client.get(reverse("moderate_audit", args=[audit.pk])).status_code == 404
    response = client.post(
        reverse("moderate_audit", args=[audit.pk]),
        {"decision": "agreed", "revision": audit.revision},
    )
    assert response.status_code == 404
    assert not audit.moderations.exists()


def test_other_roles_are_refused_the_moderation_pages(client, no_blind):
    audit = submitted_audit()
    client.force_login(audit.auditor)
    assert client.get(reverse("moderation_queue")).status_code == 403
    assert client.get(reverse("moderate_audit", args=[audit.pk])).status_code == 403


def test_moderating_through_the_page(client, no_blind):
    audit = submitted_audit()
    moderator = west_moderator()
    client.force_login(moderator)
    queue = client.get(reverse("moderation_queue"))
    assert audit.case.reference in queue.content.decode()
    page = client.get(reverse("moderate_audit", args=[audit.pk]))
    assert "Your decision" in page.content.decode()
    refused = client.post(
        reverse("moderate_audit", args=[audit.pk]),
        {"decision": "changed", "agreed_grade": "inadequate", "revision": audit.revision},
    )
    assert "Give the reason for changing the grade" in refused.content.decode()
    tampered = client.post(
        reverse("moderate_audit", args=[audit.pk]),
        {"decision": "changed", "agreed_grade": "outstanding", "revision": audit.revision},
    )
    assert tampered.status_code == 400
    response = client.post(
        reverse("moderate_audit", args=[audit.pk]),
        {
            "decision": "changed",
            "agreed_grade": "inadequate",
            "reason": "Child left with the suspect.",
            "revision": audit.revision,
            "publicise_good_practice": "on",
        },
    )
    assert response.status_code == 302
    moderation = audit.moderations.get()
    assert moderation.agreed_grade == Grade.INADEQUATE and moderation.good_practice_to_publicise


def test_own_audit_page_says_why_and_refuses(client, no_blind):
    area = Area.objects.get(code="west")
    both = factories.user_with_role(Role.AUDITOR, area)
    factories.RoleAssignmentFactory(user=both, role=Role.MODERATOR, area=area)
    audit = allocated_audit(auditor=both)
    answer_everything(audit)
    submit(audit)
    client.force_login(both)
    page = client.get(reverse("moderate_audit", args=[audit.pk]))
    assert "You wrote this audit, so you cannot moderate it" in page.content.decode()
    response = client.post(
        reverse("moderate_audit", args=[audit.pk]), {"decision": "agreed", "revision": 99}
    )
    assert response.status_code == 403


def test_queue_filters(client, no_blind):
    audit = submitted_audit()
    client.force_login(west_moderator())
    other_theme = client.get(reverse("moderation_queue"), {"theme": 2})
    assert audit.case.reference not in other_theme.content.decode()
    same = client.get(reverse("moderation_queue"), {"team_type": audit.case.team.team_type})
    assert audit.case.reference in same.content.decode()


def test_consistency_counts_and_kappa(client, no_blind):
    moderator = west_moderator()
    good = submitted_audit()
    decide(good, moderator, decision=ModerationDecision.AGREED)
    worse = submitted_audit()
    decide(
        worse,
        moderator,
        decision=ModerationDecision.CHANGED,
        agreed_grade=Grade.INADEQUATE,
        reason="Left at risk",
    )
    client.force_login(factories.user_with_role(Role.SENIOR_LEADER, Area.objects.get(code="west")))
    response = client.get(reverse("consistency"))
    rows = {row.label: row for row in response.context["rows"]["area"]}
    west = rows["West"]
    assert (west.audits, west.agreed, west.graded_down, west.graded_up) == (2, 1, 1, 0)
    assert not west.reliable
    page = response.content.decode()
    assert "Too few audits" in page
    assert "Graded down by the moderator" in page and "Graded up by the moderator" in page
    assert "Made worse" not in page and "Made better" not in page
    tables = re.findall(r"<table.*?</table>", page, flags=re.S)
    assert tables
    for table in tables:
        headings = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', table, flags=re.S)
        assert len(headings) == len(set(headings)), headings
    bad_period = client.get(reverse("consistency"), {"start": "2026-05", "end": "2026-01"})
    assert "The last month must be the same as or after the first" in bad_period.content.decode()


def test_moderation_pages_queries_do_not_grow(client, no_blind):
    moderator = west_moderator()
    audit = submitted_audit()
    client.force_login(moderator)
    urls = [reverse("moderation_queue"), reverse("moderate_audit", args=[audit.pk])]

    def count(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = {url: count(url) for url in urls}
    for _ in range(3):
        decide(submitted_audit(), moderator, decision=ModerationDecision.AGREED)
    factories.AuditFactory.create_batch(
        50,
        round=audit.round,
        case__area=audit.round.area,
        case__theme=audit.case.theme,
        case__team=audit.case.team,
        question_set=audit.question_set,
        state=AuditState.SUBMITTED,
        grade=Grade.GOOD,
        submitted_at=audit.submitted_at,
    )
    many = {url: count(url) for url in urls}
    assert few == many


def test_the_audit_manager_sets_the_blind_share_and_promotes_themes(client, reference_data):
    area = Area.objects.get(code="west")
    manager = factories.user_with_role(Role.AUDIT_MANAGER, None, force=area.force)
    client.force_login(manager)
    url = reverse("moderation_settings")
    assert client.get(url).status_code == 200
    refused = client.post(url, {"action": "share", "blind_share_percent": "150"})
    assert refused.status_code == 400
    assert "Enter a share from 0 to 100" in refused.content.decode()
    client.post(url, {"action": "share", "blind_share_percent": "35"})
    assert ModerationPolicy.objects.get(force=area.force).blind_share_percent == 35
    free = services.finding_theme_suggest(name="Log  not flagged", by=manager)
    assert free.name == "Log not flagged" and not free.is_controlled
    client.post(url, {"action": "promote", "theme": free.pk})
    free.refresh_from_db()
    assert free.is_controlled
    client.post(url, {"action": "retire", "theme": free.pk})
    free.refresh_from_db()
    assert not free.is_active
    client.force_login(west_moderator())
    assert client.get(url).status_code == 403


def test_the_auditor_sees_the_history_but_not_a_blind_grade(client, reference_data):
    force = Area.objects.get(code="west").force
    ModerationPolicy.objects.update_or_create(force=force, defaults={"blind_share_percent": 100})
    audit = submitted_audit()
    moderator = west_moderator()
    services.blind_grade_record(audit=audit, moderator=moderator, grade=Grade.INADEQUATE)
    client.force_login(audit.auditor)
    page = client.get(reverse("audit_overview", args=[audit.pk])).content.decode()
    assert "Submitted" in page
    assert "blind grade" not in page

    decide(audit, moderator, decision=ModerationDecision.RETURNED, comments="Say why.")
    page = client.get(reverse("audit_overview", args=[audit.pk])).content.decode()
    history = page[page.index('id="audit-history"') :]
    assert "Returned to the auditor" in history
    assert "Say why." in history
    assert "blind grade" not in history
