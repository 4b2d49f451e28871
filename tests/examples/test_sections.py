"""Local examples attached to a guide section: the form's section choice (the chosen
guide's sections) and tool list (the chosen guide's tools first), the examples shown
beside their section on the guide page, and what happens when the content moves,
renames or removes a section."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guides.examples.models import ExampleStatus, LocalExample, first_sentence
from guides.library.content import load_content
from guides.library.models import Guide, Section
from tests.factories import csrf_client, form_data, make_example, make_user, post

pytestmark = pytest.mark.django_db

GUIDE = "/guides/process-mapping/"


def options(html: str, select_id: str) -> list[tuple[str, bool]]:
    """The (value, selected) options of a <select> on a page."""
    match = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert match, f"no select #{select_id}"
    return [
        (value, "selected" in attrs)
        for attrs, value in (
            (m.group(0), m.group(1))
            for m in re.finditer(r'<option value="([^"]*)"[^>]*>', match[1])
        )
    ]


def section_aside(html: str, anchor: str) -> str:
    """The examples panel beside one section of a guide page ("" if there is none)."""
    start = html.index(f'<h2 id="{anchor}">')
    end = html.find('<section class="guide-section"', start)
    part = html[start : end if end != -1 else len(html)]
    match = re.search(r'<div class="section-examples">.*?</div>\s*</section>', part, re.S)
    return match[0] if match else ""


# The form ---------------------------------------------------------------------------


def test_the_form_lists_the_chosen_guides_sections_with_the_one_asked_for_chosen():
    client = csrf_client(make_user("fac", "facilitator"))
    html = client.get("/examples/new/?guide=process-mapping&section=how-to-do-it").content.decode()
    anchors = list(
        Section.objects.filter(guide__slug="process-mapping")
        .order_by("order")
        .values_list("anchor", flat=True)
    )
    listed = options(html, "id_section_anchor")
    assert [v for v, _ in listed] == ["", *anchors]
    assert [v for v, chosen in listed if chosen] == ["how-to-do-it"]
    # A section that is not in the guide is not chosen: the guide as a whole is.
    html = client.get("/examples/new/?guide=process-mapping&section=nope").content.decode()
    assert [v for v, chosen in options(html, "id_section_anchor") if chosen] in ([], [""])


def test_the_form_without_a_guide_offers_only_the_whole_guide():
    client = csrf_client(make_user("fac", "facilitator"))
    html = client.get("/examples/new/").content.decode()
    assert [v for v, _ in options(html, "id_section_anchor")] == [""]


def test_an_example_is_saved_attached_to_its_section():
    author = make_user("fac", "facilitator")
    client = csrf_client(author)
    response = post(client, "/examples/new/", form_data(section_anchor="how-to-do-it"))
    assert response.status_code == 302
    example = LocalExample.objects.get(author=author)
    assert example.section_anchor == "how-to-do-it"
    assert (
        example.section.title
        == Section.objects.get(guide__slug="process-mapping", anchor="how-to-do-it").title
    )
    assert example.result_line == "Letters out the same day rose from 20% to 85%."


@pytest.mark.parametrize("anchor", ["no-such-section", "<b>not a slug</b>"])
def test_a_section_not_in_the_chosen_guide_is_refused_with_a_sentence_and_nothing_lost(anchor):
    author = make_user("fac", "facilitator")
    client = csrf_client(author)
    response = post(client, "/examples/new/", form_data(section_anchor=anchor))
    assert response.status_code == 200
    html = response.content.decode()
    assert "That section is not in “Process mapping" in html
    assert "Discharge letters took **three days**." in html
    assert "<b>not a slug</b>" not in html
    assert not LocalExample.objects.exists()


def test_show_this_guides_sections_keeps_the_text_and_saves_nothing():
    author = make_user("fac", "facilitator")
    client = csrf_client(author)
    measurement = Guide.objects.get(slug="measurement-for-improvement")
    data = form_data(guide=str(measurement.pk), choose_guide="1", tools=[])
    response = post(client, "/examples/new/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert not LocalExample.objects.exists()
    assert "Discharge letters took **three days**." in html
    assert "Nothing has been saved yet" in html
    anchors = list(
        Section.objects.filter(guide=measurement).order_by("order").values_list("anchor", flat=True)
    )
    assert [v for v, _ in options(html, "id_section_anchor")] == ["", *anchors]
    assert "field-has-error" not in html


def test_the_tool_list_puts_the_chosen_guides_tools_first_and_the_rest_under_show_all():
    client = csrf_client(make_user("fac", "facilitator"))
    guide = Guide.objects.get(slug="process-mapping")
    html = client.get("/examples/new/?guide=process-mapping").content.decode()
    mine_html = html[html.index('data-tools="guide"') : html.index('class="tool-group all-tools"')]
    all_html = html[html.index('class="tool-group all-tools"') : html.index("</details>")]
    theirs = [t.name for t in guide.tools.order_by("guidetool__order")]
    assert theirs, "the guide lists tools"
    assert re.findall(r"<label[^>]*>([^<]+)</label>", mine_html) == theirs
    others = re.findall(r"<label[^>]*>([^<]+)</label>", all_html)
    assert not set(others) & set(theirs)
    assert len(others) + len(theirs) == guide.tools.model.objects.count()
    assert '<details class="tool-group all-tools">' in html  # closed: nothing ticked there
    assert f"Show all tools (<span data-other-count>{len(others)}</span> more)" in html


def test_a_ticked_tool_outside_the_guide_opens_show_all():
    author = make_user("fac", "facilitator")
    example = make_example(author, tools=("affinity-diagrams",))
    assert not example.guide.tools.filter(slug="affinity-diagrams").exists()
    html = csrf_client(author).get(f"/examples/{example.pk}/edit/").content.decode()
    assert '<details class="tool-group all-tools" open>' in html


# The guide page ---------------------------------------------------------------------


def test_examples_show_beside_their_section_with_setting_and_result():
    author = make_user("fac", "facilitator")
    make_example(
        author,
        status=ExampleStatus.PUBLISHED,
        section_anchor="how-to-do-it",
        title="Mapping the echo pathway",
        organisation_type="acute",
        results="Waits fell from 12 to 4 weeks. More text follows here.",
    )
    make_example(
        author, status=ExampleStatus.PUBLISHED, section_anchor="how-to-do-it", title="Discharge map"
    )
    make_example(
        author,
        status=ExampleStatus.SUBMITTED,
        section_anchor="how-to-do-it",
        title="Not yet published",
    )
    make_example(author, status=ExampleStatus.PUBLISHED, title="For the whole guide")
    html = csrf_client().get(GUIDE).content.decode()
    aside = section_aside(html, "how-to-do-it")
    assert "<summary>2 local examples</summary>" in aside
    assert "Mapping the echo pathway" in aside and "Discharge map" in aside
    assert "Hospital (acute) trust · Cardiology outpatients" in aside
    assert "Waits fell from 12 to 4 weeks." in aside and "More text follows" not in aside
    assert "Not yet published" not in html
    assert "For the whole guide" not in aside
    assert section_aside(html, "what-it-is") == ""  # no examples, signed out: nothing
    assert "Add a local example here" not in html


def test_facilitators_get_add_a_local_example_here_beside_every_section():
    client = csrf_client(make_user("fac", "facilitator"))
    html = client.get(GUIDE).content.decode()
    anchors = Section.objects.filter(guide__slug="process-mapping").values_list("anchor", flat=True)
    for anchor in anchors:
        aside = section_aside(html, anchor)
        assert f'href="/examples/new/?guide=process-mapping&amp;section={anchor}"' in aside, anchor
    # A trainer cannot add examples: no link.
    html = csrf_client(make_user("tr", "trainer")).get(GUIDE).content.decode()
    assert "Add a local example here" not in html


def test_a_busy_section_shows_its_newest_few_and_links_to_the_rest():
    author = make_user("fac", "facilitator")
    for i in range(7):
        make_example(
            author, status=ExampleStatus.PUBLISHED, section_anchor="how-to-do-it", title=f"Map {i}"
        )
    aside = section_aside(csrf_client().get(GUIDE).content.decode(), "how-to-do-it")
    assert "<summary>7 local examples</summary>" in aside
    assert aside.count("<li>") == 5 and "Map 6" in aside and "Map 0" not in aside
    assert "All 7 local examples for this section" in aside
    assert "/examples/?guide=process-mapping&amp;section=how-to-do-it" in aside


@pytest.mark.parametrize("who", ["anonymous", "facilitator"])
def test_the_guide_page_queries_do_not_grow_with_annotations(who):
    author = make_user("fac", "facilitator")
    client = csrf_client(None if who == "anonymous" else author)
    anchors = list(
        Section.objects.filter(guide__slug="process-mapping").values_list("anchor", flat=True)
    )
    make_example(author, status=ExampleStatus.PUBLISHED, section_anchor=anchors[0])
    client.get(GUIDE)
    with CaptureQueriesContext(connection) as few:
        client.get(GUIDE)
    for anchor in anchors:
        for i in range(6):
            make_example(
                author,
                status=ExampleStatus.PUBLISHED,
                section_anchor=anchor,
                title=f"{anchor} {i}",
                tools=("run-charts",),
                tags=(f"t{i}",),
            )
    with CaptureQueriesContext(connection) as many:
        html = client.get(GUIDE).content.decode()
    assert html.count("<summary>6 local examples</summary>") == len(anchors) - 1
    assert html.count("<summary>7 local examples</summary>") == 1
    assert len(many) == len(few)


# The content moves on -----------------------------------------------------------------


@pytest.fixture
def small_library(content_dir: Path) -> dict:
    load_content(content_dir)
    author = make_user("fac", "facilitator")
    return {
        "dir": content_dir,
        "path": content_dir / "guides/01-process-mapping.md",
        "named": make_example(
            author, status=ExampleStatus.PUBLISHED, section_anchor="what-it-is", title="Kept"
        ),
        "plain": make_example(
            author,
            status=ExampleStatus.PUBLISHED,
            section_anchor="when-to-use-it",
            title="Falls back",
        ),
    }


def test_a_renamed_and_moved_section_keeps_its_examples_by_its_anchor(small_library):
    path = small_library["path"]
    text = path.read_text()
    start = text.index("## What it is and why it matters {#what-it-is}")
    end = text.index("## When to use it")
    first, rest = text[start:end], text[end:]
    renamed = first.replace("What it is and why it matters", "Why map a process")
    path.write_text(text[:start] + rest.rstrip("\n") + "\n\n" + renamed)
    report = load_content(small_library["dir"])
    section = Section.objects.get(guide__slug="process-mapping", anchor="what-it-is")
    assert section.title == "Why map a process"
    assert (
        section.order
        > Section.objects.get(guide__slug="process-mapping", anchor="when-to-use-it").order
    )
    example = LocalExample.objects.get(pk=small_library["named"].pk)
    assert example.section_anchor == "what-it-is"
    assert not any("is gone" in note for note in report.notes)
    html = csrf_client().get(GUIDE).content.decode()
    assert "Kept" in section_aside(html, "what-it-is")


def test_a_removed_section_sends_its_examples_back_to_the_guide_and_says_which(small_library):
    path = small_library["path"]
    # Renaming a heading with no explicit anchor changes its anchor: the section has gone.
    path.write_text(path.read_text().replace("## When to use it", "## When it helps"))
    report = load_content(small_library["dir"])
    example = LocalExample.objects.get(pk=small_library["plain"].pk)
    assert example.section_anchor == ""
    assert example.status == ExampleStatus.PUBLISHED
    assert LocalExample.objects.get(pk=small_library["named"].pk).section_anchor == "what-it-is"
    note = next(n for n in report.notes if "is gone" in n)
    assert "Section 'when-to-use-it' of guide 'process-mapping'" in note
    assert f"#{example.pk} “Falls back”" in note and "Kept" not in note
    assert "{#when-to-use-it}" in note
    # Still listed with the guide as a whole.
    html = csrf_client().get(GUIDE).content.decode()
    assert "Falls back" in html and "Falls back" not in section_aside(html, "when-it-helps")


def test_a_dry_run_reports_the_fall_back_and_changes_nothing(small_library):
    path = small_library["path"]
    path.write_text(path.read_text().replace("## When to use it", "## When it helps"))
    report = load_content(small_library["dir"], dry_run=True)
    assert any("is gone" in note for note in report.notes)
    assert LocalExample.objects.get(pk=small_library["plain"].pk).section_anchor == "when-to-use-it"


def test_first_sentence():
    assert first_sentence("Waits fell from 4.5 to 2 weeks. Then more.") == (
        "Waits fell from 4.5 to 2 weeks."
    )
    assert first_sentence("We used e.g. run charts. Then more.") == "We used e.g. run charts."
    assert first_sentence("No full stop at all") == "No full stop at all"
    assert first_sentence("") == ""


# The list's filters -----------------------------------------------------------------


def titles_listed(html: str) -> list[str]:
    return re.findall(r'<h2 class="example-item-title"><a [^>]*>([^<]+)</a>', html)


def test_the_list_filters_by_section_setting_and_tag_and_counts_each_guide_and_section():
    author = make_user("fac", "facilitator")
    make_example(
        author,
        status=ExampleStatus.PUBLISHED,
        section_anchor="how-to-do-it",
        organisation_type="acute",
        tags=("discharge",),
        title="A",
    )
    make_example(
        author,
        status=ExampleStatus.PUBLISHED,
        section_anchor="how-to-do-it",
        organisation_type="community",
        title="B",
    )
    make_example(
        author,
        status=ExampleStatus.PUBLISHED,
        section_anchor="what-it-is",
        organisation_type="acute",
        title="C",
    )
    make_example(
        author,
        status=ExampleStatus.PUBLISHED,
        guide="measurement-for-improvement",
        organisation_type="social-care",
        title="D",
    )
    make_example(
        author,
        status=ExampleStatus.SUBMITTED,
        section_anchor="how-to-do-it",
        organisation_type="acute",
        title="Draft",
    )
    client = csrf_client()

    def listed(**query) -> tuple[list[str], str]:
        response = client.get("/examples/", query)
        assert response.status_code == 200
        html = response.content.decode()
        return sorted(titles_listed(html)), html

    assert listed()[0] == ["A", "B", "C", "D"]
    assert listed(guide="process-mapping", section="how-to-do-it")[0] == ["A", "B"]
    # The site's search box is not filled with the filters.
    html = listed(guide="process-mapping")[1]
    assert 'name="q" type="search" value=""' in html
    assert listed(setting="acute")[0] == ["A", "C"]
    assert listed(setting="social-care")[0] == ["D"]
    assert listed(guide="process-mapping", section="how-to-do-it", setting="acute")[0] == ["A"]
    assert listed(tag="discharge")[0] == ["A"]
    # Counts: each guide (with the other filters applied), each section of the chosen guide.
    html = listed()[1]
    assert "1. Process mapping, analysis and redesign (3)</option>" in html
    assert "2. Measurement for improvement (1)</option>" in html
    assert "(0)</option>" in html  # guides with none say so
    html = listed(setting="acute")[1]
    assert "1. Process mapping, analysis and redesign (2)</option>" in html
    html = listed(guide="process-mapping")[1]
    how = Section.objects.get(guide__slug="process-mapping", anchor="how-to-do-it")
    assert f'<option value="how-to-do-it">{how.title} (2)</option>' in html
    what = Section.objects.get(guide__slug="process-mapping", anchor="what-it-is")
    assert f'<option value="what-it-is">{what.title} (1)</option>' in html
    html = listed(guide="process-mapping", section="how-to-do-it")[1]
    assert f'<option value="how-to-do-it" selected>{how.title} (2)</option>' in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"section": "how-to-do-it"}, "Choose the guide as well as its section."),
        ({"guide": "process-mapping", "section": "nope"}, "has no section with that name"),
        ({"setting": "<script>"}, "Choose a type of organisation from the list."),
    ],
)
def test_bad_filters_get_a_sentence_not_an_error(query, message):
    response = csrf_client().get("/examples/", query)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and "<script>" not in html.split("<main", 1)[-1]


# The JSON API -----------------------------------------------------------------------


def test_the_api_gives_each_examples_section():
    author = make_user("fac", "facilitator")
    attached = make_example(
        author,
        status=ExampleStatus.PUBLISHED,
        section_anchor="how-to-do-it",
        title="Attached",
        tools=("run-charts",),
        tags=("b", "a"),
    )
    whole = make_example(author, status=ExampleStatus.PUBLISHED, title="Whole guide")
    make_example(author, status=ExampleStatus.SUBMITTED, title="Draft")
    client = csrf_client()
    data = client.get("/api/examples/").json()
    assert data["count"] == 2
    rows = {row["title"]: row for row in data["examples"]}
    how = Section.objects.get(guide__slug="process-mapping", anchor="how-to-do-it")
    assert rows["Attached"]["section"] == {
        "anchor": "how-to-do-it",
        "title": how.title,
        "url": settings.SITE_URL + "/guides/process-mapping/#how-to-do-it",  # not the Host
    }
    assert rows["Attached"]["tools"] == ["run-charts"] and rows["Attached"]["tags"] == ["a", "b"]
    assert rows["Whole guide"]["section"] is None
    assert rows["Whole guide"]["guide"]["slug"] == "process-mapping"
    only = client.get("/api/examples/", {"guide": "process-mapping", "section": "how-to-do-it"})
    assert [row["id"] for row in only.json()["examples"]] == [attached.pk]
    one = client.get(f"/api/examples/{attached.pk}/").json()
    assert one["section"]["anchor"] == "how-to-do-it" and "<strong>" in one["problem_html"]
    assert client.get(f"/api/examples/{whole.pk}/").json()["section"] is None
    draft = LocalExample.objects.get(title="Draft")
    assert client.get(f"/api/examples/{draft.pk}/").status_code == 404
    bad = client.get("/api/examples/", {"section": "how-to-do-it"})
    assert bad.status_code == 400 and "section" in bad.json()["fields"]


def test_the_api_queries_do_not_grow_with_examples():
    author = make_user("fac", "facilitator")
    make_example(author, status=ExampleStatus.PUBLISHED, section_anchor="how-to-do-it")
    client = csrf_client()
    with CaptureQueriesContext(connection) as few:
        client.get("/api/examples/")
    for i in range(12):
        make_example(
            author,
            status=ExampleStatus.PUBLISHED,
            guide="measurement-for-improvement",
            section_anchor="what-it-is",
            tools=("run-charts", "pdsa-cycles"),
            tags=(f"t{i}",),
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/examples/").json()["count"] == 13
    assert len(many) == len(few) <= 6


# A section's handout ------------------------------------------------------------------


def test_a_sections_handout_includes_its_examples_when_the_trainer_ticks_it():
    from guides.training.models import ItemKind, Module
    from tests.factories import add_item

    trainer = make_user("tr", "trainer")
    author = make_user("fac", "facilitator")
    make_example(
        author,
        status=ExampleStatus.PUBLISHED,
        section_anchor="how-to-do-it",
        title="Mapping <the> echo pathway",
        organisation_type="acute",
        results="Waits fell from 12 to 4 weeks. Then more.",
    )
    make_example(
        author, status=ExampleStatus.SUBMITTED, section_anchor="how-to-do-it", title="Still a draft"
    )
    make_example(
        author,
        status=ExampleStatus.PUBLISHED,
        section_anchor="what-it-is",
        title="Another section's",
    )
    module = Module.objects.create(owner=trainer, title="Mapping morning")
    section = Section.objects.get(guide__slug="process-mapping", anchor="how-to-do-it")
    item = add_item(module, ItemKind.SECTION, section)
    client = csrf_client(trainer)
    url = f"/modules/{module.pk}/handout/"
    assert "Mapping &lt;the&gt; echo pathway" not in client.get(url).content.decode()
    # The trainer ticks "include local examples" on the item.
    edit = f"/modules/{module.pk}/items/{item.pk}/edit/"
    form = client.get(edit).content.decode()
    assert "Include local examples" in form
    response = post(client, edit, {"version": module.version, "with_examples": "on"})
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "Local example: Mapping &lt;the&gt; echo pathway" in html
    assert "Hospital (acute) trust · Cardiology outpatients" in html
    assert "Waits fell from 12 to 4 weeks." in html
    assert "Still a draft" not in html and "Another section&#x27;s" not in html
    # Other items have no such choice.
    note = add_item(module, ItemKind.NOTE, title="Hello", text="Hi.")
    tool = add_item(module, ItemKind.TOOL, section.guide.tools.first())
    for other in (note, tool):
        assert (
            "Include local examples"
            not in client.get(f"/modules/{module.pk}/items/{other.pk}/edit/").content.decode()
        )


def test_examples_saved_before_result_lines_get_theirs_from_their_results():
    """Migration examples 0007 fills result_line for rows saved before it existed."""
    import importlib

    from django.apps import apps as django_apps

    from guides.examples.models import LocalExample

    fill = importlib.import_module("guides.examples.migrations.0007_fill_result_lines").fill
    old = make_example(None, results="Waits fell from 12 to 4.5 weeks. Then they held.")
    untouched = make_example(None, results="")
    LocalExample.objects.filter(pk__in=[old.pk, untouched.pk]).update(result_line="")
    fill(django_apps, None)
    old.refresh_from_db()
    untouched.refresh_from_db()
    assert old.result_line == "Waits fell from 12 to 4.5 weeks."
    assert untouched.result_line == ""
