"""Charts in local examples: a run chart or XmR chart stored with an example as the
maker's data and settings (never a picture), drawn on the example's page, in its
handouts and summarised in its search document.

`ExampleChart` is imported by guides/examples/models.py so that Django finds it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django import forms
from django.db import models
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from guides.measurement.forms import (
    CHART_CHOICES,
    DIRECTION_CHOICES,
    MAX_ADDRESS_DATA,
    MAX_POSTED_DATA,
    RULE_CHOICES,
    RunChartForm,
)
from guides.measurement.maker import Drawn, chart_from_settings, draw
from guides.measurement.runchart import finding

if TYPE_CHECKING:
    from guides.examples.models import LocalExample

# An example is evidence, not a dashboard: a few charts are plenty.
MAX_CHARTS = 6
# The maker's settings that a stored chart keeps, as the maker names them.
SETTINGS = (
    "data", "chart", "rules", "baseline", "direction", "target", "rebase", "screen",
    "changes", "astronomical", "title", "units",
)  # fmt: skip
MAX_CHART_DATA = 20_000  # characters: a thousand points with labels


class ExampleChart(models.Model):
    """One chart of a local example: the maker's settings, in the maker's own words."""

    example = models.ForeignKey(
        "examples.LocalExample", on_delete=models.CASCADE, related_name="charts"
    )
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=120, blank=True)
    units = models.CharField(max_length=60, blank=True)
    data = models.TextField(max_length=MAX_CHART_DATA)
    chart = models.CharField(max_length=8, choices=CHART_CHOICES, default="run")
    rules = models.CharField(max_length=10, blank=True)
    baseline = models.PositiveIntegerField(null=True, blank=True)
    direction = models.CharField(max_length=10, default="neutral")
    target = models.CharField(max_length=30, blank=True)
    rebase = models.CharField(max_length=300, blank=True)
    screen = models.BooleanField(default=False)
    changes = models.TextField(max_length=2000, blank=True)
    astronomical = models.CharField(max_length=200, blank=True)
    # Made on save, from the analysis: the chart in plain words, for search and lists.
    finding = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title or "Chart"

    def settings(self) -> dict[str, str]:
        """The maker's GET parameters for this chart."""
        values = {name: getattr(self, name) for name in SETTINGS}
        values["baseline"] = "" if self.baseline is None else str(self.baseline)
        values["screen"] = "1" if self.screen else ""
        return {key: str(value) for key, value in values.items() if value not in ("", None)}

    @property
    def maker_url(self) -> str:
        """This chart in the run chart maker, where its address can carry the data."""
        settings = self.settings()
        if len(settings.get("data", "")) > MAX_ADDRESS_DATA:
            return ""
        return f"{reverse('measurement:run-chart')}?{urlencode(settings)}"

    def drawn(self, id_prefix: str = "") -> Drawn | None:
        chart, _ = chart_from_settings(self.settings())
        if chart is None:
            return None
        return draw(chart, id_prefix=id_prefix or f"example-chart-{self.pk or 'new'}")

    def search_text(self) -> str:
        return " ".join(p for p in (self.title, self.units, self.finding) if p)

    def save(self, *args, **kwargs) -> None:
        chart, _ = chart_from_settings(self.settings())
        self.finding = "" if chart is None else finding(chart.analysis)
        super().save(*args, **kwargs)


