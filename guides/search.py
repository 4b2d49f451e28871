"""Search across guides, sections, tools, glossary terms and published local examples.

One entry point, `search()`, returns one result shape for the HTML page and the JSON
API. Underneath, each database uses its own full-text engine over the same
`SearchDocument` rows:

- PostgreSQL: a weighted tsvector column (title and keywords A, summary B, body C) with
  a GIN index, ranked with ts_rank (weights A 1.0, B 0.4, C 0.2), snippets from
  ts_headline; pg_trgm finds spelling candidates among the library's own words.
- SQLite: an FTS5 table (porter stemming) kept in step by triggers, ranked with bm25,
  snippets from snippet(); spelling candidates come from the same word list.

What users type never reaches either engine as query syntax: the query is cut into
words, and each word is passed as a quoted term (FTS5) or a bound parameter to
plainto_tsquery (PostgreSQL). Plain words are understood through the glossary: a query
containing a term's plain-language alternative ("running a pilot") also searches for
the term itself (PDSA, Plan-Do-Study-Act).
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection, transaction
from rapidfuzz.distance import Levenshtein

from .models import ContentVersion, GlossaryTerm, Guide, SearchDocument, SearchWord, Section, Tool

MAX_QUERY_LENGTH = 200
MAX_WORDS = 12
KINDS = {
    "guide": "Guide",
    "section": "Guide section",
    "tool": "Tool or technique",
    "term": "Glossary term",
    "example": "Local example",
}
# How much each kind of result is worth at equal text relevance: a whole guide or tool
# is usually a better answer than one of many sections that mention the words.
KIND_WEIGHT = {"guide": 2.0, "tool": 1.5, "term": 1.2, "section": 1.0, "example": 0.9}
# ts_rank's weights for D, C, B, A: a word in a title counts far more than in a body.
PG_WEIGHTS = "{0.05,0.2,0.4,1.0}"
START, STOP = "\ue000", "\ue001"  # private-use markers, escaped apart from the text
WORD = re.compile(r"\w+", re.UNICODE)
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your
    yours yourself yourselves get got make us use using much many""".split()
)


# Building the index ------------------------------------------------------------------


def _bars(values) -> str:
    values = [v for v in values if v]
    return f"|{'|'.join(values)}|" if values else ""


def content_documents() -> list[SearchDocument]:
    docs = []
    for g in Guide.objects.all():
        docs.append(
            SearchDocument(
                kind="guide", object_id=g.pk, title=g.title, url=g.get_absolute_url(),
                guides=_bars([g.slug]), keywords=g.purpose,
                summary=f"{g.summary} {g.plain_summary}", body="",
            )
        )  # fmt: skip
    for s in Section.objects.select_related("guide"):
        docs.append(
            SearchDocument(
                kind="section", object_id=s.pk, title=f"{s.guide.title}: {s.title}",
                url=s.get_absolute_url(), guides=_bars([s.guide.slug]), keywords="",
                summary="", body=s.text,
            )
        )  # fmt: skip
    for t in Tool.objects.prefetch_related("guides"):
        docs.append(
            SearchDocument(
                kind="tool", object_id=t.pk, title=t.name, url=t.get_absolute_url(),
                guides=_bars(g.slug for g in t.guides.all()),
                keywords=" ".join(t.also_known_as), summary=t.summary, body=t.text,
            )
        )  # fmt: skip
    for term in GlossaryTerm.objects.prefetch_related("used_in_guides"):
        docs.append(
            SearchDocument(
                kind="term", object_id=term.pk, title=term.term, url=term.get_absolute_url(),
                guides=_bars(g.slug for g in term.used_in_guides.all()),
                keywords=" ".join([*term.match_forms, *term.plain_alternatives]),
                summary=term.definition, body="",
            )
        )  # fmt: skip
    return docs


def reindex_content() -> None:
    """Rebuild the index rows of the content (not of local examples). Called by the
    loader inside its transaction, so a failed load leaves the index as it was."""
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


