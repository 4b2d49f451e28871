"""The one Markdown pipeline: Markdown -> sanitised HTML, with heading anchors, internal
links resolved and glossary terms linked at their first use on a page.

Used by the content loader for guides and tools, by the models of text written by staff,
and by the handouts, which render the same Markdown again for paper through render()'s
options rather than change its HTML. Nothing else in the project calls `markdown` or
`nh3`; templates mark only this module's output as safe.
"""

from __future__ import annotations

import html as htmllib
import re
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import markdown
import nh3
from django.utils.text import slugify

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt",
    "em", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "ol", "p",
    "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "ul",
}  # fmt: skip
HEADINGS = {"h2", "h3", "h4", "h5", "h6"}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    **{h: {"id"} for h in HEADINGS},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Links written as guide:<slug>#<anchor>, tool:<slug> or term:<slug> in content files.
INTERNAL_LINK = re.compile(r'href="(guide|tool|term):([^"#]*)(?:#([^"]*))?"')
# Elements whose text is never turned into a glossary link.
NO_LINK_INSIDE = {"a", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "abbr"}
# A list of sources is not where a reader meets a term: nothing is linked in a section
# with one of these titles (a guide's "Further reading"), nor under such a heading.
REFERENCE_TITLES = {"further reading", "references", "sources", "bibliography", "reading list"}


def is_reference_title(title: str) -> bool:
    return " ".join(title.casefold().split()).rstrip(".:") in REFERENCE_TITLES


def glossary_for_part(title: str, glossary: Glossary | None) -> Glossary | None:
    """The glossary to link a part titled `title` with: none for a list of references."""
    return None if is_reference_title(title) else glossary


TAG = re.compile(r"(<[^>]*>)")
BLOCK_TAG = re.compile(
    r"</?(?:p|li|h[1-6]|tr|td|th|div|br|ul|ol|dl|dd|dt|table|thead|tbody|tfoot|caption"
    r"|blockquote|pre|hr)\b[^>]*>",
    re.IGNORECASE,
)
TAG_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z0-9]+)")
# Matched only at the start of a piece that TAG split off, so never in text or inside
# an attribute's value.
HEADING_TAG = re.compile(r"<(/?)h([1-6])\b")
LINK_TAG = re.compile(r"<a\s")
FRAGMENT_HREF = re.compile(r'(\shref=")#')
# A list item may begin with its own anchor, "1. {#check-the-chain} Check each link": it
# becomes the item's id, so that the item (a tool's step) can be linked to.
ITEM_ANCHOR = re.compile(r"<li>((?:\s*<p>)?)\s*\{#([a-z0-9]+(?:-[a-z0-9]+)*)\}[ \t]*\n?")
VOID = {"br", "hr", "img", "input", "meta", "link", "wbr"}

Resolver = Callable[[str, str, str], "str | None"]

# Limits on what is rendered (see check_complexity() and render()): Python-Markdown is
# quadratic on long runs of unclosed brackets and recursive on deep nesting.
MAX_OPEN_BRACKETS = 32  # "[" or "<" left open in one paragraph
MAX_QUOTE_DEPTH = 16  # "> > > ..." at the start of a line
MAX_DEFINITIONS = 100  # ": definition" lines in one block without a blank line
MAX_HTML_DEPTH = 24  # elements inside one another in the output; deeper ones are flattened
TIME_BUDGET = 3.0  # seconds one render may take
QUOTE_MARKERS = re.compile(r"^(?:[ \t]*>)+", re.MULTILINE)
DEFINITION_LINE = re.compile(r"^ {0,3}:[ \t]", re.MULTILINE)


class MarkupError(ValueError):
    """Text that cannot be rendered: `str()` says what is wrong and what to do."""


