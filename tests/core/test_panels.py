"""How the apps meet on a page without importing each other: panels on the library's
pages, and refusals that say why."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from guides.core import panels
from tests.factories import make_example, make_user

pytestmark = pytest.mark.django_db


def test_each_app_adds_its_parts_to_the_library_pages():
    assert panels.slots() == {
        "guide:contents": ["examples"],
        "guide:section": ["examples"],
        "guide:after": ["examples", "training"],
        "tool:after": ["examples", "training"],
        "tool:step": ["examples"],
        "guide:actions": ["training"],
        "tool:actions": ["training"],
        "term:after": ["training"],
        "run-chart:after": ["examples-add-chart", "training-add-chart"],
    }


def test_a_slot_no_app_fills_renders_nothing_and_panels_are_escaped():
    page = Template('{% load panels %}[{% panels "nowhere:at-all" %}]')
    assert page.render(Context({})) == "[]"
    panels.register("test:escaped", lambda context, obj: f"<b>{obj}</b>", name="test")
    try:
        html = Template('{% load panels %}{% panels "test:escaped" thing %}').render(
            Context({"thing": "x"})
        )
    finally:
        panels._slots.pop("test:escaped")
    assert html == "&lt;b&gt;x&lt;/b&gt;"


def test_a_guide_page_carries_the_examples_and_training_panels(client):
    author = make_user("fac_panel", "facilitator")
    make_example(author, title="Panel example", status="published")
    trainer = make_user("tr_panel", "trainer")
    anonymous = client.get("/guides/process-mapping/").content.decode()
    assert "Panel example" in anonymous
    assert 'href="#examples-heading"' in anonymous  # the contents entry the panel adds
    assert "/guides/process-mapping/handout.pdf" in anonymous
    assert "Add to a training module" not in anonymous
    client.force_login(trainer)
    signed_in = client.get("/guides/process-mapping/").content.decode()
    assert "Add to a training module" in signed_in
    # In the order the apps are installed: the examples, then "Add to a training module".
    assert signed_in.index('examples-heading">Local examples') < signed_in.index(
        "add-to-module-heading"
    )


def test_a_refusal_says_why_and_links_back(client):
    author = make_user("fac_refused", "facilitator")
    other = make_user("fac_other", "facilitator")
    example = make_example(author, title="Someone else's draft", status="submitted")
    editor_only = make_user("plain", None)
    client.force_login(other)
    response = client.get(f"/examples/{example.pk}/edit/")
    assert response.status_code == 404  # a draft is not admitted to
    client.force_login(editor_only)
    response = client.get("/examples/review/")
    assert response.status_code == 403
    assert "The review queue is for editors." in response.content.decode()
    client.force_login(make_user("ed_refused", "editor"))
    published = make_example(author, title="Published one", status="published")
    client.force_login(other)
    response = client.get(f"/examples/{published.pk}/edit/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "only an editor can change it" in page
    assert f'href="/examples/{published.pk}/"' in page and "Back to the example" in page
