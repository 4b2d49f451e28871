"""Places on one app's pages where other apps add their part.

The library's pages must not depend on the apps built on top of it, yet a guide page
shows the guide's local examples (the examples app) and "Add to a training module"
(the training app). So a library template names a *slot* ({% panels "guide:after" guide %})
and each app registers, in its AppConfig.ready(), what it puts there: a function of the
template context and the page's object that returns HTML (made by a template, so
escaped as usual). Slots render in the order the apps are installed; an app that is not
installed simply adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.template import Context
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

# The page's object is Any: each panel takes the type its slot is given (a Guide, a Tool).
Panel = Callable[[Context, Any], str]
_slots: dict[str, list[tuple[str, Panel]]] = {}


def register(slot: str, panel: Panel, *, name: str) -> None:
    """Add `panel` to `slot` (once per name, so a second ready() call changes nothing)."""
    panels = _slots.setdefault(slot, [])
    if all(existing != name for existing, _ in panels):
        panels.append((name, panel))


def render_slot(slot: str, context: Context, obj: object) -> SafeString:
    return format_html_join("", "{}", ((panel(context, obj),) for _, panel in _slots.get(slot, [])))


def slots() -> dict[str, list[str]]:
    """What is registered where (for the tests and for a newcomer reading the shell)."""
    return {slot: [name for name, _ in panels] for slot, panels in _slots.items()}
