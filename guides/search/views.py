"""The search page and the search API: thin views over the engine."""

import re
from collections import OrderedDict
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_safe

from guides.core import caching
from guides.core.caching import page_cache_params
from guides.core.site import absolute_url
from guides.library.models import Tool
from guides.search import engine
from guides.search.forms import SearchForm

PAGE_SIZE = 20
GROUP_SIZE = 3  # results shown in each group of the grouped page
PLAIN_EXAMPLES = ["running a pilot", "where are we now", "why do patients wait so long", "DNA rate"]


# Recent searches, per process, keyed on the site version (which changes with the content
# and with every published example, so an entry is never stale) and the parameters. The
# page cache cannot serve them (every address differs); this spares the ranking.
RESULTS_CACHE_SIZE = 500
_results: OrderedDict[tuple, engine.Results] = OrderedDict()


def _search(query: str, **params) -> engine.Results:
    if not caching.enabled():
        return engine.search(query, **params)
    key = (
        caching.current_token(), query,
        tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items())),
    )  # fmt: skip
    found = _results.get(key)
    if found is not None:
        _results.move_to_end(key)
        return found
    found = _results[key] = engine.search(query, **params)
    while len(_results) > RESULTS_CACHE_SIZE:
        _results.popitem(last=False)
    return found


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
    # Without a type filter, the first page is grouped: the best answer, then a few of
    # each kind with "show all"; a filter (or a later page) is one ranked list.
    grouped = not data["type"] and page_number == 1
    results = _search(
        data["q"], types=data["type"], guide=data["guide"] or None, tag=data["tag"] or None,
        limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE,
        group_size=GROUP_SIZE if grouped else 0,
    )  # fmt: skip
    paginator = Paginator(_Page(results.count), PAGE_SIZE)
    page = paginator.get_page(page_number) if results.count else None
    titles = {g.slug: g.title for g in guides}
    for result in results.results:
        result.guide_titles = [titles[s] for s in result.guides if s in titles]
    best, groups = None, []
    if grouped and results.results:
        best = results.results[0]
        if best.type == "tool":
            best.when_to_use = _when_to_use(best.object_id)
        for group in results.groups:
            members = [r for r in group.results if r.key != best.key][:GROUP_SIZE]
            for result in members:
                result.guide_titles = [titles[s] for s in result.guides if s in titles]
            if members:
                groups.append({
                    "name": group.name, "label": group.label, "count": group.count,
                    "results": members, "more": group.count > len(members) + (
                        best.group == group.name),
                    "show_all": _show_all(request, group.kinds),
                })  # fmt: skip
    context = {
        "form": form,
        "query": results.query,
        "results": results,
        "page": page,
        "guides": guides,
        "plain_examples": PLAIN_EXAMPLES,
        "querystring": _querystring(request),
        "best": best,
        "groups": groups,
    }
    if results.query and not results.results:
        context["glossary_matches"] = engine.glossary_matches(results.query)
        context["tool_finder"] = _tool_finder_url()
    return render(request, "search/search.html", context)


def _tool_finder_url() -> str:
    """The tool finder's address, when the site has one."""
    try:
        return reverse("library:tool-finder")
    except NoReverseMatch:
        return ""


def _show_all(request: HttpRequest, kinds: list[str]) -> str:
    """The address of this search filtered to one group's kinds."""
    params = [(k, v) for k, v in request.GET.items() if k in ("q", "guide", "tag") and v]
    return "?" + urlencode([*params, *(("type", kind) for kind in kinds)])


BULLET = re.compile(r"^\s*[-*]\s+(.+)$")
LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")


def _when_to_use(tool_id: int, limit: int = 4) -> list[str]:
    """The first points of a tool's "When to use it" section, as plain text."""
    body = Tool.objects.filter(pk=tool_id).values_list("body", flat=True).first() or ""
    match = re.search(r"^##\s+When to use it\b.*?$(.*?)(?=^##\s|\Z)", body, re.M | re.S | re.I)
    if not match:
        return []
    points = []
    for line in match.group(1).splitlines():
        bullet = BULLET.match(line)
        if bullet:
            text = LINK.sub(r"\1", bullet.group(1)).replace("**", "").replace("`", "")
            points.append(" ".join(text.split()))
    return points[:limit]


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
    results = _search(
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
                # What the result is: its kind and row, and the stable name callers act
                # on (a module item's value); and the group the search page shows it in.
                "kind": r.kind,
                "object_id": r.object_id,
                "key": r.key,
                "group": r.group,
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
