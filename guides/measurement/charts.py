"""Drawing a run chart or XmR chart: one scene, rendered as SVG (for the page and the
download) and as PNG (with Pillow, drawing the same shapes at twice the size).

The scene is a list of simple shapes in the SVG's own units, so the two renderings
cannot drift apart. Every piece of text that came from a person (labels, the title,
change notes) is escaped in one place, `guides.measurement.drawing.svg`, before it goes
into the SVG.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from guides.measurement.drawing.png import to_png
from guides.measurement.drawing.scene import INK, Scene, Shape
from guides.measurement.drawing.svg import FONT, to_svg
from guides.measurement.runchart import Analysis, format_number

__all__ = [
    "ASTRONOMICAL", "BOTTOM", "CHANGE", "DATA", "FONT", "GRID", "HEIGHT", "INK", "LEFT",
    "LIMIT", "MAX_LABEL_CHARS", "MAX_PLAIN_MARKERS", "MUTED", "RIGHT", "SHADE", "SIGNAL",
    "TOP", "TWO_SIGMA", "WIDTH", "Change", "Scene", "Shape", "build_scene", "describe",
    "letters", "nice_ticks", "to_png", "to_svg",
]  # fmt: skip

WIDTH, HEIGHT = 800, 480
LEFT, RIGHT, TOP, BOTTOM = 70, 128, 64, 100

# Colours: each line and marker also differs by shape or dash, so none depends on colour.
# INK, for text and axes, comes from the drawing, where the PNG uses it for unnamed fills.
MUTED = "#4c6272"
DATA = "#005eb8"
SIGNAL = "#ed8b00"
ASTRONOMICAL = "#7c2855"
LIMIT = "#d5281b"
TWO_SIGMA = "#6d7d89"
CHANGE = "#330072"
GRID = "#d8dde0"
SHADE = "#e8edee"

MAX_LABEL_CHARS = 12
# Beyond this many points the ordinary markers are left off: the line says enough.
MAX_PLAIN_MARKERS = 120


@dataclass(frozen=True)
class Change:
    index: int  # zero-based point
    text: str


def nice_ticks(low: float, high: float, count: int = 6) -> list[float]:
    """Round-numbered ticks covering low..high, however small or flat the span.

    A span too small to divide at the values' size (all-equal values, or 1 and
    1.000000000000001) is widened around its middle first, so the scale never has a
    zero height and never needs more than a few ticks.
    """
    size = max(abs(low), abs(high))
    if high - low <= size * 1e-9 or high <= low:
        middle = (low + high) / 2
        half = abs(middle) * 0.1 or 1.0
        low, high = middle - half, middle + half
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    digits = max(0, 3 - math.floor(math.log10(step)))  # round away float dust, not ticks
    first = math.floor(low / step)
    ticks = []
    for k in range(first, first + 4 * count):
        tick = round(k * step, digits)
        ticks.append(tick)
        if tick >= high - step * 0.001:
            break
    return ticks


def _short(label: str, limit: int = MAX_LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _text_width(text: str, size: float) -> float:
    return len(text) * size * 0.56


def describe(
    analysis: Analysis, labels: Sequence[str | None], changes: Sequence[Change] = ()
) -> str:
    """The chart in words, for the SVG's <desc> and for anyone who cannot see it."""
    n = analysis.n
    kind = "Run chart" if analysis.chart == "run" else "XmR chart"
    parts = [f"{kind} of {n} {'point' if n == 1 else 'points'}"]
    if n and labels and labels[0] and labels[-1]:
        parts[0] += f", from {labels[0]} to {labels[-1]}"
    parts[0] += "."
    centre = "median" if analysis.chart == "run" else "mean"
    if analysis.centre is not None:
        basis = (
            f"of the first {analysis.baseline} points (the baseline) "
            if analysis.baseline < n
            else ""
        )
        parts.append(f"The {centre} {basis}is {format_number(analysis.centre)}.")
    if analysis.limits is not None:
        parts.append(
            f"The process limits are {format_number(analysis.limits.lower)} and "
            f"{format_number(analysis.limits.upper)}."
        )
    names = {
        "shift": "a shift",
        "trend": "a trend",
        "runs": "too few or too many runs",
        "outside-limits": "outside the process limits",
        "two-of-three": "two of three beyond a two-sigma line",
    }
    signals = list(analysis.signals)
    if signals:
        listed = []
        for s in signals:
            if s.rule == "runs":
                listed.append(names["runs"])
            else:
                first, last = s.points[0] + 1, s.points[-1] + 1
                span = f"point {first}" if first == last else f"points {first} to {last}"
                listed.append(f"{names[s.rule]} ({span})")
        parts.append("Signals: " + "; ".join(listed) + ".")
    elif n:
        parts.append("No signals: the variation looks like everyday ups and downs.")
    for letter, change in zip(letters(len(changes)), changes, strict=True):
        parts.append(f"Change {letter} at point {change.index + 1}: {change.text}.")
    if analysis.astronomical:
        marked = ", ".join(str(i + 1) for i in analysis.astronomical)
        parts.append(f"Marked as astronomical: point {marked}.")
    return " ".join(parts)


