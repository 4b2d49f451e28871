"""Parsing the content files: front matter, fields and sections, each problem reported
with its file. Nothing here touches the database."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from django.utils.text import slugify

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SECTION_HEADING = re.compile(r"^##(?!#)\s+(.+?)\s*$", re.MULTILINE)
EXPLICIT_ANCHOR = re.compile(r"\s*\{#([^}]*)\}\s*$")
SIDES = {"systems", "people"}
QUESTION_MAX = 150


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
    questions: list[str]
    tools: list[str]
    related_guides: list[str]
    sections: list[SectionData]
    last_reviewed: date | None = None
    review_due: date | None = None
    terms: set[str] = field(default_factory=set)


@dataclass
class ToolData:
    path: str
    slug: str
    name: str
    also_known_as: list[str]
    questions: list[str]
    summary: str
    related_tools: list[str]
    body: str
    last_reviewed: date | None = None
    review_due: date | None = None
    html: str = ""
    text: str = ""
    terms: set[str] = field(default_factory=set)
    # The "Steps" section's numbered list, split out on render (content/steps.py).
    steps: list[dict] = field(default_factory=list)
    steps_before_html: str = ""
    steps_after_html: str = ""
    facts: FactsData | None = None
    worksheet: dict | None = None  # from templates/<slug>.yaml (guides.library.worksheets)


@dataclass
class FactsData:
    """What the tool finder and the facts box know about a tool (checked against the
    stages and choices in finder.yaml by content/finder.py)."""

    stages: list[str]
    time: str
    people: str
    needs: list[str]
    difficulty: str
    next: list[str]


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
    finder: Any = None  # content.finder.FinderData, from finder.yaml


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

    def questions(self, meta: dict, name: str = "questions") -> list[str]:
        """The questions and phrases people use for a page, in everyday words: a list of
        short, distinct lines of text (search matches them as phrases)."""
        value = meta.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(f"'{name}' must be a list of questions or phrases, each in quotes")
            return []
        questions = [" ".join(v.split()) for v in value]
        for i, question in enumerate(questions, start=1):
            if not question:
                self.add(f"'{name}' item {i} is empty")
            elif len(question) > QUESTION_MAX:
                self.add(f"'{name}' item {i} is longer than {QUESTION_MAX} characters")
        folded = [q.casefold().rstrip("?!. ") for q in questions]
        for question in sorted({q for q in folded if q and folded.count(q) > 1}):
            self.add(f"'{name}' lists the question {question!r} twice")
        return [q for q in questions if q]

    def slug(self, meta: dict, name: str = "slug") -> str:
        value = self.text(meta, name)
        if value and not SLUG.match(value):
            self.add(f"'{name}' {value!r} must be lowercase letters, digits and hyphens")
        return value

    def day(self, meta: dict, name: str) -> date | None:
        """A required date, written YYYY-MM-DD (YAML reads it as a date; a quoted one is
        accepted too)."""
        value = meta.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            self.add(f"missing required field '{name}' (a date written YYYY-MM-DD)")
            return None
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", value.strip()):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.add(f"'{name}' must be a date written YYYY-MM-DD, not {str(value)[:40]!r}")
        return None

    def review_dates(self, meta: dict) -> tuple[date | None, date | None]:
        """When the content was last checked, and when it is next due a check."""
        reviewed, due = self.day(meta, "last_reviewed"), self.day(meta, "review_due")
        if reviewed and due and due <= reviewed:
            self.add(
                f"'review_due' ({due.isoformat()}) must be later than "
                f"'last_reviewed' ({reviewed.isoformat()})"
            )
        return reviewed, due

    def unknown_fields(self, meta: dict, known: set[str]) -> None:
        for name in sorted(set(meta) - known):
            self.add(f"unknown field '{name}' (expected one of: {', '.join(sorted(known))})")


GUIDE_FIELDS = {
    "number", "slug", "title", "purpose", "summary", "plain_summary", "side", "questions",
    "tools", "related_guides",
}  # fmt: skip
TOOL_FIELDS = {
    "slug", "name", "also_known_as", "questions", "summary", "related_tools", "facts",
}  # fmt: skip
FACT_FIELDS = {"stages", "time", "people", "needs", "difficulty", "next"}
REVIEW_FIELDS = {"last_reviewed", "review_due"}  # required dates on every guide and tool
GUIDE_FIELDS |= REVIEW_FIELDS
TOOL_FIELDS |= REVIEW_FIELDS
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
        questions=fp.questions(meta),
        tools=fp.slug_list(meta, "tools"),
        related_guides=fp.slug_list(meta, "related_guides"),
        sections=parse_sections(body, fp),
    )
    guide.last_reviewed, guide.review_due = fp.review_dates(meta)
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
        questions=fp.questions(meta),
        summary=fp.text(meta, "summary"),
        related_tools=fp.slug_list(meta, "related_tools"),
        body=body.strip(),
        facts=parse_facts(meta, fp),
    )
    tool.last_reviewed, tool.review_due = fp.review_dates(meta)
    if not tool.body:
        fp.add("has no body text after the front matter")
    return None if fp.count else tool


def parse_facts(meta: dict, fp: FileProblems) -> FactsData | None:
    """The `facts:` block: stages, time, people, needs, difficulty and next, all required."""
    facts = meta.get("facts")
    if facts is None:
        fp.add(f"missing required field 'facts' (with {', '.join(sorted(FACT_FIELDS))})")
        return None
    if not isinstance(facts, dict):
        fp.add("'facts' must be a set of 'name: value' fields")
        return None
    before = fp.count
    for name in sorted(set(facts) - FACT_FIELDS):
        fp.add(f"unknown field 'facts.{name}' (expected one of: {', '.join(sorted(FACT_FIELDS))})")
    for name in sorted(FACT_FIELDS - set(facts)):
        fp.add(f"missing required field 'facts.{name}'")
    if fp.count > before:
        return None
    data = FactsData(
        stages=fp.slug_list(facts, "stages"),
        time=fp.text(facts, "time"),
        people=fp.text(facts, "people"),
        needs=fp.text_list(facts, "needs"),
        difficulty=fp.text(facts, "difficulty"),
        next=fp.slug_list(facts, "next"),
    )
    if not data.stages and fp.count == before:
        fp.add("'facts.stages' needs at least one stage")
    if not data.needs and fp.count == before:
        fp.add("'facts.needs' needs at least one thing (paper, data, a room, ...)")
    return None if fp.count > before else data


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
