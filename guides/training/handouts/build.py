"""Making a handout from the library: a module's items, a guide or a tool, each part's
Markdown rendered again for paper through guides.library.markup, and the glossary terms
used anywhere in it collected for the appendix."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from guides.examples.charts import chart_blocks
from guides.examples.models import LocalExample
from guides.library import links, markup
from guides.library.glossary import glossary_for
from guides.library.models import ContentVersion, GlossaryTerm, Guide, GuideTool, Section, Tool
from guides.library.worksheets import Sheet
from guides.training.charts import chart_html
from guides.training.handouts.document import (
    EDITIONS,
    REVIEW_MONTHS,
    TRAINER,
    AppendixTerm,
    Block,
    Handout,
    HandoutItem,
    absolute,
    add_months,
    version_label,
)
from guides.training.handouts.limits import check_size
from guides.training.models import ItemKind, Module, ModuleItem

# Items long enough to deserve their own page; short ones (terms, notes, single
# sections) follow on, so a module of many small parts does not waste paper.
FRESH_PAGE_KINDS = {ItemKind.GUIDE, ItemKind.TOOL, ItemKind.EXAMPLE}


@dataclass
class Press:
    """What the items of one handout are made with. The Markdown of every part is
    rendered again for paper (through guides.library.markup, like everything else):
    glossary terms linked with no tooltip (the appendix explains them), ids and in-page
    links prefixed with the item's anchor so that they are unique in the document, and
    headings moved under the item's own. Sections and tools are fetched once for all the
    module's guides."""

    base: str
    glossary: markup.Glossary
    resolve: markup.Resolver
    sections: dict[int, list[Section]] = field(default_factory=dict)  # by guide, in order
    tools: dict[int, list[Tool]] = field(default_factory=dict)  # by guide, in order
    # By section id: the published local examples of the sections that include them.
    examples: dict[int, list[LocalExample]] = field(default_factory=dict)
    # By section id: see linked_before().
    _linked_before: dict[int, frozenset[str]] = field(default_factory=dict, init=False, repr=False)

    def render(
        self,
        source: str,
        *,
        id_prefix: str,
        top: int,
        seen: set[str] | None = None,
        content: bool = True,
        title: str = "",
    ) -> markup.Rendered:
        """`content`: the library's own Markdown, whose internal links resolve as on the
        site; text written by staff is rendered as its own pages render it, without.
        `title`: the part's title; a list of references ("Further reading") links no
        glossary terms, as on the site, where a book's title is not jargon."""
        return markup.render(
            source,
            resolve=self.resolve if content else None,
            glossary=markup.glossary_for_part(title, self.glossary),
            seen_terms=seen,
            id_prefix=id_prefix,
            prefix_fragments=True,
            tooltips=False,
            heading_top=top,
        )

    def linked_before(self, section: Section) -> set[str]:
        """The glossary terms that the guide's page has linked above `section`. The site
        links each term once a page, and a section printed on its own links the words
        that it links there."""
        if section.pk not in self._linked_before:
            seen: set[str] = set()
            for earlier in self.sections.get(section.guide_id, []):
                self._linked_before[earlier.pk] = frozenset(seen)
                markup.render(
                    earlier.body,
                    resolve=self.resolve,
                    glossary=markup.glossary_for_part(earlier.title, self.glossary),
                    seen_terms=seen,
                )
        return set(self._linked_before.get(section.pk, ()))


def safe(rendered: markup.Rendered) -> SafeString:
    # guides.library.markup sanitises everything it renders.
    return mark_safe(rendered.html)


# Items ------------------------------------------------------------------------------


def _section(
    section: Section, anchor: str, press: Press, *, seen: set[str], top: int
) -> HandoutItem:
    # The site's own ids behind the item's anchor: unique in the handout, and an in-page
    # link gets the same prefix, so it still lands.
    rendered = press.render(
        section.body,
        id_prefix=f"{anchor}-{section.anchor}-",
        top=top,
        seen=seen,
        title=section.title,
    )
    return HandoutItem(
        anchor=anchor,
        kind=ItemKind.SECTION,
        kind_label="Guide section",
        title=section.title,
        address=absolute(press.base, section.get_absolute_url()),
        blocks=[Block("", safe(rendered))],
        text=_text_for_terms(section.title, rendered),
    )


