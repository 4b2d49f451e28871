"""Run charts and XmR (SPC) charts: reading data, centre lines, limits and signal rules.

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

import csv
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from math import comb

# More points than this make an unreadable chart; the rest are dropped with a message.
MAX_POINTS = 1000
# Below this many points a run chart's rules are not reliable (Perla et al. 2011).
MIN_RUN_CHART_POINTS = 10
# XmR limits need about 15 to 20 points to settle (Making Data Count).
MIN_XMR_BASELINE = 15
# Longest label kept for a point, in characters.
MAX_LABEL = 40
# How many "not a number" lines to name before summarising the rest.
MAX_NAMED_PROBLEMS = 5

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
# Reading data
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    label: str | None
    value: float
    line: int | None = None  # where it came from, for messages


@dataclass
class Parsed:
    points: list[Point]
    messages: list[str] = field(default_factory=list)
    headers: tuple[str, str] | None = None  # column names, when the first row had them
    capped_from: int | None = None  # how many points there were before the cap

    @property
    def values(self) -> list[float]:
        return [p.value for p in self.points]

    @property
    def labels(self) -> list[str | None]:
        return [p.label for p in self.points]


_NUMBER = re.compile(
    r"""^
    (?P<sign>[-+\u2212\u2013]?)\s*          # minus, plus, Unicode minus or en dash
    (?P<currency>[£$€])?\s*
    (?P<num>
        \d{1,3}(?:,\d{3})+(?:\.\d+)?         # 1,234,567.89
      | \d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:\.\d+)?   # 1 234 567.89
      | \d+(?:\.\d*)?                        # 1234.5 or 12.
      | \.\d+                                # .5
    )
    \s*(?P<unit>%|[^\W\d_][^\d]{0,19})?      # 12%, 45 mins, 3 days
    $""",
    re.VERBOSE,
)
_DECIMAL_COMMA = re.compile(r"^(?P<sign>[-\u2212]?)(?P<int>\d+),(?P<frac>\d+)$")


def parse_number(text: str) -> tuple[float, bool] | None:
    """A number from a spreadsheet cell, or None. The flag says a unit or symbol was dropped.

    Accepts thousands separators ("1,234"), a unit or symbol ("12%", "£40", "45 mins")
    and a decimal comma ("12,5", but not "12,500", which is twelve thousand five hundred).
    """
    text = text.strip().strip('"').strip()
    if not text or len(text) > 50:
        return None
    match = _DECIMAL_COMMA.match(text)
    if match and len(match["frac"]) != 3:
        value = float(f"{match['int']}.{match['frac']}")
        return (-value if match["sign"] else value), False
    match = _NUMBER.match(text)
    if not match:
        return None
    digits = re.sub(r"[, \u00a0\u202f]", "", match["num"])
    value = float(digits)
    if match["sign"] in ("-", "\u2212", "\u2013"):
        value = -value
    if not math.isfinite(value):
        return None
    return value, bool(match["currency"] or match["unit"])


def _split_line(line: str) -> list[str]:
    """Cells of one row: tab-separated (pasted from a spreadsheet), or CSV."""
    if "\t" in line:
        delimiter = "\t"
    elif ";" in line:
        delimiter = ";"
    elif "," in line:
        delimiter = ","
    else:
        return [line.strip()]
    try:
        cells = next(csv.reader([line], delimiter=delimiter, skipinitialspace=True))
    except (csv.Error, StopIteration):
        cells = line.split(delimiter)
    return [c.strip() for c in cells]


def _label_and_value(cells: list[str]) -> tuple[str | None, str, bool]:
    """(label, value text, extra columns dropped) from one row's cells."""
    cells = list(cells)
    while len(cells) > 2 and cells[-1] == "":
        cells.pop()  # trailing separators from a spreadsheet
    if len(cells) == 1:
        return None, cells[0], False
    if len(cells) == 2:
        return cells[0], cells[1], False
    # "Week 1,1,234": an unquoted thousands separator split the value into cells.
    rest = cells[1:]
    if re.fullmatch(r"-?\d{1,3}", rest[0]) and all(
        re.fullmatch(r"\d{3}(?:\.\d+)?", c) for c in rest[1:]
    ):
        return cells[0], ",".join(rest), False
    return cells[0], cells[1], True


