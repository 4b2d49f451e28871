"""Journeys through the site in a real browser, at phone and desktop widths."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import VIEWPORTS, go_to_menu_link, make_staff, sign_in

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
    if not box.is_visible():  # a phone: the header's "Search" link leads to the box
        go_to_menu_link(page, "Search")
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


EXAMPLE_TITLE = "Discharge letters out the same day"


def test_facilitator_adds_an_example_an_editor_publishes_it_and_it_shows_on_the_guide(
    site, page, shot, browser, viewport, page_cache
):
    make_staff("fac", "facilitator", first_name="Asha", last_name="Patel")
    make_staff("ed", "editor")
    guide_url = site + "/guides/process-mapping/"

    # A visitor reads the guide first, so the page is in the anonymous page cache.
    visitor = browser.new_context(viewport=VIEWPORTS[viewport], locale="en-GB").new_page()
    visitor.goto(guide_url)
    expect(visitor.locator(".local-examples")).not_to_contain_text(EXAMPLE_TITLE)

    # The facilitator starts from the guide page, and is asked to sign in on the way.
    page.goto(guide_url)
    page.get_by_role("link", name="Add an example from your own work").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Username").fill("fac")
    page.get_by_label("Password").fill("a-long-test-password-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a local example")
    expect(page.get_by_label("Guide", exact=True)).to_have_value(re.compile(r"\d+"))
    page.get_by_label("Title").fill(EXAMPLE_TITLE)
    page.get_by_label("Service").fill("Acute medical unit")
    page.get_by_label("The problem").fill("Discharge letters took **three days** to reach GPs.")
    page.get_by_label("What you did").fill("We mapped the process on post-it notes.")
    page.get_by_label("What happened, with the measures").fill(
        "Letters sent the same day rose from 20% to 85% over twelve weeks."
    )
    page.get_by_text("Show all tools").click()  # Run charts is not one of this guide's
    page.get_by_label("Run charts", exact=True).check()
    shot("example-form")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".preview")).to_contain_text("three days")
    page.get_by_role("button", name="Save and send for review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(EXAMPLE_TITLE)
    expect(page.locator(".messages")).to_contain_text("sent to the editors for review")
    shot("example-submitted")

    # The editor, in another browser, publishes it from the review queue.
    editor = browser.new_context(viewport=VIEWPORTS[viewport], locale="en-GB").new_page()
    sign_in(editor, site, "ed", "/examples/review/")
    expect(editor.get_by_role("heading", level=1)).to_have_text("Review queue")
    editor.get_by_role("link", name=EXAMPLE_TITLE).click()
    shot_of(editor, "editor-review", viewport)
    editor.get_by_role("button", name="Publish").click()
    expect(editor.locator(".messages")).to_contain_text("The example is published")

    # The visitor's next look at the guide shows it: the cached page was replaced.
    visitor.goto(guide_url)
    card = visitor.locator(".local-examples").get_by_role("link", name=EXAMPLE_TITLE)
    expect(card).to_be_visible()
    shot_of(visitor, "guide-with-example", viewport)
    card.click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(EXAMPLE_TITLE)
    expect(visitor.locator("main")).to_contain_text("85%")
    visitor.context.close()
    editor.context.close()


def shot_of(other_page, step: str, viewport: str) -> None:
    from tests.browser.support import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = "test_facilitator_adds_an_example_an_editor_publishes_it_and_it_shows_on_the_guide"
    other_page.screenshot(path=str(ARTIFACTS / f"{name}-{viewport}-{step}.png"))


# Keyboard only -----------------------------------------------------------------------

FOCUSABLE = """() => {
  const selector = 'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]),'
    + ' select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
  const seenRadio = new Set();
  const items = [];
  for (const el of document.querySelectorAll(selector)) {
    const style = getComputedStyle(el);
    if (!el.getClientRects().length || style.visibility === 'hidden') continue;
    if (el.closest('[hidden], [inert], details:not([open]) > :not(summary)')) continue;
    // A group of radio buttons is one tab stop (the arrow keys move within it).
    if (el.type === 'radio') { if (seenRadio.has(el.name)) continue; seenRadio.add(el.name); }
    el.dataset.kb = String(items.length);
    const name = el.innerText || el.value || el.name || el.getAttribute('aria-label') || '';
    items.push(name.trim().slice(0, 40));
  }
  return items;
}"""

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== 'none';
  const radioGroup = el.type === 'radio'
    ? [...document.querySelectorAll(`input[type=radio][name="${el.name}"]`)].find(r => r.dataset.kb)
    : null;
  return {kb: (radioGroup || el).dataset.kb ?? null, visible: outline || shadow,
          tag: `${el.tagName}#${el.id}`,
          text: (el.innerText || el.value || '').trim().slice(0, 40)};
}"""


