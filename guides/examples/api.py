"""Read-only JSON of the published local examples: /api/examples/ (filtered like the
list page, a page at a time) and /api/examples/<id>/. Each example names its guide and
the section it annotates (null for the guide as a whole) and the tool step it shows (null
when none)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from guides.core.site import absolute_url
from guides.examples.forms import ExampleFilterForm
from guides.examples.models import MARKDOWN_FIELDS, LocalExample, LocalExampleQuerySet
from guides.library.models import Section, Tool

PER_PAGE = 50
# What an example's step tool need not bring: only its slug and steps are shown.
TOOL_TEXT = ("body", "html", "text", "steps_before_html", "steps_after_html", "worksheet")


def _json(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _published() -> LocalExampleQuerySet:
    return (
        LocalExample.objects.published()
        .select_related("guide", "step_tool")
        .defer(*(f"step_tool__{name}" for name in TOOL_TEXT))
        .prefetch_related(Prefetch("tools", queryset=Tool.objects.only("slug", "name")), "tags")
    )


def _section_titles(examples: list[LocalExample]) -> dict[tuple[int, str], str]:
    """The titles of the sections these examples annotate, in one query."""
    wanted = {(e.guide_id, e.section_anchor) for e in examples if e.section_anchor}
    if not wanted:
        return {}
    rows = Section.objects.filter(
        guide_id__in={g for g, _ in wanted}, anchor__in={a for _, a in wanted}
    ).values_list("guide_id", "anchor", "title")
    return {(g, a): t for g, a, t in rows}


def _step_json(request: HttpRequest, example: LocalExample) -> dict | None:
    """The tool step it shows, or null (no query: the step's tool comes with the row)."""
    step = example.step
    if step is None:
        return None
    tool_url = absolute_url(example.step_tool.get_absolute_url())
    return {
        "tool": example.step_tool.slug,
        "anchor": step["anchor"],
        "number": step["number"],
        "title": step["title"],
        "url": f"{tool_url}#{step['anchor']}",
    }


def example_json(
    request: HttpRequest, example: LocalExample, titles: dict, *, full: bool = False
) -> dict:
    guide_url = absolute_url(example.guide.get_absolute_url())
    title = titles.get((example.guide_id, example.section_anchor))
    data = {
        "id": example.pk,
        "uid": str(example.uid),
        "title": example.title,
        "url": absolute_url(example.get_absolute_url()),
        "guide": {"slug": example.guide.slug, "title": example.guide.title, "url": guide_url},
        "section": {
            "anchor": example.section_anchor,
            "title": title,
            "url": f"{guide_url}#{example.section_anchor}",
        }
        if title
        else None,
        "step": _step_json(request, example),
        "organisation_type": example.organisation_type,
        "setting": example.setting,
        "period_start": example.period_start.isoformat() if example.period_start else None,
        "period_end": example.period_end.isoformat() if example.period_end else None,
        "summary": example.excerpt,
        "result": example.result_line,
        "tools": [t.slug for t in example.tools.all()],
        "tags": sorted(t.name for t in example.tags.all()),
        "published_at": example.published_at.isoformat() if example.published_at else None,
    }
    if full:
        for name in MARKDOWN_FIELDS:
            data[name] = getattr(example, name)
            data[f"{name}_html"] = getattr(example, f"{name}_html")
    return data


@require_safe
def example_list(request: HttpRequest) -> JsonResponse:
    form = ExampleFilterForm(request.GET)
    if not form.is_valid():
        return _json(
            {"error": "invalid parameters", "fields": form.errors.get_json_data()}, status=400
        )
    names = ("guide", "section", "setting", "tool", "step", "tag")
    chosen = {k: form.cleaned_data[k] for k in names}
    examples = (
        _published()
        .matching(chosen)
        .newest_first()
        .defer("text", *(f"{n}_html" for n in MARKDOWN_FIELDS), *MARKDOWN_FIELDS)
    )
    page = Paginator(examples, PER_PAGE).get_page(form.cleaned_data.get("page") or 1)
    rows = list(page.object_list)
    titles = _section_titles(rows)
    return _json(
        {
            "count": page.paginator.count,
            "page": page.number,
            "pages": page.paginator.num_pages,
            "examples": [example_json(request, e, titles) for e in rows],
        }
    )


@require_safe
def example_detail(request: HttpRequest, pk: int) -> JsonResponse:
    example = get_object_or_404(_published(), pk=pk)
    return _json(example_json(request, example, _section_titles([example]), full=True))
