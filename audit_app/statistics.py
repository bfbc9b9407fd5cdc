"""Shares and agreement: one rounding rule for percentages, and Cohen's weighted kappa for
agreement between auditors' and moderators' grades.

kappa_w = (p_o - p_e) / (1 - p_e), where p_o = sum(w_ij * p_ij) is the weighted observed
agreement and p_e = sum(w_ij * r_i * c_j) the agreement expected by chance from the two raters'
marginal distributions. Linear weights w_ij = 1 - |i - j| / (k - 1) credit a near miss (good
against requires improvement) more than a far one (good against inadequate); quadratic weights use
the square of the distance.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal


def percent(count: int, total: int) -> int | None:
    """`count` as a whole percentage of `total`, halves rounded up (as people read a meeting
    paper); None with nothing to share. Every share the dashboard, the API and the report show
    comes from here, so they never differ by a rounding."""
    if not total:
        return None
    return int((Decimal(100 * count) / Decimal(total)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


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
