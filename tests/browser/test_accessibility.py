"""axe-core scans of every page type (WCAG 2.1 A and AA), at phone and desktop widths."""

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.django_db(transaction=True)

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGES = [
    "/",
    "/guides/measurement-for-improvement/",
    "/tools/",
    "/tools/run-charts/",
    "/glossary/",
    "/glossary/pdsa/",
    "/search/",
    "/search/?q=running+a+pilot",
    "/search/?q=qwxzvbnm",
    "/no-such-page/",
]


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_wcag_violations(site, page, axe, path):
    page.goto(site + path)
    result = axe.run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    assert result.response["violations"] == [], result.generate_report()
