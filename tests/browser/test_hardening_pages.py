"""The pages issue 19 added or changed, in a real browser at phone and desktop widths:
the sign-in form with "This is a shared computer", the handout that is too long to print,
the "being prepared" page, and the throttled password reset, each scanned by axe-core
(WCAG 2.1 AA) and photographed."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.support import make_staff, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def clean(page, axe) -> None:
    result = axe.run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    assert result.response["violations"] == [], result.generate_report()


def test_the_shared_computer_choice_at_sign_in(site, page, axe, shot):
    make_staff("fac", "facilitator")
    page.goto(f"{site}/accounts/login/")
    box = page.get_by_label("This is a shared computer")
    expect(box).not_to_be_checked()
    box.check()  # by its label, as a keyboard or screen-reader user would reach it
    shot("sign-in")
    clean(page, axe)
    page.get_by_label("Username").fill("fac")
    page.get_by_label("Password").fill("a-long-test-password-1")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site}/")
    cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    assert cookie["expires"] == -1  # a session cookie: gone when the browser closes


def test_a_handout_too_long_to_print_says_what_to_do(site, page, axe, shot):
    from guides.library.models import Guide
    from guides.training.models import ItemKind, Module, ModuleItem

    trainer = make_staff("trainer", "trainer")
    module = Module.objects.create(owner=trainer, title="Every guide, six times")
    guides = list(Guide.objects.order_by("number")) * 6
    ModuleItem.objects.bulk_create(
        ModuleItem(module=module, order=n, kind=ItemKind.GUIDE, guide=g, title=g.title)
        for n, g in enumerate(guides, start=1)
    )
    sign_in(page, site, "trainer")
    response = page.goto(f"{site}/modules/{module.pk}/handout/")
    assert response.status == 422
    expect(page.get_by_role("heading", level=1)).to_have_text("This handout is too long to print")
    expect(page.get_by_role("link", name="Back to “Every guide, six times”")).to_be_visible()
    shot("too-long")
    clean(page, axe)


def test_the_being_prepared_page(site, page, axe, shot, settings):
    from guides.training.handouts import limits

    settings.PDF_RENDERS_AT_ONCE = 1
    with limits.render_slot():  # another PDF is being made
        response = page.goto(f"{site}/guides/process-mapping/handout.pdf")
    assert response.status == 503 and response.headers["retry-after"] == "10"
    expect(page.get_by_role("heading", level=1)).to_have_text("Your handout is being prepared")
    shot("being-prepared")
    clean(page, axe)


def test_a_throttled_password_reset_keeps_the_address(site, page, axe, shot):
    from django.core.cache import cache

    from guides.core import accounts

    cache.clear()
    for n in range(accounts.RESETS_PER_ADDRESS):
        page.goto(f"{site}/accounts/password_reset/")
        page.get_by_label("Email").fill(f"person{n}@nhs.example")
        page.get_by_role("button", name="Send the link").click()
    page.goto(f"{site}/accounts/password_reset/")
    page.get_by_label("Email").fill("typed@nhs.example")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("alert")).to_contain_text("Too many requests for a new password")
    expect(page.get_by_label("Email")).to_have_value("typed@nhs.example")
    shot("reset-throttled")
    clean(page, axe)
    cache.clear()
