"""The tool finder: facts in every tool's front matter and finder.yaml, checked by the
loader; the finder page's problems, stages and filters; the facts box and the API."""

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.test import Client

from guides.library.content import ContentError, load_content
from guides.library.models import ChoiceGroup, FinderChoice, Guide, Problem, Tool

pytestmark = pytest.mark.django_db

STAGES = [
    "getting-started", "understanding", "finding-causes", "generating-ideas",
    "testing-changes", "measuring", "involving-people", "sustaining-and-spreading",
]  # fmt: skip


def choices(group: str) -> list[str]:
    return list(FinderChoice.objects.filter(group=group).values_list("slug", flat=True))


# The content --------------------------------------------------------------------------


def test_the_eight_stages_each_have_a_purpose():
    stages = list(FinderChoice.objects.filter(group=ChoiceGroup.STAGE))
    assert [s.slug for s in stages] == STAGES
    for stage in stages:
        assert stage.name and len(stage.purpose.split()) >= 8, stage.slug


def test_every_tool_has_a_stage_and_all_the_facts():
    tools = list(Tool.objects.all())
    slugs = {t.slug for t in tools}
    assert len(tools) >= 40
    for tool in tools:
        assert tool.stages and set(tool.stages) <= set(STAGES), tool.slug
        assert tool.time in choices(ChoiceGroup.TIME), tool.slug
        assert tool.people in choices(ChoiceGroup.PEOPLE), tool.slug
        assert tool.difficulty in choices(ChoiceGroup.DIFFICULTY), tool.slug
        assert tool.needs and all(n.strip() for n in tool.needs), tool.slug
        assert tool.next_tools and set(tool.next_tools) <= slugs - {tool.slug}, tool.slug
    # Every stage has tools to offer.
    assert {s for t in tools for s in t.stages} == set(STAGES)


def test_at_least_fifteen_problems_each_answered_with_existing_tools_and_a_section():
    problems = list(Problem.objects.select_related("section__guide"))
    slugs = set(Tool.objects.values_list("slug", flat=True))
    assert len(problems) >= 15
    texts = {p.text for p in problems}
    for words in ("Our waiting list keeps growing", "Staff are not on board with the change",
                  "We keep fixing the same thing", "We do not know if it worked",
                  "A meeting that goes nowhere"):  # fmt: skip
        assert words in texts
    assert any(t.startswith("Patients do not turn up") for t in texts)
    assert any(t.startswith("The improvement faded") for t in texts)
    for problem in problems:
        assert 2 <= len(problem.tools) <= 4, problem.slug
        assert set(problem.tools) <= slugs, problem.slug
        assert problem.section is not None, problem.slug


# The page -------------------------------------------------------------------------------


def finder(client: Client, **params: str) -> str:
    response = client.get("/tools/finder/?" + urlencode(params))
    assert response.status_code == 200
    return response.content.decode()


def result_names(html: str) -> list[str]:
    results = html.split('id="results"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<h3 class="card-title"><a href="/tools/[^"]+/">([^<]+)</a>', results)


def test_finder_answers_each_problem_with_its_tools_and_section(client):
    html = finder(client)
    for problem in Problem.objects.select_related("section__guide"):
        card = html.split(f'id="problem-{problem.slug}"', 1)[1]
        tools, why = card.split('<p class="meta">Read why:', 1)
        assert re.findall(r'<li><a href="/tools/([^"/]+)/">', tools) == problem.tools
        assert why.split("</p>", 1)[0].startswith(
            f' <a href="{problem.section.get_absolute_url()}"'
        )


def test_finder_lists_every_stage_with_its_purpose_and_tools(client):
    html = finder(client)
    for stage in FinderChoice.objects.filter(group=ChoiceGroup.STAGE):
        block = html.split(f'id="stage-{stage.slug}"', 1)[1].split("Filter to this stage", 1)[0]
        assert stage.purpose in block
        for tool in Tool.objects.all():
            assert (f'href="/tools/{tool.slug}/"' in block) == (stage.slug in tool.stages)


