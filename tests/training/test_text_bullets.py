"""The PDF's bulleted lists carry their bullets as text (guides/training/handouts/pdf.py
`text_bullets`), which WeasyPrint lays out far quicker than list markers. The PDF must
read and look as it did with markers: the same pages, the same words on each, every
bullet where the marker was, and items whose first letter the font kerns after a space
("A", "T", "Y") starting where they started."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from guides.examples.models import ExampleStatus
from guides.library.models import Guide, Tool
from guides.training import handouts
from guides.training.handouts import pdf as pdf_module
from guides.training.handouts.pdf import BULLET, BULLET_APART, text_bullets
from guides.training.models import ItemKind, Module
from tests.factories import add_item, make_example, make_user

B = BULLET
U = '<ul class="text-bullets">'


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<ul><li>a</li><li>b</li></ul>", f'{U}<li>{B}a</li><li>{B}b</li></ul>'),
        # Before the first text, after any white space (which would widen the gap).
        ("<ul>\n<li>\n  a</li></ul>", f'{U}\n<li>\n  {B}a</li></ul>'),
        # Before an inline element the item starts with.
        ("<ul><li><strong>a</strong> b</li></ul>", f'{U}<li>{B}<strong>a</strong> b</li></ul>'),
        # A loose item: inside its first paragraph only.
        ("<ul><li>\n<p>a</p><p>b</p></li></ul>", f'{U}<li>\n<p>{B}a</p><p>b</p></li></ul>'),
        # A list inside a list keeps its marker (a circle or a square there), as does a
        # numbered list.
        ("<ol><li>a<ul><li>b</li></ul></li></ol>", "<ol><li>a<ul><li>b</li></ul></li></ol>"),
        ("<ul><li>a<ol><li>b</li></ol></li></ul>", f"{U}<li>{B}a<ol><li>b</li></ol></li></ul>"),
        ("<ul><li>a<ul><li>b</li></ul></li></ul>", f"{U}<li>{B}a<ul><li>b</li></ul></li></ul>"),
        ("<ul><li>a</li></ul><ul><li>b</li></ul>", f"{U}<li>{B}a</li></ul>{U}<li>{B}b</li></ul>"),
        # An item that opens with a nested list: its bullet on a line of its own, as a marker.
        ("<ul><li><ul><li>a</li></ul></li></ul>", f"{U}<li>{B}<ul><li>a</li></ul></li></ul>"),
        # A letter the font kerns after a space: the bullet in an element of its own.
        ("<ul><li>Alpha</li><li>Tango</li><li>Beta</li></ul>",
         f"{U}<li>{BULLET_APART}Alpha</li><li>{BULLET_APART}Tango</li><li>{B}Beta</li></ul>"),
        ("<ul><li></li></ul>", f'{U}<li>{B}</li></ul>'),
        ('<ul><li id="x">a</li></ul>', f'{U}<li id="x">{B}a</li></ul>'),
        # Lists styled by a class (worksheet check boxes, toolbars) are left alone.
        ('<ul class="checklist"><li>a</li></ul>', '<ul class="checklist"><li>a</li></ul>'),
        # A "<ul>" inside an attribute value is not a tag.
        ("<p title='<ul><li>'>a</p><li>b</li>", "<p title='<ul><li>'>a</p><li>b</li>"),
        ("<ul><li>a", f'{U}<li>{B}a'),
    ],
)  # fmt: skip
def test_each_item_of_a_plain_bulleted_list_starts_with_its_bullet(html, expected):
    assert text_bullets(html) == expected


def test_the_print_view_keeps_real_markers():
    html = handouts.render_html(_guide_handout(), pdf=False)
    assert "text-bullets" not in html and BULLET not in html
    pdf_html = handouts.render_html(_guide_handout(), pdf=True)
    assert pdf_html.count("text-bullets") > 5


def _guide_handout() -> handouts.Handout:
    guide = Guide.objects.get(slug="measurement-for-improvement")
    return handouts.guide_handout(guide, base_url="http://testserver/")


pytestmark = pytest.mark.django_db


def _module() -> Module:
    """Every kind of list a handout prints: the content's, a worksheet's, the
    objectives, the related links, and staff text with loose, nested and numbered
    lists and items that start with letters the font kerns after a space."""
    owner = make_user("trainer", "trainer")
    module = Module.objects.create(
        owner=owner,
        title="Lists",
        objectives="Read a run chart\nPlan a test",
        trainer_notes="- Bring pens\n- Book the room",
    )
    body = (
        "- Alpha item\n- Tango item with **bold**\n- Yankee\n\n"
        "Loose:\n\n- First paragraph\n\n    Second paragraph of the same item\n\n- Next\n\n"
        "1. One\n    - nested under one\n2. Two\n\n- Outer\n    - inner\n        - innermost\n"
    )
    example = make_example(
        owner, guide="measurement-for-improvement", what_was_done=body,
        status=ExampleStatus.PUBLISHED,
    )  # fmt: skip
    add_item(module, ItemKind.NOTE, title="Notes", text=body)
    add_item(module, ItemKind.TOOL, Tool.objects.get(slug="run-charts"))
    add_item(module, ItemKind.GUIDE, Guide.objects.get(slug="measurement-for-improvement"))
    add_item(module, ItemKind.EXAMPLE, example)
    return module


def _pdf(module: Module, monkeypatch, *, text: bool) -> PdfReader:
    if not text:
        monkeypatch.setattr(pdf_module, "text_bullets", lambda html: html)
    handout = handouts.module_handout(module, edition=handouts.TRAINER, base_url="http://t/")
    html = handouts.render_html(handout, pdf=True)
    monkeypatch.undo()
    assert ("text-bullets" in html) is text
    return PdfReader(io.BytesIO(handouts.write_pdf(html, base_url="http://t/")))


def _bullets(page) -> list[tuple[float, float]]:
    """Where each bullet is drawn on the page, in points."""
    found = []

    def visit(text, cm, tm, font, size):
        if text.lstrip().startswith("\u2022"):
            found.append((round(tm[4] * cm[0] + cm[4], 1), round(tm[5] * cm[3] + cm[5], 1)))

    page.extract_text(visitor_text=visit)
    return found


def _words(page) -> list[str]:
    """The page's words in reading order, bullets left out: a marker is drawn after the
    text beside it, so it comes elsewhere in the extracted text (_bullets() places it)."""
    text = page.extract_text().replace("\u00a0", " ").replace("\u2022", " ")
    return re.sub(r"\s+", " ", text).split()


@pytest.mark.slow
def test_text_bullets_print_what_markers_printed_where_they_printed_it(monkeypatch):
    module = _module()
    markers, text = _pdf(module, monkeypatch, text=False), _pdf(module, monkeypatch, text=True)
    assert len(text.pages) == len(markers.pages) > 5
    drawn = 0
    for number, (old, new) in enumerate(zip(markers.pages, text.pages, strict=True), 1):
        assert _words(new) == _words(old), f"page {number} reads differently"
        assert _bullets(new) == _bullets(old), f"page {number}'s bullets moved"
        drawn += len(_bullets(new))
        missing = _kerned_starts(old) - _text_starts(new)
        assert not missing, f"page {number}: an item starting with A, T or Y moved"
    assert drawn > 40
    assert sum(len(_kerned_starts(page)) for page in markers.pages) >= 6  # note and example


def _kerned_starts(page) -> set[tuple[float, float]]:
    """Where the marker version starts the items that begin with a kerned letter."""
    found = set()

    def visit(text, cm, tm, font, size):
        if text.startswith(("Alpha item", "Tango item", "Yankee")):
            found.add((round(tm[4], 1), round(tm[5], 1)))

    page.extract_text(visitor_text=visit)
    return found


def _text_starts(page) -> set[tuple[float, float]]:
    """Where each run of text on the page starts (its text matrix)."""
    found = set()

    def visit(operator, operands, cm, tm):
        if operator == b"Tm":
            found.add((round(float(operands[4]), 1), round(float(operands[5]), 1)))

    page.extract_text(visitor_operand_before=visit)
    return found
