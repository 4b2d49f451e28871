"""Journeys through the site in a real browser, at phone and desktop widths."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_lead_reads_a_guide_follows_a_term_and_searches_in_plain_words(site, page, shot):
    page.goto(site + "/")
    expect(page.locator(".guide-list .card")).to_have_count(11)
    shot("home")
    page.get_by_role("link", name=re.compile("Measurement for improvement")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Measurement for improvement")
    expect(page.get_by_role("navigation", name="On this page")).to_be_visible()
    shot("guide")

    # A glossary term explains itself on keyboard focus, and Escape hides it again.
    term = page.locator(".prose a.term").first
    tip = page.locator(f"#{term.get_attribute('aria-describedby')}")
    expect(tip).to_be_hidden()
    term.focus()
    expect(tip).to_be_visible()
    shot("tooltip")
    page.keyboard.press("Escape")
    expect(tip).to_be_hidden()
    term_name = tip.locator("strong").inner_text().rstrip(":")
    term.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(term_name)
    shot("term")

    box = page.get_by_role("searchbox").first
    box.fill("running a pilot")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=running"))
    expect(page.locator(".result-title a").first).to_be_visible()
    titles = page.locator(".result-title a").all_inner_texts()[:3]
    assert any("PDSA" in t for t in titles), titles
    shot("search")


def test_skip_link_is_the_first_tab_stop_and_focus_is_visible(site, page):
    page.goto(site + "/guides/process-mapping/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    expect(page.locator(".skip-link")).to_be_in_viewport()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/guides/matching-capacity-and-demand/",
        "/tools/run-charts/",
        "/glossary/",
        "/search/?q=capacity",
    ],  # fmt: skip
)
def test_text_at_200_percent_loses_nothing(site, page, shot, path):
    page.goto(site + path)
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    shot("zoom-200-" + (path.strip("/").split("/")[0].split("?")[0] or "home"))
    assert overflow <= 1, f"{path}: {overflow}px of horizontal scrolling at 200% text"
