"""A trainer builds a module from three guides in a real browser, through the pages (the
module page's guide list, a guide page's "Add to module" form and the picker's search),
reorders it, opens the handout and prints it to PDF, at phone and desktop widths."""

import io
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group, Permission, User
from playwright.sync_api import expect
from pypdf import PdfReader

from guides.training.models import Module
from tests.browser.support import go_to_menu_link

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password-1"
TITLE = "Cardiac programme: measurement and flow"
AXE = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
GUIDES = ["Measurement for improvement", "Matching capacity and demand", "Redesigning roles"]


def make_trainer() -> User:
    # Browser tests run on real transactions and the tables are emptied after each one,
    # so the role is made here rather than relied on from the migration.
    group, _ = Group.objects.get_or_create(name="Trainers")
    group.permissions.add(Permission.objects.get(codename="add_module"))
    user = User.objects.create_user("trainer", password=PASSWORD, first_name="Tess")
    user.groups.add(group)
    return user


def assert_accessible(page) -> None:
    result = Axe().run(page, options=AXE)
    assert result.response["violations"] == [], result.generate_report()


def pdf_text(data: bytes) -> list[str]:
    """Each page's text, with line breaks (a long title wraps) as single spaces."""
    assert data.startswith(b"%PDF-")
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def test_trainer_builds_a_module_from_three_guides_and_prints_the_handout(site, page, shot):
    make_trainer()
    page.goto(site + "/accounts/login/?next=/modules/")
    page.get_by_label("Username").fill("trainer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Training modules")

    # Details first.
    page.get_by_role("link", name="Start a new module").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Audience (optional)").fill("Cardiac nurses and physiologists")
    page.get_by_label("Duration (optional)").fill("Half a day")
    page.get_by_label("Learning objectives (optional)").fill(
        "Read a run chart\nFind the bottleneck in a clinic"
    )
    shot("details")
    page.get_by_role("button", name="Make the module").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    module = Module.objects.get()

    # 1. From the module page's list of guides.
    page.get_by_label("Guide", exact=True).select_option(label="2. Measurement for improvement")
    page.get_by_role("button", name="Add the guide").click()
    expect(page.locator(".messages")).to_contain_text("Added “Measurement for improvement”")

    # 2. From a guide page's "Add to module" form.
    page.goto(site + "/guides/matching-capacity-and-demand/")
    form = page.locator(".add-to-module")
    expect(form.get_by_label("What to add")).to_have_value("guide:matching-capacity-and-demand")
    expect(form.get_by_label("Module")).to_have_value(str(module.pk))
    shot("add-from-guide")
    form.get_by_role("button", name="Add to module").click()
    expect(page).to_have_url(site + "/guides/matching-capacity-and-demand/")
    expect(page.locator(".messages")).to_contain_text(f"to your module “{TITLE}”")

    # 3. From the picker's search on the module page.
    go_to_menu_link(page, "Modules")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_label("Search the library").fill("redesigning roles")
    page.get_by_role("button", name="Search for items to add").click()
    result = (
        page.locator(".mod-result")
        .filter(has=page.locator(".result-type", has_text=re.compile(r"^Guide$")))
        .filter(has=page.get_by_role("link", name="Redesigning roles", exact=True))
    )
    expect(result).to_have_count(1)
    shot("picker")
    assert_accessible(page)
    result.get_by_role("button").click()

    titles = page.locator(".mod-items .mod-item-title")
    expect(titles).to_have_text(GUIDES)
    # Reorder with the buttons (no script needed): the last guide up one place.
    page.locator(".mod-item").nth(2).get_by_role("button", name=re.compile("^Move up")).click()
    expect(titles).to_have_text([GUIDES[0], GUIDES[2], GUIDES[1]])
    shot("module")
    assert_accessible(page)

    # The handout: the print view, then the browser's own print to PDF.
    page.get_by_role("link", name="Print view: participant's edition").click()
    expect(page.locator("h1.doc-title")).to_have_text(TITLE)
    toc = page.locator(".toc li")
    expect(toc).to_have_text([GUIDES[0], GUIDES[2], GUIDES[1], "Glossary"])
    shot("handout")
    assert_accessible(page)
    pages = pdf_text(page.pdf(format="A4"))
    text = "\n".join(pages)
    assert len(pages) > 10
    assert TITLE in pages[0] and "Participant's edition" in pages[0]
    for title in GUIDES:
        assert title in text
    assert "Download as PDF" not in text  # the screen toolbar is not printed
    assert "Online: " + site + "/guides/redesigning-roles/" in text
    assert re.search(rf"Page 2 of {len(pages)}", pages[1]), pages[1][-200:]

    # And the PDF made on the server downloads from the same page.
    # Three whole guides take WeasyPrint several seconds, more on a busy machine.
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("link", name="Download as PDF").click(timeout=120_000)
    server_pages = pdf_text(open(download.value.path(), "rb").read())
    assert TITLE in server_pages[0]
    # The server's PDF has the contents with page numbers, which browsers cannot print.
    assert re.search(r"Glossary \.{3,} \d+", server_pages[1]), server_pages[1]
    assert f"Page 2 of {len(server_pages)}" in server_pages[1]
