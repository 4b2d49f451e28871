"""The search index follows the content and the local examples: connected in
SearchConfig.ready()."""

from __future__ import annotations

from typing import TYPE_CHECKING

from guides.core.signals import content_loaded
from guides.search.index import index_example, reindex_content, remove_example
from guides.search.models import SearchDocument

if TYPE_CHECKING:
    from django.db.models import Model

    from guides.library.content import Content, LoadReport


def content_changed(sender: type[Content], report: LoadReport, **kwargs) -> None:
    """After a load that changed the content (or into an empty index), inside the load's
    transaction."""
    if report.changed or not SearchDocument.objects.exclude(kind="example").exists():
        reindex_content()


def connect() -> None:
    """Keep the index in step with every save and delete of a local example, and with
    changes to its tags (taggit sends m2m_changed)."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from guides.examples.models import LocalExample

    def saved(
        sender: type[LocalExample], instance: LocalExample, raw: bool = False, **kwargs
    ) -> None:
        if not raw:
            index_example(instance)

    def deleted(sender: type[LocalExample], instance: LocalExample, **kwargs) -> None:
        remove_example(instance.pk)

    def tags_changed(sender: type[Model], instance: Model, action: str, **kwargs) -> None:
        if action in ("post_add", "post_remove", "post_clear") and isinstance(
            instance, LocalExample
        ):
            index_example(instance)

    content_loaded.connect(content_changed, dispatch_uid="search-content-loaded")
    # weak=False: the receivers are local functions, which would otherwise be collected.
    post_save.connect(saved, sender=LocalExample, weak=False, dispatch_uid="search-example-saved")
    post_delete.connect(
        deleted, sender=LocalExample, weak=False, dispatch_uid="search-example-deleted"
    )
    m2m_changed.connect(
        tags_changed, sender=LocalExample.tags.through, weak=False,
        dispatch_uid="search-example-tags",
    )  # fmt: skip
