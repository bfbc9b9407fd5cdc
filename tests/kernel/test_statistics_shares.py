"""Shares: the small-number rule, Wilson intervals and the month-on-month comparison.

Known intervals are worked by hand: 0 of 10 gives an upper bound of z² / (n + z²) =
3.8415 / 13.8415 = 0.278; 5 of 10 gives 0.5 ± 1.96 * sqrt(0.025 + 0.0096) / 1.384 = 0.5 ± 0.263.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_app.statistics import (
    MIN_AUDITS_FOR_PERCENT,
    compare_shares,
    count_and_share,
    interval_text,
    percent,
    share_text,
    shows_percent,
    wilson_interval,
)


@st.composite
def shares(draw, max_total: int = 2000) -> tuple[int, int]:
    total = draw(st.integers(min_value=1, max_value=max_total))
    return draw(st.integers(min_value=0, max_value=total)), total


# --- The small-number rule --------------------------------------------------------------------


def test_the_threshold_is_five_audits():
    assert MIN_AUDITS_FOR_PERCENT == 5
    assert not shows_percent(4)
    assert shows_percent(5)


def test_four_audits_give_counts_and_five_give_percentages():
    assert share_text(1, 4) == "1 of 4"
    assert share_text(0, 4) == "0 of 4"
    assert share_text(4, 4) == "4 of 4"
    assert share_text(1, 5) == "20%"
    assert share_text(5, 5) == "100%"
    assert count_and_share(2, 4) == "2 of 4"
    assert count_and_share(2, 5) == "2 (40%)"


def test_nothing_to_share():
    assert share_text(0, 0) == "–"
    assert count_and_share(0, 0) == "0"
    assert interval_text(0, 0) == ""


@given(shares())
def test_no_percentage_below_five_audits(share):
    count, total = share
    text = share_text(count, total)
    if total < MIN_AUDITS_FOR_PERCENT:
        assert text == f"{count} of {total}"
        assert "%" not in count_and_share(count, total) + interval_text(count, total)
    else:
        assert text == f"{percent(count, total)}%"
        assert count_and_share(count, total) == f"{count} ({text})"


# --- Wilson intervals -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "total", "expected"),
    [
        (0, 10, (0.0, 0.278)),
        (5, 10, (0.237, 0.763)),
        (10, 10, (0.722, 1.0)),
        (1, 3, (0.061, 0.792)),
        (81, 263, (0.255, 0.366)),
    ],
)
def test_known_intervals(count, total, expected):
    low, high = wilson_interval(count, total)
    assert (round(low, 3), round(high, 3)) == expected


@given(shares())
def test_interval_holds_the_estimate_within_zero_and_one(share):
    count, total = share
    low, high = wilson_interval(count, total)
    assert 0.0 <= low <= count / total <= high <= 1.0


@given(shares(max_total=500), st.integers(min_value=2, max_value=20))
def test_interval_narrows_as_the_audits_grow(share, factor):
    count, total = share
    low, high = wilson_interval(count, total)
    more_low, more_high = wilson_interval(count * factor, total * factor)
    assert more_high - more_low < high - low


@given(shares())
def test_interval_is_symmetric_about_a_half(share):
    count, total = share
    low, high = wilson_interval(count, total)
    mirror_low, mirror_high = wilson_interval(total - count, total)
    assert low == pytest.approx(1 - mirror_high, abs=1e-12)
    assert high == pytest.approx(1 - mirror_low, abs=1e-12)


def test_interval_of_nothing_is_everything_and_a_bad_share_is_refused():
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError, match="not a share"):
        wilson_interval(3, 2)


def test_interval_text_in_whole_percentages():
    assert interval_text(5, 10) == "24–76%"
    assert interval_text(0, 10) == "0–28%"
    assert interval_text(1, 4) == ""


# --- Month on month ---------------------------------------------------------------------------


def test_a_change_only_where_the_intervals_do_not_overlap():
    assert compare_shares(0, 10, 10, 10) == "down"
    assert compare_shares(10, 10, 0, 10) == "up"
    # 3 of 6 against 1 of 2: the ranges overlap widely.
    assert compare_shares(3, 6, 1, 2) == "no clear change"
    # 9 of 10 against 5 of 10: (0.60, 0.98) and (0.24, 0.76) overlap, so no clear change.
    assert compare_shares(9, 10, 5, 10) == "no clear change"


@given(shares(max_total=300), shares(max_total=300))
def test_comparison_is_antisymmetric_and_agrees_with_the_intervals(this, before):
    verdict = compare_shares(*this, *before)
    opposite = {"up": "down", "down": "up", "no clear change": "no clear change"}[verdict]
    assert compare_shares(*before, *this) == opposite
    low, high = wilson_interval(*this)
    before_low, before_high = wilson_interval(*before)
    overlap = low <= before_high and before_low <= high
    assert (verdict == "no clear change") == overlap
    if verdict == "up":
        assert this[0] / this[1] > before[0] / before[1]
