"""The search index: one row per searchable thing, and the library's own words."""

from __future__ import annotations

from django.db import models


class SearchDocument(models.Model):
    """One searchable thing (a guide, section, tool, glossary term or published local
    example), flattened for the full-text engines. This app owns these rows and the
    vendor-specific index over them (PostgreSQL: a weighted tsvector column with a GIN
    index; SQLite: an FTS5 table kept in step by triggers), made by migration 0002.

    A row knows what it stands for: `kind` and `object_id` (the row of that model), and
    `key`, the stable name callers use (guide:<slug>, section:<guide>#<anchor>,
    tool:<slug>, term:<slug>, example:<id>), the same as a module item's value."""

    kind = models.CharField(max_length=10)
    object_id = models.BigIntegerField()
    key = models.CharField(max_length=300)
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=300)
    # "|slug|slug|" so that a filter is a simple LIKE on either engine.
    guides = models.CharField(max_length=1000, blank=True, default="")
    tags = models.CharField(max_length=2000, blank=True, default="")
    keywords = models.TextField(blank=True, default="")
    summary = models.TextField(blank=True, default="")
    body = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="unique_search_document"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"


class SearchWord(models.Model):
    """The words of the library's own content, for spelling suggestions."""

    word = models.CharField(max_length=100, unique=True)
    frequency = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.word
