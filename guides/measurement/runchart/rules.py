"""Run charts and XmR (SPC) charts: centre lines, limits and signal rules.

Pure functions with no Django imports, so the rules can be tested as plain Python.

Rule sets (see `RULE_SETS`):

- ``ihi``: run chart rules of Perla, Provost & Murray (2011), "The run chart: a simple
  analytical tool for learning from variation in healthcare processes", BMJ Qual Saf
  20:46-51. Shift: six or more consecutive points on one side of the median, points on
  the median skipped. Trend: five or more consecutive points all going up or all going
  down, a repeated value counted once. Runs: too few or too many for the number of
  useful points (points not on the median); see `runs_limits` for where the limits
  come from.
- ``anhoej``: Anhøj's rules (Anhøj & Olesen 2014, PLoS ONE 9(11): e113825): the longest
  run is longer than round(log2(n) + 3), or the line crosses the median fewer times than
  the lower 5% quantile of the binomial distribution with n - 1 trials and p = 0.5,
  where n is the number of useful points.
- ``mdc7`` and ``mdc6``: NHS Making Data Count rules for XmR charts: a point outside the
  process limits; seven (or, in the 2024 revision, six) points in a row on one side of
  the mean; seven (or six) points in a row all increasing or all decreasing; two out of
  three points in a row beyond the same two-sigma line.

Astronomical points are a judgement, never calculated: the caller passes the points a
person has marked.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from math import comb

from guides.measurement.runchart.parse import MAX_POINTS

# Below this many points a run chart's rules are not reliable (Perla et al. 2011).
MIN_RUN_CHART_POINTS = 10
# XmR limits need about 15 to 20 points to settle (Making Data Count).
MIN_XMR_BASELINE = 15

XMR_SCALE = 2.66  # 3 / d2, d2 = 1.128 for moving ranges of two points, as published.
TWO_SIGMA_SCALE = XMR_SCALE * 2 / 3  # two thirds of the way out to the limits

CHART_TYPES = ("run", "xmr")
RULE_SETS = {"run": ("ihi", "anhoej"), "xmr": ("mdc7", "mdc6")}
DEFAULT_RULES = {"run": "ihi", "xmr": "mdc7"}
RULE_SET_NAMES = {
    "ihi": "IHI run chart rules (Perla, Provost and Murray 2011)",
    "anhoej": "Anhøj rules",
    "mdc7": "Making Data Count (seven-point rules)",
    "mdc6": "Making Data Count (six-point rules, 2024)",
}


# --------------------------------------------------------------------------------------
# Arithmetic
# --------------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    if not values:
        raise ValueError("median of no values")
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def mean(values: Sequence[float]) -> float:
    if not values:
        raise ValueError("mean of no values")
    return math.fsum(values) / len(values)


def moving_ranges(values: Sequence[float]) -> list[float]:
    """The absolute difference between each point and the one before it."""
    return [abs(b - a) for a, b in zip(values, values[1:], strict=False)]


def on_centre(value: float, centre: float) -> bool:
    # (87.1 + 87.3) / 2 is 87.19999999999999 in binary; a point of 87.2 is on the median.
    return math.isclose(value, centre, rel_tol=1e-9, abs_tol=1e-12)


def side(value: float, centre: float) -> int:
    """1 above, -1 below, 0 on the centre line."""
    if on_centre(value, centre):
        return 0
    return 1 if value > centre else -1


@dataclass(frozen=True)
class Limits:
    centre: float
    average_moving_range: float
    upper: float
    lower: float
    upper_two_sigma: float
    lower_two_sigma: float


def xmr_limits(values: Sequence[float]) -> Limits | None:
    """Mean, average moving range and process limits from (baseline) values; None below 2."""
    if len(values) < 2:
        return None
    centre = mean(values)
    amr = mean(moving_ranges(values))
    return Limits(
        centre=centre,
        average_moving_range=amr,
        upper=centre + XMR_SCALE * amr,
        lower=centre - XMR_SCALE * amr,
        upper_two_sigma=centre + TWO_SIGMA_SCALE * amr,
        lower_two_sigma=centre - TWO_SIGMA_SCALE * amr,
    )


# --------------------------------------------------------------------------------------
# Runs: limits from the exact distribution, and Anhøj's limits
# --------------------------------------------------------------------------------------


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
def runs_limits(useful: int) -> tuple[int, int] | None:
    """(fewest, most) runs expected by chance for this many useful points, or None below 10.

    Fewer runs than the first, or more than the second, is a signal. The limits come from
    the exact runs distribution of Swed and Eisenhart (1943) for an even split of the
    useful points above and below the median (as the run chart rules assume: the median
    halves the data), at no more than 2.5% in each tail, about 5% in all. This is the
    basis that Perla, Provost and Murray (2011, Table 1) give for their table of 10 to 60
    useful points; the table itself could not be checked for this code, so the limits
    are computed, not copied, for every number of points. Worked in exact integers.
    For 10, 20 and 30 useful points they are (3, 9), (7, 15) and (11, 21); the tests
    check these against a count by brute force.
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


