"""The evidence behind each recommendation: audit answers on its questions and the moderated
grades of the cases behind them, counted in the database, per month, within the user's scope."""

from __future__ import annotations

import datetime
import random
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit_app.audits.models import (
    AnswerValue,
    Audit,
    AuditState,
    AuditSubmission,
    BlindGrade,
    Grade,
    Question,
    RoundKind,
)
from audit_app.audits.services import question_set_publish
from audit_app.models import Area, Role
from audit_app.models.reference import CaseTheme
from audit_app.months import add_months
from recommendations import selectors
from recommendations.models import EvidenceQuestion, Recommendation
from tests import factories
from tests.builders import MONTH, make_audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidence_data(reference_data) -> None:
    """The reference data with the 2017 evidence links (loaded here until the reference data
    command loads them)."""
    call_command("loaddata", "recommendation_evidence_2017", verbosity=0)


def rec(number: int) -> Recommendation:
    return Recommendation.objects.select_related("inspection").get(number=number)


def evidence_for(recommendation: Recommendation, **kwargs) -> list[selectors.EvidenceMonth]:
    links = selectors.evidence_links([recommendation.pk])
    return selectors.evidence_by_month(
        links,
        force_id=recommendation.inspection.force_id,
        scope=kwargs.pop("scope", selectors.Q()),
        start=kwargs.pop("start", add_months(MONTH, -11)),
        end=kwargs.pop("end", MONTH),
        **kwargs,
    )[recommendation.pk]


def test_supervision_recommendation_counts_answers_on_its_questions(evidence_data):
    west = Area.objects.get(code="west")
    make_audit(area=west, answers={"Q17": "yes", "Q18": "partly", "Q01": "no"})
    make_audit(area=west, theme="MISS", answers={"Q17": "no", "Q18": "na", "Q20": "yes"})

    [march] = evidence_for(rec(7))  # Q14, Q16, Q17, Q18, Q19 on every theme
    assert (march.month, march.yes, march.partly, march.no, march.not_applicable) == (
        MONTH,
        1,
        1,
        1,
        1,
    )
    assert march.answered == 3
    assert march.yes_percent == 33


def test_a_blind_audit_awaiting_its_blind_grade_is_left_out_of_the_evidence(evidence_data):
    west = Area.objects.get(code="west")
    make_audit(area=west, answers={"Q17": "yes"})
    blind = make_audit(area=west, answers={"Q17": "no", "Q18": "no"})
    Audit.objects.filter(pk=blind.pk).update(is_blind=True)

    [march] = evidence_for(rec(7))
    assert (march.yes, march.no) == (1, 0), "a blind audit's answers showed before its blind grade"

    AuditSubmission.objects.create(
        audit=blind,
        number=1,
        submitted_by=blind.auditor,
        submitted_at=timezone.now(),
        grade=Grade.GOOD,
        suggested_grade=Grade.GOOD,
    )
    BlindGrade.objects.create(
        audit=blind, submission_number=1, moderator=factories.UserFactory(), grade=Grade.GOOD
    )
    [march] = evidence_for(rec(7))
    assert (march.yes, march.no) == (1, 2), "once graded blind, its answers count"


def test_a_recommendation_linked_to_themes_counts_only_their_cases(evidence_data):
    west = Area.objects.get(code="west")
    make_audit(area=west, theme="CUST", answers={"Q21": "yes", "Q22": "no", "Q17": "yes"})
    make_audit(area=west, theme="DA", answers={"Q17": "no"})
    make_audit(area=west, theme="MISS", answers={"Q13": "partly", "Q17": "yes"})

    [detention] = evidence_for(rec(10))
    assert (detention.yes, detention.no, detention.partly) == (1, 1, 0)
    [missing] = evidence_for(rec(4))  # Q02, Q03, Q13, Q17, Q18 on missing cases only
    assert (missing.yes, missing.partly, missing.no) == (1, 1, 0)


