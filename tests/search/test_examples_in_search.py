"""Local examples in search: only published ones, kept in step with every change."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from guides.examples.models import ExampleStatus, LocalExample
from guides.search import engine as search
from guides.search.models import SearchDocument
from tests.factories import make_example, make_user

pytestmark = pytest.mark.django_db

WORD = "zanzibarian"  # in no guide, tool or term


def urls(query: str, **filters) -> list[str]:
    return [r.url for r in search.search(query, limit=50, **filters).results]


def test_unpublished_examples_never_appear_in_results_snippets_or_counts(client):
    author = make_user("fac", "facilitator")
    for status in (ExampleStatus.DRAFT, ExampleStatus.SUBMITTED, ExampleStatus.RETURNED):
        make_example(author, title=f"{WORD} {status}", status=status)
    results = search.search(WORD)
    assert results.count == 0 and results.results == []
    html = client.get("/search/", {"q": WORD}).content.decode()
    assert "0 results for" in html and 'class="result ' not in html
    assert client.get("/api/search/", {"q": WORD}).json()["count"] == 0


def test_publishing_and_unpublishing_update_the_index():
    author, editor = make_user("fac", "facilitator"), make_user("ed", "editor")
    example = make_example(author, title=f"Echo waits in {WORD} clinic", tags=("cardiac",))
    assert urls(WORD) == []
    example.status = ExampleStatus.SUBMITTED
    example.save()
    assert urls(WORD) == []
    example.set_status(ExampleStatus.PUBLISHED, by=editor)
    results = search.search(WORD)
    assert [r.url for r in results.results] == [example.get_absolute_url()]
    assert results.results[0].type == "example"
    assert results.results[0].guides == ["process-mapping"]
    example.set_status(ExampleStatus.RETURNED, by=editor, comment="Say more about the data.")
    assert urls(WORD) == []


def test_edits_tags_and_deletion_are_reflected():
    author = make_user("fac", "facilitator")
    example = make_example(author, title="Echo waits", status=ExampleStatus.PUBLISHED)
    assert urls(WORD) == []
    example.results = f"The {WORD} team cut the wait."
    example.save()
    assert urls(WORD) == [example.get_absolute_url()]
    example.tags.add("stroke")
    assert example.get_absolute_url() in urls(WORD, tag="stroke")
    assert urls(WORD, tag="cardiac") == []
    example.delete()
    assert urls(WORD) == []
    assert not SearchDocument.objects.filter(kind="example").exists()


def test_examples_filter_by_type_and_guide(client):
    author = make_user("fac", "facilitator")
    example = make_example(
        author, title=f"{WORD} pilot", guide="measurement-for-improvement",
        status=ExampleStatus.PUBLISHED,
    )  # fmt: skip
    assert urls(WORD, types=["example"]) == [example.get_absolute_url()]
    assert urls(WORD, types=["tool"]) == []
    assert urls(WORD, guide="measurement-for-improvement") == [example.get_absolute_url()]
    assert urls(WORD, guide="process-mapping") == []
    data = client.get("/api/search/", {"q": WORD, "type": "example"}).json()
    assert data["results"][0]["type"] == "example"
    assert data["results"][0]["url"] == "http://testserver" + example.get_absolute_url()


def test_hostile_example_text_is_escaped_in_snippets(client):
    author = make_user("fac", "facilitator")
    make_example(
        author, title=f"{WORD} <img src=x onerror=alert(1)>",
        results=f"{WORD} <script>alert(1)</script> \ue000 done", status=ExampleStatus.PUBLISHED,
    )  # fmt: skip
    html = client.get("/search/", {"q": WORD}).content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert html.count("<mark>") == html.count("</mark>")


def test_seed_examples_are_marked_synthetic_and_searchable(settings):
    out = StringIO()
    call_command("seed_examples", count=30, published=1.0, stdout=out)
    assert "Created 30 synthetic local examples" in out.getvalue()
    examples = LocalExample.objects.filter(tags__name="synthetic")
    assert examples.count() == 30
    assert all(e.title.startswith("Synthetic:") for e in examples)
    assert SearchDocument.objects.filter(kind="example").count() == 30
    assert search.search("synthetic", types=["example"]).count == 30
    call_command("seed_examples", delete=True, stdout=out)
    assert not LocalExample.objects.exists()
    assert not SearchDocument.objects.filter(kind="example").exists()


def test_seed_examples_is_refused_in_production(settings):
    from django.core.management import CommandError

    settings.HTTPS = True
    with pytest.raises(CommandError, match="refused with HTTPS=true"):
        call_command("seed_examples", count=1, stdout=StringIO())


def test_very_common_words_count_up_to_the_cap_and_rank_the_newest(monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 20)
    monkeypatch.setattr(search, "RANK_WINDOW", 10)
    call_command("seed_examples", count=40, published=1.0, stdout=StringIO())
    results = search.search("synthetic", types=["example"], limit=50)
    assert results.count == 20 and results.count_capped
    newest = sorted(LocalExample.objects.values_list("pk", flat=True))[-10:]
    shown = [int(r.url.strip("/").split("/")[-1]) for r in results.results]
    assert sorted(shown) == newest


def test_rebuild_search_index_command():
    author = make_user("fac", "facilitator")
    example = make_example(author, title=f"{WORD} wait", status=ExampleStatus.PUBLISHED)
    SearchDocument.objects.all().delete()
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "1 published local examples" in out.getvalue()
    assert urls(WORD) == [example.get_absolute_url()]
    assert search.search("run chart").count


def test_grouped_page_has_a_local_examples_group_with_show_all(client):
    author = make_user("fac", "facilitator")
    for i in range(5):
        make_example(
            author, title=f"Bottleneck on ward {i}", results=f"The {WORD} bottleneck moved.",
            status=ExampleStatus.PUBLISHED,
        )  # fmt: skip
    html = client.get("/search/", {"q": f"bottleneck {WORD}"}).content.decode()
    group = re.search(
        r'<section class="result-group result-group-examples".*?</section>', html, re.S
    )
    assert group and ">Local examples <span" in group.group()
    assert 1 <= group.group().count('class="result result-example"') <= 3
    assert "Show all 5" in group.group() and "type=example" in group.group()
    data = client.get("/api/search/", {"q": f"bottleneck {WORD}", "limit": 50}).json()
    assert {r["group"] for r in data["results"] if r["kind"] == "example"} == {"examples"}
