"""Ranking: which of the documents the engine found answers the query best.

The engines (guides/search/engine.py) find the documents and give each a text score.
The order is then decided here, the same way on both engines, in tiers that no weight
can overturn:

1. **Names.** The query is a page's own name (a tool's name, a term, a guide's or a
   section's title), or one of its other names (a tool's "also known as", a term's other
   forms, a guide's short title), or a close misspelling of one. Own names before other
   names, the very words before other forms of them; when two pages share a name
   exactly, a tool comes before a guide, a term and a section.
2. **The words the user typed.** The document contains at least one of them (or its
   spelling correction). Within the tier: how well the query matches one of the page's
   questions or names as a phrase or most of one (`QueryPlan.phrase_strength`; a page
   named as a glossary term the query's plain words stand for shares in that), how many
   of the typed words it contains and where (a title or question counts most, a summary
   less, the body least), then a BM25 text score over the same stems.
3. **Glossary expansion only.** Found only through a glossary term that the query's
   plain words stand for: a help, never above a direct match.

Only content words take part: question words and filler ("how", "do", "I", "our")
never decide a ranking. Everything here is computed from the same stems (the English
Snowball stemmer) whichever engine found the documents, so both engines give the same
order: the engines find documents (and phrases, for glossary expansion); the library's
own documents are also found here by their stems, so a difference between the engines'
stemmers cannot drop one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from guides.library.glossary import content_version_key
from guides.search.query import KIND_WEIGHT, Phrase, QueryPlan, normalise_words, stem

NAMES, TYPED, EXPANDED = 3, 2, 1
# Name levels, best first: own name as typed, own name in another form (plural, ...),
# other name as typed, other name in another form; then the same four misspelt.
OWN, OWN_FORM, OTHER, OTHER_FORM = 9, 8, 7, 6
MISSPELT = 5  # subtracted: a misspelt own name is level 4, ..., a misspelt other form 1
# At equal rank, the fuller answer first.
KIND_ORDER = {"tool": 4, "guide": 3, "term": 2, "section": 1, "example": 0}
# Where a typed word is found: a title, name or question; the summary; the body.
FIELD_WEIGHTS = (1.0, 0.6, 0.3)
PHRASE_WEIGHT, TEXT_WEIGHT = 2.0, 0.3
EXPANSION_SHARE = 0.9  # of a glossary term's plain-words match, for a page of its name
KEYWORD_SEPARATOR = " · "  # between the phrases of SearchDocument.keywords


@dataclass(frozen=True)
class Profile:
    """What ranking needs to know of one document."""

    id: int
    kind: str
    phrases: tuple[Phrase, ...]
    fields: tuple[frozenset[str], frozenset[str], frozenset[str]]  # title, summary, body
    guides: str = ""  # as SearchDocument.guides: "|slug|slug|"
    stems: frozenset[str] = frozenset()  # of all three fields
    # Each stem's count, weighted by field (TEXT_WEIGHTS), and the weighted length: for a
    # text score computed here, so that it is the same whichever engine found the row.
    counts: dict[str, float] = field(default_factory=dict, compare=False)
    length: float = 0.0


# For the text score, a word in a title counts as ten in a body; in the keywords (names,
# questions, plain words) eight; in a summary four (as SQLite's bm25() is weighted).
TEXT_WEIGHTS = (10.0, 8.0, 4.0, 1.0)
BM25_K1, BM25_B = 1.2, 0.75


def profile_of(
    pk: int,
    kind: str,
    title: str,
    keywords: str,
    summary: str,
    body: str,
    guides: str = "",
    *,
    counts: bool = True,
) -> Profile:
    """A document's profile; without `counts` (a local example, ranked on the engine's
    text score), only the sets of its stems, which is quicker."""
    phrases = [title, *keywords.split(KEYWORD_SEPARATOR)]
    tally: dict[str, float] = {}
    fields, length = [], 0.0
    for weight, text in zip(TEXT_WEIGHTS, (title, keywords, summary, body), strict=True):
        words = normalise_words(text)
        if counts:
            length += weight * len(words)
            for word in words:
                s = stem(word)
                tally[s] = tally.get(s, 0.0) + weight
        fields.append(frozenset(stem(w) for w in set(words)))
    return Profile(
        id=pk,
        kind=kind,
        phrases=tuple(p for p in dict.fromkeys(Phrase.of(x) for x in phrases if x) if p.content),
        fields=(fields[0] | fields[1], fields[2], fields[3]),
        guides=guides,
        stems=fields[0] | fields[1] | fields[2] | fields[3],
        counts=tally,
        length=length,
    )


@dataclass(frozen=True)
class ContentProfiles:
    """The library's own documents, kept per content version: their profiles, and every
    name by its words and by its stems."""

    profiles: dict[int, Profile]
    # "run charts" -> ((id, level as typed, level in another form), ...)
    literal: dict[str, tuple[tuple[int, int, int], ...]]
    stemmed: dict[tuple[str, ...], tuple[tuple[int, int, int], ...]]
    choices: tuple[str, ...]  # the literal names, for misspellings
    idf: dict[str, float]  # BM25's inverse document frequency of each stem
    average_length: float

    def text_score(self, plan: QueryPlan, profile: Profile) -> float:
        """BM25 of the typed words in one document (for a misspelt word, the better of
        it and its correction), over the content's word statistics."""
        total = 0.0
        norm = BM25_K1 * (1 - BM25_B + BM25_B * profile.length / (self.average_length or 1.0))
        for group in plan.groups:
            best = 0.0
            for s in group:
                tf = profile.counts.get(s, 0.0)
                if tf:
                    idf = self.idf.get(s, self.max_idf)
                    best = max(best, idf * tf * (BM25_K1 + 1) / (tf + norm))
            total += best
        return total

    @property
    def max_idf(self) -> float:
        return math.log(1 + (len(self.profiles) + 0.5) / 0.5)


