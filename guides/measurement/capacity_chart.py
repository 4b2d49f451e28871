"""The waiting list's size over time, drawn with the chart maker's drawing (one scene,
rendered as SVG): the list week by week from a file, the target list size as a line, and
the projection for the coming weeks at today's rates and at the relief capacity.

Weeks run along the bottom counted from now (0): the file's weeks are negative.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from guides.measurement.capacity import Projection, about
from guides.measurement.charts import (
    CHANGE,
    DATA,
    GRID,
    INK,
    MUTED,
    SIGNAL,
    Scene,
    Shape,
    nice_ticks,
    to_svg,
)

WIDTH, HEIGHT = 800, 440
LEFT, RIGHT, TOP, BOTTOM = 70, 150, 56, 110
TARGET = "#007f3b"


def _ticks_across(low: int, high: int) -> list[int]:
    steps = (1, 2, 4, 5, 10, 13, 26, 52, 104, 260)
    step = next((s for s in steps if (high - low) / s <= 10), math.ceil((high - low) / 10))
    first = -((-low) // step) * step
    return list(range(first, high + 1, step))


def describe(history: Sequence[int], projection: Projection | None, target: float) -> str:
    parts = []
    if history:
        parts.append(
            f"The waiting list over {len(history)} weeks of the file: from "
            f"{about(history[0])} at the end of the first week to {about(history[-1])} now."
        )
    parts.append(f"The target list size is {about(target)}.")
    if projection is not None:
        weeks = projection.weeks
        parts.append(
            f"At today’s rates the list would be {about(projection.today[-1])} in {weeks} weeks."
        )
        if projection.relief is not None and projection.relief_capacity is not None:
            parts.append(
                f"At the relief capacity of {about(projection.relief_capacity)} a week it "
                f"would reach {about(projection.relief[-1])}."
            )
    return " ".join(parts)


def queue_scene(
    history: Sequence[int], projection: Projection | None, target: float, title: str
) -> Scene:
    """`history` is the list's size at the end of each week, the last being now."""
    series: list[tuple[str, str, tuple[float, ...] | None, list[tuple[int, float]]]] = []
    past = len(history)
    if history:
        points = [(k - (past - 1), float(v)) for k, v in enumerate(history)]
        series.append(("The list, week by week", DATA, None, points))
    if projection is not None:
        series.append(
            (
                "At today’s rates",
                SIGNAL,
                (8, 4),
                list(enumerate(projection.today)),
            )
        )
        if projection.relief is not None:
            series.append(
                ("At the relief capacity", CHANGE, (3, 3), list(enumerate(projection.relief)))
            )
    low_x = min([0, *(x for _, _, _, pts in series for x, _ in pts)])
    high_x = max([1, *(x for _, _, _, pts in series for x, _ in pts)])
    values = [v for _, _, _, pts in series for _, v in pts] + [target, 0.0]
    ticks = nice_ticks(0, max(values) * 1.05 or 1)
    x0, x1, y0, y1 = LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM

    def x(week: float) -> float:
        return x0 + (week - low_x) / (high_x - low_x) * (x1 - x0)

    def y(value: float) -> float:
        return y1 - (value - ticks[0]) / (ticks[-1] - ticks[0]) * (y1 - y0)

    shapes = [
        Shape("rect", [(0, 0), (WIDTH, HEIGHT)], fill="#ffffff", css="background"),
        Shape("text", [(LEFT, 24)], text=title, size=17, bold=True, fill=INK),
        Shape("text", [(LEFT, 42)], text="People waiting", size=12, fill=MUTED),
    ]
    for tick in ticks:
        shapes.append(Shape("line", [(x0, y(tick)), (x1, y(tick))], stroke=GRID, width=1))
        shapes.append(
            Shape(
                "text", [(x0 - 8, y(tick) + 4)], text=about(tick), size=11, anchor="end", fill=INK
            )
        )
    for week in _ticks_across(low_x, high_x):
        shapes.append(Shape("line", [(x(week), y1), (x(week), y1 + 4)], stroke=INK, width=1))
        label = "now" if week == 0 else f"{week:+d}".replace("-", "−")
        shapes.append(
            Shape("text", [(x(week), y1 + 18)], text=label, size=11, anchor="middle", fill=INK)
        )
    shapes.append(
        Shape(
            "text",
            [((x0 + x1) / 2, y1 + 36)],
            text="Weeks from now",
            size=12,
            anchor="middle",
            fill=MUTED,
        )
    )
    shapes.append(Shape("line", [(x0, y1), (x1, y1)], stroke=INK, width=1))
    shapes.append(Shape("line", [(x0, y0), (x0, y1)], stroke=INK, width=1))
    if low_x < 0:
        shapes.append(
            Shape("line", [(x(0), y0), (x(0), y1)], stroke=MUTED, width=1, dash=(2, 3), css="now")
        )
    shapes.append(
        Shape("line", [(x0, y(target)), (x1, y(target))], stroke=TARGET, width=2, css="target")
    )
    shapes.append(
        Shape(
            "text",
            [(x1 + 6, y(target) + 4)],
            text=f"Target {about(target)}",
            size=11,
            bold=True,
            fill=TARGET,
        )
    )
    for name, colour, dash, pts in series:
        css = "history" if colour == DATA else "today" if colour == SIGNAL else "relief"
        line = [(x(px), y(py)) for px, py in pts]
        if len(line) == 1:
            shapes.append(Shape("circle", line, radius=3.5, fill=colour, css=css))
        elif dash:
            # The drawing dashes lines, not polylines: one dashed line a week.
            for a, b in zip(line, line[1:], strict=False):
                shapes.append(Shape("line", [a, b], stroke=colour, width=2.5, dash=dash, css=css))
        else:
            shapes.append(
                Shape("polyline", line, stroke=colour, width=2.5, dash=dash, css=css, tip=name)
            )
    # The key, in a row under the axis.
    cx, cy = float(LEFT), y1 + 62
    keys = [(name, colour, dash) for name, colour, dash, _ in series]
    keys.append(("Target list size", TARGET, None))
    for name, colour, dash in keys:
        need = 34 + len(name) * 11 * 0.56 + 16
        if cx + need > WIDTH - 10:
            cx, cy = float(LEFT), cy + 22
        shapes.append(Shape("line", [(cx, cy), (cx + 24, cy)], stroke=colour, width=2.5, dash=dash))
        shapes.append(Shape("text", [(cx + 30, cy + 4)], text=name, size=11, fill=INK))
        cx += need
    height = round(cy + 20)
    shapes[0].points[1] = (WIDTH, height)
    return Scene(WIDTH, height, title, describe(history, projection, target), shapes)


def queue_svg(
    history: Sequence[int], projection: Projection | None, target: float, title: str
) -> str:
    return to_svg(queue_scene(history, projection, target, title), id_prefix="queue-chart")
