"""The whole analysis of a series, phase by phase: centre lines, limits, signals, the
type of every point, and whether a target will be met.

Pure functions with no Django imports. The Making Data Count parts follow NHS England's
NHSRplotthedots 0.2 (`ptd_spc`): phases start where the process was changed (`rebase`),
each with its own mean, moving ranges and limits; `baseline` fixes each phase's mean and
average moving range from its first N points (`fix_after_n_points`); `screen` leaves
out outlying moving ranges (`screen_outliers`); the improvement direction turns high and
low points into improvement or concern; a target is judged against the last phase's
limits (the assurance).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from guides.measurement.runchart.parse import MAX_POINTS
from guides.measurement.runchart.rules import (
    CHART_TYPES,
    DEFAULT_RULES,
    MIN_XMR_BASELINE,
    RULE_SET_NAMES,
    RULE_SETS,
    Limits,
    Signal,
    find_outside_limits,
    find_shifts,
    find_trends,
    find_two_of_three,
    mean,
    median,
    moving_ranges,
    on_centre,
    runs_about,
    side,
    xmr_limits,
)
from guides.measurement.runchart.runs import (
    MIN_RUN_CHART_POINTS,
    anhoej_crossings_limit,
    anhoej_longest_run_limit,
    runs_limits,
    runs_limits_source,
)

DIRECTIONS = ("increase", "decrease", "neutral")
DEFAULT_DIRECTION = "neutral"
POINT_TYPES = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
)
ASSURANCE_TYPES = ("consistent_pass", "consistent_fail", "inconsistent")
# More phases than this make a chart nobody can read.
MAX_PHASES = 26


@dataclass
class Phase:
    start: int  # zero-based, the phase's first point
    end: int  # inclusive
    fixed: int  # how many of its points, from its first, set its centre line and limits
    centre: float
    limits: Limits | None = None
    runs: int = 0
    useful: int = 0  # points not on the centre line
    runs_expected: tuple[int, int | None] | None = None
    longest_run: int = 0
    crossings: int = 0
    extra: dict = field(default_factory=dict)  # rule-set figures, e.g. Anhøj's limits

    @property
    def n(self) -> int:
        return self.end - self.start + 1

    def as_json(self) -> dict:
        limits = self.limits
        return {
            "start": self.start,
            "end": self.end,
            "baseline": self.fixed,
            "centre": _tidy(self.centre),
            "upper": _tidy(limits.upper) if limits else None,
            "lower": _tidy(limits.lower) if limits else None,
            "near_upper": _tidy(limits.upper_two_sigma) if limits else None,
            "near_lower": _tidy(limits.lower_two_sigma) if limits else None,
            "average_moving_range": _tidy(limits.average_moving_range) if limits else None,
        }


@dataclass
class Analysis:
    chart: str
    rules: str
    values: list[float]
    baseline: int  # how many points, from the first, set the centre line and limits
    centre: float | None  # the last phase's (the current process)
    limits: Limits | None  # the last phase's
    runs: int
    useful: int  # points not on the centre line
    runs_expected: tuple[int, int | None] | None
    longest_run: int
    crossings: int
    signals: list[Signal]
    astronomical: list[int]
    warnings: list[str]
    extra: dict = field(default_factory=dict)  # rule-set figures, e.g. Anhøj's limits
    phases: list[Phase] = field(default_factory=list)
    point_types: list[str] = field(default_factory=list)
    direction: str = DEFAULT_DIRECTION
    target: float | None = None
    assurance: str | None = None
    screen: bool = False

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def moving_ranges(self) -> list[float]:
        return moving_ranges(self.values)

    @property
    def variation(self) -> str | None:
        """The last point's type: what the process is doing now."""
        return self.point_types[-1] if self.point_types else None

    @property
    def has_baseline(self) -> bool:
        """Whether some phase's centre line comes from fewer points than the phase has."""
        return any(p.fixed < p.n for p in self.phases)

    def phase_of(self, index: int) -> int:
        for k, phase in enumerate(self.phases):
            if phase.start <= index <= phase.end:
                return k
        return 0

    def phase_moving_ranges(self) -> list[float | None]:
        """Each point's moving range within its phase; None at each phase's first point."""
        out: list[float | None] = []
        for phase in self.phases:
            out.append(None)
            out += moving_ranges(self.values[phase.start : phase.end + 1])
        return out

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
        phase_of = [k for k, p in enumerate(self.phases) for _ in range(p.n)]
        return {
            "chart": self.chart,
            "rules": self.rules,
            "count": self.n,
            "baseline": self.baseline,
            "direction": self.direction,
            "target": _tidy(self.target),
            "screen": self.screen,
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
            "phases": [p.as_json() for p in self.phases],
            "points": [
                {"index": i, "phase": phase_of[i], "type": kind}
                for i, kind in enumerate(self.point_types)
            ],
            "variation": self.variation,
            "assurance": self.assurance,
            "signals": [s.as_dict() for s in self.signals],
            "astronomical": self.astronomical,
            "warnings": self.warnings,
        }


