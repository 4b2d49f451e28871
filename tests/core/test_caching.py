"""The anonymous page cache (guides/core/caching.py): served with validators, invalidated by
every change a visitor could see, never used for signed-in staff."""

from __future__ import annotations

import dataclasses

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guides.core import caching
from guides.core.models import SiteVersion
from guides.examples.models import ExampleStatus, LocalExample
from guides.library.content import apply_content, read_content
from guides.library.models import Tool
from guides.training.models import ItemKind, Module, ModuleItem, ModuleVisibility
from tests.factories import (
    csrf_client,
    make_example,
    make_user,
    post,
)

pytestmark = pytest.mark.django_db

GUIDE = "/guides/process-mapping/"


@pytest.fixture(params=["memory", "redis"])
def page_cache(request, settings):
    """The anonymous page cache switched on, and empty: every test here runs once with
    each process's own memory (the default) and once with a real Redis (CACHE_URL)."""
    from django.core.cache import caches

    from guides.core.cachebounds import caches_from_url

    if request.param == "redis":
        settings.CACHES = caches_from_url(request.getfixturevalue("redis_url"))
    settings.PAGE_CACHE_SECONDS = 600
    caches[caching.CACHE_ALIAS].clear()
    yield caches[caching.CACHE_ALIAS]
    caches[caching.CACHE_ALIAS].clear()


