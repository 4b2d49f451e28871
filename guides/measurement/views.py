"""The run chart and SPC chart maker: the page, its SVG and PNG downloads, and the JSON API.

Nothing is stored: every chart is drawn from the request. The page uses a GET form so that
its address carries the data and a chart can be bookmarked; an uploaded file is POSTed,
and so are the download buttons for data too long for an address.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from guides.library.models import GlossaryTerm
from guides.measurement import charts
from guides.measurement.forms import FIELDS, MAX_ADDRESS_DATA, MAX_POSTED_DATA, RunChartForm
from guides.measurement.icons import icons
from guides.measurement.maker import Chart, chart_from_form
from guides.measurement.markers import TYPE_STYLES
from guides.measurement.options import api_options
from guides.measurement.runchart import (
    PUBLISHED_RUNS_MAX,
    RULE_SET_NAMES,
    Analysis,
    analyse,
    explain,
    format_number,
    no_signal_parts,
    parse_values,
    runs_limits_source,
)

# Glossary entries the page links to; only those that exist are linked.
GLOSSARY_SLUGS = (
    "run-chart", "xmr-chart", "spc", "making-data-count", "median", "mean", "run", "shift",
    "trend", "control-limits", "special-cause-variation", "common-cause-variation",
    "astronomical-data-point", "moving-range", "baseline", "pdsa",
)  # fmt: skip

DIRECTION_NAMES = {
    "neutral": "Neither (no direction set)",
    "increase": "Higher is better",
    "decrease": "Lower is better",
}

RULE_NAMES = {
    "shift": "Shift",
    "trend": "Trend",
    "runs": "Too few or too many runs",
    "outside-limits": "Outside the process limits",
    "two-of-three": "Two out of three near a limit",
    "astronomical": "Astronomical point",
}

# The example on the run charts tool page: 12 baseline weeks with a median of 15, then a
# board round at 8.30am from week 13, and six of the next seven weeks above the median.
EXAMPLE = {
    "data": "\n".join(
        f"Week {week}\t{value}"
        for week, value in enumerate(
            [14, 16, 13, 15, 17, 12, 15, 16, 14, 18, 13, 15, 18, 21, 19, 15, 22, 24, 20],
            start=1,
        )
    ),
    "chart": "run",
    "baseline": "12",
    "changes": "Week 13: board round at 8.30am",
    "title": "Patients discharged before midday",
    "units": "% of discharges, weekly",
}


API_EXAMPLE = "values=12,15,14,16,13,18,17,15,14,16&chart=run"


_chart_from = chart_from_form


def _bound_form(request: HttpRequest, max_data: int) -> RunChartForm | None:
    """The form bound to the request, or None for the empty page."""
    data = request.POST if request.method == "POST" else request.GET
    if request.method != "POST" and not any(name in data for name in FIELDS):
        return None
    data = data.copy()
    if not data.get("chart"):
        data["chart"] = "run"  # so the form shows what was drawn
    if not data.get("direction"):
        data["direction"] = "neutral"
    if request.method == "POST":
        return RunChartForm(data, request.FILES, max_data=max_data)
    return RunChartForm(data, max_data=max_data, file_chosen=bool(data.get("file")))


def _plain_value(value: float) -> str:
    return f"{value:.15g}"


def _address_data(form: RunChartForm, chart: Chart) -> dict[str, str]:
    """The form's settings with the data written out plainly, for a link or hidden fields."""
    cleaned = form.cleaned_data
    lines = [
        f"{label}\t{_plain_value(value)}" if label else _plain_value(value)
        for label, value in zip(chart.labels, chart.analysis.values, strict=False)
    ]
    params = {
        "data": "\n".join(lines),
        "chart": chart.analysis.chart,
        "rules": cleaned.get("rules") or "",
        "baseline": str(cleaned["baseline"]) if cleaned.get("baseline") else "",
        "changes": cleaned.get("changes") or "",
        "astronomical": cleaned.get("astronomical") or "",
        "title": cleaned.get("title") or "",
        "units": cleaned.get("units") or "",
        "direction": chart.analysis.direction if chart.analysis.direction != "neutral" else "",
        "target": cleaned.get("target") or "",
        "rebase": cleaned.get("rebase") or "",
        "screen": "1" if cleaned.get("screen") else "",
    }
    return {key: value for key, value in params.items() if value}


def _glossary() -> set[str]:
    return set(GlossaryTerm.objects.filter(slug__in=GLOSSARY_SLUGS).values_list("slug", flat=True))


