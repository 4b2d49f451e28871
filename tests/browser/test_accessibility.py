"""axe-core scans of every page type (WCAG 2.1 A and AA), signed out and signed in, and
of forms showing errors, at phone and desktop widths."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.support import SIGNED_IN_PAGES, SIGNED_OUT_PAGES

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


def scan(page, axe, site: str, paths: list[str]) -> list[str]:
    """Visit each page and return axe's report for every one with violations."""
    reports = []
    for path in paths:
        page.goto(site + path)
        result = axe.run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
        if result.response["violations"]:
            reports.append(f"{path}:\n{result.generate_report()}")
    return reports


def test_every_other_page_type_signed_out_has_no_wcag_violations(site, page, axe, library):
    paths = [p.format(**library) for p in SIGNED_OUT_PAGES if p not in PAGES]
    assert scan(page, axe, site, paths) == []


@pytest.mark.parametrize("role", ["facilitator", "editor", "trainer"])
def test_every_page_type_signed_in_has_no_wcag_violations(
    site, page, axe, library, signed_in, role
):
    signed_in(library[role])
    paths = [p.format(**library) for who, p in SIGNED_IN_PAGES if who == role]
    assert scan(page, axe, site, paths) == []


def test_forms_with_errors_have_no_wcag_violations(site, page, axe, library, signed_in):
    reports = []

    def check(label: str) -> None:
        result = axe.run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
        if result.response["violations"]:
            reports.append(f"{label}:\n{result.generate_report()}")

    # Sign-in with a wrong password.
    page.goto(site + "/accounts/login/")
    page.get_by_label("Username").fill("facilitator")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".error-summary")).to_be_visible()
    check("sign-in with errors")

    # A run chart with data that cannot be read.
    page.goto(site + "/run-chart/?data=one%0Atwo%0Athree")
    check("run chart with errors")

    signed_in(library["editor"])
    # A local example with nothing filled in.
    page.goto(site + "/examples/new/")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".error-summary")).to_be_visible()
    check("example form with errors")
    # Returning an example without a comment.
    page.goto(site + f"/examples/{library['submitted']}/")
    page.get_by_role("button", name="Return to the author").click()
    check("return form with errors")
    # A module without a title.
    page.goto(site + "/modules/new/")
    page.get_by_role("button", name="Make the module").click()
    check("module form with errors")
    assert reports == []