def example_fields(example, guide_slug: str, tag_names: list[str]) -> dict:
    """The index row of one published local example (also used by seed_examples)."""
    return {
        "title": example.title[:300],
        "url": example.get_absolute_url(),
        "guides": _bars([guide_slug]),
        "tags": _bars(sorted(t.lower() for t in tag_names)),
        "keywords": " ".join(sorted(tag_names)),
        "summary": example.setting,
        "body": example.text,
    }


def index_example(example) -> None:
    """Add, update or remove one local example's row: only published examples are found,
    so nothing unpublished can reach results, snippets or counts."""
    if example.status != "published":
        remove_example(example.pk)
        return
    fields = example_fields(example, example.guide.slug, list(example.tags.names()))
    SearchDocument.objects.update_or_create(kind="example", object_id=example.pk, defaults=fields)


def reindex_examples(batch_size: int = 1000) -> int:
    """Rebuild the rows of every published local example (after an import, say)."""
    from .models import LocalExample

    with transaction.atomic():
        SearchDocument.objects.filter(kind="example").delete()
        published = LocalExample.objects.published().select_related("guide").order_by("pk")
        count = 0
        batch = []
        for example in published.prefetch_related("tags").iterator(chunk_size=batch_size):
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


def connect_signals() -> None:
    """Keep the index in step with every save and delete of a local example, and with
    changes to its tags (taggit sends m2m_changed)."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from .models import LocalExample

    def saved(sender, instance, raw=False, **kwargs):
        if not raw:
            index_example(instance)

    def deleted(sender, instance, **kwargs):
        remove_example(instance.pk)

    def tags_changed(sender, instance, action, **kwargs):
        if action in ("post_add", "post_remove", "post_clear") and isinstance(
            instance, LocalExample
        ):
            index_example(instance)

    # weak=False: the receivers are local functions, which would otherwise be collected.
    post_save.connect(saved, sender=LocalExample, weak=False, dispatch_uid="search-example-saved")
    post_delete.connect(
        deleted, sender=LocalExample, weak=False, dispatch_uid="search-example-deleted"
    )
    m2m_changed.connect(
        tags_changed, sender=LocalExample.tags.through, weak=False,
        dispatch_uid="search-example-tags",
    )  # fmt: skip


# Understanding the query ---------------------------------------------------------------


def normalise_words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).casefold()
    return [w for w in WORD.findall(text) if "\x00" not in w][:100_000]


@dataclass(frozen=True)
class GlossaryIndex:
    # Each plain-language alternative as a tuple of words, with the term it stands for.
    plain: tuple[tuple[tuple[str, ...], int, str, tuple[str, ...]], ...]


@lru_cache(maxsize=4)
def _glossary_index(version: int | None) -> GlossaryIndex:
    entries = []
    for term in GlossaryTerm.objects.only("pk", "term", "match_forms", "plain_alternatives"):
        forms = tuple(dict.fromkeys([term.term, *term.match_forms]))
        for plain in term.plain_alternatives:
            words = tuple(normalise_words(plain))
            if words:
                entries.append((words, term.pk, term.term, forms))
    return GlossaryIndex(plain=tuple(entries))


@lru_cache(maxsize=4)
def _vocabulary(version: int | None) -> frozenset[str]:
    return frozenset(SearchWord.objects.values_list("word", flat=True))


def _content_version() -> int | None:
    return ContentVersion.objects.order_by("-id").values_list("id", flat=True).first()


def _contains(haystack: list[str], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    return any(tuple(haystack[i : i + n]) == needle for i in range(len(haystack) - n + 1))


@dataclass
class QueryPlan:
    text: str
    words: list[str]  # the words searched for (stopwords removed, corrections applied)
    phrases: list[str] = field(default_factory=list)  # glossary forms, as phrases
    expanded_terms: list[str] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)
    truncated: bool = False

    @property
    def empty(self) -> bool:
        return not self.words and not self.phrases


def plan_query(raw: str) -> QueryPlan:
    text = " ".join(raw.replace("\x00", " ").split())
    truncated = len(text) > MAX_QUERY_LENGTH
    text = text[:MAX_QUERY_LENGTH]
    all_words = normalise_words(text)[:MAX_WORDS]
    plan = QueryPlan(text=text, words=[], truncated=truncated)
    if not all_words:
        return plan
    version = _content_version()
    glossary = _glossary_index(version)
    # Plain words: a glossary term whose plain-language alternative is in the query (or
    # which the whole query is part of) is searched for as well.
    content_words = [w for w in all_words if w not in STOPWORDS]
    matched: dict[int, tuple[str, tuple[str, ...], int]] = {}
    for words, pk, term, forms in glossary.plain:
        if _contains(all_words, words):
            strength = len(words) + 10
        elif (
            len(content_words) >= 2 and len(words) <= 6 and _contains(list(words), tuple(all_words))
        ):
            strength = len(all_words)
        else:
            continue
        if pk not in matched or matched[pk][2] < strength:
            matched[pk] = (term, forms, strength)
    best = sorted(matched.values(), key=lambda m: -m[2])[:3]
    plan.expanded_terms = [term for term, _, _ in best]
    plan.phrases = list(dict.fromkeys(f for _, forms, _ in best for f in forms))
    # Spelling: a word the library does not use is searched for as its nearest word too.
    vocabulary = _vocabulary(version)
    words = []
    for word in content_words or ([] if plan.phrases else all_words):
        words.append(word)
        if len(word) >= 4 and not word.isdigit() and word not in vocabulary:
            fixed = correct_word(word, vocabulary)
            if fixed:
                plan.corrections[word] = fixed
                words.append(fixed)
    plan.words = list(dict.fromkeys(words))
    return plan


def correct_word(word: str, vocabulary: frozenset[str]) -> str | None:
    """The library's word nearest to `word`: one edit for short words, two for longer."""
    if stems_match(word, vocabulary):
        return None
    limit = 1 if len(word) <= 5 else 2
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT word, frequency FROM guides_searchword WHERE word %% %s "
                "ORDER BY similarity(word, %s) DESC, frequency DESC LIMIT 20",
                [word, word],
            )
            candidates = cursor.fetchall()
    else:
        candidates = [
            (w, 0)
            for w in vocabulary
            if abs(len(w) - len(word)) <= limit and w[:1] in (word[:1], word[1:2])
        ]
    best = None
    for candidate, frequency in candidates:
        distance = Levenshtein.distance(word, candidate, score_cutoff=limit)
        if distance <= limit:
            key = (distance, -frequency, candidate)
            if best is None or key < best[0]:
                best = (key, candidate)
    return best[1] if best else None