def _text_for_terms(title: str, rendered: markup.Rendered) -> str:
    """What the appendix looks for terms in: a list of references has none to explain."""
    return "" if markup.is_reference_title(title) else rendered.text


def _tool(tool: Tool, anchor: str, press: Press, *, top: int) -> HandoutItem:
    facts = [("Also known as", ", ".join(tool.also_known_as))] if tool.also_known_as else []
    rendered = press.render(tool.body, id_prefix=f"{anchor}-", top=top)
    return HandoutItem(
        anchor=anchor,
        kind=ItemKind.TOOL,
        kind_label="Tool or technique",
        title=tool.name,
        address=absolute(press.base, tool.get_absolute_url()),
        intro=tool.summary,
        facts=facts,
        blocks=[Block("", safe(rendered))],
        text=f"{tool.summary} {rendered.text}",
        worksheet=Sheet.from_json(tool.worksheet),
    )


def _guide_item(item: ModuleItem, anchor: str, press: Press) -> HandoutItem:
    guide, base = item.guide, press.base
    sections, seen = press.sections.get(guide.pk, []), set()
    rendered = [
        press.render(s.body, id_prefix=f"{anchor}-{s.anchor}-", top=4, seen=seen, title=s.title)
        for s in sections
    ]
    tools = press.tools.get(guide.pk, [])
    return HandoutItem(
        anchor=anchor,
        kind=ItemKind.GUIDE,
        kind_label=f"Guide {guide.number}",
        title=guide.title,
        address=absolute(base, guide.get_absolute_url()),
        intro=guide.purpose,
        plain=guide.plain_summary,
        facts=[("Summary", guide.summary)] if guide.summary else [],
        blocks=[
            Block(s.title, safe(r), absolute(base, s.get_absolute_url()))
            for s, r in zip(sections, rendered, strict=True)
        ],
        links=[(t.name, absolute(base, t.get_absolute_url()), t.summary) for t in tools],
        links_heading="Tools in this guide",
        text=" ".join(
            [
                guide.purpose,
                guide.summary,
                guide.plain_summary,
                *(_text_for_terms(s.title, r) for s, r in zip(sections, rendered, strict=True)),
            ]
        ),
    )


def _section_item(item: ModuleItem, anchor: str, press: Press) -> HandoutItem:
    section = item.section
    entry = _section(section, anchor, press, seen=press.linked_before(section), top=3)
    entry.context = f"From guide {section.guide.number}: {section.guide.title}"
    for example in press.examples.get(section.pk, []) if item.with_examples else []:
        entry.blocks.append(
            Block(
                f"Local example: {example.title}",
                format_html(
                    "{}{}{}",
                    format_html('<p class="meta">{}</p>', example.setting)
                    if example.setting
                    else "",
                    format_html("<p>{}</p>", example.excerpt) if example.excerpt else "",
                    format_html("<p><strong>What happened:</strong> {}</p>", example.result_line)
                    if example.result_line
                    else "",
                ),
                absolute(press.base, example.get_absolute_url()),
            )
        )
        entry.text += f" {example.title} {example.excerpt} {example.result_line}"
    # "Process mapping: How to do it": two guides' "How to do it" never share a line.
    entry.toc_title = f"{section.guide.title.split(',')[0].strip()}: {section.title}"
    return entry


def _tool_item(item: ModuleItem, anchor: str, press: Press) -> HandoutItem:
    return _tool(item.tool, anchor, press, top=3)


def _term_item(item: ModuleItem, anchor: str, press: Press) -> HandoutItem:
    term = item.term
    return HandoutItem(
        anchor=anchor,
        kind=ItemKind.TERM,
        kind_label="Glossary term",
        title=term.term,
        address=absolute(press.base, term.get_absolute_url()),
        intro=term.definition,
        plain_alternatives=list(term.plain_alternatives),
        text=term.term,
    )


EXAMPLE_PARTS = {
    "problem": "The problem",
    "what_was_done": "What they did",
    "results": "What happened",
    "lessons": "Lessons and tips",
}


