"""Understanding a query: its words, the glossary terms its plain words stand for, and
the library's words it may have misspelt. Nothing here reaches a full-text engine."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection
from rapidfuzz.distance import Levenshtein

from guides.library.glossary import content_version_key
from guides.library.models import GlossaryTerm
from guides.search.models import SearchWord

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


# Understanding the query ---------------------------------------------------------------


def normalise_words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).casefold()
    return [w for w in WORD.findall(text) if "\x00" not in w][:100_000]


@dataclass(frozen=True)
class GlossaryIndex:
    # Each plain-language alternative as a tuple of words, with the term it stands for.
    plain: tuple[tuple[tuple[str, ...], int, str, tuple[str, ...]], ...]


@lru_cache(maxsize=4)
def _glossary_index(version: tuple | None) -> GlossaryIndex:
    entries = []
    for term in GlossaryTerm.objects.only("pk", "term", "match_forms", "plain_alternatives"):
        forms = tuple(dict.fromkeys([term.term, *term.match_forms]))
        for plain in term.plain_alternatives:
            words = tuple(normalise_words(plain))
            if words:
                entries.append((words, term.pk, term.term, forms))
    return GlossaryIndex(plain=tuple(entries))


@lru_cache(maxsize=4)
def _vocabulary(version: tuple | None) -> frozenset[str]:
    return frozenset(SearchWord.objects.values_list("word", flat=True))


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
    version = content_version_key()
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
                f"SELECT word, frequency FROM {SearchWord._meta.db_table} WHERE word %% %s "
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
