"""The demand and capacity calculator: the page and the JSON API.

Nothing is stored. Weekly numbers come by a GET form, so the page's address carries them
and an answer can be shared; a waiting list file (or pasted columns) is posted. From a
file the page also draws the weekly demand and activity as XmR charts with their signals
explained (the run chart maker's rules and drawing), and the list's size over time.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from guides.core.middleware import shows_oversized_form
from guides.library.models import GlossaryTerm
from guides.measurement import charts
from guides.measurement.capacity import (
    FIELD_NAMES,
    Result,
    Stats,
    WaitingListError,
    calculate,
    decode,
    figures,
    parse,
    project,
    read_inputs,
    sentences,
    stats,
)
from guides.measurement.capacity_chart import queue_svg
from guides.measurement.capacity_forms import FileForm, WeeklyForm, given_from, stats_messages
from guides.measurement.runchart import analyse, explain, format_number, no_signal_parts

GLOSSARY_SLUGS = (
    "demand", "capacity", "activity", "backlog", "queue", "waiting-list", "waiting-time",
    "littles-law", "variation", "variation-in-demand", "variation-in-capacity", "xmr-chart",
    "spc", "special-cause-variation", "common-cause-variation", "mean", "shift",
    "control-limits", "bottleneck", "carve-out",
)  # fmt: skip
# The guide's worked example: 48 referrals a week, 45 seen, a list of 436; a 16-week target
# goes with its list of four weeks of demand (192).
EXAMPLE = {"demand": "48", "capacity": "45", "target_wait": "16", "queue": "436"}
API_EXAMPLE = "demand=30&capacity=27&target_wait=18&queue=1200&mean_wait=10"
MAX_WEEKLY_POINTS = 520  # ten years of weeks on the demand and activity charts


def _glossary() -> set[str]:
    return set(GlossaryTerm.objects.filter(slug__in=GLOSSARY_SLUGS).values_list("slug", flat=True))


def _plain(value: float) -> str:
    return f"{round(value, 2):.15g}"


def what_if_params(result: Result) -> dict[str, str]:
    """The inputs as the weekly form's fields, rounded as a person would type them."""
    i = result.inputs
    params = {
        "demand": _plain(i.demand),
        "capacity": _plain(i.capacity),
        "target_wait": _plain(i.target_wait),
        "queue": _plain(i.queue) if i.queue is not None else "",
        "mean_wait": _plain(i.mean_wait) if i.mean_wait is not None else "",
        "factor": _plain(i.factor) if i.factor != 4 else "",
        "cv_demand": _plain(i.cv_demand) if i.cv_demand != 1 else "",
        "cv_capacity": _plain(i.cv_capacity) if i.cv_capacity != 1 else "",
        "time_to_target": _plain(i.time_to_target) if i.time_to_target != 26 else "",
    }
    return {k: v for k, v in params.items() if v}


def what_if_url(result: Result) -> str:
    """The weekly numbers page with these inputs filled in, to try changes from."""
    return f"{reverse('measurement:capacity')}?{urlencode(what_if_params(result))}"


def _weekly_chart(values: list[int], figures: Stats, title: str, prefix: str) -> dict:
    """An XmR chart of full weeks (a short last week is left off), with its signals."""
    full = len(values) - (1 if figures.last_week_days < 7 else 0)
    first = max(0, full - MAX_WEEKLY_POINTS)
    labels = [figures.week_start(k).isoformat() for k in range(first, full)]
    analysis = analyse([float(v) for v in values[first:full]], chart="xmr")
    scene = charts.build_scene(
        analysis, labels, title=title, units="people a week, by week beginning"
    )
    return {
        "title": title,
        "svg": mark_safe(charts.to_svg(scene, id_prefix=prefix)),  # escaped in drawing/svg.py
        "explanations": [e.parts for e in explain(analysis, labels)],
        "no_signal": no_signal_parts(analysis),
        "mean": format_number(round(analysis.centre, 2)) if analysis.centre is not None else "",
        "weeks": analysis.n,
        "dropped": first,
        "dropped_text": format_number(first),
        "changed": any(signal.rule != "runs" for signal in analysis.signals),
    }


def _answer(result: Result, figures_from_file: Stats | None = None) -> dict:
    projection = project(result)
    # The latest ten years at most: a longer line is unreadable, and heavy to send.
    history = figures_from_file.weekly_queue[-MAX_WEEKLY_POINTS:] if figures_from_file else []
    queue_chart = None
    if projection is not None or history:
        queue_chart = mark_safe(  # every text node escaped in drawing/svg.py
            queue_svg(history, projection, result.target_queue_size, "The waiting list")
        )
    table = []
    if projection is not None:
        step = 2 if projection.weeks <= 26 else 4 if projection.weeks <= 52 else 8
        weeks = sorted({*range(0, projection.weeks + 1, step), projection.weeks})
        table = [
            {
                "week": k,
                "today": format_number(round(projection.today[k])),
                "relief": format_number(round(projection.relief[k])) if projection.relief else "",
            }
            for k in weeks
        ]
    return {
        "result": result,
        "sentences": sentences(result),
        "figures": figures(result),
        "projection": projection,
        "projection_table": table,
        "queue_chart": queue_chart,
        "what_if_url": what_if_url(result),
    }