def stems_match(word: str, vocabulary: frozenset[str]) -> bool:
    # "queues" is not misspelt because "queue" is in the library: leave it to stemming.
    for suffix in ("s", "es", "ing", "ed", "ly", "er"):
        if word.endswith(suffix) and word[: -len(suffix)] in vocabulary:
            return True
    return any(word + suffix in vocabulary for suffix in ("s", "e", "es", "ing"))


# Running the query ------------------------------------------------------------------------


@dataclass
class Result:
    type: str
    title: str
    url: str
    guides: list[str]
    snippet: str  # plain text
    snippet_html: str  # escaped, with <mark> around matched words
    score: float

    @property
    def type_label(self) -> str:
        return KINDS.get(self.type, self.type)


@dataclass
class Results:
    query: str
    plan: QueryPlan | None = None
    results: list[Result] = field(default_factory=list)
    count: int = 0
    count_capped: bool = False  # more matches than COUNT_CAP: count is "more than"
    suggestion: str = ""

    @property
    def truncated(self) -> bool:
        return bool(self.plan and self.plan.truncated)


def _filters(types, guide, tag) -> tuple[str, list]:
    clauses, params = [], []
    if types:
        clauses.append(f"d.kind IN ({', '.join(['%s'] * len(types))})")
        params.extend(types)
    if guide:
        clauses.append("d.guides LIKE %s")
        params.append(f"%|{guide}|%")
    if tag:
        clauses.append("d.tags LIKE %s")
        params.append(f"%|{tag.lower()}|%")
    return "".join(f" AND {c}" for c in clauses), params


