"""The one Markdown pipeline: safe HTML, stable anchors, glossary terms linked once."""

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
