"""Local examples: adding, editing with a preview, moderation, the pages that list them,
lost-update protection, and the cost of each page."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from guides.examples.models import ExampleStatus, LocalExample, normalise_tag, parse_tags
from guides.library.models import Guide, Tool
from tests.factories import (
    csrf_client,
    form_data,
    make_example,
    make_user,
    post,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    return make_user("fac_a", "facilitator", first_name="Asha", last_name="Patel")


@pytest.fixture
def editor():
    return make_user("editor", "editor")


# Adding ----------------------------------------------------------------------------


def test_saving_a_draft_redirects_to_its_page_which_shows_its_status(author):
    client = csrf_client(author)
    response = post(client, "/examples/new/", form_data(save="draft"))
    example = LocalExample.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/examples/{example.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert "<h1>Same-day discharge letters</h1>" in html
    assert 'status status-draft">Draft</strong>' in html
    assert "saved as a draft" in html  # the message after the redirect
    assert f'href="/examples/{example.pk}/edit/"' in html


def test_saving_and_submitting_shows_submitted(author):
    client = csrf_client(author)
    response = post(client, "/examples/new/", form_data(submit_for_review="1"))
    example = LocalExample.objects.get()
    assert example.status == ExampleStatus.SUBMITTED
    html = client.get(response["Location"]).content.decode()
    assert "Submitted for review</strong>" in html
    assert "sent to the editors for review" in html


def test_every_field_is_saved_and_shown(author):
    tools = list(Tool.objects.filter(slug__in=["run-charts", "pdsa-cycles"]))
    data = form_data(tools=[str(t.pk) for t in tools], tags="Cardiac, Primary  Care, A&E")
    post(csrf_client(author), "/examples/new/", data)
    example = LocalExample.objects.get()
    assert example.guide.slug == "process-mapping"
    assert set(example.tools.all()) == set(tools)
    assert sorted(example.tags.names()) == ["a&e", "cardiac", "primary care"]
    assert example.author == author
    assert str(example.period_start) == "2004-04-01" and str(example.period_end) == "2005-03-31"
    assert example.problem_html == "<p>Discharge letters took <strong>three days</strong>.</p>"
    html = csrf_client(author).get(example.get_absolute_url()).content.decode()
    for text in ("Hospital (acute) trust", "Acute medical unit", "Ward 7 nurses and pharmacists",
                 "April 2004 to March 2005", "Service improvement lead", "Run charts",
                 "Involve the pharmacists early.", "Asha Patel", "primary care"):  # fmt: skip
        assert escape(text) in html, text
    assert "/examples/?tag=a%26e" in html


def test_the_add_form_starts_with_the_guide_or_tool_from_the_link(author):
    client = csrf_client(author)
    guide = Guide.objects.get(slug="measurement-for-improvement")
    html = client.get("/examples/new/?guide=measurement-for-improvement").content.decode()
    assert f'<option value="{guide.pk}" selected>' in html
    tool = Tool.objects.get(slug="run-charts")
    html = client.get("/examples/new/?tool=run-charts").content.decode()
    assert re.search(rf'<input type="checkbox" name="tools" value="{tool.pk}"[^>]* checked', html)


def test_required_fields_are_reported_in_an_error_summary_linked_to_the_fields(author):
    response = post(csrf_client(author), "/examples/new/", {"title": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Add a local example" in html
    assert 'role="alert"' in html and "There is a problem" in html
    for field in ("title", "guide", "problem", "what_was_done", "results"):
        assert f'href="#id_{field}"' in html, field
    assert 'aria-invalid="true"' in html
    assert not LocalExample.objects.exists()


def test_a_facilitator_cannot_set_the_status_author_or_version(author):
    other = make_user("fac_b", "facilitator")
    editor = make_user("ed", "editor")
    sneaky = {
        "status": "published",
        "author": str(other.pk),
        "author_id": str(other.pk),
        "reviewed_by": str(editor.pk),
        "published_at": "2020-01-01T00:00:00Z",
        "version": "99",
        "problem_html": "<script>alert(1)</script>",
        "uid": "00000000-0000-0000-0000-000000000000",
    }
    client = csrf_client(author)
    post(client, "/examples/new/", form_data(**sneaky))
    example = LocalExample.objects.get()
    assert example.status == ExampleStatus.DRAFT
    assert example.author == author and example.reviewed_by is None
    assert example.published_at is None and example.version == 1
    assert "<script" not in example.problem_html
    assert str(example.uid) != sneaky["uid"]
    # The same when editing.
    post(
        client,
        f"/examples/{example.pk}/edit/",
        form_data(**sneaky, based_on_version="1", title="Edited"),
    )
    example.refresh_from_db()
    assert example.title == "Edited"
    assert example.status == ExampleStatus.DRAFT and example.author == author
    assert example.version == 2 and example.published_at is None


# Preview ----------------------------------------------------------------------------


def test_preview_shows_the_rendered_text_and_saves_nothing(author):
    client = csrf_client(author)
    response = post(
        client, "/examples/new/", form_data(preview="1", problem="A *new* way\n\n- one\n- two")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Preview (not saved yet)" in html
    assert "<p>A <em>new</em> way</p>" in html and "<li>one</li>" in html
    assert "A *new* way" in html  # the text stays in the form to carry on editing
    assert not LocalExample.objects.exists()


def test_preview_while_editing_saves_nothing(author):
    example = make_example(author, title="Before")
    client = csrf_client(author)
    response = post(
        client,
        f"/examples/{example.pk}/edit/",
        form_data(preview="1", title="After", problem="**bold**", based_on_version="1"),
    )
    assert "<strong>bold</strong>" in response.content.decode()
    example.refresh_from_db()
    assert example.title == "Before" and example.version == 1


def test_preview_links_glossary_terms_like_the_saved_page(author):
    client = csrf_client(author)
    response = post(client, "/examples/new/", form_data(preview="1", problem="We ran a PDSA."))
    assert 'class="term" href="/glossary/' in response.content.decode()


# Moderation ------------------------------------------------------------------------------


def test_the_whole_moderation_journey(author, editor):
    author_client, editor_client, public = csrf_client(author), csrf_client(editor), csrf_client()
    post(author_client, "/examples/new/", form_data(submit_for_review="1", title="Journey"))
    example = LocalExample.objects.get()
    url = example.get_absolute_url()
    assert public.get(url).status_code == 404
    queue = editor_client.get("/examples/review/").content.decode()
    assert "Journey" in queue and "1 example waiting for review" in queue

    # Returned with a comment: the author sees it on the page and in their list.
    post(
        editor_client,
        url + "return/",
        {"return-version": 1, "return-comment": "Please add the run chart figures."},
    )
    assert "Journey" not in editor_client.get("/examples/review/").content.decode()
    for page in (url, "/examples/mine/", url + "edit/"):
        html = author_client.get(page).content.decode()
        assert "Please add the run chart figures." in html, page
    assert "Returned to the author" in author_client.get("/examples/mine/").content.decode()

    # Edited and sent again, in one go.
    response = post(
        author_client,
        url + "edit/",
        form_data(
            title="Journey", results="From 20% to 85%.", based_on_version=2, submit_for_review="1"
        ),
    )
    assert response.status_code == 302
    example.refresh_from_db()
    assert example.status == ExampleStatus.SUBMITTED and example.version == 3

    # Published: everyone sees it, on its page, the list, the guide and the tool.
    example.tools.add(Tool.objects.get(slug="run-charts"))
    post(editor_client, url + "publish/", {"version": example.version})
    example.refresh_from_db()
    assert example.status == ExampleStatus.PUBLISHED and example.published_at
    assert example.reviewed_by == editor and example.editor_comment == ""
    assert public.get(url).status_code == 200
    for page in ("/examples/", "/guides/process-mapping/", "/tools/run-charts/"):
        assert "Journey" in public.get(page).content.decode(), page
    assert "Published" in author_client.get("/examples/mine/").content.decode()
    # The author cannot change it now.
    assert author_client.get(url + "edit/").status_code == 403

    # Unpublished: gone from the public pages, back with the author.
    post(
        editor_client,
        url + "unpublish/",
        {"unpublish-version": example.version, "unpublish-comment": ""},
    )
    example.refresh_from_db()
    assert example.status == ExampleStatus.RETURNED and example.published_at is None
    assert example.editor_comment == "Unpublished by an editor."
    assert public.get(url).status_code == 404
    assert "Journey" not in public.get("/guides/process-mapping/").content.decode()
    assert author_client.get(url + "edit/").status_code == 200


def test_returning_needs_a_comment(author, editor):
    example = make_example(author, status=ExampleStatus.SUBMITTED)
    response = post(
        csrf_client(editor),
        f"/examples/{example.pk}/return/",
        {"return-version": 1, "return-comment": "   "},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and 'href="#id_return-comment"' in html
    example.refresh_from_db()
    assert example.status == ExampleStatus.SUBMITTED


def test_publishing_a_draft_is_refused_with_a_message(author, editor):
    example = make_example(author)
    client = csrf_client(editor)
    response = post(client, f"/examples/{example.pk}/publish/", {"version": 1})
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "Only an example waiting for review can be published." in html
    example.refresh_from_db()
    assert example.status == ExampleStatus.DRAFT


def test_deleting_asks_first_then_deletes(author):
    example = make_example(author, title="To go")
    client = csrf_client(author)
    html = client.get(f"/examples/{example.pk}/delete/").content.decode()
    assert "Delete “To go”?" in html and "cannot be undone" in html
    assert LocalExample.objects.filter(pk=example.pk).exists()
    response = post(client, f"/examples/{example.pk}/delete/", {"version": 1})
    assert response["Location"] == "/examples/mine/"
    assert "has been deleted" in client.get("/examples/mine/").content.decode()
    assert not LocalExample.objects.filter(pk=example.pk).exists()


# Nothing lost: stale saves are refused ----------------------------------------------------


def test_a_stale_save_is_refused_and_keeps_the_users_text(author, editor):
    example = make_example(author, title="Original", problem="Original problem.")
    author_client, editor_client = csrf_client(author), csrf_client(editor)
    # Both open the edit form at version 1.
    assert (
        'name="based_on_version" value="1"'
        in author_client.get(f"/examples/{example.pk}/edit/").content.decode()
    )
    post(
        editor_client,
        f"/examples/{example.pk}/edit/",
        form_data(title="Editor's title", problem="The editor's problem.", based_on_version=1),
    )
    response = post(
        author_client,
        f"/examples/{example.pk}/edit/",
        form_data(title="Author's title", problem="The author's newer text.", based_on_version=1),
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this example after you opened it" in html
    # The author's text is still in the form; the saved version is shown to compare.
    assert 'value="Author&#x27;s title"' in html
    assert "The author&#x27;s newer text.</textarea>" in html
    assert "The latest saved version" in html and "The editor&#x27;s problem." in html
    # Nothing of the author's was saved over the editor's.
    example.refresh_from_db()
    assert example.title == "Editor's title" and example.version == 2
    # The form is now based on the latest version, so saving again goes through.
    assert 'name="based_on_version" value="2"' in html
    response = post(
        author_client,
        f"/examples/{example.pk}/edit/",
        form_data(title="Author's title", problem="The author's newer text.", based_on_version=2),
    )
    assert response.status_code == 302
    example.refresh_from_db()
    assert example.title == "Author's title" and example.version == 3


def test_a_stale_publish_is_refused(author, editor):
    example = make_example(author, status=ExampleStatus.SUBMITTED)
    editor_client = csrf_client(editor)
    assert (
        'name="version" value="1"' in editor_client.get(example.get_absolute_url()).content.decode()
    )
    # The author changes it after the editor opened it.
    post(
        csrf_client(author),
        f"/examples/{example.pk}/edit/",
        form_data(problem="A late change.", based_on_version=1),
    )
    response = post(editor_client, f"/examples/{example.pk}/publish/", {"version": 1})
    html = editor_client.get(response["Location"]).content.decode()
    assert "Someone else changed this example after you opened it" in html
    example.refresh_from_db()
    assert example.status == ExampleStatus.SUBMITTED
    assert "A late change." in html  # the page now shows the latest text to review


def test_only_one_of_two_saves_from_the_same_version_wins(author):
    from django.db import transaction

    example = make_example(author)
    first, second = LocalExample.objects.get(pk=example.pk), LocalExample.objects.get(pk=example.pk)
    with transaction.atomic():
        assert first.claim(1) is True
    with transaction.atomic():
        assert second.claim(1) is False
    assert LocalExample.objects.get(pk=example.pk).version == 2


# Tags -------------------------------------------------------------------------------------


def test_tags_are_normalised():
    assert normalise_tag("  Primary\u00a0\u00a0CARE ") == "primary care"
    assert normalise_tag("ｃａｒｄｉａｃ") == "cardiac"  # fullwidth letters (NFKC)
    assert normalise_tag("A\u200b&E") == "a&e"  # a zero-width space is dropped
    assert normalise_tag("ﬁnance") == "finance"  # a ligature
    assert parse_tags("Cardiac, cardiac ,CARDIAC,, primary care") == ["cardiac", "primary care"]
    with pytest.raises(ValueError, match="at most 40 characters"):
        parse_tags("x" * 41)
    with pytest.raises(ValueError, match="at most 12 tags"):
        parse_tags([f"t{i}" for i in range(13)])


def test_one_tag_whatever_the_spelling(author):
    client = csrf_client(author)
    post(client, "/examples/new/", form_data(tags="Primary Care", title="One"))
    post(client, "/examples/new/", form_data(tags="PRIMARY   care", title="Two"))
    from taggit.models import Tag

    assert list(Tag.objects.filter(name__icontains="primary").values_list("name", flat=True)) == [
        "primary care"
    ]


# The list of examples ------------------------------------------------------------------------


def test_the_list_shows_only_published_examples(author):
    make_example(author, title="Public one", status=ExampleStatus.PUBLISHED)
    for status in (ExampleStatus.DRAFT, ExampleStatus.SUBMITTED, ExampleStatus.RETURNED):
        make_example(author, title=f"Hidden {status}", status=status)
    for client in (csrf_client(), csrf_client(author), csrf_client(make_user("ed", "editor"))):
        html = client.get("/examples/").content.decode()
        assert "Public one" in html and "Hidden" not in html
        assert "1 published example." in html


def test_the_list_filters_by_guide_tool_and_tag(author):
    published = ExampleStatus.PUBLISHED
    make_example(author, title="PM cardiac", tags=("cardiac",), status=published,
                 tools=("run-charts",))  # fmt: skip
    make_example(author, title="PM primary", tags=("primary care",), status=published)
    make_example(author, guide="measurement-for-improvement", title="MFI cardiac",
                 tags=("cardiac",), status=published, tools=("run-charts",))  # fmt: skip
    client = csrf_client()

    def titles(query: dict) -> set[str]:
        html = client.get("/examples/", query).content.decode()
        return set(re.findall(r'class="example-item-title"><a href="[^"]+">([^<]+)</a>', html))

    assert titles({}) == {"PM cardiac", "PM primary", "MFI cardiac"}
    assert titles({"guide": "process-mapping"}) == {"PM cardiac", "PM primary"}
    assert titles({"tool": "run-charts"}) == {"PM cardiac", "MFI cardiac"}
    assert titles({"tag": "Cardiac "}) == {"PM cardiac", "MFI cardiac"}
    assert titles({"tag": "PRIMARY  CARE"}) == {"PM primary"}
    assert titles({"guide": "process-mapping", "tag": "cardiac"}) == {"PM cardiac"}
    assert titles({"tag": "nothing-like-it"}) == set()
    html = client.get("/examples/", {"guide": "no-such-guide"}).content.decode()
    assert "There is no guide with that name." in html


def test_the_list_is_paginated(author):
    for i in range(23):
        make_example(author, title=f"Example {i:02d}", status=ExampleStatus.PUBLISHED)
    client = csrf_client()
    first = client.get("/examples/").content.decode()
    assert first.count('class="example-item"') == 20
    assert "23 published examples; page 1 of 2." in first
    assert 'rel="next" href="?page=2"' in first
    second = client.get("/examples/", {"page": 2}).content.decode()
    assert second.count('class="example-item"') == 3
    assert 'rel="prev" href="?page=1"' in second
    filtered = client.get("/examples/", {"guide": "process-mapping"}).content.decode()
    assert 'href="?guide=process-mapping&amp;page=2"' in filtered
    beyond = client.get("/examples/", {"page": 9}).content.decode()
    assert beyond.count('class="example-item"') == 3  # the last page


def test_guide_and_tool_pages_show_the_latest_published_examples_and_a_link_to_all(author):
    for i in range(5):
        make_example(author, title=f"Published {i}", status=ExampleStatus.PUBLISHED,
                      tools=("run-charts",))  # fmt: skip
    make_example(author, title="Draft one", tools=("run-charts",))
    client = csrf_client()
    for url, link in (
        ("/guides/process-mapping/", "/examples/?guide=process-mapping"),
        ("/tools/run-charts/", "/examples/?tool=run-charts"),
    ):
        html = client.get(url).content.decode()
        shown = re.findall(r">Published (\d)</a>", html)
        assert shown == ["4", "3", "2"], url  # newest first, three of them
        assert "Draft one" not in html
        assert f'href="{link}"' in html
    html = client.get("/guides/working-with-groups/").content.decode()
    assert "No local examples for this guide have been published yet." in html
    assert 'href="/examples/new/?guide=working-with-groups"' in html


def test_the_querysets():
    author = make_user("a", "facilitator")
    guide = Guide.objects.get(slug="process-mapping")
    tool = Tool.objects.get(slug="run-charts")
    one = make_example(author, status=ExampleStatus.PUBLISHED, tools=("run-charts",))
    make_example(author, status=ExampleStatus.DRAFT, tools=("run-charts",))
    make_example(author, guide="working-with-groups", status=ExampleStatus.PUBLISHED)
    assert list(LocalExample.objects.published().for_guide(guide)) == [one]
    assert list(LocalExample.objects.published().for_tool(tool)) == [one]
    assert LocalExample.objects.visible_to(AnonymousUser()).count() == 2


def test_the_example_has_search_text_and_an_address(author):
    example = make_example(
        author, title="Echo waits", tags=("cardiac",), problem="Long **waits**.", contact="Jo"
    )
    assert example.get_absolute_url() == f"/examples/{example.pk}/"
    for words in ("Echo waits", "Cardiology outpatients", "Long waits.", "cardiac", "Jo"):
        assert words in example.text, words
    assert "<" not in example.text and "**" not in example.text


def test_headings_in_an_example_get_ids_that_cannot_clash(author):
    example = make_example(author, problem="## Results\n\nx", results="## Results\n\ny")
    assert f'<h2 id="ex{example.pk}-problem-results">' in example.problem_html
    assert f'<h2 id="ex{example.pk}-results-results">' in example.results_html


# Header links -----------------------------------------------------------------------------


def test_header_links_follow_the_role(author, editor):
    anonymous = csrf_client().get("/").content.decode()
    assert "Staff sign in" in anonymous and "My examples" not in anonymous
    facilitator = csrf_client(author).get("/").content.decode()
    assert 'href="/examples/mine/"' in facilitator and "Sign out" in facilitator
    assert "Review queue" not in facilitator and "Staff sign in" not in facilitator
    assert 'href="/examples/review/"' in csrf_client(editor).get("/").content.decode()
    trainer = csrf_client(make_user("t", "trainer")).get("/").content.decode()
    assert "Review queue" not in trainer


# Query counts: bounded, and not growing with the data -------------------------------------


def grow(author, n: int = 25) -> None:
    tools = ("run-charts", "pdsa-cycles", "five-whys")
    for i in range(n):
        make_example(author, title=f"Grown {i}", status=ExampleStatus.PUBLISHED, tools=tools,
                     tags=(f"tag {i}", "shared", f"other {i}"))  # fmt: skip


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize(
    ("url", "who", "bound"),
    [
        ("/examples/", "anonymous", 7),
        ("/examples/?guide=process-mapping&tool=run-charts&tag=shared", "anonymous", 11),
        ("/examples/?guide=process-mapping&section=how-to-do-it&setting=acute", "anonymous", 11),
        ("/examples/{pk}/", "anonymous", 4),  # + its charts
        ("/examples/{pk}/", "editor", 8),  # + its charts
        ("/examples/{pk}/edit/", "editor", 14),  # + the steps of the tools offered
        ("/examples/new/?guide=process-mapping&section=how-to-do-it", "author", 12),
        ("/examples/mine/", "author", 6),
        ("/examples/review/", "editor", 6),
        ("/guides/process-mapping/", "anonymous", 7),
        ("/guides/process-mapping/", "author", 11),
        ("/tools/run-charts/", "anonymous", 5),  # + the examples of its steps
    ],
)
def test_example_pages_cost_a_bounded_number_of_queries(
    url, who, bound, django_assert_max_num_queries
):
    author = make_user("a", "facilitator")
    people = {"anonymous": None, "author": author, "editor": make_user("ed", "editor")}
    first = make_example(author, status=ExampleStatus.PUBLISHED, tools=("run-charts",),
                         tags=("one", "shared"))  # fmt: skip
    make_example(author, status=ExampleStatus.SUBMITTED)
    client = csrf_client(people[who])
    url = url.format(pk=first.pk)
    with django_assert_max_num_queries(bound):
        client.get(url)
    before = count_queries(client, url)
    grow(author)
    for i in range(10):
        make_example(author, title=f"Waiting {i}", status=ExampleStatus.SUBMITTED)
    first.tools.set(Tool.objects.all()[:15])
    first.tags.add(*[f"more {i}" for i in range(10)])
    assert count_queries(client, url) == before
