"""Site-wide state shared by every app server."""

from __future__ import annotations

from django.db import models

# Page cache ---------------------------------------------------------------------------


class SiteVersion(models.Model):
    """One row whose token changes whenever anything a visitor can see changes (a content
    load, a local example, a module). The anonymous page cache (guides/caching.py) keys
    its pages on it, so every app server sees a change at once."""

    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.token
