"""Checking and rendering: every cross-reference resolved, every file's Markdown made
into HTML once, through guides.library.markup."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from django.urls import reverse

from guides.library import markup
from guides.library.content.finder import check_finder, parse_finder, read_worksheets
from guides.library.content.parse import (
    Content,
    ContentError,
    parse_guide,
    parse_terms,
    parse_tool,
)
from guides.library.content.steps import split_steps
from guides.library.links import links_resolver

T = TypeVar("T")


def read_content(folder: Path) -> Content:
    """Parse, check and render everything in `folder`; raise ContentError on any problem."""
    folder = Path(folder)
    problems: list[str] = []
    if not folder.is_dir():
        raise ContentError([f"{folder}: content folder not found"])
    digest = hashlib.sha256()
    files = sorted(
        p
        for pattern in (
            "guides/*.md",
            "tools/*.md",
            "glossary/*.yaml",
            "glossary/*.yml",
            "finder.yaml",
            "templates/*.yaml",
            "templates/*.yml",
        )  # fmt: skip
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
        finder=parse_finder(folder, problems),
    )
    read_worksheets(folder, content, problems)
    check_references(content, problems)
    check_finder(content, problems)
    if not problems:
        render_content(content, problems)
    if problems:
        raise ContentError(problems)
    return content


def _duplicates(items: Iterable[T], key: Callable[[T], Hashable]) -> dict[Any, list[T]]:
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
    """Where the internal links of these files point (checked before anything is written)."""
    return links_resolver(
        {g.slug: {s.anchor for s in g.sections} for g in content.guides},
        tools={t.slug for t in content.tools},
        terms={t.slug for t in content.terms},
    )


def render_content(content: Content, problems: list[str]) -> None:
    resolve = content_urls(content)
    glossary = markup.Glossary(
        markup.TermEntry(
            slug=t.slug,
            term=t.term,
            definition=t.definition,
            forms=tuple(t.match),
            url=reverse("library:term", args=[t.slug]),
        )
        for t in content.terms
    )
    for guide in content.guides:
        seen: set[str] = set()
        for section in guide.sections:
            try:
                rendered = markup.render(
                    section.body,
                    resolve=resolve,
                    # A list of sources: no term tooltips inside citations.
                    glossary=markup.glossary_for_part(section.title, glossary),
                    seen_terms=seen,
                    id_prefix=f"{section.anchor}-",
                )
            except markup.MarkupError as problem:
                problems.append(f"{guide.path}: section '{section.title}': {problem}")
                continue
            section.html, section.text = rendered.html, rendered.text
            for link in rendered.broken_links:
                problems.append(f"{guide.path}: section '{section.title}' links to unknown {link}")
        guide.terms = seen
    for tool in content.tools:
        try:
            rendered = markup.render(tool.body, resolve=resolve, glossary=glossary)
        except markup.MarkupError as problem:
            problems.append(f"{tool.path}: {problem}")
            continue
        tool.html, tool.text, tool.terms = rendered.html, rendered.text, rendered.terms
        split = split_steps(rendered.html)
        if split:
            tool.html = split.html
            tool.steps = [step.as_json() for step in split.steps]
            tool.steps_before_html, tool.steps_after_html = split.before_html, split.after_html
            problems.extend(f"{tool.path}: {problem}" for problem in split.problems)
        for link in rendered.broken_links:
            problems.append(f"{tool.path}: links to unknown {link}")
