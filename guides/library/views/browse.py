"""Browsing the library: the home page, guides, tools and the glossary. What other apps
show on these pages (local examples, handouts, "Add to a training module") comes through
the panels the templates name (guides/core/panels.py)."""

from itertools import groupby

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from guides.core import personal
from guides.library.models import GlossaryTerm, Guide, Section, Side, Tool
from guides.library.worksheets import Sheet


@personal.shell
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    guides = list(
        Guide.objects.only("number", "slug", "title", "purpose", "side").order_by("number")
    )
    # In their published order, 1 to 11: each run of guides on the same side is a group,
    # so the groups never reorder the numbers. A side comes back later in the order, so
    # each heading names its guides too ("Systems and process: guides 1 to 3", then
    # "... guides 6 to 8"), never the same heading twice.
    labels = dict(Side.choices)
    sides = []
    for side, run in groupby(guides, lambda g: g.side):
        members = list(run)
        sides.append((f"{labels.get(side, side)}: {_guide_numbers(members)}", members))
    return render(
        request,
        "library/home.html",
        {"sides": sides, "guide_count": len(guides), "start_here": _start_here(guides)},
    )


def _guide_numbers(run: list[Guide]) -> str:
    """ "guide 4", "guides 4 and 5" or "guides 1 to 3" for a run of guides in order."""
    first, last = run[0].number, run[-1].number
    if len(run) == 1:
        return f"guide {first}"
    if len(run) == 2:
        return f"guides {first} and {last}"
    return f"guides {first} to {last}"


# "New to improvement? Start here": the essentials in the order a newcomer needs them.
# Each step shows only when its guide or tool is in the content.
START_HERE = [
    ("guide", 1, "See how the work really flows before changing it"),
    ("tool", "model-for-improvement", "Three questions to plan any change"),
    ("tool", "pdsa-cycles", "Test a change on a small scale first"),
    ("guide", 2, "Know whether a change is an improvement"),
    ("tool", "run-charts", "Plot your numbers over time"),
]


def _start_here(guides: list[Guide]) -> list[tuple[str, str, str]]:
    by_number = {g.number: g for g in guides}
    slugs = [ref for kind, ref, _ in START_HERE if kind == "tool"]
    tools = {t.slug: t for t in Tool.objects.filter(slug__in=slugs).only("slug", "name")}
    steps = []
    for kind, ref, why in START_HERE:
        item = by_number.get(ref) if kind == "guide" else tools.get(ref)
        if item is not None:
            title = item.title if kind == "guide" else item.name
            steps.append((title, item.get_absolute_url(), why))
    return steps


@personal.shell
@require_safe
def guide_detail(request: HttpRequest, slug: str) -> HttpResponse:
    guide = get_object_or_404(
        Guide.objects.prefetch_related(
            Prefetch("sections", queryset=Section.objects.order_by("order")),
            Prefetch("tools", queryset=Tool.objects.order_by("guidetool__order")),
            "related_guides",
        ),
        slug=slug,
    )
    # Eleven guides: one small query gives previous and next without counting tricks.
    numbers = list(Guide.objects.values_list("number", "slug", "title"))
    index = [n for n, _, _ in numbers].index(guide.number)
    previous_guide = numbers[index - 1] if index > 0 else None
    next_guide = numbers[index + 1] if index + 1 < len(numbers) else None
    sections, tools = list(guide.sections.all()), list(guide.tools.all())
    # Related tools listed once: when the guide's own "Related tools" section links every
    # tool (saying when to use each), the cards below would only repeat it.
    related = next((s for s in sections if s.anchor == "related-tools"), None)
    tools_in_text = bool(
        related and tools and all(f'href="{t.get_absolute_url()}"' in related.html for t in tools)
    )
    return render(
        request,
        "library/guide_detail.html",
        {
            "guide": guide,
            "sections": sections,
            "tools": tools,
            "tools_in_text": tools_in_text,
            "related_guides": guide.related_guides.all(),
            "previous_guide": previous_guide
            and {"slug": previous_guide[1], "title": previous_guide[2]},
            "next_guide": next_guide and {"slug": next_guide[1], "title": next_guide[2]},
        },
    )


@personal.shell
@require_safe
def tool_list(request: HttpRequest) -> HttpResponse:
    tools = Tool.objects.only("slug", "name", "summary").prefetch_related(
        Prefetch("guides", queryset=Guide.objects.only("slug", "number", "title"))
    )
    return render(request, "library/tool_list.html", {"tools": tools})


@personal.shell
@require_safe
def tool_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tool = get_object_or_404(
        Tool.objects.prefetch_related(
            Prefetch("guides", queryset=Guide.objects.only("slug", "number", "title")),
            Prefetch("related_tools", queryset=Tool.objects.only("slug", "name")),
        ),
        slug=slug,
    )
    return render(
        request,
        "library/tool_detail.html",
        # The facts box comes with its names, worked out when the content was loaded.
        {"tool": tool, "facts": tool.facts_box, "sheet": Sheet.from_json(tool.worksheet)},
    )


@personal.shell
@require_safe
def glossary(request: HttpRequest) -> HttpResponse:
    terms = list(GlossaryTerm.objects.only("slug", "term", "definition", "plain_alternatives"))
    terms.sort(key=lambda t: t.term.casefold())
    letters = [(letter, list(group)) for letter, group in groupby(terms, key=lambda t: t.letter)]
    return render(
        request,
        "library/glossary.html",
        {
            "letters": letters,
            "alphabet": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            "present": {letter for letter, _ in letters},
        },
    )


@personal.shell
@require_safe
def term_detail(request: HttpRequest, slug: str) -> HttpResponse:
    term = get_object_or_404(
        GlossaryTerm.objects.prefetch_related(
            Prefetch("related_terms", queryset=GlossaryTerm.objects.only("slug", "term")),
            Prefetch("used_in_guides", queryset=Guide.objects.only("slug", "number", "title")),
            Prefetch("used_in_tools", queryset=Tool.objects.only("slug", "name")),
        ),
        slug=slug,
    )
    return render(request, "library/term_detail.html", {"term": term})