def _example_item(item: ModuleItem, anchor: str, press: Press) -> HandoutItem:
    example, seen = item.example, set()
    blocks = []
    # In the order of the example's own page, which links each term once across them.
    for name, title in EXAMPLE_PARTS.items():
        web_prefix = f"ex{example.pk}-{name.replace('_', '-')}-"
        rendered = press.render(
            getattr(example, name),
            id_prefix=f"{anchor}-{web_prefix}",
            top=4,
            seen=seen,
            content=False,
        )
        if rendered.html:
            blocks.append(Block(title, safe(rendered)))
    charts = chart_blocks(example, anchor)  # drawn as vector SVG (guides/examples/charts.py)
    blocks += [Block(title, html) for title, html, _ in charts]
    facts = [("Where", example.setting)] if example.setting else []
    return HandoutItem(
        anchor=anchor,
        kind=ItemKind.EXAMPLE,
        kind_label="Local example",
        title=example.title,
        address=absolute(press.base, example.get_absolute_url()),
        facts=facts,
        blocks=blocks,
        text=" ".join([example.text, *(text for _, _, text in charts)]),
    )


def _note_item(item: ModuleItem, anchor: str, press: Press) -> HandoutItem:
    label = "Exercise" if item.for_participants else "Trainer's note"
    rendered = press.render(
        item.text, id_prefix=f"{anchor}-note{item.order}-", top=3, content=False
    )
    return HandoutItem(
        anchor=anchor,
        kind=ItemKind.NOTE,
        kind_label=label,
        title=item.title or label,
        blocks=[Block("", safe(rendered))],
        trainer_only=not item.for_participants,
        text=f"{item.title} {rendered.text}",
    )


def _chart_item(item: ModuleItem, anchor: str, press: Press) -> HandoutItem:
    html, finding = chart_html(item, id_prefix=f"{anchor}-chart")
    rendered = press.render(item.text, id_prefix=f"{anchor}-chart-", top=3, content=False)
    blocks = [Block("", html or mark_safe("<p>This chart can no longer be drawn.</p>"))]
    if rendered.html:
        blocks.append(Block("", safe(rendered)))
    return HandoutItem(
        anchor=anchor,
        kind=ItemKind.CHART,
        kind_label="Chart",
        title=item.title or "Chart",
        blocks=blocks,
        text=f"{item.title} {finding} {rendered.text}",
    )


ItemBuilder = Callable[[ModuleItem, str, Press], HandoutItem]
ITEM_BUILDERS: dict[str, ItemBuilder] = {
    ItemKind.GUIDE: _guide_item,
    ItemKind.SECTION: _section_item,
    ItemKind.TOOL: _tool_item,
    ItemKind.TERM: _term_item,
    ItemKind.EXAMPLE: _example_item,
    ItemKind.NOTE: _note_item,
    ItemKind.CHART: _chart_item,
}


# Text that cannot be drawn (see guides.library.markup's limits) prints as this.
UNPRINTABLE = (
    "This part could not be printed: its text is too complex to lay out. Open it on the "
    "site and simplify it (shorter paragraphs, less nesting), then print again."
)


def _missing_item(item: ModuleItem, anchor: str, reason: str = "") -> HandoutItem:
    return HandoutItem(
        anchor=anchor,
        kind=item.kind,
        kind_label=item.get_kind_display(),
        title=item.title,
        missing=reason or missing_reason(item),
    )


def missing_reason(item: ModuleItem) -> str:
    if item.kind == ItemKind.EXAMPLE and item.example is not None:
        return "This local example is no longer published, so it is left out."
    return (
        "This part is no longer in the library: it was renamed or removed after it was "
        "added to the module. Search the library for its new place."
    )


# Building handouts --------------------------------------------------------------------


def _glossary_terms() -> list[GlossaryTerm]:
    return list(GlossaryTerm.objects.only("slug", "term", "definition", "plain_alternatives"))


def _press(base_url: str, version: ContentVersion | None) -> Press:
    """The glossary and link resolver of the content as loaded, kept per version."""
    return Press(base=base_url, glossary=glossary_for(version), resolve=links.resolver_for(version))


