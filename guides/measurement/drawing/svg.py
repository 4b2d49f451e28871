"""A scene as a standalone SVG document.

Every piece of text that came from a person (labels, the title, change notes) is escaped
here, in one place, before it goes into the SVG.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from guides.measurement.drawing.scene import Scene, Shape

FONT = "Arial, Helvetica, sans-serif"


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
