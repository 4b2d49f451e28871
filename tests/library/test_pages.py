"""Browsing pages, the JSON API and the health check, on the real content."""

from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from guides.library.models import GlossaryTerm, Guide, Tool
from tests.factories import grow_content

pytestmark = pytest.mark.django_db

GUIDE_SLUGS = [
    "process-mapping", "measurement-for-improvement", "matching-capacity-and-demand",
    "involving-patients-and-carers", "human-dimensions-of-change", "sustainability-and-spread",
    "collaborative-programme", "working-in-systems", "improvement-culture",
    "working-with-groups", "redesigning-roles",
]  # fmt: skip


def test_home_lists_all_eleven_guides_grouped_by_side(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    for guide in Guide.objects.all():
        assert guide.get_absolute_url() in html
        assert escape(guide.purpose) in html
    assert html.index("Systems and process") < html.index("People and culture")
    assert 'role="search"' in html
    assert reverse("library:glossary") in html


def test_the_guide_slugs_are_the_fixed_ones():
    assert list(Guide.objects.order_by("number").values_list("slug", flat=True)) == GUIDE_SLUGS


@pytest.mark.parametrize("slug", GUIDE_SLUGS)
def test_every_guide_page_answers(client, slug):
    guide = Guide.objects.get(slug=slug)
    response = client.get(guide.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{escape(guide.title)}</h1>" in html
    for section in guide.sections.all():
        assert f'<h2 id="{section.anchor}">' in html
        assert f'href="#{section.anchor}"' in html  # on this page
    for tool in guide.tools.all():
        assert tool.get_absolute_url() in html
    assert 'aria-label="Breadcrumb"' in html


def test_guide_page_has_previous_and_next():
    from django.test import Client

    html = Client().get("/guides/measurement-for-improvement/").content.decode()
    assert 'rel="prev" href="/guides/process-mapping/"' in html
    assert 'rel="next" href="/guides/matching-capacity-and-demand/"' in html
    first = Client().get("/guides/process-mapping/").content.decode()
    assert 'rel="prev"' not in first


def test_every_tool_page_answers(client):
    tools = list(Tool.objects.all())
    assert tools
    for tool in tools:
        response = client.get(tool.get_absolute_url())
        assert response.status_code == 200, tool.slug
        for guide in tool.guides.all():
            assert guide.get_absolute_url() in response.content.decode()


def test_every_glossary_page_answers(client):
    terms = list(GlossaryTerm.objects.all())
    assert terms
    index = client.get("/glossary/").content.decode()
    for term in terms:
        assert f'id="{term.slug}"' in index
        response = client.get(term.get_absolute_url())
        assert response.status_code == 200, term.slug
        for plain in term.plain_alternatives:
            assert escape(plain) in response.content.decode()


def test_glossary_index_has_a_to_z_anchors(client):
    html = client.get("/glossary/").content.decode()
    letters = {t.letter for t in GlossaryTerm.objects.all()}
    for letter in letters:
        assert f'href="#letter-{letter}"' in html
        assert f'id="letter-{letter}"' in html


def test_tool_index_answers(client):
    response = client.get("/tools/")
    assert response.status_code == 200
    assert response.content.decode().count('class="card"') == Tool.objects.count()


@pytest.mark.parametrize(
    "url",
    [
        "/guides/no-such-guide/",
        "/tools/no-such-tool/",
        "/glossary/no-such-term/",
        "/api/guides/nope/",
        "/api/tools/nope/",
        "/nowhere/",
    ],  # fmt: skip
)
def test_unknown_slug_is_a_friendly_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    if not url.startswith("/api/"):
        assert "Page not found" in response.content.decode()


def test_glossary_terms_are_linked_in_guide_pages(client):
    term = GlossaryTerm.objects.filter(used_in_guides__isnull=False).first()
    assert term is not None
    guide = term.used_in_guides.first()
    html = client.get(guide.get_absolute_url()).content.decode()
    assert html.count(f'class="term" href="{term.get_absolute_url()}"') == 1
    assert 'role="tooltip"' in html
    term_page = client.get(term.get_absolute_url()).content.decode()
    assert guide.get_absolute_url() in term_page


def test_500_page_is_friendly_and_needs_no_database(rf):
    from guides.core.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.content.decode()


def test_print_stylesheet_hides_navigation_and_prints_link_addresses(client):
    from django.contrib.staticfiles import finders

    css = open(finders.find("css/site.css")).read()
    print_css = css[css.index("@media print") :]
    assert ".site-header" in print_css and "display: none" in print_css
    assert 'content: " (" attr(href) ")"' in print_css


# JSON API -------------------------------------------------------------------------


def test_api_guide_list(client):
    data = client.get("/api/guides/").json()
    assert [g["slug"] for g in data["guides"]] == GUIDE_SLUGS
    first = data["guides"][0]
    assert set(first) >= {"slug", "number", "title", "purpose", "url"}
    assert first["url"] == "http://testserver/guides/process-mapping/"


def test_api_guide_detail(client):
    guide = Guide.objects.filter(sections__isnull=False).distinct().first()
    data = client.get(f"/api/guides/{guide.slug}/").json()
    assert data["slug"] == guide.slug
    sections = list(guide.sections.order_by("order"))
    assert [s["anchor"] for s in data["sections"]] == [s.anchor for s in sections]
    assert set(data["sections"][0]) >= {"title", "anchor", "html", "text"}
    assert data["sections"][0]["html"] == sections[0].html
    assert "<" not in data["sections"][0]["text"]
    expected_tools = list(guide.tools.order_by("guidetool__order").values_list("slug", flat=True))
    assert [t["slug"] for t in data["tools"]] == expected_tools
    assert set(data["tools"][0]) == {"slug", "name", "url"}


def test_api_tool_detail(client):
    tool = Tool.objects.filter(guides__isnull=False).first()
    data = client.get(f"/api/tools/{tool.slug}/").json()
    assert data["slug"] == tool.slug and data["name"] == tool.name
    assert set(data["guides"]) == set(tool.guides.values_list("slug", flat=True))


def test_review_dates_show_on_pages_and_in_the_api(client):
    """Each guide and tool says when it was last reviewed and when it is next due."""
    Guide.objects.filter(slug="process-mapping").update(
        last_reviewed=date(2026, 3, 4), review_due=date(2027, 9, 30)
    )
    Tool.objects.filter(slug="run-charts").update(
        last_reviewed=date(2025, 1, 2), review_due=date(2026, 1, 31)
    )
    for url, reviewed, due in (
        ("/guides/process-mapping/", "4 March 2026", "30 September 2027"),
        ("/tools/run-charts/", "2 January 2025", "31 January 2026"),
    ):
        html = client.get(url).content.decode()
        assert f'<time datetime="{date_from(reviewed)}">{reviewed}</time>' in html, url
        assert f'next review due <time datetime="{date_from(due)}">{due}</time>' in html, url
    guide = client.get("/api/guides/process-mapping/").json()
    assert (guide["last_reviewed"], guide["review_due"]) == ("2026-03-04", "2027-09-30")
    listed = client.get("/api/guides/").json()["guides"][0]
    assert (listed["last_reviewed"], listed["review_due"]) == ("2026-03-04", "2027-09-30")
    tool = client.get("/api/tools/run-charts/").json()
    assert (tool["last_reviewed"], tool["review_due"]) == ("2025-01-02", "2026-01-31")


def date_from(text: str) -> str:
    return datetime.strptime(text, "%d %B %Y").date().isoformat()


def test_api_glossary(client):
    data = client.get("/api/glossary/").json()
    assert len(data["terms"]) == GlossaryTerm.objects.count()
    term = data["terms"][0]
    assert set(term) >= {"slug", "term", "definition", "plain_alternatives", "url"}
    assert isinstance(term["plain_alternatives"], list) and term["plain_alternatives"]


def test_api_refuses_writes(client):
    assert client.post("/api/guides/").status_code == 405


# Health ---------------------------------------------------------------------------


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_503_when_the_database_is_unreachable(client, monkeypatch):
    from django.db.utils import OperationalError

    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503


# Query counts: a page's cost must not grow with the amount of content ------------


PAGES = [
    ("/", 3),
    ("/guides/process-mapping/", 7),
    ("/tools/", 3),
    ("/tools/run-charts/", 5),  # + the local examples of its steps (one query)
    ("/tools/finder/", 5),
    ("/tools/finder/?stage=measuring&people=small-team", 5),
    ("/tools/demand-and-capacity-tables/worksheet/", 1),
    ("/glossary/", 2),
    ("/glossary/{term}/", 5),
    ("/api/guides/", 1),
    ("/api/guides/process-mapping/", 5),
    ("/api/tools/run-charts/", 4),
    ("/api/glossary/", 3),
]


@pytest.mark.parametrize(("url", "bound"), PAGES)
def test_page_queries_are_bounded_and_do_not_grow(
    client, url, bound, django_assert_max_num_queries
):
    term = GlossaryTerm.objects.first()
    url = url.format(term=term.slug)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    with django_assert_max_num_queries(bound):
        client.get(url)
    before = count()
    grow_content()
    assert count() == before


def test_admin_shows_content_read_only(admin_client):
    guide = Guide.objects.first()
    response = admin_client.get(f"/admin/library/guide/{guide.pk}/change/")
    assert response.status_code == 200
    assert escape(guide.title) in response.content.decode()
    assert 'name="_save"' not in response.content.decode()
    assert admin_client.get("/admin/library/guide/add/").status_code == 403