def get(client: Client, url: str, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    response.queries = len(queries)
    return response


# Served from the cache, with validators ----------------------------------------------


def test_second_signed_out_request_is_served_from_the_cache_in_one_query(page_cache):
    client = Client()
    first = get(client, GUIDE)
    second = get(client, GUIDE)
    assert first.status_code == second.status_code == 200
    assert first.queries > 1
    assert second.queries == 1  # the site version, nothing else
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Content-Type"].startswith("text/html")
    assert second["X-Frame-Options"] == "DENY"
    assert "no-cache" in second["Cache-Control"]
    assert "Cookie" in second["Vary"]


def test_matching_if_none_match_gets_a_304_and_another_gets_the_page(page_cache):
    client = Client()
    etag = client.get(GUIDE)["ETag"]
    assert etag.startswith('"') and len(etag) > 10
    not_modified = get(client, GUIDE, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == etag
    assert not_modified.queries == 1
    assert client.get(GUIDE, HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304
    other = client.get(GUIDE, HTTP_IF_NONE_MATCH='"something-else"')
    assert other.status_code == 200 and other["ETag"] == etag


def test_first_request_with_a_current_etag_is_a_304_too(page_cache):
    etag = Client().get(GUIDE)["ETag"]
    page_cache.clear()  # e.g. another gunicorn process, whose cache is empty
    assert Client().get(GUIDE, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_each_address_is_cached_apart_and_every_host_shares_one_entry(page_cache, settings):
    settings.ALLOWED_HOSTS = ["testserver", "ilg.example.org"]
    settings.SITE_URL = "https://ilg.example.org"
    client = Client()
    pdsa = client.get("/search/?q=pdsa").content
    capacity = client.get("/search/?q=capacity").content
    assert pdsa != capacity
    assert client.get("/search/?q=pdsa").content == pdsa
    # Absolute addresses come from SITE_URL, so the Host header (or a port on it) makes
    # neither a new entry nor a different page.
    here = get(client, "/api/guides/")
    there = get(client, "/api/guides/", HTTP_HOST="ilg.example.org:8443")
    assert there.queries == 1 and there.content == here.content
    assert here.json()["guides"][0]["url"].startswith("https://ilg.example.org/guides/")


def test_a_new_day_is_a_new_page(page_cache, monkeypatch):
    client = Client()
    client.get("/")
    assert get(client, "/").queries == 1
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
    assert get(client, "/").queries > 1


def test_cache_can_be_switched_off(page_cache, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client = Client()
    client.get(GUIDE)
    response = get(client, GUIDE)
    assert response.queries > 1
    assert "ETag" not in response


# Invalidation ----------------------------------------------------------------------


def test_publishing_an_example_shows_it_on_the_cached_guide_page_and_list(page_cache):
    author = make_user("fac", "facilitator")
    editor = make_user("ed", "editor")
    example = make_example(author, title="Echo waits halved", status=ExampleStatus.SUBMITTED)
    visitor = Client()
    assert "Echo waits halved" not in visitor.get(GUIDE).content.decode()
    assert "Echo waits halved" not in visitor.get("/examples/").content.decode()
    before = SiteVersion.objects.get(pk=1).token

    response = post(csrf_client(editor), f"/examples/{example.pk}/publish/", {"version": "1"})
    assert response.status_code == 302

    assert SiteVersion.objects.get(pk=1).token != before
    assert "Echo waits halved" in visitor.get(GUIDE).content.decode()
    assert "Echo waits halved" in visitor.get("/examples/").content.decode()
    assert visitor.get(f"/examples/{example.pk}/").status_code == 200


def test_editing_unpublishing_and_deleting_an_example_reach_the_cached_pages(page_cache):
    author = make_user("fac", "facilitator")
    example = make_example(author, title="First title", status=ExampleStatus.PUBLISHED)
    visitor = Client()
    url = f"/examples/{example.pk}/"
    assert "First title" in visitor.get(url).content.decode()
    assert "First title" in visitor.get(GUIDE).content.decode()

    example.title = "Second title"
    example.save()
    assert "Second title" in visitor.get(url).content.decode()
    assert "Second title" in visitor.get(GUIDE).content.decode()

    example.tools.set(Tool.objects.filter(slug="run-charts"))
    assert "Second title" in visitor.get("/tools/run-charts/").content.decode()

    example.tags.set(["discharge"])
    assert "discharge" in visitor.get(url).content.decode()

    example.status = ExampleStatus.RETURNED
    example.save()
    assert visitor.get(url).status_code == 404
    assert "Second title" not in visitor.get(GUIDE).content.decode()

    example.status = ExampleStatus.PUBLISHED
    example.save()
    assert visitor.get(url).status_code == 200
    LocalExample.objects.filter(pk=example.pk).delete()
    assert visitor.get(url).status_code == 404
    assert "Second title" not in visitor.get(GUIDE).content.decode()


def test_renaming_a_trainer_reaches_their_public_module(page_cache):
    trainer = make_user("trainer", "trainer", first_name="Asha", last_name="Patel")
    module = public_module(trainer)
    visitor = Client()
    assert "By Asha Patel" in visitor.get(module.get_share_url()).content.decode()
    trainer.last_name = "Khan"
    trainer.save()
    assert "By Asha Khan" in visitor.get(module.get_share_url()).content.decode()


def test_loading_changed_content_reaches_the_cached_pages(page_cache):
    visitor = Client()
    assert "Mapping the patient journey" not in visitor.get(GUIDE).content.decode()
    content = read_content(settings.CONTENT_DIR)
    guides = [
        dataclasses.replace(g, title="Mapping the patient journey")
        if g.slug == "process-mapping"
        else g
        for g in content.guides
    ]
    report = apply_content(dataclasses.replace(content, guides=guides))
    assert report.changed
    assert "Mapping the patient journey" in visitor.get(GUIDE).content.decode()
    assert "Mapping the patient journey" in visitor.get("/").content.decode()


def test_loading_unchanged_content_keeps_the_cache(page_cache):
    visitor = Client()
    visitor.get(GUIDE)
    token = caching.current_token()
    apply_content(read_content(settings.CONTENT_DIR))
    assert caching.current_token() == token
    assert get(visitor, GUIDE).queries == 1


def public_module(owner) -> Module:
    module = Module.objects.create(
        owner=owner, title="Flow for ward sisters", visibility=ModuleVisibility.LINK
    )
    for order, title in enumerate(["Warm-up exercise", "Closing exercise"], start=1):
        ModuleItem.objects.create(
            module=module, order=order, kind=ItemKind.NOTE, title=title, text="Talk."
        )
    return module


def test_changing_a_public_module_reaches_its_cached_page(page_cache):
    trainer = make_user("trainer", "trainer")
    module = public_module(trainer)
    visitor = Client()
    url = module.get_share_url()
    html = visitor.get(url).content.decode()
    assert html.index("Warm-up exercise") < html.index("Closing exercise")

    # Moving an item is a bulk update (no signals): the view says so itself.
    last = module.items.get(title="Closing exercise")
    response = post(
        csrf_client(trainer),
        f"/modules/{module.pk}/items/{last.pk}/up/",
        {"version": str(module.version)},
    )
    assert response.status_code == 302
    html = visitor.get(url).content.decode()
    assert html.index("Closing exercise") < html.index("Warm-up exercise")

    ModuleItem.objects.create(
        module=module, order=9, kind=ItemKind.NOTE, title="Extra exercise", text="More."
    )
    assert "Extra exercise" in visitor.get(url).content.decode()

    module.visibility = ModuleVisibility.PRIVATE
    module.save()
    assert visitor.get(url).status_code == 404


@pytest.mark.parametrize(
    "change",
    ["example-save", "example-delete", "example-tools", "example-tags", "module-save",
     "module-delete", "item-save", "item-delete", "user-save"],
)  # fmt: skip
def test_every_change_to_user_data_moves_the_site_version(change):
    user = make_user("fac", "facilitator")
    example = make_example(user)
    module = public_module(user)
    before = caching.current_token()
    if change == "example-save":
        example.save()
    elif change == "example-delete":
        example.delete()
    elif change == "example-tools":
        example.tools.add(Tool.objects.first())
    elif change == "example-tags":
        example.tags.add("new tag")
    elif change == "module-save":
        module.save()
    elif change == "module-delete":
        module.delete()
    elif change == "item-save":
        module.items.first().save()
    elif change == "item-delete":
        module.items.first().delete()
    elif change == "user-save":
        user.save()
    assert caching.current_token() != before


def test_signing_in_does_not_empty_the_cache(client):
    make_user("fac", "facilitator")
    before = caching.current_token()
    response = post(
        csrf_client(), "/accounts/login/", {"username": "fac", "password": "a-long-test-password-1"}
    )
    assert response.status_code == 302
    assert caching.current_token() == before


def test_a_rolled_back_change_leaves_the_version_as_it_was():
    from django.db import transaction

    user = make_user("fac", "facilitator")
    example = make_example(user)
    before = caching.current_token()
    with pytest.raises(RuntimeError), transaction.atomic():
        example.save()
        assert caching.current_token() != before
        raise RuntimeError
    assert caching.current_token() == before


# Never for signed-in staff, cookies, or the health check --------------------------------


def test_signed_in_staff_never_get_the_cached_page(page_cache):
    editor = make_user("ed", "editor")
    visitor = Client()
    assert "Staff sign in" in visitor.get("/").content.decode()
    staff = Client()
    staff.force_login(editor)
    response = get(staff, "/")
    html = response.content.decode()
    assert "Sign out" in html and "Staff sign in" not in html
    assert "Review queue" in html
    assert "private" in response["Cache-Control"]
    assert "ETag" not in response
    # Nor does a signed-in page ever reach visitors.
    assert "Sign out" not in visitor.get("/").content.decode()
    # Asked again: still their own page (a shell filled in for them, never the visitor's).
    again = get(staff, "/")
    assert "Sign out" in again.content.decode() and "Review queue" in again.content.decode()
    assert "Staff sign in" not in again.content.decode() and "ETag" not in again


def test_a_draft_seen_by_its_author_is_never_cached(page_cache):
    author = make_user("fac", "facilitator")
    draft = make_example(author, title="My secret draft")
    staff = Client()
    staff.force_login(author)
    assert "My secret draft" in staff.get(f"/examples/{draft.pk}/").content.decode()
    assert Client().get(f"/examples/{draft.pk}/").status_code == 404


def test_a_pending_message_bypasses_the_cache(page_cache):
    visitor = Client()
    visitor.get(GUIDE)  # cached
    author = make_user("fac", "facilitator")
    client = csrf_client(author)
    post(client, "/accounts/logout/")  # signed out: the session cookie has gone
    assert (
        settings.SESSION_COOKIE_NAME not in client.cookies
        or not client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    client.cookies["messages"] = "x"  # any message waiting to be shown
    response = get(client, GUIDE)
    assert response.queries > 1
    assert "ETag" not in response


def test_pages_that_set_a_cookie_are_not_stored(page_cache):
    from django.http import HttpResponse

    for _ in range(2):
        sign_in = Client().get("/accounts/login/")
        assert "csrftoken" in sign_in.cookies and "ETag" not in sign_in

    response = HttpResponse("<p>form</p>")
    response.set_cookie("csrftoken", "x")
    assert not caching.storable(response)
    assert caching.storable(HttpResponse("<p>page</p>"))
    private = HttpResponse("<p>mine</p>")
    private["Cache-Control"] = "private, no-store"
    assert not caching.storable(private)
    assert not caching.storable(HttpResponse(b"%PDF", content_type="application/pdf"))
    missing = HttpResponse("gone", status=404)
    assert not caching.storable(missing)


def test_the_health_check_is_never_cached(page_cache, monkeypatch):
    from django.db.utils import OperationalError

    client = Client()
    assert client.get("/healthz").status_code == 200

    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    assert client.get("/healthz").status_code == 503
