"""Handouts: a training module, a single guide or a single tool as one printable document.

`module_handout()`, `guide_handout()` and `tool_handout()` (build.py) gather what is
printed into a `Handout` (document.py); `render_html()` fills the one template
(training/handout.html) that both the browser's print view and the PDF use, and
`write_pdf()` turns that HTML into a PDF with WeasyPrint, fetching nothing but the
library's own static files (pdf.py).
"""

from django.conf import settings

from guides.training.handouts.build import (
    collect_terms,
    guide_handout,
    missing_reason,
    module_handout,
    module_items,
    tool_handout,
)
from guides.training.handouts.document import (
    EDITIONS,
    PARTICIPANT,
    REVIEW_MONTHS,
    TRAINER,
    AppendixTerm,
    Block,
    Handout,
    HandoutItem,
    absolute,
    add_months,
)
from guides.training.handouts.pdf import (
    RefusedURL,
    render_html,
    static_file,
    static_only_fetcher,
    write_pdf,
)

__all__ = [
    "EDITIONS",
    "PARTICIPANT",
    "REVIEW_MONTHS",
    "TRAINER",
    "AppendixTerm",
    "Block",
    "Handout",
    "HandoutItem",
    "RefusedURL",
    "absolute",
    "add_months",
    "collect_terms",
    "guide_handout",
    "missing_reason",
    "module_handout",
    "module_items",
    "render_html",
    "settings",  # the tests find the project's files through it
    "static_file",
    "static_only_fetcher",
    "tool_handout",
    "write_pdf",
]
