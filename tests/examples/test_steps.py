"""Local examples attached to a tool's step: the form's step choice (the steps of the
chosen guide's tools and of the ticked tools), the examples shown under their step on
the tool page, the fall back when a step goes from the content, the list and the JSON
API, and export and import."""

from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guides.examples.models import ExampleStatus, LocalExample
from guides.library.content import load_content
from guides.library.models import Tool
from tests.factories import csrf_client, form_data, make_example, make_user, post

pytestmark = pytest.mark.django_db

TOOL = "/tools/run-charts/"


def run_charts() -> Tool:
    return Tool.objects.get(slug="run-charts")


def anchors() -> list[str]:
    return [step["anchor"] for step in run_charts().steps]


def step_item(html: str, anchor: str) -> str:
    """One step's list item on the tool page."""
    match = re.search(rf'<li id="{anchor}">(.*?)</li>\s*(?=<li id=|</ol>)', html, re.S)
    assert match, f"no step {anchor}"
    return match[1]


def attach(author, anchor: str, **fields) -> LocalExample:
    example = make_example(author, status=ExampleStatus.PUBLISHED, tools=("run-charts",), **fields)
    example.step_tool, example.step_anchor = run_charts(), anchor
    example.save(update_fields=["step_tool", "step_anchor"])
    return example


def options(html: str) -> list[tuple[str, bool]]:
    match = re.search(r'<select[^>]*id="id_tool_step"[^>]*>(.*?)</select>', html, re.S)
    assert match, "no step choice"
    return [
        (m.group(1), "selected" in m.group(0))
        for m in re.finditer(r'<option value="([^"]*)"[^>]*>', match[1])
    ]


# The tool page --------------------------------------------------------------------------


def test_examples_show_under_their_step_opening_in_place():
    author = make_user("fac", "facilitator")
    first, second = anchors()[:2]
    attach(author, second, title="Plotting falls weekly", team="Ward 7",
           results="Falls halved over six months. Then more.")  # fmt: skip
    make_example(author, status=ExampleStatus.SUBMITTED, title="Not yet").step_tool = None
    html = csrf_client().get(TOOL).content.decode()
    item = step_item(html, second)
    assert "<details>" in item and "<summary>1 local example" in item
    assert "Plotting falls weekly" in item and "Ward 7" in item
    assert "Falls halved over six months." in item and "Then more" not in item
    # Another step shows nothing to a visitor, and a visitor is not offered to add one.
    assert "local example" not in step_item(html, first)
    assert "Add a local example here" not in html


def test_facilitators_get_add_a_local_example_here_under_every_step():
    client = csrf_client(make_user("fac", "facilitator"))
    html = client.get(TOOL).content.decode()
    for anchor in anchors():
        item = step_item(html, anchor)
        assert f"/examples/new/?tool=run-charts&amp;step={anchor}" in item
        assert "Add a local example here" in item


def test_a_busy_step_shows_its_newest_few_and_links_to_the_rest():
    author = make_user("fac", "facilitator")
    anchor = anchors()[0]
    for i in range(7):
        attach(author, anchor, title=f"Chart {i}")
    item = step_item(csrf_client().get(TOOL).content.decode(), anchor)
    assert "<summary>7 local examples" in item
    assert item.count("<li>") == 5 and "Chart 6" in item and "Chart 0" not in item
    assert "All 7 local examples for this step" in item
    link = f"/examples/?tool=run-charts&amp;step={anchor}"
    assert link in item
    listed = csrf_client().get(link.replace("&amp;", "&")).content.decode()
    assert "7 published examples match your filters" in listed
    assert "Examples of step 1 of" in listed


@pytest.mark.parametrize("who", ["anonymous", "facilitator"])
def test_the_tool_page_queries_do_not_grow_with_annotations(who):
    author = make_user("fac", "facilitator")
    client = csrf_client(None if who == "anonymous" else author)
    attach(author, anchors()[0])
    client.get(TOOL)
    with CaptureQueriesContext(connection) as few:
        client.get(TOOL)
    for anchor in anchors():
        for i in range(6):
            attach(author, anchor, title=f"{anchor} {i}", tags=(f"t{i}",))
    with CaptureQueriesContext(connection) as many:
        html = client.get(TOOL).content.decode()
    assert html.count("<summary>6 local examples") == len(anchors()) - 1
    assert html.count("<summary>7 local examples") == 1
    assert len(many) == len(few)


