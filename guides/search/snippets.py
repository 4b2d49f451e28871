"""Snippets: the stretch of a result's text with the most query words in it, with the
matched words marked. The same on both engines, and cheap (regular expressions over the
rows shown): PostgreSQL's ts_headline cost more than the search itself.

A highlight is a whole word whose stem is the stem of a word the user typed (so
"mapping" marks "maps", never the "map" of "maple"), or a whole glossary phrase the
query was expanded to ("Plan-Do-Study-Act"), never its single words on their own.
Question words and filler are never marked."""

from __future__ import annotations

import re
from functools import lru_cache

from guides.search.query import START, STOP, STOPWORDS, QueryPlan, normalise_words, stem

SNIPPET_CHARS = 220
STOP_STEMS = frozenset(stem(w) for w in STOPWORDS)
TAIL = r"\w*(?:['\u2019]\w+)*"


def _prefix(stem_: str) -> str:
    # Snowball turns a final y into i ("story" -> "stori"): match the word before it.
    return stem_[:-1] if stem_.endswith("i") and len(stem_) > 3 else stem_


@lru_cache(maxsize=256)
def _patterns(
    stems: frozenset[str], phrases: tuple[tuple[str, ...], ...]
) -> tuple[re.Pattern | None, re.Pattern | None]:
    words = None
    if stems:
        prefixes = sorted({_prefix(s) for s in stems}, key=len, reverse=True)
        words = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, prefixes)) + ")" + TAIL, re.I)
    whole = None
    if phrases:
        parts = [
            r"[\W_]{1,3}".join(re.escape(w) + r"\w*" for w in phrase)
            for phrase in sorted(phrases, key=len, reverse=True)
        ]
        whole = re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.I)
    return words, whole


def highlights(plan: QueryPlan) -> tuple[frozenset[str], tuple[tuple[str, ...], ...]]:
    """The stems to mark word by word, and the phrases to mark only whole."""
    stems = {s for s in plan.typed_stems if s not in STOP_STEMS and len(s) >= 2}
    phrases = []
    for phrase in plan.phrases:
        words = tuple(normalise_words(phrase))
        if len(words) == 1:
            if words[0] not in STOPWORDS:
                stems.add(stem(words[0]))
        elif words:
            phrases.append(words)
    return frozenset(stems), tuple(sorted(set(phrases)))


def find_matches(text: str, plan: QueryPlan) -> list[tuple[int, int]]:
    """Spans of `text` to mark, in order and not overlapping."""
    stems, phrases = highlights(plan)
    words, whole = _patterns(stems, phrases)
    spans = []
    if whole is not None:
        spans.extend(m.span() for m in whole.finditer(text))
    if words is not None:
        for m in words.finditer(text):
            found = normalise_words(m.group())
            if len(found) == 1 and stem(found[0]) in stems:
                spans.append(m.span())
    spans.sort(key=lambda s: (s[0], -s[1]))
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if not out or start >= out[-1][1]:
            out.append((start, end))
    return out


def make_snippet(text: str, plan: QueryPlan) -> str:
    """The window of SNIPPET_CHARS with the most matches, matches between START and STOP."""
    text = " ".join(text.replace(START, "").replace(STOP, "").split())  # markers are ours
    matches = find_matches(text, plan)
    if not matches:
        cut = text[:SNIPPET_CHARS].rsplit(" ", 1)[0] if len(text) > SNIPPET_CHARS else text
        return cut + (" …" if len(cut) < len(text) else "")
    # The window of SNIPPET_CHARS that holds the most matches (two pointers).
    best, best_first, last = 0, 0, 0
    for first, (start, _) in enumerate(matches):
        while last < len(matches) and matches[last][1] <= start + SNIPPET_CHARS:
            last += 1
        if last - first > best:
            best, best_first = last - first, first
    first_start, first_end = matches[best_first]
    begin = max(first_start - 40, 0)
    if begin:
        space = text.find(" ", begin)
        begin = space + 1 if 0 <= space < first_start else begin
    end = min(begin + SNIPPET_CHARS + 40, len(text))
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > first_end else end
    out, position = [], begin
    for start, stop in matches[best_first:]:
        if stop > end:
            break
        out += [text[position:start], START, text[start:stop], STOP]
        position = stop
    out.append(text[position:end])
    return ("… " if begin else "") + "".join(out) + (" …" if end < len(text) else "")