@pytest.mark.parametrize(
    "params",
    [
        {"stage": "measuring"},
        {"stage": "measuring", "people": "on-your-own"},
        {"stage": "understanding", "time": "under-an-hour", "difficulty": "starter"},
        {"guide": "matching-capacity-and-demand", "stage": "understanding"},
        {"guide": "working-with-groups", "people": "small-team", "difficulty": "starter"},
        {"stage": "sustaining-and-spreading", "time": "under-an-hour", "people": "large-group"},
    ],
)
def test_filters_combine(client, params):
    expected = []
    for tool in Tool.objects.prefetch_related("guides").order_by("name"):
        if "stage" in params and params["stage"] not in tool.stages:
            continue
        if "guide" in params and params["guide"] not in {g.slug for g in tool.guides.all()}:
            continue
        if any(getattr(tool, k) != v for k, v in params.items() if k not in ("stage", "guide")):
            continue
        expected.append(tool.name)
    html = finder(client, **params)
    assert result_names(html) == expected
    # The form shows what was chosen, so the address and the page agree.
    for name, value in params.items():
        select = html.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
        assert f'value="{value}" selected' in select


def test_combined_filters_narrow_the_results(client):
    one = set(result_names(finder(client, stage="measuring")))
    both = set(result_names(finder(client, stage="measuring", people="on-your-own")))
    assert both and both < one


def test_unknown_filter_values_are_named_and_the_rest_still_apply(client):
    html = finder(client, stage="measuring", guide="<script>x</script>", time="forever")
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "forever" in html
    assert result_names(html) == result_names(finder(client, stage="measuring"))


def test_no_match_says_so(client):
    html = finder(
        client, stage="sustaining-and-spreading", time="under-an-hour", difficulty="experienced"
    )
    assert result_names(html) == []
    assert "No tool matches all of these" in html


@pytest.mark.parametrize(
    "path", ["/", "/tools/", "/guides/process-mapping/", "/guides/working-with-groups/"]
)
def test_the_finder_is_linked_from_home_tools_and_every_guide(client, path):
    html = client.get(path).content.decode()
    assert 'href="/tools/finder/' in html


def test_every_guide_page_links_to_the_finder(client):
    for guide in Guide.objects.all():
        html = client.get(guide.get_absolute_url()).content.decode()
        assert f'href="/tools/finder/?guide={guide.slug}#results"' in html, guide.slug


# The facts box and the API ----------------------------------------------------------


def test_tool_page_has_a_facts_box(client):
    tool = Tool.objects.get(slug="pdsa-cycles")
    html = client.get(tool.get_absolute_url()).content.decode()
    box = html.split('class="facts-box"', 1)[1].split("</aside>", 1)[0]
    for label in ("Stage", "Time it takes", "Who you need", "What you need", "Difficulty",
                  "What to do next"):  # fmt: skip
        assert f"<dt>{label}" in box
    assert "Testing changes" in box and "A few days, on and off" in box
    for need in tool.needs:
        assert need in box
    for slug in tool.next_tools:
        assert f'href="/tools/{slug}/"' in box


def test_api_has_the_facts_and_the_template():
    data = Client().get("/api/tools/demand-and-capacity-tables/").json()
    tool = Tool.objects.get(slug="demand-and-capacity-tables")
    assert data["facts"] == {
        "stages": tool.stages, "time": tool.time, "people": tool.people,
        "needs": tool.needs, "difficulty": tool.difficulty, "next": tool.next_tools,
    }  # fmt: skip
    assert data["template"]["parts"][0]["columns"][1]["label"] == "Demand"
    assert data["template"]["urls"]["xlsx"].endswith(
        "/tools/demand-and-capacity-tables/worksheet.xlsx"
    )
    assert Client().get("/api/tools/systems-thinking/").json()["template"] is None


# The loader ---------------------------------------------------------------------------


def state() -> list:
    return sorted(
        Tool.objects.values_list("slug", "stages", "time", "people", "difficulty", "next_tools")
    ) + sorted(FinderChoice.objects.values_list("group", "slug", "name"))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


