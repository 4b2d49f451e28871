"""Markdown from staff cannot take a worker down (issue 19): text whose structure makes
Python-Markdown quadratic or recursive is refused before rendering with a message that
says what to change, deep nesting in what is rendered is flattened, rendering has a time
budget, a refusal is a form error that keeps the text, and a handout prints a
placeholder for an item it cannot draw."""

from __future__ import annotations

import html
import re
import threading
import time

import pytest
from django.test import Client

from guides.examples.models import ExampleStatus
from guides.library import markup
from guides.training.models import ItemKind, Module
from tests.factories import add_item, csrf_client, form_data, make_example, make_user, post

# The attacks the security review found, and their relatives.
BRACKETS = "[" * 10_000
BRACKET_WORDS = "[a" * 1_000
OPEN_TAGS = "<a " * 3_000
DEFINITIONS = "".join(f"Term {n}\n: Definition {n}\n" for n in range(800))
QUOTES = ">" * 9_000
SPACED_QUOTES = "> " * 2_000
DIVS = "<div>" * 1_600


@pytest.mark.parametrize(
    "source", [BRACKETS, BRACKET_WORDS, OPEN_TAGS, DEFINITIONS, QUOTES, SPACED_QUOTES]
)
def test_text_that_would_be_slow_or_recursive_is_refused_before_rendering(source, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("Markdown was asked to render it")

    monkeypatch.setattr(markup.markdown, "markdown", never)
    with pytest.raises(markup.MarkupError) as refused:
        markup.render(source)
    message = str(refused.value)
    assert len(message) < 300 and any(w in message for w in ("Close", "Remove", "blank"))


def test_ordinary_text_with_brackets_quotes_and_definitions_still_renders():
    source = (
        "See [the guide](https://example.org) and [another] [one].\n\n"
        "> > A quotation inside a quotation.\n\n"
        + "".join(f"Term {n}\n: Definition {n}\n\n" for n in range(150))
        + "If a < b and b < c then a < c; arrays like x[1][2] are fine."
    )
    rendered = markup.render(source)
    assert "<blockquote>" in rendered.html and "<dl>" in rendered.html
    assert rendered.html.count("<dd>") == 150


def nesting(fragment: str) -> int:
    depth = deepest = 0
    for m in re.finditer(r"<(/?)([a-z0-9]+)[^>]*?(/?)>", fragment):
        if m.group(2) in markup.VOID or m.group(3):
            continue
        depth += -1 if m.group(1) else 1
        deepest = max(deepest, depth)
    return deepest


def test_deep_nesting_is_flattened_when_sanitising_and_the_text_kept():
    source = DIVS + "Deep words" + "</div>" * 1_600
    rendered = markup.render(source)
    assert nesting(rendered.html) <= markup.MAX_HTML_DEPTH
    assert "Deep words" in rendered.html
    # Balanced: every element opened is closed.
    assert rendered.html.count("<div>") == rendered.html.count("</div>")
    assert nesting(markup.sanitise("<blockquote>" * 500 + "x")) <= markup.MAX_HTML_DEPTH


def test_flatten_leaves_ordinary_html_alone():
    fragment = "<ul><li><p>One <strong>two</strong></p><ul><li>three<br>four</li></ul></li></ul>"
    assert markup.flatten(fragment) == fragment


def test_rendering_has_a_time_budget(monkeypatch):
    def slow(*args, **kwargs):
        time.sleep(2)
        return "<p>late</p>"

    monkeypatch.setattr(markup.markdown, "markdown", slow)
    monkeypatch.setattr(markup, "TIME_BUDGET", 0.2)
    started = time.monotonic()
    with pytest.raises(markup.MarkupError, match="too long"):
        markup.render("anything")
    assert time.monotonic() - started < 1.5  # interrupted, not waited out


def test_outside_the_main_thread_an_overlong_render_is_still_refused(monkeypatch):
    def slow(*args, **kwargs):
        time.sleep(0.3)
        return "<p>late</p>"

    monkeypatch.setattr(markup.markdown, "markdown", slow)
    monkeypatch.setattr(markup, "TIME_BUDGET", 0.1)
    outcome = []

    def run():
        try:
            markup.render("anything")
            outcome.append("rendered")
        except markup.MarkupError:
            outcome.append("refused")

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(5)
    assert outcome == ["refused"]


def test_a_recursion_error_becomes_a_markup_error(monkeypatch):
    def recursive(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(markup.markdown, "markdown", recursive)
    with pytest.raises(markup.MarkupError, match="nested too deeply"):
        markup.render("- a")


def test_render_safely_never_raises_and_escapes_the_text():
    rendered = markup.render_safely("<b>bold</b>" + BRACKETS)
    assert rendered.html.startswith("<p>&lt;b&gt;bold&lt;/b&gt;[[[")


# Forms: an error that keeps the text ---------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "source, message",
    [
        # Within the field's 10,000 characters: RecursionError (a 500) before.
        ("a\n: b\n" * 800, "definitions (lines starting with a colon)"),
        (BRACKETS[:5_000], "without a matching"),
        (QUOTES[:5_000], "“&gt;” marks"),
    ],
)
def test_an_example_that_cannot_be_rendered_is_a_form_error_that_keeps_the_text(source, message):
    client = csrf_client(make_user("fac", "facilitator"))
    response = post(client, "/examples/new/", form_data(what_was_done=source))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert html.escape(source[:200], quote=False) in page  # the text is still in the form


@pytest.mark.django_db
def test_a_module_note_that_cannot_be_rendered_is_a_form_error_that_keeps_the_text():
    trainer = make_user("trainer", "trainer")
    module = Module.objects.create(owner=trainer, title="Notes")
    client = csrf_client(trainer)
    data = {
        "note-title": "Brackets",
        "note-text": "[" * 500,
        "note-audience": "everyone",
        "note-minutes": "",
        "note-version": module.version,
    }
    response = post(client, f"/modules/{module.pk}/notes/add/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "without a matching" in page
    assert "[" * 500 in page
    assert not module.items.exists()
    response = post(
        client,
        f"/modules/{module.pk}/edit/",
        {"title": "Notes", "trainer_notes": DEFINITIONS, "version": module.version},
    )
    assert "blank line between" in response.content.decode()
    assert "Term 799" in response.content.decode()


# Handouts: a placeholder, never a 500 ---------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("source", [QUOTES, DEFINITIONS, BRACKETS])
def test_a_handout_prints_a_placeholder_for_an_item_it_cannot_draw(source):
    trainer = make_user("trainer", "trainer")
    # Saved before the limits existed (or changed outside a form).
    example = make_example(trainer, status=ExampleStatus.PUBLISHED, results=source)
    module = Module.objects.create(owner=trainer, title="Examples")
    add_item(module, ItemKind.EXAMPLE, example)
    add_item(module, ItemKind.NOTE, title="After it", text="Still printed.")
    client = Client()
    client.force_login(trainer)
    response = client.get(f"/modules/{module.pk}/handout/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "could not be printed" in page
    assert "Still printed." in page


@pytest.mark.django_db
def test_a_module_pdf_with_deeply_nested_text_is_made_not_a_500():
    trainer = make_user("trainer", "trainer")
    example = make_example(
        trainer, status=ExampleStatus.PUBLISHED, results=DIVS + "Deep" + "</div>" * 1_600
    )
    module = Module.objects.create(owner=trainer, title="Deep")
    add_item(module, ItemKind.EXAMPLE, example)
    add_item(module, ItemKind.NOTE, title="Quotes", text="Fine.")
    module.items.filter(kind=ItemKind.NOTE).update(text=QUOTES)  # changed outside a form
    client = Client()
    client.force_login(trainer)
    response = client.get(f"/modules/{module.pk}/handout.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
