"""What the examples app adds to the library's pages (see guides/core/panels.py): the
newest published local examples of a guide or a tool, with links to all of them and to
"add one from your own work"."""

from __future__ import annotations

from urllib.parse import urlencode

from django.template import Context
from django.template.loader import render_to_string
from django.urls import reverse

from guides.core import panels
from guides.examples.models import LocalExample, LocalExampleQuerySet
from guides.library.models import Guide, Tool

LATEST_EXAMPLES = 3


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


def contents_entry(context: Context, guide: Guide) -> str:
    """The guide's "On this page" list gains a link to the examples the panel adds."""
    return render_to_string("examples/_contents_entry.html")


def register() -> None:
    panels.register("guide:contents", contents_entry, name="examples")
    panels.register("guide:after", guide_examples, name="examples")
    panels.register("tool:after", tool_examples, name="examples")