def test_grades_are_the_moderated_grades_of_the_cases_that_answered(evidence_data):
    west = Area.objects.get(code="west")
    make_audit(
        area=west,
        answers={"Q17": "partly"},
        state=AuditState.MODERATED,
        grade=Grade.GOOD,
        agreed=Grade.REQUIRES_IMPROVEMENT,
    )
    make_audit(area=west, answers={"Q17": "no"}, state=AuditState.MODERATED, grade=Grade.INADEQUATE)
    # Submitted but not yet moderated: its answers count, its grade does not yet.
    make_audit(area=west, answers={"Q17": "yes"}, state=AuditState.SUBMITTED, grade=Grade.GOOD)
    # Every linked answer Not applicable: the case did not test the recommendation.
    make_audit(area=west, answers={"Q17": "na"}, state=AuditState.MODERATED, grade=Grade.GOOD)
    # Moderated on questions that do not test the recommendation.
    make_audit(area=west, answers={"Q04": "yes"}, state=AuditState.MODERATED, grade=Grade.GOOD)

    [march] = evidence_for(rec(7))
    assert (march.good, march.requires_improvement, march.inadequate) == (0, 1, 1)
    assert (march.yes, march.partly, march.no, march.not_applicable) == (1, 1, 1, 1)


def test_inspection_rounds_unfinished_audits_and_other_forces_are_left_out(evidence_data):
    west = Area.objects.get(code="west")
    make_audit(area=west, answers={"Q17": "yes"}, kind=RoundKind.INSPECTION)
    make_audit(area=west, answers={"Q17": "yes"}, state=AuditState.IN_PROGRESS)
    make_audit(area=west, answers={"Q17": "yes"}, state=AuditState.RETURNED)
    elsewhere = factories.AreaFactory()
    factories.TeamFactory(area=elsewhere)
    make_audit(area=elsewhere, answers={"Q17": "yes"})
    make_audit(area=west, answers={"Q17": "no"})

    [march] = evidence_for(rec(7))
    assert (march.yes, march.no) == (0, 1)


def test_months_are_kept_apart_and_outside_the_window_ignored(evidence_data):
    west = Area.objects.get(code="west")
    make_audit(area=west, month=add_months(MONTH, -1), answers={"Q17": "no"})
    make_audit(area=west, month=MONTH, answers={"Q17": "yes"})
    make_audit(area=west, month=add_months(MONTH, -12), answers={"Q17": "yes"})

    found = evidence_for(rec(7))
    assert [(m.month, m.yes, m.no) for m in found] == [
        (add_months(MONTH, -1), 0, 1),
        (MONTH, 1, 0),
    ]
    trend = selectors.trend_of(found)
    assert (trend.first.yes_percent, trend.last.yes_percent, trend.direction) == (0, 100, "up")


def test_evidence_spans_question_set_versions_by_code(evidence_data):
    west = Area.objects.get(code="west")
    v2 = factories.QuestionSetFactory(version=2)
    section = factories.QuestionSectionFactory(question_set=v2, code="F", display_order=1)
    factories.QuestionFactory(section=section, number=1, code="Q17", text="Supervised?")
    question_set_publish(question_set=v2)
    make_audit(area=west, answers={"Q17": "yes"})
    make_audit(area=west, answers={"Q17": "yes"}, question_set=v2)

    [march] = evidence_for(rec(7))
    assert march.yes == 2


