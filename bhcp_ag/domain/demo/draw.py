"""Random draws the demo planners share: weighted choices, ids and times of day.

Every value of a demo year comes from one ``random.Random(seed)``, ids included, so the
same arguments give the same rows; the helpers here take that generator explicitly.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from itertools import accumulate
from typing import TypeVar

from bhcp_ag.domain import clock

_T = TypeVar("_T")

# Submissions from 08:00 to 21:59: lunchtime and end-of-surgery peaks, a few evenings.
_HOURS = tuple(range(8, 22))
_HOUR_CUM_WEIGHTS = tuple(accumulate((6, 9, 10, 11, 13, 13, 9, 9, 11, 12, 7, 3.5, 2.5, 1)))

_UUID7_BITS = (0x7 << 76) | (0x2 << 62)  # version 7, RFC 9562 variant
_RANDOM_A_SHIFT = 64
_RANDOM_B_MASK = (1 << 62) - 1


def choose(rng: random.Random, items: Sequence[_T], cum_weights: Sequence[float]) -> _T:
    """One of ``items`` by cumulative weight (what ``rng.choices`` does, without its setup)."""
    return items[bisect(cum_weights, rng.random() * cum_weights[-1], 0, len(items) - 1)]


def new_id(rng: random.Random, moment: datetime) -> str:
    """A version-7 UUID: ``moment``'s milliseconds, then 74 bits from ``rng``.

    The same seed gives the same ids, and ids sort by time, so rows inserted in time
    order keep database indexes append-mostly (several times faster than random keys).
    """
    milliseconds = int(moment.timestamp() * 1000)
    bits = rng.getrandbits(74)
    value = (
        (milliseconds << 80)
        | _UUID7_BITS
        | ((bits >> 62) << _RANDOM_A_SHIFT)
        | (bits & _RANDOM_B_MASK)
    )
    digits = f"{value:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def time_on(rng: random.Random, day: date) -> datetime:
    """A time on ``day`` when a GP might be writing a request, in UTC."""
    hour = choose(rng, _HOURS, _HOUR_CUM_WEIGHTS)
    wall = time(hour, rng.randrange(60), rng.randrange(60))
    return datetime.combine(day, wall, tzinfo=clock.LONDON).astimezone(UTC)
