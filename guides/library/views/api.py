"""Read-only JSON of the library's content."""

from datetime import date

from django.db.models import Prefetch
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_safe

from guides.core.site import absolute_url
from guides.library.models import GlossaryTerm, Guide, Section, Tool
from guides.library.worksheets import Sheet


def _abs(request: HttpRequest, obj: Guide | Tool | GlossaryTerm) -> str:
    return absolute_url(obj.get_absolute_url())


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _json(data: dict) -> JsonResponse:
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@require_safe
def guide_list(request: HttpRequest) -> JsonResponse:
    guides = Guide.objects.only(
        "number", "slug", "title", "purpose", "side", "last_reviewed", "review_due"
    )
    return _json(
        {
            "guides": [
                {
                    "slug": g.slug,
                    "number": g.number,
                    "title": g.title,
                    "purpose": g.purpose,
                    "side": g.side,
                    "last_reviewed": _day(g.last_reviewed),
                    "review_due": _day(g.review_due),
                    "url": _abs(request, g),
                }
                for g in guides
            ]
        }
    )


@require_safe
def guide_detail(request: HttpRequest, slug: str) -> JsonResponse:
    guide = get_object_or_404(
        Guide.objects.prefetch_related(
            Prefetch("sections", queryset=Section.objects.order_by("order")),
            Prefetch(
                "tools", queryset=Tool.objects.order_by("guidetool__order").only("slug", "name")
            ),
            Prefetch("related_guides", queryset=Guide.objects.only("slug")),
        ),
        slug=slug,
    )
    url = _abs(request, guide)
    return _json(
        {
            "slug": guide.slug,
            "number": guide.number,
            "title": guide.title,
            "purpose": guide.purpose,
            "summary": guide.summary,
            "plain_summary": guide.plain_summary,
            "side": guide.side,
            "last_reviewed": _day(guide.last_reviewed),
            "review_due": _day(guide.review_due),
            "url": url,
            "sections": [
                {
                    "title": s.title,
                    "anchor": s.anchor,
                    "url": f"{url}#{s.anchor}",
                    "html": s.html,
                    "text": s.text,
                }
                for s in guide.sections.all()
            ],
            "tools": [
                {"slug": t.slug, "name": t.name, "url": _abs(request, t)} for t in guide.tools.all()
            ],
            "related_guides": [g.slug for g in guide.related_guides.all()],
        }
    )


@require_safe
def tool_detail(request: HttpRequest, slug: str) -> JsonResponse:
    tool = get_object_or_404(
        Tool.objects.prefetch_related(
            Prefetch("guides", queryset=Guide.objects.only("slug")),
            Prefetch("related_tools", queryset=Tool.objects.only("slug")),
        ),
        slug=slug,
    )
    return _json(
        {
            "slug": tool.slug,
            "name": tool.name,
            "also_known_as": tool.also_known_as,
            "summary": tool.summary,
            "last_reviewed": _day(tool.last_reviewed),
            "review_due": _day(tool.review_due),
            "url": _abs(request, tool),
            "html": tool.html,
            "text": tool.text,
            # Its numbered steps, each with the stable anchor that local examples name.
            "steps": [
                {
                    "anchor": step["anchor"],
                    "number": step["number"],
                    "title": step["title"],
                    "url": f"{_abs(request, tool)}#{step['anchor']}",
                }
                for step in tool.steps
            ],
            "guides": [g.slug for g in tool.guides.all()],
            "related_tools": [t.slug for t in tool.related_tools.all()],
            "facts": {
                "stages": tool.stages,
                "time": tool.time,
                "people": tool.people,
                "needs": tool.needs,
                "difficulty": tool.difficulty,
                "next": tool.next_tools,
            },
            "template": _template(request, tool),
        }
    )


def _template(request: HttpRequest, tool: Tool) -> dict | None:
    """The structured template as loaded, with where to get it printed or downloaded."""
    sheet = Sheet.from_json(tool.worksheet)
    if sheet is None:
        return None
    links = {
        "worksheet": reverse("library:tool-worksheet", args=[tool.slug]),
        "docx": reverse("library:tool-worksheet-docx", args=[tool.slug]),
    }
    if sheet.tabular:
        links["xlsx"] = reverse("library:tool-worksheet-xlsx", args=[tool.slug])
    return {
        **tool.worksheet,
        "urls": {name: absolute_url(url) for name, url in links.items()},
    }


@require_safe
def glossary(request: HttpRequest) -> JsonResponse:
    terms = GlossaryTerm.objects.prefetch_related(
        Prefetch("related_terms", queryset=GlossaryTerm.objects.only("slug"))
    )
    return _json(
        {
            "terms": [
                {
                    "slug": t.slug,
                    "term": t.term,
                    "definition": t.definition,
                    "plain_alternatives": t.plain_alternatives,
                    "related_terms": [r.slug for r in t.related_terms.all()],
                    "url": _abs(request, t),
                }
                for t in terms
            ]
        }
    )