def check_complexity(source: str) -> None:
    """Refuse text whose structure would make rendering slow or recursive, with a
    message that says where the problem is. Cheap: one pass over the text."""
    for block in re.split(r"\n[ \t]*\n", source):
        _check_brackets(block)
        if len(DEFINITION_LINE.findall(block)) > MAX_DEFINITIONS:
            raise MarkupError(
                f"One list has more than {MAX_DEFINITIONS} definitions (lines starting "
                "with a colon) with no blank line between them. Put a blank line between "
                "groups of definitions, or split the list."
            )
    for match in QUOTE_MARKERS.finditer(source):
        if match.group(0).count(">") > MAX_QUOTE_DEPTH:
            raise MarkupError(
                f"A line starts with more than {MAX_QUOTE_DEPTH} “>” marks (a quotation "
                "inside a quotation, that many times). Remove some of the “>” marks at the "
                "start of the line."
            )


def _check_brackets(block: str) -> None:
    for opening, closing in (("[", "]"), ("<", ">")):
        open_now = 0
        for char in block:
            if char == opening:
                open_now += 1
                if open_now > MAX_OPEN_BRACKETS:
                    raise MarkupError(
                        f"One paragraph has more than {MAX_OPEN_BRACKETS} “{opening}” "
                        f"without a matching “{closing}”. Close them, remove them, or "
                        "start a new paragraph with a blank line."
                    )
            elif char == closing and open_now:
                open_now -= 1


