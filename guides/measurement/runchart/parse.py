"""Reading pasted or uploaded data: numbers, labels, and the points a person names.

Pure functions with no Django imports. Spreadsheet cells come in many shapes ("1,234",
"12%", "£40", "12,5"); this module turns them into points, and says in plain words what
it left out and why.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

# More points than this make an unreadable chart; the rest are dropped with a message.
MAX_POINTS = 1000
# Longest label kept for a point, in characters.
MAX_LABEL = 40
# How many "not a number" lines to name before summarising the rest.
MAX_NAMED_PROBLEMS = 5
# Values further from zero than this are refused: beyond it a float no longer holds every
# whole number, and no measure of a service comes near it.
MAX_MAGNITUDE = 1e15


# --------------------------------------------------------------------------------------
# Reading data
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    label: str | None
    value: float
    line: int | None = None  # where it came from, for messages


@dataclass
class Parsed:
    points: list[Point]
    messages: list[str] = field(default_factory=list)
    headers: tuple[str, str] | None = None  # column names, when the first row had them
    capped_from: int | None = None  # how many points there were before the cap
    too_large: int = 0  # values left out for being beyond MAX_MAGNITUDE

    @property
    def values(self) -> list[float]:
        return [p.value for p in self.points]

    @property
    def labels(self) -> list[str | None]:
        return [p.label for p in self.points]


_NUMBER = re.compile(
    r"""^
    (?P<sign>[-+\u2212\u2013]?)\s*          # minus, plus, Unicode minus or en dash
    (?P<currency>[£$€])?\s*
    (?P<num>
        \d{1,3}(?:,\d{3})+(?:\.\d+)?         # 1,234,567.89
      | \d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:\.\d+)?   # 1 234 567.89
      | \d+(?:\.\d*)?                        # 1234.5 or 12.
      | \.\d+                                # .5
    )
    \s*(?P<unit>%|[^\W\d_][^\d]{0,19})?      # 12%, 45 mins, 3 days
    $""",
    re.VERBOSE,
)
_DECIMAL_COMMA = re.compile(r"^(?P<sign>[-\u2212]?)(?P<int>\d+),(?P<frac>\d+)$")


def parse_number(text: str) -> tuple[float, bool] | None:
    """A number from a spreadsheet cell, or None. The flag says a unit or symbol was dropped.

    Accepts thousands separators ("1,234"), a unit or symbol ("12%", "£40", "45 mins")
    and a decimal comma ("12,5", but not "12,500", which is twelve thousand five hundred).
    """
    text = text.strip().strip('"').strip()
    if not text or len(text) > 50:
        return None
    match = _DECIMAL_COMMA.match(text)
    if match and len(match["frac"]) != 3:
        value = float(f"{match['int']}.{match['frac']}")
        return (-value if match["sign"] else value), False
    match = _NUMBER.match(text)
    if not match:
        return None
    digits = re.sub(r"[, \u00a0\u202f]", "", match["num"])
    value = float(digits)
    if match["sign"] in ("-", "\u2212", "\u2013"):
        value = -value
    if not math.isfinite(value):
        return None
    return value, bool(match["currency"] or match["unit"])


def _split_line(line: str) -> list[str]:
    """Cells of one row: tab-separated (pasted from a spreadsheet), or CSV."""
    if "\t" in line:
        delimiter = "\t"
    elif ";" in line:
        delimiter = ";"
    elif "," in line:
        delimiter = ","
    else:
        return [line.strip()]
    try:
        cells = next(csv.reader([line], delimiter=delimiter, skipinitialspace=True))
    except (csv.Error, StopIteration):
        cells = line.split(delimiter)
    return [c.strip() for c in cells]


def _label_and_value(cells: list[str]) -> tuple[str | None, str, bool]:
    """(label, value text, extra columns dropped) from one row's cells."""
    cells = list(cells)
    while len(cells) > 2 and cells[-1] == "":
        cells.pop()  # trailing separators from a spreadsheet
    if len(cells) == 1:
        return None, cells[0], False
    if len(cells) == 2:
        return cells[0], cells[1], False
    # "Week 1,1,234": an unquoted thousands separator split the value into cells.
    rest = cells[1:]
    if re.fullmatch(r"-?\d{1,3}", rest[0]) and all(
        re.fullmatch(r"\d{3}(?:\.\d+)?", c) for c in rest[1:]
    ):
        return cells[0], ",".join(rest), False
    return cells[0], cells[1], True


