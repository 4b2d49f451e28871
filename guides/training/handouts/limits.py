"""What keeps a handout from taking the pages down with it.

- **A cap on what one handout may hold**: `check_size()` weighs a module's items (the
  characters of Markdown to be set) before anything is rendered, and refuses one past
  `MAX_HANDOUT_CHARS` (all eleven guides fit, with room for notes and examples) with
  `HandoutTooLarge`, whose message says what to do.
- **Bounded concurrent PDF renders**: `render_slot()` lets at most
  `settings.PDF_RENDERS_AT_ONCE` PDFs be made at once, counted across the threads of a
  process and across the processes of one machine (a slot is an advisory lock on a small
  file; the kernel releases it when a process dies). A request that finds every slot
  taken is not kept waiting: it gets `RendersBusy`, which the views answer with a 503
  "being prepared, try again" page and Retry-After, so the workers stay free for pages.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from guides.training.models import ModuleItem

# About all eleven guides (180,000 characters) with every tool they use besides; a
# handout of 60 guides took 23 seconds and half a gigabyte.
MAX_HANDOUT_CHARS = 300_000
# What an item without Markdown of its own (a term, a placeholder, a chart) weighs.
ITEM_BASE_CHARS = 500
# Seconds a client is asked to wait before trying again when every slot is taken.
RETRY_AFTER = 10


class HandoutTooLarge(Exception):
    def __init__(self, size: int, limit: int = MAX_HANDOUT_CHARS) -> None:
        self.size, self.limit = size, limit
        super().__init__(self.message)

    @property
    def message(self) -> str:
        words, most = self.size // 6, self.limit // 6
        return (
            f"This module is too long to print as one handout: it holds about "
            f"{words:,} words, and one handout can hold about {most:,} (all eleven guides "
            "with their tools fit). Split it: make a copy of the module, remove the second "
            "half of the items from one copy and the first half from the other, and print "
            "each copy."
        )


class RendersBusy(Exception):
    """Every PDF slot is taken: try again in RETRY_AFTER seconds."""


def item_weight(item: ModuleItem, section_chars: dict[int, int]) -> int:
    """The characters of Markdown an item prints. `section_chars`: by guide id, the
    length of all its sections (a whole guide prints them all)."""
    kind = item.kind
    weight = ITEM_BASE_CHARS + len(item.text or "")
    if kind == "guide" and item.guide_id:
        weight += section_chars.get(item.guide_id, 0)
    elif kind == "section" and item.section_id and item.section is not None:
        weight += len(item.section.body)
    elif kind == "tool" and item.tool_id and item.tool is not None:
        weight += len(item.tool.body)
    elif kind == "example" and item.example_id and item.example is not None:
        weight += len(item.example.text or "")
    return weight


def check_size(items: Iterable[ModuleItem], section_chars: dict[int, int]) -> int:
    """The handout's weight; HandoutTooLarge past the cap."""
    size = sum(item_weight(item, section_chars) for item in items)
    if size > MAX_HANDOUT_CHARS:
        raise HandoutTooLarge(size)
    return size


def _slot_dir() -> Path:
    # One set of slots per installation (the project's folder), shared by its processes.
    digest = hashlib.sha256(str(settings.BASE_DIR).encode()).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"ilg-pdf-slots-{os.getuid()}-{digest}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


@contextmanager
def render_slot() -> Iterator[int]:
    """Hold one of the PDF_RENDERS_AT_ONCE slots while the block runs; RendersBusy at
    once if none is free."""
    slots = max(1, int(getattr(settings, "PDF_RENDERS_AT_ONCE", 1)))
    folder = _slot_dir()
    for number in range(slots):
        fd = os.open(folder / f"slot-{number}", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        try:
            yield number
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        return
    raise RendersBusy()
