"""Reading, checking and loading the guide content in `fixtures/`.

`read_content(folder)` parses and validates every file and raises `ContentError` with
every problem found (file and what is wrong). `load_content(folder)` then writes the
result in one transaction, updating rows in place by natural key, deleting content
whose file was removed, and leaving user data alone. The format is described in
`fixtures/README.md`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import models, transaction
from django.urls import reverse
from django.utils.text import slugify

from . import markup

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SECTION_HEADING = re.compile(r"^##(?!#)\s+(.+?)\s*$", re.MULTILINE)
EXPLICIT_ANCHOR = re.compile(r"\s*\{#([^}]*)\}\s*$")
SIDES = {"systems", "people"}


class ContentError(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class SectionData:
    title: str
    anchor: str
    body: str
    html: str = ""
    text: str = ""


@dataclass
class GuideData:
    path: str
    number: int
    slug: str
    title: str
    purpose: str
    summary: str
    plain_summary: str
    side: str
    tools: list[str]
    related_guides: list[str]
    sections: list[SectionData]
    terms: set[str] = field(default_factory=set)


@dataclass
class ToolData:
    path: str
    slug: str
    name: str
    also_known_as: list[str]
    summary: str
    related_tools: list[str]
    body: str
    html: str = ""
    text: str = ""
    terms: set[str] = field(default_factory=set)


@dataclass
class TermData:
    path: str
    slug: str
    term: str
    definition: str
    plain: list[str]
    match: list[str]
    related: list[str]


@dataclass
class Content:
    guides: list[GuideData]
    tools: list[ToolData]
    terms: list[TermData]
    digest: str


# Parsing ----------------------------------------------------------------------------


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    if not text.startswith("---"):
        raise ValueError("does not start with a '---' front matter block")
    parts = re.split(r"^---[ \t]*$", text, maxsplit=2, flags=re.MULTILINE)
    if len(parts) < 3:
        raise ValueError("front matter is not closed with a '---' line")
    meta = yaml.safe_load(parts[1]) or {}
    if not isinstance(meta, dict):
        raise ValueError("front matter is not a set of 'name: value' fields")
    return meta, parts[2]


class FileProblems:
    """Collects the problems of one file, each prefixed with its path."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path, self.problems = path, problems
        self.count = 0

    def add(self, message: str) -> None:
        self.count += 1
        self.problems.append(f"{self.path}: {message}")

    def text(self, meta: dict, name: str, *, required: bool = True) -> str:
        value = meta.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(f"missing required field '{name}'")
            return ""
        if not isinstance(value, str | int | float):
            self.add(f"'{name}' must be text")
            return ""
        return " ".join(str(value).split())

    def slug_list(self, meta: dict, name: str) -> list[str]:
        value = meta.get(name) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(f"'{name}' must be a list of slugs")
            return []
        if len(set(value)) != len(value):
            self.add(f"'{name}' lists the same slug twice")
        return list(dict.fromkeys(value))

    def text_list(self, meta: dict, name: str) -> list[str]:
        value = meta.get(name) or []
        if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
            self.add(f"'{name}' must be a list of words or phrases")
            return []
        return [" ".join(str(v).split()) for v in value if str(v).strip()]

    def slug(self, meta: dict, name: str = "slug") -> str:
        value = self.text(meta, name)
        if value and not SLUG.match(value):
            self.add(f"'{name}' {value!r} must be lowercase letters, digits and hyphens")
        return value

    def unknown_fields(self, meta: dict, known: set[str]) -> None:
        for name in sorted(set(meta) - known):
            self.add(f"unknown field '{name}' (expected one of: {', '.join(sorted(known))})")


GUIDE_FIELDS = {
    "number", "slug", "title", "purpose", "summary", "plain_summary", "side", "tools",
    "related_guides",
}  # fmt: skip
TOOL_FIELDS = {"slug", "name", "also_known_as", "summary", "related_tools"}
TERM_FIELDS = {"term", "slug", "definition", "plain", "match", "related"}