def collect_terms(
    items: list[HandoutItem], terms: list[GlossaryTerm], press: Press, extra_text: str = ""
) -> list[AppendixTerm]:
    """The glossary terms used anywhere in what is printed, A to Z: every use counts, not
    only the first one that the web pages link (but not in a list of references, whose
    book titles are not jargon: see _text_for_terms)."""
    glossary = press.glossary
    used: set[str] = set()
    if glossary.pattern is not None:
        for text in [extra_text, *(f"{i.title} {i.intro} {i.text}" for i in items)]:
            for match in glossary.pattern.finditer(text):
                entry = glossary.lookup(match.group(1))
                if entry is not None:
                    used.add(entry.slug)
    chosen = sorted((t for t in terms if t.slug in used), key=lambda t: t.term.casefold())
    return [
        AppendixTerm(
            term=t.term,
            definition=t.definition,
            plain_alternatives=list(t.plain_alternatives),
            address=absolute(press.base, t.get_absolute_url()),
        )
        for t in chosen
    ]


def module_items(module: Module) -> QuerySet[ModuleItem]:
    return module.items.select_related(
        "guide", "section__guide", "tool", "term", "example"
    ).order_by("order", "pk")


def _fetch_guides(items: list[ModuleItem], press: Press) -> None:
    """The sections and tools of the module's guides, in two queries for them all. A
    section item needs its guide's other sections too (see Press.linked_before)."""
    whole = {i.guide_id: i.guide for i in items if i.kind == ItemKind.GUIDE and i.guide_id}
    parts = {
        i.section.guide_id: i.section.guide
        for i in items
        if i.kind == ItemKind.SECTION and i.section_id
    }
    guides = {**parts, **whole}
    sections = Section.objects.filter(guide_id__in=list(guides)).defer("html", "text")
    for section in sections.order_by("guide_id", "order"):
        section.guide = guides[section.guide_id]  # for its address, without a query each
        press.sections.setdefault(section.guide_id, []).append(section)
    wanted = [i.section for i in items if i.kind == ItemKind.SECTION and i.section_id
              and i.with_examples]  # fmt: skip
    if wanted:
        which = Q()
        for s in wanted:
            which |= Q(guide_id=s.guide_id, section_anchor=s.anchor)
        ids = {(s.guide_id, s.anchor): s.pk for s in wanted}
        for example in (
            LocalExample.objects.published()
            .filter(which)
            .newest_first()
            .only(
                "id",
                "title",
                "organisation_type",
                "service",
                "team",
                "excerpt",
                "result_line",
                "guide_id",
                "section_anchor",
            )  # fmt: skip
        ):
            section_id = ids[(example.guide_id, example.section_anchor)]
            press.examples.setdefault(section_id, []).append(example)
    for link in (
        GuideTool.objects.filter(guide_id__in=list(whole))
        .select_related("tool")
        .only("guide_id", "order", "tool__slug", "tool__name", "tool__summary")
        .order_by("guide_id", "order")
    ):
        press.tools.setdefault(link.guide_id, []).append(link.tool)


def module_handout(module: Module, *, edition: str, base_url: str) -> Handout:
    """A module's handout. The trainer's edition adds the trainer's notes, the notes
    marked for the trainer only, and the timings; the participant's leaves them out."""
    edition = edition if edition in EDITIONS else TRAINER
    trainer = edition == TRAINER
    items = list(module_items(module))
    # The examples' charts, drawn in the handout: one query for them all.
    prefetch_related_objects([i.example for i in items if i.example is not None], "charts")
    terms, version = _glossary_terms(), ContentVersion.objects.first()
    press = _press(base_url, version)
    _fetch_guides(items, press)
    # Weighed before anything is rendered: HandoutTooLarge past the cap.
    check_size(items, {g: sum(len(s.body) for s in ss) for g, ss in press.sections.items()})

    printed: list[HandoutItem] = []
    for item in items:
        if item.trainer_only and not trainer:
            continue
        anchor = f"item-{len(printed) + 1}"
        if item.missing:
            entry = _missing_item(item, anchor)
        else:
            try:
                entry = ITEM_BUILDERS[item.kind](item, anchor, press)
            except markup.MarkupError:
                entry = _missing_item(item, anchor, UNPRINTABLE)
        entry.fresh_page = entry.kind in FRESH_PAGE_KINDS and not entry.missing
        entry.minutes = item.minutes if trainer else None
        printed.append(entry)

    notes = markup.Rendered(html="", text="")
    if trainer:
        try:
            notes = press.render(
                module.trainer_notes, id_prefix="notes-module-notes-", top=3, content=False
            )
        except markup.MarkupError:
            notes = markup.Rendered(html=f"<p>{UNPRINTABLE}</p>", text="")
    return Handout(
        kind="module",
        title=module.title,
        kicker="Training module",
        edition=edition,
        audience=module.audience,
        duration=module.duration,
        objectives=module.objective_list,
        trainer_notes_html=safe(notes),
        items=printed,
        terms=collect_terms(printed, terms, press, f"{module.objectives} {notes.text}"),
        glossary_address=absolute(base_url, reverse("library:glossary")),
        content_version=version_label(version),
        review_due=_soonest_review(items, trainer),
    )


