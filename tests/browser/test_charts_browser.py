"""Charts on a phone and on a desktop: the run chart maker and a local example with a
chart fit the screen at 390 px (no horizontal scrolling, nothing cut off), and the
chart's table scrolls within its own region."""

from urllib.parse import urlencode

from guides.examples.charts import ExampleChart
from guides.examples.models import ExampleStatus, LocalExample
from guides.library.models import Guide

SERIES = [9, 11, 10, 12, 9, 11, 10, 8, 11, 10, 12, 9, 11, 10, 9, 14, 15, 16, 15, 17, 18, 16]
SETTINGS = {
    "data": "\n".join(f"Week {i + 1}\t{v}" for i, v in enumerate(SERIES)),
    "chart": "xmr",
    "direction": "increase",
    "target": "15",
    "rebase": "16",
    "title": "Patients seen within four hours, a long title to wrap",
}

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
CHART_FITS = """() => [...document.querySelectorAll('svg.run-chart-svg')]
  .filter(s => s.getBoundingClientRect().width > 0)
  .map(s => s.getBoundingClientRect().right <= document.documentElement.clientWidth + 1)"""


def test_the_maker_fits_a_phone_and_its_table_scrolls_on_its_own(site, page, shot, viewport):
    page.goto(f"{site}/run-chart/?{urlencode(SETTINGS)}")
    assert page.evaluate(OVERFLOW) <= 1
    fits = page.evaluate(CHART_FITS)
    assert fits == [True]  # one drawing shown (the phone's or the wide one), inside the page
    shot("maker")
    wrap = page.locator(".rc-data .table-wrap")
    assert wrap.evaluate("e => getComputedStyle(e).overflowX") == "auto"


def test_an_example_with_a_chart_fits_a_phone(site, page, shot, viewport):
    example = LocalExample.objects.create(
        guide=Guide.objects.get(slug="measurement-for-improvement"),
        title="Seen within four hours",
        problem="Waits were long.",
        what_was_done="We changed triage.",
        results="More patients were seen within four hours.",
        status=ExampleStatus.PUBLISHED,
    )
    ExampleChart.objects.create(example=example, **{**SETTINGS, "rebase": "16"})
    page.goto(f"{site}{example.get_absolute_url()}")
    assert page.evaluate(OVERFLOW) <= 1
    assert page.evaluate(CHART_FITS) == [True]
    # The finding in plain words, beside its symbols.
    assert page.locator(".example-chart .rc-icon-item").first.is_visible()
    shot("example")


TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def test_chart_pages_have_no_wcag_violations(site, page, library, signed_in):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    example = LocalExample.objects.get(pk=library["published"])
    chart = ExampleChart.objects.create(example=example, **SETTINGS)
    maker = f"/run-chart/?{urlencode(SETTINGS)}"
    signed_out = [maker, example.get_absolute_url()]
    reports = []

    def scan(paths: list[str]) -> None:
        for path in paths:
            page.goto(site + path)
            result = axe.run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
            if result.response["violations"]:
                reports.append(f"{path}:\n{result.generate_report()}")

    scan(signed_out)
    signed_in(library["facilitator"])
    draft = library["draft"]
    scan([
        maker,  # with "Add this chart to a local example"
        f"/examples/add-chart/?{urlencode(SETTINGS)}",
        f"/examples/{draft}/charts/add/",
        f"/examples/{draft}/charts/add/?data=abc",  # the form only; errors come on saving
    ])  # fmt: skip
    signed_in(library["editor"])
    scan([f"/examples/{example.pk}/charts/{chart.pk}/", example.get_absolute_url()])
    assert reports == []
