"""A scene drawn with Pillow as PNG bytes: the same shapes as the SVG, at a larger scale."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from guides.measurement.drawing.scene import INK, Scene


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

    def font(size: float) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
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
