"""{% example_charts example can_edit %}: an example's charts, drawn, on its page."""

from __future__ import annotations

from django import template

from guides.examples.charts import MAX_CHARTS, charts_of

register = template.Library()


@register.inclusion_tag("examples/_charts.html")
def example_charts(example: object, can_edit: bool = False) -> dict:
    charts = charts_of(example)
    return {
        "example": example,
        "charts": charts,
        "can_edit": can_edit,
        "can_add": can_edit and len(charts) < MAX_CHARTS,
    }
