"""Understanding a query: its words, the glossary terms its plain words stand for, and
the library's words it may have misspelt. Nothing here reaches a full-text engine."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from snowballstemmer import stemmer

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
# A word, with its apostrophes: "don't" is one word (a stopword), not "don" and "t".
WORD = re.compile(r"\w+(?:['\u2019]\w+)*", re.UNICODE)
APOSTROPHE = re.compile(r"['\u2019]")
# Question words and filler: never searched for on their own, never highlighted, and
# never what decides a ranking.
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your
    yours yourself yourselves get got getting gets make makes making made us use using much
    many also let lot lots really thing things way ways go going want able sure can't
    cannot don't doesn't didn't isn't aren't wasn't weren't won't wouldn't couldn't
    shouldn't haven't hasn't hadn't i'm i've i'd i'll we're we've we'll we'd you're you've
    they're they've it's let's that's what's there's here's who's how's where's why's
    whats hows whos whether actually basically exactly simply quite maybe perhaps please
    anyone someone everyone anybody somebody""".split()
)
_ENGLISH = stemmer("english")


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The English Snowball stem of one normalised word (PostgreSQL's 'english' uses the
    same algorithm): "mapping" -> "map", "queues" -> "queue", "boards" -> "board"."""
    return _ENGLISH.stemWord(word)


def content_words(words: list[str]) -> list[str]:
    """The words that carry meaning: stopwords dropped (all of them if nothing else is
    left, so "what is it" still searches for something)."""
    kept = [w for w in words if w not in STOPWORDS]
    return kept or words


# Understanding the query ---------------------------------------------------------------


def normalise_words(text: str) -> list[str]:
    """Lower-case words. A contraction in STOPWORDS stays whole; a possessive loses its
    "'s"; any other apostrophe splits the word, as both engines' tokenizers do."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if "'" not in text and "\u2019" not in text:  # the common case, all in C
        return WORD.findall(text)[:100_000]
    words = []
    for word in WORD.findall(text):
        if "'" in word or "\u2019" in word:
            word = APOSTROPHE.sub("'", word)
            if word in STOPWORDS:
                words.append(word)
                continue
            if word.endswith("'s"):
                word = word[:-2]
            words.extend(part for part in word.split("'") if part)
        elif "\x00" not in word:
            words.append(word)
        if len(words) >= 100_000:
            break
    return words[:100_000]


@dataclass(frozen=True)
class Phrase:
    """A phrase to match as a whole or in part: its stems in order, and the set of the
    stems of its content words."""

    stems: tuple[str, ...]
    content: frozenset[str]

    @classmethod
    def of(cls, text: str) -> Phrase:
        words = normalise_words(text)
        return cls(tuple(stem(w) for w in words), frozenset(stem(w) for w in content_words(words)))


@dataclass(frozen=True)
class GlossaryIndex:
    # Each plain-language alternative as a phrase, with the term it stands for.
    plain: tuple[tuple[Phrase, int, str, tuple[str, ...]], ...]


@lru_cache(maxsize=4)
def _glossary_index(version: tuple | None) -> GlossaryIndex:
    entries = []
    for term in GlossaryTerm.objects.only("pk", "term", "match_forms", "plain_alternatives"):
        forms = tuple(dict.fromkeys([term.term, *term.match_forms]))
        for plain in term.plain_alternatives:
            phrase = Phrase.of(plain)
            if phrase.content:
                entries.append((phrase, term.pk, term.term, forms))
    return GlossaryIndex(plain=tuple(entries))


@lru_cache(maxsize=4)
def _vocabulary(version: tuple | None) -> dict[str, int]:
    """The library's words with how many documents use each (the same on both engines,
    so a misspelling is corrected to the same word)."""
    return dict(SearchWord.objects.values_list("word", "frequency"))


def _contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    return n > 0 and any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


