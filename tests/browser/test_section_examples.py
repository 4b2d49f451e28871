"""A facilitator adds a local example from a guide section's "Add a local example here",
an editor publishes it from the link in the email the site sent (caught by a real SMTP
server started by the test), and it shows beside that section: in the margin on a
desktop, at the section's foot on a phone. At 390 and 1280 px."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from guides.examples import notify
from tests.browser.support import ARTIFACTS, PASSWORD, VIEWPORTS, make_staff

TITLE = "Mapping the discharge lounge"
GUIDE = "/guides/process-mapping/"


def wait_for_mail(inbox, address: str, timeout: float = 15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        notify.flush(timeout=1)
        found = inbox.to(address)
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no email to {address}: {[m['To'] for m in inbox.messages]}")


def save(page, viewport: str, step: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"section-examples-{viewport}-{step}.png"))


def test_an_example_added_from_a_section_is_published_from_the_email_and_shows_there(
    site, page, browser, viewport, signed_in, smtp_inbox, page_cache
):
    facilitator = make_staff("fac", "facilitator", first_name="Asha", email="asha@nhs.example")
    make_staff("ed", "editor", first_name="Eve", email="eve@nhs.example")
    signed_in(facilitator)

    # Beside "How to do it, step by step": Add a local example here.
    page.goto(site + GUIDE)
    section = page.locator("section.guide-section", has=page.locator("#how-to-do-it"))
    add = section.get_by_role("link", name=re.compile(r"^Add a local example here"))
    add.scroll_into_view_if_needed()
    save(page, viewport, "1-add-here")
    add.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a local example")
    expect(page.get_by_label("Section of the guide")).to_have_value("how-to-do-it")
    # The guide's own tools first; the rest behind "Show all tools".
    expect(page.get_by_label("High-level process mapping")).to_be_visible()
    expect(page.get_by_label("Run charts", exact=True)).to_be_hidden()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Type of organisation").select_option("acute")
    page.get_by_label("Service").fill("Discharge lounge")
    page.get_by_label("The problem").fill("Patients waited four hours for their medicines.")
    page.get_by_label("What you did").fill("We walked the process and mapped every hand-over.")
    page.get_by_label("What happened, with the measures").fill(
        "The wait fell to ninety minutes in eight weeks. Then it held."
    )
    page.get_by_label("High-level process mapping").check()
    page.get_by_text("Show all tools").click()
    page.get_by_label("Run charts", exact=True).check()
    save(page, viewport, "2-form")
    page.get_by_role("button", name="Save and send for review").click()
    expect(page.locator(".messages")).to_contain_text("sent to the editors for review")
    expect(page.locator(".kicker")).to_contain_text("How to do it")

    # The editor follows the link in the email, signs in on the way and publishes it.
    mail = wait_for_mail(smtp_inbox, "eve@nhs.example")
    body = mail.get_body(preferencelist=("plain",)).get_content()
    link = next(u for u in re.findall(r"https?://\S+", body) if re.search(r"/examples/\d+/$", u))
    assert link.startswith(site)
    editor = browser.new_context(viewport=VIEWPORTS[viewport], locale="en-GB").new_page()
    editor.goto(link)
    expect(editor.get_by_role("heading", level=1)).to_have_text("Page not found")
    editor.get_by_role("link", name="sign in to see it").click()
    editor.get_by_label("Username").fill("ed")
    editor.get_by_label("Password").fill(PASSWORD)
    editor.get_by_role("button", name="Sign in").click()
    expect(editor.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert editor.url == link
    editor.get_by_role("button", name="Publish").click()
    expect(editor.locator(".messages")).to_contain_text("The example is published")
    editor.context.close()
    # The author hears of it too.
    published = wait_for_mail(smtp_inbox, "asha@nhs.example")
    assert "Published" in published["Subject"]

    # A visitor sees it beside that section, and it opens in place.
    visitor = browser.new_context(viewport=VIEWPORTS[viewport], locale="en-GB").new_page()
    visitor.goto(site + GUIDE)
    section = visitor.locator("section.guide-section", has=visitor.locator("#how-to-do-it"))
    panel = section.locator(".section-examples")
    summary = panel.get_by_text("1 local example")
    summary.scroll_into_view_if_needed()
    expect(panel.get_by_role("link", name=TITLE)).to_be_hidden()
    summary.click()
    expect(panel.get_by_role("link", name=TITLE)).to_be_visible()
    expect(panel).to_contain_text("Hospital (acute) trust · Discharge lounge")
    expect(panel).to_contain_text("The wait fell to ninety minutes in eight weeks.")
    text_box = section.locator(".section-body").bounding_box()
    panel_box = panel.bounding_box()
    if viewport == "desktop":  # in the margin, beside the section's text
        assert panel_box["x"] >= text_box["x"] + text_box["width"]
        assert panel_box["y"] < text_box["y"] + text_box["height"]
    else:  # at the section's foot
        assert panel_box["y"] >= text_box["y"] + text_box["height"] - 1
        assert panel_box["x"] + panel_box["width"] <= VIEWPORTS[viewport]["width"]
    save(visitor, viewport, "3-beside-the-section")
    panel.get_by_role("link", name=TITLE).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
    visitor.context.close()


def test_changing_the_guide_changes_the_section_and_tool_lists(site, page, signed_in):
    signed_in(make_staff("fac", "facilitator"))
    page.goto(site + "/examples/new/?guide=process-mapping&section=how-to-do-it")
    # With the script, the server round trip is not needed.
    expect(page.get_by_role("button", name="Show this guide's sections and tools")).to_be_hidden()
    page.get_by_label("Guide", exact=True).select_option(label="2. Measurement for improvement")
    section = page.get_by_label("Section of the guide")
    expect(section).to_have_value("how-to-do-it")  # the same anchor exists there
    options = section.locator("option").all_inner_texts()
    assert options[0] == "The guide as a whole" and len(options) > 3
    expect(page.get_by_label("Run charts", exact=True)).to_be_visible()
    expect(page.get_by_label("High-level process mapping")).to_be_hidden()
    expect(page.locator("[data-guide-title]")).to_have_text("“Measurement for improvement”")
    page.get_by_label("Guide", exact=True).select_option(value="")
    expect(section.locator("option")).to_have_count(1)
    expect(page.locator(".all-tools")).to_have_attribute("open", "")
