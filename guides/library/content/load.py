"""Loading checked content into the database in one transaction: rows updated in place
by natural key, content whose file went deleted, user data never touched. One function
per model, in the order the links between them need.

Other apps react through the signals in guides.core.signals, sent inside the
transaction: `content_loading` before anything is written (the examples app refuses a
load that would strand local examples), `content_loaded` after (search rebuilds its
index, the page cache moves on, staff text is re-rendered when the glossary changed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from django.db import models, transaction

from guides.core.signals import content_loaded, content_loading
from guides.library.content.check import read_content
from guides.library.content.parse import Content, GuideData, SectionData, TermData, ToolData
from guides.library.models import (
    ContentVersion,
    FinderChoice,
    GlossaryTerm,
    Guide,
    GuideTool,
    Problem,
    Section,
    Tool,
)

M = TypeVar("M", bound=models.Model)


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

    def touched(self, kind: str) -> bool:
        return any(kind in what for what in (self.created, self.updated, self.deleted))

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


def load_content(folder: Path, *, dry_run: bool = False) -> LoadReport:
    """Load the content folder into the database, all or nothing."""
    return apply_content(read_content(folder), dry_run=dry_run)


def apply_content(content: Content, *, dry_run: bool = False) -> LoadReport:
    """Write checked content to the database in one transaction (see load_content)."""
    report = LoadReport()
    with transaction.atomic():
        content_loading.send(sender=Content, content=content, report=report)
        guides = apply_guides(content.guides, report)
        tools = apply_tools(content.tools, report, content)
        apply_guide_links(content.guides, guides, tools, report)
        apply_terms(content, guides, tools, report)
        apply_finder(content, report)
        latest = ContentVersion.objects.first()
        if report.changed or latest is None or latest.digest != content.digest:
            latest = ContentVersion.objects.create(digest=content.digest, summary=str(report))
        report.version = latest.label
        content_loaded.send(
            sender=Content,
            report=report,
            glossary_changed=report.touched("glossary terms"),
        )
        if dry_run:
            transaction.set_rollback(True)
    return report


def apply_guides(wanted: list[GuideData], report: LoadReport) -> dict[str, Guide]:
    # Numbers are unique: park the numbers of guides that move so a swap cannot clash.
    moving = [
        g.slug for g in wanted
        if Guide.objects.filter(slug=g.slug).exclude(number=g.number).exists()
    ]  # fmt: skip
    for i, slug in enumerate(moving):
        Guide.objects.filter(slug=slug).update(number=1000 + i)
    _delete_missing(Guide.objects.exclude(slug__in=[g.slug for g in wanted]), report, "guides")
    return {
        g.slug: _upsert(
            Guide,
            {"slug": g.slug},
            {
                "number": g.number,
                "title": g.title,
                "purpose": g.purpose,
                "summary": g.summary,
                "plain_summary": g.plain_summary,
                "side": g.side,
                "last_reviewed": g.last_reviewed,
                "review_due": g.review_due,
                "questions": g.questions,
            },
            report,
            "guides",
        )
        for g in wanted
    }


def apply_tools(
    wanted: list[ToolData], report: LoadReport, content: Content | None = None
) -> dict[str, Tool]:
    names = {("tool", t.slug): t.name for t in wanted}
    finder = content.finder if content else None
    names |= {(c.group, c.slug): c.name for c in (finder.choices if finder else [])}
    _delete_missing(Tool.objects.exclude(slug__in=[t.slug for t in wanted]), report, "tools")
    tools = {
        t.slug: _upsert(
            Tool,
            {"slug": t.slug},
            {
                "name": t.name,
                "also_known_as": t.also_known_as,
                "questions": t.questions,
                "summary": t.summary,
                "body": t.body,
                "html": t.html,
                "text": t.text,
                "steps": t.steps,
                "steps_before_html": t.steps_before_html,
                "steps_after_html": t.steps_after_html,
                "last_reviewed": t.last_reviewed,
                "review_due": t.review_due,
                **_facts(t, names),
            },
            report,
            "tools",
        )
        for t in wanted
    }
    for t in wanted:
        _set_m2m(tools[t.slug].related_tools, [tools[s] for s in t.related_tools], report,
                 "tool links")  # fmt: skip
    return tools


def _facts(t: ToolData, names: dict[tuple[str, str], str]) -> dict:
    f = t.facts
    if f is None:
        box = {}
    else:
        box = {
            "stages": [[s, names[("stage", s)]] for s in f.stages],
            "time": names[("time", f.time)],
            "people": names[("people", f.people)],
            "needs": f.needs,
            "difficulty": names[("difficulty", f.difficulty)],
            "next": [[s, names[("tool", s)]] for s in f.next],
        }
    return {
        "facts_box": box,
        "stages": f.stages if f else [],
        "time": f.time if f else "",
        "people": f.people if f else "",
        "needs": f.needs if f else [],
        "difficulty": f.difficulty if f else "",
        "next_tools": f.next if f else [],
        "worksheet": t.worksheet,
    }


def apply_finder(content: Content, report: LoadReport) -> None:
    """finder.yaml: the choices (stages, times, people, difficulty) and the problems."""
    finder = content.finder
    choices = finder.choices if finder else []
    wanted = {(c.group, c.slug) for c in choices}
    stale = [c.pk for c in FinderChoice.objects.all() if (c.group, c.slug) not in wanted]
    _delete_missing(FinderChoice.objects.filter(pk__in=stale), report, "finder choices")
    for order, c in enumerate(choices):
        _upsert(
            FinderChoice,
            {"group": c.group, "slug": c.slug},
            {"name": c.name, "purpose": c.purpose, "order": order},
            report,
            "finder choices",
        )
    problems = finder.problems if finder else []
    _delete_missing(
        Problem.objects.exclude(slug__in=[p.slug for p in problems]), report, "problems"
    )
    sections = {
        (s.guide.slug, s.anchor): s
        for s in Section.objects.select_related("guide").only("guide__slug", "anchor")
    }
    for order, p in enumerate(problems):
        _upsert(
            Problem,
            {"slug": p.slug},
            {
                "text": p.text,
                "order": order,
                "tools": p.tools,
                "section": sections.get((p.guide, p.anchor)),
            },
            report,
            "problems",
        )


def apply_guide_links(
    wanted: list[GuideData], guides: dict[str, Guide], tools: dict[str, Tool], report: LoadReport
) -> None:
    """Each guide's related guides, its ordered tools and its sections."""
    for g in wanted:
        guide = guides[g.slug]
        _set_m2m(guide.related_guides, [guides[s] for s in g.related_guides], report,
                 "guide links")  # fmt: skip
        apply_guide_tools(guide, [tools[s] for s in g.tools], report)
        apply_sections(guide, g.sections, report)


