"""How training modules follow the content (see guides.core.signals)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from guides.library.glossary import current_glossary
from guides.training.models import ItemKind, Module, ModuleItem

if TYPE_CHECKING:
    from guides.library.content.load import LoadReport

RENDER_BATCH = 500


def rerender_module_text(
    sender: type, report: LoadReport, glossary_changed: bool, **kwargs: object
) -> None:
    """When the glossary changes, make the trainer's notes and the note items again, so
    that no link points at a removed term (bulk_update: only the HTML is written)."""
    if not glossary_changed:
        return
    glossary = current_glossary()
    modules = Module.objects.exclude(trainer_notes="").only("pk", "trainer_notes")
    changed = []
    for module in modules.iterator(chunk_size=RENDER_BATCH):
        module.render(glossary)
        changed.append(module)
    Module.objects.bulk_update(changed, ["trainer_notes_html"], batch_size=RENDER_BATCH)
    notes = ModuleItem.objects.filter(kind=ItemKind.NOTE).only("pk", "order", "text")
    items = []
    for item in notes.iterator(chunk_size=RENDER_BATCH):
        item.render(glossary)
        items.append(item)
    ModuleItem.objects.bulk_update(items, ["text_html"], batch_size=RENDER_BATCH)
    if changed or items:
        report.notes.append(
            f"The glossary changed: the trainer's notes of {len(changed)} module(s) and "
            f"{len(items)} note item(s) were made again with the new terms."
        )
