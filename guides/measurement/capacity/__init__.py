"""The demand and capacity calculator's sums: pure Python, no Django.

- `formulas`: the waiting list formulas (as NHSRwaitinglist), and reading typed numbers;
- `waitlist`: reading a waiting list file (one row per referral) into weekly numbers;
- `projection`: the list's size over the coming weeks;
- `words`: the answer in plain words, and each figure with its formula.
"""

from guides.measurement.capacity.formulas import (
    DEFAULT_CV,
    DEFAULT_FACTOR,
    DEFAULT_TIME_TO_TARGET,
    FIELD_NAMES,
    FIELDS,
    Inputs,
    Result,
    calculate,
    load,
    pressure,
    queue_too_big,
    read_inputs,
    read_number,
    relief_capacity,
    target_capacity,
    target_mean_wait,
    target_queue_size,
    weekly_change,
)
from guides.measurement.capacity.projection import Projection, project, steady, with_relief
from guides.measurement.capacity.waitlist import (
    MAX_BYTES,
    Stats,
    WaitingList,
    WaitingListError,
    coefficient_of_variation,
    decode,
    parse,
    parse_date,
    stats,
)
from guides.measurement.capacity.words import Figure, about, at_least, figures, sentences

__all__ = [
    "DEFAULT_CV", "DEFAULT_FACTOR", "DEFAULT_TIME_TO_TARGET", "FIELDS", "FIELD_NAMES",
    "MAX_BYTES", "Figure", "Inputs", "Projection", "Result", "Stats", "WaitingList",
    "WaitingListError", "about", "at_least", "calculate", "coefficient_of_variation",
    "decode", "figures", "load", "parse", "parse_date", "pressure", "project",
    "queue_too_big", "read_inputs", "read_number", "relief_capacity", "sentences", "stats",
    "steady", "target_capacity", "target_mean_wait", "target_queue_size", "weekly_change",
    "with_relief",
]  # fmt: skip
