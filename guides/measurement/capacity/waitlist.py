"""A waiting list file, one row per referral, read into the weekly numbers.

The file (CSV, or two columns pasted from a spreadsheet) has a referral date on every row
and a removal date on the rows that have left the list; a blank removal date means still
waiting. From it, per the calculator's own definition:

- the period runs from the earliest referral to the latest date in the file, and
  weeks = (days + 1) / 7;
- demand = referrals / weeks, capacity = removals / weeks;
- queue = rows with no removal date; mean wait = mean of (end - referral date), in
  weeks, over those still waiting;
- cv_demand and cv_capacity = the coefficient of variation (sample standard deviation /
  mean) of the gaps in days between consecutive referral (removal) dates once sorted.

NHSRwaitinglist's `wl_stats` differs: it ends the period at the last referral; it takes
demand and capacity from the mean gap between dates (referral gaps padded with the
period's start and end, a removal's gap measured from the last day the list was empty
when that is later than the previous removal); and it reports the mean wait in days.
The page's notes say so.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from datetime import date

MAX_BYTES = 5_000_000
MAX_NAMED_PROBLEMS = 5
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


class WaitingListError(ValueError):
    """A file that cannot be read, with the reason in plain words."""


@dataclass
class WaitingList:
    referrals: list[int]  # date ordinals, in file order
    removals: list[int | None]  # the same rows' removal dates, None while waiting
    headers: tuple[str, str] | None = None
    ignored_columns: int = 0
    messages: list[str] = field(default_factory=list)


def decode(raw: bytes) -> str:
    """A file's text: UTF-8 (with or without a byte order mark), under 5 MB."""
    if len(raw) > MAX_BYTES:
        raise WaitingListError(
            f"The file is {len(raw) / 1_000_000:.1f} MB: the limit is 5 MB. Leave out the "
            "columns the calculator does not need (keep the referral and removal dates)."
        )
    if b"\0" in raw[:4096]:
        raise WaitingListError(
            "That file is not a CSV or text file. In your spreadsheet, use “Save as” and "
            "choose CSV UTF-8."
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        line = raw[: problem.start].count(b"\n") + 1
        raise WaitingListError(
            f"The file is not UTF-8 text (the first character we could not read is on line "
            f"{line}). In your spreadsheet, use “Save as” and choose CSV UTF-8."
        ) from None


def parse_date(text: str) -> int | None:
    """A date as an ordinal, from 2024-03-31 (a time after it is ignored) or 31/03/2024."""
    text = text.strip().strip('"').strip()
    if len(text) >= 10 and text[4:5] == "-":
        head = text[:10]
        if len(text) > 10 and text[10] not in "T ":
            return None
        try:
            return date.fromisoformat(head).toordinal()
        except ValueError:
            return None
    match = _UK_DATE.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            return date(year, month, day).toordinal()
        except ValueError:
            return None
    return None


def _delimiter(line: str) -> str:
    if "\t" in line:
        return "\t"
    if ";" in line and "," not in line:
        return ";"
    return ","


def _column(headers: list[str], word: str) -> int | None:
    names = [h.strip().casefold() for h in headers]
    if word in names:
        return names.index(word)
    for i, name in enumerate(names):
        if re.search(rf"(?<![a-z]){word}", name):
            return i
    return None


def _clip(text: str, limit: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _problems(problems: list[str]) -> str:
    shown = problems[:MAX_NAMED_PROBLEMS]
    more = len(problems) - len(shown)
    text = " ".join(shown)
    if more:
        lines, these = ("lines", "these") if more > 1 else ("line", "this")
        text += f" And {more:,} more {lines} like {these}."
    return text


def parse(text: str, *, header_required: bool = True) -> WaitingList:
    """The referral and removal dates of every row, or WaitingListError saying why not.

    A file must start with a header row naming a `referral` column and a `removal`
    column (any case; "Referral date" will do). Pasted columns may leave the header
    out: then the first column is the referral date and the second the removal date.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    lines = text.split("\n")
    first = next((n for n, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise WaitingListError(
            "The file is empty." if header_required else "Paste or type some dates first."
        )
    delimiter = _delimiter(lines[first])
    reader = csv.reader(lines[first:], delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error:
        header = lines[first].split(delimiter)
    looks_like_data = bool(header) and parse_date(header[0]) is not None
    headers = None
    if looks_like_data:
        if header_required:
            raise WaitingListError(
                "The file has no header row. Its first line should name the columns: one "
                "called referral (the date each person joined the list) and one called "
                "removal (the date they left it, blank if still waiting)."
            )
        ref_col, rem_col = 0, 1
        data_start = first
    else:
        ref_col, rem_col = _column(header, "referral"), _column(header, "removal")
        if ref_col is None and rem_col is None and not header_required and len(header) >= 2:
            ref_col, rem_col = 0, 1  # headings of their own: the first two columns
        missing = [w for w, col in (("referral", ref_col), ("removal", rem_col)) if col is None]
        if missing:
            named = ", ".join(f"“{_clip(h, 20)}”" for h in header if h.strip()) or "nothing"
            raise WaitingListError(
                f"The file has no {' or '.join(missing)} column. Its first line names "
                f"{named}. Name the column of dates each person joined the list referral, "
                "and the column of dates they left it removal."
            )
        headers = (header[ref_col].strip(), header[rem_col].strip())
        data_start = first + 1
    return _rows(lines, data_start, delimiter, ref_col, rem_col, headers)


def _rows(
    lines: list[str],
    start: int,
    delimiter: str,
    ref_col: int,
    rem_col: int,
    headers: tuple[str, str] | None,
) -> WaitingList:
    referrals: list[int] = []
    removals: list[int | None] = []
    problems: list[str] = []
    widest = max(ref_col, rem_col)
    extra = 0
    reader = csv.reader(lines[start:], delimiter=delimiter)
    number = start
    # A list has far fewer different dates than rows: read each one once.
    seen: dict[str, int | None] = {}

    def read(text: str) -> int | None:
        if text not in seen:
            seen[text] = parse_date(text)
        return seen[text]

    try:
        for number, cells in enumerate(reader, start=start + 1):
            if not "".join(cells).strip():  # a blank line, or only separators
                continue
            extra = max(extra, len(cells) - 2)
            referral_text = cells[ref_col] if len(cells) > ref_col else ""
            removal_text = cells[rem_col].strip() if len(cells) > widest else ""
            referral = read(referral_text)
            if referral is None:
                problems.append(
                    f"Line {number}: there is no referral date."
                    if not referral_text.strip()
                    else f"Line {number}: “{_clip(referral_text)}” is not a date we can read."
                )
                continue
            removal = None
            if removal_text:
                removal = read(removal_text)
                if removal is None:
                    problems.append(
                        f"Line {number}: “{_clip(removal_text)}” is not a date we can read."
                    )
                    continue
                if removal < referral:
                    problems.append(
                        f"Line {number}: the removal date {date.fromordinal(removal)} is "
                        f"before the referral date {date.fromordinal(referral)}."
                    )
                    continue
            referrals.append(referral)
            removals.append(removal)
    except csv.Error as problem:
        problems.append(f"Line {number + 1}: {problem}.")
    if problems:
        raise WaitingListError(
            _problems(problems) + " Write dates as 2024-03-31 (or 31/03/2024), and leave the "
            "removal date blank for people still waiting."
        )
    if not referrals:
        raise WaitingListError(
            "The file has a header row but no referrals under it."
            if headers
            else "There are no referrals to count."
        )
    messages = []
    if extra > 0:
        messages.append("Only the referral and removal dates are used; other columns are ignored.")
    return WaitingList(referrals, removals, headers, extra, messages)


# --------------------------------------------------------------------------------------
# The numbers
# --------------------------------------------------------------------------------------


@dataclass
class Stats:
    start: date
    end: date
    days: int  # from start to end, both included
    weeks: float
    referrals: int
    removals: int
    demand: float
    capacity: float
    queue: int
    mean_wait: float | None  # weeks, over those still waiting; None when nobody is
    cv_demand: float | None  # None when there are too few dates to tell
    cv_capacity: float | None
    # Week by week from the start (the last week may be short): referrals, removals and
    # the list's size at the end of each week.
    weekly_referrals: list[int]
    weekly_removals: list[int]
    weekly_queue: list[int]

    @property
    def last_week_days(self) -> int:
        return self.days - 7 * (len(self.weekly_referrals) - 1)

    def week_start(self, k: int) -> date:
        return date.fromordinal(self.start.toordinal() + 7 * k)

    def as_json(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "weeks": self.weeks,
            "demand": self.demand,
            "capacity": self.capacity,
            "queue": self.queue,
            "mean_wait": self.mean_wait,
            "cv_demand": self.cv_demand,
            "cv_capacity": self.cv_capacity,
        }


def coefficient_of_variation(sorted_dates: list[int]) -> float | None:
    """Sample standard deviation / mean of the gaps between consecutive dates.

    The gaps are whole days, so the sums are exact integers: the variance is
    (n·Σg² − (Σg)²) / (n(n − 1)), one division at the end.
    """
    if len(sorted_dates) < 3:
        return None
    gaps = [b - a for a, b in zip(sorted_dates, sorted_dates[1:], strict=False)]
    n, total = len(gaps), sum(gaps)
    if total == 0:
        return None
    squares = sum(g * g for g in gaps)
    variance = (n * squares - total * total) / (n * (n - 1))
    return math.sqrt(variance) / (total / n)


def _per_week(ordinals: list[int], start: int, count: int) -> list[int]:
    counts = [0] * count
    for day in ordinals:
        counts[(day - start) // 7] += 1
    return counts


def stats(waiting: WaitingList) -> Stats:
    referrals = waiting.referrals
    removed = sorted(r for r in waiting.removals if r is not None)
    start = min(referrals)
    end = max(max(referrals), removed[-1] if removed else start)
    days = end - start + 1
    weeks = days / 7
    still = [ref for ref, rem in zip(referrals, waiting.removals, strict=True) if rem is None]
    mean_wait = (sum(end - ref for ref in still) / len(still)) / 7 if still else None
    count = math.ceil(days / 7)
    weekly_referrals = _per_week(referrals, start, count)
    weekly_removals = _per_week(removed, start, count)
    weekly_queue, size = [], 0
    for joined, left in zip(weekly_referrals, weekly_removals, strict=True):
        size += joined - left
        weekly_queue.append(size)
    return Stats(
        start=date.fromordinal(start),
        end=date.fromordinal(end),
        days=days,
        weeks=weeks,
        referrals=len(referrals),
        removals=len(removed),
        demand=len(referrals) / weeks,
        capacity=len(removed) / weeks,
        queue=len(still),
        mean_wait=mean_wait,
        cv_demand=coefficient_of_variation(sorted(referrals)),
        cv_capacity=coefficient_of_variation(removed),
        weekly_referrals=weekly_referrals,
        weekly_removals=weekly_removals,
        weekly_queue=weekly_queue,
    )
