"""Search: relevance, plain words, typos, filters, the API, and hostile input, on
whichever engine the test database is (the suite runs on SQLite and on PostgreSQL)."""

import re

import pytest

from guides.library.content import load_content
from guides.search import engine as search
from guides.search.models import SearchDocument

pytestmark = pytest.mark.django_db


def test_plain_words_find_what_the_jargon_finds():
    results = search.search("running a pilot", limit=500)
    assert "Plan-Do-Study-Act (PDSA)" in results.plan.expanded_terms
    pilot = [r.url for r in results.results]
    assert "/tools/pdsa-cycles/" in pilot[:3]
    # Pages that say only "PDSA" are found too, through the glossary.
    assert "/tools/model-for-improvement/" in pilot
    results = search.search("where are we now", limit=5)
    assert "/guides/measurement-for-improvement/" in [r.url for r in results.results]
    assert "Measurement for improvement" in results.plan.expanded_terms


@pytest.mark.parametrize(("query", "word"), [("mapping", "map"), ("queues", "queue")])
def test_stemming(query, word):
    results = search.search(query, limit=20)
    assert results.count
    assert any(re.search(rf"<mark>{word}", r.snippet_html, re.I) for r in results.results)


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [
        ("procss map", "process map"),
        ("capcity", "capacity"),
        ("varation", "variation"),
        ("stakholder analysys", "stakeholder analysis"),
    ],  # fmt: skip
)
def test_typos_within_two_edits_are_corrected_and_found(query, suggestion):
    results = search.search(query)
    assert results.suggestion == suggestion
    assert results.count > 0


def test_correct_words_are_not_corrected():
    assert search.search("process mapping queues").suggestion == ""


def test_filters_by_type_and_guide():
    results = search.search("measure", types=["tool"], limit=50)
    assert results.count and {r.type for r in results.results} == {"tool"}
    results = search.search("measure", guide="matching-capacity-and-demand", limit=50)
    assert results.count
    assert all("matching-capacity-and-demand" in r.guides for r in results.results)


def test_pagination_is_consistent_with_the_count():
    first = search.search("patients", limit=5, offset=0)
    second = search.search("patients", limit=5, offset=5)
    assert first.count == second.count > 10
    assert not {r.url for r in first.results} & {r.url for r in second.results}
    scores = [r.score for r in first.results]
    assert scores == sorted(scores, reverse=True)


def test_content_reload_reindexes(content_dir):
    load_content(content_dir)
    assert search.search("process map").count
    assert not search.search("zebrafish").count
    path = content_dir / "tools/run-charts.md"
    path.write_text(path.read_text() + "\nA zebrafish swims past.\n")
    load_content(content_dir)
    results = search.search("zebrafish")
    assert [r.url for r in results.results] == ["/tools/run-charts/"]
    assert SearchDocument.objects.filter(kind="guide").count() == 2


# The page and the API ----------------------------------------------------------------


def test_search_page_shows_ranked_results_with_highlighted_snippets(client):
    response = client.get("/search/", {"q": "run chart"})
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"\d+ results? for “run chart”", html)
    assert "<mark>" in html
    assert 'href="/tools/run-charts/"' in html
    assert "Tool or technique" in html


def test_section_results_link_to_the_anchor(client):
    results = search.search("worked example illustrative", types=["section"], limit=5)
    assert results.results and all("#" in r.url for r in results.results)


def test_no_results_page_helps(client):
    html = client.get("/search/", {"q": "capcity managment"}).content.decode()
    assert "Did you mean" in html and "capacity management" in html
    html = client.get("/search/", {"q": "qwxzvbnm"}).content.decode()
    assert "Nothing found" in html
    assert 'href="/guides/process-mapping/"' in html  # the guide list


def test_empty_query_suggests_plain_words_and_guides(client):
    html = client.get("/search/").content.decode()
    assert "running a pilot" in html
    assert 'href="/guides/redesigning-roles/"' in html


def test_api_shape(client):
    data = client.get("/api/search/", {"q": "PDSA", "limit": 5}).json()
    assert data["count"] >= len(data["results"]) > 0
    assert len(data["results"]) <= 5
    first = data["results"][0]
    assert set(first) == {
        "type", "kind", "object_id", "key", "group", "title", "url", "guides", "snippet", "score"
    }  # fmt: skip
    groups = {"guide": "guides", "section": "guides", "tool": "tools", "term": "terms"}
    for r in data["results"]:
        assert r["kind"] == r["type"] and r["group"] == groups[r["kind"]]
        assert r["key"].startswith(f"{r['kind']}:") and isinstance(r["object_id"], int)
    assert "<mark>" not in first["snippet"]
    scores = [r["score"] for r in data["results"]]
    assert scores == sorted(scores, reverse=True)