def _clip_label(label: str | None) -> str | None:
    if label is None:
        return None
    label = " ".join(label.split())
    if not label:
        return None
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def _not_a_number_messages(problems: list[tuple[str, str]]) -> list[str]:
    """Problems are (where, text); a text of "" means a label with no value."""
    messages = [
        f"{where}: “{_clip_label(text)}” is not a number, so it was left out."
        if text.strip()
        else f"{where} has no value, so it was left out."
        for where, text in problems[:MAX_NAMED_PROBLEMS]
    ]
    if len(problems) > MAX_NAMED_PROBLEMS:
        more = len(problems) - MAX_NAMED_PROBLEMS
        what = (
            "entry was not a number and was" if more == 1 else "entries were not numbers and were"
        )
        messages.append(f"{more:,} more {what} left out.")
    return messages


def _too_large_messages(problems: list[tuple[str, str]]) -> list[str]:
    messages = [
        f"{where}: “{_clip_label(text)}” is too large to chart (values must be between "
        f"−{MAX_MAGNITUDE:,.0f} and {MAX_MAGNITUDE:,.0f}), so it was left out."
        for where, text in problems[:MAX_NAMED_PROBLEMS]
    ]
    if len(problems) > MAX_NAMED_PROBLEMS:
        more = len(problems) - MAX_NAMED_PROBLEMS
        messages.append(f"{more:,} more {'value was' if more == 1 else 'values were'} too large.")
    return messages


def _finish(points: list[Point], messages: list[str], max_points: int, **kwargs) -> Parsed:
    capped_from = None
    if len(points) > max_points:
        capped_from = len(points)
        messages.append(
            f"There were {len(points):,} points: only the first {max_points:,} are used. "
            "A chart with more points than that is hard to read; try weekly or monthly "
            "figures instead."
        )
        points = points[:max_points]
    return Parsed(points, messages, capped_from=capped_from, **kwargs)


def parse_values(text: str, max_points: int = MAX_POINTS) -> Parsed:
    """Values in one list: "3,5,4", "3; 5; 4" or "3 5 4". No labels, no thousands separators."""
    if re.search(r"[,;\t\n]", text):
        tokens = re.split(r"[,;\t\n]", text)
    else:
        tokens = text.split()
    points, problems, large, units = [], [], [], False
    position = 0
    for token in tokens:
        if not token.strip():
            continue
        position += 1
        parsed = parse_number(token)
        if parsed is None:
            problems.append((f"Value {position}", token.strip()))
            continue
        if abs(parsed[0]) > MAX_MAGNITUDE:
            large.append((f"Value {position}", token.strip()))
            continue
        points.append(Point(None, parsed[0], position))
        units = units or parsed[1]
    messages = _not_a_number_messages(problems) + _too_large_messages(large)
    if units:
        messages.append("Units and symbols such as “%” were ignored: only the numbers are charted.")
    return _finish(points, messages, max_points, too_large=len(large))


