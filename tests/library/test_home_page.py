"""The home page: the guides in their published order, 1 to 11, grouped by side without
reordering them; one search box; "New to improvement? Start here"."""

import re

import pytest
from django.test import Client

from guides.library.models import Guide, Side

pytestmark = pytest.mark.django_db


def test_the_guides_are_numbered_in_published_order_across_the_groups():
    html = Client().get("/").content.decode()
    numbers = [int(n) for n in re.findall(r'<span class="guide-number">(\d+)</span>', html)]
    expected = list(Guide.objects.order_by("number").values_list("number", flat=True))
    assert numbers == expected and len(numbers) == 11
    # Each group is a run of one side: a new heading only where the side changes.
    sides = list(Guide.objects.order_by("number").values_list("side", flat=True))
    changes = 1 + sum(1 for a, b in zip(sides, sides[1:], strict=False) if a != b)
    assert html.count('<section class="side"') == changes


def test_no_two_group_headings_are_the_same_and_each_names_its_guides():
    html = Client().get("/").content.decode()
    headings = re.findall(r'<h2 id="side-\d+">([^<]+)</h2>', html)
    assert len(headings) == len(set(headings)) > 1
    parts = re.split(r'<h2 id="side-\d+">', html)[1:]
    for heading, part in zip(headings, parts, strict=True):
        numbers = re.findall(r'<span class="guide-number">(\d+)</span>', part.split("</ol>")[0])
        first, last = numbers[0], numbers[-1]
        if len(numbers) == 1:
            assert heading.endswith(f": guide {first}")
        elif len(numbers) == 2:
            assert heading.endswith(f": guides {first} and {last}")
        else:
            assert heading.endswith(f": guides {first} to {last}")
        side = Guide.objects.get(number=int(first)).get_side_display()
        assert heading.startswith(side + ": ")


def test_a_lone_guide_on_its_side_is_named_alone(settings):
    Guide.objects.filter(number=5).update(side=Side.SYSTEMS)
    Guide.objects.filter(number__in=[6, 7, 8]).update(side=Side.PEOPLE)
    html = Client().get("/").content.decode()
    headings = re.findall(r'<h2 id="side-\d+">([^<]+)</h2>', html)
    assert headings == [
        "Systems and process: guides 1 to 3",
        "People and culture: guide 4",
        "Systems and process: guide 5",
        "People and culture: guides 6 to 11",
    ]


def test_the_home_page_has_one_search_box():
    html = Client().get("/").content.decode()
    assert html.count('type="search"') == 1
    assert 'id="site-search-q"' in Client().get("/tools/").content.decode()  # elsewhere


def test_new_to_improvement_starts_with_the_essentials_in_order():
    html = Client().get("/").content.decode()
    assert "New to improvement? Start here" in html
    start = html[html.index("New to improvement?") : html.index("</section>", html.index("New to"))]
    links = re.findall(r'<a href="([^"]+)">', start)
    assert links[0] == Guide.objects.get(number=1).get_absolute_url()
    assert "/tools/pdsa-cycles/" in links and "/tools/run-charts/" in links
    assert links.index("/tools/model-for-improvement/") < links.index("/tools/pdsa-cycles/")


def test_a_start_here_step_whose_tool_is_missing_is_left_out():
    from guides.library.models import Tool

    Tool.objects.filter(slug="pdsa-cycles").delete()
    html = Client().get("/").content.decode()
    assert "/tools/pdsa-cycles/" not in html
    assert "/tools/run-charts/" in html
