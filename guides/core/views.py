"""Friendly error pages and the health checks. The 500 and 503 pages are rendered
without the database or context processors, since either may be what failed."""

from __future__ import annotations

import sys

from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.http import require_safe

from guides.core.permissions import Refused

# Seconds a client is asked to wait before trying again while the database is away.
RETRY_AFTER = 10


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 403 page. Views raise PermissionDenied("what you may not do, and why"); the
    page shows that sentence, or a general one."""
    context = {"message": str(exception) if isinstance(exception, PermissionDenied) else ""}
    if isinstance(exception, Refused):
        context |= {"back_url": exception.back_url, "back_label": exception.back_label}
    return render(request, "403.html", context, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


FALLBACK = (
    '<!doctype html><html lang="en-GB"><meta charset="utf-8"><title>{title}</title>'
    '<h1>{title}</h1><p>{text}</p><p><a href="/">Go to the list of guides</a></p></html>'
)


def _render(template: str, title: str, text: str) -> str:
    """The friendly page, or a plain one if even that fails (say the static files were
    never collected): an error page must never raise an error of its own."""
    try:
        return loader.get_template(template).render()
    except Exception:  # noqa: BLE001 - anything at all: the fallback needs nothing
        return FALLBACK.format(title=title, text=text)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception, so it can be seen here. When the
    # database is down or restarting (any middleware or view may be the first to touch
    # it), say so with a 503 the moment the connection fails, rather than a 500.
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        return database_unavailable(request)
    return HttpResponseServerError(
        _render("500.html", "Sorry, something went wrong", "Please try again in a minute.")
    )


def database_unavailable(request: HttpRequest) -> HttpResponse:
    body = _render("503.html", "Back in a moment", "The library's database is restarting.")
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def live(request: HttpRequest) -> HttpResponse:
    """The process answers (no database): a liveness probe, and the ceiling that
    bench/load.sh measures pages against."""
    return HttpResponse("ok", content_type="text/plain")


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # Any database failure means "not healthy", whatever the driver.
        return JsonResponse({"status": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