class _OverBudget(Exception):
    pass


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Interrupt the block after `seconds` (MarkupError). Uses a timer signal, which only
    the main thread can receive (gunicorn's sync workers serve requests there); in other
    threads the complexity limits are what keeps rendering quick."""
    usable = (
        seconds > 0
        and threading.current_thread() is threading.main_thread()
        and hasattr(signal, "setitimer")
        and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    )
    if not usable:
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise _OverBudget()

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _OverBudget:
        raise MarkupError(
            "This text took too long to turn into a page. Split it into shorter "
            "paragraphs or remove unusual runs of punctuation, then try again."
        ) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def validate_markdown(source: str) -> None:
    """A form field validator: a ValidationError that says what to change when `source`
    cannot be rendered, for whatever reason, so the form comes back with the text kept."""
    from django.core.exceptions import ValidationError

    try:
        render(source or "")
    except MarkupError as problem:
        raise ValidationError(str(problem), code="markup") from None


def render_safely(source: str, **options: object) -> Rendered:
    """render(), or, for text that cannot be rendered (saved before the limits, or
    changed outside a form), the text itself, escaped, in one paragraph: never an
    error."""
    try:
        return render(source, **options)
    except MarkupError:
        text = " ".join(source.split())
        return Rendered(html=f"<p>{htmllib.escape(text[:20_000])}</p>", text=text)


@dataclass(frozen=True)
class TermEntry:
    slug: str
    term: str
    definition: str
    forms: tuple[str, ...]
    url: str


class Glossary:
    """A compiled matcher for glossary terms in running text.

    Forms in capitals (abbreviations such as DNA) match only in capitals; other forms
    match in any case. A plural "s" or "es" is accepted after any form.
    """

    def __init__(self, entries: Iterable[TermEntry]) -> None:
        self.entries = {e.slug: e for e in entries}
        self.exact: dict[str, str] = {}
        self.folded: dict[str, str] = {}
        alternatives: list[tuple[str, str]] = []  # (the form's first letter, its pattern)
        for entry in self.entries.values():
            for form in {entry.term, *entry.forms}:
                form = " ".join(form.split())
                if not form:
                    continue
                # A phrase may wrap onto a new line in the source: any space matches.
                pattern = r"\s+".join(re.escape(part) for part in form.split(" "))
                if is_abbreviation(form):
                    self.exact.setdefault(form, entry.slug)
                    alternatives.append((form[0].lower(), pattern))
                else:
                    self.folded.setdefault(form.casefold(), entry.slug)
                    alternatives.append((form[0].lower(), f"(?i:{pattern})"))
        alternatives.sort(key=lambda alternative: len(alternative[1]), reverse=True)
        self.pattern = (
            re.compile(r"(?<![\w-])(" + _by_first_letter(alternatives) + r")(?:e?s)?(?![\w-])")
            if alternatives
            else None
        )

    def lookup(self, matched: str) -> TermEntry | None:
        matched = " ".join(matched.split())
        slug = self.exact.get(matched) or self.folded.get(matched.casefold())
        return self.entries.get(slug) if slug else None


def _by_first_letter(alternatives: list[tuple[str, str]]) -> str:
    """The alternatives as one regular expression that matches what "a|b|c..." matches,
    in the same order of preference, but quicker: they are grouped by their first letter
    behind a look-ahead for it, so at each word the engine tries the one group that can
    match instead of every term in turn (several times quicker over a handout of all
    the guides). Only for forms that start with an ASCII character, where a letter and
    its capital are the only two characters that the look-ahead lets through; anything
    else keeps the plain list."""
    if not all(first.isascii() for first, _ in alternatives):
        return "|".join(pattern for _, pattern in alternatives)
    groups: dict[str, list[str]] = {}
    for first, pattern in alternatives:  # the longest first, as before, in each group
        groups.setdefault(first, []).append(pattern)
    # A character that passes one group's look-ahead passes no other's, so the order
    # of preference within a group is the whole order that can matter.
    return "|".join(
        f"(?=(?i:{re.escape(first)}))(?:{'|'.join(patterns)})" for first, patterns in groups.items()
    )


def is_abbreviation(form: str) -> bool:
    return form.upper() == form and any(c.isalpha() for c in form)


@dataclass
class Rendered:
    html: str
    text: str
    links: list[tuple[str, str, str]] = field(default_factory=list)
    broken_links: list[str] = field(default_factory=list)
    terms: set[str] = field(default_factory=set)


def render(
    source: str,
    *,
    resolve: Resolver | None = None,
    glossary: Glossary | None = None,
    seen_terms: set[str] | None = None,
    id_prefix: str = "",
    prefix_fragments: bool = False,
    tooltips: bool = True,
    heading_top: int | None = None,
) -> Rendered:
    """Render Markdown to safe HTML.

    `resolve(kind, slug, anchor)` turns an internal link into a URL, or None when it
    points at nothing (the link is then reported in `broken_links` and dropped).
    `seen_terms` is shared across the parts of one page so that each glossary term is
    linked only at its first use on the page; `id_prefix` keeps heading ids unique
    when several rendered parts share a page.

    For a printed document that gathers many parts (a handout): `prefix_fragments`
    gives in-page links (`href="#x"`) the same `id_prefix` as the ids they point at;
    `tooltips=False` links a glossary term without its tooltip (paper cannot show
    one, and the handout explains its terms in an appendix); `heading_top` moves the
    headings so that the highest is h<heading_top> (2 to 6), keeping their order and
    never going past h6.
    """
    if heading_top is not None and not 2 <= heading_top <= 6:
        # h1 is the page's own title: a fragment never has one.
        raise ValueError(f"heading_top must be from 2 to 6, not {heading_top}")

    def heading_slug(value: str, separator: str) -> str:
        return id_prefix + (slugify(value) or "section")

    check_complexity(source)
    started = time.monotonic()
    try:
        with time_budget(TIME_BUDGET):
            raw = markdown.markdown(
                source,
                extensions=["extra", "sane_lists", "toc"],
                extension_configs={"toc": {"slugify": heading_slug, "permalink": False}},
                output_format="html",
            )
    except RecursionError:
        raise MarkupError(
            "This text is nested too deeply to turn into a page (lists or quotations "
            "inside one another). Flatten it, or split it with blank lines."
        ) from None
    if time.monotonic() - started > TIME_BUDGET:  # where no timer could interrupt it
        raise MarkupError(
            "This text took too long to turn into a page. Split it into shorter "
            "paragraphs or remove unusual runs of punctuation, then try again."
        )
    result = Rendered(html="", text="")
    seen = seen_terms if seen_terms is not None else set()
    before = set(seen)

    def internal(match: re.Match) -> str:
        kind, slug, anchor = match.group(1), match.group(2), match.group(3) or ""
        result.links.append((kind, slug, anchor))
        url = resolve(kind, slug, anchor) if resolve else None
        if url is None:
            result.broken_links.append(f"{kind}:{slug}" + (f"#{anchor}" if anchor else ""))
            return 'href=""'
        if kind == "term":
            # A term linked by hand counts as used here and is not linked again.
            seen.add(slug)
        return f'href="{htmllib.escape(url)}"'

    raw = INTERNAL_LINK.sub(internal, raw)
    clean = sanitise(raw)
    clean = clean.replace('<a href="" ', "<a ").replace('<a href="">', "<a>")
    prefix = htmllib.escape(id_prefix)
    clean = ITEM_ANCHOR.sub(lambda m: f'<li id="{prefix}{m.group(2)}">{m.group(1)}', clean)
    result.text = html_to_text(clean)
    if prefix_fragments and id_prefix:
        clean = prefix_fragment_links(clean, id_prefix)
    if heading_top is not None:
        clean = move_headings(clean, heading_top)
    clean = wrap_tables(clean)
    if glossary is not None:
        clean = link_terms(clean, glossary, seen, id_prefix=id_prefix, tooltips=tooltips)
    result.terms = seen - before
    result.html = clean
    return result


def sanitise(raw_html: str) -> str:
    return flatten(_clean(raw_html))


def _clean(raw_html: str) -> str:
    return nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        # Relative links stay; protocol-relative ones ("//evil.example") do not.
        attribute_filter=_no_protocol_relative,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


# What browsers drop from anywhere in an address (tab, line feed, carriage return) and
# strip from its start (C0 controls and spaces), before reading it.
URL_DROPPED = re.compile(r"[\t\n\r]")
URL_LEADING = re.compile(r"^[\x00-\x20]+")


# "http:" or "https:" with no "//" after it: a browser reads "https:evil.example" as the
# host evil.example from a page whose own scheme differs, and as a path from one whose
# scheme is the same, so what it points at depends on where it is shown.
WEB_SCHEME_WITHOUT_HOST = re.compile(r"^https?:(?!//)", re.IGNORECASE)


def _no_protocol_relative(tag: str, attribute: str, value: str) -> str | None:
    """Relative links stay; anything a browser would read as another host does not:
    "//evil.example", and its disguises ("\\/evil.example", "/<tab>/evil.example",
    "https:evil.example"). A full address ("https://...") says where it goes, and stays."""
    if attribute in ("href", "src"):
        seen = URL_LEADING.sub("", URL_DROPPED.sub("", value)).replace("\\", "/")
        if seen.startswith("//") or WEB_SCHEME_WITHOUT_HOST.match(seen):
            return None
    return value


def flatten(fragment: str, max_depth: int = MAX_HTML_DEPTH) -> str:
    """Sanitised HTML with elements deeper than `max_depth` unwrapped (their text kept),
    so that nothing downstream (the PDF renderer, a browser) recurses through thousands
    of levels."""
    pieces = TAG.split(fragment)
    if sum(1 for piece in pieces if piece.startswith("<")) <= max_depth:
        return fragment
    out: list[str] = []
    stack: list[bool] = []  # for each open element: was it kept?
    for piece in pieces:
        m = TAG_NAME.match(piece) if piece.startswith("<") else None
        if m is None:
            out.append(piece)
            continue
        name = m.group(2).lower()
        if name in VOID or piece.endswith("/>"):
            out.append(piece)
        elif m.group(1):  # a closing tag: sanitised HTML is balanced
            if stack and stack.pop():
                out.append(piece)
        else:
            kept = sum(stack) < max_depth
            stack.append(kept)
            if kept:
                out.append(piece)
    return "".join(out)


def html_to_text(fragment: str) -> str:
    """Plain text of sanitised HTML, with block boundaries kept as spaces."""
    text = TAG.sub("", BLOCK_TAG.sub(" ", fragment))
    return " ".join(htmllib.unescape(text).split())


def move_headings(fragment: str, top: int) -> str:
    """Sanitised HTML with its headings moved so that the highest is h<top>."""
    pieces = TAG.split(fragment)
    levels = [int(m.group(2)) for piece in pieces if (m := HEADING_TAG.match(piece))]
    if not levels:
        return fragment
    shift = top - min(levels)

    def moved(m: re.Match) -> str:
        return f"<{m.group(1)}h{min(int(m.group(2)) + shift, 6)}"

    return "".join(
        HEADING_TAG.sub(moved, piece, count=1) if HEADING_TAG.match(piece) else piece
        for piece in pieces
    )


def prefix_fragment_links(fragment: str, id_prefix: str) -> str:
    """Sanitised HTML whose in-page links (`href="#x"`) carry `id_prefix`, as its ids do."""
    escaped = htmllib.escape(id_prefix)

    def prefixed(m: re.Match) -> str:
        return f"{m.group(1)}#{escaped}"

    return "".join(
        FRAGMENT_HREF.sub(prefixed, piece, count=1) if LINK_TAG.match(piece) else piece
        for piece in TAG.split(fragment)
    )


def wrap_tables(fragment: str) -> str:
    # A wide table scrolls inside its own keyboard-focusable region on a phone.
    return fragment.replace(
        "<table>", '<div class="table-wrap" role="region" tabindex="0" aria-label="Table"><table>'
    ).replace("</table>", "</table></div>")


def link_terms(
    fragment: str,
    glossary: Glossary,
    seen: set[str],
    *,
    id_prefix: str = "",
    tooltips: bool = True,
) -> str:
    """Link the first use of each glossary term not yet in `seen`, as an accessible tooltip
    (or, with `tooltips=False`, as a plain link to its definition)."""
    if glossary.pattern is None:
        return fragment
    out: list[str] = []
    skip_depth = 0
    heading: list[str] | None = None  # the text of the heading being read
    references = 0  # the level of a "Further reading" heading we are under, or 0
    for piece in TAG.split(fragment):
        if not piece:
            continue
        if piece.startswith("<"):
            m = TAG_NAME.match(piece)
            if m and m.group(2).lower() in NO_LINK_INSIDE and m.group(2).lower() not in VOID:
                skip_depth += -1 if m.group(1) else 1
                skip_depth = max(skip_depth, 0)
            level = HEADING_TAG.match(piece)
            if level and not level.group(1):
                if references and int(level.group(2)) <= references:
                    references = 0  # a new part at the same level or above
                heading = []
            elif level and heading is not None:
                if is_reference_title(htmllib.unescape("".join(heading))):
                    references = int(level.group(2))
                heading = None
            out.append(piece)
            continue
        if heading is not None:
            heading.append(piece)
        if skip_depth or references:
            out.append(piece)
            continue
        out.append(_link_text(htmllib.unescape(piece), glossary, seen, id_prefix, tooltips))
    return "".join(out)


def _link_text(
    text: str, glossary: Glossary, seen: set[str], id_prefix: str, tooltips: bool
) -> str:
    parts: list[str] = []
    position = 0
    for match in glossary.pattern.finditer(text):
        entry = glossary.lookup(match.group(1))
        if entry is None or entry.slug in seen:
            continue
        seen.add(entry.slug)
        parts.append(htmllib.escape(text[position : match.start()], quote=False))
        words = match.group(0)
        parts.append(term_tooltip(entry, words, id_prefix) if tooltips else term_link(entry, words))
        position = match.end()
    parts.append(htmllib.escape(text[position:], quote=False))
    return "".join(parts)


def term_tooltip(entry: TermEntry, words: str, id_prefix: str = "") -> str:
    """A link to the term's definition, described by a tooltip that shows on hover and
    keyboard focus (CSS only) and is read by screen readers through aria-describedby."""
    tip_id = f"tip-{id_prefix}{entry.slug}"
    return (
        f'<span class="gloss"><a class="term" href="{htmllib.escape(entry.url)}" '
        f'aria-describedby="{tip_id}">{htmllib.escape(words, quote=False)}</a>'
        f'<span class="term-tip" role="tooltip" id="{tip_id}">'
        f"<strong>{htmllib.escape(entry.term, quote=False)}:</strong> "
        f"{htmllib.escape(' '.join(entry.definition.split()), quote=False)}</span></span>"
    )


def term_link(entry: TermEntry, words: str) -> str:
    """A link to the term's definition with no tooltip: what paper can show."""
    return (
        f'<a class="term" href="{htmllib.escape(entry.url)}">'
        f"{htmllib.escape(words, quote=False)}</a>"
    )
