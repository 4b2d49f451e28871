"""How well search answers: names, misspellings, everyday questions and jargon, with
hits@1, hits@3 and mean reciprocal rank printed per engine (run with -s to see them).
The suite runs on SQLite and then PostgreSQL; the parity test compares the two."""

import hashlib
import json
from pathlib import Path

import pytest
from django.db import connection

from guides.library.models import Guide, Tool
from guides.search import engine as search
from guides.search.index import content_names
from guides.search.query import normalise_words, stem
from tests.search.relevance import HELD_OUT, JARGON, MISSPELT, QUESTIONS, name_cases

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PARITY_FILE = ROOT / "artifacts" / "search-parity.json"


def _urls(query: str, n: int = 10) -> list[str]:
    return [r.url for r in search.search(query, limit=n).results]


def _measure(label: str, cases: list[tuple[str, tuple[str, ...]]]) -> dict:
    """hits@1, hits@3 and MRR (over the first ten) of `cases`, printed."""
    ranks, misses = [], []
    for query, wanted in cases:
        top = _urls(query)
        rank = next((i + 1 for i, url in enumerate(top) if url in wanted), None)
        ranks.append(rank)
        if rank is None or rank > 3:
            misses.append((query, wanted, top[:3]))
    n = len(cases)
    figures = {
        "cases": n,
        "hits@1": sum(1 for r in ranks if r == 1) / n,
        "hits@3": sum(1 for r in ranks if r and r <= 3) / n,
        "mrr": sum(1 / r for r in ranks if r) / n,
        "misses": misses,
    }
    print(
        f"\n{label} on {connection.vendor}: {n} cases, hits@1 {figures['hits@1']:.1%}, "
        f"hits@3 {figures['hits@3']:.1%}, MRR {figures['mrr']:.3f}"
    )
    return figures


def _wanted(urls: str | tuple[str, ...]) -> tuple[str, ...]:
    return (urls,) if isinstance(urls, str) else tuple(urls)


def test_the_set_is_big_enough():
    hand_written = len(MISSPELT) + len(QUESTIONS) + len(HELD_OUT) + len(JARGON)
    assert hand_written >= 120
    assert len(QUESTIONS) >= 60
    assert len(name_cases()) >= Tool.objects.count() + Guide.objects.count()


def test_every_own_name_comes_first():
    """A tool's name, a term or a guide title puts that page first; pages with exactly
    the same name come before everything else, the tool first."""
    misses = []
    cases = name_cases()
    for name, url, first in cases:
        top = _urls(name, len(first))
        if top != first:
            misses.append((name, url, first, top))
    print(f"\nNames on {connection.vendor}: {len(cases) - len(misses)}/{len(cases)} first")
    assert not misses, misses


def test_every_other_name_puts_a_page_of_that_name_first():
    """A tool's "also known as", a term's other forms, a guide's short title: the first
    result is a page with that name (its own or another)."""
    names_of: dict[tuple[str, ...], set[tuple[str, int]]] = {}
    others = []
    for identity, own, variants, other in content_names():
        for name in [*own, *variants, *other]:
            key = tuple(stem(w) for w in normalise_words(name))
            names_of.setdefault(key, set()).add(identity)
        others.extend(other)
    misses = []
    for name in dict.fromkeys(others):
        first = search.search(name, limit=1).results
        key = tuple(stem(w) for w in normalise_words(name))
        if not first or (first[0].type, first[0].object_id) not in names_of[key]:
            misses.append((name, [r.url for r in first]))
    print(f"\nOther names on {connection.vendor}: {len(others)} checked")
    assert len(others) > 100
    assert not misses, misses


def test_a_section_title_puts_a_section_of_that_title_first():
    from guides.library.models import Section

    titles = set(Section.objects.values_list("title", flat=True))
    assert len(titles) >= 8
    for title in titles:
        first = search.search(title, limit=1).results[0]
        assert first.type == "section" and first.title.endswith(f": {title}"), (title, first)


def test_misspelt_names_come_first():
    figures = _measure("Misspelt names", [(q, _wanted(u)) for q, u in MISSPELT])
    assert figures["hits@1"] == 1.0, figures["misses"]


def test_everyday_questions_find_their_page_in_the_top_three():
    _measure("Held-out questions", [(q, _wanted(u)) for q, u in HELD_OUT])
    cases = [(q, _wanted(u)) for q, u in [*QUESTIONS, *HELD_OUT]]
    figures = _measure("Everyday questions (all)", cases)
    assert figures["hits@3"] >= 0.9, figures["misses"]


def test_jargon_plain_words_and_word_forms():
    figures = _measure("Jargon and plain words", [(q, _wanted(u)) for q, u in JARGON])
    assert figures["hits@3"] >= 0.95, figures["misses"]


def test_the_questions_are_not_copied_from_the_content():
    """Most everyday questions are not part of any question in the front matter (a test
    that copies its own input would prove nothing)."""
    written = [
        " ".join(normalise_words(q))
        for model in (Guide, Tool)
        for questions in model.objects.values_list("questions", flat=True)
        for q in questions
    ]
    assert len(written) >= 200
    asked = [q for q, _ in [*QUESTIONS, *HELD_OUT]]
    copied = [q for q in asked if any(" ".join(normalise_words(q)) in w for w in written)]
    print(f"\n{len(copied)} of {len(asked)} everyday questions appear in the content")
    assert len(copied) <= len(asked) // 10, copied


def _ranking_code_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "guides" / "search").glob("*.py")):
        digest.update(path.read_bytes())
    digest.update((ROOT / "tests" / "search" / "relevance.py").read_bytes())
    return digest.hexdigest()


def test_both_engines_give_the_same_top_results():
    """Each engine writes its top results for the relevance set; the second engine run
    on the same content and code (SQLite, then PostgreSQL, as `make test` runs them)
    compares its own with the other's: the first result must be the same for every
    query, and the top three the same pages for at least 95% of them."""
    from guides.library.models import ContentVersion

    queries = [q for q, _ in [*MISSPELT, *QUESTIONS, *HELD_OUT, *JARGON]]
    queries += [n for n, _, _ in name_cases()]
    tops = {q: _urls(q, 3) for q in queries}
    key = f"{ContentVersion.objects.first().digest}:{_ranking_code_digest()}"
    stored = json.loads(PARITY_FILE.read_text()) if PARITY_FILE.exists() else {}
    other = {v: s for v, s in stored.get(key, {}).items() if v != connection.vendor}
    PARITY_FILE.parent.mkdir(exist_ok=True)
    stored = {key: {**stored.get(key, {}), connection.vendor: tops}}
    PARITY_FILE.write_text(json.dumps(stored, indent=1))
    if not other:
        pytest.skip("the other engine has not run on this content and code yet")
    for vendor, their in other.items():
        first = [q for q in queries if tops[q][:1] != their.get(q, [])[:1]]
        three = [q for q in queries if set(tops[q]) != set(their.get(q, []))]
        print(f"\n{connection.vendor} vs {vendor}: first differs for {len(first)}, "
              f"top three for {len(three)} of {len(queries)} queries")  # fmt: skip
        assert not first, [(q, tops[q], their.get(q)) for q in first]
        assert len(three) <= len(queries) // 20, [(q, tops[q], their.get(q)) for q in three]