def letters(count: int) -> list[str]:
    """A letter for each change marker: A to Z, then numbers."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return [alphabet[i] if i < len(alphabet) else str(i + 1) for i in range(count)]


# --------------------------------------------------------------------------------------
# The scene, step by step
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """The plot area, and where each point (across) and each value (up) falls in it."""

    n: int  # points
    left: int
    right: int
    top: int
    bottom: int
    ticks: list[float]  # round-numbered values up the side, lowest first
    inset: float  # gap between the value axis and the first point
    step: float  # distance between neighbouring points

    def x(self, i: int) -> float:
        return (
            (self.left + self.right) / 2 if self.n == 1 else self.left + self.inset + i * self.step
        )

    def y(self, value: float) -> float:
        low, high = self.ticks[0], self.ticks[-1]
        return self.bottom - (value - low) / (high - low) * (self.bottom - self.top)

    @property
    def half(self) -> float:
        """Half the distance between points: where one point's slot ends."""
        return self.step / 2 if self.n > 1 else self.inset


def build_scene(
    analysis: Analysis,
    labels: Sequence[str | None] = (),
    *,
    title: str = "",
    units: str = "",
    changes: Sequence[Change] = (),
) -> Scene:
    """The chart as shapes, back to front, for `to_svg` and `to_png` to render."""
    n = analysis.n
    title = title.strip() or ("Run chart" if analysis.chart == "run" else "XmR chart")
    shapes = _heading(title, units)
    if n == 0:
        shapes.append(
            Shape(
                "text",
                [((LEFT + WIDTH - RIGHT) / 2, (TOP + HEIGHT - BOTTOM) / 2)],
                text="No data",
                size=14,
                anchor="middle",
            )
        )
        return Scene(WIDTH, HEIGHT, title, describe(analysis, labels, changes), shapes)

    layout = _layout(analysis)
    names = _point_names(labels, n)
    signal_points = analysis.signal_points()
    shapes += _baseline_shading(analysis, layout)
    shapes += _value_axis(layout)
    shapes += _time_axis(layout, names)
    shapes += _centre_and_limits(analysis, layout)
    shapes += _change_markers(changes, layout)
    shapes += _data(analysis, layout, names, signal_points)
    legend = _legend(analysis, bool(changes), signal_points, layout.bottom + 44)
    shapes += legend
    # As tall as the legend needs: one row or two.
    height = min(HEIGHT, round(max(p[1] for shape in legend for p in shape.points) + 18))
    shapes[0].points[1] = (WIDTH, height)
    return Scene(WIDTH, height, title, describe(analysis, labels, changes), shapes)


