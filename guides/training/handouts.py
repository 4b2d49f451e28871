"""Handouts: a training module, a single guide or a single tool as one printable document.

`module_handout()`, `guide_handout()` and `tool_handout()` gather what is printed into a
`Handout`; `render_html()` fills the one template (templates/handouts/handout.html) that
both the browser's print view and the PDF use; `write_pdf()` turns that HTML into a PDF
with WeasyPrint.

WeasyPrint fetches what a document links to (stylesheets, images). Text written by
staff can contain an image (Markdown allows one), so the renderer gets a fetcher that
serves only the library's own static files, read from disk, and refuses everything else:
no network, no other files, no data: URLs.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from guides.examples.models import LocalExample
from guides.library import markup
from guides.library.models import ContentVersion, GlossaryTerm, Guide, GuideTool, Section, Tool
from guides.training.models import ItemKind, Module, ModuleItem, format_minutes

TRAINER, PARTICIPANT = "trainer", "participant"
EDITIONS = {TRAINER: "Trainer's edition", PARTICIPANT: "Participant's edition"}
# A printed copy goes out of date: the footer says when to check it against the site.
REVIEW_MONTHS = 12
# Items long enough to deserve their own page; short ones (terms, notes, single
# sections) follow on, so a module of many small parts does not waste paper.
FRESH_PAGE_KINDS = {ItemKind.GUIDE, ItemKind.TOOL, ItemKind.EXAMPLE}


# What is printed -----------------------------------------------------------------------


@dataclass
class Block:
    """A titled part of an item (a guide's section, an example's "What they did")."""

    title: str
    html: SafeString
    address: str = ""


@dataclass
class HandoutItem:
    anchor: str
    kind: str
    kind_label: str
    title: str
    address: str = ""
    context: str = ""  # e.g. the guide a section comes from
    intro: str = ""
    plain: str = ""  # the "in plain words" summary
    facts: list[tuple[str, str]] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (title, address, summary)
    links_heading: str = ""
    plain_alternatives: list[str] = field(default_factory=list)
    minutes: int | None = None
    missing: str = ""  # why a content item is only a placeholder
    trainer_only: bool = False
    fresh_page: bool = False
    text: str = ""  # plain text, for finding the glossary terms used

    @property
    def timing(self) -> str:
        return format_minutes(self.minutes)


@dataclass
class AppendixTerm:
    term: str
    definition: str
    plain_alternatives: list[str]
    address: str


@dataclass
class Handout:
    kind: str  # "module", "guide" or "tool"
    title: str
    kicker: str
    lede: str = ""
    edition: str = ""
    audience: str = ""
    duration: str = ""
    objectives: list[str] = field(default_factory=list)
    trainer_notes_html: SafeString = mark_safe("")
    items: list[HandoutItem] = field(default_factory=list)
    terms: list[AppendixTerm] = field(default_factory=list)
    address: str = ""
    glossary_address: str = ""
    printed_on: date = field(default_factory=timezone.localdate)
    content_version: str = ""

    @property
    def review_by(self) -> date:
        return add_months(self.printed_on, REVIEW_MONTHS)

    @property
    def edition_label(self) -> str:
        return EDITIONS.get(self.edition, "")

    @property
    def for_trainer(self) -> bool:
        return self.edition == TRAINER

    @property
    def planned_minutes(self) -> int:
        return sum(item.minutes or 0 for item in self.items)

    @property
    def planned_timing(self) -> str:
        return format_minutes(self.planned_minutes)

    @property
    def compact(self) -> bool:
        """A single tool is short: no separate cover and contents pages."""
        return self.kind == "tool"


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has 28 days


def absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path if path.startswith("/") else path


def content_version() -> str:
    latest = ContentVersion.objects.first()
    return latest.label if latest else "not recorded"


# Fitting stored HTML into one document ------------------------------------------------

TOOLTIP = re.compile(r'<span class="term-tip" role="tooltip" id="[^"]*">.*?</span>', re.DOTALL)
DESCRIBEDBY = re.compile(r' aria-describedby="[^"]*"')
GLOSS = re.compile(r'<span class="gloss">(<a class="term"[^>]*>.*?</a>)</span>', re.DOTALL)
ID = re.compile(r'\bid="([^"]*)"')
FRAGMENT = re.compile(r'\bhref="#([^"]*)"')
HEADING = re.compile(r"<(/?)h([1-6])\b")


def fit(html: str, *, prefix: str, top: int) -> SafeString:
    """Stored HTML from guides.markup, made to sit inside a handout: glossary tooltips
    dropped (the appendix explains the terms on paper), ids made unique to the item,
    and headings moved so that the highest is `top`."""
    html = GLOSS.sub(r"\1", DESCRIBEDBY.sub("", TOOLTIP.sub("", html)))
    html = ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', html)
    html = FRAGMENT.sub(lambda m: f'href="#{prefix}{m.group(1)}"', html)
    levels = [int(level) for _, level in HEADING.findall(html)]
    if levels:
        shift = top - min(levels)
        html = HEADING.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + shift, 6)}", html)
    # Only guides.markup's output (sanitised when it was made) comes through here.
    return mark_safe(html)


# Items ------------------------------------------------------------------------------


def _guide_item(guide: Guide, sections, tools, base: str, anchor: str) -> HandoutItem:
    url = guide.get_absolute_url()
    return HandoutItem(
        anchor=anchor,
        kind=ItemKind.GUIDE,
        kind_label=f"Guide {guide.number}",
        title=guide.title,
        address=absolute(base, url),
        intro=guide.purpose,
        plain=guide.plain_summary,
        facts=[("Summary", guide.summary)] if guide.summary else [],
        blocks=[
            Block(
                s.title,
                fit(s.html, prefix=f"{anchor}-", top=4),
                absolute(base, s.get_absolute_url()),
            )
            for s in sections
        ],
        links=[(t.name, absolute(base, t.get_absolute_url()), t.summary) for t in tools],
        links_heading="Tools in this guide",
        text=" ".join(
            [guide.purpose, guide.summary, guide.plain_summary, *(s.text for s in sections)]
        ),
    )


def _section_item(section: Section, base: str, anchor: str) -> HandoutItem:
    return HandoutItem(
        anchor=anchor,
        kind=ItemKind.SECTION,
        kind_label="Guide section",
        title=section.title,
        context=f"From guide {section.guide.number}: {section.guide.title}",
        address=absolute(base, section.get_absolute_url()),
        blocks=[Block("", fit(section.html, prefix=f"{anchor}-", top=3))],
        text=section.text,
    )


def _tool_item(tool: Tool, base: str, anchor: str, *, top: int = 3) -> HandoutItem:
    facts = [("Also known as", ", ".join(tool.also_known_as))] if tool.also_known_as else []
    return HandoutItem(
        anchor=anchor,
        kind=ItemKind.TOOL,
        kind_label="Tool or technique",
        title=tool.name,
        address=absolute(base, tool.get_absolute_url()),
        intro=tool.summary,
        facts=facts,
        blocks=[Block("", fit(tool.html, prefix=f"{anchor}-", top=top))],
        text=f"{tool.summary} {tool.text}",
    )


def _term_item(term: GlossaryTerm, base: str, anchor: str) -> HandoutItem:
    return HandoutItem(
        anchor=anchor,
        kind=ItemKind.TERM,
        kind_label="Glossary term",
        title=term.term,
        address=absolute(base, term.get_absolute_url()),
        intro=term.definition,
        plain_alternatives=list(term.plain_alternatives),
        text=term.term,
    )


def _example_item(example: LocalExample, base: str, anchor: str) -> HandoutItem:
    parts = [
        ("The problem", example.problem_html),
        ("What they did", example.what_was_done_html),
        ("What happened", example.results_html),
        ("Lessons and tips", example.lessons_html),
    ]
    facts = [("Where", example.setting)] if example.setting else []
    return HandoutItem(
        anchor=anchor,
        kind=ItemKind.EXAMPLE,
        kind_label="Local example",
        title=example.title,
        address=absolute(base, example.get_absolute_url()),
        facts=facts,
        blocks=[Block(t, fit(h, prefix=f"{anchor}-", top=4)) for t, h in parts if h],
        text=example.text,
    )


def _note_item(item: ModuleItem, anchor: str) -> HandoutItem:
    label = "Exercise" if item.for_participants else "Trainer's note"
    html = fit(item.text_html, prefix=f"{anchor}-", top=3)
    return HandoutItem(
        anchor=anchor,
        kind=ItemKind.NOTE,
        kind_label=label,
        title=item.title or label,
        blocks=[Block("", html)],
        trainer_only=not item.for_participants,
        text=f"{item.title} {markup.html_to_text(html)}",
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
    return list(
        GlossaryTerm.objects.only("slug", "term", "definition", "plain_alternatives", "match_forms")
    )


def collect_terms(
    items: list[HandoutItem], terms: list[GlossaryTerm], base: str, extra_text: str = ""
) -> list[AppendixTerm]:
    """The glossary terms used anywhere in what is printed, A to Z: every use counts, not
    only the first one that the web pages link."""
    glossary = markup.Glossary(
        markup.TermEntry(
            slug=t.slug,
            term=t.term,
            definition=t.definition,
            forms=tuple(t.match_forms),
            url=t.get_absolute_url(),
        )
        for t in terms
    )
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
            address=absolute(base, t.get_absolute_url()),
        )
        for t in chosen
    ]


def module_items(module: Module):
    return module.items.select_related(
        "guide", "section__guide", "tool", "term", "example"
    ).order_by("order", "pk")


def module_handout(module: Module, *, edition: str, base_url: str) -> Handout:
    """A module's handout. The trainer's edition adds the trainer's notes, the notes
    marked for the trainer only, and the timings; the participant's leaves them out."""
    edition = edition if edition in EDITIONS else TRAINER
    items = list(module_items(module))
    guides = {i.guide_id: i.guide for i in items if i.kind == ItemKind.GUIDE and i.guide_id}
    guide_ids = list(guides)
    sections: dict[int, list[Section]] = {}
    for section in Section.objects.filter(guide_id__in=guide_ids).order_by("guide_id", "order"):
        section.guide = guides[section.guide_id]  # for its address, without a query each
        sections.setdefault(section.guide_id, []).append(section)
    tools: dict[int, list[Tool]] = {}
    for link in (
        GuideTool.objects.filter(guide_id__in=guide_ids)
        .select_related("tool")
        .only("guide_id", "order", "tool__slug", "tool__name", "tool__summary")
        .order_by("guide_id", "order")
    ):
        tools.setdefault(link.guide_id, []).append(link.tool)

    printed: list[HandoutItem] = []
    for item in items:
        if item.trainer_only and edition != TRAINER:
            continue
        anchor = f"item-{len(printed) + 1}"
        if item.missing:
            entry = HandoutItem(
                anchor=anchor,
                kind=item.kind,
                kind_label=item.get_kind_display(),
                title=item.title,
                missing=missing_reason(item),
            )
        elif item.kind == ItemKind.GUIDE:
            entry = _guide_item(
                item.guide,
                sections.get(item.guide_id, []),
                tools.get(item.guide_id, []),
                base_url,
                anchor,
            )
        elif item.kind == ItemKind.SECTION:
            entry = _section_item(item.section, base_url, anchor)
        elif item.kind == ItemKind.TOOL:
            entry = _tool_item(item.tool, base_url, anchor)
        elif item.kind == ItemKind.TERM:
            entry = _term_item(item.term, base_url, anchor)
        elif item.kind == ItemKind.EXAMPLE:
            entry = _example_item(item.example, base_url, anchor)
        else:
            entry = _note_item(item, anchor)
        entry.fresh_page = entry.kind in FRESH_PAGE_KINDS and not entry.missing
        entry.minutes = item.minutes if edition == TRAINER else None
        printed.append(entry)

    trainer = edition == TRAINER
    notes_html = fit(module.trainer_notes_html, prefix="notes-", top=3) if trainer else ""
    notes_text = markup.html_to_text(notes_html)
    return Handout(
        kind="module",
        title=module.title,
        kicker="Training module",
        edition=edition,
        audience=module.audience,
        duration=module.duration,
        objectives=module.objective_list,
        trainer_notes_html=mark_safe(notes_html),
        items=printed,
        terms=collect_terms(
            printed, _glossary_terms(), base_url, f"{module.objectives} {notes_text}"
        ),
        glossary_address=absolute(base_url, reverse("library:glossary")),
        content_version=content_version(),
    )


