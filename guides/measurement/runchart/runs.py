"""How many runs chance allows on a run chart: the published table, the exact
calculation behind it, and Anhøj's limits.

Pure functions with no Django imports.

The run chart rules of Perla, Provost and Murray (2011), "The run chart: a simple
analytical tool for learning from variation in healthcare processes", BMJ Quality &
Safety 20(1): 46-51, give a table of the fewest and most runs expected by chance for 10
to 60 useful points (points not on the median). `PUBLISHED_RUNS` holds that table as it
is commonly reproduced, only for the rows where two independent reproductions agree (the
project's note on it is ``shared/runs-table.md``: the paper itself could not be read
here). For every other number of useful points (27, 29, 30, 33, 35, 37, 39, 41 and
more) the limits are worked out exactly from the runs distribution of Swed and
Eisenhart (1943), at no more than 2.5% in each tail; `runs_limits_source` says which.
"""

from __future__ import annotations

import math
from functools import lru_cache
from math import comb

# Below this many points a run chart's rules are not reliable (Perla et al. 2011).
MIN_RUN_CHART_POINTS = 10

# Useful points: (fewest runs, most runs) expected by chance, from the published table
# (Perla, Provost and Murray 2011, Table 1), the rows both reproductions agree on.
PUBLISHED_RUNS: dict[int, tuple[int, int]] = {
    10: (3, 9), 11: (3, 10), 12: (3, 11), 13: (4, 11), 14: (4, 12), 15: (5, 12),
    16: (5, 13), 17: (5, 13), 18: (6, 14), 19: (6, 15), 20: (6, 16), 21: (7, 16),
    22: (7, 17), 23: (7, 17), 24: (8, 18), 25: (8, 18), 26: (9, 19), 28: (10, 20),
    31: (11, 22), 32: (11, 23), 34: (12, 24), 36: (13, 25), 38: (14, 26), 40: (15, 27),
}  # fmt: skip
PUBLISHED_RUNS_MAX = 60  # the table's last row


def runs_distribution(above: int, below: int) -> dict[int, int]:
    """Number of arrangements giving each number of runs (Swed and Eisenhart 1943).

    With n1 points above and n2 below the centre in random order, the number of the
    C(n1 + n2, n1) equally likely arrangements that make r runs is
    2·C(n1-1, k-1)·C(n2-1, k-1) for r = 2k, and
    C(n1-1, k)·C(n2-1, k-1) + C(n1-1, k-1)·C(n2-1, k) for r = 2k + 1.
    """
    if above == 0 or below == 0:
        return {1: 1} if above + below else {}
    counts = {}
    for r in range(2, above + below + 1):
        if r % 2 == 0:
            k = r // 2
            count = 2 * comb(above - 1, k - 1) * comb(below - 1, k - 1)
        else:
            k = (r - 1) // 2
            count = comb(above - 1, k) * comb(below - 1, k - 1) + comb(above - 1, k - 1) * comb(
                below - 1, k
            )
        if count:
            counts[r] = count
    return counts


@lru_cache(maxsize=2048)
def runs_limits_exact(useful: int) -> tuple[int, int] | None:
    """(fewest, most) runs by the exact calculation, or None below 10 useful points.

    The exact runs distribution of Swed and Eisenhart (1943) for an even split of the
    useful points above and below the median (the median halves the data), at no more
    than 2.5% in each tail, about 5% in all. Worked in exact integers.
    """
    if useful < MIN_RUN_CHART_POINTS:
        return None
    above = useful // 2
    counts = runs_distribution(above, useful - above)
    total = comb(useful, above)
    # low: the largest L with P(runs < L) <= 2.5%, i.e. 40 * count(runs < L) <= total.
    low, tail = 2, 0
    for r in sorted(counts):
        if 40 * (tail + counts[r]) > total:
            break
        tail += counts[r]
        low = r + 1
    high, tail = useful, 0
    for r in sorted(counts, reverse=True):
        if 40 * (tail + counts[r]) > total:
            break
        tail += counts[r]
        high = r - 1
    return low, high


def runs_limits_source(useful: int) -> str | None:
    """ "table" where the published table's value is used, "exact" where it is worked out."""
    if useful < MIN_RUN_CHART_POINTS:
        return None
    return "table" if useful in PUBLISHED_RUNS else "exact"


def runs_limits(useful: int) -> tuple[int, int] | None:
    """(fewest, most) runs expected by chance for this many useful points, or None below 10.

    Fewer runs than the first, or more than the second, is a signal. The published
    table's value where it could be checked (`PUBLISHED_RUNS`), else the exact
    calculation (`runs_limits_exact`). The two differ at several sizes: for 20 useful
    points the table gives 6 to 16, the exact calculation 7 to 15.
    """
    if useful in PUBLISHED_RUNS:
        return PUBLISHED_RUNS[useful]
    return runs_limits_exact(useful)


def anhoej_longest_run_limit(useful: int) -> int:
    """A run longer than this is unusual (Anhøj): round(log2(n) + 3)."""
    return round(math.log2(useful) + 3)


@lru_cache(maxsize=2048)
def anhoej_crossings_limit(useful: int) -> int:
    """Fewer crossings than this is unusual: the lower 5% binomial quantile (n - 1, 0.5).

    As R's qbinom(0.05, n - 1, 0.5): the smallest x with P(X <= x) >= 0.05, exactly.
    """
    trials = useful - 1
    if trials <= 0:
        return 0
    total, cumulative = 2**trials, 0
    for x in range(trials + 1):
        cumulative += comb(trials, x)
        if 20 * cumulative >= total:
            return x
    return trials
