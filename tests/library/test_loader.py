"""load_guides: checks everything before writing, is idempotent, and leaves user data alone."""

import textwrap
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from guides.library.content import ContentError, load_content
from guides.library.models import ContentVersion, GlossaryTerm, Guide, GuideTool, Section, Tool

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    """Everything the loader writes, in a comparable form."""
    return {
        "guides": sorted(
            Guide.objects.values_list(
                "slug", "number", "title", "purpose", "side", "last_reviewed", "review_due"
            )
        ),
        "sections": sorted(Section.objects.values_list("guide__slug", "anchor", "order", "html")),
        "tools": sorted(
            Tool.objects.values_list("slug", "name", "html", "last_reviewed", "review_due")
        ),
        "guide_tools": sorted(GuideTool.objects.values_list("guide__slug", "tool__slug", "order")),
        "terms": sorted(GlossaryTerm.objects.values_list("slug", "term", "definition")),
        "term_links": sorted(
            GlossaryTerm.used_in_guides.through.objects.values_list(
                "glossaryterm__slug", "guide__slug"
            )
        ),
        "versions": ContentVersion.objects.count(),
    }


def write(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())


def test_load_creates_the_content(content_dir):
    for model in (Guide, Tool, GlossaryTerm):
        model.objects.all().delete()
    report = load_content(content_dir)
    assert report.created == {"guides": 2, "sections": 3, "tools": 2, "glossary terms": 3}
    guide = Guide.objects.get(slug="process-mapping")
    assert [s.anchor for s in guide.sections.order_by("order")] == ["what-it-is", "when-to-use-it"]
    assert list(guide.tools.order_by("guidetool__order").values_list("slug", flat=True)) == [
        "pdsa-cycles",
        "run-charts",
    ]
    assert list(guide.related_guides.values_list("slug", flat=True)) == [
        "measurement-for-improvement"
    ]
    assert set(Tool.objects.get(slug="run-charts").guides.values_list("slug", flat=True)) == {
        "process-mapping",
        "measurement-for-improvement",
    }
    pdsa = GlossaryTerm.objects.get(slug="pdsa")
    assert pdsa.plain_alternatives == ["running a pilot", "a small test of change"]
    assert set(pdsa.used_in_guides.values_list("slug", flat=True)) == {"process-mapping"}
    assert set(pdsa.used_in_tools.values_list("slug", flat=True)) == {"pdsa-cycles"}
    assert list(pdsa.related_terms.values_list("slug", flat=True)) == ["run-chart"]
    assert (guide.last_reviewed, guide.review_due) == (date(2026, 12, 1), date(2027, 12, 1))
    tool = Tool.objects.get(slug="run-charts")
    assert (tool.last_reviewed, tool.review_due) == (date(2026, 12, 1), date(2027, 12, 1))


def test_a_new_review_date_updates_in_place(content_dir):
    load_content(content_dir)
    path = content_dir / "tools/run-charts.md"
    path.write_text(path.read_text().replace("review_due: 2027-12-01", "review_due: '2028-06-30'"))
    report = load_content(content_dir)
    assert report.updated == {"tools": 1}
    assert Tool.objects.get(slug="run-charts").review_due == date(2028, 6, 30)


def test_every_real_guide_and_tool_has_review_dates(settings):
    for item in [*Guide.objects.all(), *Tool.objects.all()]:
        assert item.last_reviewed and item.review_due > item.last_reviewed, item.slug


def test_second_load_changes_nothing_and_says_so(content_dir):
    load_content(content_dir)
    before = snapshot()
    out = StringIO()
    call_command("load_guides", "--dir", str(content_dir), stdout=out)
    assert "No changes" in out.getvalue()
    assert snapshot() == before


def test_edit_updates_in_place_keeping_ids(content_dir):
    load_content(content_dir)
    guide_id = Guide.objects.get(slug="process-mapping").pk
    section_id = Section.objects.get(guide__slug="process-mapping", anchor="what-it-is").pk
    path = content_dir / "guides/01-process-mapping.md"
    path.write_text(
        path.read_text().replace("A process map shows each step.", "A map shows every step.")
    )
    report = load_content(content_dir)
    assert report.updated == {"sections": 1}
    section = Section.objects.get(pk=section_id)
    assert section.guide_id == guide_id
    assert "A map shows every step." in section.html


