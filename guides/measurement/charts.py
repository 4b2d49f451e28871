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
from guides.measurement.markers import (
    ASTRONOMICAL,
    CHANGE,
    DATA,
    GRID,
    LIMIT,
    MAX_PLAIN_MARKERS,
    MUTED,
    PHASE,
    SHADE,
    SIGNAL,
    TARGET,
    TWO_SIGMA,
    TYPE_STYLES,
    data_shapes,
    legend,
)
from guides.measurement.runchart import Analysis, format_number

__all__ = [
    "ASTRONOMICAL", "BOTTOM", "CHANGE", "DATA", "FONT", "GRID", "HEIGHT", "INK", "LEFT",
    "LIMIT", "MAX_LABEL_CHARS", "MAX_PLAIN_MARKERS", "MUTED", "PHASE", "RIGHT", "SHADE",
    "PHONE_WIDTH", "SIGNAL", "TARGET", "TOP", "TWO_SIGMA", "TYPE_STYLES", "WIDTH", "Change",
    "Scene", "Shape", "build_scene", "describe", "letters", "nice_ticks", "to_png", "to_svg",
]  # fmt: skip

WIDTH, HEIGHT = 800, 480
# A phone's chart: narrower units, so that at 390 px its text stays readable.
PHONE_WIDTH = 420
LEFT, RIGHT, TOP, BOTTOM = 70, 128, 64, 100

# Colours: each line and marker also differs by shape or dash, so none depends on colour.
# INK, for text and axes, comes from the drawing, where the PNG uses it for unnamed fills.
MAX_LABEL_CHARS = 12


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
    if len(analysis.phases) > 1:
        starts = ", ".join(str(p.start + 1) for p in analysis.phases[1:])
        plural = "s" if len(analysis.phases) > 2 else ""
        own = centre if analysis.chart == "run" else f"{centre} and limits"
        parts.append(
            f"{len(analysis.phases)} phases: new ones start at point{plural} {starts}, each "
            f"with its own {own}; the figures below are the latest phase's."
        )
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
    parts += _types_in_words(analysis)
    for letter, change in zip(letters(len(changes)), changes, strict=True):
        parts.append(f"Change {letter} at point {change.index + 1}: {change.text}.")
    if analysis.astronomical:
        marked = ", ".join(str(i + 1) for i in analysis.astronomical)
        parts.append(f"Marked as astronomical: point {marked}.")
    return " ".join(parts)


def _types_in_words(analysis: Analysis) -> list[str]:
    """Which points are of which special-cause type, as shown by their markers."""
    found: dict[str, list[int]] = {}
    for i, kind in enumerate(analysis.point_types):
        if kind != "common_cause":
            found.setdefault(kind, []).append(i + 1)
    parts = []
    for kind, points in found.items():
        listed = ", ".join(str(p) for p in points[:12]) + ("…" if len(points) > 12 else "")
        name = TYPE_STYLES[kind].name
        parts.append(f"{name}: point{'s' if len(points) > 1 else ''} {listed}.")
    return parts


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
    width: int = WIDTH,
) -> Scene:
    """The chart as shapes, back to front, for `to_svg` and `to_png` to render.

    `width` is the scene's width in its own units: `PHONE_WIDTH` for a small screen.
    """
    n = analysis.n
    title = title.strip() or ("Run chart" if analysis.chart == "run" else "XmR chart")
    shapes = _heading(title, units, width)
    if n == 0:
        shapes.append(
            Shape(
                "text",
                [((LEFT + width - RIGHT) / 2, (TOP + HEIGHT - BOTTOM) / 2)],
                text="No data",
                size=14,
                anchor="middle",
            )
        )
        return Scene(width, HEIGHT, title, describe(analysis, labels, changes), shapes)

    layout = _layout(analysis, width)
    names = _point_names(labels, n)
    shapes += _baseline_shading(analysis, layout)
    shapes += _value_axis(layout)
    shapes += _time_axis(layout, names)
    shapes += _phase_markers(analysis, layout)
    shapes += _centre_and_limits(analysis, layout)
    shapes += _change_markers(changes, layout)
    shapes += data_shapes(analysis, layout, names)
    key = legend(
        analysis,
        bool(changes),
        layout.bottom + 44,
        10 if width < WIDTH else LEFT,
        width,
        _text_width,
    )
    shapes += key
    # As tall as the legend needs: one row, two or three.
    height = round(max(p[1] for shape in key for p in shape.points) + 18)
    shapes[0].points[1] = (width, height)
    return Scene(width, height, title, describe(analysis, labels, changes), shapes)


def _heading(title: str, units: str, width: int = WIDTH) -> list[Shape]:
    """The white background (its height is set once the legend is placed), title and units."""
    left = LEFT if width >= WIDTH else 10
    fits = int((width - left - 10) / (17 * 0.56))
    shapes = [
        Shape("rect", [(0, 0), (width, HEIGHT)], fill="#ffffff", css="background"),
        Shape(
            "text", [(left, 24)], text=_short(title, min(80, fits)), size=17, bold=True, fill=INK
        ),
    ]
    if units.strip():
        fits = int((width - left - 10) / (12 * 0.56))
        shapes.append(
            Shape(
                "text", [(left, 44)], text=_short(units.strip(), min(60, fits)), size=12, fill=MUTED
            )
        )
    return shapes