def _heading(title: str, units: str) -> list[Shape]:
    """The white background (its height is set once the legend is placed), title and units."""
    shapes = [
        Shape("rect", [(0, 0), (WIDTH, HEIGHT)], fill="#ffffff", css="background"),
        Shape("text", [(LEFT, 24)], text=_short(title, 80), size=17, bold=True, fill=INK),
    ]
    if units.strip():
        shapes.append(
            Shape("text", [(LEFT, 44)], text=_short(units.strip(), 60), size=12, fill=MUTED)
        )
    return shapes


def _layout(analysis: Analysis) -> _Layout:
    """Scales that fit every point, the centre line and the limits, with room to spare."""
    span = [*analysis.values]
    if analysis.centre is not None:
        span.append(analysis.centre)
    if analysis.limits is not None:
        span += [analysis.limits.upper, analysis.limits.lower]
    low, high = min(span), max(span)
    pad = (high - low) * 0.08 if high > low else (abs(low) * 0.1 or 1)
    # Room above the highest point for an astronomical marker drawn over it.
    headroom = pad * 2.5 if analysis.astronomical else pad
    n = analysis.n
    x0, x1 = LEFT, WIDTH - RIGHT
    inset = min(20.0, (x1 - x0) / (2 * n))
    return _Layout(
        n=n,
        left=x0,
        right=x1,
        top=TOP,
        bottom=HEIGHT - BOTTOM,
        ticks=nice_ticks(low - pad, high + headroom),
        inset=inset,
        step=(x1 - x0 - 2 * inset) / (n - 1) if n > 1 else 0,
    )


def _point_names(labels: Sequence[str | None], n: int) -> list[str]:
    """Each point's label, or its number (from 1) where it has none."""
    names = [label if label else str(i + 1) for i, label in enumerate(labels or [None] * n)]
    return names + [str(i + 1) for i in range(len(names), n)]


def _baseline_shading(analysis: Analysis, layout: _Layout) -> list[Shape]:
    """A shaded band behind the baseline points, when the baseline is not all of them."""
    if analysis.baseline >= layout.n:
        return []
    x0, y0 = layout.left, layout.top
    right = layout.x(analysis.baseline - 1) + layout.half
    return [
        Shape("rect", [(x0, y0), (right - x0, layout.bottom - y0)], fill=SHADE, css="baseline"),
        Shape("text", [(x0 + 4, y0 + 14)], text="Baseline", size=11, fill=MUTED),
    ]


def _value_axis(layout: _Layout) -> list[Shape]:
    """Grid lines at each tick with its value at the left, then both axis lines."""
    x0, x1, y0, y1 = layout.left, layout.right, layout.top, layout.bottom
    shapes = []
    for tick in layout.ticks:
        ty = layout.y(tick)
        shapes.append(Shape("line", [(x0, ty), (x1, ty)], stroke=GRID, width=1))
        shapes.append(
            Shape(
                "text",
                [(x0 - 8, ty + 4)],
                text=format_number(tick),
                size=11,
                anchor="end",
                fill=INK,
            )
        )
    shapes.append(Shape("line", [(x0, y1), (x1, y1)], stroke=INK, width=1))
    shapes.append(Shape("line", [(x0, y0), (x0, y1)], stroke=INK, width=1))
    return shapes


def _time_axis(layout: _Layout, names: Sequence[str]) -> list[Shape]:
    """Tick marks and labels along the bottom: every point's, or every few if they crowd."""
    n, y1 = layout.n, layout.bottom
    widest = max(_text_width(_short(name), 11) for name in names) + 10
    every = max(1, math.ceil(widest / layout.step)) if n > 1 else 1
    shapes = []
    for i in range(0, n, every):
        x = layout.x(i)
        shapes.append(Shape("line", [(x, y1), (x, y1 + 4)], stroke=INK, width=1))
        shapes.append(
            Shape("text", [(x, y1 + 18)], text=_short(names[i]), size=11, anchor="middle", fill=INK)
        )
    return shapes