def test_counts_match_the_answers_in_the_database(evidence_data):
    """Random answers across areas, months, themes and states; every count checked against the
    rows themselves, counted here in Python."""
    rng = random.Random(7)
    areas = list(Area.objects.filter(force__code="lancashire"))
    themes = list(CaseTheme.objects.values_list("code", flat=True))
    codes = list(Question.objects.filter(question_set__version=1).values_list("code", flat=True))
    states = [AuditState.SUBMITTED, AuditState.MODERATED, AuditState.MODERATED, AuditState.RETURNED]
    for index in range(40):
        grade = rng.choice(list(Grade.values))
        make_audit(
            area=rng.choice(areas),
            month=add_months(MONTH, -rng.randint(0, 2)),
            theme=themes[index % len(themes)],
            answers={code: rng.choice(AnswerValue.values) for code in rng.sample(codes, 12)},
            state=rng.choice(states),
            grade=grade,
            agreed=rng.choice(list(Grade.values)),
        )

    for number in range(1, 11):
        recommendation = rec(number)
        codes_linked = set(
            recommendation.evidence_questions.values_list("question_code", flat=True)
        )
        themes_linked = set(recommendation.evidence_themes.values_list("theme_id", flat=True))
        expected_answers: Counter = Counter()
        expected_grades: Counter = Counter()
        for audit in Audit.objects.filter(round__kind="monthly").prefetch_related(
            "answers__question", "moderations"
        ):
            if themes_linked and audit.case.theme_id not in themes_linked:
                continue
            linked = [a for a in audit.answers.all() if a.question.code in codes_linked]
            if audit.state in (AuditState.SUBMITTED, AuditState.MODERATED):
                for answer in linked:
                    expected_answers[(audit.round.month, answer.value)] += 1
            if audit.state == AuditState.MODERATED and any(a.value != "na" for a in linked):
                final = next(m for m in audit.moderations.all() if m.decision != "returned")
                expected_grades[(audit.round.month, final.agreed_grade)] += 1
        found = evidence_for(recommendation)
        got_answers = Counter()
        got_grades = Counter()
        for m in found:
            for value, name in selectors.ANSWER_FIELDS.items():
                got_answers[(m.month, value)] += getattr(m, name)
            for grade, name in selectors.GRADE_FIELDS.items():
                got_grades[(m.month, grade)] += getattr(m, name)
        assert +got_answers == expected_answers, number
        assert +got_grades == expected_grades, number
        assert sum(expected_answers.values()) > 0, number


def test_area_scope_limits_the_evidence(evidence_data):
    west, south = Area.objects.get(code="west"), Area.objects.get(code="south")
    make_audit(area=west, answers={"Q17": "yes"})
    make_audit(area=south, answers={"Q17": "no"})
    leader = factories.user_with_role(Role.SENIOR_LEADER, west)
    from recommendations.permissions import evidence_scope

    [march] = evidence_for(rec(7), scope=evidence_scope(leader))
    assert (march.yes, march.no) == (1, 0)
    auditor = factories.user_with_role(Role.AUDITOR, west)
    assert evidence_scope(auditor) is None


def _queries(function) -> int:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured.captured_queries)


def test_evidence_queries_stay_flat_as_data_grows(evidence_data):
    west, east = Area.objects.get(code="west"), Area.objects.get(code="east")
    recommendations = list(Recommendation.objects.select_related("inspection"))

    def run():
        links = selectors.evidence_links(r.pk for r in recommendations)
        selectors.evidence_by_month(
            links,
            force_id=recommendations[0].inspection.force_id,
            scope=selectors.Q(),
            start=add_months(MONTH, -11),
            end=MONTH,
        )

    make_audit(area=west, answers={"Q17": "yes"}, state=AuditState.MODERATED)
    few = _queries(run)
    for offset in range(4):
        for area in (west, east):
            make_audit(
                area=area,
                month=add_months(MONTH, -offset),
                theme="CUST",
                answers={"Q21": "no", "Q17": "partly", "Q19": "yes"},
                state=AuditState.MODERATED,
                grade=Grade.INADEQUATE,
            )
    assert _queries(run) == few == 4