def parse_sections(body: str, fp: FileProblems) -> list[SectionData]:
    headings = list(SECTION_HEADING.finditer(body))
    if not headings:
        fp.add("has no sections: each section starts with a '## ' heading")
        return []
    if body[: headings[0].start()].strip():
        fp.add("has text before its first '## ' section heading")
    sections = []
    for i, heading in enumerate(headings):
        end = headings[i + 1].start() if i + 1 < len(headings) else len(body)
        title = heading.group(1)
        explicit = EXPLICIT_ANCHOR.search(title)
        if explicit:
            title = title[: explicit.start()].strip()
            anchor = explicit.group(1).strip()
        else:
            anchor = slugify(title)
        if not anchor or not SLUG.match(anchor):
            fp.add(f"section '{title}' has an invalid anchor {anchor!r}")
        section_body = body[heading.end() : end].strip()
        if not section_body:
            fp.add(f"section '{title}' is empty")
        sections.append(SectionData(title=title, anchor=anchor, body=section_body))
    anchors = [s.anchor for s in sections]
    for anchor in sorted({a for a in anchors if anchors.count(a) > 1}):
        fp.add(f"two sections have the anchor '{anchor}'")
    return sections


def parse_guide(path: Path, rel: str, problems: list[str]) -> GuideData | None:
    fp = FileProblems(rel, problems)
    try:
        meta, body = split_front_matter(path.read_text(encoding="utf-8"))
    except (ValueError, yaml.YAMLError, UnicodeDecodeError) as exc:
        fp.add(f"malformed file: {_short(exc)}")
        return None
    fp.unknown_fields(meta, GUIDE_FIELDS)
    number = meta.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 11:
        fp.add("'number' must be a whole number from 1 to 11")
        number = 0
    side = fp.text(meta, "side")
    if side and side not in SIDES:
        fp.add(f"'side' must be one of {', '.join(sorted(SIDES))}, not {side!r}")
    guide = GuideData(
        path=rel,
        number=number,
        slug=fp.slug(meta),
        title=fp.text(meta, "title"),
        purpose=fp.text(meta, "purpose"),
        summary=fp.text(meta, "summary"),
        plain_summary=fp.text(meta, "plain_summary"),
        side=side,
        tools=fp.slug_list(meta, "tools"),
        related_guides=fp.slug_list(meta, "related_guides"),
        sections=parse_sections(body, fp),
    )
    return None if fp.count else guide


def parse_tool(path: Path, rel: str, problems: list[str]) -> ToolData | None:
    fp = FileProblems(rel, problems)
    try:
        meta, body = split_front_matter(path.read_text(encoding="utf-8"))
    except (ValueError, yaml.YAMLError, UnicodeDecodeError) as exc:
        fp.add(f"malformed file: {_short(exc)}")
        return None
    fp.unknown_fields(meta, TOOL_FIELDS)
    tool = ToolData(
        path=rel,
        slug=fp.slug(meta),
        name=fp.text(meta, "name"),
        also_known_as=fp.text_list(meta, "also_known_as"),
        summary=fp.text(meta, "summary"),
        related_tools=fp.slug_list(meta, "related_tools"),
        body=body.strip(),
    )
    if not tool.body:
        fp.add("has no body text after the front matter")
    return None if fp.count else tool


def parse_terms(path: Path, rel: str, problems: list[str]) -> list[TermData]:
    fp = FileProblems(rel, problems)
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        fp.add(f"malformed file: {_short(exc)}")
        return []
    if entries is None:
        return []
    if not isinstance(entries, list):
        fp.add("must be a list of terms (each starting with '- term:')")
        return []
    terms = []
    for i, entry in enumerate(entries, start=1):
        label = entry.get("slug") or entry.get("term") if isinstance(entry, dict) else None
        item = FileProblems(f"{rel} (entry {i}{f', {label}' if label else ''})", problems)
        if not isinstance(entry, dict):
            item.add("must be a set of 'name: value' fields")
            continue
        item.unknown_fields(entry, TERM_FIELDS)
        term = TermData(
            path=rel,
            slug=item.slug(entry),
            term=item.text(entry, "term"),
            definition=item.text(entry, "definition"),
            plain=item.text_list(entry, "plain"),
            match=item.text_list(entry, "match"),
            related=item.slug_list(entry, "related"),
        )
        if not term.plain and "plain" in entry:
            item.add("'plain' needs at least one plain-language alternative")
        elif not term.plain:
            item.add("missing required field 'plain'")
        if not item.count:
            terms.append(term)
    return terms


def _short(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300]


# Checking and rendering -------------------------------------------------------------


