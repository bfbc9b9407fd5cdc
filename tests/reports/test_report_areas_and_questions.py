"""The PVP report's area-against-area section, its question-level findings and the evidence
behind each recommendation: compiled, rendered to PDF, read back and checked against counts made
straight from the rows."""

from __future__ import annotations

import datetime
from collections import defaultdict

import pytest
from django.utils import timezone

from audit_app import statistics
from audit_app.audits.grading import FAILED_ANSWERS
from audit_app.audits.models import (
    Answer,
    AnswerValue,
    Audit,
    AuditState,
    Grade,
    Question,
    RoundKind,
)
from audit_app.models import Area, TeamType
from audit_app.reports.models import ReportState
from audit_app.reports.rendering import percent, render_report_html
from audit_app.reports.sections.questions import recommendation_evidence
from audit_app.reports.selectors import report_content
from tests import factories
from tests.builders import Planned, build_month, pdf_text, people_for

MONTH = datetime.date(2026, 3, 1)
EARLIER = datetime.date(2025, 6, 1)  # inside the twelve months, outside the seven-month trend
TOO_EARLY = datetime.date(2025, 3, 1)  # thirteen months back: outside every window
YES, PARTLY, NO, NA = AnswerValue.YES, AnswerValue.PARTLY, AnswerValue.NO, "na"

pytestmark = pytest.mark.django_db


def answer(audit: Audit, answers: dict[str, str], question_set=None) -> None:
    """`answers` by question code on a built audit (of its own question set unless given)."""
    questions = {
        q.code: q for q in (question_set or audit.question_set).questions.filter(code__in=answers)
    }
    Answer.objects.bulk_create(
        Answer(
            audit=audit,
            question=questions[code],
            value=value,
            comment="Seen in the log." if value in FAILED_ANSWERS else "",
        )
        for code, value in answers.items()
    )


def month_with_answers(area, month, people, plan, answers, kind=RoundKind.MONTHLY):
    for audit, given in zip(
        build_month(area=area, month=month, people=people, plan=plan, kind=kind),
        answers,
        strict=True,
    ):
        answer(audit, given)


@pytest.fixture
def world(reference_data):
    """West, South and East with answered audits: this month, earlier in the year, too early,
    and audits that must not count (not moderated, inspection round)."""
    west, south, east = (Area.objects.get(code=code) for code in ("west", "south", "east"))
    people = {area: people_for(area) for area in (west, south, east)}
    S, N = TeamType.SPECIALIST, TeamType.NON_SPECIALIST
    month_with_answers(
        west,
        MONTH,
        people[west],
        [Planned("DA", N, Grade.INADEQUATE), Planned("DA", S), Planned("MISS", N, Grade.GOOD)],
        [
            {"Q17": NO, "Q07": PARTLY, "Q04": YES},
            {"Q17": YES, "Q07": YES, "Q04": NA},
            {"Q17": PARTLY, "Q07": NA, "Q04": NO},
        ],
    )
    month_with_answers(
        south,
        MONTH,
        people[south],
        [Planned("DA", S, Grade.REQUIRES_IMPROVEMENT), Planned("CSE", N, Grade.GOOD)],
        [{"Q17": YES, "Q04": PARTLY}, {"Q17": NO, "Q01": YES}],
    )
    # East: supervision never evidenced in response teams.
    month_with_answers(
        east,
        MONTH,
        people[east],
        [Planned("DA", N, Grade.INADEQUATE)] * 5 + [Planned("REF", S, Grade.GOOD)],
        [{"Q17": NO, "Q01": PARTLY}] * 5 + [{"Q17": YES, "Q01": YES}],
    )
    month_with_answers(
        west,
        EARLIER,
        people[west],
        [Planned("DA", N, Grade.REQUIRES_IMPROVEMENT), Planned("FI", S)],
        [{"Q17": NO, "Q09": NO}, {"Q17": YES, "Q09": YES}],
    )
    month_with_answers(west, TOO_EARLY, people[west], [Planned("DA", S)], [{"Q17": NO, "Q20": NO}])
    # Never counted: not moderated, and the inspectorate's own round.
    month_with_answers(
        west,
        MONTH,
        people[west],
        [Planned("RISK", N, state=AuditState.SUBMITTED)],
        [{"Q17": NO, "Q20": NO}],
    )
    month_with_answers(
        west,
        MONTH,
        people[west],
        [Planned("S46", S, Grade.INADEQUATE)],
        [{"Q17": NO, "Q20": NO}],
        kind=RoundKind.INSPECTION,
    )
    return west, south, east


