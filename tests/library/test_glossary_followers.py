"""When the glossary changes, the loader has staff text made again (local examples,
module notes, trainer's notes), so no link points at a removed term; and the glossary
used for linking is built once per content version."""

from __future__ import annotations

import pytest

from guides.examples.models import ExampleStatus
from guides.library.content import load_content
from guides.library.glossary import current_glossary
from guides.training.models import ItemKind, Module, ModuleItem
from tests.factories import make_example, make_user

pytestmark = pytest.mark.django_db

TEXT = "Our DNA rate halved."


def _staff_text():
    author = make_user("fac_gloss", "facilitator")
    trainer = make_user("tr_gloss", "trainer")
    example = make_example(author, problem=TEXT, status=ExampleStatus.PUBLISHED)
    module = Module.objects.create(owner=trainer, title="Gloss", trainer_notes=TEXT)
    note = ModuleItem(module=module, order=1, kind=ItemKind.NOTE, title="N", text=TEXT)
    note.save()
    return example, module, note


def _html(example, module, note) -> list[str]:
    example.refresh_from_db()
    module.refresh_from_db()
    note.refresh_from_db()
    return [example.problem_html, module.trainer_notes_html, note.text_html]


def test_renamed_term_is_relinked_in_every_piece_of_staff_text(content_dir):
    load_content(content_dir)
    pieces = _staff_text()
    assert all('href="/glossary/dna/"' in html for html in _html(*pieces))
    terms = content_dir / "glossary" / "terms.yaml"
    terms.write_text(terms.read_text().replace("slug: dna", "slug: did-not-attend"))
    report = load_content(content_dir)
    after = _html(*pieces)
    assert not any("/glossary/dna/" in html for html in after)
    assert all('href="/glossary/did-not-attend/"' in html for html in after)
    assert any("1 local example was made again" in note for note in report.notes)
    assert any("1 module(s) and 1 note item(s)" in note for note in report.notes)


def test_removed_term_leaves_no_link_behind(content_dir):
    load_content(content_dir)
    pieces = _staff_text()
    terms = content_dir / "glossary" / "terms.yaml"
    entries = terms.read_text().split("- term: ")
    terms.write_text("- term: ".join(e for e in entries if "slug: dna" not in e))
    load_content(content_dir)
    after = _html(*pieces)
    assert not any("/glossary/dna/" in html or "term-tip" in html for html in after)
    assert all("DNA rate halved" in html for html in after)


def test_a_load_that_leaves_the_glossary_alone_rewrites_no_staff_text(content_dir):
    load_content(content_dir)
    example, module, note = _staff_text()
    guide = content_dir / "guides" / "01-process-mapping.md"
    guide.write_text(guide.read_text().replace("DNA rate is high", "DNA rate is very high"))
    report = load_content(content_dir)
    assert report.changed
    assert not any("made again" in line for line in report.notes)


def test_the_linking_glossary_is_kept_per_content_version(content_dir, django_assert_num_queries):
    load_content(content_dir)
    first = current_glossary()
    with django_assert_num_queries(1):  # only the version is read: the glossary is kept
        assert current_glossary() is first
    terms = content_dir / "glossary" / "terms.yaml"
    terms.write_text(terms.read_text().replace("A booked appointment", "An appointment"))
    load_content(content_dir)
    changed = current_glossary()
    assert changed is not first
    assert changed.entries["dna"].definition.startswith("An appointment")
