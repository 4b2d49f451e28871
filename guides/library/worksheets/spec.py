"""A tool's template as structured data: what `fixtures/templates/<tool>.yaml` may say,
checked and normalised once when the content is loaded (every problem reported with its
file), and stored on the Tool as JSON. The format is in fixtures/README.md.

A worksheet has a title, an optional intro, fields to fill in above the tables ("Unit:
____") and parts. A part is a table (columns, and either a number of blank rows or rows
of prompts) or a checklist. Columns may be numbers or formulas; a table with blank rows
may end with total and average rows."""

from __future__ import annotations

import re
from typing import Any, Protocol

from guides.library.worksheets import formula

KEY = re.compile(r"^[a-z][a-z0-9_]*$")
SHEET_FIELDS = {"title", "intro", "orientation", "fields", "parts", "after"}
PART_FIELDS = {"heading", "note", "columns", "rows", "numbered", "totals", "space", "checklist"}
COLUMN_FIELDS = {"label", "key", "number", "formula", "start", "summed", "width"}
ORIENTATIONS = {"portrait", "landscape"}
TOTALS = {"total": "Total", "average": "Average"}
MAX_ROWS = 60  # more than any exercise needs, and a sheet that still prints
MAX_SPACE = 6  # writing lines in a row
WIDE = 5  # a table with more columns than this is printed landscape


class Problems(Protocol):
    count: int  # how many problems so far

    def add(self, message: str) -> None: ...


def make_key(label: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", label.casefold()).strip("_")
    return key if key and key[0].isalpha() else f"c_{key}"


def _text(value: Any) -> str | None:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    return " ".join(str(value).split())


def check_worksheet(raw: Any, problems: Problems) -> dict | None:
    """The normalised worksheet, or None after reporting what is wrong."""
    before = _count(problems)
    if not isinstance(raw, dict):
        problems.add("must be a set of 'name: value' fields (title, parts, ...)")
        return None
    for name in sorted(set(raw) - SHEET_FIELDS):
        problems.add(f"unknown field '{name}' (expected one of: {', '.join(sorted(SHEET_FIELDS))})")
    title = _text(raw.get("title"))
    if not title:
        problems.add("missing required field 'title'")
    fields = []
    fields_raw = raw.get("fields") or []
    if not isinstance(fields_raw, list):
        problems.add("'fields' must be a list of labels")
        fields_raw = []
    for i, entry in enumerate(fields_raw, start=1):
        if isinstance(entry, str):
            entry = {"label": entry}
        label = _text(entry.get("label")) if isinstance(entry, dict) else None
        if not label:
            problems.add(f"field {i} needs a 'label'")
            continue
        key = entry.get("key") or make_key(label)
        if not isinstance(key, str) or not KEY.match(key):
            problems.add(f"field '{label}': key {key!r} must be lowercase letters, digits, _")
            continue
        fields.append({"key": key, "label": label, "number": bool(entry.get("number"))})
    parts_raw = raw.get("parts")
    if not isinstance(parts_raw, list) or not parts_raw:
        problems.add("'parts' must be a list of at least one table or checklist")
        parts_raw = []
    field_keys = {f["key"] for f in fields}
    parts = [_part(p, i, field_keys, problems) for i, p in enumerate(parts_raw, start=1)]
    orientation = raw.get("orientation")
    if orientation is None:
        widest = max((len(p["columns"]) for p in parts if p), default=0)
        orientation = "landscape" if widest > WIDE else "portrait"
    elif not isinstance(orientation, str) or orientation not in ORIENTATIONS:
        problems.add(f"'orientation' must be portrait or landscape, not {orientation!r}")
    if _count(problems) > before:
        return None
    return {
        "title": title,
        "intro": _text(raw.get("intro")) or "",
        "orientation": orientation,
        "fields": fields,
        "parts": parts,
        "after": _text(raw.get("after")) or "",
    }


def _count(problems: Problems) -> int:
    return problems.count


def _part(raw: Any, number: int, field_keys: set[str], problems: Problems) -> dict | None:
    where = f"part {number}"
    if not isinstance(raw, dict):
        problems.add(f"{where} must be a set of 'name: value' fields")
        return None
    for name in sorted(set(raw) - PART_FIELDS):
        problems.add(f"{where}: unknown field '{name}'")
    heading, note = _text(raw.get("heading")) or "", _text(raw.get("note")) or ""
    if "checklist" in raw:
        items = raw["checklist"]
        if not isinstance(items, list) or not items or not all(_text(i) for i in items):
            problems.add(f"{where}: 'checklist' must be a list of items")
            return None
        return {"heading": heading, "note": note, "kind": "checklist", "columns": [],
                "items": [_text(i) for i in items]}  # fmt: skip
    columns = _columns(raw.get("columns"), where, problems)
    if columns is None:
        return None
    width = len(columns)
    rows_raw, grid = raw.get("rows"), False
    rows: list[list[str]] = []
    if isinstance(rows_raw, int) and not isinstance(rows_raw, bool):
        if not 1 <= rows_raw <= MAX_ROWS:
            problems.add(f"{where}: 'rows' must be from 1 to {MAX_ROWS}")
            return None
        grid = True
        rows = [[str(n + 1) if raw.get("numbered") else ""] + [""] * (width - 1)
                for n in range(rows_raw)]  # fmt: skip
    elif isinstance(rows_raw, list) and rows_raw:
        for n, row in enumerate(rows_raw, start=1):
            cells = [row] if not isinstance(row, list) else row
            texts = [_text(c) for c in cells]
            if any(t is None for t in texts) or len(texts) > width:
                problems.add(f"{where}: row {n} must be text, with at most {width} cells")
                return None
            rows.append(texts + [""] * (width - len(texts)))
    else:
        problems.add(f"{where}: 'rows' must be a number of blank rows or a list of rows")
        return None
    totals = raw.get("totals") or []
    if not isinstance(totals, list) or any(
        not isinstance(t, str) or t not in TOTALS for t in totals
    ):
        problems.add(f"{where}: 'totals' may list only: {', '.join(TOTALS)}")
        return None
    if totals and not grid:
        problems.add(f"{where}: totals need a number of blank rows to add up")
    space = raw.get("space", 1)
    if not isinstance(space, int) or isinstance(space, bool) or not 1 <= space <= MAX_SPACE:
        problems.add(f"{where}: 'space' must be a number of writing lines from 1 to {MAX_SPACE}")
        space = 1
    _check_formulas(columns, field_keys, grid, where, problems)
    for n, row in enumerate(rows, start=1):
        for column, cell in zip(columns, row, strict=True):
            if column["formula"] and cell:
                problems.add(f"{where}: row {n} fills in '{column['label']}', a formula column")
    for i, column in enumerate(columns):
        if not column["width"]:
            # Numbers are narrow; a prompt's one answer column is where people write.
            blank = not grid and width == 2 and i == 1 and not any(row[1] for row in rows)
            column["width"] = 1 if column["number"] else 3 if blank else 2
    return {
        "heading": heading,
        "note": note,
        "kind": "table",
        "columns": columns,
        "rows": rows,
        "grid": grid,
        "totals": list(dict.fromkeys(totals)),
        "space": space,
    }


def _columns(raw: Any, where: str, problems: Problems) -> list[dict] | None:
    if not isinstance(raw, list) or not raw:
        problems.add(f"{where}: 'columns' must be a list of column labels")
        return None
    columns = []
    for n, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict):
            entry = {"label": entry}
        for name in sorted(set(entry) - COLUMN_FIELDS):
            problems.add(f"{where}: column {n}: unknown field '{name}'")
        label = _text(entry.get("label"))
        if label is None:
            problems.add(f"{where}: column {n} label must be text")
            return None
        key = entry.get("key") or make_key(label or f"column {n}")
        if not isinstance(key, str) or not KEY.match(key):
            problems.add(f"{where}: column '{label}': key {key!r} must be lowercase letters, _")
            return None
        width = entry.get("width", 0)
        if not isinstance(width, int | float) or isinstance(width, bool) or not 0 <= width <= 6:
            problems.add(f"{where}: column '{label}': 'width' must be from 1 to 6")
            width = 0
        source = _text(entry.get("formula")) or ""
        columns.append({
            "key": key,
            "label": label,
            "number": bool(entry.get("number")) or bool(source),
            "formula": source,
            "start": _text(entry.get("start")) or "",
            "summed": entry.get("summed", True) is not False,
            "width": width,  # 0: set by _part from what the column holds
        })  # fmt: skip
    keys = [c["key"] for c in columns]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        problems.add(f"{where}: two columns have the key '{key}' (give one a 'key')")
    return columns