def _centre_and_limits(analysis: Analysis, layout: _Layout) -> list[Shape]:
    """The centre line (dashed after the baseline), limits and two-sigma lines, and labels."""
    x0, x1 = layout.left, layout.right
    shapes = []
    right_labels: list[tuple[float, str, str]] = []
    if analysis.centre is not None:
        cy = layout.y(analysis.centre)
        name = "Median" if analysis.chart == "run" else "Mean"
        if analysis.baseline < layout.n:
            split = layout.x(analysis.baseline - 1) + layout.half
            shapes.append(Shape("line", [(x0, cy), (split, cy)], stroke=INK, width=2, css="centre"))
            shapes.append(
                Shape(
                    "line", [(split, cy), (x1, cy)], stroke=INK, width=2, dash=(10, 5), css="centre"
                )
            )
        else:
            shapes.append(Shape("line", [(x0, cy), (x1, cy)], stroke=INK, width=2, css="centre"))
        right_labels.append((cy, f"{name} {format_number(analysis.centre)}", INK))
    if analysis.limits is not None:
        limits = analysis.limits
        for value, label in ((limits.upper, "Upper limit"), (limits.lower, "Lower limit")):
            ly = layout.y(value)
            shapes.append(
                Shape("line", [(x0, ly), (x1, ly)], stroke=LIMIT, width=2, dash=(8, 4), css="limit")
            )
            right_labels.append((ly, f"{label} {format_number(value)}", LIMIT))
        for value in (limits.upper_two_sigma, limits.lower_two_sigma):
            ly = layout.y(value)
            shapes.append(
                Shape(
                    "line",
                    [(x0, ly), (x1, ly)],
                    stroke=TWO_SIGMA,
                    width=1.5,
                    dash=(2, 4),
                    css="two-sigma",
                )
            )
    return shapes + _line_labels(right_labels, x1)


def _line_labels(labels: list[tuple[float, str, str]], x: float) -> list[Shape]:
    """Labels (height, text, colour) to the right of their lines, pushed apart if close."""
    shapes = []
    placed: list[float] = []
    for ly, text, colour in sorted(labels):
        ty = ly + 4
        if placed and ty < placed[-1] + 14:
            ty = placed[-1] + 14  # keep labels of close lines apart
        placed.append(ty)
        shapes.append(Shape("text", [(x + 6, ty)], text=text, size=11, fill=colour, bold=True))
    return shapes


def _change_markers(changes: Sequence[Change], layout: _Layout) -> list[Shape]:
    """A dashed line at each change made, lettered in a box above the plot."""
    y0, y1 = layout.top, layout.bottom
    shapes = []
    for letter, change in zip(letters(len(changes)), changes, strict=True):
        cx = layout.x(change.index)
        shapes.append(
            Shape("line", [(cx, y0), (cx, y1)], stroke=CHANGE, width=1.5, dash=(4, 3), css="change")
        )
        box = max(16.0, _text_width(letter, 11) + 8)
        shapes.append(
            Shape(
                "rect",
                [(cx - box / 2, y0 - 18), (box, 16)],
                fill=CHANGE,
                css="change-marker",
                tip=f"Change {letter}: {change.text}",
            )
        )
        shapes.append(
            Shape(
                "text",
                [(cx, y0 - 6)],
                text=letter,
                size=11,
                anchor="middle",
                bold=True,
                fill="#ffffff",
            )
        )
    return shapes


