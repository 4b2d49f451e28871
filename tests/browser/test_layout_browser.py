"""The NHS look on a phone (390 px) and a desktop (1280 px): nothing scrolls sideways on
any page type, the header fits, glossary tooltips stay on screen and open on a tap, and
"On this page" stays in view. Each page type is photographed at both widths."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import ARTIFACTS, SIGNED_IN_PAGES, SIGNED_OUT_PAGES

pytestmark = pytest.mark.django_db(transaction=True)

GUIDE = "/guides/measurement-for-improvement/"


def overflow(page) -> int:
    """How far the page reaches past the right of the screen (0: no sideways scroll)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def name_of(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


def visit_all(page, site: str, paths: list[str], viewport: str, who: str, library) -> list[str]:
    """Visit each page type (its address pattern, filled in from `library`), photograph it
    (named after the pattern, so runs overwrite each other) and list any too wide."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    wide = []
    for pattern in paths:
        path = pattern.format(**library)
        page.goto(site + path)
        shot = ARTIFACTS / f"page-{who}-{name_of(pattern)[:60]}-{viewport}.png"
        page.screenshot(path=str(shot), full_page=True)
        if (extra := overflow(page)) > 0:
            wide.append(f"{path}: {extra}px too wide")
    return wide


def test_no_page_type_scrolls_sideways_signed_out(site, page, viewport, library):
    assert visit_all(page, site, SIGNED_OUT_PAGES, viewport, "visitor", library) == []


@pytest.mark.parametrize("role", ["facilitator", "editor", "trainer"])
def test_no_page_type_scrolls_sideways_signed_in(site, page, viewport, library, signed_in, role):
    signed_in(library[role])
    paths = [p for who, p in SIGNED_IN_PAGES if who == role]
    assert visit_all(page, site, paths, viewport, role, library) == []


def test_the_header_is_the_design_systems_and_fits_a_phone(site, page, viewport, library):
    page.goto(site + GUIDE)
    header = page.locator("header.nhsuk-header")
    expect(header).to_be_visible()
    expect(header.locator(".nhsuk-header__service-name")).to_contain_text(
        "Improvement Leaders' Guides library"
    )
    height = header.bounding_box()["height"]
    if viewport == "phone":
        assert height <= 80, f"the header is {height}px tall on a phone"
    # Everything in the navigation is still reachable: on a phone through "More".
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Guides")).to_be_visible()
    footer = page.locator("footer.nhsuk-footer")
    expect(footer).to_contain_text("Content version")
    # A short page still puts its footer at the foot of the screen.
    page.goto(site + "/accounts/login/")
    box = page.locator("footer.nhsuk-footer").bounding_box()
    assert box["y"] + box["height"] >= page.viewport_size["height"] - 1


def rightmost_term(page):
    """The glossary term nearest the right edge of the screen among the visible ones."""
    index = page.evaluate(
        """() => {
        const terms = [...document.querySelectorAll('.prose .gloss > a.term')];
        let best = -1, right = -1;
        terms.forEach((t, i) => { const r = t.getBoundingClientRect();
          if (r.width && r.right > right) { right = r.right; best = i; } });
        return best; }"""
    )
    assert index >= 0, "the guide has glossary terms"
    return page.locator(".prose .gloss > a.term").nth(index)


def test_a_tooltip_on_the_rightmost_term_stays_inside_the_screen(site, page, viewport):
    page.goto(site + GUIDE)
    term = rightmost_term(page)
    term.scroll_into_view_if_needed()
    term.hover()
    tip = term.locator("xpath=following-sibling::span[@role='tooltip']")
    expect(tip).to_be_visible()
    box = tip.bounding_box()
    width = page.evaluate("document.documentElement.clientWidth")
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, (box, width)
    assert overflow(page) == 0


def test_a_tap_opens_a_tooltip_and_a_second_tap_goes_to_the_entry(site, browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True, locale="en-GB"
    )
    page = context.new_page()
    try:
        page.goto(site + GUIDE)
        term = rightmost_term(page)
        term.scroll_into_view_if_needed()
        term.tap()
        tip = term.locator("xpath=following-sibling::span[@role='tooltip']")
        expect(tip).to_be_visible()
        assert page.url == site + GUIDE  # the first tap did not jump away
        box = tip.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        page.screenshot(path=str(ARTIFACTS / "tooltip-tapped-phone.png"))
        href = term.get_attribute("href")
        term.tap()
        page.wait_for_url(re.compile(re.escape(href.split("#")[0])))
    finally:
        context.close()


def test_on_this_page_stays_in_view_as_you_scroll_on_a_desktop(site, page, viewport):
    if viewport != "desktop":
        pytest.skip("on a phone the contents come first, above the text")
    page.goto(site + GUIDE)
    contents = page.get_by_role("navigation", name="On this page")
    expect(contents).to_be_visible()
    page.evaluate("window.scrollTo(0, 3000)")
    assert page.evaluate("window.scrollY") > 2000
    box = contents.bounding_box()
    assert 0 <= box["y"] < page.viewport_size["height"], box


def test_the_glossary_filters_and_keeps_its_letters_in_view(site, page, viewport):
    page.goto(site + "/glossary/")
    page.get_by_label("Filter the glossary").fill("run chart")
    expect(page.get_by_role("status").filter(has_text="match")).to_be_visible()
    visible = page.locator(".glossary-entry:visible")
    assert 0 < visible.count() < page.locator(".glossary-entry").count()
    for text in visible.all_inner_texts():
        assert "run" in text.lower() and "chart" in text.lower()
    page.get_by_label("Filter the glossary").fill("")
    page.evaluate("window.scrollTo(0, 4000)")
    assert page.evaluate("window.scrollY") > 3000
    box = page.get_by_role("navigation", name="Glossary letters").bounding_box()
    assert 0 <= box["y"] < 10, box
    assert overflow(page) == 0


@pytest.mark.parametrize("path", ["/", "/tools/"])
def test_cards_side_by_side_are_the_same_height(site, page, viewport, path):
    """In a row of cards every card reaches the row's foot: the grid's gap spaces them,
    and no list margin shortens all but the last of each list."""
    page.goto(site + path)
    boxes = page.evaluate(
        """[...document.querySelectorAll('.guide-list > li, .card-grid > li')].map(e => {
             const r = e.getBoundingClientRect();
             return [Math.round(r.top), Math.round(r.bottom)];
           })"""
    )
    assert len(boxes) > 3
    rows: dict[int, set[int]] = {}
    for top, bottom in boxes:
        rows.setdefault(top, set()).add(bottom)
    uneven = {top: bottoms for top, bottoms in rows.items() if len(bottoms) > 1}
    assert not uneven, f"cards in one row end at different heights: {uneven}"