def counted(area: Area | None, first: datetime.date, last: datetime.date):
    """Answers of moderated monthly audits in the months, straight from the rows."""
    answers = Answer.objects.filter(
        audit__state=AuditState.MODERATED,
        audit__round__kind=RoundKind.MONTHLY,
        audit__round__month__gte=first,
        audit__round__month__lte=last,
    ).select_related("question", "audit__case__team", "audit__round__area")
    if area is not None:
        answers = answers.filter(audit__round__area=area)
    return [a for a in answers if a.value != AnswerValue.NOT_APPLICABLE]


def failing_share(answers) -> str:
    return percent(sum(a.value in FAILED_ANSWERS for a in answers), len(answers))


def test_force_report_compares_areas_and_questions(world, compiled):
    west, south, east = world
    version = compiled(force=west.force, area=None, month=MONTH)
    assert version.state == ReportState.READY, version.failure_reason
    text = pdf_text(version.file.read())
    assert "Area against area" in text and "Question-level findings" in text

    # Grades by area and team type, counted from the audits.
    for area in (east, south, west):
        by_type = defaultdict(lambda: [0, 0, 0])
        for audit in Audit.objects.filter(
            round__area=area, round__month=MONTH, round__kind=RoundKind.MONTHLY, state="moderated"
        ).select_related("case__team"):
            grade = [Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE]
            by_type[audit.case.team.team_type][grade.index(audit.moderated_grade)] += 1
        rows = [(label, by_type[code]) for code, label in TeamType.choices]
        rows.append(("All", [sum(c) for c in zip(*(r for _, r in rows), strict=True)]))
        for label, counts in rows:
            total = sum(counts)
            cells = " ".join(statistics.count_and_share(n, total) for n in counts)
            assert f"{area.name} {label} {cells} {total}" in text, (area.name, label)

    # The key question on supervision, by team type across the areas (East, South, West).
    this_month = counted(None, MONTH, MONTH)
    supervision = [a for a in this_month if a.question.code == "Q17"]
    for code, label in TeamType.choices:
        cells = []
        for area in (east, south, west):
            cell = [
                a
                for a in supervision
                if a.audit.round.area == area and a.audit.case.team.team_type == code
            ]
            cells.append(failing_share(cell) if cell else "none")
        assert f"{label} {' '.join(cells)}" in text, label
    # East's response teams: five of five failing supervision, shown as a percentage.
    assert "Non-specialist 100%" in text

    # Question-level findings: this month's and twelve months' failing shares, by code.
    year = counted(None, datetime.date(2025, 4, 1), MONTH)
    content = report_content(force=west.force, area=None, month=MONTH, cutoff=timezone.now())
    codes = [q["code"] for q in content["questions"]["questions"]]
    assert "Q20" not in codes  # answered only thirteen months back, or in audits not counted
    html = render_report_html(content, number=1, generated_at=timezone.now(), for_pdf=False)
    findings = html[html.index('id="questions"') :]
    shown = sorted(codes, key=lambda c: findings.index(f'<th scope="row">{c}'))
    rate = {}
    for code in codes:
        month_answers = [a for a in this_month if a.question.code == code]
        year_answers = [a for a in year if a.question.code == code]
        failed = sum(a.value in FAILED_ANSWERS for a in month_answers)
        rate[code] = failed / len(month_answers) if month_answers else -1
        each = " ".join(
            percent(sum(a.value == value for a in month_answers), len(month_answers))
            for value in FAILED_ANSWERS
        )
        row = (
            f"{len(month_answers)} {each} {failing_share(month_answers)} "
            f"{len(year_answers)} {failing_share(year_answers)}"
        )
        assert row in text, (code, row)
    # The questions failing most this month come first.
    assert [rate[c] for c in shown] == sorted((rate[c] for c in shown), reverse=True)
    assert shown[0] == "Q17"  # 8 of 11 failing (not applicable left out)
    assert "Q09" in codes and rate["Q09"] == -1  # answered only earlier in the year