def apply_guide_tools(guide: Guide, wanted: list[Tool], report: LoadReport) -> None:
    current = list(GuideTool.objects.filter(guide=guide).order_by("order"))
    if [(gt.tool_id, gt.order) for gt in current] == [(t.pk, i) for i, t in enumerate(wanted)]:
        return
    GuideTool.objects.filter(guide=guide).delete()
    GuideTool.objects.bulk_create(
        GuideTool(guide=guide, tool=tool, order=i) for i, tool in enumerate(wanted)
    )
    report.count(report.updated, "guide tool lists")


def apply_sections(guide: Guide, wanted: list[SectionData], report: LoadReport) -> None:
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


def apply_terms(
    content: Content, guides: dict[str, Guide], tools: dict[str, Tool], report: LoadReport
) -> dict[str, GlossaryTerm]:
    """The glossary, its links between terms, and where each term is used."""
    wanted: list[TermData] = content.terms
    _delete_missing(
        GlossaryTerm.objects.exclude(slug__in=[t.slug for t in wanted]), report, "glossary terms"
    )
    terms = {
        t.slug: _upsert(
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
        for t in wanted
    }
    used_in_guides: dict[str, list] = {s: [] for s in terms}
    used_in_tools: dict[str, list] = {s: [] for s in terms}
    for g in content.guides:
        for slug in g.terms:
            used_in_guides[slug].append(guides[g.slug])
    for t in content.tools:
        for slug in t.terms:
            used_in_tools[slug].append(tools[t.slug])
    for t in wanted:
        term = terms[t.slug]
        _set_m2m(term.related_terms, [terms[s] for s in t.related], report, "term links")
        _set_m2m(term.used_in_guides, used_in_guides[t.slug], report, "term links")
        _set_m2m(term.used_in_tools, used_in_tools[t.slug], report, "term links")
    return terms


def _upsert(model: type[M], lookup: dict, values: dict, report: LoadReport, kind: str) -> M:
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


def _set_m2m(manager: models.Manager, wanted: list, report: LoadReport, kind: str) -> None:
    if {o.pk for o in manager.all()} != {o.pk for o in wanted}:
        manager.set(wanted)
        report.count(report.updated, kind)


def _delete_missing(queryset: models.QuerySet, report: LoadReport, kind: str) -> None:
    n = queryset.count()
    if n:
        queryset.delete()
        report.count(report.deleted, kind, n)
