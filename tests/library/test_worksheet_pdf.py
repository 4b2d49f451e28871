"""Templates on paper: the printable worksheet page and the tool and module handouts,
laid out by WeasyPrint (the handouts' PDF engine): every writing row at least 8 mm high,
no cell outside the page, wide tables on landscape pages."""

from io import BytesIO

import pytest
from django.test import Client
from pypdf import PdfReader

from guides.library.models import Tool
from guides.library.worksheets import Sheet
from guides.training import handouts
from guides.training.models import ItemKind, Module
from tests.factories import add_item

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

BASE = "http://testserver"
MM = 96 / 25.4  # CSS pixels in a millimetre


def layout(html: str):
    from weasyprint import HTML

    fetcher = handouts.static_only_fetcher(BASE + "/")
    return HTML(string=html, base_url=BASE + "/", url_fetcher=fetcher).render()


def boxes(box, parent=None):
    box.parent_tag = getattr(parent, "element_tag", None)
    yield box
    for child in getattr(box, "children", None) or []:
        yield from boxes(child, box)


def check_pages(document, slug: str) -> int:
    """Checks every worksheet row and cell on every page, and that a wide worksheet is on
    a landscape page; returns how many body rows were printed."""
    body_rows = 0
    for number, page in enumerate(document.pages, start=1):
        found = list(boxes(page._page_box))
        tables = [b for b in found if type(b).__name__ == "TableBox"
                  and "worksheet-table" in (b.element.get("class") or "")]  # fmt: skip
        for table in tables:
            wide = table.element.get("data-orientation") == "landscape"
            assert (page.width > page.height) == wide, (slug, number)
            for box in boxes(table):
                kind = type(box).__name__
                if kind == "TableCellBox":
                    right = box.position_x + box.margin_width()
                    bottom = box.position_y + box.margin_height()
                    assert box.position_x >= 0 and right <= page.width, (slug, number, right / MM)
                    assert bottom <= page.height, (slug, number)
                if kind == "TableRowBox" and box.parent_tag == "tbody":
                    body_rows += 1
                    assert box.height >= 8 * MM - 0.01, (slug, number, box.height / MM)
    return body_rows


def test_every_printable_worksheet_has_tall_rows_and_nothing_outside_the_page():
    client = Client()
    for tool in Tool.objects.filter(worksheet__isnull=False):
        sheet = Sheet.from_json(tool.worksheet)
        html = client.get(f"/tools/{tool.slug}/worksheet/").content.decode()
        rows = check_pages(layout(html), tool.slug)
        assert ("worksheet-landscape" in html) == sheet.landscape
        expected = sum(len(p.rows) + len(p.totals) for p in sheet.tables)
        assert rows == expected, tool.slug  # every row printed, none lost


def test_demand_and_capacity_worksheet_is_one_landscape_page():
    html = Client().get("/tools/demand-and-capacity-tables/worksheet/").content.decode()
    document = layout(html)
    assert len(document.pages) == 1
    assert document.pages[0].width > document.pages[0].height


def test_the_tool_handout_pdf_prints_the_template_in_full_on_a_landscape_page():
    response = Client().get("/tools/demand-and-capacity-tables/handout.pdf")
    assert response.status_code == 200
    reader = PdfReader(BytesIO(response.content))
    shapes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    assert shapes[0][0] < shapes[0][1]  # the text is portrait
    landscape = [i for i, (w, h) in enumerate(shapes) if w > h]
    assert landscape, shapes
    text = " ".join(reader.pages[i].extract_text() for i in landscape)
    for label in ("Week beginning", "Demand", "Lost capacity", "Backlog at end", "Average"):
        assert label in text
    tool = Tool.objects.get(slug="demand-and-capacity-tables")
    handout = handouts.tool_handout(tool, base_url=BASE)
    html = handouts.render_html(handout, pdf=True)
    assert check_pages(layout(html), tool.slug) == 14


def test_a_module_handout_prints_its_tools_templates():
    module = Module.objects.create(title="Waiting lists")
    add_item(module, ItemKind.TOOL, Tool.objects.get(slug="demand-and-capacity-tables"))
    add_item(module, ItemKind.TOOL, Tool.objects.get(slug="pdsa-cycles"))
    handout = handouts.module_handout(module, edition="participant", base_url=BASE)
    html = handouts.render_html(handout, pdf=True)
    assert html.count('class="worksheet-table') == 2
    # Twelve weeks and two totals, and the twelve PDSA prompts, each on its own paper.
    assert check_pages(layout(html), "module") == 14 + 12


def test_the_handout_pdf_fetches_the_templates_stylesheet_and_nothing_else(settings, tmp_path):
    import re

    from django.core.management import call_command

    settings.STATIC_ROOT = str(tmp_path / "static")
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    tool = Tool.objects.get(slug="demand-and-capacity-tables")
    html = handouts.render_html(handouts.tool_handout(tool, base_url=BASE), pdf=True)
    sheets = re.findall(r'href="(/static/css/(?:handout|tools)\.[0-9a-f]{12}\.css)"', html)
    assert len(sheets) == 2
    fetcher = handouts.static_only_fetcher(BASE)
    handouts.write_pdf(html, base_url=BASE, fetcher=fetcher)
    assert fetcher.served == [BASE + path for path in sheets]
    assert fetcher.refused == []


def test_the_handout_stylesheets_print_without_warnings(caplog):
    """WeasyPrint reads every rule of the handout's stylesheets (a media query it cannot
    read, such as one without a media type, is dropped with a warning on every PDF)."""
    import logging

    tool = Tool.objects.get(slug="demand-and-capacity-tables")
    html = handouts.render_html(handouts.tool_handout(tool, base_url=BASE), pdf=True)
    assert "tools.css" in html and "handout.css" in html
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        layout(html)
    warnings = [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")]
    assert not warnings, warnings