def read_content(folder: Path) -> Content:
    """Parse, check and render everything in `folder`; raise ContentError on any problem."""
    folder = Path(folder)
    problems: list[str] = []
    if not folder.is_dir():
        raise ContentError([f"{folder}: content folder not found"])
    digest = hashlib.sha256()
    files = sorted(
        p
        for pattern in ("guides/*.md", "tools/*.md", "glossary/*.yaml", "glossary/*.yml")
        for p in folder.glob(pattern)
    )
    for path in files:
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")

    def rel(path: Path) -> str:
        return path.relative_to(folder.parent).as_posix()

    guides = [parse_guide(p, rel(p), problems) for p in files if p.parent.name == "guides"]
    tools = [parse_tool(p, rel(p), problems) for p in files if p.parent.name == "tools"]
    terms = [
        t for p in files if p.parent.name == "glossary" for t in parse_terms(p, rel(p), problems)
    ]
    content = Content(
        guides=sorted((g for g in guides if g), key=lambda g: g.number),
        tools=[t for t in tools if t],
        terms=terms,
        digest=digest.hexdigest(),
    )
    check_references(content, problems)
    if not problems:
        render_content(content, problems)
    if problems:
        raise ContentError(problems)
    return content


def _duplicates(items, key) -> dict[Any, list]:
    seen: dict[Any, list] = {}
    for item in items:
        seen.setdefault(key(item), []).append(item)
    return {k: v for k, v in seen.items() if len(v) > 1 and k not in ("", 0)}


def check_references(content: Content, problems: list[str]) -> None:
    for slug, items in _duplicates(content.guides, lambda g: g.slug).items():
        problems.append(f"duplicate guide slug '{slug}' in {', '.join(g.path for g in items)}")
    for number, items in _duplicates(content.guides, lambda g: g.number).items():
        problems.append(f"duplicate guide number {number} in {', '.join(g.path for g in items)}")
    for slug, items in _duplicates(content.tools, lambda t: t.slug).items():
        problems.append(f"duplicate tool slug '{slug}' in {', '.join(t.path for t in items)}")
    for slug, items in _duplicates(content.terms, lambda t: t.slug).items():
        problems.append(f"duplicate glossary slug '{slug}' in {', '.join(t.path for t in items)}")
    for guide in content.guides:
        expected = f"{guide.number:02d}-{guide.slug}.md"
        if not guide.path.endswith("/" + expected):
            problems.append(f"{guide.path}: file name should be '{expected}' (number and slug)")
    for tool in content.tools:
        if not tool.path.endswith(f"/{tool.slug}.md"):
            problems.append(f"{tool.path}: file name should be '{tool.slug}.md' to match its slug")
    guide_slugs = {g.slug for g in content.guides}
    tool_slugs = {t.slug for t in content.tools}
    term_slugs = {t.slug for t in content.terms}
    for guide in content.guides:
        for slug in guide.tools:
            if slug not in tool_slugs:
                problems.append(f"{guide.path}: unknown tool '{slug}' in 'tools'")
        for slug in guide.related_guides:
            if slug not in guide_slugs:
                problems.append(f"{guide.path}: unknown guide '{slug}' in 'related_guides'")
            elif slug == guide.slug:
                problems.append(f"{guide.path}: a guide cannot be related to itself")
    for tool in content.tools:
        for slug in tool.related_tools:
            if slug not in tool_slugs:
                problems.append(f"{tool.path}: unknown tool '{slug}' in 'related_tools'")
    forms: dict[str, str] = {}
    for term in content.terms:
        for slug in term.related:
            if slug not in term_slugs:
                problems.append(f"{term.path}: term '{term.slug}' relates to unknown term '{slug}'")
        for form in {term.term, *term.match}:
            key = form if markup.is_abbreviation(form) else form.casefold()
            other = forms.setdefault(key, term.slug)
            if other != term.slug:
                problems.append(
                    f"{term.path}: '{form}' is a match form of both '{other}' and '{term.slug}'"
                )


def content_urls(content: Content) -> markup.Resolver:
    anchors = {g.slug: {s.anchor for s in g.sections} for g in content.guides}
    tools = {t.slug for t in content.tools}
    terms = {t.slug for t in content.terms}

    def resolve(kind: str, slug: str, anchor: str) -> str | None:
        if kind == "guide" and slug in anchors and (not anchor or anchor in anchors[slug]):
            url = reverse("guides:guide", args=[slug])
            return f"{url}#{anchor}" if anchor else url
        if kind == "tool" and slug in tools and not anchor:
            return reverse("guides:tool", args=[slug])
        if kind == "term" and slug in terms and not anchor:
            return reverse("guides:term", args=[slug])
        return None

    return resolve