def guide_handout(guide: Guide, *, base_url: str) -> Handout:
    """One guide as a booklet: an introduction, each section, its tools, the glossary."""
    sections = list(guide.sections.order_by("order"))
    tools = list(
        Tool.objects.filter(guidetool__guide=guide)
        .order_by("guidetool__order")
        .only("slug", "name", "summary")
    )
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
    for number, section in enumerate(sections, start=1):
        item = _section_item(section, base_url, f"section-{number}")
        item.context = ""
        items.append(item)
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
        terms=collect_terms(items, _glossary_terms(), base_url),
        address=absolute(base_url, guide.get_absolute_url()),
        glossary_address=absolute(base_url, reverse("library:glossary")),
        content_version=content_version(),
    )


def tool_handout(tool: Tool, *, base_url: str) -> Handout:
    item = _tool_item(tool, base_url, "tool", top=2)
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
        terms=collect_terms([item], _glossary_terms(), base_url),
        address=absolute(base_url, tool.get_absolute_url()),
        glossary_address=absolute(base_url, reverse("library:glossary")),
        content_version=content_version(),
    )


# HTML and PDF ------------------------------------------------------------------------


def render_html(handout: Handout, *, pdf: bool, request=None, **context) -> str:
    """The handout page. `pdf` leaves out what only the screen needs (the toolbar)."""
    return render_to_string(
        "training/handout.html",
        {
            "handout": handout,
            "pdf": pdf,
            "site_name": settings.SITE_NAME,
            "editions": EDITIONS,
            **context,
        },
        request=request,
    )