def test_an_area_report_has_question_findings_but_no_area_section(world, compiled):
    west, _, _ = world
    content = report_content(force=west.force, area=west, month=MONTH, cutoff=timezone.now())
    assert content["areas"] is None
    assert {row["code"] for row in content["questions"]["questions"]} == {
        "Q04",
        "Q07",
        "Q09",
        "Q17",
    }
    assert content["questions"]["areas"] == []
    version = compiled(force=west.force, area=west, month=MONTH)
    assert version.state == ReportState.READY, version.failure_reason
    text = pdf_text(version.file.read())
    assert "Area against area" not in text
    assert "Question-level findings" in text
    # West: Q17 answered No, Yes, Partly this month: 2 of 3 fail (fewer than five: a count).
    west_q17 = [a for a in counted(west, MONTH, MONTH) if a.question.code == "Q17"]
    assert failing_share(west_q17) == "2 of 3"
    assert "Q17 (key)" in text


def test_questions_are_grouped_by_code_across_question_set_versions(world):
    west, _, _ = world
    version_two = factories.QuestionSetFactory(version=2)
    factories.QuestionFactory(
        section__question_set=version_two,
        code="Q17",
        number=30,
        text="Is a supervisor's review recorded, with clear direction?",
        is_critical=True,
    )
    audit = build_month(
        area=west,
        month=MONTH,
        people=people_for(west),
        plan=[Planned("DA", TeamType.SPECIALIST)],
    )[0]
    Audit.objects.filter(pk=audit.pk).update(question_set=version_two)
    answer(audit, {"Q17": NO}, question_set=version_two)
    content = report_content(force=west.force, area=west, month=MONTH, cutoff=timezone.now())
    rows = [q for q in content["questions"]["questions"] if q["code"] == "Q17"]
    assert len(rows) == 1
    assert rows[0]["month"]["all"]["answered"] == 4  # three of version 1, one of version 2
    assert rows[0]["text"] == "Is a supervisor's review recorded, with clear direction?"
    assert Question.objects.filter(code="Q17").count() == 2


def test_reports_compiled_before_the_sections_still_render(world):
    west, _, _ = world
    content = report_content(force=west.force, area=None, month=MONTH, cutoff=timezone.now())
    del content["areas"], content["questions"]
    html = render_report_html(content, number=1, generated_at=timezone.now(), for_pdf=False)
    assert "Area against area" not in html and "Question-level findings" not in html


def test_recommendation_evidence_gives_shares_or_says_there_was_no_case():
    rec = {"evidence_yes": 6, "evidence_partly": 3, "evidence_no": 1}
    assert recommendation_evidence(rec, percent) == "yes 60%, partly 30%, no 10%"
    small = {"evidence_yes": 1, "evidence_partly": 0, "evidence_no": 1}
    assert recommendation_evidence(small, percent) == "yes 1 of 2, partly 0 of 2, no 1 of 2"
    none = {"evidence_yes": 0, "evidence_partly": 0, "evidence_no": 0}
    assert recommendation_evidence(none, percent) == "no case of this kind this month"


def test_the_report_says_when_a_recommendation_had_no_case_this_month(reference_data, compiled):
    west = Area.objects.get(code="west")
    build_month(area=west, month=MONTH, people=people_for(west), plan=[Planned("FI")])
    version = compiled(force=west.force, area=west, month=MONTH)
    assert version.state == ReportState.READY, version.failure_reason
    text = pdf_text(version.file.read())
    assert "Evidence from this month's audits: no case of this kind this month." in text
    assert "Evidence from this month's audits: yes" not in text