def test_deleted_files_remove_their_content(content_dir):
    load_content(content_dir)
    (content_dir / "tools/pdsa-cycles.md").unlink()
    path = content_dir / "guides/01-process-mapping.md"
    path.write_text(
        path.read_text().replace("tools: [pdsa-cycles, run-charts]", "tools: [run-charts]")
    )
    report = load_content(content_dir)
    assert report.deleted == {"tools": 1}
    assert not Tool.objects.filter(slug="pdsa-cycles").exists()


def test_staff_created_rows_survive_a_reload(content_dir):
    load_content(content_dir)
    user = User.objects.create_user("facilitator", password="a-long-test-password-1")
    (content_dir / "guides/02-measurement-for-improvement.md").unlink()
    path = content_dir / "guides/01-process-mapping.md"
    path.write_text(
        path.read_text()
        .replace("related_guides: [measurement-for-improvement]\n", "")
        .replace("Read [the measurement guide](guide:measurement-for-improvement#what-it-is).", "")
    )
    load_content(content_dir)
    assert User.objects.filter(pk=user.pk).exists()
    assert not Guide.objects.filter(slug="measurement-for-improvement").exists()


BAD_FILES = [
    pytest.param(
        "guides/01-process-mapping.md",
        lambda t: t.replace(
            "tools: [pdsa-cycles, run-charts]", "tools: [pdsa-cycles, no-such-tool]"
        ),
        "guides/01-process-mapping.md: unknown tool 'no-such-tool'",
        id="unknown-tool",
    ),
    pytest.param(
        "guides/01-process-mapping.md",
        lambda t: t + "\nSee [a term](term:no-such-term).\n",
        "guides/01-process-mapping.md: section 'When to use it' links to unknown term:no-such-term",
        id="unknown-glossary-term",
    ),
    pytest.param(
        "guides/01-process-mapping.md",
        lambda t: t.replace(
            "(guide:measurement-for-improvement#what-it-is)",
            "(guide:measurement-for-improvement#nowhere)",
        ),
        "links to unknown guide:measurement-for-improvement#nowhere",
        id="unknown-section-anchor",
    ),
    pytest.param(
        "guides/02-measurement-for-improvement.md",
        lambda t: t.replace("slug: measurement-for-improvement", "slug: process-mapping"),
        "duplicate guide slug 'process-mapping'",
        id="duplicate-slug",
    ),
    pytest.param(
        "tools/run-charts.md",
        lambda t: t.replace("slug: run-charts", "slug: run-chart"),
        "tools/run-charts.md: file name should be 'run-chart.md' to match its slug",
        id="file-name-not-slug",
    ),
    pytest.param(
        "guides/02-measurement-for-improvement.md",
        lambda t: t.replace("title: Measurement for improvement\n", ""),
        "guides/02-measurement-for-improvement.md: missing required field 'title'",
        id="missing-field",
    ),
    pytest.param(
        "guides/02-measurement-for-improvement.md",
        lambda t: t.replace("tools: [run-charts]", "tools: [run-charts"),
        "guides/02-measurement-for-improvement.md: malformed file",
        id="malformed-yaml",
    ),
    pytest.param(
        "tools/run-charts.md",
        lambda t: t.replace("---\n", "", 1),
        "tools/run-charts.md: malformed file: does not start with a '---' front matter block",
        id="no-front-matter",
    ),
    pytest.param(
        "guides/02-measurement-for-improvement.md",
        lambda t: t.replace("side: systems", "side: sideways"),
        "'side' must be one of people, systems, not 'sideways'",
        id="bad-side",
    ),
    pytest.param(
        "guides/02-measurement-for-improvement.md",
        lambda t: t.replace("number: 2", "number: 12"),
        "'number' must be a whole number from 1 to 11",
        id="bad-number",
    ),
    pytest.param(
        "glossary/terms.yaml",
        lambda t: t.replace("  plain: [no-show]\n", ""),
        "glossary/terms.yaml (entry 3, dna): missing required field 'plain'",
        id="glossary-missing-plain",
    ),
    pytest.param(
        "glossary/terms.yaml",
        lambda t: t.replace("related: [run-chart]", "related: [nothing-here]"),
        "term 'pdsa' relates to unknown term 'nothing-here'",
        id="glossary-unknown-related",
    ),
    pytest.param(
        "glossary/terms.yaml",
        lambda t: t + "- {term: Dup, slug: dna, definition: x, plain: [y]}\n",
        "duplicate glossary slug 'dna'",
        id="glossary-duplicate",
    ),
    pytest.param(
        "guides/02-measurement-for-improvement.md",
        lambda t: t.replace(
            "## What it is and why it matters {#what-it-is}",
            "Stray text.\n\n## What it is {#what-it-is}",
        ),
        "has text before its first '## ' section heading",
        id="text-before-sections",
    ),
    pytest.param(
        "guides/02-measurement-for-improvement.md",
        lambda t: t.replace("last_reviewed: 2026-12-01\n", ""),
        "guides/02-measurement-for-improvement.md: missing required field 'last_reviewed'",
        id="missing-last-reviewed",
    ),
    pytest.param(
        "tools/run-charts.md",
        lambda t: t.replace("review_due: 2027-12-01", "review_due: next spring"),
        "tools/run-charts.md: 'review_due' must be a date written YYYY-MM-DD, not 'next spring'",
        id="review-due-not-a-date",
    ),
    pytest.param(
        "tools/run-charts.md",
        lambda t: t.replace("review_due: 2027-12-01", "review_due: '2027-13-01'"),
        "tools/run-charts.md: 'review_due' must be a date written YYYY-MM-DD, not '2027-13-01'",
        id="review-due-impossible-date",
    ),
    pytest.param(
        "guides/01-process-mapping.md",
        lambda t: t.replace("review_due: 2027-12-01", "review_due: 2026-11-30"),
        "guides/01-process-mapping.md: 'review_due' (2026-11-30) must be later than "
        "'last_reviewed' (2026-12-01)",
        id="review-due-before-reviewed",
    ),
    pytest.param(
        "guides/02-measurement-for-improvement.md",
        lambda t: t.replace("purpose:", "porpose:"),
        "unknown field 'porpose'",
        id="misspelt-field",
    ),
]


