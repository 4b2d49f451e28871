"""A facilitator adds a local example from "Add a local example here" under a tool's
step, an editor publishes it, and a visitor finds it under that step, opening in place
(a disclosure that needs no script). At 390 and 1280 px."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.support import ARTIFACTS, VIEWPORTS, make_staff, sign_in

TITLE = "Asking why about late antibiotics"
TOOL = "/tools/five-whys/"
STEP = "step-ask-why-did-this-happen"


def save(page, viewport: str, step: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"step-examples-{viewport}-{step}.png"))


def test_an_example_added_from_a_step_is_published_and_shows_under_that_step(
    site, page, browser, viewport, signed_in, smtp_inbox, page_cache
):
    facilitator = make_staff("fac", "facilitator", first_name="Asha", email="asha@nhs.example")
    make_staff("ed", "editor", first_name="Eve", email="eve@nhs.example")
    signed_in(facilitator)

    page.goto(site + TOOL)
    step = page.locator(f"li#{STEP}")
    add = step.get_by_role("link", name=re.compile(r"^Add a local example here"))
    add.scroll_into_view_if_needed()
    save(page, viewport, "1-add-here")
    add.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a local example")
    expect(page.get_by_label("Step of a tool")).to_have_value(f"five-whys#{STEP}")
    expect(page.get_by_label("Five whys", exact=True)).to_be_checked()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Type of organisation").select_option("acute")
    page.get_by_label("Service").fill("Children's ward")
    page.get_by_label("The problem").fill("Doses of antibiotics were often given late.")
    page.get_by_label("What you did").fill("The nurse in charge led a five whys at handover.")
    page.get_by_label("What happened, with the measures").fill(
        "Late doses fell from nine a week to two in a month. Then they stayed low."
    )
    page.get_by_label("Step of a tool").scroll_into_view_if_needed()
    save(page, viewport, "2-form")
    page.get_by_role("button", name="Save and send for review").click()
    expect(page.locator(".messages")).to_contain_text("sent to the editors for review")
    expect(page.locator(".meta", has_text="Shows step 2 of")).to_be_visible()
    example_url = page.url

    editor = browser.new_context(viewport=VIEWPORTS[viewport], locale="en-GB").new_page()
    sign_in(editor, site, "ed", example_url.removeprefix(site))
    editor.get_by_role("button", name="Publish").click()
    expect(editor.locator(".messages")).to_contain_text("The example is published")
    editor.context.close()

    visitor = browser.new_context(viewport=VIEWPORTS[viewport], locale="en-GB").new_page()
    visitor.goto(site + TOOL)
    step = visitor.locator(f"li#{STEP}")
    panel = step.locator(".step-examples")
    summary = panel.get_by_text("1 local example")
    summary.scroll_into_view_if_needed()
    expect(panel.get_by_role("link", name=TITLE)).to_be_hidden()
    expect(visitor.get_by_role("link", name=re.compile("Add a local example here"))).to_have_count(
        0
    )
    summary.click()
    expect(panel.get_by_role("link", name=TITLE)).to_be_visible()
    expect(panel).to_contain_text("Hospital (acute) trust · Children's ward")
    expect(panel).to_contain_text("Late doses fell from nine a week to two in a month.")
    # Under the step's own words, inside the page's width.
    words = step.get_by_text("Write the answer underneath.")
    assert panel.bounding_box()["y"] >= words.bounding_box()["y"]
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORTS[viewport]["width"]
    # Only that step has it.
    assert visitor.locator(".step-examples").count() == 1
    save(visitor, viewport, "3-under-the-step")
    # A link to the step itself lands on it.
    visitor.goto(f"{site}{TOOL}#{STEP}")
    expect(visitor.locator(f"li#{STEP}")).to_be_in_viewport()
    visitor.locator(f"li#{STEP} summary").click()
    visitor.get_by_role("link", name=TITLE).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
    visitor.context.close()


def test_the_step_list_follows_the_guide_and_the_ticked_tools(site, page, signed_in):
    from guides.library.models import Guide, GuideTool, Tool

    signed_in(make_staff("fac", "facilitator"))
    guide = Guide.objects.get(slug="process-mapping")
    theirs = set(GuideTool.objects.filter(guide=guide).values_list("tool_id", flat=True))
    other = next(t for t in Tool.objects.order_by("name") if t.steps and t.pk not in theirs)
    guide_tools = [t.name for t in Tool.objects.filter(pk__in=theirs).order_by("name") if t.steps]
    page.goto(site + "/examples/new/")
    steps = page.get_by_label("Step of a tool")

    def groups() -> list[str]:
        return steps.evaluate("s => Array.from(s.querySelectorAll('optgroup'), g => g.label)")

    page.get_by_label("Guide", exact=True).select_option(value=str(guide.pk))
    assert sorted(groups()) == sorted(guide_tools) and other.name not in groups()
    if not page.locator(".all-tools").evaluate("d => d.open"):
        page.locator(".all-tools summary").click()
    page.get_by_label(other.name, exact=True).check()
    assert other.name in groups()
    first = f"{other.slug}#{other.steps[0]['anchor']}"
    steps.select_option(first)
    page.get_by_label(other.name, exact=True).uncheck()
    assert other.name not in groups()
    expect(steps).to_have_value("")  # a step no longer offered is not kept
