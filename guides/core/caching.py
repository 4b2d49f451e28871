"""The anonymous page cache, and the one switch that invalidates it.

A page a visitor sees without signing in depends only on its address and on the data:
the content, published local examples and public modules. So a signed-out GET is
served from a cache keyed on the address and on a *site version*: a token in one
database row (SiteVersion) that changes in the same transaction as any change to that
data. Every request reads the token once (one small query), so every gunicorn process
and every app server sees a change the moment it is committed, with nothing to purge;
pages under an old token are simply never asked for again and age out.

- What changes the token: `changed()`. It runs when the content loader sends
  `content_loaded`, and at every save or delete of the rows each app `watch()`es (local
  examples, modules and their items, tags, users, whose names appear on examples); views
  that change rows in bulk (which sends no signals) call it.
- What is cached: GET requests that carry no session or messages cookie, answered
  200 with HTML or JSON, setting no cookie and not marked private or no-store. Signed-in
  responses are marked private, no-store; the guide, tool and glossary pages are served
  to them from a cached shell of the public page with the personal parts made per
  request (guides/core/personal.py), every other signed-in page by its view.
- Which addresses: a page with no query string, or one whose every parameter its view
  declares with `@page_cache_params(...)` (search words, filters, page numbers). A
  parameter that is data (the run chart maker's values, the calculator's figures) or
  that nobody declared is never cached, so no run of made-up addresses fills the cache.
  The key is the path and query alone: every absolute address a page prints comes from
  SITE_URL, never from the Host header.
- How much: one page at most PAGE_CACHE_MAX_ENTRY_BYTES; the store bounds the total
  (guides/core/cachebounds.py).
- Validators: every cached page has an ETag (a hash of its body) and a matching
  If-None-Match gets a 304.
- The date is part of the key: handouts print it.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import caches
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags

from guides.core import personal

if TYPE_CHECKING:
    from typing import Protocol

    from django.db.models import Model

    class _Report(Protocol):
        """What the page cache needs of the content loader's report (guides.core does
        not import the library)."""

        @property
        def changed(self) -> bool: ...


CACHE_ALIAS = "pages"
# Never cached, whoever asks: staff areas, sign-in, and the health checks (which must
# reflect the database now).
NEVER = ("/admin/", "/accounts/", "/healthz")
CACHEABLE_TYPES = ("text/html", "application/json")
# A longer query string is never cached, whatever its parameters.
MAX_QUERY = 512
# Headers that belong to one response, not to the page.
NOT_STORED = {"set-cookie", "etag", "cache-control", "date"}


# The site version ----------------------------------------------------------------------

# The version a signed-in page request read first, while that request runs: what the
# per-process store of user rows is keyed on (guides/core/sessions.py).
_this_request: ContextVar[str | None] = ContextVar("site_version", default=None)


def token_of_this_request() -> str | None:
    return _this_request.get()


def current_token() -> str:
    """The site version now (empty before the first change). Plain SQL: this runs on
    every signed-out request, and the ORM would double its cost."""
    from guides.core.models import SiteVersion

    sql = f"SELECT token FROM {connection.ops.quote_name(SiteVersion._meta.db_table)} WHERE id = 1"
    row = first_query(sql)
    return (row[0] or "") if row else ""


def first_query(sql: str, params: list[Any] | None = None) -> tuple[Any, ...] | None:
    """The request's first query (the site version's, alone or with the session's).

    It also serves as the connection's health check (CONN_HEALTH_CHECKS would otherwise
    send a SELECT 1 first, doubling the round trips of a cached page): a connection that
    has gone, because the database restarted, is closed and opened again once, as the
    health check would do."""
    checking = (
        connection.health_check_enabled
        and not connection.health_check_done
        and connection.connection is not None
        and not connection.in_atomic_block
    )
    if checking:
        connection.health_check_done = True
    try:
        return _fetch_one(sql, params)
    except (OperationalError, InterfaceError):
        if not checking:
            raise
        connection.close()
        return _fetch_one(sql, params)


def _fetch_one(sql: str, params: list[Any] | None) -> tuple[Any, ...] | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def changed() -> None:
    """Something visitors can see has changed: move the site version on. Inside a
    transaction the new token is committed (or rolled back) with the change itself."""
    from guides.core.models import SiteVersion

    token = secrets.token_hex(8)
    if SiteVersion.objects.filter(pk=1).update(token=token):
        return
    try:
        with transaction.atomic():
            SiteVersion.objects.create(pk=1, token=token)
    except IntegrityError:  # Created meanwhile by another request: update that row.
        SiteVersion.objects.filter(pk=1).update(token=token)


def _on_save(
    sender: type[Model],
    instance: Model | None = None,
    update_fields: frozenset[str] | None = None,
    **kwargs,
) -> None:
    # Signing in saves the user's last_login, which no visitor can see.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    changed()


def _on_delete(sender: type[Model], **kwargs) -> None:
    changed()


def _on_m2m(sender: type[Model], action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        changed()


def watch(*models: type[Model]) -> None:
    """Move the site version on at every save or delete of these models' rows (and every
    change to their many-to-many links). Each app calls it from its AppConfig.ready()
    for the rows a visitor may see that staff change in the site."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for model in models:
        label = model._meta.label_lower
        post_save.connect(_on_save, sender=model, dispatch_uid=f"page-cache-save-{label}")
        post_delete.connect(_on_delete, sender=model, dispatch_uid=f"page-cache-del-{label}")
        for field in model._meta.many_to_many:
            through = getattr(field.remote_field, "through", None)
            if through is not None:
                m2m_changed.connect(
                    _on_m2m, sender=through, dispatch_uid=f"page-cache-{through._meta.label_lower}"
                )


