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
- ``mdc7`` and ``mdc6``: NHS Making Data Count rules for XmR charts, as NHS England's
  NHSRplotthedots 0.2 applies them: a point beyond a process limit; seven (or, in the
  2024 revision, six) points in a row on one side of the mean, a point on the mean
  ending the run; seven (or six) points in a row each strictly higher, or each strictly
  lower, than the one before; two out of three points in a row between a near
  (two-sigma) line and its limit, with all three on that side of the mean.

The whole analysis, phase by phase, is in `guides.measurement.runchart.analysis`; the
runs limits in `guides.measurement.runchart.runs`.

Astronomical points are a judgement, never calculated: the caller passes the points a
person has marked.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from guides.measurement.runchart.runs import MIN_RUN_CHART_POINTS

__all__ = ["MIN_RUN_CHART_POINTS"]  # re-exported for older callers

# XmR limits need about 15 to 20 points to settle (Making Data Count).
MIN_XMR_BASELINE = 15

XMR_SCALE = 2.66  # 3 / d2, d2 = 1.128 for moving ranges of two points, as published.
TWO_SIGMA_SCALE = XMR_SCALE * 2 / 3  # two thirds of the way out to the limits
# Screening: a moving range this many times the average is left out (3.267 = D4 for n = 2).
SCREEN_SCALE = 3.267

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
    screened: int = 0  # moving ranges left out by screening


def xmr_limits(values: Sequence[float], *, screen: bool = False) -> Limits | None:
    """Mean, average moving range and process limits from (baseline) values; None below 2.

    With `screen`, moving ranges at or above 3.267 times the average moving range are
    left out and the average is worked out again from the rest, before the limits are
    set (NHSRplotthedots' `screen_outliers`). With no variation at all nothing is left out.
    """
    if len(values) < 2:
        return None
    centre = mean(values)
    ranges = moving_ranges(values)
    amr = mean(ranges)
    screened = 0
    if screen and amr > 0:
        cut = SCREEN_SCALE * amr
        kept = [r for r in ranges if r < cut and not math.isclose(r, cut, rel_tol=1e-12)]
        screened = len(ranges) - len(kept)
        amr = mean(kept)
    return Limits(
        centre=centre,
        average_moving_range=amr,
        upper=centre + XMR_SCALE * amr,
        lower=centre - XMR_SCALE * amr,
        upper_two_sigma=centre + TWO_SIGMA_SCALE * amr,
        lower_two_sigma=centre - TWO_SIGMA_SCALE * amr,
        screened=screened,
    )


# --------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------


@dataclass
class Signal:
    rule: str  # "shift" | "trend" | "runs" | "outside-limits" | "two-of-three"
    points: list[int]  # zero-based, in time order
    detail: dict = field(default_factory=dict)
    phase: int = 0  # the zero-based phase it was found in

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
    """Two out of three points in a row near the same limit, all three on that side.

    A point is near a limit when it lies beyond the near (two-sigma) line but not beyond
    the limit itself; the window counts only when all three of its points are on the same
    side of the mean (a point on the mean spoils it), as NHSRplotthedots 0.2 has it. Each
    signal lists the near points; overlapping windows make one signal.
    """
    signals = []
    n = len(values)
    centre = limits.centre
    for sign, line, limit in (
        (1, limits.upper_two_sigma, limits.upper),
        (-1, limits.lower_two_sigma, limits.lower),
    ):
        near = [
            (v - line) * sign > 0
            and not on_centre(v, line)
            and ((limit - v) * sign >= 0 or on_centre(v, limit))
            for v in values
        ]
        sides = [side(v, centre) == sign for v in values]
        groups: list[set[int]] = []
        for start in range(n - 2):
            span = range(start, start + 3)
            window = [i for i in span if near[i]]
            if len(window) < 2 or not all(sides[i] for i in span):
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
