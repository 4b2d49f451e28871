"""The one Markdown pipeline: safe HTML, stable anchors, glossary terms linked once."""

import re

import pytest

from guides.library import markup


def glossary() -> markup.Glossary:
    return markup.Glossary(
        [
            markup.TermEntry(
                "pdsa",
                "Plan-Do-Study-Act (PDSA)",
                "Testing a change <small>.",
                ("PDSA", "Plan-Do-Study-Act"),
                "/glossary/pdsa/",
            ),  # fmt: skip
            markup.TermEntry(
                "run-chart", "Run chart", "A graph over time.", (), "/glossary/run-chart/"
            ),
            markup.TermEntry(
                "dna", "Did not attend (DNA)", "A missed appointment.", ("DNA",), "/glossary/dna/"
            ),
            markup.TermEntry("a-and-e", "A&E", "Accident and emergency.", (), "/glossary/a-and-e/"),
        ]
    )


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](&#106;avascript:alert(1))",
        '<a href="//evil.example/">x</a>',
        "<iframe src='https://evil.example'></iframe>",
        "<svg onload=alert(1)></svg>",
        "<style>body{display:none}</style>",
        '<p style="position:fixed">x</p>',
        "![x](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
        '<a href="x" onclick="alert(1)">x</a>',
    ],
)
def test_nothing_executable_survives(source):
    html = markup.render(source).html.lower()
    for bad in ("<script", "onerror", "javascript:", "<iframe", "onload", "<style", "style=",
                "data:", "onclick", '"//evil'):  # fmt: skip
        assert bad not in html, html


def test_safe_links_and_formatting_are_kept():
    html = markup.render(
        "**bold** [site](https://example.org/a) [rel](/tools/x/) [m](mailto:a@b.c)"
    ).html
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org/a"' in html
    assert 'href="/tools/x/"' in html
    assert 'href="mailto:a@b.c"' in html


def test_headings_get_stable_prefixed_anchors():
    html = markup.render("### Step one\n\ntext\n\n### Step one\n", id_prefix="how-to-do-it-").html
    assert 'id="how-to-do-it-step-one"' in html
    assert 'id="how-to-do-it-step-one_1"' in html


def test_internal_links_are_resolved_or_reported():
    def resolve(kind, slug, anchor):
        return f"/guides/{slug}/" + (f"#{anchor}" if anchor else "") if slug == "ok" else None

    result = markup.render("[a](guide:ok#part) and [b](tool:missing)", resolve=resolve)
    assert 'href="/guides/ok/#part"' in result.html
    assert result.broken_links == ["tool:missing"]
    assert "tool:missing" not in result.html
    assert result.links == [("guide", "ok", "part"), ("tool", "missing", "")]


def test_glossary_term_linked_at_first_use_only_across_a_page():
    seen: set[str] = set()
    first = markup.render("A PDSA cycle, then another PDSA.", glossary=glossary(), seen_terms=seen)
    second = markup.render("More PDSA here.", glossary=glossary(), seen_terms=seen)
    assert first.html.count('class="term"') == 1
    assert 'href="/glossary/pdsa/"' in first.html
    assert 'class="term"' not in second.html
    assert first.terms == {"pdsa"}


def test_glossary_tooltip_is_accessible_and_escaped():
    html = markup.render("Try PDSA.", glossary=glossary()).html
    assert 'aria-describedby="tip-pdsa"' in html
    assert 'role="tooltip" id="tip-pdsa"' in html
    assert "Testing a change &lt;small&gt;." in html
    assert "<small>" not in html


def test_glossary_skips_headings_links_and_code():
    html = markup.render(
        "## PDSA heading\n\n[PDSA link](https://example.org) `PDSA` and then PDSA.",
        glossary=glossary(),
    ).html
    assert html.count('class="term"') == 1
    assert '<h2 id="pdsa-heading">PDSA heading</h2>' in html
    assert "<code>PDSA</code>" in html
    assert 'then <span class="gloss"><a class="term"' in html


def test_abbreviations_match_only_in_capitals_and_plurals_match():
    html = markup.render("a dna sample; Run Charts; the DNAs", glossary=glossary()).html
    assert "a dna sample" in html
    assert '">Run Charts</a>' in html
    assert '">DNAs</a>' in html


def test_terms_with_markup_characters_and_partial_words():
    html = markup.render("Go to A&E. Not PDSAX or xPDSA.", glossary=glossary()).html
    assert '">A&amp;E</a>' in html
    assert "PDSAX" in html and 'href="/glossary/pdsa/"' not in html


def test_plain_text_keeps_words_apart_and_punctuation_tight():
    result = markup.render("# Title\n\nOne [link](https://example.org).\n\n* two\n* three")
    assert result.text == "Title One link. two three"


def test_wide_tables_scroll_in_a_focusable_region():
    html = markup.render("| a | b |\n|---|---|\n| 1 | 2 |").html
    assert '<div class="table-wrap" role="region" tabindex="0" aria-label="Table"><table>' in html


