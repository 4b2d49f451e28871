"""Signed-in pages from the public page's body, with only the personal parts made per request.

A guide, tool or glossary page looks the same to everyone but for a few parts: the
account links in the header, the flash messages, "Add a local example here", "Add to a
training module" (with the trainer's own modules and a CSRF token). So for a signed-in
GET of a view marked `@personal.shell`, the page is rendered once *as a signed-out
visitor would see it* (a copy of the request with no cookies, so no session, no user
and no messages can reach it), with each personal part left as a hole, and that *shell*
is cached under the same key parts as the page cache (the site version, the date, the
address). Each signed-in request then costs the site version, the session and the user,
and the holes rendered from its own request: nothing of the page's content is queried
or rendered again.

The personal parts are marked where they are made:

- in a template, `{% load personal %}{% personal %}...{% endpersonal %}`: rendered per
  request with the request's context alone (user, perms, csrf_token, messages, request)
  and any values named in the tag (`{% personal item=item_value %}`), which are taken
  from the page when the shell is made (so they must be public and small);
- in Python (a panel), `part(context, name, **values)` with a function registered by
  `renderer(name)`: called per request as `function(request, **values)`.

Outside a shell both simply render in place. Nothing personal can reach a shell, since
it is made without the user; a shell whose render used a CSRF token or set a cookie is
not kept (the page is then rendered for the request as usual). Messages are always in a
hole, so never cached. Signed-in responses stay `Cache-Control: private, no-store`
(guides/core/caching.py).
"""

from __future__ import annotations

import copy
import hashlib
import secrets
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.template import Context, RequestContext, TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import Resolver404, resolve
from django.utils.safestring import SafeString, mark_safe

CACHE_ALIAS = "pages"
# Headers that belong to one response, not to the page.
NOT_STORED = {"set-cookie", "etag", "cache-control", "date", "vary", "content-length"}

Renderer = Callable[..., str]
_renderers: dict[str, Renderer] = {}
# Template blocks by key (template name, place, a digest of the block's source); filled as
# templates are compiled.
_blocks: dict[str, Any] = {}


def shell(view: Callable) -> Callable:
    """Mark a view whose signed-in page is its public page plus personal parts."""
    view.personal_shell = "public"
    return view


def own_shell(*params: str) -> Callable[[Callable], Callable]:
    """Mark a signed-in view whose page depends only on the user, their permissions and the
    site's data (their own examples, say) and these query parameters: it is kept per
    person, with the header, messages and any CSRF token as holes."""

    def mark(view: Callable) -> Callable:
        view.personal_shell = "own"
        view.personal_params = frozenset(params)
        return view

    return mark


def renderer(name: str) -> Callable[[Renderer], Renderer]:
    def register(function: Renderer) -> Renderer:
        _renderers[name] = function
        return function

    return register


@dataclass(frozen=True)
class Hole:
    kind: str  # "block" (a template's {% personal %}) or "part" (a registered renderer)
    key: str
    values: dict[str, Any]


@dataclass(frozen=True)
class Shell:
    texts: tuple[str, ...]  # one more than holes: text, hole, text, ... text
    holes: tuple[Hole, ...]
    headers: tuple[tuple[str, str], ...]


NO_SHELL = "none"  # cached for an address whose public page cannot be a shell (a 404)


class _Making:
    """On the signed-out copy of the request while its shell is made."""

    def __init__(self) -> None:
        self.nonce = secrets.token_hex(8)
        self.holes: list[Hole] = []

    def hole(self, hole: Hole) -> SafeString:
        self.holes.append(hole)
        return mark_safe(f"<!--personal:{self.nonce}:{len(self.holes) - 1}-->")  # noqa: S308

    def split(self, body: str) -> tuple[str, ...] | None:
        texts = []
        rest = body
        for i in range(len(self.holes)):
            before, mark, rest = rest.partition(f"<!--personal:{self.nonce}:{i}-->")
            if not mark:
                return None  # a hole that did not reach the page (or reached it twice)
            texts.append(before)
        if f"<!--personal:{self.nonce}:" in rest:
            return None
        texts.append(rest)
        return tuple(texts)


