"""The glossary as the Markdown pipeline uses it to link terms in staff text, built in
one place and kept per content version (a load that changes the glossary makes a new
version, so nothing stale is ever used)."""

from __future__ import annotations

from functools import lru_cache

from guides.library import markup
from guides.library.models import ContentVersion, GlossaryTerm


def content_version_key() -> tuple | None:
    """What identifies the content as loaded now (one small query): the latest load's id
    with its digest and time, since an id alone can come round again after a rollback."""
    return ContentVersion.objects.order_by("-id").values_list("id", "digest", "loaded_at").first()


def version_key(version: ContentVersion | None) -> tuple | None:
    """The same key, for a caller that has fetched the latest load already."""
    return (version.pk, version.digest, version.loaded_at) if version is not None else None


@lru_cache(maxsize=4)
def _glossary(version: tuple | None) -> markup.Glossary:
    return markup.Glossary(
        markup.TermEntry(
            slug=t.slug,
            term=t.term,
            definition=t.definition,
            forms=tuple(t.match_forms),
            url=t.get_absolute_url(),
        )
        for t in GlossaryTerm.objects.only("slug", "term", "definition", "match_forms")
    )


def current_glossary() -> markup.Glossary:
    """The glossary of the content as loaded now, so that jargon in staff text links to
    its definition."""
    return _glossary(content_version_key())


def glossary_for(version: ContentVersion | None) -> markup.Glossary:
    """The glossary as of `version`, the latest load (no query when it is kept)."""
    return _glossary(version_key(version))