class RefusedURL(ValueError):
    """The handout renderer asked for something that is not one of our static files."""


def _static_roots() -> list[Path]:
    roots = [Path(settings.STATIC_ROOT)] if settings.STATIC_ROOT else []
    roots += [Path(d if isinstance(d, str | Path) else d[1]) for d in settings.STATICFILES_DIRS]
    app_finder = finders.AppDirectoriesFinder()
    roots += [Path(storage.location) for storage in app_finder.storages.values()]
    return [root.resolve() for root in roots]


def static_file(url: str, base_url: str) -> Path | None:
    """The file on disk that `url` names, if it is one of the app's static files served
    from the site being printed (`base_url`); None for anything else."""
    parts, base = urlsplit(url), urlsplit(base_url)
    if parts.scheme.lower() not in ("http", "https"):
        return None  # file:, data:, ftp: and the rest
    if (parts.scheme.lower(), parts.netloc.lower()) != (base.scheme.lower(), base.netloc.lower()):
        return None  # another host: nothing leaves the machine
    prefix = urlsplit(settings.STATIC_URL).path
    path = unquote(parts.path)
    if not path.startswith(prefix):
        return None
    name = path[len(prefix) :]
    pieces = name.split("/")
    if not name or "\\" in name or "\x00" in name or any(p in ("", ".", "..") for p in pieces):
        return None
    candidates = []
    if settings.STATIC_ROOT:
        candidates.append(Path(settings.STATIC_ROOT) / name)
    found = finders.find(name)
    if found:
        candidates.append(Path(found))
    roots = _static_roots()
    for candidate in candidates:
        resolved = candidate.resolve()
        if resolved.is_file() and any(resolved.is_relative_to(root) for root in roots):
            return resolved
    return None


def static_only_fetcher(base_url: str):
    """A WeasyPrint URL fetcher that serves the app's own static files from disk and
    refuses everything else. Refused addresses are kept in `.refused` (for the tests)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def __init__(self) -> None:
            # No redirects, and errors do not stop the rendering: a refused image is
            # simply left out of the PDF.
            super().__init__(allowed_protocols=("http", "https"), allow_redirects=False)
            self.refused: list[str] = []
            self.served: list[str] = []

        def fetch(self, url: str, headers=None):
            path = static_file(url, base_url)
            if path is None:
                self.refused.append(url)
                raise RefusedURL(f"not one of the library's static files: {url[:120]}")
            self.served.append(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return StaticOnlyFetcher()


def write_pdf(html: str, *, base_url: str, fetcher=None) -> bytes:
    from weasyprint import HTML

    fetcher = fetcher or static_only_fetcher(base_url)
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()