def _on_content_loaded(sender: type, report: _Report, **kwargs) -> None:
    if report.changed:
        changed()


def connect_signals() -> None:
    """Called from CoreConfig.ready(): users (names appear on examples), tags, and every
    content load."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from taggit.models import TaggedItem

    from guides.core.signals import content_loaded

    # Groups too: a role's permissions show on signed-in pages (guides/core/personal.py).
    watch(get_user_model(), TaggedItem, Group)
    content_loaded.connect(_on_content_loaded, dispatch_uid="page-cache-content-loaded")


# The middleware ------------------------------------------------------------------------


def page_cache_params(*names: str) -> Callable[[Callable], Callable]:
    """Declare the query parameters that choose what a view shows (not data it draws):
    signed-out pages with only these parameters are cached. Without it, only the
    address with no query string is."""

    def mark(view: Callable) -> Callable:
        view.page_cache_params = frozenset(names)
        return view

    return mark


def known_query(request: HttpRequest) -> bool:
    """True when the request's parameters are all ones its view declared."""
    if not request.GET:
        return True
    match = getattr(request, "resolver_match", None)
    allowed = getattr(match.func, "page_cache_params", frozenset()) if match else frozenset()
    return len(request.META.get("QUERY_STRING", "")) <= MAX_QUERY and set(request.GET) <= allowed


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    headers: tuple[tuple[str, str], ...]
    etag: str


def enabled() -> bool:
    return getattr(settings, "PAGE_CACHE_SECONDS", 0) > 0


def cacheable_request(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and enabled()
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and getattr(settings, "MESSAGE_COOKIE_NAME", "messages") not in request.COOKIES
        and not request.path.startswith((*NEVER, settings.STATIC_URL))
    )


def storable(response: HttpResponse) -> bool:
    control = response.get("Cache-Control", "").lower()
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not any(word in control for word in ("private", "no-store", "no-cache"))
        and response.get("Content-Type", "").startswith(CACHEABLE_TYPES)
        and len(response.content) <= settings.PAGE_CACHE_MAX_ENTRY_BYTES
    )


def page_key(request: HttpRequest, token: str) -> str:
    # Not the Host header: one page whatever port or host name a client gave.
    address = request.get_full_path()
    today = timezone.localdate().isoformat()
    digest = hashlib.sha256(address.encode("utf-8", "surrogateescape")).hexdigest()
    return f"page:{token}:{today}:{digest}"


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _not_modified(request: HttpRequest, etag: str) -> bool:
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if not header:
        return False
    wanted = parse_etags(header)
    return "*" in wanted or any(e.removeprefix("W/") == etag for e in wanted)


def _finish(request: HttpRequest, response: HttpResponse, etag: str) -> HttpResponse:
    if _not_modified(request, etag):
        response = HttpResponseNotModified()
    response["ETag"] = etag
    # Browsers (and any proxy) may keep the page but must ask again each time; the 304
    # makes asking cheap. Vary: Cookie keeps signed-in pages apart in any shared cache.
    patch_cache_control(response, no_cache=True)
    patch_vary_headers(response, ["Cookie"])
    return response


def _from_cache(page: CachedPage) -> HttpResponse:
    response = HttpResponse(page.body)
    for name, value in page.headers:
        response[name] = value
    return response


class PageCacheMiddleware:
    """Serves signed-out GETs from the page cache (see the module's docstring). Placed
    before the session middleware, so a cached page costs one query and no session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not cacheable_request(request):
            signed_in = settings.SESSION_COOKIE_NAME in request.COOKIES
            kind = signed_in and enabled() and personal.wanted(request)
            if kind:
                # A shell with the personal parts filled in (guides/core/personal.py).
                # The site version and the session in one statement (core.sessions).
                from guides.core import sessions

                with sessions.read_with_token(request) as token:
                    reset = _this_request.set(token)
                    try:
                        response = personal.serve(request, self.get_response, token, kind)
                    finally:
                        _this_request.reset(reset)
            else:
                response = self.get_response(request)
            if signed_in:
                # Signed-in pages: never kept by the browser (shared ward computers).
                patch_cache_control(response, private=True, no_store=True)
            return response
        cache = caches[CACHE_ALIAS]
        key = page_key(request, current_token())
        page = cache.get(key)
        if page is not None:
            return _finish(request, _from_cache(page), page.etag)
        response = self.get_response(request)
        if not (known_query(request) and storable(response)):
            return response
        body = response.content
        headers = tuple(
            (name, value) for name, value in response.items() if name.lower() not in NOT_STORED
        )
        page = CachedPage(body=body, headers=headers, etag=_etag(body))
        cache.set(key, page, settings.PAGE_CACHE_SECONDS)
        return _finish(request, response, page.etag)
