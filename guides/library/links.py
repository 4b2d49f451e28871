"""Where the internal links of content Markdown point (guide:<slug>#<anchor>,
tool:<slug>, term:<slug>), worked out from the content as loaded.

The loader checks these links against the content files before anything is written
(guides/library/content/check.py), so the stored HTML never has a broken one. Text
rendered again after the load, such as a section made ready for print, needs the same
answers from the database: they are built in four queries and kept per content version,
as the glossary is (guides/library/glossary.py), since only a load changes them.
"""

from __future__ import annotations

from functools import lru_cache

from django.urls import reverse

from guides.library import markup
from guides.library.glossary import version_key
from guides.library.models import ContentVersion, GlossaryTerm, Guide, Section, Tool


def resolver_for(version: ContentVersion | None) -> markup.Resolver:
    """The resolver for the content as of `version`, the latest load, which a caller
    that prints the content version has fetched already (so no query when kept)."""
    return _resolver(version_key(version))


@lru_cache(maxsize=4)
def _resolver(version: tuple | None) -> markup.Resolver:
    # Keyed as glossary.version_key(): an id alone can come round again after a
    # rollback, so a kept resolver is never used for other content.
    anchors: dict[str, set[str]] = {
        slug: set() for slug in Guide.objects.values_list("slug", flat=True)
    }
    for slug, anchor in Section.objects.values_list("guide__slug", "anchor"):
        anchors.setdefault(slug, set()).add(anchor)
    return links_resolver(
        anchors,
        tools=set(Tool.objects.values_list("slug", flat=True)),
        terms=set(GlossaryTerm.objects.values_list("slug", flat=True)),
    )


def links_resolver(
    anchors: dict[str, set[str]], *, tools: set[str], terms: set[str]
) -> markup.Resolver:
    """A resolver over known slugs: `anchors` maps each guide to its sections' anchors.
    A link to anything else, or to an anchor a tool or term cannot have, is None."""

    def resolve(kind: str, slug: str, anchor: str) -> str | None:
        if kind == "guide" and slug in anchors and (not anchor or anchor in anchors[slug]):
            url = reverse("library:guide", args=[slug])
            return f"{url}#{anchor}" if anchor else url
        if kind == "tool" and slug in tools and not anchor:
            return reverse("library:tool", args=[slug])
        if kind == "term" and slug in terms and not anchor:
            return reverse("library:term", args=[slug])
        return None

    return resolve
