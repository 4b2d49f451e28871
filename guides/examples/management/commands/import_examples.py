"""Read local examples written by export_examples, all or nothing.

    python manage.py import_examples examples.json            # add the ones not here yet
    python manage.py import_examples examples.json --replace  # and overwrite the ones that are

Examples are matched by uid. A new one keeps its old id (and so its address) when that
id is free. Status, version, tags, tools, authors and the created, updated and
published dates are kept exactly; the HTML is made again from the Markdown. Every
guide, tool and user named in the file must exist here, or nothing is imported.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.management.color import no_style
from django.db import connection, transaction

from guides.examples.charts import checked_chart_rows, restore_charts
from guides.examples.management.commands.export_examples import DATES, FIELDS, FORMAT, TIMES
from guides.examples.models import ExampleStatus, LocalExample, parse_tags
from guides.library.models import Guide, Tool


def import_data(data: Any, *, replace: bool = False) -> dict[str, int]:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CommandError(f"This is not a '{FORMAT}' file from export_examples.")
    rows = data.get("examples")
    if not isinstance(rows, list):
        raise CommandError("The file has no list of examples.")
    User = get_user_model()
    guides = {g.slug: g for g in Guide.objects.all()}
    tools = {t.slug: t for t in Tool.objects.all()}
    usernames = {
        name for row in rows if isinstance(row, dict)
        for name in (row.get("author"), row.get("reviewed_by")) if name
    }  # fmt: skip
    users = {u.get_username(): u for u in User.objects.filter(username__in=usernames)}
    problems: list[str] = []
    prepared = []
    chart_lists = []
    for i, row in enumerate(rows, start=1):
        where = f"example {i}" + (f" ({row.get('title')!r})" if isinstance(row, dict) else "")
        try:
            prepared.append(_prepare(row, guides, tools, users))
            chart_lists.append(checked_chart_rows(row.get("charts")))
        except (KeyError, TypeError, ValueError, ValidationError) as exc:
            message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else exc
            problems.append(f"{where}: {message}")
    if problems:
        raise CommandError(
            f"{len(problems)} problem(s); nothing was imported:\n  " + "\n  ".join(problems)
        )
    counts = {"created": 0, "replaced": 0, "unchanged": 0}
    with transaction.atomic():
        for (example, tool_list, tags, old_id), charts in zip(prepared, chart_lists, strict=True):
            existing = LocalExample.objects.filter(uid=example.uid).first()
            if existing and not replace:
                counts["unchanged"] += 1
                continue
            if existing:
                example.pk = existing.pk
                counts["replaced"] += 1
            else:
                free = not LocalExample.objects.filter(pk=old_id).exists()
                example.pk = old_id if free else None
                example._state.adding = True
                counts["created"] += 1
            example._tag_names = tags
            example.save(touch=False)
            example.tools.set(tool_list)
            example.tags.set(tags)
            restore_charts(example, charts)
        # Rows were written with their old ids: move PostgreSQL's id sequence past them.
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [LocalExample]):
                cursor.execute(sql)
    return counts


def _prepare(
    row: Any, guides: dict, tools: dict, users: dict
) -> tuple[LocalExample, list[Tool], list[str], int | None]:
    if not isinstance(row, dict):
        raise TypeError("must be a set of fields")
    if row["guide"] not in guides:
        raise ValueError(f"unknown guide '{row['guide']}'")
    missing_tools = [slug for slug in row["tools"] if slug not in tools]
    if missing_tools:
        raise ValueError("unknown tool(s) " + ", ".join(repr(s) for s in missing_tools))
    for key in ("author", "reviewed_by"):
        if row[key] and row[key] not in users:
            raise ValueError(f"unknown user '{row[key]}' ({key}): create the account first")
    if row["status"] not in ExampleStatus.values:
        raise ValueError(f"unknown status {row['status']!r}")
    example = LocalExample(uid=row["uid"], guide=guides[row["guide"]])
    # Files from before sections could be annotated have no "section": the whole guide.
    example.section_anchor = row.get("section") or ""
    if (
        example.section_anchor
        and not example.guide.sections.filter(anchor=example.section_anchor).exists()
    ):
        raise ValueError(f"unknown section '{example.section_anchor}' of guide '{row['guide']}'")
    # Files from before tool steps could be annotated have no "step": no step.
    step = row.get("step")
    chosen_tools = [tools[s] for s in row["tools"]]
    if step:
        if not isinstance(step, dict) or not step.get("tool") or not step.get("anchor"):
            raise ValueError('\'step\' must be {"tool": tool-slug, "anchor": step-anchor}')
        tool = tools.get(step["tool"])
        if tool is None or not tool.step(step["anchor"]):
            raise ValueError(f"unknown step '{step['anchor']}' of tool '{step['tool']}'")
        example.step_tool, example.step_anchor = tool, step["anchor"]
        if tool not in chosen_tools:
            chosen_tools.append(tool)
    for name in FIELDS:
        setattr(example, name, row[name])
    for name in DATES:
        setattr(example, name, date.fromisoformat(row[name]) if row[name] else None)
    for name in TIMES:
        value = datetime.fromisoformat(row[name]) if row[name] else None
        if value is not None and value.tzinfo is None:
            raise ValueError(f"'{name}' has no time zone")
        setattr(example, name, value)
    example.author = users.get(row["author"]) if row["author"] else None
    example.reviewed_by = users.get(row["reviewed_by"]) if row["reviewed_by"] else None
    example.full_clean(validate_unique=False, validate_constraints=True)
    old_id = row["id"] if isinstance(row["id"], int) and row["id"] > 0 else None
    return example, chosen_tools, parse_tags(row["tags"]), old_id


class Command(BaseCommand):
    help = "Import local examples from a file written by export_examples (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The JSON file, or - for standard input.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Overwrite examples that are already here (matched by uid).",
        )

    def handle(self, *args, **options) -> None:
        try:
            if options["file"] == "-":
                data = json.load(sys.stdin)
            else:
                with open(options["file"], encoding="utf-8") as f:
                    data = json.load(f)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc}") from exc
        counts = import_data(data, replace=options["replace"])
        self.stdout.write(
            f"Imported local examples: {counts['created']} created, {counts['replaced']} "
            f"replaced, {counts['unchanged']} already here and left as they were."
        )
