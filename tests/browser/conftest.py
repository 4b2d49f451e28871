"""Browser tests: Playwright driving Debian's Chromium (no browser download) against the
site served by pytest-django's live server.

They run when Chromium is present (CHROMIUM_PATH, or chromium on the PATH) and are
skipped with a message otherwise; with CI=true a missing Chromium is a failure.
Screenshots go to artifacts/screenshots/ (git-ignored) for CI to keep.
"""

import os
from functools import lru_cache
from pathlib import Path

import pytest
from django.conf import settings

from guides.library.content import Content, apply_content, read_content
from tests.browser.support import ARTIFACTS, CHROMIUM, ROLE_PERMISSIONS, VIEWPORTS, make_staff

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make there are ordinary blocking calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


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
def site(live_server, transactional_db, settings) -> str:
    """The live site with the real content. The live server needs real transactions,
    and pytest-django empties the tables after each such test, so every browser test
    writes the content again (parsed once per session). Its address is the SITE_URL."""
    apply_content(_content())
    settings.SITE_URL = live_server.url
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


@pytest.fixture
def signed_in(page, site):
    """signed_in(user): the page's browser carries a session for `user` (no form)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    def sign(user) -> None:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": site}]
        )

    return sign


@pytest.fixture
def library(site) -> dict:
    """Staff and their work, for tests that visit every page type: a facilitator with a
    draft, a submitted and a published example; an editor; a trainer with a public
    module. Returns the people and the addresses."""
    from django.utils import timezone

    from guides.examples.models import ExampleStatus, LocalExample
    from guides.library.models import Guide, Tool
    from guides.training.models import ItemKind, Module, ModuleItem, ModuleVisibility  # fmt: skip

    people = {role: make_staff(role, role) for role in ROLE_PERMISSIONS}
    guide = Guide.objects.get(slug="process-mapping")
    examples = {}
    for status in (ExampleStatus.DRAFT, ExampleStatus.SUBMITTED, ExampleStatus.PUBLISHED):
        example = LocalExample(
            author=people["facilitator"], guide=guide, status=status,
            title=f"Discharge letters the same day ({status})", service="Acute medical unit",
            problem="Letters took **three days**.", what_was_done="We mapped the process "
            "and ran PDSA cycles.", results="Same-day letters rose from 20% to 85%.",
            published_at=timezone.now() if status == ExampleStatus.PUBLISHED else None,
        )  # fmt: skip
        example.save()
        example.tools.set(Tool.objects.filter(slug="run-charts"))
        example.tags.set(["discharge"])
        examples[status] = example
    module = Module.objects.create(
        owner=people["trainer"], title="Flow for ward sisters", audience="Ward sisters",
        objectives="Map a patient's journey\nRead a run chart",
        visibility=ModuleVisibility.LINK,
    )  # fmt: skip
    ModuleItem.objects.create(module=module, order=1, kind=ItemKind.GUIDE, guide=guide,
                              title=guide.title)  # fmt: skip
    ModuleItem.objects.create(module=module, order=2, kind=ItemKind.EXAMPLE,
                              example=examples[ExampleStatus.PUBLISHED],
                              title=examples[ExampleStatus.PUBLISHED].title)  # fmt: skip
    ModuleItem.objects.create(module=module, order=3, kind=ItemKind.NOTE, title="Exercise",
                              text="Map **your** ward's discharge.", minutes=20)  # fmt: skip
    return {
        **people,
        "published": examples[ExampleStatus.PUBLISHED].pk,
        "draft": examples[ExampleStatus.DRAFT].pk,
        "submitted": examples[ExampleStatus.SUBMITTED].pk,
        "module": module.pk,
        "module_link": module.get_share_url(),
    }
