"""Flesch reading ease of rendered content, with no dictionary download.

Flesch (1948): 206.835 - 1.015 x (words per sentence) - 84.6 x (syllables per word).
Syllables are counted with the usual vowel-group rules, which land within a point or
two of dictionary-based counts on ordinary prose. Each block of HTML (a paragraph, list
item, heading or table cell) ends a sentence even without a full stop, as a reader
would take it.
"""

from __future__ import annotations

import html as htmllib
import re

BLOCK = re.compile(r"</?(?:p|li|h[1-6]|td|th|dt|dd|blockquote|pre|br|tr|div)\b[^>]*>", re.I)
TAG = re.compile(r"<[^>]+>")
SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")


def syllables(word: str) -> int:
    word = re.sub(r"[^a-z]", "", word.lower().replace("'s", "").replace("’s", ""))
    if len(word) <= 3:
        return 1
    if not re.search(r"[^aeiouy]le$", word):
        # Silent endings: made, uses, used (but not wanted or needed).
        word = re.sub(r"(?<=[^aeiouy])(?:e|es)$", "", word)
        word = re.sub(r"(?<=[^aeiouytd])ed$", "", word)
    count = len(re.findall(r"[aeiouy]+", word))
    # Vowel pairs said as two syllables (variation, radio), but not -tion, -sion, -cian.
    count += len(re.findall(r"(?<![tsc])i[ao]", word))
    # A silent e inside a word before a suffix (improvement, completely, careful).
    count -= len(re.findall(r"[^aeiouy]e(?:ment|ly|ful|ness)", word))
    return max(count, 1)


def sentences_and_words(fragment: str) -> tuple[int, list[str]]:
    sentence_count, words = 0, []
    for block in BLOCK.split(fragment):
        text = htmllib.unescape(TAG.sub("", block))
        block_words = WORD.findall(text)
        if not block_words:
            continue
        words.extend(block_words)
        stripped = text.strip()
        ends = len(SENTENCE_END.findall(stripped))
        if not SENTENCE_END.search(stripped[-2:] if stripped else ""):
            ends += 1  # the block ends a sentence of its own
        sentence_count += max(ends, 1)
    return sentence_count, words


def flesch_reading_ease(fragment: str) -> float:
    sentence_count, words = sentences_and_words(fragment)
    if not words:
        return 0.0
    syllable_count = sum(syllables(w) for w in words)
    return 206.835 - 1.015 * (len(words) / sentence_count) - 84.6 * (syllable_count / len(words))


def word_count(fragment: str) -> int:
    return len(sentences_and_words(fragment)[1])
