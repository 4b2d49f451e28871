"""What a handout prints: the `Handout` with its items and their blocks, and the glossary
appendix. guides/training/handouts/build.py fills one from the library; pdf.py prints it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from guides.library.models import ContentVersion
from guides.library.worksheets import Sheet
from guides.training.models import format_minutes, over_time

TRAINER, PARTICIPANT = "trainer", "participant"
EDITIONS = {TRAINER: "Trainer's edition", PARTICIPANT: "Participant's edition"}
# A printed copy goes out of date: the footer says when to check it against the site. A
# guide or tool handout uses the content's own review dates; a module, whose items have
# their own dates, by the soonest of them or this long after printing, whichever comes first.
REVIEW_MONTHS = 12


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
    toc_title: str = ""  # its line in the contents, when not its title alone
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
    worksheet: Sheet | None = None  # a tool's template, printed in full

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
    last_reviewed: date | None = None  # from the guide's or tool's front matter
    review_due: date | None = None

    @property
    def review_by(self) -> date:
        return self.review_due or add_months(self.printed_on, REVIEW_MONTHS)

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
    def has_worksheets(self) -> bool:
        """Tools' templates are printed: the handout needs their stylesheet too."""
        return any(item.worksheet for item in self.items)

    @property
    def over_time(self) -> str:
        return over_time(self.planned_minutes, self.duration) if self.for_trainer else ""

    @property
    def contents(self) -> list[tuple[HandoutItem, str]]:
        """Each item with its line in the contents; never the same line twice."""
        lines, seen = [], {}
        for item in self.items:
            line = item.toc_title or item.title or item.kind_label
            seen[line] = seen.get(line, 0) + 1
            lines.append((item, line if seen[line] == 1 else f"{line} ({seen[line]})"))
        return lines

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


def version_label(latest: ContentVersion | None) -> str:
    return latest.label if latest else "not recorded"