def render_content(content: Content, problems: list[str]) -> None:
    resolve = content_urls(content)
    glossary = markup.Glossary(
        markup.TermEntry(
            slug=t.slug,
            term=t.term,
            definition=t.definition,
            forms=tuple(t.match),
            url=reverse("guides:term", args=[t.slug]),
        )
        for t in content.terms
    )
    for guide in content.guides:
        seen: set[str] = set()
        for section in guide.sections:
            rendered = markup.render(
                section.body,
                resolve=resolve,
                glossary=glossary,
                seen_terms=seen,
                id_prefix=f"{section.anchor}-",
            )
            section.html, section.text = rendered.html, rendered.text
            for link in rendered.broken_links:
                problems.append(f"{guide.path}: section '{section.title}' links to unknown {link}")
        guide.terms = seen
    for tool in content.tools:
        rendered = markup.render(tool.body, resolve=resolve, glossary=glossary)
        tool.html, tool.text, tool.terms = rendered.html, rendered.text, rendered.terms
        for link in rendered.broken_links:
            problems.append(f"{tool.path}: links to unknown {link}")


# Loading ----------------------------------------------------------------------------


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    version: str = ""
    # What happened to user data, e.g. local examples that lost a link to a removed tool.
    notes: list[str] = field(default_factory=list)

    def count(self, what: dict[str, int], kind: str, n: int = 1) -> None:
        what[kind] = what.get(kind, 0) + n

    @property
    def changed(self) -> bool:
        return any((self.created, self.updated, self.deleted))

    def __str__(self) -> str:
        if not self.changed:
            return "No changes: the database already matches the content files."
        lines = []
        for label, what in (("Created", self.created), ("Updated", self.updated),
                            ("Deleted", self.deleted)):  # fmt: skip
            if what:
                lines.append(f"{label}: " + ", ".join(f"{n} {k}" for k, n in sorted(what.items())))
        lines.extend(self.notes)
        return "\n".join(lines)


def _upsert(model, lookup: dict, values: dict, report: LoadReport, kind: str):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        report.count(report.created, kind)
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        report.count(report.updated, kind)
    return obj


def _set_m2m(manager, wanted: list, report: LoadReport, kind: str) -> None:
    if {o.pk for o in manager.all()} != {o.pk for o in wanted}:
        manager.set(wanted)
        report.count(report.updated, kind)


def _keep_local_examples(content: Content, report: LoadReport) -> None:
    """Local examples are never deleted by a load. A guide that has examples cannot be
    removed (ContentError, nothing changes); a removed or renamed tool is unlinked from
    its examples, which stay, and the report says which."""
    from .models import LocalExample, Tool

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
    tool_slugs = [t.slug for t in content.tools]
    for tool in Tool.objects.exclude(slug__in=tool_slugs).filter(examples__isnull=False).distinct():
        titles = [f"#{pk} “{title}”" for pk, title in tool.examples.values_list("pk", "title")]
        report.notes.append(
            f"Tool '{tool.slug}' ({tool.name}) was removed: {len(titles)} local "
            f"example{'s' if len(titles) != 1 else ''} lost their link to it and "
            f"{'were' if len(titles) != 1 else 'was'} kept: {', '.join(titles)}."
        )


def _delete_missing(queryset: models.QuerySet, report: LoadReport, kind: str) -> None:
    n = queryset.count()
    if n:
        queryset.delete()
        report.count(report.deleted, kind, n)


def load_content(folder: Path, *, dry_run: bool = False) -> LoadReport:
    """Load the content folder into the database, all or nothing."""
    return apply_content(read_content(folder), dry_run=dry_run)


