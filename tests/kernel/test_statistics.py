"""Weighted kappa against examples worked by hand (see the comments for the arithmetic)."""

import pytest

from audit_app.statistics import weighted_kappa

GRADES = ["good", "requires_improvement", "inadequate"]


def test_perfect_agreement_is_one():
    pairs = [("good", "good"), ("inadequate", "inadequate"), ("requires_improvement",) * 2]
    assert weighted_kappa(pairs, GRADES) == pytest.approx(1.0)


def test_linear_weights_worked_example():
    # Pairs (A, B): (0,0) (1,1) (2,2) (0,1). p_o = 3/4 + 0.5 * 1/4 = 0.875.
    # A's marginals (0.5, 0.25, 0.25), B's (0.25, 0.5, 0.25):
    # p_e = 0.5*(0.25 + 0.25) + 0.25*(0.125 + 0.5 + 0.125) + 0.25*(0.25 + 0.25) = 0.5625.
    # kappa = (0.875 - 0.5625) / (1 - 0.5625) = 5/7.
    pairs = [
        ("good", "good"),
        ("requires_improvement", "requires_improvement"),
        ("inadequate", "inadequate"),
        ("good", "requires_improvement"),
    ]
    assert weighted_kappa(pairs, GRADES) == pytest.approx(5 / 7)


def test_quadratic_weights_worked_example():
    # Same pairs, weights 1, 0.75, 0: p_o = 0.75 + 0.75/4 = 0.9375; p_e = 0.6875; kappa = 0.8.
    pairs = [
        ("good", "good"),
        ("requires_improvement", "requires_improvement"),
        ("inadequate", "inadequate"),
        ("good", "requires_improvement"),
    ]
    assert weighted_kappa(pairs, GRADES, weights="quadratic") == pytest.approx(0.8)


def test_two_categories_reduce_to_cohens_kappa():
    # The classic table: yes/yes 20, yes/no 5, no/yes 10, no/no 15 (n = 50).
    # p_o = 35/50 = 0.7; p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = 0.4.
    pairs = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15
    assert weighted_kappa(pairs, ["yes", "no"]) == pytest.approx(0.4)


def test_complete_disagreement_at_the_extremes_is_negative():
    pairs = [("good", "inadequate"), ("inadequate", "good")]
    assert weighted_kappa(pairs, GRADES) == pytest.approx(-1.0)


def test_undefined_cases_are_none():
    assert weighted_kappa([], GRADES) is None
    assert weighted_kappa([("good", "good")] * 5, GRADES) is None
    with pytest.raises(ValueError, match="Unknown weights"):
        weighted_kappa([("good", "inadequate")], GRADES, weights="cubic")
