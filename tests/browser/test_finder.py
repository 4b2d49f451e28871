"""The tool finder and tool templates in a real browser: a lead's journey from a problem
to a spreadsheet, axe on the finder, and the template table at phone and desktop widths."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from openpyxl import load_workbook
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def test_waiting_list_problem_to_the_demand_and_capacity_spreadsheet_in_three_clicks(
    site, page, shot, tmp_path
):
    clicks = 0

    def click(locator) -> None:
        nonlocal clicks
        clicks += 1
        locator.click()

    page.goto(site + "/")
    shot("home")
    click(page.get_by_role("main").get_by_role("link", name=re.compile("Which tool do I need")))
    expect(page.get_by_role("heading", level=1)).to_have_text("What are you trying to do?")
    shot("finder")
    problem = page.locator(".problem-list > li").filter(
        has=page.get_by_role("heading", name="“Our waiting list keeps growing”")
    )
    expect(problem).to_have_count(1)
    tool_link = problem.get_by_role("link", name="Demand and capacity tables", exact=True)
    expect(tool_link).to_be_visible()
    with page.expect_download() as download:
        click(problem.get_by_role("link", name="spreadsheet for Demand and capacity tables"))
    path = tmp_path / "template.xlsx"
    download.value.save_as(path)
    assert clicks <= 3
    sheet = load_workbook(path).active
    cells = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    for column in ("Week beginning", "Demand", "Capacity", "Activity", "Backlog at end"):
        assert column in cells


@pytest.mark.parametrize(
    "path", ["/tools/finder/", "/tools/finder/?stage=measuring&people=on-your-own&guide=x"]
)
def test_finder_has_no_wcag_violations(site, page, shot, path):
    page.goto(site + path)
    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    assert result.response["violations"] == [], result.generate_report()
    shot("filtered" if "?" in path else "page")


def test_finder_filters_without_javascript_keep_their_state_in_the_address(browser, site, viewport):
    from tests.browser.support import VIEWPORTS

    context = browser.new_context(viewport=VIEWPORTS[viewport], java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/tools/finder/")
    page.get_by_label("Stage of the work", exact=True).select_option(label="Measuring")
    people = page.get_by_label("Who you need", exact=True)
    people.select_option(label="On your own or with a colleague")
    page.get_by_role("button", name="Show tools").click()
    expect(page).to_have_url(re.compile(r"stage=measuring.*people=on-your-own"))
    expect(page.get_by_label("Stage of the work", exact=True)).to_have_value("measuring")
    results = page.locator("#results .card-title")
    expect(results.first).to_be_visible()
    assert "Run charts" in results.all_inner_texts()
    context.close()


@pytest.mark.parametrize(
    "slug", ["demand-and-capacity-tables", "pdsa-cycles", "stakeholder-analysis"]
)
def test_template_table_fits_at_desktop_and_scrolls_in_its_frame_on_a_phone(
    site, page, viewport, shot, slug
):
    page.goto(f"{site}/tools/{slug}/")
    expect(page.get_by_role("complementary", name="At a glance")).to_be_visible()
    shot(f"{slug}-facts")
    page.goto(f"{site}/tools/{slug}/#template")
    table = page.locator(".worksheet-table").first
    expect(table).to_be_visible()
    # The page itself never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    frame = page.locator(".worksheet-scroll").first
    frame_box, table_box = frame.bounding_box(), table.bounding_box()
    if viewport == "desktop":
        # No column cut off: the whole table is inside its frame and the window.
        assert table_box["x"] + table_box["width"] <= frame_box["x"] + frame_box["width"] + 1
        assert table_box["x"] + table_box["width"] <= 1280
    else:
        # A wide table scrolls inside its frame, which a keyboard can reach.
        assert frame.get_attribute("tabindex") == "0"
    # Every cell has room to write in (at least 2.5 rem on screen).
    heights = page.evaluate(
        "[...document.querySelectorAll('.worksheet-table tbody tr')]"
        ".filter(r => r.getClientRects().length).map(r => r.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 40, heights
    page.locator("#template").scroll_into_view_if_needed()
    shot(slug)


def test_printable_worksheet_page(site, page, shot):
    page.goto(site + "/tools/demand-and-capacity-tables/worksheet/")
    expect(page.locator(".worksheet-table tbody tr")).to_have_count(14)  # 12 weeks, 2 totals
    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    assert result.response["violations"] == [], result.generate_report()
    shot("worksheet")


def test_printing_the_tool_page_prints_every_row_of_its_template(site, page):
    page.goto(f"{site}/tools/demand-and-capacity-tables/")
    rows = page.locator(".worksheet-table").first.locator("tbody tr")
    visible = "els => els.filter(e => e.getClientRects().length).length"
    assert rows.evaluate_all(visible) == 5  # three weeks, total and average
    page.emulate_media(media="print")
    assert rows.evaluate_all(visible) == 14
    heights = rows.evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
    assert min(heights) >= 8 * 96 / 25.4, heights  # at least 8 mm at the CSS 96 px an inch
