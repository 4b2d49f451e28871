"""Quality checks on the real content in fixtures/ (issue 3): shape, length, links,
plain English, references and the glossary's coverage of the jargon."""

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from guides.library import markup
from guides.library.models import GlossaryTerm, Guide, Section, Tool
from guides.library.readability import flesch_reading_ease, word_count

pytestmark = pytest.mark.django_db

SECTION_SHAPE = [
    "what-it-is", "when-to-use-it", "how-to-do-it", "worked-example", "common-pitfalls",
    "how-you-will-know", "related-tools", "further-reading",
]  # fmt: skip

# Jargon the guides use that a newcomer would not know: each must have a glossary entry.
JARGON = [
    "PDSA", "Model for Improvement", "small test of change", "aim statement", "process map",
    "high-level process map", "value stream", "hand-off", "spaghetti diagram", "run chart",
    "median", "baseline", "SPC", "control chart", "XmR chart", "moving range",
    "process limits", "common-cause variation", "special-cause variation",
    "outcome measure", "process measure", "balancing measure", "operational definition",
    "capacity", "demand", "backlog", "waiting list", "bottleneck", "carve-out",
    "DNA", "lead time", "patient journey", "experience-based co-design", "touchpoint",
    "co-production", "focus group", "stakeholder", "force field analysis", "change curve",
    "NHS Sustainability Model", "diffusion of innovations", "early adopter",
    "learning session", "action period", "systems thinking", "iceberg model",
    "mental model", "driver diagram", "psychological safety", "brainstorming",
    "affinity diagram", "nominal group technique", "ground rules", "facilitator",
    "skill mix", "role redesign", "competency framework", "SWOT", "six thinking hats",
    "fishbone diagram", "five whys", "Pareto chart",
]  # fmt: skip

# First authors of the publications the further reading may cite (all real; see
# fixtures/README.md: never an invented reference).
KNOWN_FIRST_AUTHORS = {
    "Langley", "Perla", "Provost", "Anhøj", "Mohammed", "Benneyan", "Wheeler", "Deming",
    "Shewhart", "Institute for Healthcare Improvement", "Kilo", "Øvretveit", "Maher",
    "Buchanan", "Greenhalgh", "Rogers", "Berwick", "Reed", "Taylor", "Millar",
    "Dixon-Woods", "Womack", "Rother", "Ohno", "Goldratt", "Ishikawa", "Murray",
    "Silvester", "Little", "Bate", "Robert", "Arnstein", "Coulter", "Lewin", "Kotter",
    "Bridges", "Kübler-Ross", "Senge", "Meadows", "Plsek", "Schein", "Edmondson", "Tuckman",
    "Belbin", "West", "Schwarz", "Delbecq", "Osborn", "de Bono", "Amabile", "Hyde",
    "Sibbald", "Ham", "Swed",
    # Added with issue 16's new material (today's NHS practice and the evidence list).
    "NHS England", "NHS Improvement", "Locock", "Solberg", "Schouten", "Wells", "Massoud",
    "Department of Health and Social Care", "Health Education England", "Myers", "Spurgeon",
    "Nursing and Midwifery Council", "National Institute for Health and Care Excellence",
    "Spiegelhalter",
}  # fmt: skip


def guide_html(guide: Guide) -> str:
    return "".join(s.html for s in guide.sections.all())


def test_all_eleven_guides_are_written():
    assert Guide.objects.count() == 11
    for guide in Guide.objects.all():
        assert guide.summary and guide.plain_summary, guide.slug


@pytest.mark.parametrize("number", range(1, 12))
def test_guide_follows_the_shape_and_length(number):
    guide = Guide.objects.get(number=number)
    anchors = list(guide.sections.order_by("order").values_list("anchor", flat=True))
    assert anchors == SECTION_SHAPE, guide.slug
    words = word_count(guide_html(guide))
    assert words >= 1500, f"{guide.slug}: {words} words"
    assert guide.tools.count() >= 3, guide.slug


@pytest.mark.parametrize("number", range(1, 12))
def test_guide_is_plain_english(number):
    guide = Guide.objects.get(number=number)
    score = flesch_reading_ease(guide_html(guide))
    print(f"\nFlesch reading ease, guide {number} ({guide.slug}): {score:.1f}")
    assert score >= 60, f"{guide.slug}: Flesch reading ease {score:.1f}"


@pytest.mark.parametrize("number", range(1, 12))
def test_guide_links_its_tools_and_marks_its_example(number):
    guide = Guide.objects.get(number=number)
    related = guide.sections.get(anchor="related-tools").html
    for tool in guide.tools.all():
        assert f'href="{tool.get_absolute_url()}"' in related, (guide.slug, tool.slug)
    example = guide.sections.get(anchor="worked-example").text.lower()
    assert "illustrative" in example, guide.slug