def _table(chart: Chart) -> list[dict]:
    analysis = chart.analysis
    notes: dict[int, list[str]] = {}
    for signal in analysis.signals:
        if signal.rule == "runs":
            continue
        for i in signal.points:
            notes.setdefault(i, []).append(f"Signal: {RULE_NAMES[signal.rule].lower()}")
    for letter, change in zip(charts.letters(len(chart.changes)), chart.changes, strict=True):
        notes.setdefault(change.index, []).append(f"Change {letter}: {change.text}")
    for i in analysis.astronomical:
        notes.setdefault(i, []).append("Marked astronomical")
    for phase in analysis.phases[1:]:
        notes.setdefault(phase.start, []).insert(0, "New phase starts")
    ranges = analysis.phase_moving_ranges()
    types = analysis.point_types
    rows = []
    for i, value in enumerate(analysis.values):
        rows.append(
            {
                "number": i + 1,
                "label": chart.labels[i] or "",
                "value": format_number(value),
                "moving_range": format_number(ranges[i]) if ranges[i] is not None else "",
                "baseline": i < analysis.baseline,
                "notes": sorted(set(notes.get(i, [])), key=notes.get(i, []).index),
                "signal": any(n.startswith("Signal") for n in notes.get(i, [])),
                "phase": analysis.phase_of(i) + 1,
                "type": TYPE_STYLES[types[i]].name if types and types[i] != "common_cause" else "",
            }
        )
    return rows


def _phase_rows(analysis: Analysis) -> list[tuple[str, str]]:
    """One row a phase, when there are several: its points, centre line and limits."""
    centre = "median" if analysis.chart == "run" else "mean"
    rows = []
    for k, phase in enumerate(analysis.phases, start=1):
        text = (
            f"points {phase.start + 1} to {phase.end + 1}: {centre} {format_number(phase.centre)}"
        )
        if phase.fixed < phase.n:
            text += f" (of its first {phase.fixed})"
        if phase.limits:
            text += (
                f", limits {format_number(phase.limits.lower)} to "
                f"{format_number(phase.limits.upper)}"
            )
        rows.append((f"Phase {k}", text))
    return rows


def _runs_row(analysis: Analysis) -> str:
    runs = f"{analysis.runs:,}"
    if analysis.runs_expected:
        low, high = analysis.runs_expected
        source = runs_limits_source(analysis.useful)
        how = (
            "from the published table"
            if source == "table"
            else "worked out exactly: the published table's value for this many points "
            "could not be checked"
            if analysis.useful <= PUBLISHED_RUNS_MAX
            else "worked out exactly"
        )
        runs += f" (between {low} and {high} expected by chance, {how})"
    return runs


def _summary(analysis: Analysis) -> list[tuple[str, str]]:
    """The figures behind the chart, as (name, value) pairs."""
    rows = [("Points", f"{analysis.n:,}")]
    several = len(analysis.phases) > 1
    if several:
        rows += _phase_rows(analysis)
    centre = "Median" if analysis.chart == "run" else "Mean"
    of = (
        f" (of the first {analysis.baseline}, the baseline)"
        if analysis.baseline < analysis.n and not several
        else ""
    )
    latest = " (latest phase)" if several else ""
    rows.append((f"{centre}{latest}", f"{format_number(analysis.centre)}{of}"))
    if analysis.limits:
        limits = analysis.limits
        amr = format_number(limits.average_moving_range)
        if limits.screened:
            amr += f" ({limits.screened} unusually large left out)"
        rows.append((f"Average moving range{latest}", amr))
        rows.append(
            (
                f"Process limits{latest}",
                f"{format_number(limits.lower)} to {format_number(limits.upper)}",
            )
        )
        rows.append(
            (
                f"Two-sigma lines{latest}",
                f"{format_number(limits.lower_two_sigma)} and "
                f"{format_number(limits.upper_two_sigma)}",
            )
        )
    rows.append(("Which way is better", DIRECTION_NAMES[analysis.direction]))
    if analysis.target is not None:
        rows.append(("Target", format_number(analysis.target)))
    if analysis.chart == "run":
        rows.append((f"Points not on the median{latest}", f"{analysis.useful:,}"))
    if analysis.rules == "ihi":
        rows.append((f"Runs{latest}", _runs_row(analysis)))
    elif analysis.rules == "anhoej" and analysis.extra:
        rows.append(
            (
                f"Longest run{latest}",
                f"{analysis.longest_run} "
                f"(more than {analysis.extra['longest_run_limit']} is unusual)",
            )
        )
        rows.append(
            (
                f"Times the line crosses the median{latest}",
                f"{analysis.crossings} (fewer than {analysis.extra['crossings_limit']} is unusual)",
            )
        )
    rows.append(("Rules", RULE_SET_NAMES[analysis.rules]))
    return rows


def _explanations(chart: Chart) -> list[dict]:
    names = dict(RULE_NAMES)
    if chart.analysis.rules == "anhoej":
        names.update(shift="Unusually long run", runs="Too few crossings")
    return [
        {"rule": e.rule, "name": names[e.rule], "parts": e.parts}
        for e in explain(chart.analysis, chart.labels)
    ]


