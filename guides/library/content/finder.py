"""The tool finder's content: `finder.yaml` (the stages of a piece of work, the choices
for time, people and difficulty, and the common problems in users' words), the facts in
each tool's front matter checked against it, and each tool's template
(`templates/<tool>.yaml`, guides.library.worksheets). Every problem is reported with its
file; nothing here touches the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.utils.text import slugify

from guides.library.content.parse import SLUG, Content, FileProblems, _short
from guides.library.worksheets.spec import check_worksheet

FINDER_FILE = "finder.yaml"
CHOICE_GROUPS = {
    "stages": "stage",
    "times": "time",
    "people": "people",
    "difficulty": "difficulty",
}
FINDER_FIELDS = set(CHOICE_GROUPS) | {"problems"}
PROBLEM_FIELDS = {"problem", "slug", "tools", "section"}
MIN_TOOLS, MAX_TOOLS = 2, 4


@dataclass
class ChoiceData:
    group: str  # stage, time, people or difficulty
    slug: str
    name: str
    purpose: str = ""


@dataclass
class ProblemData:
    slug: str
    text: str
    tools: list[str]
    guide: str
    anchor: str


@dataclass
class FinderData:
    path: str
    choices: list[ChoiceData] = field(default_factory=list)
    problems: list[ProblemData] = field(default_factory=list)

    def slugs(self, group: str) -> list[str]:
        return [c.slug for c in self.choices if c.group == group]


def parse_finder(folder: Path, problems: list[str]) -> FinderData | None:
    path = folder / FINDER_FILE
    rel = path.relative_to(folder.parent).as_posix()
    fp = FileProblems(rel, problems)
    if not path.is_file():
        fp.add("file not found: it lists the stages, choices and problems of the tool finder")
        return None
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        fp.add(f"malformed file: {_short(exc)}")
        return None
    if not isinstance(raw, dict):
        fp.add("must be a set of 'name: value' fields (stages, times, people, ...)")
        return None
    fp.unknown_fields(raw, FINDER_FIELDS)
    finder = FinderData(path=rel)
    for key, group in CHOICE_GROUPS.items():
        entries = raw.get(key)
        if not isinstance(entries, list) or not entries:
            fp.add(f"'{key}' must be a list of choices, each with a slug and a name")
            continue
        seen: set[str] = set()
        for i, entry in enumerate(entries, start=1):
            item = FileProblems(f"{rel} ({key} {i})", problems)
            if not isinstance(entry, dict):
                item.add("must be a set of 'name: value' fields (slug, name)")
                continue
            item.unknown_fields(entry, {"slug", "name", "purpose"})
            choice = ChoiceData(
                group=group,
                slug=item.slug(entry),
                name=item.text(entry, "name"),
                purpose=item.text(entry, "purpose", required=group == "stage"),
            )
            if choice.slug in seen:
                item.add(f"the slug '{choice.slug}' is used twice")
            seen.add(choice.slug)
            fp.count += item.count
            if not item.count:
                finder.choices.append(choice)
    entries = raw.get("problems") or []
    if not isinstance(entries, list):
        fp.add("'problems' must be a list")
        entries = []
    for i, entry in enumerate(entries, start=1):
        item = FileProblems(f"{rel} (problem {i})", problems)
        if not isinstance(entry, dict):
            item.add("must be a set of 'name: value' fields (problem, tools, section)")
            fp.count += 1
            continue
        item.unknown_fields(entry, PROBLEM_FIELDS)
        text = item.text(entry, "problem")
        slug = entry.get("slug") or slugify(text)[:80].strip("-")
        if not SLUG.match(str(slug)):
            item.add(f"slug {slug!r} must be lowercase letters, digits and hyphens")
        tools = item.slug_list(entry, "tools")
        if not MIN_TOOLS <= len(tools) <= MAX_TOOLS:
            item.add(f"'tools' must list {MIN_TOOLS} to {MAX_TOOLS} tools, not {len(tools)}")
        section = item.text(entry, "section")
        guide, _, anchor = section.partition("#")
        if section and not (guide and anchor):
            item.add(f"'section' must be guide-slug#section-anchor, not {section!r}")
        fp.count += item.count
        if not item.count:
            finder.problems.append(ProblemData(str(slug), text, tools, guide, anchor))
    slugs = [p.slug for p in finder.problems]
    for slug in sorted({s for s in slugs if slugs.count(s) > 1}):
        fp.add(f"two problems have the slug '{slug}' (give one a 'slug')")
    return None if fp.count else finder


def check_finder(content: Content, problems: list[str]) -> None:
    """Facts name known stages, choices and tools; problems name known tools and guide
    sections."""
    finder: FinderData | None = content.finder
    if finder is None:
        return
    tool_slugs = {t.slug for t in content.tools}
    sections = {g.slug: {s.anchor for s in g.sections} for g in content.guides}
    allowed = {group: finder.slugs(group) for group in CHOICE_GROUPS.values()}
    for tool in content.tools:
        facts = tool.facts
        if facts is None:
            continue
        for stage in facts.stages:
            if stage not in allowed["stage"]:
                problems.append(
                    f"{tool.path}: unknown stage '{stage}' in 'facts.stages' (expected one "
                    f"of: {', '.join(allowed['stage'])})"
                )
        for group, value in (("time", facts.time), ("people", facts.people),
                             ("difficulty", facts.difficulty)):  # fmt: skip
            if value not in allowed[group]:
                problems.append(
                    f"{tool.path}: unknown {group} '{value}' in 'facts.{group}' (expected one "
                    f"of: {', '.join(allowed[group])})"
                )
        for slug in facts.next:
            if slug not in tool_slugs:
                problems.append(f"{tool.path}: unknown tool '{slug}' in 'facts.next'")
            elif slug == tool.slug:
                problems.append(f"{tool.path}: 'facts.next' cannot name the tool itself")
    for number, problem in enumerate(finder.problems, start=1):
        where = f"{finder.path} (problem {number}, {problem.slug})"
        for slug in problem.tools:
            if slug not in tool_slugs:
                problems.append(f"{where}: unknown tool '{slug}' in 'tools'")
        if problem.guide and problem.guide not in sections:
            problems.append(f"{where}: unknown guide '{problem.guide}' in 'section'")
        elif problem.guide and problem.anchor not in sections[problem.guide]:
            problems.append(f"{where}: guide '{problem.guide}' has no section '{problem.anchor}'")


def read_worksheets(folder: Path, content: Content, problems: list[str]) -> None:
    """templates/<tool-slug>.yaml: one structured template per tool, at most."""
    tools = {t.slug: t for t in content.tools}
    for path in sorted((folder / "templates").glob("*.y*ml")):
        rel = path.relative_to(folder.parent).as_posix()
        fp = FileProblems(rel, problems)
        tool = tools.get(path.stem)
        if tool is None:
            fp.add(f"no tool has the slug '{path.stem}' (name the file after its tool)")
            continue
        try:
            raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            fp.add(f"malformed file: {_short(exc)}")
            continue
        tool.worksheet = check_worksheet(raw, fp)
