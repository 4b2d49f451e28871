"""Search across the library.

A first, simple implementation: it matches every word of the query (case-insensitively)
against titles and text, and widens the query with glossary terms whose plain-language
alternatives the query contains ("running a pilot" also finds PDSA). Issue 4 replaces
the matching with full-text engines (PostgreSQL FTS, SQLite FTS5) behind this same
`search()` function and result shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Q

from .models import GlossaryTerm, Guide, Section, Tool

MAX_QUERY_LENGTH = 200
WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class Result:
    type: str
    title: str
    url: str
    guides: list[str]
    snippet: str
    score: float


@dataclass
class Results:
    query: str
    results: list[Result] = field(default_factory=list)
    expanded_with: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.results)


def _words_q(words: list[str], fields: list[str]) -> Q:
    q = Q()
    for word in words:
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        q &= any_field
    return q


def _snippet(text: str, words: list[str], width: int = 200) -> str:
    lowered = text.lower()
    positions = [lowered.find(w.lower()) for w in words if lowered.find(w.lower()) >= 0]
    start = max(min(positions) - 60, 0) if positions else 0
    piece = text[start : start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")


def search(query: str, *, limit: int = 50) -> Results:
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    words = WORD.findall(query)
    out = Results(query=query)
    if not words:
        return out
    phrase = " ".join(words).lower()
    expansions = [
        t for t in GlossaryTerm.objects.only("slug", "term", "plain_alternatives")
        if any(p.lower() in phrase or phrase in p.lower() for p in t.plain_alternatives)
    ]  # fmt: skip
    out.expanded_with = [t.term for t in expansions]
    term_q = Q(pk__in=[t.pk for t in expansions])
    seen: set[str] = set()

    def add(result: Result) -> None:
        if result.url not in seen and len(out.results) < limit:
            seen.add(result.url)
            out.results.append(result)

    for t in GlossaryTerm.objects.filter(_words_q(words, ["term", "definition"]) | term_q):
        add(Result("term", t.term, t.get_absolute_url(), [], t.definition, 3.0))
    expanded_guides = Guide.objects.filter(terms__in=[t.pk for t in expansions])
    for g in Guide.objects.filter(
        _words_q(words, ["title", "purpose", "summary", "plain_summary"])
        | Q(pk__in=expanded_guides)
    ).distinct():
        add(Result("guide", g.title, g.get_absolute_url(), [g.slug], g.purpose, 2.5))
    expanded_tools = Tool.objects.filter(terms__in=[t.pk for t in expansions])
    for t in (
        Tool.objects.filter(_words_q(words, ["name", "summary", "text"]) | Q(pk__in=expanded_tools))
        .prefetch_related("guides")
        .distinct()
    ):
        add(Result("tool", t.name, t.get_absolute_url(), [g.slug for g in t.guides.all()],
                   t.summary, 2.0))  # fmt: skip
    for s in Section.objects.filter(_words_q(words, ["title", "text"])).select_related("guide"):
        add(Result("section", f"{s.guide.title}: {s.title}", s.get_absolute_url(),
                   [s.guide.slug], _snippet(s.text, words), 1.0))  # fmt: skip
    return out
