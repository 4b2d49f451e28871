"""A guide page lists its related tools once: the cards only when the guide's own
"Related tools" section does not already link every tool."""

import pytest
from django.test import Client

from guides.library.models import Guide

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("guide", range(1, 12))
def test_each_tool_is_listed_once(guide):
    guide = Guide.objects.get(number=guide)
    html = Client().get(guide.get_absolute_url()).content.decode()
    related = guide.sections.filter(anchor="related-tools").first()
    for tool in guide.tools.all():
        link = f'href="{tool.get_absolute_url()}"'
        in_text = bool(related) and link in related.html
        in_cards = 'id="tools-used"' in html
        assert in_text or in_cards, f"{tool.slug} is not listed on guide {guide.number}"
    if related and all(f'href="{t.get_absolute_url()}"' in related.html for t in guide.tools.all()):
        assert 'id="tools-used"' not in html and 'href="#tools-used"' not in html


def test_the_cards_come_back_when_the_text_leaves_a_tool_out():
    guide = Guide.objects.get(number=2)
    related = guide.sections.get(anchor="related-tools")
    first = guide.tools.order_by("guidetool__order").first()
    related.html = related.html.replace(f'href="{first.get_absolute_url()}"', 'href="#"')
    related.save()
    html = Client().get(guide.get_absolute_url()).content.decode()
    assert 'id="tools-used"' in html and 'href="#tools-used"' in html
