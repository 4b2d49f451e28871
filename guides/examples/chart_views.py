"""Adding, changing and removing the charts of a local example, and "Add this chart to a
local example" from the run chart maker (to one of mine, or to a new one).

Who may change an example's charts is who may edit the example (LocalExample.can_edit).
Changing a chart does not move the example's version on: the text and the charts are
saved separately, so a chart never overwrites someone's edit of the text.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from guides.core.permissions import Refused
from guides.examples.charts import (
    MAX_CHARTS,
    SETTINGS,
    ExampleChart,
    ExampleChartForm,
    initial_from,
)
from guides.examples.models import LocalExample
from guides.measurement.forms import MAX_ADDRESS_DATA

PENDING = "examples-pending-chart"  # session key: a chart waiting for its new example


def _editable(request: HttpRequest, pk: int) -> LocalExample:
    example = get_object_or_404(LocalExample.objects.visible_to(request.user), pk=pk)
    if not example.can_edit(request.user):
        raise Refused(
            "You cannot change this example's charts: only someone who may edit the example can.",
            back=example,
            back_label="Back to the example",
        )
    return example


def _changed(example: LocalExample) -> None:
    """Tell the search index and the page cache that the example's page has changed."""
    example.save(update_fields=["updated_at"])


def _settings_from(data: dict) -> dict[str, str]:
    return {name: data[name] for name in SETTINGS if data.get(name)}


def _form_page(
    request: HttpRequest,
    example: LocalExample,
    form: ExampleChartForm,
    chart: ExampleChart | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "examples/chart_form.html",
        {"example": example, "form": form, "chart": chart, "adding": chart is None},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def chart_add(request: HttpRequest, pk: int) -> HttpResponse:
    example = _editable(request, pk)
    count = example.charts.count()
    if count >= MAX_CHARTS:
        raise Refused(
            f"An example can hold up to {MAX_CHARTS} charts. Remove one before adding another.",
            back=example,
            back_label="Back to the example",
        )
    if request.method == "POST" and request.POST.get("prefill"):
        # From the maker: show its settings in the form, to check before saving.
        form = ExampleChartForm(initial=initial_from(request.POST.dict()))
    elif request.method == "POST":
        form = ExampleChartForm(request.POST)
        if form.is_valid():
            chart = form.save(commit=False)
            chart.example = example
            chart.position = count
            with transaction.atomic():
                chart.save()
                _changed(example)
            messages.success(request, "The chart has been added to the example.")
            return redirect(f"{example.get_absolute_url()}#example-chart-{chart.pk}")
        return _form_page(request, example, form, status=400)
    else:
        form = ExampleChartForm(initial=initial_from(request.GET.dict()))
    return _form_page(request, example, form)


@login_required
@require_http_methods(["GET", "POST"])
def chart_edit(request: HttpRequest, pk: int, chart_pk: int) -> HttpResponse:
    example = _editable(request, pk)
    chart = get_object_or_404(ExampleChart, pk=chart_pk, example=example)
    if request.method == "POST":
        form = ExampleChartForm(request.POST, instance=chart)
        if form.is_valid():
            with transaction.atomic():
                form.save()
                _changed(example)
            messages.success(request, "The chart has been saved.")
            return redirect(f"{example.get_absolute_url()}#example-chart-{chart.pk}")
        return _form_page(request, example, form, chart, status=400)
    return _form_page(request, example, ExampleChartForm(instance=chart), chart)


@login_required
@require_http_methods(["GET", "POST"])
def chart_delete(request: HttpRequest, pk: int, chart_pk: int) -> HttpResponse:
    example = _editable(request, pk)
    chart = get_object_or_404(ExampleChart, pk=chart_pk, example=example)
    if request.method == "POST":
        with transaction.atomic():
            chart.delete()
            _changed(example)
        messages.success(request, "The chart has been removed from the example.")
        return redirect(example)
    return render(
        request, "examples/chart_confirm_delete.html", {"example": example, "chart": chart}
    )


@login_required
@require_http_methods(["GET", "POST"])
def chart_choose(request: HttpRequest) -> HttpResponse:
    """From the maker: which example the chart goes to (one of mine, or a new one)."""
    if not LocalExample.can_add(request.user):
        raise Refused(
            "Your account cannot add local examples. Ask an administrator to give you the "
            "Facilitators role.",
            back=reverse("measurement:run-chart"),
            back_label="Back to the run chart maker",
        )
    data = request.POST if request.method == "POST" else request.GET
    settings = _settings_from(data.dict())
    if not settings.get("data"):
        messages.error(request, "Draw a chart first, then add it to an example.")
        return redirect("measurement:run-chart")
    if request.method == "POST" and data.get("new"):
        request.session[PENDING] = settings
        messages.info(
            request,
            "Write the example, then save it: the chart will be added to it.",
        )
        return redirect("examples:new")
    mine = [
        e
        for e in LocalExample.objects.filter(author=request.user).newest_first()[:50]
        if e.can_edit(request.user)
    ]
    back_url = reverse("measurement:run-chart")
    if len(settings.get("data", "")) <= MAX_ADDRESS_DATA:
        back_url += f"?{urlencode(settings)}"
    context = {"examples": mine, "settings": settings, "back_url": back_url}
    return render(request, "examples/chart_choose.html", context)


def attach_pending_chart(request: HttpRequest, example: LocalExample) -> None:
    """After a new example is saved: add the chart the maker sent it, if there is one."""
    settings = request.session.pop(PENDING, None) if hasattr(request, "session") else None
    if not settings:
        return
    form = ExampleChartForm(
        {**dict.fromkeys(SETTINGS, ""), **settings, "chart": settings.get("chart", "run")}
    )
    if form.is_valid():
        chart = form.save(commit=False)
        chart.example = example
        chart.save()
        messages.success(request, "The chart from the maker has been added to the example.")
    else:
        messages.error(request, "The chart from the maker could not be added: draw it again.")
