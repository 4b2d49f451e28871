"""Charts as training module items: "Add this chart to a training module" from the run
chart maker, and the chart drawn (as vector SVG) with the trainer's explanation in the
module's handouts.

A chart item keeps the maker's settings (its GET parameters), never a picture; its
`text` is the trainer's explanation, in Markdown like a note's.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import Context
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from guides.core import panels
from guides.core.forms import MARKDOWN_HELP, Labelled
from guides.core.models import MAX_TEXT_LENGTH
from guides.measurement.forms import FIELDS
from guides.measurement.maker import chart_from_settings, draw
from guides.training.forms import MinutesField, is_id
from guides.training.models import MAX_MODULE_ITEMS, ItemKind, Module, ModuleItem
from guides.training.views.access import refused, why_not_edit


class ChartItemForm(Labelled, forms.Form):
    NEW = "new"

    module = forms.CharField(label="Module", max_length=20)
    new_title = forms.CharField(
        label="Title of the new module",
        max_length=200,
        required=False,
        help_text="Only when you choose “A new module”. It is private until you share it.",
    )
    title = forms.CharField(label="Heading", max_length=300)
    text = forms.CharField(
        label="What the chart shows, for the handout (optional)",
        max_length=MAX_TEXT_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=MARKDOWN_HELP,
    )
    minutes = MinutesField()

    def __init__(self, *args, user: object, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_module(self) -> Module | str:
        value = self.cleaned_data["module"]
        if value == self.NEW:
            return self.NEW
        module = (
            Module.objects.owned_by(self.user).filter(pk=int(value)).first()
            if is_id(value)
            else None
        )
        if module is None:
            raise ValidationError("Choose one of your modules, or a new one.", code="module")
        return module

    def clean(self) -> dict:
        data = super().clean()
        if data.get("module") == self.NEW and not (data.get("new_title") or "").strip():
            self.add_error("new_title", "Give the new module a title.")
        return data


def _settings(data: dict) -> dict[str, str]:
    return {name: str(data[name]) for name in FIELDS if data.get(name) and name != "file"}


@login_required
@require_POST
def chart_to_module(request: HttpRequest) -> HttpResponse:
    """From the maker: choose the module and write the explanation, then add the chart."""
    if not Module.can_build(request.user):
        raise refused(why_not_edit(request, Module()))
    settings = _settings(request.POST.dict())
    chart, errors = chart_from_settings(settings)
    if chart is None:
        messages.error(request, errors[0] if errors else "Draw a chart first.")
        return redirect("measurement:run-chart")
    modules = list(Module.objects.owned_by(request.user).order_by("-updated_at")[:50])
    if "save" in request.POST:
        form = ChartItemForm(request.POST, user=request.user)
        if form.is_valid():
            module = form.cleaned_data["module"]
            with transaction.atomic():
                if module == ChartItemForm.NEW:
                    module = Module.objects.create(
                        owner=request.user, title=form.cleaned_data["new_title"].strip()
                    )
                if module.items.count() >= MAX_MODULE_ITEMS:
                    form.add_error(None, f"A module can hold at most {MAX_MODULE_ITEMS} items.")
                else:
                    item = ModuleItem.objects.create(
                        module=module,
                        order=module.next_order(),
                        kind=ItemKind.CHART,
                        title=form.cleaned_data["title"],
                        text=form.cleaned_data["text"],
                        minutes=form.cleaned_data["minutes"],
                        chart_settings=settings,
                    )
                    module.touch()
                    messages.success(request, f"Added the chart to your module “{module.title}”.")
                    return redirect(f"{module.get_absolute_url()}#item-{item.pk}")
    else:
        title = chart.title or ("Run chart" if chart.analysis.chart == "run" else "XmR chart")
        form = ChartItemForm(
            user=request.user,
            initial={"title": title, "module": "" if modules else ChartItemForm.NEW},
        )
    drawn = draw(chart, id_prefix="chart-item-preview")
    return render(
        request,
        "training/chart_item_form.html",
        {"form": form, "modules": modules, "settings": settings, "drawn": drawn},
        status=400 if form.errors else 200,
    )


def chart_html(item: ModuleItem, id_prefix: str) -> tuple[str, str]:
    """The chart of an item, drawn for a handout, and its finding in plain words."""
    chart, _ = chart_from_settings(item.chart_settings or {})
    if chart is None:
        return "", ""
    drawn = draw(chart, id_prefix=id_prefix)
    html = render_to_string("training/_chart_item.html", {"drawn": drawn})
    return mark_safe(html), drawn.finding  # a template's output


def add_chart_panel(context: Context, settings: dict) -> str:
    request = context.get("request")
    if request is None or not settings or not Module.can_build(request.user):
        return ""
    return render_to_string(
        "training/_add_chart_to_module.html", {"settings": settings}, request=request
    )


def register() -> None:
    panels.register("run-chart:after", add_chart_panel, name="training-add-chart")