@dataclass
class QueryPlan:
    text: str
    words: list[str]  # the words searched for (stopwords removed, corrections applied)
    phrases: list[str] = field(default_factory=list)  # glossary forms, as phrases
    expanded_terms: list[str] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)
    truncated: bool = False
    # What the user typed, for ranking: the stems of every word in order, and one set of
    # stems per content word (the word's own, and its correction's when misspelt).
    stems: tuple[str, ...] = ()
    groups: tuple[frozenset[str], ...] = ()
    version: tuple | None | bool = False  # the content version planned against (False: none)
    # The stems of each expanded term's names, with how well the query matched its plain
    # words: a page named so shares in that match (within its tier).
    expansions: dict[tuple[str, ...], float] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.words and not self.phrases

    @cached_property
    def typed_stems(self) -> frozenset[str]:
        return frozenset().union(*self.groups) if self.groups else frozenset()

    def matched(self, stems: frozenset[str] | set[str]) -> int:
        """How many of the typed content words are among `stems`."""
        return sum(1 for group in self.groups if group & stems)

    def phrase_strength(self, phrase: Phrase, *, most: bool = False) -> float:
        """How well the query matches a phrase (a question, a name, a plain-language
        alternative): 1.0 when it is the phrase; less when the phrase is inside a longer
        query, or the query inside a longer phrase; less again when only most of the
        phrase's words are there, in any order; 0 when fewer. Stopwords count only for
        a phrase typed whole. With `most`, a query inside a longer phrase must also have
        most of its words (as glossary expansion asks)."""
        if not phrase.content or not self.groups:
            return 0.0
        m = self.matched(phrase.content)
        if not m:
            return 0.0
        # F2 of the overlap: how much of the query the phrase explains counts four times
        # as much as how much of the phrase the query has.
        of_query, of_phrase = m / len(self.groups), m / len(phrase.content)
        f2 = 5 * of_query * of_phrase / (4 * of_phrase + of_query)
        if _contains(self.stems, phrase.stems):
            return f2
        if m == len(self.groups) >= 2 and _contains(phrase.stems, self.stems):
            return f2 if not most or 2 * m > len(phrase.content) else 0.0
        if m >= 2 and 2 * m > len(phrase.content):
            return 0.9 * f2
        if m == len(self.groups) >= 2 and not most:  # every word typed, in any order
            return 0.8 * f2
        return 0.0


def plan_query(raw: str) -> QueryPlan:
    text = " ".join(raw.replace("\x00", " ").split())
    truncated = len(text) > MAX_QUERY_LENGTH
    text = text[:MAX_QUERY_LENGTH]
    all_words = normalise_words(text)[:MAX_WORDS]
    plan = QueryPlan(text=text, words=[], truncated=truncated)
    if not all_words:
        return plan
    version = plan.version = content_version_key()
    # Spelling: a word the library does not use is searched for as its nearest word too.
    vocabulary = _vocabulary(version)
    meaning = [w for w in all_words if w not in STOPWORDS]
    words, groups = [], []
    for word in meaning or all_words:
        words.append(word)
        group = {stem(word)}
        if len(word) >= 4 and not word.isdigit() and word not in vocabulary:
            fixed = correct_word(word, vocabulary, _sorted_words(version))
            if fixed:
                plan.corrections[word] = fixed
                words.append(fixed)
                group.add(stem(fixed))
        groups.append(frozenset(group))
    plan.words = list(dict.fromkeys(words))
    plan.stems = tuple(stem(plan.corrections.get(w, w)) for w in all_words)
    plan.groups = tuple(dict.fromkeys(groups))
    # Plain words: a glossary term whose plain-language alternative the query matches,
    # whole or in part, is searched for as well (the three best).
    matched: dict[int, tuple[str, tuple[str, ...], float]] = {}
    for phrase, pk, term, forms in _glossary_index(version).plain:
        strength = plan.phrase_strength(phrase, most=True)
        if strength and (pk not in matched or matched[pk][2] < strength):
            matched[pk] = (term, forms, strength)
    best = sorted(matched.values(), key=lambda m: (-m[2], m[0]))[:3]
    plan.expanded_terms = [term for term, _, _ in best]
    plan.phrases = list(dict.fromkeys(f for _, forms, _ in best for f in forms))
    for _, forms, strength in best:
        for form in forms:
            stems = Phrase.of(form).stems
            plan.expansions[stems] = max(plan.expansions.get(stems, 0.0), strength)
    if not meaning and plan.phrases:
        plan.words = []  # only filler typed, and it is a plain-language phrase
    return plan


def correct_word(
    word: str, vocabulary: dict[str, int], words: tuple[str, ...] | None = None
) -> str | None:
    """The library's word nearest to `word`: one edit for short words, two for longer;
    the commonest of the nearest, then the first alphabetically. Worked out here from the
    same word list on both engines, so both correct a word the same way."""
    if stems_match(word, vocabulary):
        return None
    limit = 1 if len(word) <= 5 else 2
    best = None
    choices = words if words is not None else sorted(vocabulary)
    for candidate, distance, _ in process.extract(
        word, choices, scorer=Levenshtein.distance, score_cutoff=limit, limit=None
    ):
        key = (distance, -vocabulary[candidate], candidate)
        if best is None or key < best:
            best = key
    return best[2] if best else None


@lru_cache(maxsize=4)
def _sorted_words(version: tuple | None) -> tuple[str, ...]:
    return tuple(sorted(_vocabulary(version)))


def stems_match(word: str, vocabulary: dict[str, int]) -> bool:
    # "queues" is not misspelt because "queue" is in the library: leave it to stemming.
    for suffix in ("s", "es", "ing", "ed", "ly", "er"):
        if word.endswith(suffix) and word[: -len(suffix)] in vocabulary:
            return True
    return any(word + suffix in vocabulary for suffix in ("s", "e", "es", "ing"))
