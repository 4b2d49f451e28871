"""A form post too large to read gets a page that says so, never a 500 or a bare 400.

Django refuses to read a request body over DATA_UPLOAD_MAX_MEMORY_SIZE (or with more than
DATA_UPLOAD_MAX_NUMBER_FIELDS fields). This middleware runs before the CSRF check, which
is the first thing to read the body. A view marked with `@shows_oversized_form` is then
called as a GET, with `request.oversized` set, so it shows its form again with an error
message; nothing is read and nothing is saved, so skipping the CSRF check is safe. Any
other view's post gets the 413 page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.datastructures import MultiValueDict


def shows_oversized_form(view: Callable) -> Callable:
    view.shows_oversized_form = True
    return view


class RequestTooLargeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        request.oversized = False
        if request.method != "POST":
            return None
        try:
            request.POST  # noqa: B018 - reading it is the check
        except (RequestDataTooBig, TooManyFieldsSent):
            request._post, request._files = QueryDict(), MultiValueDict()
            if getattr(view_func, "shows_oversized_form", False):
                request.method = "GET"
                request.oversized = True
                return None
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            return render(request, "413.html", {"limit_kb": limit // 1024}, status=413)
        return None