def test_a_term_linked_by_hand_counts_as_used_and_is_not_linked_again():
    def resolve(kind, slug, anchor):
        return f"/glossary/{slug}/"

    result = markup.render("A [shift](term:pdsa) then PDSA.", resolve=resolve, glossary=glossary())
    assert result.terms == {"pdsa"}
    assert 'class="term"' not in result.html
    assert '<a href="/glossary/pdsa/"' in result.html


def test_a_term_that_wraps_onto_a_new_line_is_still_found():
    html = markup.render("Plot a run\nchart weekly.", glossary=glossary()).html
    assert 'href="/glossary/run-chart/"' in html
    assert "run\nchart</a>" in html


def test_without_tooltips_a_term_is_a_plain_link_to_its_definition():
    seen: set[str] = set()
    result = markup.render(
        "Try PDSA, then PDSA again.", glossary=glossary(), seen_terms=seen, tooltips=False
    )
    assert '<a class="term" href="/glossary/pdsa/">PDSA</a>' in result.html
    assert result.html.count('class="term"') == 1  # still only at the first use
    for tooltip_only in ("term-tip", "aria-describedby", 'class="gloss"', 'role="tooltip"'):
        assert tooltip_only not in result.html, tooltip_only
    assert result.terms == {"pdsa"} and seen == {"pdsa"}


def test_heading_top_moves_the_highest_heading_and_keeps_the_order():
    source = "### Plan\n\ntext\n\n#### Do\n\n###### Study\n"
    assert _levels(markup.render(source).html) == ["3", "4", "6"]
    assert _levels(markup.render(source, heading_top=2).html) == ["2", "3", "5"]
    # Moving down stops at h6 rather than making a heading that HTML does not have.
    assert _levels(markup.render(source, heading_top=5).html) == ["5", "6", "6"]
    moved = markup.render(source, heading_top=2, id_prefix="x-").html
    assert '<h2 id="x-plan">Plan</h2>' in moved and '<h3 id="x-do">Do</h3>' in moved
    assert markup.render("No headings.", heading_top=4).html == "<p>No headings.</p>"
    for wrong in (1, 7):
        with pytest.raises(ValueError):
            markup.render(source, heading_top=wrong)


def test_heading_top_leaves_headings_written_as_text_alone():
    html = markup.render("## Real\n\n`<h2>` and &lt;h3&gt; in text", heading_top=4).html
    assert '<h4 id="real">Real</h4>' in html
    assert "<code>&lt;h2&gt;</code>" in html and "&lt;h3&gt;" in html


def test_fragment_links_get_the_prefix_of_the_ids_they_point_at_only_when_asked():
    source = "## Step two\n\nSee [below](#step-two), not `[x](#code)` or [site](/a#b)."
    web = markup.render(source, id_prefix="note3-").html
    assert 'id="note3-step-two"' in web and 'href="#step-two"' in web
    printed = markup.render(source, id_prefix="item-2-note3-", prefix_fragments=True).html
    assert 'id="item-2-note3-step-two"' in printed
    assert 'href="#item-2-note3-step-two"' in printed
    assert "<code>[x](#code)</code>" in printed and 'href="/a#b"' in printed


def _levels(html: str) -> list[str]:
    return re.findall(r"<h([1-6])\b", html)


def test_terms_grouped_by_first_letter_match_exactly_what_the_plain_list_matched(
    monkeypatch,
):
    """Glossary.pattern groups the forms by first letter (for speed); every match, and
    the form preferred where two could match, is the plain alternation's."""
    entries = [
        *glossary().entries.values(),
        markup.TermEntry("process", "Process", "Steps.", (), "/glossary/process/"),
        markup.TermEntry("pmap", "Process map", "A map.", (), "/glossary/pmap/"),
        markup.TermEntry("pm", "PM", "Afternoon.", (), "/glossary/pm/"),
        markup.TermEntry("day-case", "Day case", "In and out.", ("day-case",), "/g/day/"),
    ]
    text = (
        "A process map, process maps and processes; PM or pm; Process\nMap; DNA, dna, "
        "DNAs; a run-chart is not a Run chart's; A&E and a&e; day-case, Day cases; PDSA."
    )
    grouped = markup.Glossary(entries).pattern
    assert "(?=(?i:p))" in grouped.pattern
    monkeypatch.setattr(
        markup, "_by_first_letter", lambda alternatives: "|".join(p for _, p in alternatives)
    )
    plain = markup.Glossary(entries).pattern
    assert "(?=" not in plain.pattern
    found = [(m.span(), m.group(0)) for m in grouped.finditer(text)]
    assert found == [(m.span(), m.group(0)) for m in plain.finditer(text)]
    assert [words for _, words in found] == [
        "process map", "process maps", "processes", "PM", "Process\nMap", "DNA", "DNAs",
        "Run chart", "A&E", "day-case", "Day cases", "PDSA",
    ]  # fmt: skip


def test_a_form_starting_with_a_non_ascii_letter_is_still_found():
    terms = markup.Glossary(
        [
            markup.TermEntry("eclair", "Éclair", "A cake.", (), "/glossary/eclair/"),
            markup.TermEntry("egg", "Egg", "Breakfast.", (), "/glossary/egg/"),
        ]
    )
    assert [m.group(0) for m in terms.pattern.finditer("An éclair, an Éclair, eggs")] == [
        "éclair",
        "Éclair",
        "eggs",
    ]
