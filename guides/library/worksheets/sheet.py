"""A stored worksheet (the JSON that spec.check_worksheet made) as objects that the
page, the printed sheet, the Word document and the spreadsheet all read, so that they
show the same columns, rows, prompts and sums."""

from __future__ import annotations

from dataclasses import dataclass, field

from guides.library.worksheets import formula
from guides.library.worksheets.spec import TOTALS

# Each handwriting line of a row, on paper. The first line is 10 mm: comfortably more
# than the 8 mm a hand needs.
FIRST_LINE_MM, NEXT_LINE_MM = 10, 8
SCREEN_BLANK_ROWS = 3  # the page shows a few blank rows; the printed sheet has them all


@dataclass
class Column:
    key: str
    label: str
    number: bool
    formula: str
    start: str
    summed: bool
    width: float
    percent: int = 0  # of the table's width, whole, for a CSS class
    hint: str = ""  # the formula in a few words, under the column's heading

    @property
    def tree(self) -> formula.Node | None:
        return formula.parse(self.formula) if self.formula else None


@dataclass
class Part:
    heading: str
    note: str
    kind: str
    columns: list[Column] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    grid: bool = False
    totals: list[str] = field(default_factory=list)
    space: int = 1
    items: list[str] = field(default_factory=list)
    explanations: list[str] = field(default_factory=list)

    @property
    def row_mm(self) -> int:
        return FIRST_LINE_MM + NEXT_LINE_MM * (self.space - 1)

    @property
    def total_rows(self) -> list[str]:
        return [TOTALS[t] for t in self.totals]

    @property
    def screen_count(self) -> int:
        """How many rows the tool page shows on a screen (paper gets them all)."""
        return min(SCREEN_BLANK_ROWS, len(self.rows)) if self.grid else len(self.rows)

    @property
    def hidden_rows(self) -> int:
        return len(self.rows) - self.screen_count

    @property
    def prompts(self) -> bool:
        """Rows that start with a prompt or a label: the first cell heads its row."""
        return not self.grid and any(row[0] for row in self.rows)

    @property
    def wide(self) -> bool:
        return len(self.columns) > 5


@dataclass
class Field:
    key: str
    label: str
    number: bool = False


@dataclass
class Sheet:
    title: str
    intro: str
    orientation: str
    fields: list[Field]
    parts: list[Part]
    after: str = ""

    @property
    def landscape(self) -> bool:
        return self.orientation == "landscape"

    @property
    def tabular(self) -> bool:
        """Has a table of repeated rows to fill in: offered as a spreadsheet too."""
        return any(p.grid for p in self.parts)

    @property
    def tables(self) -> list[Part]:
        return [p for p in self.parts if p.kind == "table"]

    @classmethod
    def from_json(cls, data: dict | None) -> Sheet | None:
        if not data:
            return None
        fields = [Field(**f) for f in data.get("fields", [])]
        parts = []
        for p in data.get("parts", []):
            columns = [Column(**c) for c in p.get("columns", [])]
            for c, percent in zip(columns, percents([c.width for c in columns]), strict=True):
                c.percent = percent
            part = Part(
                heading=p.get("heading", ""),
                note=p.get("note", ""),
                kind=p.get("kind", "table"),
                columns=columns,
                rows=p.get("rows", []),
                grid=p.get("grid", False),
                totals=p.get("totals", []),
                space=p.get("space", 1),
                items=p.get("items", []),
            )
            part.explanations = explain(part, fields)
            for column in columns:
                column.hint = hint(column, columns, fields)
            parts.append(part)
        return cls(
            title=data["title"],
            intro=data.get("intro", ""),
            orientation=data.get("orientation", "portrait"),
            fields=fields,
            parts=parts,
            after=data.get("after", ""),
        )


def is_tabular(data: dict) -> bool:
    """Sheet.tabular, read straight from the stored definition."""
    return any(part.get("grid") for part in data.get("parts", []))


def percents(weights: list[float]) -> list[int]:
    """Whole percentages in proportion to `weights` that add up to exactly 100 (largest
    remainders round up), so a table is never wider than its page."""
    total = sum(weights) or 1
    exact = [w / total * 100 for w in weights]
    out = [int(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - out[i], reverse=True)
    for i in by_remainder[: 100 - sum(out)]:
        out[i] += 1
    return out


def hint(column: Column, columns: list[Column], fields: list[Field]) -> str:
    """ "= Capacity − Activity": short enough for a column heading on paper."""
    if not column.formula:
        return ""
    labels = {c.key: c.label for c in columns} | {f.key: f.label for f in fields}

    def ref(how: str, key: str) -> str:
        if how == "above" and key == column.key:
            return "row above"
        if how == "above":
            return f"{labels.get(key, key)} in the row above"
        if how == "total":
            return f"total {labels.get(key, key)}"
        return labels.get(key, key)

    return "= " + formula.render(column.tree, ref, words=True)


def explain(part: Part, fields: list[Field]) -> list[str]:
    """Each formula column in words: "Lost capacity = Capacity − Activity"."""
    labels = {c.key: c.label for c in part.columns}
    field_labels = {f.key: f.label for f in fields}
    out = []
    for column in part.columns:
        if not column.formula:
            continue

        def ref(how: str, key: str) -> str:
            label = labels.get(key) or field_labels.get(key, key)
            if how == "above":
                return f"{label} in the row above"
            if how == "total":
                return f"the total of {label}"
            return label

        line = f"{column.label} = {formula.render(column.tree, ref, words=True)}."
        start = field_labels.get(column.start)
        if start:
            line += f" On the first row, use {start} for the row above."
        out.append(line)
    return out
