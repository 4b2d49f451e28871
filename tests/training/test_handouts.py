"""Handouts: the PDF made on the server (parsed with pypdf: cover, contents with page
numbers that point at the right pages, running headers and footers, items on fresh
pages, addresses, the glossary appendix, the two editions, the page count of a known
module), the print view that shares its template, single guides and tools, and the
restricted URL fetcher that keeps the renderer off the network."""

from __future__ import annotations

import datetime
import io
import re
import threading
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.dateformat import format as date_format
from pypdf import PdfReader

from guides.library import markup
from guides.library.glossary import glossary_for
from guides.library.models import ContentVersion, GlossaryTerm, Guide, Tool
from guides.training import handouts
from guides.training.models import ItemKind, Module, ModuleVisibility
from tests.factories import (
    add_item as add,
)
from tests.factories import (
    csrf_client,
    make_user,
)

pytestmark = pytest.mark.django_db

BASE = "http://testserver/"


# Helpers -----------------------------------------------------------------------------


def known_module(owner) -> Module:
    """Short items only (notes and glossary terms), so the page count is known: the
    cover, the contents, one page of items, one page of glossary."""
    module = Module.objects.create(
        owner=owner,
        title="Testing changes on the ward",
        audience="Ward sisters",
        duration="One hour",
        objectives="Plan a small test of change\nRead a run chart",
        trainer_notes="Bring sticky notes and a **flipchart**.",
    )
    add(module, ItemKind.NOTE, title="Welcome", text="Today we try a PDSA cycle.", minutes=10)
    add(module, ItemKind.TERM, GlossaryTerm.objects.get(slug="run-chart"), minutes=5)
    add(
        module,
        ItemKind.NOTE,
        title="Prompt for the trainer",
        text="Ask who has used a driver diagram.",
        for_participants=False,
    )
    add(module, ItemKind.NOTE, title="Exercise: your own test", text="Write one change idea.")
    return module


def rich_module(owner) -> Module:
    """Items of every size: notes and terms that flow, a tool and a guide on fresh pages."""
    module = Module.objects.create(owner=owner, title="Measurement morning")
    add(module, ItemKind.NOTE, title="Welcome", text="Why we measure over time.")
    add(module, ItemKind.TOOL, Tool.objects.get(slug="run-charts"), minutes=20)
    add(module, ItemKind.TERM, GlossaryTerm.objects.get(slug="pdsa"))
    add(module, ItemKind.GUIDE, Guide.objects.get(slug="measurement-for-improvement"))
    add(module, ItemKind.NOTE, title="Close", text="What will you measure on Monday?")
    return module


def pages_of(pdf: bytes) -> list[str]:
    assert pdf.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def lines(text: str) -> list[str]:
    """The page's lines, without the bullet a list item's line starts with."""
    stripped = (line.strip().removeprefix("\u2022").strip() for line in text.splitlines())
    return [line for line in stripped if line]


TOC_LINE = re.compile(r"^(?P<title>.+?)\s*\.{3,}\s*(?P<page>\d+)$")


def contents(page_text: str) -> list[tuple[str, int]]:
    return [
        (m.group("title").strip(), int(m.group("page")))
        for m in map(TOC_LINE.match, lines(page_text))
        if m
    ]


def first_page_with_line(pages: list[str], line: str, start: int = 2) -> int:
    """1-based number of the first page after the contents with exactly this line."""
    for number, text in enumerate(pages[start:], start=start + 1):
        if line in lines(text):
            return number
    raise AssertionError(f"{line!r} is on no page")


