"""What the page cache may hold (issue 19): addresses whose parameters are data or
unknown are never cached, one page and the whole store are bounded, and 1,000 distinct
addresses leave a process's memory flat. The same rules hold with CACHE_URL=redis://."""

from __future__ import annotations

import gc
import tracemalloc

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from guides.core import caching
from guides.core.cachebounds import BoundedLocMemCache, caches_from_url

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["memory", "redis"])
def pages(request, settings):
    """The page cache on and empty, in memory (2 MB in all) or in a real Redis."""
    from django.core.cache import caches

    if request.param == "redis":
        settings.CACHES = caches_from_url(request.getfixturevalue("redis_url"))
    else:
        settings.CACHES = caches_from_url("locmem://", max_bytes=2 * 1024 * 1024)
    settings.PAGE_CACHE_SECONDS = 600
    caches[caching.CACHE_ALIAS].clear()
    yield caches[caching.CACHE_ALIAS]
    caches[caching.CACHE_ALIAS].clear()


def queries(client: Client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response.status_code, len(captured)


def served_from_cache(url: str) -> bool:
    client = Client()
    first = queries(client, url)
    second = queries(client, url)
    assert first[0] == second[0] == 200, url
    return second[1] == 1  # the site version only


# Which addresses ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/run-chart/?data=1%0A2%0A3%0A4%0A5&chart=run",  # the chart maker's data
        "/guides/process-mapping/?utm_source=newsletter",  # a parameter nobody declared
        "/glossary/?anything=1",
        "/search/?q=pdsa&nonsense=1",  # a declared one beside an unknown one
        "/search/?q=" + "a" * 600,  # a query string past the length limit
    ],
)
def test_data_and_unknown_parameters_are_never_cached(pages, url):
    assert not served_from_cache(url)


@pytest.mark.parametrize(
    "url",
    [
        "/guides/process-mapping/",
        "/run-chart/",
        "/search/?q=pdsa",
        "/search/?q=capacity&type=tool&page=1",
        "/api/search/?q=pdsa&limit=5",
        "/examples/?guide=process-mapping",
    ],
)
def test_plain_addresses_and_declared_parameters_are_cached(pages, url):
    assert served_from_cache(url)


def test_a_page_over_the_entry_limit_is_not_kept(pages, settings):
    settings.PAGE_CACHE_MAX_ENTRY_BYTES = 10 * 1024  # a guide page is larger
    assert not served_from_cache("/guides/process-mapping/")
    settings.PAGE_CACHE_MAX_ENTRY_BYTES = 4 * 1024 * 1024
    assert served_from_cache("/guides/process-mapping/")


# The store's bounds ---------------------------------------------------------------------


def store(max_bytes: int, max_entry: int, name: str = "bounds-test") -> BoundedLocMemCache:
    cache = BoundedLocMemCache(
        name, {"OPTIONS": {"MAX_BYTES": max_bytes, "MAX_ENTRY_BYTES": max_entry}}
    )
    cache.clear()
    return cache


def test_the_memory_store_keeps_its_total_under_the_limit_dropping_the_oldest_first():
    cache = store(max_bytes=50_000, max_entry=20_000)
    for number in range(40):
        cache.set(f"page-{number}", b"x" * 9_000)
        assert cache.total_bytes <= 50_000
    assert cache.get("page-39") is not None
    assert cache.get("page-0") is None  # the least recently used went first
    cache.get("page-35")  # used again: kept over page-36
    cache.set("page-40", b"y" * 9_000)
    cache.set("page-41", b"y" * 9_000)
    assert cache.get("page-35") is not None
    assert cache.get("page-36") is None


def test_the_memory_store_refuses_an_entry_over_its_size_limit():
    cache = store(max_bytes=50_000, max_entry=10_000)
    cache.set("small", b"x" * 100)
    cache.set("small", b"x" * 20_000)  # replaced by something too big: gone, not stale
    assert cache.get("small") is None
    assert cache.add("big", b"x" * 20_000) is False
    assert cache.total_bytes == 0


def test_replacing_and_deleting_keep_the_count_of_bytes_right():
    cache = store(max_bytes=50_000, max_entry=20_000)
    cache.set("a", b"x" * 5_000)
    cache.set("a", b"x" * 1_000)
    cache.set("b", b"x" * 1_000)
    cache.delete("b")
    assert 1_000 < cache.total_bytes < 1_200
    cache.clear()
    assert cache.total_bytes == 0


def test_cache_url_chooses_the_store():
    assert caches_from_url("")["pages"]["BACKEND"].endswith("BoundedLocMemCache")
    shared = caches_from_url("redis://cache.internal:6379/2")
    assert shared["pages"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert shared["pages"]["LOCATION"] == shared["default"]["LOCATION"]
    assert shared["pages"]["KEY_PREFIX"] != shared["default"]["KEY_PREFIX"]
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="CACHE_URL must be"):
        caches_from_url("memcached://cache.internal")


# 1,000 distinct addresses --------------------------------------------------------------


@pytest.mark.slow  # 1,150 requests under tracemalloc: about a minute
def test_a_thousand_distinct_addresses_leave_memory_flat(settings):
    from django.core.cache import caches

    budget = 512 * 1024
    settings.CACHES = caches_from_url("locmem://", max_bytes=budget)
    settings.PAGE_CACHE_SECONDS = 600
    pages = caches[caching.CACHE_ALIAS]
    pages.clear()
    # Straight through the middleware and views: the test Client keeps a little of its
    # own for every request, which would blur the figure.
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import RequestFactory

    handler, factory = WSGIHandler(), RequestFactory()

    def visit(number: int) -> None:
        # Data the chart maker draws and a parameter nobody declared (neither cached),
        # and a declared filter with a new value each time (cached, within the budget).
        if number % 4 == 0:
            data = "%0A".join(str(number + k) for k in range(12))
            url = f"/run-chart/?data={data}"
        elif number % 4 == 1:
            url = f"/glossary/pdsa/?ref={number}"
        else:
            url = f"/examples/?tag=ward-{number}"
        assert handler.get_response(factory.get(url)).status_code == 200, url

    gc.collect()
    tracemalloc.start()  # before the cache fills, so that what it lets go counts too
    try:
        for number in range(2, 300, 2):  # fill the cache to its budget first
            visit(number)
        assert pages.total_bytes > budget * 0.8
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        for number in range(1_000, 2_000):
            visit(number)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert pages.total_bytes <= budget
    # Flat: 1,000 kept pages would take several megabytes (each is kilobytes).
    assert grown < 256 * 1024, f"grew by {grown / 1024:.0f} KB"
    pages.clear()
