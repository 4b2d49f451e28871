"""The tool finder (/tools/finder/): "What are you trying to do?" Tools by stage of the
work, by common problem in users' words, and filtered by stage, guide, time, people and
difficulty: a plain GET form, so the filters work without JavaScript and the address
keeps them. The choices and problems come from finder.yaml; each tool's facts from its
front matter."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from guides.library.models import ChoiceGroup, FinderChoice, Guide, GuideTool, Problem, Tool
from guides.library.worksheets.sheet import is_tabular

FILTERS = {
    "stage": ChoiceGroup.STAGE,
    "time": ChoiceGroup.TIME,
    "people": ChoiceGroup.PEOPLE,
    "difficulty": ChoiceGroup.DIFFICULTY,
}
FILTER_LABELS = {
    "stage": "Stage of the work",
    "guide": "Guide",
    "time": "Time it takes",
    "people": "Who you need",
    "difficulty": "Difficulty",
}


@dataclass
class Template:
    """What the finder says of a tool's template: that it has one, and whether it is
    also a spreadsheet (without building the whole Sheet for every tool)."""

    tabular: bool


@dataclass
class FinderTool:
    tool: Tool
    guides: set[str] = field(default_factory=set)
    sheet: Template | None = None
    time: str = ""
    people: str = ""
    difficulty: str = ""

    def label(self, labels: dict[str, dict[str, FinderChoice]]) -> None:
        for name in ("time", "people", "difficulty"):
            choice = labels[name].get(getattr(self.tool, name))
            setattr(self, name, choice.name if choice else "")


def finder_tools() -> dict[str, FinderTool]:
    """Every tool with its facts, its guides and its template: three small queries."""
    tools = Tool.objects.only(
        "slug", "name", "summary", "stages", "time", "people", "needs", "difficulty",
        "next_tools", "worksheet",
    ).order_by("name")  # fmt: skip
    found = {
        t.slug: FinderTool(t, sheet=Template(is_tabular(t.worksheet)) if t.worksheet else None)
        for t in tools
    }
    for guide_slug, tool_slug in GuideTool.objects.values_list("guide__slug", "tool__slug"):
        if tool_slug in found:
            found[tool_slug].guides.add(guide_slug)
    return found


def choice_labels() -> dict[str, dict[str, FinderChoice]]:
    labels: dict[str, dict[str, FinderChoice]] = {group: {} for group in ChoiceGroup.values}
    for choice in FinderChoice.objects.all():
        labels[choice.group][choice.slug] = choice
    return labels


def matches(entry: FinderTool, chosen: dict[str, str]) -> bool:
    tool = entry.tool
    return (
        (not chosen.get("stage") or chosen["stage"] in tool.stages)
        and (not chosen.get("guide") or chosen["guide"] in entry.guides)
        and all(
            not chosen.get(name) or getattr(tool, name) == chosen[name]
            for name in ("time", "people", "difficulty")
        )
    )


@require_safe
def tool_finder(request: HttpRequest) -> HttpResponse:
    tools = finder_tools()
    labels = choice_labels()
    for entry in tools.values():
        entry.label(labels)
    guides = list(Guide.objects.only("number", "slug", "title"))
    options = {
        name: [(c.slug, c.name) for c in labels[group].values()] for name, group in FILTERS.items()
    }
    options["guide"] = [(g.slug, f"{g.number}. {g.title}") for g in guides]

    chosen: dict[str, str] = {}
    unknown: list[str] = []
    for name in FILTER_LABELS:
        value = request.GET.get(name, "").strip()
        if not value:
            continue
        if value in {slug for slug, _ in options[name]}:
            chosen[name] = value
        else:
            unknown.append(f"{FILTER_LABELS[name].lower()} “{value[:80]}”")
    filtered = bool(chosen)
    results = [t for t in tools.values() if matches(t, chosen)] if filtered else []

    stages = [
        {"choice": c, "tools": [t for t in tools.values() if c.slug in t.tool.stages]}
        for c in labels[ChoiceGroup.STAGE].values()
    ]
    problems = [
        {"problem": p, "tools": [tools[s] for s in p.tools if s in tools]}
        for p in Problem.objects.select_related("section__guide")
    ]
    filters = [
        {
            "name": name,
            "label": FILTER_LABELS[name],
            "options": options[name],
            "chosen": chosen.get(name, ""),
        }
        for name in FILTER_LABELS
    ]
    return render(
        request,
        "library/finder.html",
        {
            "filters": filters,
            "filtered": filtered,
            "unknown": unknown,
            "results": results,
            "chosen_labels": [
                (FILTER_LABELS[name], dict(options[name])[value]) for name, value in chosen.items()
            ],
            "stages": stages,
            "problems": problems,
            "labels": labels,
            "tool_count": len(tools),
        },
    )
