"""The search page and the search API: thin views over the engine."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from guides.core.caching import page_cache_params
from guides.core.site import absolute_url
from guides.search import engine
from guides.search.forms import SearchForm

PAGE_SIZE = 20
PLAIN_EXAMPLES = ["running a pilot", "where are we now", "why do patients wait so long", "DNA rate"]


class _Page:
    """What Paginator needs from a result set whose count the engine already knows."""

    def __init__(self, count: int) -> None:
        self._count = count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: int | slice) -> list[engine.Result]:
        return []


@page_cache_params("q", "type", "guide", "tag", "page")
@require_safe
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    guides = form.guides
    if not form.is_valid():
        return render(
            request, "search/search.html", {"form": form, "guides": guides, "invalid": True},
            status=400,
        )  # fmt: skip
    data = form.cleaned_data
    page_number = data["page"] or 1
    results = engine.search(
        data["q"], types=data["type"], guide=data["guide"] or None, tag=data["tag"] or None,
        limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE,
    )  # fmt: skip
    paginator = Paginator(_Page(results.count), PAGE_SIZE)
    page = paginator.get_page(page_number) if results.count else None
    titles = {g.slug: g.title for g in guides}
    for result in results.results:
        result.guide_titles = [titles[s] for s in result.guides if s in titles]
    context = {
        "form": form,
        "query": results.query,
        "results": results,
        "page": page,
        "guides": guides,
        "plain_examples": PLAIN_EXAMPLES,
        "querystring": _querystring(request),
    }
    if results.query and not results.results:
        context["glossary_matches"] = engine.glossary_matches(results.query)
    return render(request, "search/search.html", context)


def _querystring(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@page_cache_params("q", "type", "guide", "tag", "limit", "offset")
@require_safe
def api_search(request: HttpRequest) -> JsonResponse:
    form = SearchForm(request.GET)
    if not form.is_valid():
        return JsonResponse(
            {"error": "invalid parameters", "fields": form.errors.get_json_data()}, status=400
        )
    data = form.cleaned_data
    results = engine.search(
        data["q"], types=data["type"], guide=data["guide"] or None, tag=data["tag"] or None,
        limit=data["limit"] or 20, offset=data["offset"] or 0,
    )  # fmt: skip
    body = {
        "query": results.query,
        "count": results.count,
        # True when there are more matches than were counted (count is then a lower bound).
        "count_capped": results.count_capped,
        "results": [
            {
                "type": r.type,
                # What the result is, for callers that act on it (a module item's value).
                "key": r.key,
                "title": r.title,
                "url": absolute_url(r.url),
                "guides": r.guides,
                "snippet": r.snippet,
                "score": r.score,
            }
            for r in results.results
        ],
    }
    if results.suggestion:
        body["suggestion"] = results.suggestion
    if results.truncated:
        body["message"] = f"The query was cut to its first {engine.MAX_QUERY_LENGTH} characters."
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})
