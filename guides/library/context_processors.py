"""The content's identity on every page: its version and when it was last reviewed.

Worked out only when a template asks for it, then kept in the process for a minute (the
content changes only when `load_guides` runs, which also forgets it here at once), so a
page pays no query for it in the steady state."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from django.db.models import Max
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

KEEP_SECONDS = 60
_memo: dict[str, tuple[float, ContentIdentity | None]] = {}


@dataclass(frozen=True)
class ContentIdentity:
    version: str
    last_reviewed: date | None


def content_identity() -> ContentIdentity | None:
    kept = _memo.get("identity")
    if kept is not None and time.monotonic() - kept[0] < KEEP_SECONDS:
        return kept[1]
    identity = _work_out()
    _memo["identity"] = (time.monotonic(), identity)
    return identity


def forget(**kwargs) -> None:
    _memo.clear()


def _work_out() -> ContentIdentity | None:
    from guides.library.models import ContentVersion, Guide, Tool

    latest = ContentVersion.objects.order_by("-loaded_at", "-id").first()
    if latest is None:
        return None
    dates = [
        Guide.objects.aggregate(d=Max("last_reviewed"))["d"],
        Tool.objects.aggregate(d=Max("last_reviewed"))["d"],
    ]
    known = [d for d in dates if d]
    return ContentIdentity(latest.label, max(known) if known else None)


def content(request: HttpRequest) -> dict:
    return {"content_identity": SimpleLazyObject(content_identity)}
