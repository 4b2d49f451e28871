"""Drawing a run chart or XmR chart: one scene, rendered as SVG (for the page and the
download) and as PNG (with Pillow, drawing the same shapes at twice the size).

The scene is a list of simple shapes in the SVG's own units, so the two renderings
cannot drift apart. Every piece of text that came from a person (labels, the title,
change notes) is escaped here, in one place, before it goes into the SVG.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from guides.measurement.runchart import Analysis, format_number

WIDTH, HEIGHT = 800, 480
LEFT, RIGHT, TOP, BOTTOM = 70, 128, 64, 100
FONT = "Arial, Helvetica, sans-serif"

# Colours: each line and marker also differs by shape or dash, so none depends on colour.
INK = "#212b32"
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


@dataclass
class Shape:
    kind: str  # line, polyline, rect, circle, polygon, text
    points: list[tuple[float, float]] = field(default_factory=list)
    stroke: str | None = None
    fill: str | None = None
    width: float = 1.0
    dash: tuple[float, ...] | None = None
    radius: float = 0.0
    size: float = 0.0  # rect: (width, height) in points[1]; text: font size
    text: str = ""
    anchor: str = "start"
    bold: bool = False
    css: str = ""  # a class name, so tests and stylesheets can find the part
    tip: str = ""  # a <title> tooltip in the SVG
    data_point: int | None = None


@dataclass
class Scene:
    width: int
    height: int
    title: str
    description: str
    shapes: list[Shape]


@dataclass(frozen=True)
class Change:
    index: int  # zero-based point
    text: str


def nice_ticks(low: float, high: float, count: int = 6) -> list[float]:
    """Round-numbered ticks covering low..high."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks = []
    tick = start
    while tick < high + step * 0.999:
        ticks.append(round(tick, 12))
        tick += step
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


