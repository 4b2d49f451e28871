"""Every page type, signed out and signed in, loads in Chromium under the site's
Content-Security-Policy with nothing blocked: no inline script or style, no plugin, no
resource from elsewhere. A violation shows in the console and as a DOM event; either
fails the test."""

import pytest

from tests.browser.support import SIGNED_IN_PAGES, SIGNED_OUT_PAGES

pytestmark = pytest.mark.django_db(transaction=True)

# Injected by the browser before any page script, so it is not itself subject to the
# policy; it records every violation the page reports.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile || ""}:${e.lineNumber || ""}`);
});
"""


@pytest.fixture
def viewport() -> str:
    # The policy does not depend on the width: one viewport is enough here.
    return "desktop"


def visit_all(page, site: str, paths: list[str]) -> list[str]:
    console: list[str] = []
    page.on(
        "console",
        lambda msg: (
            console.append(msg.text)
            if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text
            else None
        ),
    )
    page.add_init_script(RECORD_VIOLATIONS)
    problems = []
    for path in paths:
        console.clear()
        response = page.goto(site + path)
        assert response is not None
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy, (path, policy)
        page.wait_for_load_state("load")
        violations = page.evaluate("window.__cspViolations || []")
        problems += [f"{path}: {v}" for v in [*console, *violations]]
    return problems


def test_no_page_signed_out_breaks_the_content_security_policy(site, page, library):
    paths = [p.format(**library) for p in SIGNED_OUT_PAGES]
    assert visit_all(page, site, paths) == []


@pytest.mark.parametrize("role", ["facilitator", "editor", "trainer"])
def test_no_page_signed_in_breaks_the_content_security_policy(site, page, library, signed_in, role):
    signed_in(library[role])
    paths = [p.format(**library) for who, p in SIGNED_IN_PAGES if who == role]
    assert visit_all(page, site, paths) == []


def test_a_blocked_inline_script_would_be_caught(site, page, library):
    # The check can fail: a page that runs inline script is reported.
    page.route(
        site + "/tools/",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/html", "Content-Security-Policy": "script-src 'self'"},
            body="<!doctype html><title>t</title><script>document.title='x'</script>",
        ),
    )
    problems = visit_all(page, site, ["/tools/"])
    assert problems and "script-src" in problems[0]