# The form -------------------------------------------------------------------------------


def test_add_here_opens_the_form_with_the_tool_and_its_step_chosen():
    client = csrf_client(make_user("fac", "facilitator"))
    anchor = anchors()[2]
    html = client.get(f"/examples/new/?tool=run-charts&step={anchor}").content.decode()
    listed = options(html)
    assert [v for v, chosen in listed if chosen] == [f"run-charts#{anchor}"]
    # Every step of the tool is offered, in order, after "no particular step".
    offered = [v for v, _ in listed]
    assert offered[0] == ""
    assert [v for v in offered if v.startswith("run-charts#")] == [
        f"run-charts#{a}" for a in anchors()
    ]
    assert re.search(rf'name="tools" value="{run_charts().pk}"[^>]*checked', html)
    # A step the tool does not have chooses none.
    html = client.get("/examples/new/?tool=run-charts&step=nope").content.decode()
    assert [v for v, chosen in options(html) if chosen] in ([], [""])


def test_the_form_offers_the_steps_of_the_chosen_guides_tools():
    client = csrf_client(make_user("fac", "facilitator"))
    html = client.get("/examples/new/?guide=process-mapping").content.decode()
    offered = {v.split("#")[0] for v, _ in options(html) if v}
    guide_tools = set(
        Tool.objects.filter(guides__slug="process-mapping").values_list("slug", flat=True)
    )
    assert offered == guide_tools
    assert "run-charts" not in offered


def test_an_example_is_saved_with_its_step_and_the_steps_tool_among_its_tools():
    author = make_user("fac", "facilitator")
    client = csrf_client(author)
    anchor = anchors()[1]
    # run-charts is not a tool of process mapping: ticked, its steps are offered.
    data = form_data(tools=[str(run_charts().pk)], tool_step=f"run-charts#{anchor}")
    assert post(client, "/examples/new/", data).status_code == 302
    example = LocalExample.objects.get(author=author)
    assert (example.step_tool, example.step_anchor) == (run_charts(), anchor)
    assert example.step["number"] == 2
    # The step's tool is added to the tools used even when it was not ticked.
    five_whys = Tool.objects.get(slug="five-whys")
    step = five_whys.steps[0]["anchor"]
    response = post(client, "/examples/new/",
                    form_data(title="Why, why", tool_step=f"five-whys#{step}"))  # fmt: skip
    assert response.status_code == 302
    other = LocalExample.objects.get(title="Why, why")
    assert list(other.tools.values_list("slug", flat=True)) == ["five-whys"]
    # Editing shows the step chosen; choosing none takes it away.
    html = client.get(f"/examples/{example.pk}/edit/").content.decode()
    assert [v for v, chosen in options(html) if chosen] == [f"run-charts#{anchor}"]
    data = form_data(tools=[str(run_charts().pk)], tool_step="", based_on_version=example.version)
    assert post(client, f"/examples/{example.pk}/edit/", data).status_code == 302
    example.refresh_from_db()
    assert (example.step_tool, example.step_anchor) == (None, "")


@pytest.mark.parametrize("value", ["run-charts#no-such-step", "pdsa-cycles#x", "<b>x</b>"])
def test_a_step_not_offered_is_refused_with_a_sentence_and_nothing_lost(value):
    author = make_user("fac", "facilitator")
    client = csrf_client(author)
    response = post(client, "/examples/new/", form_data(title="Kept title", tool_step=value))
    assert response.status_code == 200
    html = response.content.decode()
    assert "That step is not one of the steps of this guide" in html
    assert 'value="Kept title"' in html and "Discharge letters took" in html
    assert "<b>x</b>" not in html
    assert not LocalExample.objects.exists()


def test_the_detail_page_names_the_step():
    example = attach(make_user("fac", "facilitator"), anchors()[0])
    html = csrf_client().get(example.get_absolute_url()).content.decode()
    assert f'href="/tools/run-charts/#{anchors()[0]}"' in html and "Shows step 1 of" in html


# The content moves on ---------------------------------------------------------------------