def _data(
    analysis: Analysis, layout: _Layout, names: Sequence[str], signal_points: set[int]
) -> list[Shape]:
    """The data joined in time order, then each point's marker, signal or astronomical."""
    values = analysis.values
    n = layout.n
    line = [(layout.x(i), layout.y(v)) for i, v in enumerate(values)]
    shapes = []
    if n > 1:
        shapes.append(Shape("polyline", line, stroke=DATA, width=2, css="data-line"))
    rules_at: dict[int, list[str]] = {}
    for s in analysis.signals:
        if s.rule != "runs":
            for i in s.points:
                rules_at.setdefault(i, []).append(s.rule.replace("-", " "))
    for i, (px, py) in enumerate(line):
        tip = f"Point {i + 1} ({names[i]}): {format_number(values[i])}"
        if i in signal_points:
            # Smaller diamonds when the points are crowded, so the line stays visible.
            r = 7.0 if n <= MAX_PLAIN_MARKERS else max(3.0, min(7.0, layout.step * 1.5))
            shapes.append(
                Shape(
                    "polygon",
                    [(px, py - r), (px + r, py), (px, py + r), (px - r, py)],
                    fill=SIGNAL,
                    stroke=INK,
                    width=1.5,
                    css="signal-point",
                    tip=f"{tip}: part of a signal ({', '.join(sorted(set(rules_at[i])))})",
                    data_point=i,
                )
            )
        elif n <= MAX_PLAIN_MARKERS:
            shapes.append(
                Shape(
                    "circle", [(px, py)], radius=3.5, fill=DATA, css="point", tip=tip, data_point=i
                )
            )
        if i in analysis.astronomical:
            top = py - 11
            shapes.append(
                Shape(
                    "polygon",
                    [(px - 6, top - 10), (px + 6, top - 10), (px, top)],
                    fill=ASTRONOMICAL,
                    stroke=INK,
                    width=1,
                    css="astronomical-point",
                    tip=f"{tip}: marked as astronomical",
                    data_point=i,
                )
            )
    return shapes


def _legend(
    analysis: Analysis, has_changes: bool, signal_points: set[int], top: float
) -> list[Shape]:
    """A key to what is drawn, in rows from `top`, wrapping when a row is full."""
    items: list[tuple[str, str]] = []
    if analysis.n <= MAX_PLAIN_MARKERS:
        items.append(("point", "Data point"))
    if signal_points:
        items.append(("signal", "Part of a signal"))
    if analysis.astronomical:
        items.append(("astronomical", "Marked astronomical"))
    items.append(("centre", "Median" if analysis.chart == "run" else "Mean"))
    if analysis.limits is not None:
        items += [("limit", "Process limits"), ("two-sigma", "Two-sigma lines")]
    if analysis.baseline < analysis.n:
        items.append(("baseline", "Baseline"))
    if has_changes:
        items.append(("change", "Change made"))

    shapes: list[Shape] = []
    cx, cy = float(LEFT), top
    for key, text in items:
        need = 28 + _text_width(text, 11) + 18
        if cx + need > WIDTH - 10:
            cx, cy = float(LEFT), cy + 22
        shapes.append(_legend_key(key, cx + 10, cy))
        shapes.append(Shape("text", [(cx + 26, cy + 4)], text=text, size=11, fill=INK))
        cx += need
    return shapes


def _legend_key(key: str, mx: float, cy: float) -> Shape:
    """The small marker or line sample for one legend entry, centred on (mx, cy)."""
    if key == "point":
        return Shape("circle", [(mx, cy)], radius=3.5, fill=DATA)
    if key == "signal":
        return Shape(
            "polygon",
            [(mx, cy - 6), (mx + 6, cy), (mx, cy + 6), (mx - 6, cy)],
            fill=SIGNAL,
            stroke=INK,
            width=1.5,
        )
    if key == "astronomical":
        return Shape(
            "polygon",
            [(mx - 6, cy - 5), (mx + 6, cy - 5), (mx, cy + 5)],
            fill=ASTRONOMICAL,
            stroke=INK,
            width=1,
        )
    if key == "baseline":
        return Shape("rect", [(mx - 9, cy - 6), (18, 12)], fill=SHADE, stroke=MUTED, width=1)
    stroke, width, dash = {
        "centre": (INK, 2.0, None),
        "limit": (LIMIT, 2.0, (8, 4)),
        "two-sigma": (TWO_SIGMA, 1.5, (2, 4)),
        "change": (CHANGE, 1.5, (4, 3)),
    }[key]
    return Shape("line", [(mx - 10, cy), (mx + 10, cy)], stroke=stroke, width=width, dash=dash)
