"""Each guide's "Further reading" lists only works the guide draws on (issue 16): every
entry's first author, person or organisation, is named in the guide's own text. The
reference itself is checked against the known real authors in test_content.py."""

import re

import pytest

from guides.library import markup
from guides.library.models import Guide

pytestmark = pytest.mark.django_db

# Organisations cited by name in further reading, and the short forms the text may use.
ORGANISATION_NAMES = {
    "Institute for Healthcare Improvement": ("Institute for Healthcare Improvement", "IHI"),
    "National Institute for Health and Care Excellence": ("NICE",),
    "Nursing and Midwifery Council": ("Nursing and Midwifery Council", "NMC"),
}

TOOLTIP = re.compile(r'<span class="term-tip"[^>]*>.*?</span>', re.S)


def first_author(item: str) -> str:
    """The first author of a reference written "Surname AB, ... (year)", "Surname AB
    (year)" or "Organisation (year)"."""
    first = item.split(" (", 1)[0].split(",", 1)[0].strip()
    person = re.fullmatch(r"(.+) [A-Z]{1,3}", first)
    return person.group(1) if person else first


def unused_entries(guide: Guide) -> set[tuple[str, str]]:
    """(guide slug, first author) for each further-reading entry whose first author the
    guide's own sections never name."""
    reading = guide.sections.get(anchor="further-reading").html
    items = [
        markup.html_to_text(TOOLTIP.sub("", li))
        for li in re.findall(r"<li>(.*?)</li>", reading, re.S)
    ]
    body = " ".join(guide.sections.exclude(anchor="further-reading").values_list("text", flat=True))
    unused = set()
    for item in items:
        author = first_author(item)
        if not any(name in body for name in ORGANISATION_NAMES.get(author, (author,))):
            unused.add((guide.slug, author))
    return unused


def test_first_author_reads_people_and_organisations():
    assert first_author("Perla RJ, Provost LP, Murray SK (2011). The run chart.") == "Perla"
    assert first_author("Rogers EM (2003). Diffusion of Innovations.") == "Rogers"
    assert first_author("de Bono E (1985). Six Thinking Hats.") == "de Bono"
    assert first_author("Kübler-Ross E (1969). On Death and Dying.") == "Kübler-Ross"
    assert first_author("Buchanan D, Fitzgerald L, Ketley D, et al. (2005). No going") == (
        "Buchanan"
    )
    assert first_author("NHS England (2022). Patient Safety Incident Response.") == "NHS England"
    assert (
        first_author("Institute for Healthcare Improvement (2003). The Breakthrough Series.")
        == "Institute for Healthcare Improvement"
    )


@pytest.mark.parametrize("number", range(1, 12))
def test_further_reading_lists_only_works_the_guide_draws_on(number):
    guide = Guide.objects.get(number=number)
    unused = unused_entries(guide)
    assert not unused, f"further reading the guide's text never draws on: {sorted(unused)}"


def test_no_term_tooltips_inside_the_citations():
    """A list of sources is not where a reader meets a term: "Further reading" is
    rendered with no glossary tooltips or links, in every guide."""
    for guide in Guide.objects.all():
        reading = guide.sections.get(anchor="further-reading").html
        assert "term-tip" not in reading and "/glossary/" not in reading, guide.slug


GLOSSARY = markup.Glossary(
    [
        markup.TermEntry(
            slug="pdsa",
            term="PDSA",
            definition="Plan, Do, Study, Act.",
            forms=("PDSA",),
            url="/glossary/pdsa/",
        ),
        markup.TermEntry(
            slug="run-chart",
            term="run chart",
            definition="A line graph in time order.",
            forms=("run chart",),
            url="/glossary/run-chart/",
        ),
    ]
)


def test_nothing_is_linked_under_a_further_reading_heading_until_the_next_part():
    fragment = (
        "<h2>How to do it</h2><p>Draw a run chart.</p>"
        "<h2>Further reading</h2><ul><li>Langley GJ (2009). <em>PDSA in practice</em>.</li></ul>"
        "<h3>Online</h3><p>More on PDSA.</p>"
        "<h2>Next steps</h2><p>Plan a PDSA cycle.</p>"
    )
    html = markup.link_terms(fragment, GLOSSARY, set())
    reading = html[html.index("Further reading") : html.index("Next steps")]
    assert "term-tip" not in reading and "/glossary/" not in reading
    before, after = html[: html.index("Further reading")], html[html.index("Next steps") :]
    assert "/glossary/run-chart/" in before and "/glossary/pdsa/" in after


@pytest.mark.parametrize(
    "title", ["Further reading", "References", " further  READING: ", "Sources"]
)
def test_reference_titles(title):
    assert markup.is_reference_title(title)
    assert not markup.is_reference_title("Reading the chart")
