"""Building and keeping the index: one SearchDocument per guide, section, tool, glossary
term and published local example, each with its identity (kind, object_id, key)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import transaction

from guides.examples.models import LocalExample
from guides.library.models import GlossaryTerm, Guide, Section, Tool
from guides.search.models import SearchDocument, SearchWord
from guides.search.query import normalise_words
from guides.search.rank import KEYWORD_SEPARATOR


def _phrases(*groups: Iterable[str]) -> str:
    """Names, questions and plain words as one keywords field, phrase by phrase (ranking
    splits them again to match each as a phrase)."""
    return KEYWORD_SEPARATOR.join(dict.fromkeys(p for group in groups for p in group if p))


def _bars(values: Iterable[str]) -> str:
    values = [v for v in values if v]
    return f"|{'|'.join(values)}|" if values else ""


def key_of(kind: str, obj: Guide | Section | Tool | GlossaryTerm | LocalExample) -> str:
    """The stable name of what a row stands for; the same as a module item's value."""
    if kind == "section":
        return f"section:{obj.guide.slug}#{obj.anchor}"
    if kind == "example":
        return f"example:{obj.pk}"
    return f"{kind}:{obj.slug}"


def content_documents() -> list[SearchDocument]:
    docs = []
    for g in Guide.objects.all():
        docs.append(
            SearchDocument(
                kind="guide", object_id=g.pk, key=key_of("guide", g), title=g.title,
                url=g.get_absolute_url(),
                guides=_bars([g.slug]), keywords=_phrases([g.purpose], g.questions),
                summary=f"{g.summary} {g.plain_summary}", body="",
            )
        )  # fmt: skip
    for s in Section.objects.select_related("guide"):
        docs.append(
            SearchDocument(
                kind="section", object_id=s.pk, key=key_of("section", s),
                title=f"{s.guide.title}: {s.title}",
                url=s.get_absolute_url(), guides=_bars([s.guide.slug]), keywords="",
                summary="", body=s.text,
            )
        )  # fmt: skip
    for t in Tool.objects.prefetch_related("guides"):
        docs.append(
            SearchDocument(
                kind="tool", object_id=t.pk, key=key_of("tool", t), title=t.name,
                url=t.get_absolute_url(),
                guides=_bars(g.slug for g in t.guides.all()),
                keywords=_phrases(t.also_known_as, t.questions), summary=t.summary,
                body=t.text,
            )
        )  # fmt: skip
    for term in GlossaryTerm.objects.prefetch_related("used_in_guides"):
        docs.append(
            SearchDocument(
                kind="term", object_id=term.pk, key=key_of("term", term), title=term.term,
                url=term.get_absolute_url(),
                guides=_bars(g.slug for g in term.used_in_guides.all()),
                keywords=_phrases(term.match_forms, term.plain_alternatives),
                summary=term.definition, body="",
            )
        )  # fmt: skip
    return docs


def _without_brackets(name: str) -> list[str]:
    """ "Plan-Do-Study-Act (PDSA) cycles" -> "Plan-Do-Study-Act cycles" and "PDSA"."""
    match = re.search(r"\s*\(([^()]+)\)", name)
    if not match:
        return []
    return [" ".join((name[: match.start()] + name[match.end() :]).split()), match.group(1)]


def content_names() -> list[tuple[tuple[str, int], list[str], list[str], list[str]]]:
    """Each content page's names: [((kind, object_id), own, own variants, other)]. A
    variant is the own name without its brackets, or what they hold ("PDSA")."""
    names = []
    for g in Guide.objects.only("pk", "slug", "title"):
        short = [g.title.split(",")[0]] if "," in g.title else []
        names.append((("guide", g.pk), [g.title], [], [*short, g.slug.replace("-", " ")]))
    for s in Section.objects.only("pk", "title", "anchor"):
        names.append((("section", s.pk), [s.title], [], [s.anchor.replace("-", " ")]))
    for t in Tool.objects.only("pk", "name", "also_known_as"):
        names.append((("tool", t.pk), [t.name], _without_brackets(t.name), t.also_known_as))
    for term in GlossaryTerm.objects.only("pk", "term", "match_forms"):
        variants = _without_brackets(term.term)
        names.append((("term", term.pk), [term.term], variants, term.match_forms))
    return names


def reindex_content() -> None:
    """Rebuild the index rows of the content (not of local examples). Run when the
    loader says the content changed, inside its transaction, so a failed load leaves the
    index as it was."""
    with transaction.atomic():
        SearchDocument.objects.exclude(kind="example").delete()
        docs = content_documents()
        SearchDocument.objects.bulk_create(docs, batch_size=500)
        counts: dict[str, int] = {}
        for doc in docs:
            for word in set(
                normalise_words(f"{doc.title} {doc.keywords} {doc.summary} {doc.body}")
            ):
                if len(word) >= 3 and not word.isdigit():
                    counts[word] = counts.get(word, 0) + 1
        SearchWord.objects.all().delete()
        SearchWord.objects.bulk_create(
            (SearchWord(word=w[:100], frequency=n) for w, n in counts.items()), batch_size=1000
        )


def example_fields(example: LocalExample, guide_slug: str, tag_names: list[str]) -> dict:
    """The index row of one published local example (also used by seed_examples)."""
    return {
        "key": key_of("example", example),
        "title": example.title[:300],
        "url": example.get_absolute_url(),
        "guides": _bars([guide_slug]),
        "tags": _bars(sorted(t.lower() for t in tag_names)),
        "keywords": " ".join(sorted(tag_names)),
        "summary": example.setting,
        # With its charts' titles and plain-words findings (guides/examples/charts.py).
        "body": " ".join([example.text, *(c.search_text() for c in example.charts.all())]),
    }


def index_example(example: LocalExample) -> None:
    """Add, update or remove one local example's row: only published examples are found,
    so nothing unpublished can reach results, snippets or counts."""
    if example.status != "published":
        remove_example(example.pk)
        return
    fields = example_fields(example, example.guide.slug, list(example.tags.names()))
    SearchDocument.objects.update_or_create(kind="example", object_id=example.pk, defaults=fields)


def reindex_examples(batch_size: int = 1000) -> int:
    """Rebuild the rows of every published local example (after an import, say)."""
    with transaction.atomic():
        SearchDocument.objects.filter(kind="example").delete()
        published = LocalExample.objects.published().select_related("guide").order_by("pk")
        count = 0
        batch = []
        for example in published.prefetch_related("tags", "charts").iterator(chunk_size=batch_size):
            names = [t.name for t in example.tags.all()]
            fields = example_fields(example, example.guide.slug, names)
            batch.append(SearchDocument(kind="example", object_id=example.pk, **fields))
            if len(batch) >= batch_size:
                SearchDocument.objects.bulk_create(batch)
                count += len(batch)
                batch = []
        SearchDocument.objects.bulk_create(batch)
        return count + len(batch)


def remove_example(example_id: int) -> None:
    SearchDocument.objects.filter(kind="example", object_id=example_id).delete()