@lru_cache(maxsize=4)
def _content_profiles(version: tuple | None) -> ContentProfiles:
    from guides.search.index import content_names
    from guides.search.models import SearchDocument

    rows = SearchDocument.objects.exclude(kind="example").values_list(
        "pk", "kind", "object_id", "title", "keywords", "summary", "body", "guides"
    )
    profiles, by_object = {}, {}
    for pk, kind, object_id, title, keywords, summary, body, guides in rows:
        profiles[pk] = profile_of(pk, kind, title, keywords, summary, body, guides)
        by_object[(kind, object_id)] = pk
    literal: dict[str, dict[tuple[int, int, int], None]] = {}
    stemmed: dict[tuple[str, ...], dict[tuple[int, int, int], None]] = {}
    for (kind, object_id), own, variants, others in content_names():
        pk = by_object.get((kind, object_id))
        if pk is None:
            continue
        for names, levels in (
            (own, (OWN, OWN_FORM)), (variants, (OWN_FORM, OWN_FORM)),
            (others, (OTHER, OTHER_FORM)),
        ):  # fmt: skip
            for name in names:
                words = normalise_words(name)
                if words:
                    entry = (pk, *levels)
                    literal.setdefault(" ".join(words), {})[entry] = None
                    stemmed.setdefault(tuple(stem(w) for w in words), {})[entry] = None
    frequency: dict[str, int] = {}
    for profile in profiles.values():
        for s in profile.stems:
            frequency[s] = frequency.get(s, 0) + 1
    n = len(profiles)
    return ContentProfiles(
        profiles=profiles,
        literal={k: tuple(v) for k, v in literal.items()},
        stemmed={k: tuple(v) for k, v in stemmed.items()},
        choices=tuple(literal),
        idf={s: math.log(1 + (n - f + 0.5) / (f + 0.5)) for s, f in frequency.items()},
        average_length=sum(p.length for p in profiles.values()) / (n or 1),
    )