def _making(context: Context) -> _Making | None:
    request = context.get("request")
    return getattr(request, "personal_making", None)


def part(context: Context, name: str, **values: Any) -> SafeString:
    """A personal part made in Python: `renderer(name)`'s function, called with the
    request and `values` (taken now, from the page: public and small)."""
    making = _making(context)
    if making is not None:
        return making.hole(Hole("part", name, values))
    return mark_safe(_renderers[name](context.get("request"), **values))  # noqa: S308


# The template block ----------------------------------------------------------------------


def block_key(template_name: str, place: int, source: str) -> str:
    digest = hashlib.sha256(source.encode()).hexdigest()[:12]
    return f"{template_name}:{place}:{digest}"


def register_block(key: str, node: Any) -> None:
    _blocks[key] = node


def block_hole(context: Context, node: Any, values: dict[str, Any]) -> SafeString | None:
    """In a shell: the block's hole (its values taken now); otherwise None."""
    making = _making(context)
    if making is None:
        return None
    return making.hole(Hole("block", node.personal_key, values))


def _block(hole: Hole) -> Any:
    node = _blocks.get(hole.key)
    if node is None:  # this process has not compiled the template yet
        try:
            get_template(hole.key.rsplit(":", 2)[0])
        except TemplateDoesNotExist:
            raise Stale(hole.key) from None
        node = _blocks.get(hole.key)
    if node is None:
        raise Stale(hole.key)
    return node


class Stale(LookupError):
    """A shell names a block or renderer this code no longer has (a new release)."""


# Serving --------------------------------------------------------------------------------


def wanted(request: HttpRequest) -> str:
    """For a signed-in GET: "public" for a shell view with no query string, "own" for a
    per-person one with only its declared parameters, else ""."""
    if request.method != "GET" or len(request.META.get("QUERY_STRING", "")) > 200:
        return ""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return ""
    kind = getattr(match.func, "personal_shell", "")
    if kind == "public" and request.GET:
        return ""
    if kind == "own" and not set(request.GET) <= match.func.personal_params:
        return ""
    request.resolver_match = match
    return kind


def shell_key(request: HttpRequest, token: str) -> str:
    from guides.core.caching import page_key

    return "shell:" + page_key(request, token)


def _make(
    request: HttpRequest, get_response: Callable[[HttpRequest], HttpResponse]
) -> tuple[Shell | None, int]:
    """The page as a signed-out visitor sees it, with its personal parts as holes, and
    the status it was answered with."""
    visitor = copy.copy(request)
    visitor.COOKIES = {}
    visitor.META = {k: v for k, v in request.META.items() if k != "HTTP_COOKIE"}
    visitor.environ = visitor.META
    visitor.resolver_match = None
    making = visitor.personal_making = _Making()
    response = get_response(visitor)
    return _shell_of(response, making, visitor), response.status_code


def _shell_of(response: HttpResponse, making: _Making, request: HttpRequest) -> Shell | None:
    """The response as a shell; None when it cannot be one."""
    control = response.get("Cache-Control", "").lower()
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # a token outside a hole
        or "no-store" in control
        or not response.get("Content-Type", "").startswith("text/html")
        or len(response.content) > settings.PAGE_CACHE_MAX_ENTRY_BYTES
    ):
        return None
    texts = making.split(response.content.decode(response.charset or "utf-8"))
    if texts is None:
        return None
    headers = tuple((n, v) for n, v in response.items() if n.lower() not in NOT_STORED)
    return Shell(texts=texts, holes=tuple(making.holes), headers=headers)


def own_key(request: HttpRequest, token: str) -> str:
    """A per-person shell's key: the page's, the user and everything they may do (a role
    changed in the admin changes it), and the hash that signs their sessions."""
    from guides.core.caching import page_key

    user = request.user
    who = f"{user.pk}:{user.get_session_auth_hash()}:{sorted(user.get_all_permissions())}"
    digest = hashlib.sha256(who.encode()).hexdigest()[:32]
    return f"own:{digest}:" + page_key(request, token)


