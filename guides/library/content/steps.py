"""A tool's steps: the items of the numbered list in its "Steps" section, each with a
stable anchor so that it can be linked to (`/tools/<slug>/#<anchor>`) and so that other
apps can add to it on the tool page (the `tool:step` panel slot).

A step's anchor is the one written at its start in the Markdown (`1. {#check-the-chain}
Check each link.`), else one made from its opening words (`step-check-each-link`). Made
from words, an anchor stays when the steps are reordered or others are added; write one
by hand to keep it when the step's opening words change.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from django.utils.text import slugify

from guides.library import markup

STEPS_HEADING = re.compile(r'<h2\b[^>]*\bid="steps"')
NEXT_SECTION = re.compile(r"<h2\b")
OL_START = re.compile(r'<ol\b(?:[^>]*\bstart="(\d+)")?')
LI_ID = re.compile(r'<li\b[^>]*\bid="([^"]*)"')
ANCHOR_WORDS = 5  # opening words that make an anchor
ANCHOR_LENGTH = 60
TITLE_LENGTH = 90


@dataclass
class Step:
    anchor: str
    number: int
    title: str  # its opening words: what a form or a list shows
    html: str  # the list item's content (sanitised HTML from markup)

    def as_json(self) -> dict:
        return asdict(self)


@dataclass
class Steps:
    before_html: str  # the body up to the list
    steps: list[Step]
    after_html: str  # the body after it
    html: str  # the whole body again, each step's <li> carrying its anchor as its id
    problems: list[str]


def anchor_from_words(text: str, number: int) -> str:
    words = re.findall(r"\w+", text)[:ANCHOR_WORDS]
    slug = slugify(" ".join(words))[:ANCHOR_LENGTH].strip("-")
    return f"step-{slug}" if slug else f"step-{number}"


def step_title(text: str) -> str:
    sentence = markup.html_to_text(text)
    match = re.search(r"[.!?:](?=\s|$)", sentence)
    title = sentence[: match.end()] if match else sentence
    if len(title) > TITLE_LENGTH:
        title = title[: TITLE_LENGTH - 1].rsplit(" ", 1)[0] + "…"
    return title


def split_steps(fragment: str) -> Steps | None:
    """The steps of a tool's rendered body, or None when it has no "Steps" section with
    a numbered list. Problems: anchors that two steps share."""
    pieces = markup.TAG.split(fragment)
    heading = next((i for i, p in enumerate(pieces) if STEPS_HEADING.match(p)), None)
    if heading is None:
        return None
    start = None
    for i in range(heading + 1, len(pieces)):
        if NEXT_SECTION.match(pieces[i]):
            return None
        if pieces[i].startswith("<ol"):
            start = i
            break
    if start is None:
        return None
    first = int(OL_START.match(pieces[start]).group(1) or 1)
    items: list[tuple[str, list[str]]] = []  # (the <li> tag, its content)
    depth, end = 0, len(pieces)
    for i in range(start + 1, len(pieces)):
        piece = pieces[i]
        m = markup.TAG_NAME.match(piece) if piece.startswith("<") else None
        closing = bool(m and m.group(1))
        void = bool(m and (m.group(2).lower() in markup.VOID or piece.endswith("/>")))
        if m and not void and depth == 0:
            if closing:  # the list's own </ol>
                end = i
                break
            items.append((piece, []))  # a new step's <li>
            depth = 1
            continue
        if m and not void and depth == 1 and closing:  # the step's </li>
            depth = 0
            continue
        if m and not void:
            depth += -1 if closing else 1
        if items:
            items[-1][1].append(piece)
    steps, problems, seen = [], [], set()
    for n, (tag, content) in enumerate(items, start=first):
        inner = "".join(content)
        explicit = LI_ID.match(tag)
        anchor = explicit.group(1) if explicit else anchor_from_words(markup.html_to_text(inner), n)
        if anchor in seen:
            problems.append(
                f"two steps have the anchor '{anchor}': start one with its own, e.g. "
                f"'{n}. {{#{anchor}-{n}}} ...'"
            )
        seen.add(anchor)
        steps.append(Step(anchor=anchor, number=n, title=step_title(inner), html=inner.strip()))
    before, after = "".join(pieces[:start]), "".join(pieces[end + 1 :])
    items_html = "".join(f'<li id="{s.anchor}">{s.html}</li>\n' for s in steps)
    whole = f"{before}{pieces[start]}\n{items_html}</ol>{after}"
    return Steps(before.strip(), steps, after.strip(), whole, problems)