@shows_oversized_form
@csrf_exempt  # Works out an answer from what is sent and changes nothing: no forgery to guard.
@require_http_methods(["GET", "HEAD", "POST"])
def capacity(request: HttpRequest) -> HttpResponse:
    context: dict = {
        "weekly_form": WeeklyForm(),
        "file_form": FileForm(),
        "example_url": f"{reverse('measurement:capacity')}?{urlencode(EXAMPLE)}",
        "api_example": f"{reverse('measurement:api-capacity')}?{API_EXAMPLE}",
        "glossary": _glossary(),
    }
    status = 200
    if getattr(request, "oversized", False):
        context.update(
            errors_in="file",
            extra_error="That is too much to paste into the form (over 1 MB). Save the dates as "
            "a CSV file and upload it instead.",
        )
        return render(request, "measurement/capacity.html", context, status=400)
    if request.method == "POST":
        form = FileForm(request.POST, request.FILES)
        context["file_form"] = form
        if form.is_valid():
            figures_from_file = form.cleaned_data["stats"]
            result = calculate(form.cleaned_data["inputs"])
            context.update(_answer(result, figures_from_file))
            context.update(
                source="file",
                stats=figures_from_file,
                # The weekly form below starts from the file's numbers, to try changes.
                weekly_form=WeeklyForm(initial=what_if_params(result)),
                weeks_text=f"{format_number(round(figures_from_file.weeks, 1))} weeks",
                counts={
                    "referrals": format_number(figures_from_file.referrals),
                    "removals": format_number(figures_from_file.removals),
                    "days": format_number(figures_from_file.days),
                },
                messages_list=form.cleaned_data["messages"],
                demand_chart=_weekly_chart(
                    figures_from_file.weekly_referrals,
                    figures_from_file,
                    "Weekly demand",
                    "demand-chart",
                ),
                activity_chart=_weekly_chart(
                    figures_from_file.weekly_removals,
                    figures_from_file,
                    "Weekly activity",
                    "activity-chart",
                ),
            )
        else:
            context["errors_in"] = "file"
            status = 400
    elif any(name in request.GET for name in FIELD_NAMES):
        form = WeeklyForm(request.GET)
        context["weekly_form"] = form
        if form.is_valid():
            context.update(_answer(calculate(form.cleaned_data["inputs"])), source="weekly")
        else:
            context["errors_in"] = "weekly"
    return render(request, "measurement/capacity.html", context, status=status)


def _bad(message: str, errors: dict[str, str] | None = None) -> JsonResponse:
    body: dict = {"error": message}
    if errors:
        body["errors"] = errors
    return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})


@csrf_exempt  # As the page: an answer from what is sent, nothing stored.
@require_http_methods(["GET", "HEAD", "POST"])
def api_capacity(request: HttpRequest) -> JsonResponse:
    """GET ?demand=&capacity=&target_wait=[&queue=][&mean_wait=][&factor=][&cv_demand=]
    [&cv_capacity=][&time_to_target=]; or POST a CSV file `waiting_list` and `target_wait`."""
    if request.method != "POST":
        inputs, errors = read_inputs(request.GET)
        if inputs is None:
            return _bad(" ".join(errors.values()), errors)
        return JsonResponse(calculate(inputs).as_json())
    upload = request.FILES.get("waiting_list")
    if upload is None:
        return _bad(
            "Send the waiting list as a CSV file in the field waiting_list, with target_wait.",
            {"waiting_list": "missing"},
        )
    try:
        if upload.size > 5_000_000:
            raise WaitingListError(
                f"The file is {upload.size / 1_000_000:.1f} MB: the limit is 5 MB."
            )
        figures_from_file = stats(parse(decode(upload.read())))
    except WaitingListError as problem:
        return _bad(str(problem), {"waiting_list": str(problem)})
    if figures_from_file.removals == 0:
        message = "Nobody in the file has a removal date, so capacity cannot be measured."
        return _bad(message, {"waiting_list": message})
    inputs, errors = read_inputs(request.POST, given_from(figures_from_file))
    if inputs is None:
        return _bad(" ".join(errors.values()), errors)
    body = {**figures_from_file.as_json(), **calculate(inputs).as_json()}
    body["warnings"] = stats_messages(figures_from_file)
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})