def serve_own(
    request: HttpRequest, get_response: Callable[[HttpRequest], HttpResponse], token: str
) -> HttpResponse:
    """A per-person page: the person's shell filled in, or the view's page, made with
    holes and kept when it can be."""
    cache = caches[CACHE_ALIAS]
    key = own_key(request, token)
    found = cache.get(key)
    if isinstance(found, Shell):
        try:
            return fill(found, request)
        except Stale:
            pass
    making = request.personal_making = _Making()
    try:
        response = get_response(request)
    finally:
        del request.personal_making
    if not making.holes:
        return response
    made = _shell_of(response, making, request)
    if made is None:
        return get_response(request)  # rendered again, in place
    cache.set(key, made, settings.PAGE_CACHE_SECONDS)
    return fill(made, request)


def serve(
    request: HttpRequest,
    get_response: Callable[[HttpRequest], HttpResponse],
    token: str,
    kind: str,
) -> HttpResponse:
    """Called by the page cache for a signed-in GET that `wanted()`: attaches the shell
    (made and cached when missing) for FillMiddleware, then runs the rest of the chain
    (session, user, messages) for this request."""
    request.personal_token = token
    if kind == "own":
        request.personal_own = True  # FillMiddleware, once the user is known
        return get_response(request)
    cache = caches[CACHE_ALIAS]
    key = shell_key(request, token)
    found = cache.get(key)
    if found is None:
        found, status = _make(request, get_response)
        if status == 200:  # a made-up address (a 404) is not remembered
            cache.set(key, found or NO_SHELL, settings.PAGE_CACHE_SECONDS)
    if isinstance(found, Shell):
        request.personal_shell = found
    return get_response(request)


def fill(shell: Shell, request: HttpRequest) -> HttpResponse:
    out = [shell.texts[0]]
    blocks = [_block(hole) if hole.kind == "block" else None for hole in shell.holes]
    context = None  # one request context (its processors run once) for all the blocks
    with ExitStack() as stack:
        for hole, node, text in zip(shell.holes, blocks, shell.texts[1:], strict=True):
            if node is not None:
                template = get_template(node.origin.template_name).template
                if context is None:
                    context = RequestContext(request)
                    stack.enter_context(context.bind_template(template))
                with context.render_context.push_state(template), context.push(hole.values):
                    out.append(node.nodelist.render(context))
            else:
                function = _renderers.get(hole.key)
                if function is None:
                    raise Stale(hole.key)
                out.append(function(request, **hole.values))
            out.append(text)
    response = HttpResponse("".join(out))
    for name, value in shell.headers:
        response[name] = value
    return response


def remember_permissions(request: HttpRequest, token: str) -> None:
    """A signed-in user's permissions, kept per site version (a change to a user, their
    groups or a group's permissions moves it on): two queries fewer per page. Django's
    ModelBackend reads them from `_perm_cache` when it is there."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or hasattr(user, "_perm_cache"):
        return
    cache = caches[CACHE_ALIAS]
    key = f"perms:{token}:{user.pk}"
    found = cache.get(key)
    if found is None:
        cache.set(key, frozenset(user.get_all_permissions()), settings.PAGE_CACHE_SECONDS)
    else:
        user._perm_cache = set(found)


class FillMiddleware:
    """Last in MIDDLEWARE: a request with a shell gets it filled in from its own session,
    user and messages, instead of the view. A shell this release cannot fill (made by
    another) falls back to the view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = getattr(request, "personal_token", None)
        if token is not None:
            remember_permissions(request, token)
        found = getattr(request, "personal_shell", None)
        if found is not None:
            try:
                return fill(found, request)
            except Stale:
                pass
        own = getattr(request, "personal_own", False)
        if own and token is not None and request.user.is_authenticated:
            return serve_own(request, self.get_response, token)
        return self.get_response(request)