def _tidy(value: float | None) -> float | None:
    """Ten significant figures: 15.000000000000002 is 15."""
    if value is None:
        return None
    return float(f"{value:.10g}")


# --------------------------------------------------------------------------------------
# Options
# --------------------------------------------------------------------------------------


def _check_chart_and_rules(chart: str, rules: str | None, warnings: list[str]) -> tuple[str, str]:
    if chart not in CHART_TYPES:
        warnings.append(f"“{chart}” is not a chart type: a run chart is drawn.")
        chart = "run"
    if rules is None or rules == "":
        return chart, DEFAULT_RULES[chart]
    if rules in RULE_SETS[chart]:
        return chart, rules
    fallback = DEFAULT_RULES[chart]
    if rules in RULE_SET_NAMES:
        warnings.append(
            f"The {RULE_SET_NAMES[rules]} are not used on "
            f"{'a run chart' if chart == 'run' else 'an XmR chart'}: "
            f"the {RULE_SET_NAMES[fallback]} are used instead."
        )
    else:
        warnings.append(f"“{rules}” is not a rule set: the {RULE_SET_NAMES[fallback]} are used.")
    return chart, fallback


def phase_bounds(
    n: int, rebase: Iterable[int], warnings: list[str] | None = None
) -> list[tuple[int, int]]:
    """(start, end inclusive) of each phase, from the zero-based points where one starts.

    A start at the first point, or repeated, changes nothing; one outside the data is
    left out with a warning.
    """
    warnings = warnings if warnings is not None else []
    starts, outside = set(), []
    for index in rebase:
        if 0 < index < n:
            starts.add(index)
        elif index != 0:
            outside.append(index)
    if outside:
        named = ", ".join(str(i) for i in sorted(outside)[:5])
        warnings.append(
            f"A new phase can only start at a point within the data (0 to {max(n - 1, 0):,}, "
            f"counting from 0): {named} {'was' if len(outside) == 1 else 'were'} left out."
        )
    ordered = sorted(starts)
    if len(ordered) > MAX_PHASES - 1:
        warnings.append(f"Only the first {MAX_PHASES} phases are used.")
        ordered = ordered[: MAX_PHASES - 1]
    edges = [0, *ordered, n]
    return [(a, b - 1) for a, b in zip(edges, edges[1:], strict=False) if b > a]


# --------------------------------------------------------------------------------------
# Point types and assurance
# --------------------------------------------------------------------------------------


def point_types(
    values: Sequence[float],
    analysis_phases: Sequence[Phase],
    signals: Sequence[Signal],
    direction: str,
) -> list[str]:
    """Every point's type, as NHSRplotthedots 0.2 assigns it.

    A point no signal flags is common cause. A flagged point is high or low: by the side
    of the limit it lies beyond; else, in a trend, by the trend's direction (a point that
    ends one trend and starts the next takes the later one's); else by its side of its
    phase's centre line. The improvement direction names high and low.
    """
    n = len(values)
    centres = [0.0] * n
    for phase in analysis_phases:
        for i in range(phase.start, phase.end + 1):
            centres[i] = phase.centre
    beyond: dict[int, int] = {}
    trend: dict[int, int] = {}
    flagged: set[int] = set()
    for signal in sorted(signals, key=lambda s: s.points[0] if s.points else 0):
        if signal.rule == "runs":
            continue
        flagged.update(signal.points)
        if signal.rule == "outside-limits":
            for i in signal.points:
                beyond[i] = 1 if signal.detail["side"] == "above" else -1
        elif signal.rule == "trend":
            for i in signal.points:
                trend[i] = 1 if signal.detail["direction"] == "up" else -1
    names = {
        "increase": {1: "special_cause_improvement", -1: "special_cause_concern"},
        "decrease": {1: "special_cause_concern", -1: "special_cause_improvement"},
        "neutral": {1: "special_cause_neutral_high", -1: "special_cause_neutral_low"},
    }[direction]
    types = []
    for i, value in enumerate(values):
        if i not in flagged:
            types.append("common_cause")
            continue
        way = beyond.get(i) or trend.get(i) or side(value, centres[i])
        types.append(names[way] if way else "common_cause")
    return types


