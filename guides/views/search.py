from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .. import search as engine
from ..models import Guide


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    too_long = len(query) > engine.MAX_QUERY_LENGTH
    results = engine.search(query)
    guides = [] if results.results else Guide.objects.only("slug", "title", "number")
    return render(
        request,
        "guides/search.html",
        {"query": results.query, "results": results, "too_long": too_long, "guides": guides},
    )