def tab_through(page) -> tuple[list[str], list[dict]]:
    """Tab from the top of the page until focus leaves it: every stop, in order."""
    expected = page.evaluate(FOCUSABLE)
    # Start from the top of the document, as after loading a page with no autofocus.
    page.evaluate(
        "() => { const start = document.createElement('span'); start.tabIndex = -1;"
        " document.body.prepend(start); start.focus(); start.remove(); window.scrollTo(0, 0); }"
    )
    stops = []
    for _ in range(len(expected) + 20):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None or (stops and focused["kb"] == stops[0]["kb"]):
            break  # focus left the page (or came round again): no trap
        stops.append(focused)
    else:
        raise AssertionError(f"focus never left the page: trapped near {stops[-1]}")
    return expected, stops


KEYBOARD_PAGES = [
    (None, "/"),
    (None, "/guides/measurement-for-improvement/"),
    (None, "/search/?q=running+a+pilot"),
    (None, "/examples/"),
    (None, "/run-chart/?data=1%0A3%0A2%0A4%0A5%0A3%0A6%0A4%0A7%0A5%0A8%0A6"),
    (None, "/accounts/login/"),
    ("facilitator", "/examples/new/"),
    ("editor", "/examples/{submitted}/"),
    ("trainer", "/modules/{module}/"),
]


@pytest.mark.parametrize(("who", "path"), KEYBOARD_PAGES)
def test_keyboard_reaches_every_control_with_visible_focus_and_no_trap(
    site, page, library, signed_in, who, path
):
    if who:
        signed_in(library[who])
    page.goto(site + path.format(**library))
    expected, stops = tab_through(page)
    reached = {s["kb"] for s in stops}
    missed = [f"{i}: {text}" for i, text in enumerate(expected) if str(i) not in reached]
    assert missed == [], f"not reachable with Tab: {missed}"
    invisible = [f"{s['tag']} {s['text']}" for s in stops if not s["visible"]]
    assert invisible == [], f"no visible focus on: {invisible}"
    assert stops[0]["text"] == "Skip to main content"


def test_keyboard_only_sign_in_search_and_open_a_result(site, page, library):
    def tab_to(name: str, limit: int = 80) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            text = page.evaluate("(document.activeElement.innerText || '').trim()")
            if text.startswith(name):
                return
        raise AssertionError(f"{name!r} not reachable with Tab")

    page.goto(site + "/guides/process-mapping/")
    tab_to("Staff sign in")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.keyboard.press("Tab")  # the skip link
    for _ in range(40):
        if page.evaluate("document.activeElement.id") == "id_username":
            break
        page.keyboard.press("Tab")
    page.keyboard.type("facilitator")
    page.keyboard.press("Tab")
    page.keyboard.type("a-long-test-password-1")
    page.keyboard.press("Enter")
    expect(page).to_have_url(site + "/guides/process-mapping/")
    expect(page.get_by_role("button", name=re.compile("^Sign out"))).to_be_visible()

    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "search":
            break
        # On a phone the header has no room for the box: its "Search" link leads to it,
        # in the menu's "More" when the links do not fit on one line.
        text = page.evaluate("(document.activeElement.innerText || '').trim()")
        if text.endswith("More") and page.evaluate(
            "document.activeElement.getAttribute('aria-expanded') === 'false'"
        ):
            page.keyboard.press("Enter")
        if text == "Search" and "/search/" not in page.url:
            page.keyboard.press("Enter")
            expect(page).to_have_url(re.compile(r"/search/$"))
    page.keyboard.type("where are we now")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=where"))
    tab_to("Measurement for improvement", limit=120)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Measurement for improvement")
