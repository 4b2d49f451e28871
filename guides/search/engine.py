"""Search across guides, sections, tools, glossary terms and published local examples.

One entry point, `search()`, returns one result shape for the HTML page and the JSON
API. Underneath, each database uses its own full-text engine over the same
`SearchDocument` rows:

- PostgreSQL: a weighted tsvector column (title and keywords A, summary B, body C) with
  a GIN index, ranked with ts_rank (weights A 1.0, B 0.4, C 0.2), snippets from
  ts_headline; spelling candidates come from the library's own word list, in Python.
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
from dataclasses import dataclass, field
from functools import cached_property

from django.db import connection

from guides.library.models import GlossaryTerm
from guides.search import rank as ranking
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
from guides.search.snippets import make_snippet

__all__ = [
    "GROUPS", "KINDS", "MAX_QUERY_LENGTH", "Group", "Result", "Results", "glossary_matches",
    "search",
]  # fmt: skip

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
    score: float
    summary: str = ""  # what the page is, in a sentence or two (a term: its definition)
    # What the snippet is made from, when it is first asked for (most results of the
    # grouped page are never shown).
    _source: tuple[QueryPlan, dict] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def _marked(self) -> tuple[str, str]:
        return _snippet_of(*self._source) if self._source else ("", "")

    @property
    def snippet(self) -> str:  # plain text
        return self._marked[0]

    @property
    def snippet_html(self) -> str:  # escaped, with <mark> around matched words
        return self._marked[1]

    @property
    def type_label(self) -> str:
        return KINDS.get(self.type, self.type)

    @property
    def kind(self) -> str:
        return self.type

    @property
    def group(self) -> str:
        return GROUP_OF.get(self.type, self.type)


# The groups of the results page, in order: (name, heading, kinds).
GROUPS = [
    ("guides", "Guides and sections", ["guide", "section"]),
    ("tools", "Tools and techniques", ["tool"]),
    ("terms", "Glossary", ["term"]),
    ("examples", "Local examples", ["example"]),
]
GROUP_OF = {kind: name for name, _, kinds in GROUPS for kind in kinds}


@dataclass
class Group:
    name: str
    label: str
    kinds: list[str]
    count: int
    results: list[Result]


@dataclass
class Results:
    query: str
    plan: QueryPlan | None = None
    results: list[Result] = field(default_factory=list)
    count: int = 0
    count_capped: bool = False  # more matches than COUNT_CAP: count is "more than"
    suggestion: str = ""
    groups: list[Group] = field(default_factory=list)  # with search(group_size=n)

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


# How a query is matched: every word (ALL), any word (ANY), or any word or glossary
# phrase (WIDE). Phrases only widen a search: they never take part in ALL.
ALL, ANY, WIDE = "all", "any", "wide"


def _fts5_query(plan: QueryPlan, *, mode: str) -> str:
    def quoted(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'

    groups = []
    if plan.words:
        joiner = " AND " if mode == ALL else " OR "
        groups.append("(" + joiner.join(quoted(w) for w in plan.words) + ")")
    for phrase in plan.phrases if mode == WIDE else []:
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
RANK_WINDOW = 1000
BM25 = "bm25({table}, 10.0, 8.0, 4.0, 1.0)"


def _sqlite_rank(
    index: str,
    plan: QueryPlan,
    filters: str,
    params: list,
    top: int,
    mode: str,
    details: bool = False,
) -> tuple[int, list[tuple]]:
    """(count, [(id, kind, score)]) for one index, best first, at most `top` rows (for
    the content index, count is -1: not counted). With `details`, each row also carries
    the DETAIL_COLUMNS, so that ranking needs no second query."""
    table = FTS_TABLE[index]
    match = _fts5_query(plan, mode=mode)
    rank = f"(-{BM25.format(table=table)} * {_kind_weight_sql()})"
    if filters:
        joined = f"FROM {table} JOIN search_searchdocument d ON d.id = {table}.rowid"
        key = "d.id"
    else:  # FTS5 alone: no lookup in the documents table for each match
        joined, key = f"FROM {table}", f"{table}.rowid"
    where = f"{table} MATCH %s{filters}"
    with connection.cursor() as cursor:
        count = -1  # the content index is small: all its matches are ranked, not counted
        if index == EXAMPLES:
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
        extra = "".join(f", d.{c}" for c in DETAIL_COLUMNS) if details else ""
        if index == EXAMPLES and not filters:
            # The common case over many rows: rank inside FTS5 alone, no join per match
            # (only the rows kept are joined, for their details).
            weight = KIND_WEIGHT["example"]
            ranked = (
                f"SELECT rowid AS id, -{BM25.format(table=table)} * {weight} AS score "
                f"FROM {table} WHERE {table} MATCH %s{window} ORDER BY score DESC, rowid LIMIT %s"
            )
            joined_details = " JOIN search_searchdocument d ON d.id = r.id" if details else ""
            cursor.execute(
                f"SELECT r.id, 'example', r.score{extra} FROM ({ranked}) r{joined_details} "
                f"ORDER BY r.score DESC, r.id",
                [match, *window_params, top],
            )
        else:
            cursor.execute(
                f"SELECT d.id, d.kind, {rank} AS score{extra} FROM {table} "
                f"JOIN search_searchdocument d ON d.id = {table}.rowid WHERE {where}{window} "
                f"ORDER BY score DESC, d.id LIMIT %s",
                [match, *params, *window_params, top],
            )
        return count, cursor.fetchall()


def _pg_tsquery(plan: QueryPlan, *, mode: str) -> tuple[str, list]:
    parts, params = [], []
    if plan.words:
        joiner = " && " if mode == ALL else " || "
        parts.append("(" + joiner.join(["plainto_tsquery('english', %s)"] * len(plan.words)) + ")")
        params.extend(plan.words)
    for phrase in plan.phrases if mode == WIDE else []:
        parts.append("phraseto_tsquery('english', %s)")
        params.append(phrase)
    return " || ".join(parts), params


def _pg_rank(
    index: str,
    plan: QueryPlan,
    filters: str,
    params: list,
    top: int,
    mode: str,
    details: bool = False,
) -> tuple[int, list[tuple]]:
    tsquery, qparams = _pg_tsquery(plan, mode=mode)
    where = f"{PG_KIND[index]} AND d.search @@ q.query{filters}"
    with connection.cursor() as cursor:
        count = -1  # the content index is small: all its matches are ranked, not counted
        if index == EXAMPLES:
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
        ranked = (
            f"SELECT d.id, d.kind, "
            f"ts_rank('{PG_WEIGHTS}', d.search, q.query, 0) * {_kind_weight_sql()} AS score "
            f"FROM search_searchdocument d, q WHERE {where}{window} "
            f"ORDER BY score DESC, d.id LIMIT %s"
        )
        if details:  # joined only to the rows kept: never read for every match
            extra = "".join(f", d.{c}" for c in DETAIL_COLUMNS)
            sql = (
                f"WITH q AS (SELECT {tsquery} AS query), r AS ({ranked}) "
                f"SELECT r.id, r.kind, r.score{extra} FROM r "
                f"JOIN search_searchdocument d ON d.id = r.id ORDER BY r.score DESC, r.id"
            )
        else:
            sql = f"WITH q AS (SELECT {tsquery} AS query) {ranked}"
        cursor.execute(sql, [*qparams, *params, *window_params, top])
        return count, cursor.fetchall()


DETAIL_FIELDS = ("pk", "kind", "object_id", "key", "title", "url", "guides", "keywords",
                 "summary", "body")  # fmt: skip
DETAIL_COLUMNS = DETAIL_FIELDS[2:]  # as the rank queries add them, after id, kind, score


def _details(ids: list[int]) -> dict[int, dict]:
    """The stored fields of the rows shown (and of the examples being ranked)."""
    rows = SearchDocument.objects.filter(pk__in=ids).values_list(*DETAIL_FIELDS)
    return {row[0]: dict(zip(DETAIL_FIELDS, row, strict=True)) for row in rows}


# Rows of the content index fetched for ranking: all of them (a few hundred).
CONTENT_TOP = 5000
# Examples whose text is read to rank them; past this, deeper pages keep the engine's order.
EXAMPLE_RERANK = 200


@dataclass
class _Ranked:
    total: int = 0
    capped: bool = False
    hits: list[tuple[float, str, int]] = field(default_factory=list)  # (score, kind, id)
    counts: dict[str, int] = field(default_factory=dict)  # per kind
    details: dict[int, dict] = field(default_factory=dict)


def _rank_content(plan: QueryPlan, kinds: list[str], guide: str | None, out: _Ranked) -> None:
    rank = _pg_rank if connection.vendor == "postgresql" else _sqlite_rank
    filters, params = _filters(kinds, guide, None)
    _, rows = rank(CONTENT, plan, filters, params, CONTENT_TOP, WIDE)
    found = {pk: float(score) for pk, _, score in rows}
    profiles = ranking.content_profiles(plan.version)
    levels = ranking.name_levels(plan, profiles)
    # A page the query names, or that holds a typed word, is found whatever the engine says.
    for pk in [*levels, *ranking.direct_matches(plan, profiles)]:
        profile = profiles.profiles.get(pk)
        if (
            profile is not None and pk not in found
            and (not kinds or profile.kind in kinds)
            and (not guide or f"|{guide}|" in profile.guides)
        ):  # fmt: skip
            found[pk] = 0.0
    texts = {
        pk: profiles.text_score(plan, profiles.profiles[pk])
        * KIND_WEIGHT.get(profiles.profiles[pk].kind, 1.0)
        for pk in found if pk in profiles.profiles
    }  # fmt: skip
    top = max(texts.values(), default=0.0) or 1.0
    for pk, text in texts.items():
        profile = profiles.profiles[pk]
        value = ranking.score(plan, profile, text / top, levels.get(pk, 0))
        out.hits.append((value, profile.kind, pk))
        out.counts[profile.kind] = out.counts.get(profile.kind, 0) + 1
    out.total += len(texts)


def _rank_examples(
    plan: QueryPlan, guide: str | None, tag: str | None, top: int, out: _Ranked
) -> None:
    rank = _pg_rank if connection.vendor == "postgresql" else _sqlite_rank
    filters, params = _filters([], guide, tag)
    # Every word first; if that finds too little, any of them; and only if that still
    # finds too little, the glossary's phrases too (examples found only through them would
    # rank below every other anyway). Corrections are alternatives: never with ALL.
    count, rows = 0, []
    details = top <= EXAMPLE_RERANK  # fetched with the ranking, to rank them here
    passes = [ALL] if len(plan.words) > 1 and not plan.corrections else []
    passes += [ANY] if plan.words else []
    passes += [WIDE] if plan.phrases else []
    for mode in passes:
        count, rows = rank(EXAMPLES, plan, filters, params, top, mode, details)
        if count >= 3:
            break
    if count > COUNT_CAP:
        out.capped, count = True, COUNT_CAP
    out.total += count
    out.counts["example"] = count
    if not rows:
        return
    best = max(float(row[2]) for row in rows) or 1.0
    if details:
        out.details.update(
            {
                row[0]: dict(zip(DETAIL_FIELDS, (row[0], row[1], *row[3:]), strict=True))
                for row in rows
            }
        )
    # Examples keep the engine's text score (they have no statistics of their own here).
    for position, (pk, _, score, *_) in enumerate(rows):
        d = out.details.get(pk)
        if d is None:  # past EXAMPLE_RERANK: below every re-ranked one, in engine order
            out.hits.append((ranking.TYPED * 1000 - position * 1e-6, "example", pk))
            continue
        profile = ranking.profile_of(
            pk, "example", d["title"], d["keywords"], d["summary"], d["body"], d["guides"],
            counts=False,
        )  # fmt: skip
        out.hits.append((ranking.score(plan, profile, float(score) / best), "example", pk))


def _run(
    plan: QueryPlan, types: list[str], guide: str | None, tag: str | None, top: int
) -> _Ranked:
    """Rank each index that the filters allow and merge them, best first."""
    out = _Ranked()
    content_types = [t for t in (types or KINDS) if t != "example"]
    if content_types and not tag:  # tags belong to local examples only
        _rank_content(plan, content_types if types else [], guide, out)
    if not types or "example" in types:
        _rank_examples(plan, guide, tag, top, out)
    out.hits.sort(key=ranking.order_key)
    return out


def _snippets(marked: str) -> tuple[str, str]:
    marked = " ".join((marked or "").split())
    plain = marked.replace(START, "").replace(STOP, "")
    escaped = html.escape(marked, quote=False)
    return plain, escaped.replace(START, "<mark>").replace(STOP, "</mark>")


def _snippet_of(plan: QueryPlan, d: dict) -> tuple[str, str]:
    marked = make_snippet(d["body"] or d["summary"], plan)
    if START not in marked and d["keywords"]:
        # Found by its names or questions: show those, which say why it was found.
        named = make_snippet(d["keywords"].replace(ranking.KEYWORD_SEPARATOR, "; "), plan)
        marked = named if START in named else marked
    return _snippets(marked)


def _result(plan: QueryPlan, d: dict, score: float) -> Result:
    return Result(
        type=d["kind"], object_id=d["object_id"], key=d["key"], title=d["title"], url=d["url"],
        guides=[g for g in (d["guides"] or "").split("|") if g],
        score=round(float(score), 6), summary=d["summary"], _source=(plan, d),
    )  # fmt: skip


def search(
    query: str,
    *,
    types: list[str] | None = None,
    guide: str | None = None,
    tag: str | None = None,
    limit: int = 20,
    offset: int = 0,
    group_size: int = 0,
) -> Results:
    """Ranked results for `query`, best first (see guides/search/rank.py for the order).
    With `group_size`, also the first `group_size` of each group (GROUPS) and their
    counts, for the grouped page. Only published local examples are in the index, so
    nothing unpublished can appear in results, snippets or counts."""
    plan = plan_query(query)
    out = Results(query=plan.text, plan=plan)
    if plan.corrections:
        out.suggestion = " ".join(plan.corrections.get(w, w) for w in normalise_words(plan.text))
    if plan.empty:
        return out
    types = [t for t in (types or []) if t in KINDS]
    ranked = _run(plan, types, guide, tag, max(offset + limit, group_size + 1))
    out.count, out.count_capped = ranked.total, ranked.capped
    page = ranked.hits[offset : offset + limit]
    grouped: dict[str, list[tuple[float, str, int]]] = {}
    if group_size:
        for hit in ranked.hits:
            name = GROUP_OF[hit[1]]
            if len(grouped.setdefault(name, [])) < group_size + 1:
                grouped[name].append(hit)
    wanted = {pk for _, _, pk in page} | {pk for hits in grouped.values() for _, _, pk in hits}
    missing = [pk for pk in wanted if pk not in ranked.details]
    details = {**ranked.details, **(_details(missing) if missing else {})}
    made: dict[int, Result] = {}

    def result(hit: tuple[float, str, int]) -> Result | None:
        value, _, pk = hit
        if pk not in made and pk in details:
            made[pk] = _result(plan, details[pk], value)
        return made.get(pk)

    out.results = [r for r in map(result, page) if r is not None]
    for name, label, kinds in GROUPS:
        if name in grouped:
            members = [r for r in map(result, grouped[name]) if r is not None]
            count = sum(ranked.counts.get(k, 0) for k in kinds)
            out.groups.append(Group(name, label, kinds, count, members))
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
