"""Published examples, newest first, are read from an index in that order on both engines
(migration examples 0006): the list page and the API fetch their page of 20 without
sorting every published example, however many there are."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from guides.examples.models import LocalExample
from guides.library.models import Guide

pytestmark = pytest.mark.django_db


@pytest.fixture
def many():
    guides = list(Guide.objects.all())
    now = timezone.now()
    LocalExample.objects.bulk_create(
        LocalExample(
            guide=guides[i % len(guides)],
            title=f"Example {i}",
            problem="Waits were long.",
            status="published" if i % 10 else "draft",
            # Some share a publication time, so the later keys decide.
            published_at=(now - timedelta(minutes=i // 3)) if i % 10 else None,
        )
        for i in range(3000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_sort = off")  # only a plan with no sort will do
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        rows = cursor.fetchall()
    return "\n".join(str(row[-1]) for row in rows)


def test_the_newest_first_page_needs_no_sort(many):
    page = LocalExample.objects.published().newest_first().only("id", "title")[:20]
    found = plan(page)
    assert "example_published_newest" in found, found
    assert "TEMP B-TREE" not in found and "Sort" not in found, found


def test_the_index_gives_the_same_order_as_sorting(many):
    ordered = list(LocalExample.objects.published().newest_first().values_list("id", flat=True))
    rows = LocalExample.objects.published().values_list("id", "published_at", "updated_at")
    expected = [pk for pk, _, _ in sorted(rows, key=lambda r: (r[1], r[2], r[0]), reverse=True)]
    assert ordered == expected
    assert len(ordered) == 2700


def test_the_list_page_and_the_api_start_with_the_newest(many, client):
    newest = list(
        LocalExample.objects.published().newest_first().values_list("title", flat=True)[:20]
    )
    page = client.get("/examples/").content.decode()
    assert re.findall(r">(Example \d+)<", page)[:20] == newest
    api = client.get("/api/examples/").json()
    assert [e["title"] for e in api["examples"]][:20] == newest