def _kind_weight_sql() -> str:
    cases = " ".join(f"WHEN '{k}' THEN {w}" for k, w in KIND_WEIGHT.items())
    return f"(CASE d.kind {cases} ELSE 1.0 END)"


def _fts5_query(plan: QueryPlan, *, all_words: bool) -> str:
    def quoted(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'

    groups = []
    if plan.words:
        joiner = " AND " if all_words else " OR "
        groups.append("(" + joiner.join(quoted(w) for w in plan.words) + ")")
    for phrase in plan.phrases:
        words = normalise_words(phrase)
        if words:
            groups.append(quoted(" ".join(words)))
    return " OR ".join(groups)


# The two indexes: the library's own content, and published local examples. Each is
# ranked on its own (so a search of the content never scans thousands of examples), and
# the two rankings are merged.
CONTENT, EXAMPLES = "content", "examples"
FTS_TABLE = {CONTENT: "guides_searchdocument_fts", EXAMPLES: "guides_searchexample_fts"}
PG_KIND = {CONTENT: "d.kind <> 'example'", EXAMPLES: "d.kind = 'example'"}
# Counting every match of a very common word among many thousands of examples costs
# more than it tells anyone: past this, the page says "more than".
COUNT_CAP = 1000
# Ranking scores every match. When a common word matches more examples than this, the
# newest RANK_WINDOW of them are ranked (the older ones are still counted and found by
# any narrower query), which keeps a search fast however many examples there are.
RANK_WINDOW = 3000
BM25 = "bm25({table}, 10.0, 8.0, 4.0, 1.0)"


def _sqlite_rank(index, plan, filters, params, top, all_words):
    """(count, [(id, kind, score)]) for one index, best first, at most `top` rows."""
    table = FTS_TABLE[index]
    match = _fts5_query(plan, all_words=all_words)
    rank = f"(-{BM25.format(table=table)} * {_kind_weight_sql()})"
    if filters:
        joined = f"FROM {table} JOIN guides_searchdocument d ON d.id = {table}.rowid"
        key = "d.id"
    else:  # FTS5 alone: no lookup in the documents table for each match
        joined, key = f"FROM {table}", f"{table}.rowid"
    where = f"{table} MATCH %s{filters}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 {joined} WHERE {where} LIMIT {COUNT_CAP + 1})",
            [match, *params],
        )
        count = cursor.fetchone()[0]
        if not count:
            return 0, []
        window, window_params = "", []
        if index == EXAMPLES and count > COUNT_CAP:
            cursor.execute(
                f"SELECT {key} {joined} WHERE {where} ORDER BY {key} DESC LIMIT 1 OFFSET %s",
                [match, *params, RANK_WINDOW - 1],
            )
            oldest = cursor.fetchone()
            if oldest:
                window, window_params = f" AND {table}.rowid >= %s", [oldest[0]]
        if index == EXAMPLES and not filters:
            # The common case over many rows: rank inside FTS5 alone, no join per match.
            weight = KIND_WEIGHT["example"]
            cursor.execute(
                f"SELECT rowid, 'example', -{BM25.format(table=table)} * {weight} AS score "
                f"FROM {table} WHERE {table} MATCH %s{window} "
                f"ORDER BY score DESC, rowid LIMIT %s",
                [match, *window_params, top],
            )
        else:
            cursor.execute(
                f"SELECT d.id, d.kind, {rank} AS score FROM {table} "
                f"JOIN guides_searchdocument d ON d.id = {table}.rowid WHERE {where}{window} "
                f"ORDER BY score DESC, d.id LIMIT %s",
                [match, *params, *window_params, top],
            )
        return count, cursor.fetchall()


