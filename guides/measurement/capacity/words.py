"""The answer in plain words first, then each figure with its formula.

Pure functions: the page links each figure's glossary slug when the term exists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from guides.measurement.capacity.formulas import Result
from guides.measurement.runchart import format_number


def about(value: float) -> str:
    """A count as people say it: whole numbers from 10 up, one decimal below."""
    if abs(value) >= 10:
        return f"{round(value):,}"
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def at_least(value: float) -> str:
    """ "just over 30" for 30.2, "about 71" for 70.96: capacity is never rounded down
    without saying so."""
    if abs(value) >= 10:
        whole = math.floor(value)
        if 0.05 <= value - whole < 0.5:
            return f"just over {whole:,}"
        return f"about {round(value):,}"
    return f"about {about(value)}"


def weeks_text(value: float) -> str:
    text = about(value)
    return f"{text} week" if text == "1" else f"{text} weeks"


def sentences(result: Result) -> list[str]:
    """The answer, a sentence or two at a time."""
    i = result.inputs
    said = [
        f"About {about(i.demand)} people join the list each week and you see about "
        f"{about(i.capacity)}."
    ]
    change = result.weekly_change
    if about(change) in ("0", "-0"):
        said.append(
            "Demand and capacity are about the same, so on average the list stays the same "
            "size; but with the ups and downs of each week it tends to drift up."
        )
    elif change > 0:
        said.append(f"The list grows by about {about(change)} a week.")
    else:
        said.append(f"The list shrinks by about {about(-change)} a week.")
    said.append(
        f"To keep waits within {weeks_text(i.target_wait)} you need a list of no more than "
        f"about {about(result.target_queue_size)} and the capacity to see "
        f"{at_least(result.target_capacity)} a week."
    )
    if i.queue is not None:
        said += _queue_sentences(result)
    if i.mean_wait is not None and result.pressure is not None:
        verdict = (
            f"above 1, so the {about(i.target_wait)}-week target will probably be missed"
            if result.pressure > 1
            else "not above 1, so most people should be seen within the target"
        )
        said.append(
            f"Those waiting have waited {weeks_text(i.mean_wait)} on average: the pressure "
            f"on the list is {format_number(round(result.pressure, 2))}, {verdict}."
        )
    return said


def _queue_sentences(result: Result) -> list[str]:
    i = result.inputs
    queue, target = i.queue or 0, result.target_queue_size
    if queue <= target:
        said = [f"Your list is {about(queue)}, within that size."]
        if result.weekly_change > 0:
            weeks = (target - queue) / result.weekly_change
            said.append(f"At today’s rates it passes it in about {weeks_text(weeks)}.")
        return said
    said = [
        f"Your list is {about(queue)}: to bring it to {about(target)} within "
        f"{weeks_text(i.time_to_target)} you need about {about(result.relief_capacity or 0)} "
        "a week until then."
    ]
    if result.queue_too_big:
        said.append(
            "It is more than twice the size it should be, so the target capacity alone will "
            "not bring it down in time: it needs this relief capacity first."
        )
    return said


@dataclass(frozen=True)
class Figure:
    key: str
    name: str
    value: str
    formula: str
    slug: str | None  # the glossary term it links to


def _n(value: float) -> str:
    return format_number(round(value, 2))


def figures(result: Result) -> list[Figure]:
    """Every figure, with the formula that made it (all per week)."""
    i = result.inputs
    rows = [
        Figure("demand", "Demand", f"{_n(i.demand)} a week", "given", "demand"),
        Figure("capacity", "Capacity (activity)", f"{_n(i.capacity)} a week", "given", "capacity"),
        Figure("load", "Load", _n(result.load), "demand ÷ capacity", "capacity"),
        Figure(
            "weekly_change",
            "Weekly change in the list",
            f"{'+' if result.weekly_change > 0 else ''}{_n(result.weekly_change)} a week",
            "demand − capacity",
            "waiting-list",
        ),
        Figure(
            "target_mean_wait",
            "Target mean wait",
            f"{_n(result.target_mean_wait)} weeks",
            f"target wait ÷ factor = {_n(i.target_wait)} ÷ {_n(i.factor)}",
            "waiting-time",
        ),
        Figure(
            "target_queue_size",
            "Target list size",
            _n(result.target_queue_size),
            f"demand × target wait ÷ factor = {_n(i.demand)} × {_n(i.target_wait)} ÷ "
            f"{_n(i.factor)} (Little’s law)",
            "littles-law",
        ),
        Figure(
            "target_capacity",
            "Target capacity",
            f"{_n(result.target_capacity)} a week",
            f"demand + ((cv demand² + cv capacity²) ÷ 2) × (factor ÷ target wait) = "
            f"{_n(i.demand)} + (({_n(i.cv_demand)}² + {_n(i.cv_capacity)}²) ÷ 2) × "
            f"({_n(i.factor)} ÷ {_n(i.target_wait)})",
            "variation",
        ),
    ]
    if i.queue is not None:
        rows.append(Figure("queue", "Waiting list size", _n(i.queue), "given", "waiting-list"))
        rows.append(
            Figure(
                "queue_too_big",
                "List too big?",
                "yes" if result.queue_too_big else "no",
                f"list more than twice the target size: {_n(i.queue)} > 2 × "
                f"{_n(result.target_queue_size)}",
                "backlog",
            )
        )
        rows.append(
            Figure(
                "relief_capacity",
                "Relief capacity",
                f"{_n(result.relief_capacity or 0)} a week",
                f"demand + (list − target list size) ÷ weeks to target = {_n(i.demand)} + "
                f"({_n(i.queue)} − {_n(result.target_queue_size)}) ÷ {_n(i.time_to_target)}",
                "backlog",
            )
        )
    if i.mean_wait is not None and result.pressure is not None:
        rows.append(
            Figure(
                "mean_wait",
                "Mean wait of those waiting",
                f"{_n(i.mean_wait)} weeks",
                "given",
                "waiting-time",
            )
        )
        rows.append(
            Figure(
                "pressure",
                "Pressure",
                _n(result.pressure),
                f"2 × mean wait ÷ target wait = 2 × {_n(i.mean_wait)} ÷ {_n(i.target_wait)}",
                "waiting-time",
            )
        )
    return rows
