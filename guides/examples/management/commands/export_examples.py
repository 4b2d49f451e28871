"""Write every local example to a JSON file that import_examples reads back exactly.

    python manage.py export_examples --output examples.json

Each example is keyed by its permanent uid; the guide, tools and users are named by
their slugs and user names, so the file can be loaded into another database that has
the same content and accounts. The rendered HTML is not exported: import_examples
makes it again from the Markdown, through the same sanitiser.
"""

from __future__ import annotations

import json
import os

from django.core.management.base import BaseCommand, CommandParser

from guides.examples.charts import chart_rows
from guides.examples.models import LocalExample

FORMAT = "ilg-local-examples"
FORMAT_VERSION = 1
FIELDS = [
    "title", "organisation_type", "service", "team", "problem", "what_was_done", "results",
    "lessons", "contact", "status", "editor_comment", "version",
]  # fmt: skip
DATES = ["period_start", "period_end"]
TIMES = ["created_at", "updated_at", "published_at"]


def export_data() -> dict:
    examples = (
        LocalExample.objects.select_related("guide", "author", "reviewed_by", "step_tool")
        .prefetch_related("tools", "tags", "charts")
        .order_by("pk")
    )
    rows = []
    for example in examples:
        row = {"uid": str(example.uid), "id": example.pk, "guide": example.guide.slug}
        row.update({name: getattr(example, name) for name in FIELDS})
        for name in DATES + TIMES:
            value = getattr(example, name)
            row[name] = value.isoformat() if value else None
        row["section"] = example.section_anchor
        row["step"] = (
            {"tool": example.step_tool.slug, "anchor": example.step_anchor}
            if example.step_tool_id and example.step_anchor
            else None
        )
        row["tools"] = sorted(t.slug for t in example.tools.all())
        row["tags"] = sorted(t.name for t in example.tags.all())
        row["author"] = example.author.get_username() if example.author else None
        row["reviewed_by"] = example.reviewed_by.get_username() if example.reviewed_by else None
        row["charts"] = chart_rows(example)  # guides/examples/charts.py
        rows.append(row)
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "examples": rows}


class Command(BaseCommand):
    help = "Export every local example (with its tags, status and dates) as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", default="-", help="File to write (default: stdout).")

    def handle(self, *args, **options) -> None:
        data = export_data()
        text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        if options["output"] == "-":
            self.stdout.write(text, ending="")
        else:
            # Names, contacts and drafts: readable by the owner only (0600), whatever the
            # umask, and an existing file is narrowed too before it is written.
            path = options["output"]
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            self.stderr.write(
                f"Exported {len(data['examples'])} local examples to {options['output']}."
            )
