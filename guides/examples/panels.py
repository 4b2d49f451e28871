"""What the examples app adds to the library's pages (see guides/core/panels.py): the
newest published local examples of a guide or a tool, with links to all of them and to
"add one from your own work"; and beside each section of a guide, the examples that
annotate it (one query for the whole page) with "Add a local example here"; and the same
under each step of a tool."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest
from django.template import Context
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html

from guides.core import panels, personal
from guides.examples.models import LocalExample, LocalExampleQuerySet
from guides.library.models import Guide, Section, Tool

LATEST_EXAMPLES = 3
# Beside a section: its newest few, and a link to the rest.
SECTION_EXAMPLES = 5


def latest_examples(examples: LocalExampleQuerySet) -> list[LocalExample]:
    """The newest published examples for a guide or tool page, in one small query."""
    return list(
        examples.published()
        .newest_first()
        .only("id", "title", "organisation_type", "service", "team", "excerpt", "published_at")[
            :LATEST_EXAMPLES
        ]
    )


def _panel(context: Context, examples: LocalExampleQuerySet, query: dict, **labels) -> str:
    query = urlencode(query)
    return render_to_string(
        "examples/_panel.html",
        {
            "examples": latest_examples(examples),
            "list_url": f"{reverse('examples:list')}?{query}",
            "add_url": f"{reverse('examples:new')}?{query}",
            **labels,
        },
        request=context.get("request"),
    )


def guide_examples(context: Context, guide: Guide) -> str:
    return _panel(
        context,
        LocalExample.objects.for_guide(guide),
        {"guide": guide.slug},
        intro="How teams have used this guide in their own services.",
        all_label=f"All local examples for {guide.title}",
        none_label="No local examples for this guide have been published yet.",
    )


def tool_examples(context: Context, tool: Tool) -> str:
    return _panel(
        context,
        LocalExample.objects.for_tool(tool),
        {"tool": tool.slug},
        intro="",
        all_label=f"All local examples that use {tool.name}",
        none_label="No local examples that use this tool have been published yet.",
    )


def examples_by_section(guide_id: int) -> dict[str, list[LocalExample]]:
    """The newest published examples of each section of a guide, at most SECTION_EXAMPLES
    per section, each carrying its section's total as `section_total`: one query,
    whatever the number of sections or examples."""
    return _newest_by(LocalExample.objects.filter(guide_id=guide_id), "section_anchor")


def examples_by_step(tool_id: int) -> dict[str, list[LocalExample]]:
    """The same for each step of a tool (one query for the tool page)."""
    return _newest_by(LocalExample.objects.filter(step_tool_id=tool_id), "step_anchor")


def _newest_by(examples: LocalExampleQuerySet, anchor: str) -> dict[str, list[LocalExample]]:
    newest = (F("published_at").desc(nulls_last=True), F("pk").desc())
    rows = (
        examples.published()
        .exclude(**{anchor: ""})
        .annotate(
            row=Window(RowNumber(), partition_by=[F(anchor)], order_by=newest),
            section_total=Window(Count("pk"), partition_by=[F(anchor)]),
        )
        .filter(row__lte=SECTION_EXAMPLES)
        .only(
            "id",
            "title",
            "organisation_type",
            "service",
            "team",
            "result_line",
            anchor,
            "published_at",
        )  # fmt: skip
        .order_by(anchor, "row")
    )
    out: dict[str, list[LocalExample]] = {}
    for example in rows:
        out.setdefault(getattr(example, anchor), []).append(example)
    return out


def section_examples(context: Context, section: Section) -> str:
    """Beside a guide section: "2 local examples" opening in place, and for staff who
    can add examples, "Add a local example here" with the guide and section filled in."""
    key = f"examples:sections:{section.guide_id}"
    if key not in context.render_context:
        context.render_context[key] = examples_by_section(section.guide_id)
    examples = context.render_context[key].get(section.anchor, [])
    guide_slug = context["guide"].slug if "guide" in context else section.guide.slug
    query = urlencode({"guide": guide_slug, "section": section.anchor})
    return _examples_here(context, examples, query, add_title=section.title)


def _examples_here(
    context: Context,
    examples: list[LocalExample],
    query: str,
    *,
    add_title: str,
    step: dict | None = None,
) -> str:
    """A section's or a step's examples opening in place, with "Add a local example
    here" (who may add is personal: made per request, also on a signed-in page's shell)."""
    add_here = personal.part(
        context,
        "examples:add-here",
        add_url=f"{reverse('examples:new')}?{query}",
        title=add_title,
        alone=not examples,
    )
    if not examples:
        return add_here
    total = examples[0].section_total
    return render_to_string(
        "examples/_examples_here.html",
        {
            "step": step,
            "examples": examples,
            "total": total,
            "more": total - len(examples),
            "list_url": f"{reverse('examples:list')}?{query}",
            "add_here": add_here,
        },
        request=context.get("request"),
    )


@personal.renderer("examples:add-here")
def add_here(request: HttpRequest | None, *, add_url: str, title: str, alone: bool) -> str:
    """ "Add a local example here", for those who may add one (nothing for the others).
    Made per request for every section and step of a signed-in page, so it is a format
    string, not a template, and who may add is asked once per request."""
    user = getattr(request, "user", None)
    if user is None:
        return ""
    may_add = getattr(request, "_examples_may_add", None)
    if may_add is None:
        may_add = request._examples_may_add = LocalExample.can_add(user)
    if not may_add:
        return ""
    link = format_html(
        '<p class="add-here"><a href="{}">Add a local example here'
        '<span class="visually-hidden">: {}</span></a></p>',
        add_url,
        title,
    )
    return format_html('<div class="section-examples">{}</div>', link) if alone else link


def step_examples(context: Context, step: dict) -> str:
    """Under a tool's step: "2 local examples" opening in place, and for staff who can
    add examples, "Add a local example here" with the tool and step filled in."""
    tool = context["tool"]
    key = f"examples:steps:{tool.pk}"
    if key not in context.render_context:
        context.render_context[key] = examples_by_step(tool.pk)
    examples = context.render_context[key].get(step["anchor"], [])
    query = urlencode({"tool": tool.slug, "step": step["anchor"]})
    title = f"step {step['number']}, {step['title']}"
    return _examples_here(context, examples, query, add_title=title, step=step)


def contents_entry(context: Context, guide: Guide) -> str:
    """The guide's "On this page" list gains a link to the examples the panel adds."""
    return render_to_string("examples/_contents_entry.html")


def register() -> None:
    panels.register("guide:contents", contents_entry, name="examples")
    panels.register("guide:section", section_examples, name="examples")
    panels.register("guide:after", guide_examples, name="examples")
    panels.register("tool:after", tool_examples, name="examples")
    panels.register("tool:step", step_examples, name="examples")