def assurance(target: float | None, direction: str, limits: Limits | None) -> str | None:
    """Whether the target will be met, judged against the (last phase's) process limits."""
    if target is None or direction == "neutral" or limits is None:
        return None
    increase = direction == "increase"
    if target > limits.upper and not on_centre(target, limits.upper):
        return "consistent_fail" if increase else "consistent_pass"
    if target < limits.lower and not on_centre(target, limits.lower):
        return "consistent_pass" if increase else "consistent_fail"
    return "inconsistent"


# --------------------------------------------------------------------------------------
# The analysis
# --------------------------------------------------------------------------------------


def _offset(signals: list[Signal], start: int, phase: int) -> list[Signal]:
    for signal in signals:
        signal.points = [i + start for i in signal.points]
        signal.phase = phase
    return signals


def _run_chart_phase(
    seg: list[float], phase: Phase, rules: str, k: int, warnings: list[str]
) -> list[Signal]:
    """The run chart rules within one phase (indices within the phase)."""
    centre = phase.centre
    runs = runs_about(seg, centre)
    phase.runs = len(runs)
    phase.useful = sum(len(r) for r in runs)
    phase.longest_run = max((len(r) for r in runs), default=0)
    phase.crossings = max(len(runs) - 1, 0)
    signals: list[Signal] = []
    if rules == "ihi":
        signals += find_shifts(seg, centre, 6)
        signals += find_trends(seg, 5, ties="skip")
        phase.runs_expected = runs_limits(phase.useful)
        if phase.runs_expected is not None:
            low, high = phase.runs_expected
            if phase.runs < low or phase.runs > high:
                too = "few" if phase.runs < low else "many"
                detail = {"too": too, "runs": phase.runs, "useful": phase.useful}
                detail.update(low=low, high=high, source=runs_limits_source(phase.useful))
                signals.append(Signal("runs", [i for r in runs for i in r], detail))
        elif len(seg) >= MIN_RUN_CHART_POINTS and phase.useful:
            where = f"In phase {k + 1}, only" if k else "Only"
            warnings.append(
                f"{where} {phase.useful:,} of the points are off the median: the runs rule "
                f"needs at least {MIN_RUN_CHART_POINTS}, so it was not used."
            )
    elif phase.useful:  # anhoej
        longest_limit = anhoej_longest_run_limit(phase.useful)
        crossings_limit = anhoej_crossings_limit(phase.useful)
        phase.extra = {"longest_run_limit": longest_limit, "crossings_limit": crossings_limit}
        for run in runs:
            if len(run) > longest_limit:
                skipped = run[-1] - run[0] + 1 - len(run)
                detail = {"side": "above" if seg[run[0]] > centre else "below"}
                detail.update(skipped=skipped, limit=longest_limit, useful=phase.useful)
                signals.append(Signal("shift", run, detail))
        if phase.crossings < crossings_limit:
            detail = {"too": "few", "limit": crossings_limit}
            detail.update(crossings=phase.crossings, useful=phase.useful)
            signals.append(Signal("runs", [i for r in runs for i in r], detail))
        phase.runs_expected = (crossings_limit + 1, None)
    return signals


def _xmr_phase(seg: list[float], phase: Phase, rules: str) -> list[Signal]:
    length = 7 if rules == "mdc7" else 6
    signals: list[Signal] = []
    if phase.limits is not None:
        signals += find_outside_limits(seg, phase.limits)
    signals += find_shifts(seg, phase.centre, length, skip_on_centre=False)
    signals += find_trends(seg, length, ties="break")
    if phase.limits is not None:
        signals += find_two_of_three(seg, phase.limits)
    return signals


