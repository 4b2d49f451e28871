"""The waiting list formulas, per week, as NHSRwaitinglist defines them.

- load = demand / capacity; weekly change = demand - capacity
- target mean wait = target wait / factor
- target queue size = demand x target wait / factor (Little's law)
- target capacity = demand + ((cv_demand² + cv_capacity²) / 2) x (factor / target wait)
- queue too big when the queue is more than twice the target queue size
- relief capacity = demand + (queue - target queue size) / weeks to target
- pressure = 2 x mean wait / target wait

The factor (4 by default) comes from treating the waiting times as roughly exponential:
with a mean wait of a quarter of the target, only about 2% wait longer than the target.

Reading the numbers a person typed (`read_inputs`) is here too, so that the page and the
API refuse the same things with the same words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_FACTOR = 4.0
DEFAULT_CV = 1.0
DEFAULT_TIME_TO_TARGET = 26.0
# Larger than any service's weekly numbers: beyond this the input is a slip of the keyboard.
MAX_VALUE = 1e9
# The least a value we divide by may be, so that no answer overflows to infinity.
MIN_DIVISOR = 0.001


def load(demand: float, capacity: float) -> float:
    return demand / capacity


def weekly_change(demand: float, capacity: float) -> float:
    return demand - capacity


def target_mean_wait(target_wait: float, factor: float = DEFAULT_FACTOR) -> float:
    return target_wait / factor


def target_queue_size(demand: float, target_wait: float, factor: float = DEFAULT_FACTOR) -> float:
    return demand * target_mean_wait(target_wait, factor)


def target_capacity(
    demand: float,
    target_wait: float,
    factor: float = DEFAULT_FACTOR,
    cv_demand: float = DEFAULT_CV,
    cv_capacity: float = DEFAULT_CV,
) -> float:
    return demand + ((cv_demand**2 + cv_capacity**2) / 2) * (factor / target_wait)


def queue_too_big(queue: float, target_queue: float) -> bool:
    return queue > 2 * target_queue


def relief_capacity(
    demand: float, queue: float, target_queue: float, time_to_target: float = DEFAULT_TIME_TO_TARGET
) -> float:
    return demand + (queue - target_queue) / time_to_target


def pressure(mean_wait: float, target_wait: float) -> float:
    return 2 * mean_wait / target_wait


# --------------------------------------------------------------------------------------
# All of them at once
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inputs:
    demand: float
    capacity: float
    target_wait: float
    queue: float | None = None
    mean_wait: float | None = None
    factor: float = DEFAULT_FACTOR
    cv_demand: float = DEFAULT_CV
    cv_capacity: float = DEFAULT_CV
    time_to_target: float = DEFAULT_TIME_TO_TARGET


@dataclass(frozen=True)
class Result:
    inputs: Inputs
    load: float
    weekly_change: float
    target_mean_wait: float
    target_queue_size: float
    target_capacity: float
    queue_too_big: bool | None = None
    relief_capacity: float | None = None
    pressure: float | None = None

    def as_json(self) -> dict:
        data: dict = {
            "load": self.load,
            "weekly_change": self.weekly_change,
            "target_mean_wait": self.target_mean_wait,
            "target_queue_size": self.target_queue_size,
            "target_capacity": self.target_capacity,
        }
        if self.inputs.queue is not None:
            data["queue_too_big"] = self.queue_too_big
            data["relief_capacity"] = self.relief_capacity
        if self.inputs.mean_wait is not None:
            data["pressure"] = self.pressure
        return data


def calculate(inputs: Inputs) -> Result:
    i = inputs
    target_queue = target_queue_size(i.demand, i.target_wait, i.factor)
    too_big = relief = wait_pressure = None
    if i.queue is not None:
        too_big = queue_too_big(i.queue, target_queue)
        relief = relief_capacity(i.demand, i.queue, target_queue, i.time_to_target)
    if i.mean_wait is not None:
        wait_pressure = pressure(i.mean_wait, i.target_wait)
    return Result(
        inputs=i,
        load=load(i.demand, i.capacity),
        weekly_change=weekly_change(i.demand, i.capacity),
        target_mean_wait=target_mean_wait(i.target_wait, i.factor),
        target_queue_size=target_queue,
        target_capacity=target_capacity(
            i.demand, i.target_wait, i.factor, i.cv_demand, i.cv_capacity
        ),
        queue_too_big=too_big,
        relief_capacity=relief,
        pressure=wait_pressure,
    )


# --------------------------------------------------------------------------------------
# Reading what a person typed
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    name: str
    words: str  # how the messages name it
    required: bool
    positive: bool  # above zero (else zero or more)
    default: float | None = None


FIELDS = (
    Field("demand", "Demand per week", True, False),
    Field("capacity", "Capacity per week", True, True),
    Field("target_wait", "The target wait", True, True),
    Field("queue", "The waiting list size", False, False),
    Field("mean_wait", "The mean wait", False, False),
    Field("factor", "The variation factor", False, True, DEFAULT_FACTOR),
    Field("cv_demand", "The variation in demand (its coefficient of variation)", False, False,
          DEFAULT_CV),
    Field("cv_capacity", "The variation in capacity (its coefficient of variation)", False, False,
          DEFAULT_CV),
    Field("time_to_target", "The weeks to reach the target", False, True, DEFAULT_TIME_TO_TARGET),
)  # fmt: skip
FIELD_NAMES = tuple(f.name for f in FIELDS)
_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")


def _clip(text: str, limit: int = 20) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def read_number(text: str, field: Field) -> float | None:
    """The number in `text`, None when it is empty and optional; ValueError otherwise,
    with a message that names the field and says what to do."""
    text = (text or "").strip().replace("\u2212", "-")
    if not text:
        if field.required:
            raise ValueError(f"{field.words} is missing: enter a number, such as 30.")
        return field.default
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    try:
        value = float(text)
    except ValueError:
        raise ValueError(
            f"{field.words} must be a number, such as 30, not “{_clip(text)}”."
        ) from None
    if math.isnan(value):
        raise ValueError(f"{field.words} must be a number, such as 30, not “{_clip(text)}”.")
    if math.isinf(value) or abs(value) > MAX_VALUE:
        raise ValueError(
            f"{field.words} is too large: “{_clip(text)}” is more than {MAX_VALUE:,.0f}."
        )
    if field.positive and value <= 0:
        raise ValueError(f"{field.words} must be more than 0.")
    if field.positive and value < MIN_DIVISOR:
        raise ValueError(f"{field.words} is too small to work with: use at least {MIN_DIVISOR}.")
    if value < 0:
        raise ValueError(f"{field.words} cannot be negative.")
    return value


def read_inputs(
    data: Mapping[str, str], given: Mapping[str, float] | None = None
) -> tuple[Inputs | None, dict[str, str]]:
    """Inputs from text fields, or the problems, one message per field.

    `given` supplies values that came from elsewhere (a waiting list file): those fields
    are not read from `data`.
    """
    values: dict[str, float | None] = dict(given or {})
    errors: dict[str, str] = {}
    for field in FIELDS:
        if field.name in values:
            continue
        try:
            values[field.name] = read_number(data.get(field.name) or "", field)
        except ValueError as problem:
            errors[field.name] = str(problem)
    if errors:
        return None, errors
    return Inputs(**{k: v for k, v in values.items() if k in FIELD_NAMES}), {}