def _check_formulas(
    columns: list[dict], field_keys: set[str], grid: bool, where: str, problems: Problems
) -> None:
    by_key = {c["key"]: c for c in columns}
    same_row: dict[str, set[str]] = {}
    for column in columns:
        if not column["formula"]:
            if column["start"]:
                problems.add(f"{where}: column '{column['label']}' has a start but no formula")
            continue
        label = f"{where}: column '{column['label']}': formula {column['formula']!r}"
        if not grid:
            problems.add(f"{label} needs a number of blank rows to work on")
            continue
        try:
            tree = formula.parse(column["formula"])
        except formula.FormulaError as exc:
            problems.add(f"{label} {exc}")
            continue
        same_row[column["key"]] = set()
        for how, key in formula.names(tree):
            if how == "name" and key in field_keys:
                continue
            if key not in by_key:
                problems.add(f"{label} uses '{key}', which is not a column or field key")
            elif not by_key[key]["number"]:
                problems.add(f"{label} uses '{key}', which is not a number column")
            elif how == "name":
                same_row[column["key"]].add(key)
            elif how == "above" and key == column["key"] and column["start"]:
                if column["start"] not in field_keys:
                    problems.add(f"{label}: start '{column['start']}' is not a field key")
    # No column may depend on itself within a row.
    for start in same_row:
        stack, seen = [start], set()
        while stack:
            for key in same_row.get(stack.pop(), ()):
                if key == start:
                    problems.add(f"{where}: column '{by_key[start]['label']}' depends on itself")
                    stack = []
                    break
                if key not in seen:
                    seen.add(key)
                    stack.append(key)
