"""Signals in plain words, with links to the glossary, and numbers as people write them.

Pure functions with no Django imports: the page turns the parts into links.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from guides.measurement.runchart.analysis import Analysis
from guides.measurement.runchart.rules import MIN_RUN_CHART_POINTS, MIN_XMR_BASELINE

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
    # Enough precision for any float's digits at any scale: 1e30 to one decimal place, or
    # 1e-300 to 302, would overflow the default 28 digits (decimal.InvalidOperation).
    with localcontext(prec=700):
        exact = Decimal(f"{value:.12g}").quantize(
            Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP
        )
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
        phase_note = (
            f"In phase {detail['phase'] + 1}: "
            if len(analysis.phases) > 1 and "phase" in detail
            else ""
        )
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
                        f"chance with {detail.get('useful', analysis.useful)} points off the "
                        "median: "
                        "an unusually long ",
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
            crossings = detail.get("crossings", analysis.crossings)
            useful = detail.get("useful", analysis.useful)
            parts = [
                (
                    f"{phase_note}The line crosses the median only {crossings} "
                    f"{'time' if crossings == 1 else 'times'}. With {useful} "
                    f"points off the median, fewer than {detail['limit']} crossings is unusual: "
                    "the points stay on one side for long stretches (too few ",
                    None,
                ),
                ("runs", "run"),
                (").", None),
                changed,
            ]
        elif signal.rule == "runs":
            low, high = detail.get("low"), detail.get("high")
            if low is None:
                low, high = analysis.runs_expected or (0, 0)
            runs = detail.get("runs", analysis.runs)
            useful = detail.get("useful", analysis.useful)
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
                (f"{phase_note}Too {detail['too']} ", None),
                ("runs", "run"),
                (
                    f": {'this phase' if phase_note else 'the chart'} has {runs} "
                    f"{'run' if runs == 1 else 'runs'}, where between {low} and {high} "
                    f"are expected by chance for {useful} points off the median. "
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


VARIATION_WORDS = {
    "common_cause": (
        "Common cause",
        "the latest points show only the everyday ups and downs, with no sign of change.",
    ),
    "special_cause_improvement": (
        "Special cause improvement",
        "the latest points show a real change for the better.",
    ),
    "special_cause_concern": (
        "Special cause concern",
        "the latest points show a real change for the worse: find out what happened.",
    ),
    "special_cause_neutral_high": (
        "Special cause, higher",
        "the latest points show a real change upwards.",
    ),
    "special_cause_neutral_low": (
        "Special cause, lower",
        "the latest points show a real change downwards.",
    ),
}

ASSURANCE_WORDS = {
    "consistent_pass": (
        "Consistently passing",
        "the target lies outside the limits on the good side, so it will be met every time "
        "unless the process changes.",
    ),
    "consistent_fail": (
        "Consistently failing",
        "the target lies outside the limits on the wrong side, so it will not be met unless "
        "the process itself is changed.",
    ),
    "inconsistent": (
        "Inconsistent",
        "the target lies within the limits, so it will sometimes be met and sometimes not, "
        "by chance alone.",
    ),
}


def variation_words(kind: str | None) -> str:
    """The latest point's type in plain words: "Special cause improvement: the latest..."."""
    if kind not in VARIATION_WORDS:
        return ""
    name, meaning = VARIATION_WORDS[kind]
    return f"{name}: {meaning}"


def assurance_words(kind: str | None) -> str:
    """The assurance in plain words: "Inconsistent: the target lies within the limits..."."""
    if kind not in ASSURANCE_WORDS:
        return ""
    name, meaning = ASSURANCE_WORDS[kind]
    return f"{name}: {meaning}"


def finding(analysis: Analysis) -> str:
    """One plain-words sentence or two on what the chart shows, for search and summaries."""
    if not analysis.n:
        return "No data."
    parts = []
    if analysis.chart == "xmr" and analysis.variation:
        parts.append(variation_words(analysis.variation))
    elif analysis.signals:
        count = len(analysis.signals)
        parts.append(
            f"{count} {'signal' if count == 1 else 'signals'}: something has probably changed."
        )
    else:
        parts.append("No signals: the variation looks like the everyday ups and downs.")
    if analysis.assurance:
        parts.append(assurance_words(analysis.assurance))
    return " ".join(parts)