def pdf_of(client: Client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    return pages_of(response.content)


@pytest.fixture
def trainer():
    return make_user("trainer_a", "trainer")


@pytest.fixture
def owner_client(trainer):
    return csrf_client(trainer)


def today() -> str:
    return date_format(timezone.localdate(), "j F Y")


# The module PDF ----------------------------------------------------------------------


def test_cover_shows_title_audience_duration_objectives_date_library_and_version(
    trainer, owner_client
):
    module = known_module(trainer)
    pages = pdf_of(owner_client, f"/modules/{module.pk}/handout.pdf?edition=participant")
    cover = lines(pages[0])
    version = ContentVersion.objects.first().label
    for expected in (
        "Improvement Leaders' Guides library",
        "Testing changes on the ward",
        "Audience Ward sisters",
        "Duration One hour",
        "Learning objectives",
        "Plan a small test of change",
        "Read a run chart",
        f"Date {today()}",
        f"Content version {version}",
        f"Review by {date_format(handouts.add_months(timezone.localdate(), 12), 'j F Y')}",
    ):
        assert expected in cover, (expected, cover)
    assert "Participant's edition" in pages[0]
    # The cover has no running header or footer of its own.
    assert "Page 1 of" not in pages[0]


def test_a_known_module_has_a_known_page_count(trainer, owner_client):
    """Cover, contents, the items (notes and terms follow on), then the glossary."""
    module = known_module(trainer)
    for edition, count in (("trainer", 4), ("participant", 4)):
        pages = pdf_of(owner_client, f"/modules/{module.pk}/handout.pdf?edition={edition}")
        assert len(pages) == count, (edition, [p[:60] for p in pages])
        assert lines(pages[1])[0] == "Contents"
        assert "Welcome" in lines(pages[2]) and "Exercise: your own test" in lines(pages[2])
        assert lines(pages[3])[0] == "Glossary"


def test_every_page_after_the_cover_has_the_running_header_and_footer(trainer, owner_client):
    module = rich_module(trainer)
    pages = pdf_of(owner_client, f"/modules/{module.pk}/handout.pdf?edition=trainer")
    total = len(pages)
    assert total > 8
    version = ContentVersion.objects.first().label
    # The soonest of a year from today and the review dates of the tool and guide it prints.
    soonest = min(
        handouts.add_months(timezone.localdate(), 12),
        Tool.objects.get(slug="run-charts").review_due,
        Guide.objects.get(slug="measurement-for-improvement").review_due,
    )
    review = date_format(soonest, "j F Y")
    for number, text in enumerate(pages[1:], start=2):
        assert f"Page {number} of {total}" in text, number
        assert f"Content version {version} · Review by {review}" in text, number
        assert "Measurement morning Trainer's edition" in text, number


def test_a_long_title_in_the_header_wraps_and_keeps_clear_of_the_edition(trainer):
    """The header's margin boxes have set widths (handout.css): a title longer than its
    three quarters of the line wraps there, whole, and the edition keeps its quarter."""
    title = "A very long module title about measurement " * 4  # some 170 characters
    module = Module.objects.create(owner=trainer, title=title.strip())
    add(module, ItemKind.NOTE, title="Welcome", text="Hello.")
    html = handouts.render_html(
        handouts.module_handout(module, edition="trainer", base_url=BASE), pdf=True
    )
    reader = PdfReader(io.BytesIO(handouts.write_pdf(html, base_url=BASE)))
    text = reader.pages[2].extract_text()  # after the cover and the contents
    header = text.split("Hello.")[1].split("Content version")[0]  # read after the body
    words = " ".join(header.replace("Trainer's edition", "").split())
    assert words == " ".join(title.split())  # whole, in order, nothing over it
    assert "Trainer's edition" in header
    assert "\n" in header.strip()  # wrapped onto a second line


def test_contents_page_numbers_point_at_the_right_pages(trainer, owner_client):
    module = rich_module(trainer)
    pages = pdf_of(owner_client, f"/modules/{module.pk}/handout.pdf?edition=participant")
    entries = contents(pages[1])
    assert [title for title, _ in entries] == [
        "Welcome",
        "Run charts",
        "Plan-Do-Study-Act (PDSA)",
        "Measurement for improvement",
        "Close",
        "Glossary",
    ]
    for title, number in entries:
        assert first_page_with_line(pages, title) == number, title
    # Later items are on later pages, and the guide runs over several.
    numbers = [n for _, n in entries]
    assert numbers == sorted(numbers) and numbers[-1] - numbers[3] > 3


def test_guides_tools_and_examples_start_on_a_fresh_page_notes_and_terms_follow_on(
    trainer, owner_client
):
    module = rich_module(trainer)
    pages = pdf_of(owner_client, f"/modules/{module.pk}/handout.pdf?edition=participant")
    entries = dict(contents(pages[1]))
    assert lines(pages[entries["Run charts"] - 1])[0] == "TOOL OR TECHNIQUE"
    assert lines(pages[entries["Measurement for improvement"] - 1])[0] == "GUIDE 2"
    # A term follows straight on from a short item, on the same page (after a long tool
    # it may also start a page, simply because the tool ended near the foot of one).
    short = Module.objects.create(owner=trainer, title="Short start")
    add(short, ItemKind.NOTE, title="Welcome", text="Why we measure over time.")
    add(short, ItemKind.TERM, GlossaryTerm.objects.get(slug="pdsa"))
    add(short, ItemKind.TOOL, Tool.objects.get(slug="run-charts"))
    pages = pdf_of(owner_client, f"/modules/{short.pk}/handout.pdf?edition=participant")
    entries = dict(contents(pages[1]))
    assert entries["Plan-Do-Study-Act (PDSA)"] == entries["Welcome"]
    assert lines(pages[entries["Plan-Do-Study-Act (PDSA)"] - 1])[0] != "GLOSSARY TERM"
    assert lines(pages[entries["Run charts"] - 1])[0] == "TOOL OR TECHNIQUE"


def test_each_items_web_address_is_printed(trainer, owner_client):
    module = rich_module(trainer)
    text = "\n".join(pdf_of(owner_client, f"/modules/{module.pk}/handout.pdf"))
    for path in ("/tools/run-charts/", "/glossary/pdsa/", "/guides/measurement-for-improvement/"):
        assert f"Online: http://testserver{path}" in text, path
    section = Guide.objects.get(slug="measurement-for-improvement").sections.first()
    assert f"Online: http://testserver{section.get_absolute_url()}" in text
    # The module's own address (private, or carrying its secret link) is never printed.
    assert f"/modules/{module.pk}" not in text


def test_the_glossary_appendix_collects_the_terms_used_anywhere(trainer, owner_client):
    module = known_module(trainer)
    pages = pdf_of(owner_client, f"/modules/{module.pk}/handout.pdf?edition=trainer")
    appendix = lines(pages[-1])
    assert appendix[0] == "Glossary"
    # Used in a note ("PDSA cycle"), an item ("Run chart"), the objectives ("small test
    # of change") and a trainer-only note ("driver diagram").
    for term in ("Plan-Do-Study-Act (PDSA)", "Run chart", "Small test of change", "Driver diagram"):
        assert term in appendix, term
    assert "Spaghetti diagram" not in appendix
    assert any(line.startswith("In everyday words:") for line in appendix)
    # The participant's edition leaves out the trainer-only note, and its term.
    participant = pdf_of(owner_client, f"/modules/{module.pk}/handout.pdf?edition=participant")
    assert "Driver diagram" not in lines(participant[-1])
    assert "Plan-Do-Study-Act (PDSA)" in lines(participant[-1])


def test_trainer_and_participant_editions(trainer, owner_client):
    module = known_module(trainer)
    url = f"/modules/{module.pk}/handout.pdf?edition="
    trainer_text = "\n".join(pdf_of(owner_client, url + "trainer"))
    participant_text = "\n".join(pdf_of(owner_client, url + "participant"))
    for only_for_trainers in (
        "Trainer's notes",
        "Bring sticky notes and a flipchart.",
        "Prompt for the trainer",
        "Ask who has used a driver diagram.",
        "Welcome (10 min)",
        "10 MIN",
        "Timings planned 15 min",
    ):
        assert only_for_trainers in trainer_text, only_for_trainers
        assert only_for_trainers not in participant_text, only_for_trainers
    assert "Trainer's edition" in trainer_text
    assert "Participant's edition" in participant_text
    for both in ("Welcome", "Exercise: your own test", "Write one change idea.", "Run chart"):
        assert both in participant_text


def test_a_removed_item_prints_as_a_placeholder(trainer, owner_client):
    module = rich_module(trainer)
    Tool.objects.get(slug="run-charts").delete()
    pages = pdf_of(owner_client, f"/modules/{module.pk}/handout.pdf?edition=participant")
    text = "\n".join(pages)
    assert "No longer available: This part is no longer in the library" in text
    assert contents(pages[1])[1][0] == "Run charts"  # still listed, under its old title


# Who gets which handout ------------------------------------------------------------------


def test_handouts_follow_the_module_permissions(trainer, owner_client):
    module = known_module(trainer)
    other = csrf_client(make_user("trainer_b", "trainer"))
    for url in (f"/modules/{module.pk}/handout/", f"/modules/{module.pk}/handout.pdf"):
        assert owner_client.get(url).status_code == 200
        assert other.get(url).status_code == 404
        assert Client().get(url).status_code == 404
        assert Client().get(f"{url}?key={module.share_token}").status_code == 404


def test_someone_with_the_public_link_gets_the_participants_edition_only(trainer):
    module = known_module(trainer)
    module.visibility = ModuleVisibility.LINK
    module.save()
    anonymous = Client()
    key = module.share_token
    pages = pdf_of(anonymous, f"/modules/{module.pk}/handout.pdf?edition=trainer&key={key}")
    text = "\n".join(pages)
    assert "Participant's edition" in text
    assert "Trainer's notes" not in text and "Prompt for the trainer" not in text
    page = anonymous.get(f"/modules/{module.pk}/handout/?edition=trainer&key={key}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Prompt for the trainer" not in html
    assert f"/modules/{module.pk}/handout.pdf?edition=participant&amp;key={key}" in html


# The print view ---------------------------------------------------------------------------


def test_the_print_view_shares_the_pdfs_template(trainer, owner_client):
    module = known_module(trainer)
    response = owner_client.get(f"/modules/{module.pk}/handout/?edition=trainer")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    html = response.content.decode()
    for part in ('class="cover"', 'class="toc"', 'id="glossary"', "Trainer's notes"):
        assert part in html
    assert '<link rel="stylesheet" href="/static/css/handout.css">' in html
    assert f'href="/modules/{module.pk}/handout.pdf?edition=trainer"' in html
    assert f'href="/modules/{module.pk}/handout/?edition=participant"' in html
    assert "use your browser's Print command" in html.replace("&#x27;", "'")
    assert "<script>" not in html  # no inline script: the Print button is in modules.js
    # The PDF is the same page without the screen toolbar.
    pdf_html = handouts.render_html(
        handouts.module_handout(module, edition="trainer", base_url=BASE), pdf=True
    )
    assert 'class="handout-toolbar"' in html and 'class="handout-toolbar"' not in pdf_html
    assert "modules.js" not in pdf_html


def test_handout_stylesheet_has_the_paged_media_rules():
    css = (handouts.settings.BASE_DIR / "static/css/handout.css").read_text()
    for rule in (
        'content: "Page " counter(page) " of " counter(pages)',
        "target-counter(attr(href url), page)",
        "string-set: doc-title content()",
        'content: "Content version " string(version) " · Review by " string(review)',
        ".fresh-page, .appendix { break-before: page;",
        "@media print",
    ):
        assert rule in css, rule


# What the Markdown becomes on paper ----------------------------------------------------------


class Outline(HTMLParser):
    """Every id of a handout page, and the heading levels inside each item's prose."""

    VOID = {"br", "hr", "img", "input", "link", "meta", "wbr"}

    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.levels: dict[str, list[int]] = {}
        self.stack: list[tuple[str, str, bool]] = []  # (tag, item anchor, inside prose)
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        item, prose = self.stack[-1][1:] if self.stack else ("", False)
        item = attrs["id"] if tag == "article" else item
        prose = prose or "prose" in (attrs.get("class") or "").split()
        if prose and item and re.fullmatch(r"h[1-6]", tag):
            self.levels.setdefault(item, []).append(int(tag[1]))
        if tag not in self.VOID:
            self.stack.append((tag, item, prose))

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop()[0] != tag:
            pass


def guide_on_its_own(guide: Guide) -> handouts.Handout:
    return handouts.guide_handout(guide, base_url=BASE)


def guide_in_a_module(guide: Guide) -> handouts.Handout:
    module = Module.objects.create(title="One guide")
    add(module, ItemKind.GUIDE, guide)
    return handouts.module_handout(module, edition="participant", base_url=BASE)


@pytest.mark.parametrize(
    ("build", "top"),
    [(guide_on_its_own, 3), (guide_in_a_module, 4)],  # under the item's h2, or its h3 blocks
)
def test_a_guides_handout_has_no_tooltips_unique_ids_and_headings_under_its_items(build, top):
    guide = Guide.objects.get(slug="process-mapping")
    # The control: the guide's own page has tooltips and headings for the handout to adapt.
    assert any("term-tip" in s.html for s in guide.sections.all())
    assert any("<h3" in s.html for s in guide.sections.all())
    handout = build(guide)
    html = handouts.render_html(handout, pdf=True)
    for web_only in ("term-tip", "aria-describedby", 'role="tooltip"', 'class="gloss"'):
        assert web_only not in html, web_only
    assert 'class="term" href="/glossary/' in html  # terms are still marked in the text
    assert handout.terms  # and explained in the appendix
    outline = Outline(html)
    assert len(outline.ids) == len(set(outline.ids)), "ids are not unique"
    assert outline.levels, "no headings in the items"
    for anchor, levels in outline.levels.items():
        assert min(levels) == top, (anchor, levels)


@pytest.mark.parametrize("build", [guide_on_its_own, guide_in_a_module])
def test_a_guides_further_reading_links_no_glossary_terms_as_on_its_page(build):
    """A book's title ("Understanding Variation") is not jargon to explain."""
    guide = Guide.objects.get(slug="measurement-for-improvement")
    # A term the guide uses nowhere else, so only the references could link it.
    term = GlossaryTerm.objects.get(slug="takt-time")
    assert term.term.casefold() not in " ".join(s.body.casefold() for s in guide.sections.all())
    book = f"- Someone A (2020). *{term.term} in practice*. A Publisher."
    reading = guide.sections.get(title="Further reading")
    reading.body = book
    reading.save()
    # The control: the same words under another title are linked.
    assert markup.render(book, glossary=glossary_for(None)).terms == {term.slug}
    handout = build(guide)
    # A guide's sections are blocks of its item in a module, items of their own alone.
    parts = [(b.title or item.title, str(b.html)) for item in handout.items for b in item.blocks]
    reading_html = [html for title, html in parts if title == "Further reading"]
    assert len(reading_html) == 1 and "in practice" in reading_html[0]
    assert 'class="term"' not in reading_html[0]
    assert any('class="term"' in html for title, html in parts)
    assert term.term not in {t.term for t in handout.terms}


def test_in_page_links_in_staff_text_reach_their_headings_on_paper(trainer):
    module = Module.objects.create(
        owner=trainer, title="Links", trainer_notes="# Before\n\n[after](#after)\n\n## After"
    )
    add(module, ItemKind.NOTE, title="A", text="## Part one\n\n### Part two\n\n[up](#part-one)")
    # The same heading as in A: each note's ids are its own, and so are its links.
    add(module, ItemKind.NOTE, title="B", text="#### Part one\n\nSee [part one](#part-one).")
    html = handouts.render_html(
        handouts.module_handout(module, edition="trainer", base_url=BASE), pdf=True
    )
    outline = Outline(html)
    assert len(outline.ids) == len(set(outline.ids))
    targets = re.findall(r'href="#([^"]*)"', html)
    assert len(targets) == 6  # three in the contents (trainer's notes, A, B), three in the notes
    assert all(target in outline.ids for target in targets), targets
    assert {anchor: min(levels) for anchor, levels in outline.levels.items()} == {
        "item-1": 3,
        "item-2": 3,
    }


# Single guides and tools -------------------------------------------------------------------


def test_a_guide_downloads_as_a_pdf_with_its_sections_in_the_contents(client):
    guide = Guide.objects.get(slug="process-mapping")
    response = client.get("/guides/process-mapping/handout.pdf")
    assert response["Content-Disposition"] == (
        'attachment; filename="process-mapping-analysis-and-redesign.pdf"'
    )
    pages = pages_of(response.content)
    assert "Process mapping, analysis and" in pages[0]
    assert f"Online {handouts.absolute(BASE, guide.get_absolute_url())}" in pages[0]
    entries = contents(pages[1])
    sections = list(guide.sections.order_by("order").values_list("title", flat=True))
    titles = [title for title, _ in entries]
    assert titles[: len(sections) + 1] == ["About this guide", *sections]
    for title, number in entries:
        assert first_page_with_line(pages, title) == number, title
    assert f"Page 2 of {len(pages)}" in pages[1]
    assert titles[-1] == "Glossary"


def test_a_tool_downloads_as_a_short_pdf(client):
    pages = pdf_of(client, "/tools/run-charts/handout.pdf")
    assert lines(pages[0])[:3] == [
        "Improvement Leaders' Guides library",
        "Tool or technique",
        "Run charts",
    ]
    assert f"Page 1 of {len(pages)}" in pages[0]
    assert "Online http://testserver/tools/run-charts/" in pages[0]
    assert "Guides that use it" in "\n".join(pages)


def test_guide_and_tool_pages_link_to_their_pdf_and_print_view(client):
    html = client.get("/guides/process-mapping/").content.decode()
    assert 'href="/guides/process-mapping/handout.pdf"' in html
    assert 'href="/guides/process-mapping/handout/"' in html
    html = client.get("/tools/run-charts/").content.decode()
    assert 'href="/tools/run-charts/handout.pdf"' in html
    for url in ("/guides/process-mapping/handout/", "/tools/run-charts/handout/"):
        response = client.get(url)
        assert response.status_code == 200
        assert 'class="doc-title"' in response.content.decode()
    assert client.get("/guides/nothing-here/handout.pdf").status_code == 404
    assert client.get("/tools/nothing-here/handout.pdf").status_code == 404


def test_guide_and_tool_handouts_take_their_review_dates_from_the_content(client):
    """Not from the print date: the handout says when the content itself is due a check."""
    Guide.objects.filter(slug="process-mapping").update(
        last_reviewed=datetime.date(2026, 3, 4), review_due=datetime.date(2027, 9, 30)
    )
    Tool.objects.filter(slug="run-charts").update(
        last_reviewed=datetime.date(2025, 1, 2), review_due=datetime.date(2026, 1, 31)
    )
    for url, reviewed, due in (
        ("/guides/process-mapping/handout/", "4 March 2026", "30 September 2027"),
        ("/tools/run-charts/handout/", "2 January 2025", "31 January 2026"),
    ):
        html = client.get(url).content.decode()
        assert f"<dt>Last reviewed</dt><dd>{reviewed}</dd>" in html, url
        assert f'<dt>Review by</dt><dd class="review-date">{due}</dd>' in html, url
    guide = Guide.objects.get(slug="process-mapping")
    assert handouts.guide_handout(guide, base_url=BASE).review_by == datetime.date(2027, 9, 30)


def test_site_print_styles_leave_out_the_module_controls():
    css = (handouts.settings.BASE_DIR / "static/css/site.css").read_text()
    block = css[css.index("/* == Training modules == */") :]
    assert re.search(r"@media print \{\s*\.page-actions, \.add-to-module", block)


# The renderer fetches nothing from the network ----------------------------------------------


STATIC_CSS = f"{BASE}static/css/handout.css"


@pytest.mark.parametrize(
    "url",
    [
        "http://evil.example/static/css/handout.css",  # another host
        "https://testserver/static/css/handout.css",  # another scheme
        "http://testserver:8080/static/css/handout.css",  # another port
        "http://127.0.0.1/static/css/handout.css",
        "ftp://testserver/static/css/handout.css",
        "file:///etc/passwd",
        "file:///work/main/static/css/handout.css",  # file: even inside static
        "data:text/css,body{background:url(http://evil.example/)}",
        "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=",
        "http://testserver/guides/process-mapping/",  # a page, not a static file
        "http://testserver/static/../ilg/settings.py",
        "http://testserver/static/%2e%2e/ilg/settings.py",
        "http://testserver/static/css/%2E%2E/%2E%2E/manage.py",
        "http://testserver/static/css/..%2f..%2fmanage.py",
        "http://testserver/static//etc/passwd",
        "http://testserver/static/css/",
        "http://testserver/static/css/missing.css",
        "http://testserver/static/css\\..\\..\\manage.py",
    ],
)
def test_the_fetcher_refuses_everything_but_static_files(url):
    fetcher = handouts.static_only_fetcher(BASE)
    with pytest.raises(handouts.RefusedURL):
        fetcher.fetch(url)
    assert fetcher.refused == [url]
    assert handouts.static_file(url, BASE) is None


def test_the_fetcher_serves_the_apps_static_files_from_disk():
    fetcher = handouts.static_only_fetcher(BASE)
    response = fetcher.fetch(STATIC_CSS)
    assert response.content_type == "text/css"
    assert b"@page" in response.read()
    assert fetcher.served == [STATIC_CSS]


class Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the http.server name
        Recorder.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def listener():
    """A local server that records every request made to it."""
    Recorder.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_text_written_by_staff_cannot_make_the_renderer_reach_out(
    trainer, owner_client, listener, monkeypatch
):
    made = []
    original = handouts.static_only_fetcher

    def spy(base_url):
        made.append(original(base_url))
        return made[-1]

    monkeypatch.setattr(handouts, "static_only_fetcher", spy)
    module = Module.objects.create(
        owner=trainer,
        title="Outside world",
        trainer_notes=f"![notes]({listener}/from-notes.png)",
    )
    add(
        module,
        ItemKind.NOTE,
        title="Pictures",
        text=f"![a]({listener}/from-note.png)\n\n![b](/static/../../etc/passwd)\n\n"
        f"![c](/static/%2e%2e/%2e%2e/manage.py)\n\n![d](file:///etc/passwd)\n\n"
        f'<img src="{listener}/raw-html.png">',
    )
    for edition in ("trainer", "participant"):
        pages = pdf_of(owner_client, f"/modules/{module.pk}/handout.pdf?edition={edition}")
        assert "Pictures" in "\n".join(pages)
    assert Recorder.hits == []
    refused = [url for fetcher in made for url in fetcher.refused]
    assert f"{listener}/from-note.png" in refused
    assert f"{listener}/from-notes.png" in refused
    assert f"{listener}/raw-html.png" in refused
    assert all(fetcher.served == [STATIC_CSS] for fetcher in made)


def test_without_the_restricted_fetcher_the_same_text_would_reach_out(trainer, listener):
    """The control for the test above: it shows that the listener would see a request."""
    from weasyprint.urls import URLFetcher

    module = Module.objects.create(owner=trainer, title="Outside world")
    add(module, ItemKind.NOTE, title="Pictures", text=f"![a]({listener}/from-note.png)")
    html = handouts.render_html(
        handouts.module_handout(module, edition="trainer", base_url=BASE), pdf=True
    )
    handouts.write_pdf(html, base_url=BASE, fetcher=URLFetcher(timeout=5))
    assert Recorder.hits == ["/from-note.png"]


def test_data_urls_are_refused_even_in_trusted_html():
    html = (
        '<html><body><p>x</p><img src="data:image/svg+xml;base64,'
        'PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4="></body></html>'
    )
    fetcher = handouts.static_only_fetcher(BASE)
    pdf = handouts.write_pdf(html, base_url=BASE, fetcher=fetcher)
    assert pdf.startswith(b"%PDF-")
    assert len(fetcher.refused) == 1 and fetcher.refused[0].startswith("data:image/svg+xml")


def test_the_garbage_collector_is_paused_while_weasyprint_works_and_resumed_after():
    """write_pdf pauses Python's cyclic collector for the render (it costs a fifth of a
    long handout's time) and always turns it back on, even when the render fails."""
    import gc

    from guides.training.handouts import pdf as pdf_module

    seen = []

    class Watching(type(handouts.static_only_fetcher(BASE))):
        def fetch(self, url, headers=None):
            seen.append(gc.isenabled())
            return super().fetch(url, headers)

    html = '<html><head><link rel="stylesheet" href="/static/css/handout.css"></head><p>x</p>'
    assert gc.isenabled()
    handouts.write_pdf(html, base_url=BASE, fetcher=Watching())
    assert seen == [False] and gc.isenabled()

    class Failing(Watching):
        def fetch(self, url, headers=None):
            raise KeyboardInterrupt  # not an error WeasyPrint swallows

    with pytest.raises(KeyboardInterrupt):
        handouts.write_pdf(html, base_url=BASE, fetcher=Failing())
    assert gc.isenabled()

    # Nested (renders in two threads at once): only the last one out resumes it, and a
    # collector that was off before stays off.
    with pdf_module.collector_paused():
        with pdf_module.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with pdf_module.collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_fetcher_finds_the_hashed_stylesheet_after_collectstatic(settings, tmp_path):
    """In production `{% static %}` names a hashed copy in STATIC_ROOT: the PDF must
    still get its stylesheet (or it would lose its page numbers and headers)."""
    from django.core.management import call_command

    settings.STATIC_ROOT = str(tmp_path / "static")
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    html = handouts.render_html(
        # A tool with no template: the handout's one stylesheet (tests/library/
        # test_worksheet_pdf.py checks a template's stylesheet is found as well).
        handouts.tool_handout(Tool.objects.get(slug="systems-thinking"), base_url=BASE),
        pdf=True,
    )
    hashed = re.search(r'href="(/static/css/handout\.[0-9a-f]{12}\.css)"', html).group(1)
    fetcher = handouts.static_only_fetcher(BASE)
    pages = pages_of(handouts.write_pdf(html, base_url=BASE, fetcher=fetcher))
    assert fetcher.served == [BASE.rstrip("/") + hashed]
    assert f"Page 1 of {len(pages)}" in pages[0]


def test_a_modules_review_date_is_the_soonest_of_its_contents_or_a_year(trainer):
    """A printed module is checked against the site when the first guide or tool it
    prints is due a review, or a year after printing if that comes sooner."""
    a_year = handouts.add_months(timezone.localdate(), 12)
    Guide.objects.update(review_due=a_year + datetime.timedelta(days=400))
    Tool.objects.update(review_due=a_year + datetime.timedelta(days=400))
    module = rich_module(trainer)
    edition = {"edition": handouts.TRAINER, "base_url": BASE}
    assert handouts.module_handout(module, **edition).review_by == a_year
    soon = timezone.localdate() + datetime.timedelta(days=40)
    Tool.objects.filter(slug="run-charts").update(review_due=soon)
    module = Module.objects.get(pk=module.pk)
    assert handouts.module_handout(module, **edition).review_by == soon
    # Both editions print the tool, so both say so.
    participant = {"edition": handouts.PARTICIPANT, "base_url": BASE}
    assert handouts.module_handout(module, **participant).review_by == soon
    # A tool that has since been removed from the library no longer counts.
    module.items.filter(kind=ItemKind.TOOL).update(tool=None)
    assert handouts.module_handout(Module.objects.get(pk=module.pk), **edition).review_by == a_year
    Tool.objects.filter(slug="run-charts").update(review_due=soon)
    module = rich_module(trainer)
    html = handouts.render_html(handouts.module_handout(module, **edition), pdf=False)
    assert f'<dt>Review by</dt><dd class="review-date">{date_format(soon, "j F Y")}</dd>' in html
