"""Every public address of the single-app layout still answers, and answers the same:
printed handouts and bookmarks carry them. tests/data/old_urls.json was recorded from
the old layout (its routes, and its answers to an anonymous GET with the full content
loaded); the split into apps must not change one of them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

OLD = json.loads((Path(__file__).parent / "data" / "old_urls.json").read_text())
TITLE = re.compile(rb"<title>(.*?)</title>", re.S)


def routes(patterns, prefix: str = "") -> set[str]:
    found = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if not str(pattern.pattern).startswith("admin/"):
                found |= routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            found.add(prefix + str(pattern.pattern))
    return found


def test_every_old_route_is_still_served():
    assert set(OLD["routes"]) <= routes(get_resolver().url_patterns)
    assert len(OLD["routes"]) == 58


def _params():
    for answer in OLD["answers"]:
        marks = [pytest.mark.slow] if answer["type"] == "application/pdf" else []
        yield pytest.param(answer, id=answer["path"], marks=marks)


@pytest.mark.parametrize("old", list(_params()))
def test_every_old_address_answers_as_it_did(old):
    response = Client(raise_request_exception=False).get(old["path"])
    body = b"" if response.streaming else response.content
    title = TITLE.search(body)
    assert response.status_code == old["status"]
    assert response.get("Content-Type", "").split(";")[0] == old["type"]
    assert (" ".join(title.group(1).decode().split()) if title else "") == old["title"]
    assert response.get("Location", "") == old["location"]