def analyse(
    values: Sequence[float],
    chart: str = "run",
    rules: str | None = None,
    baseline: int | None = None,
    astronomical: Iterable[int] = (),
    *,
    direction: str = DEFAULT_DIRECTION,
    target: float | None = None,
    rebase: Iterable[int] = (),
    screen: bool = False,
) -> Analysis:
    """Centre lines, limits, runs, signals and point types for a series in time order.

    `rebase` lists the zero-based points where a new phase starts: each phase has its own
    centre line (and limits), and signals are found within it. `baseline` is how many
    points, from the first of each phase, set that phase's centre line (and limits); all
    of them when it is None. Problems with the options become warnings, never exceptions.
    """
    values = [float(v) for v in values][:MAX_POINTS]
    warnings: list[str] = []
    chart, rules = _check_chart_and_rules(chart, rules, warnings)
    if direction not in DIRECTIONS:
        warnings.append(
            f"“{direction}” is not an improvement direction (increase, decrease or neutral): "
            "neutral is used."
        )
        direction = DEFAULT_DIRECTION
    if target is not None and not math.isfinite(target):
        warnings.append("The target is not a number that can be drawn, so it was left out.")
        target = None

    n = len(values)
    if baseline is not None and baseline > n:
        warnings.append(
            f"The baseline was set to {baseline:,} points but there "
            f"{'is' if n == 1 else 'are'} only {n:,}: all of them are used."
        )
        baseline = None
    elif baseline is not None and baseline < 1:
        warnings.append("A baseline needs at least one point: all the points are used.")
        baseline = None
    marked = sorted({i for i in astronomical if 0 <= i < n})

    if n == 0:
        return Analysis(chart, rules, [], 0, None, None, 0, 0, None, 0, 0, [], [], warnings)

    phases: list[Phase] = []
    signals: list[Signal] = []
    for k, (start, end) in enumerate(phase_bounds(n, rebase, warnings)):
        seg = values[start : end + 1]
        fixed = min(baseline or len(seg), len(seg))
        base = seg[:fixed]
        if chart == "run":
            phase = Phase(start, end, fixed, median(base))
            found = _run_chart_phase(seg, phase, rules, k, warnings)
        else:
            limits = xmr_limits(base, screen=screen)
            phase = Phase(start, end, fixed, mean(base), limits)
            found = _xmr_phase(seg, phase, rules)
        phases.append(phase)
        signals += _offset(found, start, k)

    order = {"outside-limits": 0, "shift": 1, "trend": 2, "two-of-three": 3, "runs": 4}
    signals.sort(key=lambda s: (s.rule == "runs", s.points[0] if s.points else 0, order[s.rule]))

    last = phases[-1]
    for k, phase in enumerate(phases):
        warnings += _phase_warnings(chart, values, phase, k if len(phases) > 1 else None)
    if chart == "xmr" and target is not None and last.limits is None:
        warnings.append("The target cannot be judged without process limits.")
    return Analysis(
        chart=chart,
        rules=rules,
        values=values,
        baseline=phases[0].fixed if len(phases) == 1 else (baseline or n),
        centre=last.centre,
        limits=last.limits,
        runs=last.runs,
        useful=last.useful,
        runs_expected=last.runs_expected,
        longest_run=last.longest_run,
        crossings=last.crossings,
        signals=signals,
        astronomical=marked,
        warnings=warnings,
        extra=last.extra,
        phases=phases,
        point_types=point_types(values, phases, signals, direction),
        direction=direction,
        target=target,
        assurance=assurance(target, direction, last.limits),
        screen=screen,
    )


def _phase_warnings(chart: str, values: list[float], phase: Phase, k: int | None) -> list[str]:
    """Warnings about one phase; `k` is its position when there are several, else None."""
    seg = values[phase.start : phase.end + 1]
    n, fixed = len(seg), phase.fixed
    where = ""
    if k is not None:
        span = (
            f"point {phase.start + 1}" if n == 1 else f"points {phase.start + 1} to {phase.end + 1}"
        )
        where = f"Phase {k + 1} ({span})"
    warnings = []
    if chart == "run":
        if n < MIN_RUN_CHART_POINTS:
            count = "is only 1 point" if n == 1 else f"are only {n} points"
            warnings.append(
                f"{where + ': there' if where else 'There'} {count}. The run chart rules need "
                f"at least {MIN_RUN_CHART_POINTS} points to judge whether anything has "
                "changed: keep collecting data, and treat any signal with caution."
            )
        if n > 1 and all(on_centre(v, phase.centre) for v in seg):
            warnings.append(
                f"{where + ': every' if where else 'Every'} point is on the median, so there "
                "are no runs to judge."
            )
        return warnings
    if fixed < 2:
        warnings.append(
            f"{where + ': process' if where else 'Process'} limits need at least 2 points "
            f"{'in the baseline ' if fixed < n else ''}to work out a moving range: "
            "no limits are drawn."
        )
    elif fixed < MIN_XMR_BASELINE:
        warnings.append(
            f"{where + ': the' if where else 'The'} limits are worked out from only {fixed} "
            "points. XmR limits need about 15 to 20 points to settle: treat them as temporary."
        )
    limits = phase.limits
    if limits is not None and limits.average_moving_range == 0:
        warnings.append(
            f"{where + ': all' if where else 'All'} the values used for the limits are the "
            "same, so there is no variation to work out limits from: the limits sit on the mean."
        )
    elif limits is not None and limits.lower < 0 <= min(values):
        warnings.append(
            f"{where + ': the' if where else 'The'} lower limit is below zero. If your measure "
            "can never be negative, read the lower limit as zero."
        )
    if limits is not None and limits.screened:
        count = limits.screened
        warnings.append(
            f"{where + ': ' if where else ''}{count} unusually large moving "
            f"{'range was' if count == 1 else 'ranges were'} left out before the limits were "
            "set (screening)."
        )
    return warnings