def _layout(analysis: Analysis, width: int = WIDTH) -> _Layout:
    """Scales that fit every point, the centre line and the limits, with room to spare."""
    span = [*analysis.values]
    for phase in analysis.phases:
        span.append(phase.centre)
        if phase.limits is not None:
            span += [phase.limits.upper, phase.limits.lower]
    if analysis.centre is not None:
        span.append(analysis.centre)
    if analysis.limits is not None:
        span += [analysis.limits.upper, analysis.limits.lower]
    if analysis.target is not None:
        span.append(analysis.target)
    low, high = min(span), max(span)
    pad = (high - low) * 0.08 if high > low else (abs(low) * 0.1 or 1)
    # Room above the highest point for an astronomical marker drawn over it.
    headroom = pad * 2.5 if analysis.astronomical else pad
    n = analysis.n
    x0, x1 = LEFT, width - RIGHT
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


def _phase_edges(analysis: Analysis, layout: _Layout) -> list[tuple[float, float]]:
    """Where each phase begins and ends across the plot: half-way between points."""
    edges = []
    for phase in analysis.phases or []:
        left = layout.left if phase.start == 0 else layout.x(phase.start) - layout.half
        right = layout.right if phase.end == layout.n - 1 else layout.x(phase.end) + layout.half
        edges.append((left, right))
    return edges or [(layout.left, layout.right)]


def _baseline_shading(analysis: Analysis, layout: _Layout) -> list[Shape]:
    """A shaded band behind each phase's baseline points, where it is not the whole phase."""
    shapes: list[Shape] = []
    y0 = layout.top
    for phase, (x0, _) in zip(analysis.phases, _phase_edges(analysis, layout), strict=False):
        if phase.fixed >= phase.n:
            continue
        right = layout.x(phase.start + phase.fixed - 1) + layout.half
        shapes.append(
            Shape("rect", [(x0, y0), (right - x0, layout.bottom - y0)], fill=SHADE, css="baseline")
        )
        shapes.append(Shape("text", [(x0 + 4, y0 + 14)], text="Baseline", size=11, fill=MUTED))
    return shapes


def _phase_markers(analysis: Analysis, layout: _Layout) -> list[Shape]:
    """A solid line where each new phase starts, numbered at its foot inside the plot."""
    shapes: list[Shape] = []
    edges = _phase_edges(analysis, layout)
    for k, (x0, _) in enumerate(edges[1:], start=2):
        shapes.append(
            Shape(
                "line", [(x0, layout.top), (x0, layout.bottom)], stroke=PHASE, width=2, css="phase"
            )
        )
        shapes.append(
            Shape(
                "text", [(x0 + 4, layout.bottom - 6)], text=f"Phase {k}", size=11, fill=PHASE,
                bold=True,
            )
        )  # fmt: skip
    return shapes


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
    """Each phase's centre line (dashed after its baseline), limits and two-sigma lines,
    the target, and labels for the last phase's lines at the right."""
    shapes = []
    right_labels: list[tuple[float, str, str]] = []
    name = "Median" if analysis.chart == "run" else "Mean"
    last = len(analysis.phases) - 1
    for k, (phase, (x0, x1)) in enumerate(
        zip(analysis.phases, _phase_edges(analysis, layout), strict=False)
    ):
        cy = layout.y(phase.centre)
        if phase.fixed < phase.n:
            split = layout.x(phase.start + phase.fixed - 1) + layout.half
            shapes.append(Shape("line", [(x0, cy), (split, cy)], stroke=INK, width=2, css="centre"))
            shapes.append(
                Shape(
                    "line", [(split, cy), (x1, cy)], stroke=INK, width=2, dash=(10, 5), css="centre"
                )
            )
        else:
            shapes.append(Shape("line", [(x0, cy), (x1, cy)], stroke=INK, width=2, css="centre"))
        if k == last:
            right_labels.append((cy, f"{name} {format_number(phase.centre)}", INK))
        limits = phase.limits
        if limits is None:
            continue
        for value, label in ((limits.upper, "Upper limit"), (limits.lower, "Lower limit")):
            ly = layout.y(value)
            shapes.append(
                Shape("line", [(x0, ly), (x1, ly)], stroke=LIMIT, width=2, dash=(8, 4), css="limit")
            )
            if k == last:
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
    if analysis.target is not None:
        ty = layout.y(analysis.target)
        shapes.append(
            Shape(
                "line",
                [(layout.left, ty), (layout.right, ty)],
                stroke=TARGET,
                width=2,
                dash=(12, 3, 2, 3),
                css="target",
            )
        )
        right_labels.append((ty, f"Target {format_number(analysis.target)}", TARGET))
    return shapes + _line_labels(right_labels, layout.right)


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