class ExampleChartForm(forms.ModelForm):
    """The maker's fields, checked by the maker's own form, so a stored chart can always
    be drawn (and bad input gets the maker's messages, with nothing lost)."""

    chart = forms.ChoiceField(
        choices=CHART_CHOICES, initial="run", widget=forms.RadioSelect, label="Type of chart"
    )
    rules = forms.ChoiceField(
        required=False, choices=RULE_CHOICES, label="Rules for spotting signals"
    )
    direction = forms.ChoiceField(
        required=False,
        choices=DIRECTION_CHOICES,
        initial="neutral",
        widget=forms.RadioSelect,
        label="Which way is better?",
    )

    class Meta:
        model = ExampleChart
        fields = [
            "title", "units", "data", "chart", "rules", "baseline", "rebase", "screen",
            "direction", "target", "changes", "astronomical",
        ]  # fmt: skip
        labels = {
            "title": "Chart title",
            "units": "What is measured, with its units (optional)",
            "data": "Your numbers, in time order",
            "baseline": "Baseline: how many points, from the first, set the middle line (optional)",
            "rebase": "New phases: where the process changed (optional)",
            "screen": "Leave out unusually large moving ranges before setting the limits",
            "target": "Target (optional)",
            "changes": "Changes you made, such as PDSA cycles (optional)",
            "astronomical": "Astronomical points (optional)",
        }
        help_texts = {
            "data": (
                "Paste two columns from a spreadsheet (a date or label, then the value), or "
                "type one value on each line. The same as the run chart maker takes."
            ),
            "rebase": "The first point of each new phase, by its label or number.",
            "changes": "One a line: the point's label or number, a colon, then the change.",
        }
        widgets = {
            "data": forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
            "changes": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        params = {
            name: "" if cleaned.get(name) is None else str(cleaned.get(name)) for name in SETTINGS
        }
        params["screen"] = "1" if cleaned.get("screen") else ""
        maker = RunChartForm(params, max_data=min(MAX_POSTED_DATA, MAX_CHART_DATA))
        if not maker.is_valid():
            for name, errors in maker.errors.items():
                for error in errors:
                    self.add_error(name if name in self.fields else None, error)
        return cleaned


def initial_from(params: dict) -> dict:
    """Initial values for the chart form from the maker's GET parameters."""
    initial = {name: params[name] for name in SETTINGS if params.get(name)}
    if "screen" in initial:
        initial["screen"] = initial["screen"] in ("1", "true", "on", "yes")
    return initial


def charts_of(example: LocalExample) -> list[tuple[ExampleChart, Drawn | None]]:
    return [(chart, chart.drawn()) for chart in example.charts.all()]


def chart_blocks(example: LocalExample, anchor: str) -> list[tuple[str, SafeString, str]]:
    """Each chart of an example for a handout: (title, HTML with the SVG, plain text)."""
    blocks = []
    for chart in example.charts.all():
        drawn = chart.drawn(id_prefix=f"{anchor}-chart-{chart.pk}")
        html = render_to_string("examples/_chart_print.html", {"chart": chart, "drawn": drawn})
        blocks.append(
            (chart.title or "Chart", mark_safe(html), chart.search_text())
        )  # a template's output
    return blocks


# Export and import (export_examples, import_examples) -----------------------------------

CHART_FIELDS = ("position", *SETTINGS)


def chart_rows(example: LocalExample) -> list[dict]:
    """An example's charts for export_examples: the maker's settings, as stored."""
    return [{name: getattr(c, name) for name in CHART_FIELDS} for c in example.charts.all()]


def checked_chart_rows(rows: object) -> list[dict]:
    """The charts of an imported example, each one checked as the chart form checks it;
    a ValueError that says what is wrong otherwise."""
    if rows is None:
        return []
    if not isinstance(rows, list) or len(rows) > MAX_CHARTS:
        raise ValueError(f"charts must be a list of at most {MAX_CHARTS}")
    checked = []
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise ValueError(f"chart {n} is not a set of settings")
        data = {name: "" if row.get(name) is None else row.get(name) for name in SETTINGS}
        data["screen"] = "on" if row.get("screen") else ""
        form = ExampleChartForm(data)
        if not form.is_valid():
            errors = "; ".join(e for errors in form.errors.values() for e in errors)
            raise ValueError(f"chart {n}: {errors}")
        position = row.get("position", n - 1)
        checked.append(
            {**form.cleaned_data, "position": position if isinstance(position, int) else n - 1}
        )
    return checked


def restore_charts(example: LocalExample, rows: list[dict]) -> None:
    """Replace an imported example's charts with those of the file."""
    example.charts.all().delete()
    for row in rows:
        ExampleChart(example=example, **row).save()