def _clip_label(label: str | None) -> str | None:
    if label is None:
        return None
    label = " ".join(label.split())
    if not label:
        return None
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def _not_a_number_messages(problems: list[tuple[str, str]]) -> list[str]:
    """Problems are (where, text); a text of "" means a label with no value."""
    messages = [
        f"{where}: “{_clip_label(text)}” is not a number, so it was left out."
        if text.strip()
        else f"{where} has no value, so it was left out."
        for where, text in problems[:MAX_NAMED_PROBLEMS]
    ]
    if len(problems) > MAX_NAMED_PROBLEMS:
        more = len(problems) - MAX_NAMED_PROBLEMS
        what = (
            "entry was not a number and was" if more == 1 else "entries were not numbers and were"
        )
        messages.append(f"{more:,} more {what} left out.")
    return messages


def _finish(points: list[Point], messages: list[str], max_points: int, **kwargs) -> Parsed:
    capped_from = None
    if len(points) > max_points:
        capped_from = len(points)
        messages.append(
            f"There were {len(points):,} points: only the first {max_points:,} are used. "
            "A chart with more points than that is hard to read; try weekly or monthly "
            "figures instead."
        )
        points = points[:max_points]
    return Parsed(points, messages, capped_from=capped_from, **kwargs)


def parse_values(text: str, max_points: int = MAX_POINTS) -> Parsed:
    """Values in one list: "3,5,4", "3; 5; 4" or "3 5 4". No labels, no thousands separators."""
    if re.search(r"[,;\t\n]", text):
        tokens = re.split(r"[,;\t\n]", text)
    else:
        tokens = text.split()
    points, problems, units = [], [], False
    position = 0
    for token in tokens:
        if not token.strip():
            continue
        position += 1
        parsed = parse_number(token)
        if parsed is None:
            problems.append((f"Value {position}", token.strip()))
            continue
        points.append(Point(None, parsed[0], position))
        units = units or parsed[1]
    messages = _not_a_number_messages(problems)
    if units:
        messages.append("Units and symbols such as “%” were ignored: only the numbers are charted.")
    return _finish(points, messages, max_points)


def parse_data(text: str, max_points: int = MAX_POINTS) -> Parsed:
    """Points from pasted or uploaded text.

    One point a line: "label<tab>value" pasted from a spreadsheet, "label,value" from a
    CSV file, or just the value. A first row that is not a number is taken as column
    headings. A single line of values ("3, 5, 4") is a list, and two long lines (labels
    across, then values across) are read as a spreadsheet row pasted sideways.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    rows = [(n, line) for n, line in enumerate(text.split("\n"), start=1) if line.strip()]
    if not rows:
        return Parsed([], [])
    split = [(n, _split_line(line)) for n, line in rows]

    if len(split) == 1 and (
        len(split[0][1]) != 2 or all(parse_number(c) is not None for c in split[0][1])
    ):
        return parse_values(rows[0][1], max_points)  # "3, 5, 4" typed on one line
    if len(split) == 2 and len(split[0][1]) > 2 and len(split[0][1]) == len(split[1][1]):
        # Labels in one row, values in the next: a row copied from a spreadsheet.
        labels, values = split[0][1], split[1][1]
        if parse_number(values[-1]) is not None and parse_number(labels[-1]) is None:
            split = [
                (i + 1, [label, value])
                for i, (label, value) in enumerate(zip(labels, values, strict=True))
            ]

    points: list[Point] = []
    problems: list[tuple[str, str]] = []
    headers = None
    units = extra_columns = False
    for index, (n, cells) in enumerate(split):
        label, value_text, extra = _label_and_value(cells)
        parsed = parse_number(value_text)
        if parsed is None:
            if index == 0:
                # Column headings, not a problem.
                headers = (cells[0], cells[1]) if len(cells) >= 2 else ("", cells[0])
            else:
                problems.append((f"Line {n}", value_text))
            continue
        extra_columns = extra_columns or extra
        units = units or parsed[1]
        points.append(Point(_clip_label(label), parsed[0], n))

    messages = _not_a_number_messages(problems)
    if extra_columns:
        messages.append("Only the first two columns (label and value) are used.")
    if units:
        messages.append("Units and symbols such as “%” were ignored: only the numbers are charted.")
    return _finish(points, messages, max_points, headers=headers)


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


# --------------------------------------------------------------------------------------
# Pointing at points: change markers and astronomical points
# --------------------------------------------------------------------------------------

MAX_CHANGES = 26


def match_point(token: str, labels: Sequence[str | None]) -> int | None:
    """The zero-based index of a point named by its label or its number (1 = the first)."""
    token = " ".join(token.split()).casefold()
    if not token:
        return None
    for i, label in enumerate(labels):
        if label and label.casefold() == token:
            return i
    if re.fullmatch(r"\d+", token):
        number = int(token)
        if 1 <= number <= len(labels):
            return number - 1
    return None


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _split_change(line: str, labels: Sequence[str | None]) -> tuple[int | None, str]:
    index = match_point(line, labels)
    if index is not None:
        return index, ""
    # "Mar 2024: board round started", "13 - huddle", "Week 5<tab>new form"
    for separator in re.finditer(r"\s*(?::|\t|,|;|\s[-\u2013\u2014]\s)\s*", line):
        index = match_point(line[: separator.start()], labels)
        if index is not None:
            return index, line[separator.end() :].strip()
    leading = re.match(r"(\d+)\s+(.+)", line)  # "13 board round"
    if leading:
        index = match_point(leading[1], labels)
        if index is not None:
            return index, leading[2].strip()
    return None, line


def parse_changes(
    text: str, labels: Sequence[str | None]
) -> tuple[list[tuple[int, str]], list[str]]:
    """Changes made (PDSA cycles), one a line: the point's label or number, then a note."""
    changes: list[tuple[int, str]] = []
    messages: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        index, note = _split_change(line, labels)
        if index is None:
            messages.append(
                f"The change “{_clip(line)}” does not start with a point number or a label "
                "from your data, so it is not on the chart."
            )
            continue
        changes.append((index, _clip(note, 120) or "change made"))
    if len(changes) > MAX_CHANGES:
        messages.append(f"Only the first {MAX_CHANGES} changes are marked on the chart.")
        changes = changes[:MAX_CHANGES]
    changes.sort(key=lambda change: change[0])
    return changes, messages


