"""The data shipped beside the 2017 recommendations: which questions and themes test each one,
and the December 2018 review's findings: its own words as the inspectorate's entries (it gives no
ratings), and the project's reading of them, kept apart and labelled."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.management import call_command

from audit_app.audits.models import Question
from recommendations.models import (
    AssessorKind,
    EvidenceQuestion,
    EvidenceTheme,
    ProgressAssessment,
    Rating,
    Recommendation,
)
from tests.builders import SEED, normalise, read_seed

pytestmark = pytest.mark.django_db

FIXTURES = ("recommendation_evidence_2017", "recommendation_assessments_2018")


@pytest.fixture
def review_text() -> str:
    return normalise(read_seed(SEED))


@pytest.fixture
def loaded(reference_data) -> None:
    call_command("loaddata", *FIXTURES, verbosity=0)


def codes(number: int) -> set[str]:
    return set(
        EvidenceQuestion.objects.filter(recommendation__number=number).values_list(
            "question_code", flat=True
        )
    )


def themes(number: int) -> set[str]:
    return set(
        EvidenceTheme.objects.filter(recommendation__number=number).values_list(
            "theme__code", flat=True
        )
    )


def test_every_recommendation_is_tested_by_questions_of_the_question_set(loaded):
    known = set(Question.objects.filter(question_set__version=1).values_list("code", flat=True))
    for recommendation in Recommendation.objects.all():
        linked = codes(recommendation.number)
        assert linked, recommendation.number
        assert linked <= known, recommendation.number


def test_links_follow_the_recommendations_subjects(loaded):
    supervision = {"Q17", "Q18"}
    assert supervision <= codes(7)  # investigations supervised and monitored
    assert supervision <= codes(4)  # supervisory oversight of missing children
    assert {"Q04", "Q05", "Q06"} == codes(3)  # welfare, behaviour and demeanour
    assert {"Q21", "Q22", "Q23"} == codes(10) and themes(10) == {"CUST"}
    assert "Q13" in codes(4) and themes(4) == {"MISS"}
    assert "Q09" in codes(5) and themes(5) == {"DA"}  # cumulative risk, MARAC
    assert themes(8) == {"CSE", "ONL"} and themes(9) == {"S46"}
    assert themes(7) == set()  # every theme's investigations


def test_the_review_gives_its_words_not_a_rating_for_each_recommendation(loaded, review_text):
    assessments = ProgressAssessment.objects.filter(kind=AssessorKind.INSPECTOR).select_related(
        "recommendation"
    )
    assert assessments.count() == 10
    assert sorted(a.recommendation.number for a in assessments) == list(range(1, 11))
    for assessment in assessments:
        assert assessment.assessed_on == datetime.date(2018, 12, 31)
        assert assessment.source == "HMICFRS post-inspection review, December 2018"
        assert assessment.recorded_by is None
        assert assessment.rating is None, "the review gives no rating"
        for passage in assessment.source_quote_passages:
            assert normalise(passage) in review_text, passage
    # Figures in the narratives (our summaries) are the review's own.
    for number in re.findall(r"\b\d{2,4}\b", " ".join(a.narrative for a in assessments)):
        assert number in review_text, number


def test_ratings_read_from_the_review_are_the_projects_reading(loaded):
    readings = ProgressAssessment.objects.filter(kind=AssessorKind.PROJECT_READING)
    assert readings.count() == 10
    assert AssessorKind.PROJECT_READING.label == (
        "Our reading of the review, not the inspectorate's rating"
    )
    for reading in readings:
        assert reading.rating in Rating.values
        assert reading.source.startswith("Project reading of ")
        assert reading.source_quote == ""
    ratings = {a.recommendation.number: a.rating for a in readings}
    assert ratings[3] == Rating.ACHIEVED  # officers now speak with children
    assert ratings[9] == Rating.IN_PROGRESS  # "recording remains poor"
    assert ratings[10] == Rating.PARTLY_ACHIEVED


def test_the_narratives_say_what_the_review_found(loaded):
    def narrative(number: int) -> str:
        return ProgressAssessment.objects.get(
            kind=AssessorKind.INSPECTOR, recommendation__number=number
        ).narrative

    # Release under investigation without bail was found in the CSE team's cases.
    eight = narrative(8)
    assert eight.index("released under investigation") < eight.index("response officers")
    # The 28-day review is an expectation set by procedure, not found to happen every time.
    assert "established expectation" in narrative(7)
    assert "reviews every 28 days" not in narrative(7)


def test_loading_again_adds_nothing_and_keeps_assessments_entered_since(loaded):
    from audit_app.models import Role
    from tests import factories

    force = Recommendation.objects.get(number=7).inspection.force
    inspector = factories.user_with_role(Role.INSPECTOR, None, force=force)
    mine = ProgressAssessment.objects.create(
        recommendation=Recommendation.objects.get(number=7),
        kind=AssessorKind.INSPECTOR,
        assessed_on=datetime.date(2019, 6, 1),
        rating=Rating.ACHIEVED,
        narrative="Revisit.",
        recorded_by=inspector,
    )
    call_command("loaddata", *FIXTURES, verbosity=0)
    assert ProgressAssessment.objects.count() == 21
    assert EvidenceQuestion.objects.count() == 37 and EvidenceTheme.objects.count() == 6
    mine.refresh_from_db()
    assert (mine.rating, mine.narrative) == (Rating.ACHIEVED, "Revisit.")
