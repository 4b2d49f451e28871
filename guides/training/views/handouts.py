"""The handouts: a print view and a PDF of a module (in the trainer's or the
participant's edition), of any guide and of any tool. Who may print a module's handout
follows who may read the module (see access.py).

Every PDF is kept in the cache under a key made of what it prints: for a guide or a tool
its slug, for a module its id, version and edition; and the site version (content,
examples, modules), the content version, the date and SITE_URL. A cached PDF costs a
few queries; a new one is made only in one of the PDF slots (handouts/limits.py), and a
request that finds them all taken gets a 503 "being prepared" page, never a wait."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from guides.core.caching import current_token
from guides.core.site import site_url
from guides.library.models import ContentVersion, Guide, Tool
from guides.training import handouts
from guides.training.handouts.limits import RETRY_AFTER, HandoutTooLarge, RendersBusy, render_slot
from guides.training.models import Module, ModuleVisibility
from guides.training.views.access import readable, share_key, shows_trainer

PDF_CACHE_SECONDS = 60 * 60


def _edition(request: HttpRequest, module: Module) -> str:
    wanted = request.GET.get("edition", "")
    if not shows_trainer(request, module):
        return handouts.PARTICIPANT
    return wanted if wanted in handouts.EDITIONS else handouts.TRAINER


def _pdf_response(pdf: bytes, name: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = slugify(name)[:80] or "handout"
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return response


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_store=True)
    return response


def _too_large(request: HttpRequest, problem: HandoutTooLarge, back: Model) -> HttpResponse:
    response = render(
        request,
        "training/handout_refused.html",
        {"heading": "This handout is too long to print", "message": problem.message, "back": back},
        status=422,
    )
    return _private(response)


def _busy(request: HttpRequest, back: Model) -> HttpResponse:
    message = (
        "Other handouts are being made as PDFs just now, and this one has to wait its turn "
        f"so that the library stays quick for everyone. Please try again in {RETRY_AFTER} "
        "seconds: nothing is lost, and the same link will work."
    )
    response = render(
        request,
        "training/handout_refused.html",
        {"heading": "Your handout is being prepared", "message": message, "back": back},
        status=503,
    )
    response["Retry-After"] = str(RETRY_AFTER)
    return _private(response)


def _key(*parts: object) -> str:
    version = ContentVersion.objects.only("digest", "loaded_at").first()
    fixed = [
        current_token(),
        version.label if version else "",
        timezone.localdate().isoformat(),
        settings.SITE_URL,
    ]
    return "handout:" + ":".join(str(p) for p in [*parts, *fixed])


def _cached_pdf(key: str, build: Callable[[], handouts.Handout]) -> bytes:
    """The PDF under `key`, or made now in a PDF slot (RendersBusy when none is free)
    and kept for an hour. The handout is built only when it is not in the cache."""
    pdf = cache.get(key)
    if pdf is not None:
        return pdf
    with render_slot():
        base_url = site_url()
        html = handouts.render_html(build(), pdf=True)
        # The fetcher is named here, not left to write_pdf's default, so that every PDF
        # the site serves is plainly made with the one that reads only our static files.
        fetcher = handouts.static_only_fetcher(base_url)
        pdf = handouts.write_pdf(html, base_url=base_url, fetcher=fetcher)
    cache.set(key, pdf, PDF_CACHE_SECONDS)
    return pdf


# Modules ----------------------------------------------------------------------------


def _build_module(module: Module, edition: str) -> Callable[[], handouts.Handout]:
    return lambda: handouts.module_handout(module, edition=edition, base_url=site_url())


@require_safe
def module_handout(request: HttpRequest, pk: int) -> HttpResponse:
    module = readable(request, pk)
    try:
        handout = _build_module(module, _edition(request, module))()
    except HandoutTooLarge as problem:
        return _too_large(request, problem, module)
    key = share_key(request) if module.visibility == ModuleVisibility.LINK else ""

    def url(name: str, **params: str) -> str:
        params = {k: v for k, v in {**params, "key": key}.items() if v}
        query = f"?{urlencode(params)}" if params else ""
        return reverse(name, args=[module.pk]) + query

    editions = []
    if shows_trainer(request, module):
        editions = [
            {
                "label": label,
                "url": url("training:handout", edition=edition),
                "current": edition == handout.edition,
            }
            for edition, label in handouts.EDITIONS.items()
        ]
    html = handouts.render_html(
        handout,
        pdf=False,
        request=request,
        back_url=url("training:detail"),
        back_label="the module",
        edition_links=editions,
        pdf_url=url("training:handout-pdf", edition=handout.edition),
    )
    return _private(HttpResponse(html))


@require_safe
def module_handout_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    module = readable(request, pk)
    edition = _edition(request, module)
    key = _key("module", module.pk, module.version, edition)
    try:
        pdf = _cached_pdf(key, _build_module(module, edition))
    except HandoutTooLarge as problem:
        return _too_large(request, problem, module)
    except RendersBusy:
        return _busy(request, module)
    return _private(_pdf_response(pdf, f"{module.title}-{edition}"))


# Guides and tools: the same for everyone ---------------------------------------------


@dataclass(frozen=True)
class Printable:
    """A guide or a tool, as its handout views need it."""

    model: type[Guide] | type[Tool]
    build: Callable[..., handouts.Handout]
    back_label: str
    pdf_url_name: str

    def get(self, slug: str) -> Guide | Tool:
        return get_object_or_404(self.model, slug=slug)

    def handout(self, obj: Guide | Tool) -> handouts.Handout:
        return self.build(obj, base_url=site_url())

    def print_view(self, request: HttpRequest, slug: str) -> HttpResponse:
        obj = self.get(slug)
        html = handouts.render_html(
            self.handout(obj),
            pdf=False,
            request=request,
            back_url=obj.get_absolute_url(),
            back_label=self.back_label,
            edition_links=[],
            pdf_url=reverse(self.pdf_url_name, args=[obj.slug]),
        )
        return HttpResponse(html)

    def pdf(self, request: HttpRequest, slug: str) -> HttpResponse:
        obj = self.get(slug)
        key = _key(self.model.__name__.lower(), obj.slug)
        try:
            pdf = _cached_pdf(key, lambda: self.handout(obj))
        except RendersBusy:
            return _busy(request, obj)
        return _pdf_response(pdf, getattr(obj, "title", "") or str(obj))


GUIDE = Printable(Guide, handouts.guide_handout, "the guide", "training:guide-handout-pdf")
TOOL = Printable(Tool, handouts.tool_handout, "the tool", "training:tool-handout-pdf")


@require_safe
def guide_handout(request: HttpRequest, slug: str) -> HttpResponse:
    return GUIDE.print_view(request, slug)


@require_safe
def guide_handout_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    return GUIDE.pdf(request, slug)


@require_safe
def tool_handout(request: HttpRequest, slug: str) -> HttpResponse:
    return TOOL.print_view(request, slug)


@require_safe
def tool_handout_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    return TOOL.pdf(request, slug)
