"""The order of results by construction (names, typed words, glossary expansion), the
highlights, the grouped page, the no-results page and the cache of results."""

import re
import textwrap
from pathlib import Path

import pytest

from guides.core import caching
from guides.library.content import load_content
from guides.search import engine as search
from guides.search import views
from guides.search.models import SearchDocument
from guides.search.rank import NAMES

pytestmark = pytest.mark.django_db


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(textwrap.dedent(text).lstrip())


def tool(folder: Path, slug: str, name: str, body: str, *, aka: str = "[]") -> None:
    write(folder, f"tools/{slug}.md", f"""
        ---
        slug: {slug}
        last_reviewed: 2026-12-01
        review_due: 2027-12-01
        name: {name}
        also_known_as: {aka}
        summary: A tool for the ranking tests.
        facts:
          stages: [measuring]
          time: under-an-hour
          people: on-your-own
          needs: [paper]
          difficulty: starter
          next: []
        ---

        ## Purpose

        {body}
        """)  # fmt: skip


def urls(query: str, **kwargs) -> list[str]:
    return [r.url for r in search.search(query, limit=50, **kwargs).results]


def test_typed_words_always_rank_above_glossary_expansion(content_dir):
    """A page with one passing mention of a typed word beats a page found only through
    the glossary, however often that page uses the glossary's term."""
    tool(content_dir, "weak-direct", "Weak direct", "Once we flew a kite by the pilot light.")
    tool(content_dir, "strong-expansion", "Strong expansion",
         "PDSA. " * 30 + "Plan-Do-Study-Act, PDSA, PDSA cycles, PDSA again.")  # fmt: skip
    load_content(content_dir)
    results = search.search("running a pilot", limit=50)
    assert "Plan-Do-Study-Act (PDSA)" in results.plan.expanded_terms
    found = [r.url for r in results.results]
    assert found.index("/tools/weak-direct/") < found.index("/tools/strong-expansion/")
    # Every page found only through the glossary comes after every page with a typed
    # word ("running" is "run" to the stemmer).
    typed = re.compile(r"\b(run|runs|running|pilot|pilots)\b", re.I)
    texts = {
        d.url: f"{d.title} {d.keywords} {d.summary} {d.body}"
        for d in SearchDocument.objects.filter(url__in=found)
    }
    direct = [u for u in found if typed.search(texts[u])]
    assert "/tools/weak-direct/" in direct and "/tools/strong-expansion/" not in direct
    assert found[: len(direct)] == direct


def test_exact_names_beat_any_amount_of_text(content_dir):
    tool(content_dir, "widget-wrangling", "Widget wrangling", "How it is done.",
         aka="[taming widgets]")  # fmt: skip
    tool(content_dir, "widget-essay", "An essay", "Widget wrangling. " * 40)
    load_content(content_dir)
    assert urls("Widget wrangling")[0] == "/tools/widget-wrangling/"
    assert urls("widget wranglings")[0] == "/tools/widget-wrangling/"  # another form
    assert urls("taming widgets")[0] == "/tools/widget-wrangling/"  # another name
    assert urls("widgt wrangling")[0] == "/tools/widget-wrangling/"  # misspelt
    named = search.search("Widget wrangling", limit=1).results[0].score
    unnamed = search.search("wrangling widget essays", limit=1).results[0].score
    assert unnamed < NAMES * 1000 <= named  # not its name: ranked by its words, below names


def test_a_name_is_first_even_when_filtered_by_guide_and_type():
    assert urls("Run charts", types=["tool"])[0] == "/tools/run-charts/"
    assert urls("Run charts", guide="measurement-for-improvement")[0] == "/tools/run-charts/"
    assert "/tools/run-charts/" not in urls("Run charts", types=["term"])


def test_same_name_pages_come_tool_first_then_term():
    assert urls("Fishbone diagram")[:2] == [
        "/tools/fishbone-diagram/",
        "/glossary/fishbone-diagram/",
    ]
    assert urls("run chart")[:2] == ["/glossary/run-chart/", "/tools/run-charts/"]
    assert urls("run charts")[:2] == ["/tools/run-charts/", "/glossary/run-chart/"]


