"""A speed hint for the machine a benchmark ran on, so runs on different days compare.

Machines (and the same machine under other load) differ in speed from one run to the next:
the best of five `timeit` runs of `sum(range(1000))` says how fast this one is right now, and
each time figure is also given as it would be on a machine where that takes 15 µs.
"""

from __future__ import annotations

import timeit

REFERENCE_US = 15.0
LOOPS = 20_000


def speed_hint_us() -> float:
    """The best of five runs of `sum(range(1000))`, in µs per call."""
    best = min(timeit.repeat("sum(range(1000))", number=LOOPS, repeat=5))
    return best / LOOPS * 1e6


def normalised(value: float, hint_us: float) -> float:
    """A time measured here, as it would be on the 15 µs reference machine."""
    return value * REFERENCE_US / hint_us