def _pg_tsquery(plan: QueryPlan, *, all_words: bool) -> tuple[str, list]:
    parts, params = [], []
    if plan.words:
        joiner = " && " if all_words else " || "
        parts.append("(" + joiner.join(["plainto_tsquery('english', %s)"] * len(plan.words)) + ")")
        params.extend(plan.words)
    for phrase in plan.phrases:
        parts.append("phraseto_tsquery('english', %s)")
        params.append(phrase)
    return " || ".join(parts), params


def _pg_rank(index, plan, filters, params, top, all_words):
    tsquery, qparams = _pg_tsquery(plan, all_words=all_words)
    where = f"{PG_KIND[index]} AND d.search @@ q.query{filters}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH q AS (SELECT {tsquery} AS query) SELECT COUNT(*) FROM "
            f"(SELECT 1 FROM guides_searchdocument d, q WHERE {where} LIMIT {COUNT_CAP + 1}) c",
            [*qparams, *params],
        )
        count = cursor.fetchone()[0]
        if not count:
            return 0, []
        window, window_params = "", []
        if index == EXAMPLES and count > COUNT_CAP:
            cursor.execute(
                f"WITH q AS (SELECT {tsquery} AS query) SELECT d.id FROM guides_searchdocument d, "
                f"q WHERE {where} ORDER BY d.id DESC OFFSET %s LIMIT 1",
                [*qparams, *params, RANK_WINDOW - 1],
            )
            oldest = cursor.fetchone()
            if oldest:
                window, window_params = " AND d.id >= %s", [oldest[0]]
        cursor.execute(
            f"WITH q AS (SELECT {tsquery} AS query) "
            f"SELECT d.id, d.kind, "
            f"ts_rank('{PG_WEIGHTS}', d.search, q.query, 0) * {_kind_weight_sql()} AS score "
            f"FROM guides_searchdocument d, q WHERE {where}{window} "
            f"ORDER BY score DESC, d.id LIMIT %s",
            [*qparams, *params, *window_params, top],
        )
        return count, cursor.fetchall()


def _details(ids: list[int]) -> dict:
    """{id: (title, url, guides, text)} of the rows shown on one page."""
    rows = SearchDocument.objects.filter(pk__in=ids).values_list(
        "pk", "title", "url", "guides", "summary", "body"
    )
    return {
        pk: (title, url, guides, body or summary) for pk, title, url, guides, summary, body in rows
    }


def _stem(word: str) -> str:
    """A light stem for highlighting: "mapping" -> "map", "queues" -> "queue"."""
    for suffix in ("ing", "es", "ed", "ly", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "aeiousl":
        word = word[:-1]
    return word


SNIPPET_CHARS = 220


def make_snippet(text: str, plan: QueryPlan) -> str:
    """The stretch of `text` with the most query words in it, matched words between the
    START and STOP markers. The same on both engines, and cheap (one regular expression
    over the rows shown): PostgreSQL's ts_headline cost more than the search itself."""
    text = " ".join(text.replace(START, "").replace(STOP, "").split())  # markers are ours
    stems = {_stem(w) for w in plan.words}
    stems |= {_stem(w) for phrase in plan.phrases for w in normalise_words(phrase)}
    stems = sorted((s for s in stems if len(s) >= 2), key=len, reverse=True)
    matches = []
    if stems:
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, stems)) + r")\w*", re.I)
        matches = list(pattern.finditer(text))
    if not matches:
        cut = text[:SNIPPET_CHARS].rsplit(" ", 1)[0] if len(text) > SNIPPET_CHARS else text
        return cut + (" …" if len(cut) < len(text) else "")
    # The window of SNIPPET_CHARS that holds the most matches (two pointers).
    best, best_first, last = 0, 0, 0
    for first, match in enumerate(matches):
        while last < len(matches) and matches[last].end() <= match.start() + SNIPPET_CHARS:
            last += 1
        if last - first > best:
            best, best_first = last - first, first
    begin = max(matches[best_first].start() - 40, 0)
    if begin:
        space = text.find(" ", begin)
        begin = space + 1 if 0 <= space < matches[best_first].start() else begin
    end = min(begin + SNIPPET_CHARS + 40, len(text))
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > matches[best_first].end() else end
    out, position = [], begin
    for match in matches[best_first:]:
        if match.end() > end:
            break
        out += [text[position : match.start()], START, match.group(), STOP]
        position = match.end()
    out.append(text[position:end])
    return ("… " if begin else "") + "".join(out) + (" …" if end < len(text) else "")


