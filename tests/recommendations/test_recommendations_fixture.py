"""The ten 2017 recommendations ship word for word from the inspectorate's review."""

import datetime

import pytest

from audit_app.months import add_months
from recommendations.models import Recommendation, Timescale
from tests.builders import SEED, normalise, read_seed

pytestmark = pytest.mark.django_db

# Footnote markers the seed prints glued to a word; the fixture leaves them out.
FOOTNOTE_MARKERS = [("MARAC6 ", "MARAC "), ("Act 198917 ", "Act 1989 ")]


@pytest.fixture
def seed_text() -> str:
    text = normalise(read_seed(SEED))
    for marked, clean in FOOTNOTE_MARKERS:
        text = text.replace(marked, clean)
    return text


def test_every_recommendation_and_bullet_is_word_for_word(reference_data, seed_text):
    recommendations = Recommendation.objects.prefetch_related("points").order_by("number")
    assert recommendations.count() == 10
    for recommendation in recommendations:
        assert normalise(recommendation.text) in seed_text, recommendation.number
        for point in recommendation.points.all():
            assert f"• {normalise(point.text)}" in seed_text, (recommendation.number, point.order)


def test_headings_timescales_and_bullet_counts(reference_data):
    found = [
        (r.number, r.heading, r.timescale, r.points.count())
        for r in Recommendation.objects.order_by("number")
    ]
    assert found == [
        (1, "leadership", "three_months", 0),
        (2, "initial_contact", "three_months", 2),
        (3, "initial_contact", "three_months", 0),
        (4, "assessment_help", "three_months", 4),
        (5, "assessment_help", "three_months", 1),
        (6, "assessment_help", "six_months", 2),
        (7, "investigation", "immediately", 3),
        (8, "investigation", "three_months", 2),
        (9, "decision_making", "three_months", 2),
        (10, "police_detention", "three_months", 3),
    ]


def test_each_lead_text_states_its_own_timescale(reference_data):
    words = {
        Timescale.IMMEDIATELY: "Immediately",
        Timescale.THREE_MONTHS: "Within three months",
        Timescale.SIX_MONTHS: "Within six months",
    }
    for recommendation in Recommendation.objects.all():
        assert recommendation.text.startswith(words[recommendation.timescale])


def test_due_dates_are_computed_from_publication(reference_data):
    published = datetime.date(2018, 3, 1)
    due = {r.number: r.due_on for r in Recommendation.objects.select_related("inspection")}
    assert due[7] == published
    assert due[1] == datetime.date(2018, 6, 1)
    assert due[6] == datetime.date(2018, 9, 1)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2018, 1, 31), 1, datetime.date(2018, 2, 28)),
        (datetime.date(2020, 1, 31), 1, datetime.date(2020, 2, 29)),
        (datetime.date(2018, 11, 30), 3, datetime.date(2019, 2, 28)),
        (datetime.date(2018, 3, 15), -3, datetime.date(2017, 12, 15)),
        (datetime.date(2018, 12, 1), 0, datetime.date(2018, 12, 1)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(day, months, expected):
    assert add_months(day, months) == expected
