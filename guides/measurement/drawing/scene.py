"""The shapes a chart is made of, shared by the chart builder and both renderings."""

from __future__ import annotations

from dataclasses import dataclass, field

# The colour of text and axes; also what the PNG draws text in when a shape names no fill.
INK = "#212b32"


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
