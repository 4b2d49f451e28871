"""The waiting list's size over the coming weeks, at a steady weekly rate.

Each week the list grows by demand and shrinks by the capacity used; it cannot go below
nobody. At the relief capacity the list reaches the target size after the weeks to
target, and from then on capacity matching demand holds it there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from guides.measurement.capacity.formulas import Result

HORIZON = 26  # weeks shown, at least
MAX_HORIZON = 104


@dataclass(frozen=True)
class Projection:
    weeks: int
    today: list[float]  # at today's demand and capacity, week 0 (now) to `weeks`
    relief: list[float] | None  # at the relief capacity until the target, when it helps
    target_queue_size: float
    relief_capacity: float | None
    time_to_target: float


def steady(queue: float, demand: float, capacity: float, weeks: int) -> list[float]:
    """The list's size at the end of each week, from now (week 0)."""
    return [max(0.0, queue + k * (demand - capacity)) for k in range(weeks + 1)]


def with_relief(
    queue: float, demand: float, relief: float, target: float, time_to_target: float, weeks: int
) -> list[float]:
    """At the relief capacity until the target is reached, then capacity matching demand."""
    sizes = []
    for k in range(weeks + 1):
        if k <= time_to_target:
            sizes.append(max(0.0, queue + k * (demand - relief)))
        else:
            sizes.append(max(0.0, target))
    return sizes


def project(result: Result) -> Projection | None:
    """The projection for a result with a waiting list size; None without one."""
    i = result.inputs
    if i.queue is None:
        return None
    weeks = min(MAX_HORIZON, max(HORIZON, math.ceil(i.time_to_target)))
    relief = None
    if result.relief_capacity is not None and i.queue > result.target_queue_size:
        relief = with_relief(
            i.queue,
            i.demand,
            result.relief_capacity,
            result.target_queue_size,
            i.time_to_target,
            weeks,
        )
    return Projection(
        weeks=weeks,
        today=steady(i.queue, i.demand, i.capacity, weeks),
        relief=relief,
        target_queue_size=result.target_queue_size,
        relief_capacity=result.relief_capacity if relief else None,
        time_to_target=i.time_to_target,
    )