STEPS = """
## Steps

1. {#collect} Collect the data over time.
2. Plot the points in order.
3. Draw the median across.
"""


@pytest.fixture
def stepped_library(content_dir: Path) -> dict:
    path = content_dir / "tools/run-charts.md"
    path.write_text(path.read_text() + STEPS)
    load_content(content_dir)
    author = make_user("fac", "facilitator")
    return {
        "dir": content_dir,
        "path": path,
        "written": attach(author, "collect", title="Kept by its anchor"),
        "worded": attach(author, "step-plot-the-points-in-order", title="Kept by its words"),
        "median": attach(author, "step-draw-the-median-across", title="Falls back"),
    }


def test_reordered_and_reworded_steps_keep_their_examples(stepped_library):
    path = stepped_library["path"]
    text = path.read_text().replace(STEPS, "")
    path.write_text(
        text
        + """
## Steps

1. Plot the points in order.
2. {#collect} Gather the data, week by week.
3. Draw the median across.
"""
    )
    report = load_content(stepped_library["dir"])
    assert not any("is gone" in note for note in report.notes)
    for key in ("written", "worded", "median"):
        example = LocalExample.objects.get(pk=stepped_library[key].pk)
        assert example.step is not None, key
    html = csrf_client().get(TOOL).content.decode()
    assert "Kept by its anchor" in step_item(html, "collect")
    assert "Kept by its words" in step_item(html, "step-plot-the-points-in-order")


def test_a_removed_step_sends_its_examples_back_to_the_tool_and_says_which(stepped_library):
    path = stepped_library["path"]
    path.write_text(path.read_text().replace("3. Draw the median across.\n", ""))
    report = load_content(stepped_library["dir"])
    example = LocalExample.objects.get(pk=stepped_library["median"].pk)
    assert (example.step_tool, example.step_anchor) == (None, "")
    assert list(example.tools.values_list("slug", flat=True)) == ["run-charts"]
    assert example.status == ExampleStatus.PUBLISHED
    note = next(n for n in report.notes if "is gone" in n)
    assert "Step 'step-draw-the-median-across' of tool 'run-charts'" in note
    assert f"#{example.pk} “Falls back”" in note and "Kept" not in note
    assert "{#step-draw-the-median-across}" in note
    assert LocalExample.objects.get(pk=stepped_library["written"].pk).step_anchor == "collect"
    # Still listed with the tool as a whole.
    html = csrf_client().get(TOOL).content.decode()
    assert "Falls back" in html and "Falls back" not in "".join(
        step_item(html, a) for a in anchors()
    )


def test_a_tool_that_loses_its_steps_or_goes_releases_its_examples(stepped_library):
    folder = stepped_library["dir"]
    extra = folder / "tools/tally-charts.md"
    extra.write_text(
        stepped_library["path"].read_text().replace("slug: run-charts", "slug: tally-charts")
    )
    load_content(folder)
    tally = Tool.objects.get(slug="tally-charts")
    example = make_example(make_user("fac2", "facilitator"), status=ExampleStatus.PUBLISHED,
                           tools=("tally-charts",), title="On a tool that goes")  # fmt: skip
    example.step_tool, example.step_anchor = tally, "collect"
    example.save(update_fields=["step_tool", "step_anchor"])
    # The tool's file goes, and run-charts loses its whole "Steps" section.
    extra.unlink()
    path = stepped_library["path"]
    path.write_text(path.read_text().replace(STEPS, ""))
    report = load_content(folder)
    assert not LocalExample.objects.exclude(step_anchor="").exists()
    assert not LocalExample.objects.filter(step_tool__isnull=False).exists()
    notes = "\n".join(report.notes)
    assert "Step 'collect' of tool 'tally-charts' is gone" in notes
    assert f"#{example.pk} “On a tool that goes”" in notes
    assert "Step 'collect' of tool 'run-charts' is gone" in notes
    assert LocalExample.objects.filter(pk=example.pk).exists()


def test_a_dry_run_reports_the_fall_back_and_changes_nothing(stepped_library):
    path = stepped_library["path"]
    path.write_text(path.read_text().replace("3. Draw the median across.\n", ""))
    report = load_content(stepped_library["dir"], dry_run=True)
    assert any("is gone" in note for note in report.notes)
    example = LocalExample.objects.get(pk=stepped_library["median"].pk)
    assert example.step_anchor == "step-draw-the-median-across"