def parse_point_list(text: str, labels: Sequence[str | None]) -> tuple[list[int], list[str]]:
    """Points named by number or label, separated by commas or new lines."""
    found: set[int] = set()
    messages = []
    for token in re.split(r"[,;\n]", text):
        if not token.strip():
            continue
        index = match_point(token, labels)
        if index is None:
            messages.append(
                f"“{_clip(token.strip())}” is not a point number or a label from your data, "
                "so it was not marked as astronomical."
            )
        else:
            found.add(index)
    return sorted(found), messages


# --------------------------------------------------------------------------------------
# Plain words
# --------------------------------------------------------------------------------------

Part = tuple[str, str | None]  # text, and the glossary slug it links to (or None)


@dataclass
class Explanation:
    rule: str
    points: list[int]
    parts: list[Part]

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.parts)


def format_number(value: float | None) -> str:
    """A number as a person would write it: 1,234, 15.5, 0.125."""
    if value is None:
        return "–"
    if value == 0:
        return "0"
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    size = abs(value)
    decimals = 1 if size >= 100 else 2 if size >= 1 else max(3, 2 - math.floor(math.log10(size)))
    # Round halves up, as people do: 7.345 is 7.35 (in binary it is 7.34499...).
    exact = Decimal(f"{value:.12g}").quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{exact:,f}".rstrip("0").rstrip(".") if "." in f"{exact:f}" else f"{exact:,f}"
    return "0" if text in ("-0", "") else text


def _points_text(points: Sequence[int], labels: Sequence[str | None]) -> str:
    def name(i: int) -> str:
        label = labels[i] if i < len(labels) else None
        return f"{i + 1} ({label})" if label else f"{i + 1}"

    if len(points) == 1:
        return f"Point {name(points[0])}"
    if points == list(range(points[0], points[-1] + 1)) or len(points) > 4:
        return f"Points {name(points[0])} to {name(points[-1])}"
    return "Points " + ", ".join(name(i) for i in points[:-1]) + f" and {name(points[-1])}"