def build_scene(
    analysis: Analysis,
    labels: Sequence[str | None] = (),
    *,
    title: str = "",
    units: str = "",
    changes: Sequence[Change] = (),
) -> Scene:
    values = analysis.values
    n = len(values)
    kind = "Run chart" if analysis.chart == "run" else "XmR chart"
    title = title.strip() or kind
    shapes: list[Shape] = [
        Shape("rect", [(0, 0), (WIDTH, HEIGHT)], fill="#ffffff", css="background"),
        Shape("text", [(LEFT, 24)], text=_short(title, 80), size=17, bold=True, fill=INK),
    ]
    if units.strip():
        shapes.append(
            Shape("text", [(LEFT, 44)], text=_short(units.strip(), 60), size=12, fill=MUTED)
        )

    x0, x1, y0, y1 = LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM
    if n == 0:
        shapes.append(
            Shape(
                "text", [((x0 + x1) / 2, (y0 + y1) / 2)], text="No data", size=14, anchor="middle"
            )
        )
        return Scene(WIDTH, HEIGHT, title, describe(analysis, labels, changes), shapes)

    # Scales.
    span = [*values]
    if analysis.centre is not None:
        span.append(analysis.centre)
    if analysis.limits is not None:
        span += [analysis.limits.upper, analysis.limits.lower]
    low, high = min(span), max(span)
    pad = (high - low) * 0.08 if high > low else (abs(low) * 0.1 or 1)
    # Room above the highest point for an astronomical marker drawn over it.
    headroom = pad * 2.5 if analysis.astronomical else pad
    ticks = nice_ticks(low - pad, high + headroom)
    bottom_value, top_value = ticks[0], ticks[-1]

    def y(value: float) -> float:
        return y1 - (value - bottom_value) / (top_value - bottom_value) * (y1 - y0)

    inset = min(20.0, (x1 - x0) / (2 * n))
    step = (x1 - x0 - 2 * inset) / (n - 1) if n > 1 else 0

    def x(i: int) -> float:
        return (x0 + x1) / 2 if n == 1 else x0 + inset + i * step

    half = step / 2 if n > 1 else inset

    # Baseline shading.
    if analysis.baseline < n:
        right = x(analysis.baseline - 1) + half
        shapes.append(Shape("rect", [(x0, y0), (right - x0, y1 - y0)], fill=SHADE, css="baseline"))
        shapes.append(Shape("text", [(x0 + 4, y0 + 14)], text="Baseline", size=11, fill=MUTED))

    # Grid and axes.
    for tick in ticks:
        ty = y(tick)
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

    names = [label if label else str(i + 1) for i, label in enumerate(labels or [None] * n)]
    names += [str(i + 1) for i in range(len(names), n)]
    widest = max(_text_width(_short(name), 11) for name in names) + 10
    every = max(1, math.ceil(widest / step)) if n > 1 else 1
    for i in range(0, n, every):
        shapes.append(Shape("line", [(x(i), y1), (x(i), y1 + 4)], stroke=INK, width=1))
        shapes.append(
            Shape(
                "text", [(x(i), y1 + 18)], text=_short(names[i]), size=11, anchor="middle", fill=INK
            )
        )

    # Centre line and limits, with their labels at the right.
    right_labels: list[tuple[float, str, str]] = []
    if analysis.centre is not None:
        cy = y(analysis.centre)
        name = "Median" if analysis.chart == "run" else "Mean"
        if analysis.baseline < n:
            split = x(analysis.baseline - 1) + half
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
            ly = y(value)
            shapes.append(
                Shape("line", [(x0, ly), (x1, ly)], stroke=LIMIT, width=2, dash=(8, 4), css="limit")
            )
            right_labels.append((ly, f"{label} {format_number(value)}", LIMIT))
        for value in (limits.upper_two_sigma, limits.lower_two_sigma):
            ly = y(value)
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
    right_labels.sort()
    placed: list[float] = []
    for ly, text, colour in right_labels:
        ty = ly + 4
        if placed and ty < placed[-1] + 14:
            ty = placed[-1] + 14  # keep labels of close lines apart
        placed.append(ty)
        shapes.append(Shape("text", [(x1 + 6, ty)], text=text, size=11, fill=colour, bold=True))

    # Change markers.
    for letter, change in zip(letters(len(changes)), changes, strict=True):
        cx = x(change.index)
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

    # The data, joined in time order.
    line = [(x(i), y(v)) for i, v in enumerate(values)]
    if n > 1:
        shapes.append(Shape("polyline", line, stroke=DATA, width=2, css="data-line"))
    signal_points = analysis.signal_points()
    rules_at: dict[int, list[str]] = {}
    for s in analysis.signals:
        if s.rule != "runs":
            for i in s.points:
                rules_at.setdefault(i, []).append(s.rule.replace("-", " "))
    for i, (px, py) in enumerate(line):
        tip = f"Point {i + 1} ({names[i]}): {format_number(values[i])}"
        if i in signal_points:
            # Smaller diamonds when the points are crowded, so the line stays visible.
            r = 7.0 if n <= MAX_PLAIN_MARKERS else max(3.0, min(7.0, step * 1.5))
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

    legend = _legend(analysis, bool(changes), signal_points, y1 + 44)
    shapes += legend
    # As tall as the legend needs: one row or two.
    height = min(HEIGHT, round(max(p[1] for shape in legend for p in shape.points) + 18))
    shapes[0].points[1] = (WIDTH, height)
    return Scene(WIDTH, height, title, describe(analysis, labels, changes), shapes)


