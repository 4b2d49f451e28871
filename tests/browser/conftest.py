"""Browser tests: Playwright driving Debian's Chromium (no browser download) against the
site served by pytest-django's live server.

They run when Chromium is present (CHROMIUM_PATH, or chromium on the PATH) and are
skipped with a message otherwise; with CI=true a missing Chromium is a failure.
Screenshots go to artifacts/screenshots/ (git-ignored) for CI to keep.
"""

import os
import shutil
from functools import lru_cache
from pathlib import Path

import pytest
from django.conf import settings

from guides.content import Content, apply_content, read_content

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make there are ordinary blocking calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"Chromium not found at {CHROMIUM}: CI=true, so this is a failure.")
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}: browser tests skipped")
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
        ],
    }  # fmt: skip


@lru_cache(maxsize=1)
def _content() -> Content:
    return read_content(settings.CONTENT_DIR)


@pytest.fixture
def site(live_server, transactional_db) -> str:
    """The live site with the real content. The live server needs real transactions,
    and pytest-django empties the tables after each such test, so every browser test
    writes the content again (parsed once per session)."""
    apply_content(_content())
    return live_server.url


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request) -> str:
    return request.param


@pytest.fixture
def page(browser, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def shot(page, viewport, request):
    """shot("name") saves a screenshot named after the test, the width and the step."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    test = request.node.originalname

    def take(step: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{test}-{viewport}-{step}.png"), full_page=False)

    return take