def apply_content(content: Content, *, dry_run: bool = False) -> LoadReport:
    """Write checked content to the database in one transaction (see load_content)."""
    from . import caching, search
    from .models import (
        ContentVersion,
        GlossaryTerm,
        Guide,
        GuideTool,
        SearchDocument,
        Section,
        Tool,
    )

    report = LoadReport()
    with transaction.atomic():
        _keep_local_examples(content, report)
        # Numbers are unique: park the numbers of guides that move so a swap cannot clash.
        moving = [
            g.slug for g in content.guides
            if Guide.objects.filter(slug=g.slug).exclude(number=g.number).exists()
        ]  # fmt: skip
        for i, slug in enumerate(moving):
            Guide.objects.filter(slug=slug).update(number=1000 + i)
        _delete_missing(
            Guide.objects.exclude(slug__in=[g.slug for g in content.guides]), report, "guides"
        )
        guides = {}
        for g in content.guides:
            guides[g.slug] = _upsert(
                Guide,
                {"slug": g.slug},
                {
                    "number": g.number,
                    "title": g.title,
                    "purpose": g.purpose,
                    "summary": g.summary,
                    "plain_summary": g.plain_summary,
                    "side": g.side,
                },
                report,
                "guides",
            )
        tools = {}
        _delete_missing(
            Tool.objects.exclude(slug__in=[t.slug for t in content.tools]), report, "tools"
        )
        for t in content.tools:
            tools[t.slug] = _upsert(
                Tool,
                {"slug": t.slug},
                {
                    "name": t.name,
                    "also_known_as": t.also_known_as,
                    "summary": t.summary,
                    "body": t.body,
                    "html": t.html,
                    "text": t.text,
                },
                report,
                "tools",
            )
        for t in content.tools:
            _set_m2m(tools[t.slug].related_tools, [tools[s] for s in t.related_tools], report,
                     "tool links")  # fmt: skip
        for g in content.guides:
            guide = guides[g.slug]
            _set_m2m(guide.related_guides, [guides[s] for s in g.related_guides], report,
                     "guide links")  # fmt: skip
            _sync_guide_tools(guide, [tools[s] for s in g.tools], report, GuideTool)
            _sync_sections(guide, g.sections, report, Section)
        terms = {}
        _delete_missing(
            GlossaryTerm.objects.exclude(slug__in=[t.slug for t in content.terms]),
            report,
            "glossary terms",
        )
        for t in content.terms:
            terms[t.slug] = _upsert(
                GlossaryTerm,
                {"slug": t.slug},
                {
                    "term": t.term,
                    "definition": t.definition,
                    "plain_alternatives": t.plain,
                    "match_forms": t.match,
                },
                report,
                "glossary terms",
            )
        used_in_guides: dict[str, list] = {s: [] for s in terms}
        used_in_tools: dict[str, list] = {s: [] for s in terms}
        for g in content.guides:
            for slug in g.terms:
                used_in_guides[slug].append(guides[g.slug])
        for t in content.tools:
            for slug in t.terms:
                used_in_tools[slug].append(tools[t.slug])
        for t in content.terms:
            term = terms[t.slug]
            _set_m2m(term.related_terms, [terms[s] for s in t.related], report, "term links")
            _set_m2m(term.used_in_guides, used_in_guides[t.slug], report, "term links")
            _set_m2m(term.used_in_tools, used_in_tools[t.slug], report, "term links")
        latest = ContentVersion.objects.first()
        if report.changed or not SearchDocument.objects.exclude(kind="example").exists():
            search.reindex_content()
        if report.changed or latest is None or latest.digest != content.digest:
            latest = ContentVersion.objects.create(digest=content.digest, summary=str(report))
        if report.changed:
            caching.changed()
        report.version = latest.label
        if dry_run:
            transaction.set_rollback(True)
    return report


def _sync_guide_tools(guide, wanted: list, report: LoadReport, GuideTool) -> None:
    current = list(GuideTool.objects.filter(guide=guide).order_by("order"))
    if [(gt.tool_id, gt.order) for gt in current] == [(t.pk, i) for i, t in enumerate(wanted)]:
        return
    GuideTool.objects.filter(guide=guide).delete()
    GuideTool.objects.bulk_create(
        GuideTool(guide=guide, tool=tool, order=i) for i, tool in enumerate(wanted)
    )
    report.count(report.updated, "guide tool lists")


def _sync_sections(guide, wanted: list[SectionData], report: LoadReport, Section) -> None:
    _delete_missing(
        Section.objects.filter(guide=guide).exclude(anchor__in=[s.anchor for s in wanted]),
        report,
        "sections",
    )
    for order, s in enumerate(wanted):
        _upsert(
            Section,
            {"guide": guide, "anchor": s.anchor},
            {"order": order, "title": s.title, "body": s.body, "html": s.html, "text": s.text},
            report,
            "sections",
        )