# --------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------


@dataclass
class Signal:
    rule: str  # "shift" | "trend" | "runs" | "outside-limits" | "two-of-three"
    points: list[int]  # zero-based, in time order
    detail: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"rule": self.rule, "points": list(self.points)}


def runs_about(values: Sequence[float], centre: float) -> list[list[int]]:
    """Runs of useful points (not on the centre line): lists of indices on one side."""
    runs: list[list[int]] = []
    last = 0
    for i, value in enumerate(values):
        s = side(value, centre)
        if s == 0:
            continue  # on the line: neither counts nor breaks a run
        if s != last:
            runs.append([])
            last = s
        runs[-1].append(i)
    return runs


def find_shifts(
    values: Sequence[float], centre: float, length: int, *, skip_on_centre: bool = True
) -> list[Signal]:
    """`length` or more points in a row on one side of the centre line.

    With skip_on_centre (run charts) a point on the line neither counts nor breaks a
    shift; without it (Making Data Count) a point on the line ends the run.
    """
    signals = []
    if skip_on_centre:
        runs = runs_about(values, centre)
    else:
        runs, last = [], 0
        for i, value in enumerate(values):
            s = side(value, centre)
            if s == 0:
                last = 0
                continue
            if s != last:
                runs.append([])
                last = s
            runs[-1].append(i)
    for run in runs:
        if len(run) >= length:
            above = values[run[0]] > centre
            skipped = run[-1] - run[0] + 1 - len(run)
            signals.append(
                Signal("shift", run, {"side": "above" if above else "below", "skipped": skipped})
            )
    return signals


def find_trends(values: Sequence[float], length: int, *, ties: str = "skip") -> list[Signal]:
    """`length` or more points in a row all going up or all going down.

    ties="skip" (run charts): of consecutive equal values only the first is counted, and
    the repeat neither adds to nor breaks the trend. ties="break" (Making Data Count): an
    equal value is neither an increase nor a decrease, so it ends the trend.
    """
    if ties == "skip":
        kept = [i for i in range(len(values)) if i == 0 or values[i] != values[i - 1]]
    else:
        kept = list(range(len(values)))
    signals = []
    stretch = [kept[0]] if kept else []
    direction = 0
    for a, b in zip(kept, kept[1:], strict=False):
        step = (values[b] > values[a]) - (values[b] < values[a])
        if step != 0 and step == direction:
            stretch.append(b)
            continue
        if len(stretch) >= length and direction:
            signals.append(
                Signal("trend", stretch, {"direction": "up" if direction > 0 else "down"})
            )
        # A turning point belongs to both the stretch it ends and the one it starts.
        stretch = [a, b] if step else [b]
        direction = step
    if len(stretch) >= length and direction:
        signals.append(Signal("trend", stretch, {"direction": "up" if direction > 0 else "down"}))
    return signals


def find_outside_limits(values: Sequence[float], limits: Limits) -> list[Signal]:
    """Points beyond a process limit: one signal for those above, one for those below."""
    above = [i for i, v in enumerate(values) if v > limits.upper and not on_centre(v, limits.upper)]
    below = [i for i, v in enumerate(values) if v < limits.lower and not on_centre(v, limits.lower)]
    signals = []
    if above:
        signals.append(Signal("outside-limits", above, {"side": "above"}))
    if below:
        signals.append(Signal("outside-limits", below, {"side": "below"}))
    return signals


