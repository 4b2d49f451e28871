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
   questions or names as a phrase or most of one (`QueryPlan.phrase_strength`), how many
   of the typed words it contains and where (a title or question counts most, a summary
   less, the body least), then the engine's own score.
3. **Glossary expansion only.** Found only through a glossary term that the query's
   plain words stand for: a help, never above a direct match.

Only content words take part: question words and filler ("how", "do", "I", "our")
never decide a ranking. Everything here is computed from the same stems (the English
Snowball stemmer) whichever engine found the documents.
"""

from __future__ import annotations

from dataclasses import dataclass
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
PHRASE_WEIGHT, ENGINE_WEIGHT = 2.0, 0.3
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


def _stems(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in set(normalise_words(text)))


def profile_of(
    pk: int, kind: str, title: str, keywords: str, summary: str, body: str, guides: str = ""
) -> Profile:
    phrases = [title, *keywords.split(KEYWORD_SEPARATOR)]
    fields = (_stems(f"{title} {keywords}"), _stems(summary), _stems(body))
    return Profile(
        id=pk,
        kind=kind,
        phrases=tuple(p for p in dict.fromkeys(Phrase.of(x) for x in phrases if x) if p.content),
        fields=fields,
        guides=guides,
        stems=fields[0] | fields[1] | fields[2],
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
    return ContentProfiles(
        profiles=profiles,
        literal={k: tuple(v) for k, v in literal.items()},
        stemmed={k: tuple(v) for k, v in stemmed.items()},
        choices=tuple(literal),
    )


def content_profiles() -> ContentProfiles:
    return _content_profiles(content_version_key())


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


def score(plan: QueryPlan, profile: Profile, engine_share: float, level: int = 0) -> float:
    """One number that orders results: the tier in the thousands; for names, the name
    level in the hundreds and the kind in the tens (so pages of the same name come in
    KIND_ORDER); then the phrase, coverage and engine score (together under 10)."""
    if level:
        tier = NAMES
    elif plan.matched(profile.stems):
        tier = TYPED
    else:
        tier = EXPANDED
    phrase = max((plan.phrase_strength(p) for p in profile.phrases), default=0.0)
    within = (
        PHRASE_WEIGHT * phrase
        + coverage(plan, profile)
        + ENGINE_WEIGHT * engine_share
        + 0.02 * KIND_WEIGHT.get(profile.kind, 1.0)
    )
    kind = KIND_ORDER.get(profile.kind, 0) if level else 0
    return tier * 1000 + level * 100 + kind * 10 + within


def order_key(item: tuple[float, str, int]) -> tuple:
    """Sort key for (score, kind, id): best first, ties to the fuller answer, then id."""
    value, kind, pk = item
    return (-round(value, 9), -KIND_ORDER.get(kind, 0), pk)
