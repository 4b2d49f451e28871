"""A handout as HTML and as a PDF. `render_html()` fills the one template
(training/handout.html) that both the browser's print view and the PDF use;
`write_pdf()` turns that HTML into a PDF with WeasyPrint.

WeasyPrint fetches what a document links to (stylesheets, images). Text written by
staff can contain an image (Markdown allows one), so the renderer gets a fetcher that
serves only the library's own static files, read from disk, and refuses everything else:
no network, no other files, no data: URLs.

Bulleted lists are drawn with their bullets as text (`text_bullets()`): WeasyPrint
lays out each list marker as a box of its own, positioned apart from the line, which
cost about a tenth of the time of the eleven-guide handout. The text bullet hangs
where the marker hung, so the page looks the same. The browser's print view keeps real
markers, which screen readers announce as a list.

Laying out a long handout makes millions of short-lived Python objects (boxes, styles,
text layouts); Python's cyclic garbage collector would keep walking all of them, which
cost about a fifth of the time of the eleven-guide handout. Reference counting frees
nearly all of them anyway, so the collector is paused while WeasyPrint works
(`collector_paused()`) and resumed straight after.
"""

from __future__ import annotations

import gc
import mimetypes
import re
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
    html = render_to_string(
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
    return text_bullets(html) if pdf else html


# A start or end tag, with quoted attribute values taken whole (so a "<ul>" inside a
# title is not read as a tag). The handout's HTML is our template's and sanitised text.
_TAG = re.compile(r"""<(/?)([a-zA-Z][a-zA-Z0-9]*)\b(?:[^>"']|"[^"]*"|'[^']*')*>""")
# The bullet and a no-break space: 0.628 em in Liberation Sans, the handouts' font,
# which is the width the list's own marker takes. handout.css hangs it by that much.
BULLET = "\u2022\u00a0"
# The font kerns these letters closer to a space before them (A by 0.6 pt at 11 pt), so
# an item starting with one gets its bullet in an element of its own, which keeps the
# letter where it stands beside a marker. (Few items: an element each for all of them
# would give back a third of what text bullets save.)
KERNED_AFTER_SPACE = frozenset("ATYΑΆΔΛΤΥΫ")
BULLET_APART = f'<span class="bullet">{BULLET}</span>'


def text_bullets(html: str) -> str:
    """Every plain `<ul>` (no attributes, not inside another list) becomes
    `<ul class="text-bullets">` and each of its items starts with BULLET: before the
    item's first text, or inside its first paragraph when it starts with one (a loose
    list), or before whatever block comes first. Numbered lists, lists inside lists and
    lists with a class or other attributes keep their markers."""
    out: list[str] = []
    pos = 0
    lists: list[bool] = []  # the open lists, innermost last: True for one given text bullets
    waiting: int | None = None  # where an item's content starts, until its bullet is placed
    in_paragraph = False
    for match in _TAG.finditer(html):
        closing, name = bool(match.group(1)), match.group(2).lower()
        if waiting is not None:
            text = html[waiting : match.start()]
            if not text.strip() and not closing and name == "p" and not in_paragraph:
                waiting, in_paragraph = match.end(), True  # the bullet goes into the paragraph
                continue
            at = _first_text(html, waiting, match.start())
            out += [html[pos:at], _bullet_before(html, at)]
            pos, waiting = at, None
        if name in ("ul", "ol"):
            if closing:
                if lists:
                    lists.pop()
            else:
                # A list inside another list keeps its marker: it is a circle or a square
                # there, and those glyphs are not in every font, so their width is unknown.
                plain = match.group(0).lower() == "<ul>" and not lists
                lists.append(plain)
                if plain:
                    out += [html[pos : match.start()], '<ul class="text-bullets">']
                    pos = match.end()
        elif name == "li" and not closing and lists and lists[-1]:
            waiting, in_paragraph = match.end(), False
    if waiting is not None:
        at = _first_text(html, waiting, len(html))
        out += [html[pos:at], _bullet_before(html, at)]
        pos = at
    out.append(html[pos:])
    return "".join(out)


def _first_text(html: str, start: int, end: int) -> int:
    """Where the text between `start` and `end` begins after any white space (which,
    after the bullet's no-break space, would widen the gap); `end` if it is all space."""
    text = html[start:end]
    return end - len(text.lstrip()) if text.strip() else end


def _bullet_before(html: str, at: int) -> str:
    return BULLET_APART if html[at : at + 1] in KERNED_AFTER_SPACE else BULLET


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