@pytest.mark.parametrize(("name", "change", "message"), BAD_FILES)
def test_bad_content_is_refused_and_nothing_changes(content_dir, name, change, message):
    load_content(content_dir)
    User.objects.create_user("someone")
    before = snapshot()
    path = content_dir / name
    path.write_text(change(path.read_text()))
    # A good edit elsewhere in the same load must not be applied either.
    other = content_dir / "tools/pdsa-cycles.md"
    other.write_text(other.read_text().replace("Small, rapid tests of change.", "Changed summary."))
    with pytest.raises(ContentError) as caught:
        load_content(content_dir)
    assert any(message in problem for problem in caught.value.problems), caught.value.problems
    assert snapshot() == before
    assert Tool.objects.get(slug="pdsa-cycles").summary == "Small, rapid tests of change."


def test_command_reports_every_problem_with_its_file(content_dir):
    write(content_dir, "tools/broken.md", "no front matter here\n")
    write(content_dir, "guides/03-extra.md", "---\nnumber: 3\nslug: Bad Slug\n---\n## A\n\ntext\n")
    with pytest.raises(CommandError) as caught:
        call_command("load_guides", "--dir", str(content_dir))
    text = str(caught.value)
    assert "nothing was changed" in text
    assert "tools/broken.md: malformed file" in text
    assert "guides/03-extra.md: 'slug' 'Bad Slug' must be lowercase" in text
    assert "guides/03-extra.md: missing required field 'title'" in text


def test_check_option_saves_nothing(content_dir):
    before = snapshot()
    out = StringIO()
    call_command("load_guides", "--dir", str(content_dir), "--check", stdout=out)
    assert "Check only, nothing saved." in out.getvalue()
    assert snapshot() == before


def test_guides_can_swap_numbers(content_dir):
    load_content(content_dir)
    for old_name, new_name, old, new in [
        ("01-process-mapping.md", "02-process-mapping.md", "number: 1", "number: 2"),
        (
            "02-measurement-for-improvement.md",
            "01-measurement-for-improvement.md",
            "number: 2",
            "number: 1",
        ),
    ]:
        path = content_dir / "guides" / old_name
        text = path.read_text()
        path.unlink()
        (content_dir / "guides" / new_name).write_text(text.replace(old, new))
    load_content(content_dir)
    assert Guide.objects.get(slug="process-mapping").number == 2
    assert Guide.objects.get(slug="measurement-for-improvement").number == 1


def test_real_content_loads_and_reloads_without_changes(settings):
    # The session fixture loaded fixtures/ already: loading again must change nothing.
    report = load_content(settings.CONTENT_DIR)
    assert not report.changed, str(report)
    assert Guide.objects.count() == 11