def test_api_type_and_guide_filters(client):
    data = client.get("/api/search/", {"q": "chart", "type": "term"}).json()
    assert data["results"] and {r["type"] for r in data["results"]} == {"term"}
    assert client.get("/api/search/", {"q": "chart", "type": "nonsense"}).status_code == 400
    assert client.get("/api/search/", {"q": "chart", "limit": "lots"}).status_code == 400
    assert client.get("/api/search/", {"q": "chart", "guide": "../etc"}).status_code == 400


def test_page_and_api_return_the_same_ranking(client):
    data = client.get("/api/search/", {"q": "bottleneck", "limit": 10, "type": "term"}).json()
    api = [r["url"] for r in data["results"]]
    html = client.get("/search/", {"q": "bottleneck", "type": "term"}).content.decode()
    page = re.findall(r'<h2 class="result-title"><a href="([^"]+)"', html)[:10]
    assert [u.replace("http://testserver", "") for u in api] == page


def test_grouped_page_follows_the_api_ranking_in_each_group(client):
    data = client.get("/api/search/", {"q": "bottleneck", "limit": 50}).json()
    html = client.get("/search/", {"q": "bottleneck"}).content.decode()
    best = re.search(r'class="best-answer".*?<a href="([^"]+)"', html, re.S).group(1)
    ranked = [r["url"].replace("http://testserver", "") for r in data["results"]]
    assert best == ranked[0]
    for group in ("guides", "tools", "terms"):
        section = re.search(rf'result-group-{group}".*?</section>', html, re.S)
        assert section, group
        shown = re.findall(r'<h3 class="result-title"><a href="([^"]+)"', section.group())
        in_group = [
            r["url"].replace("http://testserver", "") for r in data["results"]
            if r["group"] == group and r["url"] != "http://testserver" + best
        ]  # fmt: skip
        assert 1 <= len(shown) <= 3 and shown == in_group[: len(shown)], group


def test_long_query_is_cut_with_a_message(client):
    response = client.get("/search/", {"q": "capacity " * 2000})
    assert response.status_code == 200
    assert "only its first" in response.content.decode()
    data = client.get("/api/search/", {"q": "capacity " * 2000}).json()
    assert "cut to its first" in data["message"]


HOSTILE = [
    '"', '""', "'", "NEAR(a b)", "a NEAR b", "*", "capacity*", "-demand", "title:pdsa",
    "AND", "OR", "NOT", "a AND OR NOT b", "(", ")", "((()))", "x" * 10_000, "pdsa\x00",
    "\x00", "😀", "🏥 waiting 😀 list", "%", "_", "\\", "' OR 1=1 --", "<script>alert(1)</script>",
    "{}[]^~", "run:chart", "c++", "NEAR/2", "\u202e", "ä ö ü", "日本語", "a" * 201,
    # Apostrophes, filler only, names and phrases broken up, expansion at its limits.
    "don't", "'s", "’", "o'", "what's", "how do I", "the of and to", "?" * 50, "-" * 300,
    "why why why why why why why why why why why why why", "PDSA " * 40, "run chart" + "s" * 300,
    "where are we now " * 12, "(PDSA)", "Plan-Do-Study-Act", "Plan--Do--", "5 whys", "80/20",
    "\ue000", "\ue001 mark \ue000", "<mark>x</mark>", "a\u0301", "ﬁsh", "İstanbul",
]  # fmt: skip


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_error(client, query):
    for url in ("/search/", "/api/search/"):
        response = client.get(url, {"q": query})
        assert response.status_code in (200, 400), (url, query, response.status_code)
        if url == "/search/":
            assert b"<script>alert" not in response.content


def test_broken_utf8_in_the_query_string(client):
    response = client.get("/search/?q=%ff%fe%C3%28pdsa")
    assert response.status_code in (200, 400)
    response = client.get("/api/search/?q=%ff%fe%C3%28pdsa&limit=%ff")
    assert response.status_code in (200, 400)


def test_snippets_escape_what_users_typed(client):
    html = client.get("/search/", {"q": "<b>capacity</b>"}).content.decode()
    assert "<b>capacity</b>" not in html
    assert "&lt;b&gt;capacity&lt;/b&gt;" in html


def test_search_page_query_count_is_bounded(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        client.get("/search/", {"q": "capacity demand"})


def test_results_carry_their_identity():
    """kind, object_id and key name the row a result stands for, without its address."""
    from guides.library.models import GlossaryTerm, Guide, Section, Tool
    from guides.search.index import key_of

    models = {"guide": Guide, "section": Section, "tool": Tool, "term": GlossaryTerm}
    seen = set()
    for query in ("run chart", "process mapping", "capacity", "running a pilot"):
        for result in search.search(query, limit=20).results:
            obj = models[result.type].objects.get(pk=result.object_id)
            assert result.key == key_of(result.type, obj)
            assert result.key.startswith(f"{result.type}:")
            assert result.url == obj.get_absolute_url()
            seen.add(result.type)
    assert seen == set(models)
