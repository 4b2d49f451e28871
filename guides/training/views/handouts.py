"""The handouts: a print view and a PDF of a module (in the trainer's or the
participant's edition), of any guide and of any tool. Who may print a module's handout
follows who may read the module (see access.py)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from guides.library.models import Guide, Tool
from guides.training import handouts
from guides.training.models import Module, ModuleVisibility
from guides.training.views.access import readable, share_key, shows_trainer

PDF_CACHE_SECONDS = 60 * 60


def _edition(request: HttpRequest, module: Module) -> str:
    wanted = request.GET.get("edition", "")
    if not shows_trainer(request, module):
        return handouts.PARTICIPANT
    return wanted if wanted in handouts.EDITIONS else handouts.TRAINER


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _pdf_response(pdf: bytes, name: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = slugify(name)[:80] or "handout"
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return response


def _pdf(handout: handouts.Handout, request: HttpRequest) -> bytes:
    base_url = _base_url(request)
    # Named here, not left to write_pdf's default, so that every PDF the site serves is
    # plainly made with the fetcher that reads nothing but the library's static files.
    fetcher = handouts.static_only_fetcher(base_url)
    html = handouts.render_html(handout, pdf=True)
    return handouts.write_pdf(html, base_url=base_url, fetcher=fetcher)


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_store=True)
    return response


def _module_handout(request: HttpRequest, pk: int) -> tuple[Module, handouts.Handout]:
    module = readable(request, pk)
    handout = handouts.module_handout(
        module, edition=_edition(request, module), base_url=_base_url(request)
    )
    return module, handout


@require_safe
def module_handout(request: HttpRequest, pk: int) -> HttpResponse:
    module, handout = _module_handout(request, pk)
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
    module, handout = _module_handout(request, pk)
    return _private(_pdf_response(_pdf(handout, request), f"{module.title}-{handout.edition}"))


def _cached_pdf(
    request: HttpRequest,
    kind: str,
    obj: Guide | Tool,
    build: Callable[..., handouts.Handout],
) -> bytes:
    """Guide and tool PDFs are the same for everyone until the content or the date
    changes: keep them for an hour rather than spend a second making each one."""
    handout = build(obj, base_url=_base_url(request))
    key = "handout:" + ":".join(
        [kind, obj.slug, handout.content_version, str(handout.printed_on), _base_url(request)]
    )
    pdf = cache.get(key)
    if pdf is None:
        pdf = _pdf(handout, request)
        cache.set(key, pdf, PDF_CACHE_SECONDS)
    return pdf


@require_safe
def guide_handout_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    guide = get_object_or_404(Guide, slug=slug)
    pdf = _cached_pdf(request, "guide", guide, handouts.guide_handout)
    return _pdf_response(pdf, guide.title)


@require_safe
def tool_handout_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    tool = get_object_or_404(Tool, slug=slug)
    pdf = _cached_pdf(request, "tool", tool, handouts.tool_handout)
    return _pdf_response(pdf, tool.name)


@require_safe
def guide_handout(request: HttpRequest, slug: str) -> HttpResponse:
    guide = get_object_or_404(Guide, slug=slug)
    handout = handouts.guide_handout(guide, base_url=_base_url(request))
    html = handouts.render_html(
        handout,
        pdf=False,
        request=request,
        back_url=guide.get_absolute_url(),
        back_label="the guide",
        edition_links=[],
        pdf_url=reverse("training:guide-handout-pdf", args=[guide.slug]),
    )
    return HttpResponse(html)


@require_safe
def tool_handout(request: HttpRequest, slug: str) -> HttpResponse:
    tool = get_object_or_404(Tool, slug=slug)
    handout = handouts.tool_handout(tool, base_url=_base_url(request))
    html = handouts.render_html(
        handout,
        pdf=False,
        request=request,
        back_url=tool.get_absolute_url(),
        back_label="the tool",
        edition_links=[],
        pdf_url=reverse("training:tool-handout-pdf", args=[tool.slug]),
    )
    return HttpResponse(html)
