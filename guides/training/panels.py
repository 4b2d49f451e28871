"""What the training app adds to the library's pages (see guides/core/panels.py): the
printable version and PDF of a guide or tool, and "Add to a training module" for staff
who build modules."""

from __future__ import annotations

from django.template import Context
from django.template.loader import render_to_string

from guides.core import panels
from guides.library.models import GlossaryTerm, Guide, Tool


def _render(template: str, context: Context, **values: object) -> str:
    return render_to_string(template, values, request=context.get("request"))


def guide_actions(context: Context, guide: Guide) -> str:
    return _render("training/_print_links.html", context, kind="guide", slug=guide.slug)


def tool_actions(context: Context, tool: Tool) -> str:
    return _render("training/_print_links.html", context, kind="tool", slug=tool.slug)


def add_guide(context: Context, guide: Guide) -> str:
    # The guide page has prefetched its sections in order: no query here. Plain values,
    # as a signed-in page's shell keeps them (guides/core/personal.py).
    sections = [{"anchor": s.anchor, "title": s.title} for s in guide.sections.all()]
    return _render(
        "training/_add_to_module.html", context, guide={"slug": guide.slug}, sections=sections
    )


def add_tool(context: Context, tool: Tool) -> str:
    return _render("training/_add_to_module.html", context, item_value=f"tool:{tool.slug}")


def add_term(context: Context, term: GlossaryTerm) -> str:
    return _render("training/_add_to_module.html", context, item_value=f"term:{term.slug}")


def register() -> None:
    panels.register("guide:actions", guide_actions, name="training")
    panels.register("tool:actions", tool_actions, name="training")
    panels.register("guide:after", add_guide, name="training")
    panels.register("tool:after", add_tool, name="training")
    panels.register("term:after", add_term, name="training")