# The list, the API, export and import ----------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("step=collect", "Choose the tool as well as its step."),
        ("tool=run-charts&step=no-such-step", "has no step with that name"),
    ],
)
def test_bad_step_filters_get_a_sentence_not_an_error(query, message):
    response = csrf_client().get(f"/examples/?{query}")
    assert response.status_code == 200 and message in response.content.decode()
    response = csrf_client().get(f"/api/examples/?{query}")
    assert response.status_code == 400 and message in response.content.decode()


def test_the_api_gives_each_examples_step_and_filters_by_it():
    author = make_user("fac", "facilitator")
    anchor = anchors()[3]
    stepped = attach(author, anchor, title="On a step")
    make_example(author, status=ExampleStatus.PUBLISHED, tools=("run-charts",), title="Whole")
    rows = csrf_client().get("/api/examples/?tool=run-charts").json()["examples"]
    by_title = {row["title"]: row for row in rows}
    assert by_title["Whole"]["step"] is None
    assert by_title["On a step"]["step"] == {
        "tool": "run-charts",
        "anchor": anchor,
        "number": 4,
        "title": run_charts().steps[3]["title"],
        "url": f"{settings.SITE_URL}/tools/run-charts/#{anchor}",  # not the Host
    }
    only = csrf_client().get(f"/api/examples/?tool=run-charts&step={anchor}").json()
    assert [row["id"] for row in only["examples"]] == [stepped.pk]
    detail = csrf_client().get(f"/api/examples/{stepped.pk}/").json()
    assert detail["step"]["anchor"] == anchor


def test_the_api_queries_do_not_grow_with_stepped_examples():
    author = make_user("fac", "facilitator")
    attach(author, anchors()[0])
    client = csrf_client()
    client.get("/api/examples/")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/examples/")
    for i, anchor in enumerate(anchors() * 3):
        attach(author, anchor, title=f"More {i}")
    with CaptureQueriesContext(connection) as many:
        rows = client.get("/api/examples/").json()["examples"]
    assert all(row["step"] for row in rows)
    assert len(many) == len(few)


def export() -> dict:
    out = StringIO()
    call_command("export_examples", stdout=out)
    return json.loads(out.getvalue())


def test_export_and_import_carry_the_step(tmp_path):
    author = make_user("fac", "facilitator")
    anchor = anchors()[1]
    stepped = attach(author, anchor, title="On a step")
    make_example(author, status=ExampleStatus.PUBLISHED, title="No step")
    data = export()
    rows = {row["title"]: row for row in data["examples"]}
    assert rows["On a step"]["step"] == {"tool": "run-charts", "anchor": anchor}
    assert rows["No step"]["step"] is None
    path = tmp_path / "examples.json"
    path.write_text(json.dumps(data))
    LocalExample.objects.all().delete()
    call_command("import_examples", str(path), stdout=StringIO())
    back = LocalExample.objects.get(uid=stepped.uid)
    assert (back.step_tool, back.step_anchor) == (run_charts(), anchor)
    assert LocalExample.objects.get(title="No step").step is None
    assert export() == data
    # A file from before steps could be annotated imports with no steps.
    for row in data["examples"]:
        row.pop("step")
    path.write_text(json.dumps(data))
    LocalExample.objects.all().delete()
    call_command("import_examples", str(path), stdout=StringIO())
    assert set(LocalExample.objects.values_list("step_anchor", flat=True)) == {""}


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ({"tool": "run-charts", "anchor": "no-such-step"}, "unknown step 'no-such-step'"),
        ({"tool": "no-such-tool", "anchor": "x"}, "of tool 'no-such-tool'"),
        ("run-charts#x", "'step' must be"),
    ],
)
def test_an_import_with_an_unknown_step_imports_nothing(tmp_path, step, message):
    attach(make_user("fac", "facilitator"), anchors()[0])
    data = export()
    data["examples"][0]["step"] = step
    LocalExample.objects.all().delete()
    path = tmp_path / "examples.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError) as error:
        call_command("import_examples", str(path), stdout=StringIO())
    assert message in str(error.value) and "nothing was imported" in str(error.value)
    assert not LocalExample.objects.exists()
