"""What the examples app adds to the run chart maker's page (see guides/core/panels.py):
"Add this chart to a local example", for those who may write examples."""

from __future__ import annotations

from django.template import Context
from django.template.loader import render_to_string

from guides.core import panels
from guides.examples.models import LocalExample
from guides.measurement.forms import MAX_ADDRESS_DATA


def add_chart_panel(context: Context, settings: dict) -> str:
    request = context.get("request")
    if request is None or not settings or not LocalExample.can_add(request.user):
        return ""
    return render_to_string(
        "examples/_add_chart_panel.html",
        {"settings": settings, "by_address": len(settings.get("data", "")) <= MAX_ADDRESS_DATA},
        request=request,
    )


def register() -> None:
    panels.register("run-chart:after", add_chart_panel, name="examples-add-chart")
