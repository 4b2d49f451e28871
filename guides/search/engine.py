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
from dataclasses import dataclass, field

from django.db import connection

from guides.library.models import GlossaryTerm
from guides.search.models import SearchDocument
from guides.search.query import (
    KIND_WEIGHT,
    KINDS,
    MAX_QUERY_LENGTH,
    PG_WEIGHTS,
    START,
    STOP,
    STOPWORDS,
    QueryPlan,
    normalise_words,
    plan_query,
)

__all__ = ["KINDS", "MAX_QUERY_LENGTH", "Result", "Results", "glossary_matches", "search"]

# Running the query ------------------------------------------------------------------------


@dataclass
class Result:
    """One thing found. It carries its identity, so callers never parse its address:
    `type` (guide, section, tool, term, example), `object_id` (that model's row) and
    `key`, the stable name (e.g. section:<guide>#<anchor>) a module item is made from."""

    type: str
    object_id: int
    key: str
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


def _filters(types: list[str], guide: str | None, tag: str | None) -> tuple[str, list]:
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
FTS_TABLE = {CONTENT: "search_searchdocument_fts", EXAMPLES: "search_searchexample_fts"}
PG_KIND = {CONTENT: "d.kind <> 'example'", EXAMPLES: "d.kind = 'example'"}
# Counting every match of a very common word among many thousands of examples costs
# more than it tells anyone: past this, the page says "more than".
COUNT_CAP = 1000
# Ranking scores every match. When a common word matches more examples than this, the
# newest RANK_WINDOW of them are ranked (the older ones are still counted and found by
# any narrower query), which keeps a search fast however many examples there are.
RANK_WINDOW = 3000
BM25 = "bm25({table}, 10.0, 8.0, 4.0, 1.0)"


def _sqlite_rank(
    index: str, plan: QueryPlan, filters: str, params: list, top: int, all_words: bool
) -> tuple[int, list[tuple[int, str, float]]]:
    """(count, [(id, kind, score)]) for one index, best first, at most `top` rows."""
    table = FTS_TABLE[index]
    match = _fts5_query(plan, all_words=all_words)
    rank = f"(-{BM25.format(table=table)} * {_kind_weight_sql()})"
    if filters:
        joined = f"FROM {table} JOIN search_searchdocument d ON d.id = {table}.rowid"
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
                f"JOIN search_searchdocument d ON d.id = {table}.rowid WHERE {where}{window} "
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


def _pg_rank(
    index: str, plan: QueryPlan, filters: str, params: list, top: int, all_words: bool
) -> tuple[int, list[tuple[int, str, float]]]:
    tsquery, qparams = _pg_tsquery(plan, all_words=all_words)
    where = f"{PG_KIND[index]} AND d.search @@ q.query{filters}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH q AS (SELECT {tsquery} AS query) SELECT COUNT(*) FROM "
            f"(SELECT 1 FROM search_searchdocument d, q WHERE {where} LIMIT {COUNT_CAP + 1}) c",
            [*qparams, *params],
        )
        count = cursor.fetchone()[0]
        if not count:
            return 0, []
        window, window_params = "", []
        if index == EXAMPLES and count > COUNT_CAP:
            cursor.execute(
                f"WITH q AS (SELECT {tsquery} AS query) SELECT d.id FROM search_searchdocument d, "
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
            f"FROM search_searchdocument d, q WHERE {where}{window} "
            f"ORDER BY score DESC, d.id LIMIT %s",
            [*qparams, *params, *window_params, top],
        )
        return count, cursor.fetchall()


def _details(ids: list[int]) -> dict:
    """{id: (object_id, key, title, url, guides, text)} of the rows shown on one page."""
    rows = SearchDocument.objects.filter(pk__in=ids).values_list(
        "pk", "object_id", "key", "title", "url", "guides", "summary", "body"
    )
    return {
        pk: (object_id, key, title, url, guides, body or summary)
        for pk, object_id, key, title, url, guides, summary, body in rows
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


def _run(
    plan: QueryPlan,
    types: list[str],
    guide: str | None,
    tag: str | None,
    limit: int,
    offset: int,
    all_words: bool,
) -> tuple[int, bool, list[tuple[str, int, str, str, str, str, str, float]]]:
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
        (kind, *found[pk][:5], make_snippet(found[pk][5], plan), score)
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
    for kind, object_id, key, title, url, guides, marked, score in rows:
        plain, marked_html = _snippets(marked)
        out.results.append(
            Result(
                type=kind, object_id=object_id, key=key, title=title, url=url,
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
    ids = [r.object_id for r in results.results]
    terms = GlossaryTerm.objects.in_bulk(ids)
    return [terms[i] for i in ids if i in terms]