def _run(plan, types, guide, tag, limit, offset, all_words):
    """Rank each index that the filters allow, merge, and fetch snippets for one page."""
    rank = _pg_rank if connection.vendor == "postgresql" else _sqlite_rank
    indexes = []
    content_types = [t for t in (types or KINDS) if t != "example"]
    if content_types and not tag:  # tags belong to local examples only
        indexes.append((CONTENT, content_types if types else []))
    if not types or "example" in types:
        indexes.append((EXAMPLES, []))
    total, capped, hits = 0, False, []
    for index, kinds in indexes:
        filters, params = _filters(kinds, guide, tag)
        count, rows = rank(index, plan, filters, params, offset + limit, all_words)
        if count > COUNT_CAP:
            capped, count = True, COUNT_CAP
        total += count
        hits.extend((score, index, pk, kind) for pk, kind, score in rows)
    hits.sort(key=lambda h: (-h[0], h[1], h[2]))
    page = hits[offset : offset + limit]
    found = _details([pk for _, _, pk, _ in page]) if page else {}
    rows = [
        (kind, *found[pk][:3], make_snippet(found[pk][3], plan), score)
        for score, _, pk, kind in page
        if pk in found
    ]
    return total, capped, rows


def _snippets(marked: str) -> tuple[str, str]:
    marked = " ".join((marked or "").split())
    plain = marked.replace(START, "").replace(STOP, "")
    escaped = html.escape(marked, quote=False)
    return plain, escaped.replace(START, "<mark>").replace(STOP, "</mark>")


def search(
    query: str,
    *,
    types: list[str] | None = None,
    guide: str | None = None,
    tag: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> Results:
    """Ranked results for `query`, best first. Only published local examples are in the
    index, so nothing unpublished can appear in results, snippets or counts."""
    plan = plan_query(query)
    out = Results(query=plan.text, plan=plan)
    if plan.corrections:
        out.suggestion = " ".join(plan.corrections.get(w, w) for w in normalise_words(plan.text))
    if plan.empty:
        return out
    types = [t for t in (types or []) if t in KINDS]
    # Every word first; if that finds too little, any of the words (ranked by how many
    # and how well they match). Corrections and glossary phrases are alternatives, so
    # they only ever take part in the second, looser pass.
    strict = len(plan.words) > 1 and not plan.corrections
    count, capped, rows = (0, False, [])
    if strict:
        count, capped, rows = _run(plan, types, guide, tag, limit, offset, True)
    if count < 3:
        count, capped, rows = _run(plan, types, guide, tag, limit, offset, False)
    out.count, out.count_capped = count, capped
    for kind, title, url, guides, marked, score in rows:
        plain, marked_html = _snippets(marked)
        out.results.append(
            Result(
                type=kind, title=title, url=url,
                guides=[g for g in (guides or "").split("|") if g],
                snippet=plain, snippet_html=marked_html, score=round(float(score), 6),
            )
        )  # fmt: skip
    return out


def glossary_matches(query: str, limit: int = 5) -> list[GlossaryTerm]:
    """Glossary terms whose name or plain words share a word with the query, for the
    no-results page."""
    words = [w for w in normalise_words(query) if w not in STOPWORDS and len(w) >= 3]
    if not words:
        return []
    results = search(" ".join(words), types=["term"], limit=limit)
    urls = [r.url for r in results.results]
    terms = {t.get_absolute_url(): t for t in GlossaryTerm.objects.filter(
        slug__in=[u.rstrip("/").rsplit("/", 1)[-1] for u in urls])}  # fmt: skip
    return [terms[u] for u in urls if u in terms]
