"""Shares and agreement: one rule for showing a share, Wilson intervals to tell a change from
chance, and Cohen's weighted kappa for agreement between auditors' and moderators' grades.

A share is shown as a percentage only where at least `MIN_AUDITS_FOR_PERCENT` audits stand behind
it; below that it is shown as a count ("1 of 3"): with ten cases an area a month, one case is 10%,
and a percentage would claim a precision the numbers do not have. `share_text` is that rule, and
the report, its charts and the dashboard all print shares through it.

The Wilson score interval (Wilson, 1927) is the range of true shares consistent, at 95%, with
`count` of `total`: centre (p + z²/2n) / (1 + z²/n), half-width
z * sqrt(p(1 - p)/n + z²/4n²) / (1 + z²/n), with p = count/n and z = 1.96. Unlike p ± z·se it
stays inside [0, 1] and is sensible at 0 of n and n of n, which small monthly samples often give.
Two months' shares differ clearly only when their intervals do not overlap (`compare_shares`): a
stricter test than a 5% significance test, so a change it calls is not one chance alone explains.

kappa_w = (p_o - p_e) / (1 - p_e), where p_o = sum(w_ij * p_ij) is the weighted observed
agreement and p_e = sum(w_ij * r_i * c_j) the agreement expected by chance from the two raters'
marginal distributions. Linear weights w_ij = 1 - |i - j| / (k - 1) credit a near miss (good
against requires improvement) more than a far one (good against inadequate); quadratic weights use
the square of the distance.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

MIN_AUDITS_FOR_PERCENT = 5
Z_95 = 1.959963984540054  # the standard normal's 97.5th percentile: two-sided 95%


def percent(count: int, total: int) -> int | None:
    """`count` as a whole percentage of `total`, halves rounded up (as people read a meeting
    paper); None with nothing to share. Every share the dashboard, the API and the report show
    comes from here, so they never differ by a rounding."""
    if not total:
        return None
    return int((Decimal(100 * count) / Decimal(total)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def shows_percent(total: int) -> bool:
    """Whether enough audits stand behind a share for it to be shown as a percentage."""
    return total >= MIN_AUDITS_FOR_PERCENT


def share_text(count: int, total: int) -> str:
    """A share as people read it: "50%" from five audits up, "1 of 3" below, a dash of none."""
    if not total:
        return "–"
    if not shows_percent(total):
        return f"{count} of {total}"
    return f"{percent(count, total)}%"


def count_and_share(count: int, total: int) -> str:
    """A table cell: "3 (50%)" from five audits up, "1 of 3" below (the count is the share),
    "0" where there is nothing to share."""
    if not total:
        return f"{count}"
    if not shows_percent(total):
        return share_text(count, total)
    return f"{count} ({share_text(count, total)})"


def wilson_interval(count: int, total: int, *, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of `count` of `total` as proportions in [0, 1]; (0, 1) of none,
    where nothing is known."""
    if not 0 <= count <= total:
        raise ValueError(f"{count} of {total} is not a share")
    if not total:
        return 0.0, 1.0
    p = count / total
    z2 = z * z
    denominator = 1 + z2 / total
    centre = (p + z2 / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total)) / denominator
    # At 0 of n and n of n the bound is exactly 0 or 1; rounding error must not nudge it out.
    low = 0.0 if count == 0 else max(0.0, centre - half)
    high = 1.0 if count == total else min(1.0, centre + half)
    return low, high


def interval_text(count: int, total: int) -> str:
    """The 95% interval in whole percentages, "19" to "81%" joined by an en dash; empty
    where too few audits stand behind the share for a percentage."""
    if not shows_percent(total):
        return ""
    low, high = wilson_interval(count, total)
    return f"{percent(round(low * 10000), 10000)}–{percent(round(high * 10000), 10000)}%"


Change = Literal["up", "down", "no clear change"]


def compare_shares(count: int, total: int, before_count: int, before_total: int) -> Change:
    """ "up" or "down" only when the two shares' 95% Wilson intervals do not overlap."""
    low, high = wilson_interval(count, total)
    before_low, before_high = wilson_interval(before_count, before_total)
    if low > before_high:
        return "up"
    if high < before_low:
        return "down"
    return "no clear change"


def weighted_kappa(
    pairs: Iterable[tuple[str, str]], categories: Sequence[str], *, weights: str = "linear"
) -> float | None:
    """Kappa for (rater A, rater B) pairs over ordered `categories`; None where it is undefined
    (no pairs, or both raters always used one and the same category)."""
    index = {category: i for i, category in enumerate(categories)}
    k = len(categories)
    counts = [[0] * k for _ in range(k)]
    n = 0
    for first, second in pairs:
        counts[index[first]][index[second]] += 1
        n += 1
    if n == 0 or k < 2:
        return None

    def weight(i: int, j: int) -> float:
        distance = abs(i - j) / (k - 1)
        if weights == "linear":
            return 1 - distance
        if weights == "quadratic":
            return 1 - distance**2
        raise ValueError(f"Unknown weights {weights!r}")

    rows = [sum(counts[i]) / n for i in range(k)]
    columns = [sum(counts[i][j] for i in range(k)) / n for j in range(k)]
    observed = sum(weight(i, j) * counts[i][j] / n for i in range(k) for j in range(k))
    expected = sum(weight(i, j) * rows[i] * columns[j] for i in range(k) for j in range(k))
    if expected >= 1:
        return None
    return (observed - expected) / (1 - expected)