def _legend(
    analysis: Analysis, has_changes: bool, signal_points: set[int], top: float
) -> list[Shape]:
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
        mx = cx + 10
        if key == "point":
            shapes.append(Shape("circle", [(mx, cy)], radius=3.5, fill=DATA))
        elif key == "signal":
            shapes.append(
                Shape(
                    "polygon",
                    [(mx, cy - 6), (mx + 6, cy), (mx, cy + 6), (mx - 6, cy)],
                    fill=SIGNAL,
                    stroke=INK,
                    width=1.5,
                )
            )
        elif key == "astronomical":
            shapes.append(
                Shape(
                    "polygon",
                    [(mx - 6, cy - 5), (mx + 6, cy - 5), (mx, cy + 5)],
                    fill=ASTRONOMICAL,
                    stroke=INK,
                    width=1,
                )
            )
        elif key == "baseline":
            shapes.append(
                Shape("rect", [(mx - 9, cy - 6), (18, 12)], fill=SHADE, stroke=MUTED, width=1)
            )
        else:
            style = {
                "centre": (INK, 2.0, None),
                "limit": (LIMIT, 2.0, (8, 4)),
                "two-sigma": (TWO_SIGMA, 1.5, (2, 4)),
                "change": (CHANGE, 1.5, (4, 3)),
            }[key]
            shapes.append(
                Shape(
                    "line",
                    [(mx - 10, cy), (mx + 10, cy)],
                    stroke=style[0],
                    width=style[1],
                    dash=style[2],
                )
            )
        shapes.append(Shape("text", [(cx + 26, cy + 4)], text=text, size=11, fill=INK))
        cx += need
    return shapes


# --------------------------------------------------------------------------------------
# SVG
# --------------------------------------------------------------------------------------


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _attrs(**attrs: object) -> str:
    out = []
    for name, value in attrs.items():
        if value is None or value == "":
            continue
        out.append(f" {name.rstrip('_').replace('_', '-')}={quoteattr(str(value))}")
    return "".join(out)


def _svg_shape(shape: Shape) -> str:
    dash = " ".join(_n(d) for d in shape.dash) if shape.dash else None
    common = {
        "class_": shape.css or None,
        "data_point": shape.data_point,
    }
    width = _n(shape.width) if shape.stroke else None
    if shape.kind == "line":
        (ax, ay), (bx, by) = shape.points
        tag = "line" + _attrs(
            x1=_n(ax), y1=_n(ay), x2=_n(bx), y2=_n(by), stroke=shape.stroke,
            stroke_width=width, stroke_dasharray=dash, **common,
        )  # fmt: skip
    elif shape.kind == "polyline":
        points = " ".join(f"{_n(px)},{_n(py)}" for px, py in shape.points)
        tag = "polyline" + _attrs(
            points=points, fill="none", stroke=shape.stroke, stroke_width=width,
            stroke_linejoin="round", **common,
        )  # fmt: skip
    elif shape.kind == "rect":
        (rx, ry), (rw, rh) = shape.points
        tag = "rect" + _attrs(
            x=_n(rx), y=_n(ry), width=_n(rw), height=_n(rh), fill=shape.fill,
            stroke=shape.stroke, stroke_width=width, **common,
        )  # fmt: skip
    elif shape.kind == "circle":
        (cx, cy) = shape.points[0]
        tag = "circle" + _attrs(
            cx=_n(cx), cy=_n(cy), r=_n(shape.radius), fill=shape.fill, stroke=shape.stroke,
            stroke_width=width, **common,
        )  # fmt: skip
    elif shape.kind == "polygon":
        points = " ".join(f"{_n(px)},{_n(py)}" for px, py in shape.points)
        tag = "polygon" + _attrs(
            points=points, fill=shape.fill, stroke=shape.stroke, stroke_width=width, **common
        )
    else:
        (tx, ty) = shape.points[0]
        anchor = None if shape.anchor == "start" else shape.anchor
        attrs = _attrs(
            x=_n(tx), y=_n(ty), font_size=_n(shape.size), text_anchor=anchor, fill=shape.fill,
            font_weight="bold" if shape.bold else None, **common,
        )  # fmt: skip
        return f"<text{attrs}>{escape(shape.text)}</text>"
    if shape.tip:
        name = tag.split(" ", 1)[0]
        return f"<{tag}><title>{escape(shape.tip)}</title></{name}>"
    return f"<{tag}/>"