@pytest.mark.parametrize("number", range(1, 12))
def test_further_reading_cites_only_known_real_publications(number):
    guide = Guide.objects.get(number=number)
    html = guide.sections.get(anchor="further-reading").html
    items = [markup.html_to_text(i) for i in re.findall(r"<li>(.*?)</li>", html, re.S)]
    assert items, guide.slug
    for item in items:
        assert re.search(r"\((19|20)\d\d\)", item), f"{guide.slug}: no year in {item!r}"
        assert any(item.startswith(a) for a in KNOWN_FIRST_AUTHORS), f"{guide.slug}: {item!r}"


def test_at_least_forty_tools_each_in_a_guide_and_long_enough():
    tools = list(Tool.objects.prefetch_related("guides"))
    assert len(tools) >= 40
    for tool in tools:
        assert tool.guides.all(), f"{tool.slug} belongs to no guide"
        words = word_count(tool.html)
        assert words >= 300, f"{tool.slug}: {words} words"


def test_tools_include_templates_defined_once_as_structured_data():
    tools = list(Tool.objects.all())
    with_template = [t.slug for t in tools if t.worksheet]
    assert len(with_template) >= 20, with_template
    # Not also copied into the tool's text as a Markdown table.
    assert [t.slug for t in tools if re.search(r"^## Template", t.body, re.M)] == []


def test_glossary_has_ninety_terms_with_plain_words():
    terms = list(GlossaryTerm.objects.all())
    assert len(terms) >= 90
    for term in terms:
        assert term.definition.strip(), term.slug
        assert term.plain_alternatives, term.slug


def test_every_glossary_term_is_used_and_links_to_what_exists():
    client = Client()
    for term in GlossaryTerm.objects.prefetch_related(
        "related_terms", "used_in_guides", "used_in_tools"
    ):
        assert term.used_in_guides.all() or term.used_in_tools.all(), f"{term.slug} is used nowhere"
        for related in term.related_terms.all():
            assert client.get(related.get_absolute_url()).status_code == 200


def test_the_jargon_used_in_the_guides_has_glossary_entries():
    glossary = markup.Glossary(
        markup.TermEntry(t.slug, t.term, t.definition, tuple(t.match_forms), t.get_absolute_url())
        for t in GlossaryTerm.objects.all()
    )
    text = " ".join(Section.objects.values_list("text", flat=True)) + " ".join(
        Tool.objects.values_list("text", flat=True)
    )
    # Everyday words with a technical meaning here have entries under a specific title.
    for slug in ("activity", "faculty", "shift", "trend", "mean", "variation", "spread"):
        assert GlossaryTerm.objects.filter(slug=slug).exists(), slug
    missing = []
    for word in JARGON:
        in_text = re.search(rf"(?<!\w){re.escape(word)}", text, 0 if word.isupper() else re.I)
        assert in_text, f"{word!r} is not used in the content: take it off the list"
        if glossary.lookup(word) is None:
            missing.append(word)
    assert not missing, f"jargon without a glossary entry: {missing}"


def test_no_broken_internal_link_anywhere():
    client = Client()
    pages: dict[str, str] = {}
    html_parts = [(s.get_absolute_url(), s.html) for s in Section.objects.select_related("guide")]
    html_parts += [(t.get_absolute_url(), t.html) for t in Tool.objects.all()]
    broken = []
    for where, html in html_parts:
        for href in re.findall(r'href="(/[^"]*)"', html):
            path, _, anchor = unescape(href).partition("#")  # a query, such as /capacity/?demand=
            try:
                resolve(path.partition("?")[0])
            except Resolver404:
                broken.append((where, href))
                continue
            if path not in pages:
                response = client.get(path)
                pages[path] = response.content.decode() if response.status_code == 200 else ""
            if not pages[path] or (anchor and f'id="{anchor}"' not in pages[path]):
                broken.append((where, href))
    assert not broken, broken


def test_no_list_is_left_as_raw_markdown():
    """A nested list indented too little renders as a paragraph of "- item" lines."""
    raw = re.compile(r"\n[ \t]*(?:[-*+]|\d+\.) \S")
    parts = [(s.get_absolute_url(), s.html) for s in Section.objects.select_related("guide")]
    parts += [(t.get_absolute_url(), t.html) for t in Tool.objects.all()]
    found = [(where, m.group(0)) for where, html in parts for m in raw.finditer(html)]
    assert not found, found
