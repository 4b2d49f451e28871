"""The demand and capacity calculator in a real browser, at phone and desktop widths:
axe-core scans (WCAG 2.1 A and AA) of the empty page, an answer, a form with errors and
an answer from an uploaded file; and the journey through the form with the keyboard."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.support import ARTIFACTS

pytestmark = pytest.mark.django_db(transaction=True)

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ANSWER = "/capacity/?demand=30&capacity=27&target_wait=18&queue=1200&mean_wait=10"
FILE = "referral,removal\n" + "".join(
    f"2024-{m:02d}-{d:02d},{f'2024-{m + 1:02d}-{d:02d}' if d % 4 else ''}\n"
    for m in range(1, 10)
    for d in range(1, 29)
)


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def violations(page, axe) -> str:
    result = axe.run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    return result.generate_report() if result.response["violations"] else ""


def test_the_calculator_pages_have_no_wcag_violations(site, page, axe, shot, tmp_path):
    reports = []
    for path in ("/capacity/", ANSWER, "/capacity/?demand=lots&capacity=0&target_wait="):
        page.goto(site + path)
        if report := violations(page, axe):
            reports.append(f"{path}:\n{report}")
    expect(page.locator(".error-summary")).to_be_visible()
    shot("errors")

    upload = tmp_path / "list.csv"
    upload.write_text(FILE)
    page.goto(site + "/capacity/")
    page.set_input_files("#file-waiting_list", str(upload))
    page.fill("#file-target_wait", "18")
    page.get_by_role("button", name="Work it out from the file").click()
    expect(page.get_by_role("heading", name="The answer")).to_be_visible()
    expect(page.locator("svg")).to_have_count(3)
    shot("file")
    if report := violations(page, axe):
        reports.append(f"file answer:\n{report}")
    assert reports == []


def test_the_weekly_numbers_by_keyboard(site, page, shot):
    page.goto(site + "/capacity/")
    page.get_by_label("Demand: how many join the list each week").fill("30")
    page.get_by_label("Capacity: how many you see (or take off the list) each week").fill("27")
    page.get_by_label("The target wait, in weeks").first.fill("18")
    page.get_by_label("How many are waiting now (optional)").fill("1200")
    page.keyboard.press("Enter")  # submits the GET form
    expect(page.locator(".cap-words")).to_contain_text("you need about 71 a week until then")
    assert "demand=30" in page.url and "queue=1200" in page.url
    shot("answer")
    # Change one number and see the answer change, from the address alone.
    page.get_by_label("How many are waiting now (optional)").fill("100")
    page.get_by_role("button", name="Work it out", exact=True).click()
    expect(page.locator(".cap-words")).to_contain_text("Your list is 100, within that size.")


RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""


class TestAtOneWidth:
    """The policy and print do not depend on the width."""

    @pytest.fixture
    def viewport(self) -> str:
        return "desktop"

    def test_the_calculator_keeps_to_the_content_security_policy(self, site, page):
        page.add_init_script(RECORD_VIOLATIONS)
        problems = []
        for path in ("/capacity/", ANSWER, "/capacity/?demand=x"):
            page.goto(site + path)
            page.wait_for_load_state("load")
            problems += [f"{path}: {v}" for v in page.evaluate("window.__cspViolations || []")]
        assert problems == []

    def test_the_answer_prints_without_the_forms(self, site, page):
        page.goto(site + ANSWER)
        page.emulate_media(media="print")
        expect(page.locator(".cap-words")).to_be_visible()
        expect(page.locator(".cap-form-section").first).to_be_hidden()
        expect(page.locator("svg")).to_have_count(1)
        page.screenshot(path=str(ARTIFACTS / "capacity-print.png"), full_page=True)


def test_the_answer_follows_the_numbers_as_they_are_typed(site, page):
    page.goto(site + ANSWER)
    expect(page.locator(".cap-words")).to_contain_text("you see about 27")
    page.get_by_label("Capacity: how many you see (or take off the list) each week").fill("33")
    # No button pressed: the answer and the address follow.
    expect(page.locator(".cap-words")).to_contain_text("The list shrinks by about 3 a week.")
    assert "capacity=33" in page.url
    expect(page.locator("#cap-live-status")).to_have_text("The answer above has been updated.")
