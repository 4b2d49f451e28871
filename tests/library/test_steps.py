"""A tool's steps: the numbered list of its "Steps" section, each with a stable anchor
(written in the Markdown or made from its opening words), split out on load so that the
tool page can link to each step and other apps can add to it (the `tool:step` slot)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from guides.library import markup
from guides.library.content import ContentError, load_content
from guides.library.content.check import read_content
from guides.library.content.steps import split_steps
from guides.library.models import Tool
from tests.factories import csrf_client

BODY = """## Purpose

Why it helps.

## Steps

Some words before the list.

1. {#choose-the-measure} Choose your measure. See the [guide](https://example.org/).
2. Collect the data at regular intervals.
    - by hand
    - or from a system
3. Plot the points in time order.

A paragraph after the list.

## Tips

1. Not a step: this list is in another section.
"""


def steps_of(source: str):
    return split_steps(markup.render(source).html)


def test_each_step_gets_its_written_anchor_or_one_from_its_opening_words():
    split = steps_of(BODY)
    assert [(s.number, s.anchor) for s in split.steps] == [
        (1, "choose-the-measure"),
        (2, "step-collect-the-data-at-regular"),
        (3, "step-plot-the-points-in-time"),
    ]
    assert split.steps[0].title == "Choose your measure."
    assert "{#" not in split.html and "{#" not in split.steps[0].html
    # The nested list stays inside its step; the other section's list is not steps.
    assert "<li>by hand</li>" in split.steps[1].html
    assert "Some words before the list." in split.before_html
    assert "A paragraph after the list." in split.after_html
    assert "Not a step" in split.after_html
    # The whole body again, each step's item carrying its anchor.
    for step in split.steps:
        assert f'<li id="{step.anchor}">' in split.html
    assert not split.problems


def test_anchors_stay_when_the_steps_are_reordered_and_a_step_is_added():
    before = {s.title: s.anchor for s in steps_of(BODY).steps}
    moved = """## Steps

1. Plot the points in time order.
2. Draw the median.
3. Collect the data at regular intervals.
4. {#choose-the-measure} Choose your measure, now in other words.
"""
    after = steps_of(moved).steps
    assert [s.number for s in after] == [1, 2, 3, 4]
    assert after[0].anchor == before["Plot the points in time order."]
    assert after[2].anchor == before["Collect the data at regular intervals."]
    # Reworded, the step written with an anchor keeps it.
    assert after[3].anchor == "choose-the-measure" and after[3].number == 4


def test_a_tool_with_no_numbered_steps_has_none():
    assert steps_of("## Purpose\n\n1. A list, but not under Steps.\n") is None
    assert steps_of("## Steps\n\nJust words.\n\n## Tips\n\n1. Later list.\n") is None


def test_a_list_that_starts_later_numbers_its_steps_from_there():
    split = steps_of("## Steps\n\n4. Fourth.\n5. Fifth.\n")
    assert [s.number for s in split.steps] == [4, 5]


def test_two_steps_with_the_same_anchor_are_reported(content_dir: Path):
    path = content_dir / "tools/run-charts.md"
    path.write_text(
        path.read_text()
        + "\n## Steps\n\n1. Plot the points on paper.\n2. Plot the points on paper, then check.\n"
    )
    with pytest.raises(ContentError) as error:
        read_content(content_dir)
    assert "tools/run-charts.md: two steps have the anchor 'step-plot-the-points-on-paper'" in str(
        error.value
    )


def test_an_anchor_that_is_not_a_slug_is_left_as_text():
    split = steps_of("## Steps\n\n1. {#Not A Slug} Do it.\n")
    assert split.steps[0].anchor == "step-not-a-slug-do-it"
    assert "{#Not A Slug}" in split.steps[0].html


@pytest.mark.django_db
def test_the_loader_stores_the_steps_and_the_page_links_each_one(content_dir: Path):
    path = content_dir / "tools/run-charts.md"
    path.write_text(path.read_text() + "\n## Steps" + BODY.split("## Steps", 1)[1])
    load_content(content_dir)
    tool = Tool.objects.get(slug="run-charts")
    assert [s["anchor"] for s in tool.steps] == [
        "choose-the-measure",
        "step-collect-the-data-at-regular",
        "step-plot-the-points-in-time",
    ]
    assert tool.step("choose-the-measure")["number"] == 1 and tool.step("nope") is None
    html = csrf_client().get("/tools/run-charts/").content.decode()
    items = re.findall(r'<ol class="tool-steps">.*?</ol>\s*<p>A paragraph after', html, re.S)
    assert len(items) == 1
    for step in tool.steps:
        assert html.count(f'id="{step["anchor"]}"') == 1
    assert "{#" not in html
    # The API and search keep the whole body, without the written anchors.
    assert "{#" not in tool.html and "{#" not in tool.text


@pytest.mark.django_db
def test_every_tool_in_the_library_has_linkable_steps():
    tools = list(Tool.objects.all())
    assert tools
    for tool in tools:
        anchors = [s["anchor"] for s in tool.steps]
        assert anchors, tool.slug
        assert len(set(anchors)) == len(anchors), tool.slug
        assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", a) for a in anchors), tool.slug


@pytest.mark.django_db
def test_the_tool_api_lists_its_steps_with_their_anchors_and_addresses():
    tool = Tool.objects.get(slug="five-whys")
    data = csrf_client().get("/api/tools/five-whys/").json()
    assert [s["anchor"] for s in data["steps"]] == [s["anchor"] for s in tool.steps]
    first = data["steps"][0]
    assert first["number"] == 1 and first["title"] == tool.steps[0]["title"]
    assert first["url"].endswith(f"/tools/five-whys/#{first['anchor']}")
    assert f'<li id="{first["anchor"]}">' in data["html"]