def direct_matches(plan: QueryPlan, names: ContentProfiles) -> list[int]:
    """The content documents holding at least one typed word, as this module stems them
    (so that both engines start from the same documents)."""
    stems = plan.typed_stems
    return [pk for pk, profile in names.profiles.items() if stems & profile.stems]


def content_profiles(version: tuple | None | bool = False) -> ContentProfiles:
    """The profiles of the content as loaded now (`version`: its key, if known)."""
    return _content_profiles(content_version_key() if version is False else version)


def name_levels(plan: QueryPlan, names: ContentProfiles) -> dict[int, int]:
    """{document id: name level} for the documents the whole query names."""
    typed = normalise_words(plan.text)
    levels: dict[int, int] = {}

    def note(matches: tuple[tuple[int, int, int], ...], which: int | None) -> None:
        for pk, as_typed, other_form in matches:
            level = (as_typed, other_form)[which or 0] - (MISSPELT if which is None else 0)
            levels[pk] = max(levels.get(pk, 0), level)

    if typed:
        note(names.literal.get(" ".join(typed), ()), 0)
        note(names.stemmed.get(tuple(stem(w) for w in typed), ()), 1)
    if levels or not typed:
        return levels
    # A close misspelling: the words as corrected, or the whole query within one edit
    # (short names) or two of a name.
    fixed = [plan.corrections.get(w, w) for w in typed]
    if fixed != typed:
        note(names.literal.get(" ".join(fixed), ()), None)
        # (the stemmed form of a misspelling: one level lower than its words as fixed)
        for pk, _, other_form in names.stemmed.get(tuple(stem(w) for w in fixed), ()):
            levels[pk] = max(levels.get(pk, 0), other_form - MISSPELT)
    text = " ".join(typed)
    if not levels and len(text) >= 4:
        limit = 1 if len(text) <= 6 else 2
        for choice, _, _ in process.extract(
            text, names.choices, scorer=Levenshtein.distance, score_cutoff=limit, limit=20
        ):
            note(names.literal[choice], None)
    return levels


def coverage(plan: QueryPlan, profile: Profile) -> float:
    """The share of the typed content words in the document, weighted by where."""
    if not plan.groups:
        return 0.0
    total = 0.0
    for group in plan.groups:
        for weight, stems in zip(FIELD_WEIGHTS, profile.fields, strict=True):
            if group & stems:
                total += weight
                break
    return total / len(plan.groups)


def score(plan: QueryPlan, profile: Profile, text_share: float, level: int = 0) -> float:
    """One number that orders results: the tier in the thousands; for names, the name
    level in the hundreds and the kind in the tens (so pages of the same name come in
    KIND_ORDER); then the phrase, coverage and text score (together under 10)."""
    if level:
        tier = NAMES
    elif plan.matched(profile.stems):
        tier = TYPED
    else:
        tier = EXPANDED
    phrase = 0.0
    if plan.typed_stems & profile.fields[0]:  # the phrases are all in the first field
        phrase = max((plan.phrase_strength(p) for p in profile.phrases), default=0.0)
    if plan.expansions:  # named as a term the query's plain words stand for
        shared = [plan.expansions.get(p.stems, 0.0) for p in profile.phrases]
        phrase = max(phrase, EXPANSION_SHARE * max(shared, default=0.0))
    within = (
        PHRASE_WEIGHT * phrase
        + coverage(plan, profile)
        + TEXT_WEIGHT * text_share
        + 0.02 * KIND_WEIGHT.get(profile.kind, 1.0)
    )
    kind = KIND_ORDER.get(profile.kind, 0) if level else 0
    return tier * 1000 + level * 100 + kind * 10 + within


def order_key(item: tuple[float, str, int]) -> tuple:
    """Sort key for (score, kind, id): best first, ties to the fuller answer, then id."""
    value, kind, pk = item
    return (-round(value, 9), -KIND_ORDER.get(kind, 0), pk)
