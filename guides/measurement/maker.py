"""A chart from the maker's settings: what the page draws from its form, and what other
apps (a chart in a local example, a training module item) draw from the settings they
stored. The settings are the maker's own GET parameters (`guides.measurement.forms.FIELDS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from guides.measurement import charts
from guides.measurement.forms import MAX_POSTED_DATA, RunChartForm
from guides.measurement.icons import icons
from guides.measurement.options import parse_target
from guides.measurement.runchart import (
    Analysis,
    analyse,
    finding,
    parse_changes,
    parse_point_list,
)


@dataclass
class Chart:
    analysis: Analysis
    labels: list[str | None]
    title: str
    units: str
    changes: list[charts.Change]
    messages: list[str]

    def scene(self, width: int = charts.WIDTH) -> charts.Scene:
        return charts.build_scene(
            self.analysis,
            self.labels,
            title=self.title,
            units=self.units,
            changes=self.changes,
            width=width,
        )


def chart_from_form(form: RunChartForm) -> Chart:
    """Everything needed to draw, from a valid form."""
    cleaned = form.cleaned_data
    parsed = cleaned["parsed"]
    labels = parsed.labels
    change_list, change_messages = parse_changes(cleaned.get("changes") or "", labels)
    marked, marked_messages = parse_point_list(cleaned.get("astronomical") or "", labels)
    starts, rebase_messages = parse_point_list(
        cleaned.get("rebase") or "", labels, purpose="used as the start of a new phase"
    )
    marked_messages += rebase_messages
    analysis = analyse(
        parsed.values,
        chart=cleaned.get("chart") or "run",
        rules=cleaned.get("rules") or None,
        baseline=cleaned.get("baseline"),
        astronomical=marked,
        direction=cleaned.get("direction") or "neutral",
        target=parse_target(cleaned.get("target") or "")[0],
        rebase=starts,
        screen=bool(cleaned.get("screen")),
    )
    units = (cleaned.get("units") or "").strip()
    if not units and parsed.headers and parsed.headers[1]:
        units = parsed.headers[1][:60]  # the value column's heading
    return Chart(
        analysis=analysis,
        labels=labels,
        title=(cleaned.get("title") or "").strip(),
        units=units,
        changes=[charts.Change(i, text) for i, text in change_list],
        messages=parsed.messages + change_messages + marked_messages + analysis.warnings,
    )


def chart_from_settings(settings: Mapping[str, object]) -> tuple[Chart | None, list[str]]:
    """The chart the maker draws for these settings, or None with the form's errors."""
    data = {key: "" if value is None else str(value) for key, value in settings.items()}
    if data.get("screen") in ("False", "false", "0"):
        data["screen"] = ""
    form = RunChartForm(data, max_data=MAX_POSTED_DATA)
    if not form.is_valid():
        return None, [str(e) for errors in form.errors.values() for e in errors]
    return chart_from_form(form), []


@dataclass
class Drawn:
    """A stored chart ready for a page or a handout: SVG (wide and phone), words, icons."""

    chart: Chart
    svg_html: SafeString
    phone_svg_html: SafeString
    description: str
    finding: str
    icons: list[dict]


def draw(chart: Chart, id_prefix: str) -> Drawn:
    """Every text node is escaped in drawing/svg.py, so the SVG is safe to put in a page."""
    wide = charts.to_svg(chart.scene(), id_prefix=id_prefix)
    phone = charts.to_svg(chart.scene(width=charts.PHONE_WIDTH), id_prefix=f"{id_prefix}-phone")
    scene = chart.scene()
    return Drawn(
        chart=chart,
        svg_html=mark_safe(wide),  # escaped in drawing/svg.py
        phone_svg_html=mark_safe(phone),  # as above
        description=scene.description,
        finding=finding(chart.analysis),
        icons=[{**i, "svg": mark_safe(i["svg"])} for i in icons(chart.analysis)],  # no user text
    )