def find_two_of_three(values: Sequence[float], limits: Limits) -> list[Signal]:
    """Two out of three points in a row beyond the same two-sigma line.

    Each signal lists the points beyond the line; overlapping windows make one signal.
    """
    signals = []
    for sign, line in ((1, limits.upper_two_sigma), (-1, limits.lower_two_sigma)):
        beyond = [
            (v - line) * sign > 0 and not on_centre(v, line) for v in values
        ]  # a point beyond the limit is beyond the two-sigma line too
        groups: list[set[int]] = []
        for start in range(len(values) - 2):
            window = [i for i in range(start, start + 3) if beyond[i]]
            if len(window) < 2:
                continue
            if groups and groups[-1] & set(window):
                groups[-1].update(window)
            else:
                groups.append(set(window))
        for group in groups:
            signals.append(
                Signal("two-of-three", sorted(group), {"side": "above" if sign > 0 else "below"})
            )
    return signals


# --------------------------------------------------------------------------------------
# The whole analysis
# --------------------------------------------------------------------------------------


@dataclass
class Analysis:
    chart: str
    rules: str
    values: list[float]
    baseline: int  # how many points, from the first, set the centre line and limits
    centre: float | None
    limits: Limits | None
    runs: int
    useful: int  # points not on the centre line
    runs_expected: tuple[int, int | None] | None
    longest_run: int
    crossings: int
    signals: list[Signal]
    astronomical: list[int]
    warnings: list[str]
    extra: dict = field(default_factory=dict)  # rule-set figures, e.g. Anhøj's limits

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def moving_ranges(self) -> list[float]:
        return moving_ranges(self.values)

    def signal_points(self) -> set[int]:
        """Points that are part of a signal drawn on the chart (the runs rule is chart-wide)."""
        return {i for s in self.signals if s.rule != "runs" for i in s.points}

    def as_json(self) -> dict:
        limits = None
        if self.limits is not None:
            limits = {
                "upper": _tidy(self.limits.upper),
                "lower": _tidy(self.limits.lower),
                "upper_two_sigma": _tidy(self.limits.upper_two_sigma),
                "lower_two_sigma": _tidy(self.limits.lower_two_sigma),
            }
        expected = None
        if self.runs_expected is not None:
            expected = {"low": self.runs_expected[0], "high": self.runs_expected[1]}
        return {
            "chart": self.chart,
            "rules": self.rules,
            "points": self.n,
            "baseline": self.baseline,
            "centre": _tidy(self.centre),
            "limits": limits,
            "average_moving_range": _tidy(self.limits.average_moving_range)
            if self.limits
            else None,
            "runs": self.runs,
            "useful_points": self.useful,
            "runs_expected": expected,
            "longest_run": self.longest_run,
            "crossings": self.crossings,
            **self.extra,
            "signals": [s.as_dict() for s in self.signals],
            "astronomical": self.astronomical,
            "warnings": self.warnings,
        }


def _tidy(value: float | None) -> float | None:
    """Ten significant figures: 15.000000000000002 is 15."""
    if value is None:
        return None
    return float(f"{value:.10g}")


