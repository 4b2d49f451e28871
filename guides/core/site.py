"""The site's own address. Every absolute address the site prints, emails or returns
(handouts, password-reset links, the API's links, a module's public link) is built here
from SITE_URL, never from the Host header a client sent: a client choosing another port
or host name gets the same pages, the same cache entries and the same links."""

from __future__ import annotations

from django.conf import settings


def site_url() -> str:
    """SITE_URL with one trailing slash: the base of every absolute address."""
    return settings.SITE_URL.rstrip("/") + "/"


def absolute_url(path: str) -> str:
    """`path` (from reverse() or get_absolute_url()) as a full address on this site."""
    if not path.startswith("/"):
        raise ValueError(f"not a path on this site: {path[:80]!r}")
    return settings.SITE_URL.rstrip("/") + path
