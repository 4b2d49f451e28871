"""Hardening that Django's own settings do not cover.

- `RequestGuardMiddleware` refuses, before anything reads them, requests that no page of
  ours could want: a NUL byte in the address (a 400; PostgreSQL cannot even store one)
  and a body far larger than any form (a 413, without reading it).
- `static_headers()` gives the files whitenoise serves the same Content-Security-Policy
  and X-Frame-Options as the pages (`WHITENOISE_ADD_HEADERS_FUNCTION`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from csp.utils import build_policy
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

if TYPE_CHECKING:
    from wsgiref.headers import Headers

# Bodies above this are refused unread. Below it, guides.middleware gives an over-large
# form its page back with an error (DATA_UPLOAD_MAX_MEMORY_SIZE is the limit there).
HARD_LIMIT_FACTOR = 8


class NulByteInRequest(SuspiciousOperation):
    """A NUL byte in the path or the query string (logged to django.security)."""


class RequestGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The query string as sent (percent-encoded) and as decoded: %00 and a raw NUL.
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "\x00" in query or "%00" in query:
            raise NulByteInRequest("NUL byte in the request address")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit * HARD_LIMIT_FACTOR:
            return render(request, "413.html", {"limit_kb": limit // 1024}, status=413)
        return self.get_response(request)


@cache
def content_security_policy() -> str:
    return build_policy()


def static_headers(headers: Headers, path: str, url: str) -> None:
    """WHITENOISE_ADD_HEADERS_FUNCTION: static files get the pages' policy too (an SVG
    opened on its own is a document that could run script)."""
    policy = content_security_policy()
    if policy:
        headers["Content-Security-Policy"] = policy
    headers["X-Frame-Options"] = settings.X_FRAME_OPTIONS
