"""Handouts cannot take the pages down (issue 19): the PDF cache is keyed on SITE_URL and
what the PDF prints (never the Host header), module PDFs are cached by version and
edition, one handout may hold only so much, and PDFs are made in a bounded number of
slots, beyond which a request gets a 503 "being prepared" page at once.

WeasyPrint is replaced by a recorder here (these tests are about when a PDF is made, not
what it looks like); tests/training/test_handouts.py makes real ones."""

from __future__ import annotations

import threading

import pytest
from django.test import Client

from guides.library.models import Guide
from guides.training import handouts
from guides.training.handouts import limits
from guides.training.models import ItemKind, Module, ModuleVisibility
from tests.factories import add_item, make_user

pytestmark = pytest.mark.django_db

GUIDE_PDF = "/guides/process-mapping/" + "handout.pdf"


@pytest.fixture
def renders(monkeypatch, settings):
    """Every PDF made, as the HTML it was made from; the cache starts empty."""
    from django.core.cache import cache

    cache.clear()
    made: list[str] = []

    def fake_write_pdf(html, *, base_url, fetcher=None):
        made.append(html)
        return b"%PDF-1.7 fake " + str(len(made)).encode()

    monkeypatch.setattr(handouts, "write_pdf", fake_write_pdf)
    yield made
    cache.clear()


@pytest.fixture
def trainer():
    return make_user("trainer", "trainer")


def module_of(owner, *guides: Guide, **fields) -> Module:
    module = Module.objects.create(owner=owner, title="Everything", **fields)
    for guide in guides:
        add_item(module, ItemKind.GUIDE, guide)
    return module


# SITE_URL, not the Host header --------------------------------------------------------


def test_another_port_on_an_allowed_host_gets_the_cached_pdf(renders):
    client = Client()
    for host in ("testserver", "testserver:8001", "testserver:8002", "localhost:9999"):
        response = client.get(GUIDE_PDF, HTTP_HOST=host)
        assert response.status_code == 200
    assert len(renders) == 1


def test_addresses_in_a_handout_come_from_site_url(renders, settings):
    settings.SITE_URL = "https://ilg.example.nhs.uk"
    Client().get(GUIDE_PDF, HTTP_HOST="localhost:9999")
    html = renders[0]
    assert "https://ilg.example.nhs.uk/guides/process-mapping/" in html
    assert "localhost:9999" not in html and "testserver" not in html
    page = Client().get("/guides/process-mapping/handout/", HTTP_HOST="localhost:9999")
    assert b"https://ilg.example.nhs.uk/guides/process-mapping/" in page.content
    assert b"localhost:9999" not in page.content


# Module PDFs: cached by version and edition ------------------------------------------------


def test_a_module_pdf_is_made_once_per_version_and_edition(renders, trainer):
    module = module_of(trainer, Guide.objects.get(slug="process-mapping"))
    client = Client()
    client.force_login(trainer)
    url = f"/modules/{module.pk}/handout.pdf"
    first = client.get(url)
    again = client.get(url)
    assert first.status_code == again.status_code == 200
    assert first.content == again.content and len(renders) == 1
    assert "no-store" in again["Cache-Control"]

    client.get(url + "?edition=participant")
    client.get(url + "?edition=participant")
    assert len(renders) == 2

    module.touch()  # any change moves the version on
    client.get(url)
    assert len(renders) == 3


def test_the_cached_pdf_follows_the_module_permissions(renders, trainer):
    module = module_of(trainer, Guide.objects.get(slug="process-mapping"))
    owner = Client()
    owner.force_login(trainer)
    assert owner.get(f"/modules/{module.pk}/handout.pdf").status_code == 200
    stranger = Client()
    stranger.force_login(make_user("stranger", "trainer"))
    assert stranger.get(f"/modules/{module.pk}/handout.pdf").status_code == 404
    assert Client().get(f"/modules/{module.pk}/handout.pdf").status_code == 404


# A cap on what one handout may hold ----------------------------------------------------


def test_all_eleven_guides_fit_in_one_handout(trainer):
    module = module_of(trainer, *Guide.objects.order_by("number"))
    assert Guide.objects.count() == 11
    handout = handouts.module_handout(module, edition=handouts.TRAINER, base_url="http://x/")
    assert len(handout.items) == 11


def test_a_public_module_of_many_whole_guides_is_refused_with_what_to_do(renders, trainer):
    guides = list(Guide.objects.order_by("number")) * 6  # 66 whole guides
    module = module_of(trainer, *guides, visibility=ModuleVisibility.LINK)
    link = module.get_share_url()
    for url in (link.replace("/?", "/handout.pdf?"), link.replace("/?", "/handout/?")):
        response = Client().get(url)
        assert response.status_code == 422, url
        text = response.content.decode()
        assert "too long to print as one handout" in text
        assert "make a copy of the module" in text
        assert "no-store" in response["Cache-Control"]
    assert renders == []


def test_the_weight_counts_every_kind_of_item(trainer):
    module = module_of(trainer, Guide.objects.get(slug="process-mapping"))
    guide = Guide.objects.get(slug="process-mapping")
    whole = sum(len(s.body) for s in guide.sections.all())
    items = list(handouts.module_items(module))
    assert limits.check_size(items, {guide.pk: whole}) == whole + limits.ITEM_BASE_CHARS
    note = add_item(module, ItemKind.NOTE, title="Long", text="x" * 5000)
    assert limits.item_weight(note, {}) == 5000 + limits.ITEM_BASE_CHARS
    with pytest.raises(limits.HandoutTooLarge):
        limits.check_size(items * 100, {guide.pk: whole})


# Bounded concurrent renders --------------------------------------------------------------


def test_beyond_the_slots_a_pdf_gets_a_503_being_prepared_page(renders, settings):
    settings.PDF_RENDERS_AT_ONCE = 1
    with limits.render_slot():
        response = Client().get(GUIDE_PDF)
    assert response.status_code == 503
    assert response["Retry-After"] == str(limits.RETRY_AFTER)
    assert "being prepared" in response.content.decode()
    assert "try again" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert renders == []
    # Once the slot is free the same link works.
    assert Client().get(GUIDE_PDF).status_code == 200


def test_a_cached_pdf_is_served_even_while_every_slot_is_taken(renders, settings):
    settings.PDF_RENDERS_AT_ONCE = 1
    assert Client().get(GUIDE_PDF).status_code == 200
    with limits.render_slot():
        assert Client().get(GUIDE_PDF).status_code == 200
    assert len(renders) == 1


def test_slots_are_shared_by_threads_and_counted(settings):
    settings.PDF_RENDERS_AT_ONCE = 2
    held, release, outcomes = threading.Event(), threading.Event(), []

    def hold():
        with limits.render_slot():
            held.set()
            release.wait(5)

    thread = threading.Thread(target=hold)
    thread.start()
    assert held.wait(5)
    with limits.render_slot():  # the second slot
        try:
            with limits.render_slot():
                outcomes.append("third")
        except limits.RendersBusy:
            outcomes.append("busy")
    release.set()
    thread.join(5)
    assert outcomes == ["busy"]
    with limits.render_slot():  # all free again
        pass