BAD = [
    ("tools/pdsa-cycles.md", "stages: [testing-changes]", "stages: [winging-it]",
     "tools/pdsa-cycles.md: unknown stage 'winging-it' in 'facts.stages'"),
    ("tools/pdsa-cycles.md", "  people: small-team\n", "",
     "tools/pdsa-cycles.md: missing required field 'facts.people'"),
    ("tools/pdsa-cycles.md", "next: [run-charts]", "next: [run-chart]",
     "tools/pdsa-cycles.md: unknown tool 'run-chart' in 'facts.next'"),
    ("tools/run-charts.md", "  time: under-an-hour\n", "  time: ages\n",
     "tools/run-charts.md: unknown time 'ages' in 'facts.time'"),
    ("tools/run-charts.md", "  stages: [measuring]\n", "  stages: []\n",
     "tools/run-charts.md: 'facts.stages' needs at least one stage"),
    ("finder.yaml", "problems: []", "problems:\n  - problem: Too slow\n"
     "    tools: [run-charts, pdsa]\n    section: process-mapping#what-it-is\n",
     "content/finder.yaml (problem 1, too-slow): unknown tool 'pdsa' in 'tools'"),
    ("finder.yaml", "problems: []", "problems:\n  - problem: Too slow\n    tools: [run-charts]\n"
     "    section: process-mapping#nowhere\n",
     "'tools' must list 2 to 4 tools, not 1"),
    ("finder.yaml", "    purpose: Look below", "    nope: Look below",
     "content/finder.yaml (stages 3): missing required field 'purpose'"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "old", "new", "message"), BAD)
def test_bad_facts_or_finder_are_refused_with_the_file_and_nothing_loads(
    content_dir, name, old, new, message
):
    load_content(content_dir)
    before = state()
    edit(content_dir / name, old, new)
    other = content_dir / "tools/run-charts.md"
    if name != "tools/run-charts.md":
        edit(other, "difficulty: starter", "difficulty: experienced")  # a good edit
    with pytest.raises(ContentError) as caught:
        load_content(content_dir)
    assert any(message in p for p in caught.value.problems), caught.value.problems
    assert state() == before


def test_a_tool_without_facts_is_refused(content_dir):
    path = content_dir / "tools/run-charts.md"
    text = path.read_text()
    path.write_text(re.sub(r"facts:\n(  .*\n)+", "", text))
    with pytest.raises(ContentError) as caught:
        load_content(content_dir)
    assert "tools/run-charts.md: missing required field 'facts'" in caught.value.problems[0]


def test_finder_content_loads_and_reloads_in_place(content_dir):
    edit(
        content_dir / "finder.yaml",
        "problems: []",
        "problems:\n  - problem: Too slow\n    tools: [run-charts, pdsa-cycles]\n"
        "    section: process-mapping#what-it-is\n",
    )
    load_content(content_dir)
    problem = Problem.objects.get(slug="too-slow")
    assert problem.tools == ["run-charts", "pdsa-cycles"]
    assert problem.section.anchor == "what-it-is"
    edit(
        content_dir / "finder.yaml",
        "tools: [run-charts, pdsa-cycles]",
        "tools: [pdsa-cycles, run-charts]",
    )
    report = load_content(content_dir)
    assert report.updated == {"problems": 1}
    assert Problem.objects.get(pk=problem.pk).tools == ["pdsa-cycles", "run-charts"]
    assert load_content(content_dir).changed is False


def test_finder_offers_each_tools_template_downloads(client):
    from guides.library.worksheets import Sheet

    html = finder(client, stage="measuring")
    for tool in Tool.objects.all():
        if "measuring" not in tool.stages:
            continue
        sheet = Sheet.from_json(tool.worksheet)
        assert (f'href="/tools/{tool.slug}/worksheet.docx"' in html) == bool(sheet), tool.slug
        xlsx = f'href="/tools/{tool.slug}/worksheet.xlsx"' in html
        assert xlsx == bool(sheet and sheet.tabular), tool.slug


def test_the_finder_offers_the_demand_and_capacity_calculator(client):
    html = client.get("/tools/finder/").content.decode()
    problems = html.split('id="problems"', 1)[1].split("</section>", 1)[0]
    assert 'href="/capacity/"' in problems
    assert client.get("/capacity/").status_code == 200