def analyse(
    values: Sequence[float],
    chart: str = "run",
    rules: str | None = None,
    baseline: int | None = None,
    astronomical: Iterable[int] = (),
) -> Analysis:
    """Centre line, limits, runs and signals for a series in time order.

    `baseline` is how many points, from the first, set the centre line (and limits);
    all the points when it is None. Problems with the options become warnings, never
    exceptions.
    """
    values = [float(v) for v in values][:MAX_POINTS]
    warnings: list[str] = []
    if chart not in CHART_TYPES:
        warnings.append(f"“{chart}” is not a chart type: a run chart is drawn.")
        chart = "run"
    if rules is None or rules == "":
        rules = DEFAULT_RULES[chart]
    elif rules not in RULE_SETS[chart]:
        fallback = DEFAULT_RULES[chart]
        if rules in RULE_SET_NAMES:
            warnings.append(
                f"The {RULE_SET_NAMES[rules]} are not used on "
                f"{'a run chart' if chart == 'run' else 'an XmR chart'}: "
                f"the {RULE_SET_NAMES[fallback]} are used instead."
            )
        else:
            warnings.append(
                f"“{rules}” is not a rule set: the {RULE_SET_NAMES[fallback]} are used."
            )
        rules = fallback

    n = len(values)
    if baseline is None or baseline >= n:
        if baseline is not None and baseline > n:
            warnings.append(
                f"The baseline was set to {baseline:,} points but there "
                f"{'is' if n == 1 else 'are'} only {n:,}: all of them are used."
            )
        baseline = n
    elif baseline < 1:
        warnings.append("A baseline needs at least one point: all the points are used.")
        baseline = n
    marked = sorted({i for i in astronomical if 0 <= i < n})

    if n == 0:
        return Analysis(chart, rules, [], 0, None, None, 0, 0, None, 0, 0, [], [], warnings)

    base = values[:baseline]
    limits = xmr_limits(base) if chart == "xmr" else None
    centre = median(base) if chart == "run" else mean(base)

    runs = runs_about(values, centre)
    useful = sum(len(r) for r in runs)
    longest = max((len(r) for r in runs), default=0)
    signals: list[Signal] = []
    runs_expected = None
    extra: dict = {}

    if rules == "ihi":
        signals += find_shifts(values, centre, 6)
        signals += find_trends(values, 5, ties="skip")
        runs_expected = runs_limits(useful)
        if runs_expected is not None:
            low, high = runs_expected
            if len(runs) < low or len(runs) > high:
                few = len(runs) < low
                signals.append(
                    Signal("runs", [i for r in runs for i in r], {"too": "few" if few else "many"})
                )
        elif n >= MIN_RUN_CHART_POINTS and useful:
            warnings.append(
                f"Only {useful:,} of the points are off the median: the runs rule needs at "
                f"least {MIN_RUN_CHART_POINTS}, so it was not used."
            )
    elif rules == "anhoej":
        if useful:
            longest_limit = anhoej_longest_run_limit(useful)
            crossings_limit = anhoej_crossings_limit(useful)
            extra = {"longest_run_limit": longest_limit, "crossings_limit": crossings_limit}
            for run in runs:
                if len(run) > longest_limit:
                    side_name = "above" if values[run[0]] > centre else "below"
                    skipped = run[-1] - run[0] + 1 - len(run)
                    signals.append(
                        Signal(
                            "shift",
                            run,
                            {"side": side_name, "skipped": skipped, "limit": longest_limit},
                        )
                    )
            if len(runs) - 1 < crossings_limit:
                signals.append(
                    Signal(
                        "runs",
                        [i for r in runs for i in r],
                        {"too": "few", "limit": crossings_limit},
                    )
                )
            runs_expected = (crossings_limit + 1, None)
    else:
        length = 7 if rules == "mdc7" else 6
        if limits is not None:
            signals += find_outside_limits(values, limits)
        signals += find_shifts(values, centre, length, skip_on_centre=False)
        signals += find_trends(values, length, ties="break")
        if limits is not None:
            signals += find_two_of_three(values, limits)

    order = {"outside-limits": 0, "shift": 1, "trend": 2, "two-of-three": 3, "runs": 4}
    signals.sort(key=lambda s: (s.rule == "runs", s.points[0] if s.points else 0, order[s.rule]))

    warnings += _point_warnings(chart, values, baseline, centre, limits)
    return Analysis(
        chart=chart,
        rules=rules,
        values=values,
        baseline=baseline,
        centre=centre,
        limits=limits,
        runs=len(runs),
        useful=useful,
        runs_expected=runs_expected,
        longest_run=longest,
        crossings=max(len(runs) - 1, 0),
        signals=signals,
        astronomical=marked,
        warnings=warnings,
        extra=extra,
    )


def _point_warnings(
    chart: str, values: list[float], baseline: int, centre: float, limits: Limits | None
) -> list[str]:
    n = len(values)
    warnings = []
    if chart == "run" and n < MIN_RUN_CHART_POINTS:
        warnings.append(
            f"There {'is only 1 point' if n == 1 else f'are only {n} points'}. The run chart "
            f"rules need at least {MIN_RUN_CHART_POINTS} points to judge whether anything has "
            "changed: keep collecting data, and treat any signal with caution."
        )
    if chart == "run" and all(on_centre(v, centre) for v in values) and n > 1:
        warnings.append("Every point is on the median, so there are no runs to judge.")
    if chart == "xmr":
        if baseline < 2:
            warnings.append(
                "Process limits need at least 2 points "
                f"{'in the baseline ' if baseline < n else ''}to work out a moving range: "
                "no limits are drawn."
            )
        elif baseline < MIN_XMR_BASELINE:
            warnings.append(
                f"The limits are worked out from only {baseline} points. XmR limits need "
                "about 15 to 20 points to settle: treat them as temporary."
            )
        if limits is not None and limits.average_moving_range == 0:
            warnings.append(
                "All the values used for the limits are the same, so there is no variation to "
                "work out limits from: the limits sit on the mean."
            )
        elif limits is not None and limits.lower < 0 <= min(values):
            warnings.append(
                "The lower limit is below zero. If your measure can never be negative, read "
                "the lower limit as zero."
            )
    return warnings