def to_svg(scene: Scene, id_prefix: str = "run-chart") -> str:
    """The scene as a standalone SVG document (also valid inline in HTML)."""
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {scene.width} {scene.height}"'
        f' width="{scene.width}" height="{scene.height}" role="img"'
        f' aria-labelledby="{title_id} {desc_id}" font-family="{FONT}" class="run-chart-svg">'
    )
    body = "".join(_svg_shape(shape) for shape in scene.shapes)
    return (
        f"{head}<title id={quoteattr(title_id)}>{escape(scene.title)}</title>"
        f"<desc id={quoteattr(desc_id)}>{escape(scene.description)}</desc>{body}</svg>"
    )


# --------------------------------------------------------------------------------------
# PNG, with Pillow
# --------------------------------------------------------------------------------------


def _dashes(
    points: Sequence[tuple[float, float]], pattern: Sequence[float]
) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """The drawn pieces of a dashed line through the points."""
    pieces = []
    index, left, drawing = 0, pattern[0], True
    for (ax, ay), (bx, by) in zip(points, points[1:], strict=False):
        length = math.hypot(bx - ax, by - ay)
        done = 0.0
        while done < length:
            step = min(left, length - done)
            if drawing:
                t0, t1 = done / length, (done + step) / length
                pieces.append(
                    (
                        (ax + (bx - ax) * t0, ay + (by - ay) * t0),
                        (ax + (bx - ax) * t1, ay + (by - ay) * t1),
                    )
                )
            done += step
            left -= step
            if left <= 1e-9:
                index = (index + 1) % len(pattern)
                left, drawing = pattern[index], not drawing
    return pieces


def to_png(scene: Scene, scale: int = 2) -> bytes:
    """The same scene drawn with Pillow, `scale` times the size, as PNG bytes."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (scene.width * scale, scene.height * scale), "#ffffff")
    draw = ImageDraw.Draw(image)
    fonts: dict[float, ImageFont.FreeTypeFont | ImageFont.ImageFont] = {}

    def font(size: float):
        if size not in fonts:
            fonts[size] = ImageFont.load_default(size=size * scale)
        return fonts[size]

    def at(point: tuple[float, float]) -> tuple[float, float]:
        return point[0] * scale, point[1] * scale

    for shape in scene.shapes:
        width = max(1, round(shape.width * scale))
        if shape.kind in ("line", "polyline"):
            points = [at(p) for p in shape.points]
            if shape.dash:
                for a, b in _dashes(points, [d * scale for d in shape.dash]):
                    draw.line([a, b], fill=shape.stroke, width=width)
            else:
                draw.line(points, fill=shape.stroke, width=width, joint="curve")
        elif shape.kind == "rect":
            (rx, ry), (rw, rh) = shape.points
            draw.rectangle(
                [at((rx, ry)), at((rx + rw, ry + rh))],
                fill=shape.fill,
                outline=shape.stroke,
                width=width if shape.stroke else 0,
            )
        elif shape.kind == "circle":
            cx, cy = shape.points[0]
            r = shape.radius
            draw.ellipse(
                [at((cx - r, cy - r)), at((cx + r, cy + r))], fill=shape.fill, outline=shape.stroke
            )
        elif shape.kind == "polygon":
            draw.polygon(
                [at(p) for p in shape.points],
                fill=shape.fill,
                outline=shape.stroke,
                width=width if shape.stroke else 1,
            )
        elif shape.kind == "text":
            anchor = {"start": "ls", "middle": "ms", "end": "rs"}[shape.anchor]
            draw.text(
                at(shape.points[0]),
                shape.text,
                fill=shape.fill or INK,
                font=font(shape.size),
                anchor=anchor,
                stroke_width=1 if shape.bold else 0,
                stroke_fill=shape.fill or INK,
            )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
