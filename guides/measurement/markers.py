"""What each point of a chart looks like, and the key to it.

Every point has a type (see `guides.measurement.runchart.point_types`): common cause,
special cause improvement or concern, or (with no better direction) special cause high
or low. Each type has its own colour and its own shape, so nothing depends on colour:
a circle for common cause, a square for improvement, a diamond for concern, a triangle
pointing up or down for high or low.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from guides.measurement.drawing.scene import INK, Shape
from guides.measurement.runchart import Analysis, format_number

MUTED = "#4c6272"
DATA = "#005eb8"
SIGNAL = "#ed8b00"
ASTRONOMICAL = "#7c2855"
LIMIT = "#d5281b"
TWO_SIGMA = "#6d7d89"
CHANGE = "#330072"
GRID = "#d8dde0"
SHADE = "#e8edee"
TARGET = "#007f3b"
PHASE = "#425563"

IMPROVEMENT = "#41b6e6"
CONCERN = SIGNAL
NEUTRAL = "#aa7ad9"

# Beyond this many points the ordinary markers are left off: the line says enough.
MAX_PLAIN_MARKERS = 120


@dataclass(frozen=True)
class TypeStyle:
    name: str  # for the key and tooltips
    shape: str  # circle, square, diamond, up, down
    fill: str


TYPE_STYLES = {
    "common_cause": TypeStyle("Common cause", "circle", DATA),
    "special_cause_improvement": TypeStyle("Special cause: improvement", "square", IMPROVEMENT),
    "special_cause_concern": TypeStyle("Special cause: concern", "diamond", CONCERN),
    "special_cause_neutral_high": TypeStyle("Special cause: higher", "up", NEUTRAL),
    "special_cause_neutral_low": TypeStyle("Special cause: lower", "down", NEUTRAL),
}


def marker(kind: str, x: float, y: float, r: float, **kwargs) -> Shape:
    """A point's marker of the given type, centred on (x, y), about `r` from centre to edge."""
    style = TYPE_STYLES.get(kind, TYPE_STYLES["common_cause"])
    if style.shape == "circle":
        return Shape("circle", [(x, y)], radius=r, fill=style.fill, **kwargs)
    if style.shape == "square":
        s = r * 0.85
        points = [(x - s, y - s), (x + s, y - s), (x + s, y + s), (x - s, y + s)]
    elif style.shape == "diamond":
        points = [(x, y - r), (x + r, y), (x, y + r), (x - r, y)]
    elif style.shape == "up":
        points = [(x, y - r), (x + r, y + r * 0.8), (x - r, y + r * 0.8)]
    else:
        points = [(x - r, y - r * 0.8), (x + r, y - r * 0.8), (x, y + r)]
    return Shape("polygon", points, fill=style.fill, stroke=INK, width=1.5, **kwargs)


def data_shapes(analysis: Analysis, layout: Any, names: Sequence[str]) -> list[Shape]:
    """The data joined in time order, then each point's marker by its type."""
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
    types = analysis.point_types or ["common_cause"] * n
    for i, (px, py) in enumerate(line):
        tip = f"Point {i + 1} ({names[i]}): {format_number(values[i])}"
        kind = types[i] if i in rules_at else "common_cause"
        if kind != "common_cause":
            # Smaller markers when the points are crowded, so the line stays visible.
            r = 7.0 if n <= MAX_PLAIN_MARKERS else max(3.0, min(7.0, layout.step * 1.5))
            why = ", ".join(sorted(set(rules_at[i])))
            shapes.append(
                marker(
                    kind,
                    px,
                    py,
                    r,
                    css=f"signal-point type-{kind}",
                    tip=f"{tip}: part of a signal ({why})",
                    data_point=i,
                )
            )
        elif n <= MAX_PLAIN_MARKERS:
            shapes.append(marker(kind, px, py, 3.5, css="point", tip=tip, data_point=i))
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


def legend(
    analysis: Analysis,
    has_changes: bool,
    top: float,
    left: float,
    width: float,
    text_width: Callable[[str, float], float],
) -> list[Shape]:
    """A key to what is drawn, in rows from `top`, wrapping when a row is full."""
    items: list[tuple[str, str]] = []
    flagged = analysis.signal_points()
    shown = {analysis.point_types[i] for i in flagged} if analysis.point_types else set()
    if analysis.n <= MAX_PLAIN_MARKERS:
        items.append(("type:common_cause", "Data point" if not flagged else "Common cause"))
    for kind in TYPE_STYLES:
        if kind in shown and kind != "common_cause":
            items.append((f"type:{kind}", TYPE_STYLES[kind].name))
    if analysis.astronomical:
        items.append(("astronomical", "Marked astronomical"))
    items.append(("centre", "Median" if analysis.chart == "run" else "Mean"))
    if analysis.limits is not None or any(p.limits for p in analysis.phases):
        items += [("limit", "Process limits"), ("two-sigma", "Two-sigma lines")]
    if analysis.target is not None:
        items.append(("target", "Target"))
    if analysis.has_baseline:
        items.append(("baseline", "Baseline"))
    if len(analysis.phases) > 1:
        items.append(("phase", "New phase"))
    if has_changes:
        items.append(("change", "Change made"))

    shapes: list[Shape] = []
    cx, cy = float(left), top
    for key, text in items:
        need = 28 + text_width(text, 11) + 18
        if cx + need > width - 10:
            cx, cy = float(left), cy + 22
        shapes.append(legend_key(key, cx + 10, cy))
        shapes.append(Shape("text", [(cx + 26, cy + 4)], text=text, size=11, fill=INK))
        cx += need
    return shapes


def legend_key(key: str, mx: float, cy: float) -> Shape:
    """The small marker or line sample for one legend entry, centred on (mx, cy)."""
    if key.startswith("type:"):
        kind = key[5:]
        return marker(kind, mx, cy, 3.5 if kind == "common_cause" else 6)
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
    if key == "phase":
        return Shape("line", [(mx, cy - 7), (mx, cy + 7)], stroke=PHASE, width=2)
    stroke, width, dash = {
        "centre": (INK, 2.0, None),
        "limit": (LIMIT, 2.0, (8, 4)),
        "two-sigma": (TWO_SIGMA, 1.5, (2, 4)),
        "target": (TARGET, 2.0, (12, 3, 2, 3)),
        "change": (CHANGE, 1.5, (4, 3)),
    }[key]
    return Shape("line", [(mx - 10, cy), (mx + 10, cy)], stroke=stroke, width=width, dash=dash)
