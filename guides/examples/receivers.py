"""How local examples follow the content (see guides.core.signals)."""

from __future__ import annotations

from django.db import models

from guides.examples.models import MARKDOWN_FIELDS, LocalExample
from guides.library.content import Content, ContentError, LoadReport
from guides.library.glossary import current_glossary
from guides.library.models import Tool

RENDER_BATCH = 500


def keep_local_examples(
    sender: type[Content], content: Content, report: LoadReport, **kwargs
) -> None:
    """Local examples are never deleted by a load. A guide that has examples cannot be
    removed (ContentError, nothing changes); a removed or renamed tool is unlinked from
    its examples, which stay, and the report says which."""
    guide_slugs = [g.slug for g in content.guides]
    stranded = (
        LocalExample.objects.exclude(guide__slug__in=guide_slugs)
        .values_list("guide__slug", "guide__title")
        .annotate(n=models.Count("pk"))
        .order_by("guide__slug")
    )
    problems = [
        f"guide '{slug}' ({title}) has {n} local example{'s' if n != 1 else ''} attached, so "
        "its file cannot be removed or its slug changed: restore the file, or first move "
        "the examples to another guide in the site"
        for slug, title, n in stranded
    ]
    if problems:
        raise ContentError(problems)
    release_removed_sections(content, report)
    release_removed_steps(content, report)
    tool_slugs = [t.slug for t in content.tools]
    for tool in Tool.objects.exclude(slug__in=tool_slugs).filter(examples__isnull=False).distinct():
        titles = [f"#{pk} “{title}”" for pk, title in tool.examples.values_list("pk", "title")]
        report.notes.append(
            f"Tool '{tool.slug}' ({tool.name}) was removed: {len(titles)} local "
            f"example{'s' if len(titles) != 1 else ''} lost their link to it and "
            f"{'were' if len(titles) != 1 else 'was'} kept: {', '.join(titles)}."
        )


def release_removed_sections(content: Content, report: LoadReport) -> None:
    """Examples are attached to a section by its anchor, which stays when the section is
    moved or its title changes. When a section goes (or its anchor changes), its examples
    fall back to the guide as a whole, and the report says which."""
    if not content.guides:
        return
    gone = models.Q()
    for guide in content.guides:
        anchors = [section.anchor for section in guide.sections]
        gone |= models.Q(guide__slug=guide.slug) & ~models.Q(section_anchor__in=anchors)
    orphans = list(
        LocalExample.objects.exclude(section_anchor="")
        .filter(gone)
        .order_by("guide__number", "section_anchor", "pk")
        .values_list("pk", "title", "guide__slug", "section_anchor")
    )
    if not orphans:
        return
    LocalExample.objects.filter(pk__in=[pk for pk, *_ in orphans]).update(section_anchor="")
    by_section: dict[tuple[str, str], list[str]] = {}
    for pk, title, guide_slug, anchor in orphans:
        by_section.setdefault((guide_slug, anchor), []).append(f"#{pk} “{title}”")
    for (guide_slug, anchor), titles in by_section.items():
        n = len(titles)
        report.notes.append(
            f"Section '{anchor}' of guide '{guide_slug}' is gone: {n} local "
            f"example{'s' if n != 1 else ''} attached to it now "
            f"{'belong' if n != 1 else 'belongs'} to the guide as a whole: {', '.join(titles)}. "
            "To keep examples attached when you rename a section, keep its old anchor in the "
            f"heading, e.g. '## New title {{#{anchor}}}'."
        )


def release_removed_steps(content: Content, report: LoadReport) -> None:
    """The same for tool steps: an example attached to a step by the step's anchor stays
    attached when the steps are reordered (and, with an anchor written in the Markdown,
    reworded). When the step or its tool goes, the example keeps the tool as one of its
    tools but no longer a step, and the report says which."""
    kept = {tool.slug: [step["anchor"] for step in tool.steps] for tool in content.tools}
    gone = models.Q(step_tool__isnull=True) | ~models.Q(step_tool__slug__in=list(kept))
    for slug, anchors in kept.items():
        gone |= models.Q(step_tool__slug=slug) & ~models.Q(step_anchor__in=anchors)
    orphans = list(
        LocalExample.objects.exclude(step_anchor="")
        .filter(gone)
        .order_by("step_tool__slug", "step_anchor", "pk")
        .values_list("pk", "title", "step_tool__slug", "step_anchor")
    )
    if not orphans:
        return
    LocalExample.objects.filter(pk__in=[pk for pk, *_ in orphans]).update(
        step_tool=None, step_anchor=""
    )
    by_step: dict[tuple[str, str], list[str]] = {}
    for pk, title, tool_slug, anchor in orphans:
        by_step.setdefault((tool_slug or "(removed)", anchor), []).append(f"#{pk} “{title}”")
    for (tool_slug, anchor), titles in by_step.items():
        n = len(titles)
        report.notes.append(
            f"Step '{anchor}' of tool '{tool_slug}' is gone: {n} local "
            f"example{'s' if n != 1 else ''} attached to it now "
            f"{'belong' if n != 1 else 'belongs'} to the tool as a whole: {', '.join(titles)}. "
            "To keep examples attached when you reword a step, start it with its old anchor, "
            f"e.g. '1. {{#{anchor}}} New wording'."
        )


def rerender_examples(
    sender: type[Content], report: LoadReport, glossary_changed: bool, **kwargs
) -> None:
    """When the glossary changes, make every example's HTML again, so that no link points
    at a removed term and new terms are explained. Only the HTML columns are written
    (bulk_update sends no signals: the search text does not depend on the glossary)."""
    if not glossary_changed:
        return
    glossary = current_glossary()
    fields = [f"{name}_html" for name in MARKDOWN_FIELDS]
    examples = LocalExample.objects.only("pk", *MARKDOWN_FIELDS, *fields).order_by("pk")
    batch: list[LocalExample] = []
    count = 0
    for example in examples.iterator(chunk_size=RENDER_BATCH):
        example.render_html(glossary)
        batch.append(example)
        if len(batch) >= RENDER_BATCH:
            LocalExample.objects.bulk_update(batch, fields)
            count += len(batch)
            batch = []
    LocalExample.objects.bulk_update(batch, fields)
    count += len(batch)
    if count:
        report.notes.append(
            f"The glossary changed: the text of {count} local example"
            f"{'s was' if count != 1 else ' was'} made again with the new terms."
        )