def test_question_words_do_not_decide_the_ranking():
    """Filler around the same meaningful words changes nothing at the top."""
    plain = urls("get staff on board")[:3]
    assert urls("how do I get our staff on board?")[:3] == plain
    assert "/guides/human-dimensions-of-change/" in plain


def marks(query: str, n: int = 50) -> list[str]:
    found = []
    for r in search.search(query, limit=n).results:
        found += re.findall(r"<mark>(.*?)</mark>", r.snippet_html)
    return found


def test_expanded_phrases_are_highlighted_whole_never_word_by_word():
    found = [m.casefold() for m in marks("PDSA")]
    assert "pdsa" in found
    for word in ("do", "act", "plan", "study", "cycle", "cycles"):
        assert word not in found, word


def test_question_words_and_filler_are_never_highlighted():
    found = {m.casefold() for m in marks("how do I get the staff on board")}
    assert found and found <= {"staff", "board", "boards", "boarding"}, found
    assert not [m for m in marks("don't do it") if m.casefold().startswith("don")]


def test_highlights_are_whole_words_by_stem_never_prefixes():
    found = {m.casefold() for m in marks("act")}
    assert found and found <= {"act", "acts", "acted", "acting"}, found
    found = {m.casefold() for m in marks("mapping")}
    assert "map" in found and not any(m.startswith("mapl") for m in found)


# The page -------------------------------------------------------------------------------


def test_grouped_page_shows_the_best_answer_then_groups(client):
    html = client.get("/search/", {"q": "run charts"}).content.decode()
    best = re.search(r'<section class="best-answer".*?</section>', html, re.S).group()
    assert 'href="/tools/run-charts/"' in best
    assert "A simple line graph of data in time order" in best  # its summary
    assert "When to use it" in best and best.count("<li>") >= 2
    for label in ("Guides and sections", "Tools and techniques", "Glossary"):
        assert f">{label} <span" in html
    groups = re.findall(r'<section class="result-group.*?</section>', html, re.S)
    assert all(1 <= g.count('class="result ') <= 3 for g in groups)
    assert "/tools/run-charts/" not in "".join(groups)  # not shown twice


def test_show_all_lists_the_whole_group(client):
    html = client.get("/search/", {"q": "measure"}).content.decode()
    link = re.search(r'<a href="(\?[^"]*type=term[^"]*)">Show all (\d+)', html)
    assert link, "no show all link for the glossary"
    href, count = link.group(1).replace("&amp;", "&"), int(link.group(2))
    flat = client.get("/search/" + href).content.decode()
    assert re.search(rf"{count} results? for “measure”", flat)
    assert "best-answer" not in flat
    kinds = {k.strip() for k in re.findall(r'<p class="result-type">([^<·]+)', flat)}
    assert kinds == {"Glossary term"}


def test_no_results_offers_the_glossary_and_the_tool_finder(client, monkeypatch):
    html = client.get("/search/", {"q": "qwxzvbnm"}).content.decode()
    assert "Nothing found" in html and 'href="/glossary/"' in html
    assert ("tool finder" in html) == bool(views._tool_finder_url())
    monkeypatch.setattr(views, "_tool_finder_url", lambda: "/tools/finder/")
    html = client.get("/search/", {"q": "qwxzvbnm"}).content.decode()
    assert 'href="/tools/finder/">tool finder</a>' in html


def test_results_are_cached_until_the_site_changes(client, page_cache, monkeypatch):
    calls = []
    real = search.search
    monkeypatch.setattr(search, "search", lambda *a, **k: calls.append(a) or real(*a, **k))
    views._results.clear()
    for n in range(3):  # a different address each time: the page cache cannot help
        assert client.get("/search/", {"q": "capacity", "n": n}).status_code == 200
    assert len(calls) == 1
    caching.changed()
    client.get("/search/", {"q": "capacity", "n": 99})
    assert len(calls) == 2
    client.get("/api/search/", {"q": "capacity"})
    assert len(calls) == 3  # the API asks for another shape


def test_no_unused_trigram_index_is_kept():
    """Spelling candidates come from Python on both engines; the trigram index that
    PostgreSQL once kept on the word list is gone (search migration 0003)."""
    from django.db import connection

    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "search_searchword")
    assert "search_searchword_trgm" not in indexes
    assert not any("trgm" in name for name in indexes)