def parse_data(text: str, max_points: int = MAX_POINTS) -> Parsed:
    """Points from pasted or uploaded text.

    One point a line: "label<tab>value" pasted from a spreadsheet, "label,value" from a
    CSV file, or just the value. A first row that is not a number is taken as column
    headings. A single line of values ("3, 5, 4") is a list, and two long lines (labels
    across, then values across) are read as a spreadsheet row pasted sideways.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    rows = [(n, line) for n, line in enumerate(text.split("\n"), start=1) if line.strip()]
    if not rows:
        return Parsed([], [])
    split = [(n, _split_line(line)) for n, line in rows]

    if len(split) == 1 and (
        len(split[0][1]) != 2 or all(parse_number(c) is not None for c in split[0][1])
    ):
        return parse_values(rows[0][1], max_points)  # "3, 5, 4" typed on one line
    if len(split) == 2 and len(split[0][1]) > 2 and len(split[0][1]) == len(split[1][1]):
        # Labels in one row, values in the next: a row copied from a spreadsheet.
        labels, values = split[0][1], split[1][1]
        if parse_number(values[-1]) is not None and parse_number(labels[-1]) is None:
            split = [
                (i + 1, [label, value])
                for i, (label, value) in enumerate(zip(labels, values, strict=True))
            ]

    points: list[Point] = []
    problems: list[tuple[str, str]] = []
    large: list[tuple[str, str]] = []
    headers = None
    units = extra_columns = False
    for index, (n, cells) in enumerate(split):
        label, value_text, extra = _label_and_value(cells)
        parsed = parse_number(value_text)
        if parsed is None:
            if index == 0:
                # Column headings, not a problem.
                headers = (cells[0], cells[1]) if len(cells) >= 2 else ("", cells[0])
            else:
                problems.append((f"Line {n}", value_text))
            continue
        if abs(parsed[0]) > MAX_MAGNITUDE:
            large.append((f"Line {n}", value_text))
            continue
        extra_columns = extra_columns or extra
        units = units or parsed[1]
        points.append(Point(_clip_label(label), parsed[0], n))

    messages = _not_a_number_messages(problems) + _too_large_messages(large)
    if extra_columns:
        messages.append("Only the first two columns (label and value) are used.")
    if units:
        messages.append("Units and symbols such as “%” were ignored: only the numbers are charted.")
    return _finish(points, messages, max_points, headers=headers, too_large=len(large))


# --------------------------------------------------------------------------------------
# Pointing at points: change markers and astronomical points
# --------------------------------------------------------------------------------------

MAX_CHANGES = 26


def match_point(token: str, labels: Sequence[str | None]) -> int | None:
    """The zero-based index of a point named by its label or its number (1 = the first)."""
    token = " ".join(token.split()).casefold()
    if not token:
        return None
    for i, label in enumerate(labels):
        if label and label.casefold() == token:
            return i
    if re.fullmatch(r"\d+", token):
        number = int(token)
        if 1 <= number <= len(labels):
            return number - 1
    return None


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _split_change(line: str, labels: Sequence[str | None]) -> tuple[int | None, str]:
    index = match_point(line, labels)
    if index is not None:
        return index, ""
    # "Mar 2024: board round started", "13 - huddle", "Week 5<tab>new form"
    for separator in re.finditer(r"\s*(?::|\t|,|;|\s[-\u2013\u2014]\s)\s*", line):
        index = match_point(line[: separator.start()], labels)
        if index is not None:
            return index, line[separator.end() :].strip()
    leading = re.match(r"(\d+)\s+(.+)", line)  # "13 board round"
    if leading:
        index = match_point(leading[1], labels)
        if index is not None:
            return index, leading[2].strip()
    return None, line


def parse_changes(
    text: str, labels: Sequence[str | None]
) -> tuple[list[tuple[int, str]], list[str]]:
    """Changes made (PDSA cycles), one a line: the point's label or number, then a note."""
    changes: list[tuple[int, str]] = []
    messages: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        index, note = _split_change(line, labels)
        if index is None:
            messages.append(
                f"The change “{_clip(line)}” does not start with a point number or a label "
                "from your data, so it is not on the chart."
            )
            continue
        changes.append((index, _clip(note, 120) or "change made"))
    if len(changes) > MAX_CHANGES:
        messages.append(f"Only the first {MAX_CHANGES} changes are marked on the chart.")
        changes = changes[:MAX_CHANGES]
    changes.sort(key=lambda change: change[0])
    return changes, messages


def parse_point_list(
    text: str, labels: Sequence[str | None], *, purpose: str = "marked as astronomical"
) -> tuple[list[int], list[str]]:
    """Points named by number or label, separated by commas or new lines."""
    found: set[int] = set()
    messages = []
    for token in re.split(r"[,;\n]", text):
        if not token.strip():
            continue
        index = match_point(token, labels)
        if index is None:
            messages.append(
                f"“{_clip(token.strip())}” is not a point number or a label from your data, "
                f"so it was not {purpose}."
            )
        else:
            found.add(index)
    return sorted(found), messages