def explain(analysis: Analysis, labels: Sequence[str | None] = ()) -> list[Explanation]:
    """Each signal, and each marked astronomical point, in plain words with glossary links."""
    run_chart = analysis.chart == "run"
    centre_name: list[Part] = (
        [("the middle line (the ", None), ("median", "median"), (")", None)]
        if run_chart
        else [("the average line (the ", None), ("mean", "mean"), (")", None)]
    )
    changed: Part = (" Something has probably changed.", None)
    out = []
    for signal in analysis.signals:
        where = _points_text(signal.points, labels)
        count = len(signal.points)
        detail = signal.detail
        if signal.rule == "shift":
            skipped = detail.get("skipped", 0)
            note = (
                f", not counting {skipped} {'point' if skipped == 1 else 'points'} on the line"
                if skipped
                else ""
            )
            if analysis.rules == "anhoej":
                parts: list[Part] = [
                    (f"{where}: {count} points in a row all {detail['side']} ", None),
                    *centre_name,
                    (
                        f"{note}. That is longer than the {detail['limit']} you would expect by "
                        f"chance with {analysis.useful} points off the median: an unusually long ",
                        None,
                    ),
                    ("run", "run"),
                    (", a ", None),
                    ("shift", "shift"),
                    (".", None),
                    changed,
                ]
            else:
                parts = [
                    (f"{where}: {count} points in a row all {detail['side']} ", None),
                    *centre_name,
                    (f"{note}. This is a ", None),
                    ("shift", "shift"),
                    (".", None),
                    changed,
                ]
        elif signal.rule == "trend":
            going = "going up" if detail["direction"] == "up" else "going down"
            repeats = signal.points[-1] - signal.points[0] + 1 - count
            note = " (a repeated value counted once)" if repeats and run_chart else ""
            parts = [
                (f"{where}: {count} points in a row all {going}{note}. This is a ", None),
                ("trend", "trend"),
                (".", None),
                changed,
            ]
        elif signal.rule == "runs" and analysis.rules == "anhoej":
            parts = [
                (
                    f"The line crosses the median only {analysis.crossings} "
                    f"{'time' if analysis.crossings == 1 else 'times'}. With {analysis.useful} "
                    f"points off the median, fewer than {detail['limit']} crossings is unusual: "
                    "the points stay on one side for long stretches (too few ",
                    None,
                ),
                ("runs", "run"),
                (").", None),
                changed,
            ]
        elif signal.rule == "runs":
            low, high = analysis.runs_expected or (0, 0)
            if detail["too"] == "few":
                meaning = (
                    "The points stay on one side of the median for long stretches, which "
                    "suggests the process has moved."
                )
            else:
                meaning = (
                    "The points flip from one side of the median to the other more than chance "
                    "would: this often means data from two sources taking turns, such as two "
                    "teams or two shifts."
                )
            parts = [
                (f"Too {detail['too']} ", None),
                ("runs", "run"),
                (
                    f": the chart has {analysis.runs} "
                    f"{'run' if analysis.runs == 1 else 'runs'}, where between {low} and {high} "
                    f"are expected by chance for {analysis.useful} points off the median. "
                    f"{meaning}",
                    None,
                ),
                changed,
            ]
        elif signal.rule == "outside-limits":
            which = "upper" if detail["side"] == "above" else "lower"
            verb = "is" if count == 1 else "are"
            parts = [
                (f"{where} {verb} {detail['side']} the {which} ", None),
                ("process limit", "control-limits"),
                (". This is ", None),
                ("special-cause variation", "special-cause-variation"),
                (
                    ": something unusual happened, and it is worth finding out what.",
                    None,
                ),
            ]
        else:  # two-of-three
            which = "upper" if detail["side"] == "above" else "lower"
            parts = [
                (
                    f"{where}: two out of three points in a row are beyond the {which} "
                    "two-sigma line, close to the ",
                    None,
                ),
                ("process limit", "control-limits"),
                (". This is ", None),
                ("special-cause variation", "special-cause-variation"),
                (": an early warning that something has changed.", None),
            ]
        out.append(Explanation(signal.rule, list(signal.points), parts))

    for i in analysis.astronomical:
        parts = [
            (f"You marked {_points_text([i], labels).lower()} as an ", None),
            ("astronomical point", "astronomical-data-point"),
            (
                ": a value so different from the rest that anyone looking at the chart would "
                "agree it stands out. That is a judgement, not a calculation: find out what "
                "happened.",
                None,
            ),
        ]
        out.append(Explanation("astronomical", [i], parts))
    return out


def no_signal_parts(analysis: Analysis) -> list[Part]:
    """What no signal means, in plain words."""
    parts: list[Part] = [
        ("No signals. The variation looks like the everyday ups and downs (", None),
        ("common-cause variation", "common-cause-variation"),
        ("): no evidence of change yet.", None),
    ]
    few = MIN_RUN_CHART_POINTS if analysis.chart == "run" else MIN_XMR_BASELINE
    if analysis.n < few:
        parts.append((" With so few points, that may change as you collect more.", None))
    return parts