def test_report_summary_for_a_month_and_area(evidence_data):
    west, south = Area.objects.get(code="west"), Area.objects.get(code="south")
    make_audit(area=west, answers={"Q17": "yes", "Q18": "no"}, state=AuditState.MODERATED)
    make_audit(area=south, answers={"Q17": "partly"})
    make_audit(area=west, month=add_months(MONTH, -1), answers={"Q17": "no"})
    call_command("loaddata", "recommendation_assessments_2018", verbosity=0)
    supervision = rec(7)
    factories_action(supervision, due_on=datetime.date(2026, 3, 10))
    force_id = supervision.inspection.force_id

    summaries = selectors.report_summary(
        force_id=force_id, month=MONTH, area_ids=[west.pk], today=datetime.date(2026, 4, 5)
    )
    assert [s.number for s in summaries] == list(range(1, 11))
    seven = summaries[6]
    assert (seven.heading, seven.timescale, seven.due_on) == (
        "Investigation",
        "Immediately",
        datetime.date(2018, 3, 1),
    )
    assert (seven.evidence_yes, seven.evidence_partly, seven.evidence_no) == (1, 0, 1)
    assert seven.graded_good == 1
    assert (seven.state, seven.overdue_actions) == ("Overdue actions", 1)
    assert seven.latest_inspector_rating is None, "the review gives no rating"
    assert seven.latest_project_reading_rating == "Partly achieved"
    assert seven.latest_force_rating is None
    assert summaries[0].state == "No actions"

    force_wide = selectors.report_summary(force_id=force_id, month=MONTH, today=MONTH)
    assert (force_wide[6].evidence_yes, force_wide[6].evidence_partly) == (1, 1)
    # As it stood on the 1st of the month, the action was not yet due.
    assert force_wide[6].state == "On track"


def test_report_summary_counts_only_audits_finished_by_the_cutoff(evidence_data):
    west = Area.objects.get(code="west")
    make_audit(area=west, answers={"Q17": "no"}, state=AuditState.MODERATED)
    late = make_audit(area=west, answers={"Q17": "yes"}, state=AuditState.MODERATED)
    cutoff = timezone.now()
    later = cutoff + datetime.timedelta(hours=2)
    Audit.objects.filter(pk=late.pk).update(submitted_at=later, moderated_at=later)
    moderated_late = make_audit(area=west, answers={"Q18": "partly"}, state=AuditState.MODERATED)
    Audit.objects.filter(pk=moderated_late.pk).update(
        submitted_at=cutoff - datetime.timedelta(hours=1), moderated_at=later
    )
    force_id = rec(7).inspection.force_id

    [seven] = [
        s
        for s in selectors.report_summary(force_id=force_id, month=MONTH, cutoff=cutoff)
        if s.number == 7
    ]
    assert (seven.evidence_yes, seven.evidence_partly, seven.evidence_no) == (0, 1, 1)
    assert seven.graded_good == 1  # only the early audit's grade
    [everything] = [
        s for s in selectors.report_summary(force_id=force_id, month=MONTH) if s.number == 7
    ]
    assert (everything.evidence_yes, everything.graded_good) == (1, 3)


def factories_action(recommendation: Recommendation, **kwargs):
    from recommendations.models import RecommendationAction

    return RecommendationAction.objects.create(
        recommendation=recommendation,
        description=kwargs.pop("description", "Brief every response sergeant on supervision."),
        owner=kwargs.pop("owner", "Head of PPU"),
        **kwargs,
    )


def test_report_summary_is_a_fixed_number_of_queries(evidence_data):
    west = Area.objects.get(code="west")
    force_id = rec(1).inspection.force_id
    run = lambda: selectors.report_summary(force_id=force_id, month=MONTH)  # noqa: E731
    make_audit(area=west, answers={"Q17": "yes"}, state=AuditState.MODERATED)
    few = _queries(run)
    for _ in range(6):
        make_audit(area=west, theme="MISS", answers={"Q13": "no", "Q17": "yes"})
    for number in range(1, 11):
        factories_action(rec(number), due_on=MONTH)
    assert _queries(run) == few == 5
    assert EvidenceQuestion.objects.count() == 37