@csrf_exempt  # Draws a chart from what is sent and changes nothing: no forgery to guard.
@require_http_methods(["GET", "HEAD", "POST"])
def run_chart(request: HttpRequest) -> HttpResponse:
    max_data = MAX_POSTED_DATA if request.method == "POST" else MAX_ADDRESS_DATA
    form = _bound_form(request, max_data)
    context: dict = {
        "form": form or RunChartForm(),
        "example_url": f"{reverse('measurement:run-chart')}?{urlencode(EXAMPLE)}",
        "api_example": f"{reverse('measurement:api-run-chart')}?{API_EXAMPLE}",
        "max_address_data": MAX_ADDRESS_DATA,
    }
    status = 200
    if form is not None and form.is_valid():
        chart = _chart_from(form)
        params = _address_data(form, chart)
        fits = len(params.get("data", "")) <= MAX_ADDRESS_DATA
        query = urlencode(params)
        svg: SafeString = mark_safe(
            charts.to_svg(chart.scene())
        )  # every text node escaped in drawing/svg.py
        svg_phone: SafeString = mark_safe(
            charts.to_svg(chart.scene(width=charts.PHONE_WIDTH), id_prefix="run-chart-phone")
        )  # as above
        context.update(
            chart=chart,
            svg=svg,
            svg_phone=svg_phone,
            analysis=chart.analysis,
            explanations=_explanations(chart),
            no_signal=no_signal_parts(chart.analysis),
            icons=[
                {**i, "svg": mark_safe(i["svg"])} for i in icons(chart.analysis)
            ],  # no user text
            phased=len(chart.analysis.phases) > 1,
            summary=_summary(chart.analysis),
            rows=_table(chart),
            change_list=[
                (letter, {"index": c.index, "label": chart.labels[c.index], "text": c.text})
                for letter, c in zip(charts.letters(len(chart.changes)), chart.changes, strict=True)
            ],
            has_labels=any(chart.labels),
            glossary=_glossary(),
            heading=chart.title
            or ("Your run chart" if chart.analysis.chart == "run" else "Your XmR chart"),
            share_url=f"{reverse('measurement:run-chart')}?{query}" if fits else "",
            svg_url=f"{reverse('measurement:run-chart-svg')}?{query}" if fits else "",
            png_url=f"{reverse('measurement:run-chart-png')}?{query}" if fits else "",
            hidden=params if not fits else {},
            chart_settings=params,  # for panels: "Add this chart to a local example"
            uploaded=request.method == "POST",
        )
        if request.method == "POST" and fits:
            # Show the uploaded data in the form, so the next change can be drawn by address.
            context["form"] = RunChartForm(initial={"chart": "run", **params})
    elif form is not None:
        status = 400 if request.method == "POST" else 200
    return render(request, "measurement/run_chart.html", context, status=status)


def _download(request: HttpRequest) -> Chart | HttpResponse:
    max_data = MAX_POSTED_DATA if request.method == "POST" else MAX_ADDRESS_DATA
    form = _bound_form(request, max_data)
    if form is None or not form.is_valid():
        errors = [] if form is None else [e for errors in form.errors.values() for e in errors]
        message = "\n".join(errors) or "Give the data to chart, as on the run chart page."
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    return _chart_from(form)


def _filename(chart: Chart, extension: str) -> str:
    name = slugify(chart.title)[:60] or (
        "run-chart" if chart.analysis.chart == "run" else "xmr-chart"
    )
    return f"{name}.{extension}"


@csrf_exempt  # As run_chart: a drawing of what is sent, nothing changes.
@require_http_methods(["GET", "HEAD", "POST"])
def chart_svg(request: HttpRequest) -> HttpResponse:
    chart = _download(request)
    if isinstance(chart, HttpResponse):
        return chart
    response = HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + charts.to_svg(chart.scene()),
        content_type="image/svg+xml; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(chart, "svg")}"'
    # Opened on its own, the file may run nothing and load nothing.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@csrf_exempt  # As run_chart: a drawing of what is sent, nothing changes.
@require_http_methods(["GET", "HEAD", "POST"])
def chart_png(request: HttpRequest) -> HttpResponse:
    chart = _download(request)
    if isinstance(chart, HttpResponse):
        return chart
    response = HttpResponse(charts.to_png(chart.scene()), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="{_filename(chart, "png")}"'
    return response


@require_safe
def api_run_chart(request: HttpRequest) -> JsonResponse:
    """GET /api/run-chart/?values=3,5,4&chart=run|xmr&baseline=N&rules=ihi|anhoej|mdc6|mdc7

    Optional: direction=increase|decrease|neutral (which way is better; neutral by
    default), target=X, rebase=zero-based points where a new phase starts, screen=1 to
    leave out outlying moving ranges, astronomical=zero-based indices of points a person
    judged astronomical.
    """
    text = request.GET.get("values", "")
    if not text.strip():
        return JsonResponse(
            {"error": "Give the values in time order, for example ?values=12,15,14,16."},
            status=400,
        )
    parsed = parse_values(text)
    if not parsed.points:
        return JsonResponse(
            {"error": "No numbers were found in values.", "warnings": parsed.messages}, status=400
        )
    options, warnings = api_options(request.GET, len(parsed.points))
    analysis = analyse(
        parsed.values,
        chart=request.GET.get("chart", "run") or "run",
        rules=request.GET.get("rules") or None,
        **options,
    )
    data = analysis.as_json()
    data["warnings"] = parsed.messages + warnings + data["warnings"]
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