def _soonest_review(items: list[ModuleItem], trainer: bool) -> date | None:
    """A module's printed copy is checked against the site by the soonest review date of
    the guides and tools it prints, or a year after printing when that comes first."""
    dues = []
    for item in items:
        if item.missing or (item.trainer_only and not trainer):
            continue
        if item.kind == ItemKind.GUIDE:
            dues.append(item.guide.review_due)
        elif item.kind == ItemKind.SECTION:
            dues.append(item.section.guide.review_due)
        elif item.kind == ItemKind.TOOL:
            dues.append(item.tool.review_due)
    soonest = min((d for d in dues if d), default=None)
    a_year = add_months(timezone.localdate(), REVIEW_MONTHS)
    return a_year if soonest is None else min(soonest, a_year)


def guide_handout(guide: Guide, *, base_url: str) -> Handout:
    """One guide as a booklet: an introduction, each section, its tools, the glossary."""
    sections = list(guide.sections.order_by("order").defer("html", "text"))
    tools = list(
        Tool.objects.filter(guidetool__guide=guide)
        .order_by("guidetool__order")
        .only("slug", "name", "summary")
    )
    terms, version = _glossary_terms(), ContentVersion.objects.first()
    press = _press(base_url, version)
    items = [
        HandoutItem(
            anchor="about",
            kind=ItemKind.GUIDE,
            kind_label=f"Guide {guide.number}",
            title="About this guide",
            address=absolute(base_url, guide.get_absolute_url()),
            intro=guide.summary,
            plain=guide.plain_summary,
            text=f"{guide.purpose} {guide.summary} {guide.plain_summary}",
        )
    ]
    seen: set[str] = set()  # as on the guide's page: each term linked once
    for number, section in enumerate(sections, start=1):
        items.append(_section(section, f"section-{number}", press, seen=seen, top=3))
    if tools:
        items.append(
            HandoutItem(
                anchor="tools",
                kind=ItemKind.TOOL,
                kind_label="Tools",
                title="Tools in this guide",
                links=[
                    (t.name, absolute(base_url, t.get_absolute_url()), t.summary) for t in tools
                ],
                text=" ".join(t.summary for t in tools),
            )
        )
    return Handout(
        kind="guide",
        title=guide.title,
        kicker=f"Guide {guide.number} · {guide.get_side_display()}",
        lede=guide.purpose,
        items=items,
        terms=collect_terms(items, terms, press),
        address=absolute(base_url, guide.get_absolute_url()),
        glossary_address=absolute(base_url, reverse("library:glossary")),
        content_version=version_label(version),
        last_reviewed=guide.last_reviewed,
        review_due=guide.review_due,
    )


def tool_handout(tool: Tool, *, base_url: str) -> Handout:
    terms, version = _glossary_terms(), ContentVersion.objects.first()
    press = _press(base_url, version)
    item = _tool(tool, "tool", press, top=2)
    item.title = ""  # the handout's own title is the tool's name
    guides = list(tool.guides.only("slug", "number", "title", "purpose").order_by("number"))
    item.links = [
        (f"{g.number}. {g.title}", absolute(base_url, g.get_absolute_url()), g.purpose)
        for g in guides
    ]
    item.links_heading = "Guides that use it"
    return Handout(
        kind="tool",
        title=tool.name,
        kicker="Tool or technique",
        lede=tool.summary,
        items=[item],
        terms=collect_terms([item], terms, press),
        address=absolute(base_url, tool.get_absolute_url()),
        glossary_address=absolute(base_url, reverse("library:glossary")),
        content_version=version_label(version),
        last_reviewed=tool.last_reviewed,
        review_due=tool.review_due,
    )
