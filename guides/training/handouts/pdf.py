"""A handout as HTML and as a PDF. `render_html()` fills the one template
(training/handout.html) that both the browser's print view and the PDF use;
`write_pdf()` turns that HTML into a PDF with WeasyPrint.

WeasyPrint fetches what a document links to (stylesheets, images). Text written by
staff can contain an image (Markdown allows one), so the renderer gets a fetcher that
serves only the library's own static files, read from disk, and refuses everything else:
no network, no other files, no data: URLs.

Laying out a long handout makes millions of short-lived Python objects (boxes, styles,
text layouts); Python's cyclic garbage collector would keep walking all of them, which
cost about a fifth of the time of the eleven-guide handout. Reference counting frees
nearly all of them anyway, so the collector is paused while WeasyPrint works
(`collector_paused()`) and resumed straight after.
"""

from __future__ import annotations

import gc
import mimetypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.template.loader import render_to_string

from guides.training.handouts.document import EDITIONS, Handout

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcher, URLFetcherResponse


def render_html(
    handout: Handout, *, pdf: bool, request: HttpRequest | None = None, **context: object
) -> str:
    """The handout page. `pdf` leaves out what only the screen needs (the toolbar)."""
    return render_to_string(
        "training/handout.html",
        {
            "handout": handout,
            "pdf": pdf,
            "site_name": settings.SITE_NAME,
            "editions": EDITIONS,
            **context,
        },
        request=request,
    )


class RefusedURL(ValueError):
    """The handout renderer asked for something that is not one of our static files."""


def _static_roots() -> list[Path]:
    roots = [Path(settings.STATIC_ROOT)] if settings.STATIC_ROOT else []
    roots += [Path(d if isinstance(d, str | Path) else d[1]) for d in settings.STATICFILES_DIRS]
    app_finder = finders.AppDirectoriesFinder()
    roots += [Path(storage.location) for storage in app_finder.storages.values()]
    return [root.resolve() for root in roots]


def static_file(url: str, base_url: str) -> Path | None:
    """The file on disk that `url` names, if it is one of the app's static files served
    from the site being printed (`base_url`); None for anything else."""
    parts, base = urlsplit(url), urlsplit(base_url)
    if parts.scheme.lower() not in ("http", "https"):
        return None  # file:, data:, ftp: and the rest
    if (parts.scheme.lower(), parts.netloc.lower()) != (base.scheme.lower(), base.netloc.lower()):
        return None  # another host: nothing leaves the machine
    prefix = urlsplit(settings.STATIC_URL).path
    path = unquote(parts.path)
    if not path.startswith(prefix):
        return None
    name = path[len(prefix) :]
    pieces = name.split("/")
    if not name or "\\" in name or "\x00" in name or any(p in ("", ".", "..") for p in pieces):
        return None
    candidates = []
    if settings.STATIC_ROOT:
        candidates.append(Path(settings.STATIC_ROOT) / name)
    found = finders.find(name)
    if found:
        candidates.append(Path(found))
    roots = _static_roots()
    for candidate in candidates:
        resolved = candidate.resolve()
        if resolved.is_file() and any(resolved.is_relative_to(root) for root in roots):
            return resolved
    return None


def static_only_fetcher(base_url: str) -> URLFetcher:
    """A WeasyPrint URL fetcher that serves the app's own static files from disk and
    refuses everything else. Refused addresses are kept in `.refused` (for the tests)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def __init__(self) -> None:
            # No redirects, and errors do not stop the rendering: a refused image is
            # simply left out of the PDF.
            super().__init__(allowed_protocols=("http", "https"), allow_redirects=False)
            self.refused: list[str] = []
            self.served: list[str] = []

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
            path = static_file(url, base_url)
            if path is None:
                self.refused.append(url)
                raise RefusedURL(f"not one of the library's static files: {url[:120]}")
            self.served.append(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return StaticOnlyFetcher()


_paused_lock = threading.Lock()
_paused = 0  # renders under way with the collector paused (threads share it)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the block, back as it was after it (even
    on an error). Renders in threads at once share the pause: the last one out resumes
    the collector, and only if it was on before the first one paused it."""
    global _paused
    with _paused_lock:
        if _paused == 0:
            collector_paused.was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _paused_lock:
            _paused -= 1
            if _paused == 0 and collector_paused.was_enabled:
                gc.enable()


collector_paused.was_enabled = True


def write_pdf(html: str, *, base_url: str, fetcher: URLFetcher | None = None) -> bytes:
    from weasyprint import HTML

    fetcher = fetcher or static_only_fetcher(base_url)
    with collector_paused():
        return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()
