"""The response clock: when advice is due, counted in working time.

Working time is Monday to Friday, 08:00 to 18:30 on the London wall clock, less the bank
holidays of England and Wales (substitute days included). A working day is therefore 10.5
working hours, and a target of ``d`` working days is ``d * 10.5`` working hours.

A request sent out of hours starts the clock at the next opening; the due time is the
earliest instant at which the target's working hours have elapsed, so a request sent at
Monday 08:00 with a one-day target is due at Monday 18:30, not Tuesday 08:00.

Instants go in as aware datetimes in any time zone and come out in UTC. The clock is called
for every conversation in demo data and benchmarks, so it caches each year's bank holidays
and moves a whole working day at a time.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
OPENING_TIME = time(8, 0)
CLOSING_TIME = time(18, 30)
WORKING_DAY_HOURS = 10.5

_WORKING_DAY = timedelta(hours=WORKING_DAY_HOURS)
_NOTHING = timedelta(0)
_ONE_DAY = timedelta(days=1)


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays of ``year``, built once per year."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_date(day: date) -> bool:
    """True for a weekday that is not a bank holiday in England and Wales."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def _next_working_date(day: date) -> date:
    day += _ONE_DAY
    while not is_working_date(day):
        day += _ONE_DAY
    return day


@lru_cache(maxsize=16_384)  # about 45 years of dates; saves a zoneinfo lookup per call
def _opening(day: date) -> datetime:
    """08:00 London time on ``day``, in UTC."""
    return datetime.combine(day, OPENING_TIME, tzinfo=LONDON).astimezone(UTC)


@lru_cache(maxsize=16_384)
def _closing(day: date) -> datetime:
    """18:30 London time on ``day``, in UTC."""
    return datetime.combine(day, CLOSING_TIME, tzinfo=LONDON).astimezone(UTC)


def _require_aware(instant: datetime, name: str) -> datetime:
    """Return ``instant`` in UTC, refusing a naive datetime.

    All arithmetic is done in UTC: subtracting two datetimes that share a ``ZoneInfo``
    would give the wall-clock difference, which is wrong across a clock change.
    """
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(
            f"{name} must be a timezone-aware datetime (got naive {instant.isoformat()}); "
            "attach a time zone, e.g. datetime(..., tzinfo=datetime.UTC)."
        )
    return instant.astimezone(UTC)


def is_working_time(instant: datetime) -> bool:
    """True when the service is open at ``instant`` (08:00 inclusive to 18:30 exclusive)."""
    local = _require_aware(instant, "instant").astimezone(LONDON)
    return is_working_date(local.date()) and OPENING_TIME <= local.time() < CLOSING_TIME


def next_opening(instant: datetime) -> datetime:
    """The instant the response clock starts for a request sent at ``instant``, in UTC.

    That is ``instant`` itself during working time, otherwise 08:00 on the next working day
    (the same day when sent before 08:00 on a working day).
    """
    utc = _require_aware(instant, "instant")
    local = utc.astimezone(LONDON)
    day = local.date()
    if is_working_date(day):
        if local.time() < OPENING_TIME:
            return _opening(day)
        if local.time() < CLOSING_TIME:
            return utc
    return _opening(_next_working_date(day))


def due_at(submitted_at: datetime, working_days: float = 2) -> datetime:
    """When advice on a request sent at ``submitted_at`` is due, in UTC.

    The earliest instant at which ``working_days * 10.5`` working hours have elapsed since
    the request was sent; this may be exactly 18:30 (closing) on the last day.
    """
    start = next_opening(_require_aware(submitted_at, "submitted_at"))
    if not (math.isfinite(working_days) and working_days > 0):
        raise ValueError(f"working_days must be a positive number (got {working_days!r}).")
    remaining = timedelta(hours=working_days * WORKING_DAY_HOURS)
    day = start.astimezone(LONDON).date()
    left_today = _closing(day) - start
    if remaining <= left_today:
        return start + remaining
    remaining -= left_today
    day = _next_working_date(day)
    while remaining > _WORKING_DAY:
        remaining -= _WORKING_DAY
        day = _next_working_date(day)
    return _opening(day) + remaining


def _previous_working_date(day: date) -> date:
    day -= _ONE_DAY
    while not is_working_date(day):
        day -= _ONE_DAY
    return day


def working_time_back(instant: datetime, working_days: float) -> datetime:
    """The latest instant from which ``working_days`` of working time have elapsed by
    ``instant`` (the inverse of :func:`due_at`, looking back), in UTC."""
    utc = _require_aware(instant, "instant")
    if not (math.isfinite(working_days) and working_days > 0):
        raise ValueError(f"working_days must be a positive number (got {working_days!r}).")
    remaining = timedelta(hours=working_days * WORKING_DAY_HOURS)
    day = utc.astimezone(LONDON).date()
    if is_working_date(day):
        end = min(utc, _closing(day))
        worked = end - _opening(day)
        if worked > _NOTHING:
            if remaining <= worked:
                return end - remaining
            remaining -= worked
    day = _previous_working_date(day)
    while remaining > _WORKING_DAY:
        remaining -= _WORKING_DAY
        day = _previous_working_date(day)
    return _closing(day) - remaining


def _working_time_on(day: date, start: datetime, end: datetime) -> timedelta:
    """Working time on ``day`` within the UTC interval ``[start, end]``."""
    if not is_working_date(day):
        return _NOTHING
    elapsed = min(end, _closing(day)) - max(start, _opening(day))
    return max(elapsed, _NOTHING)


def _working_time(start: datetime, end: datetime) -> timedelta:
    """Working time between two UTC instants, ``start <= end``."""
    first = start.astimezone(LONDON).date()
    last = end.astimezone(LONDON).date()
    if first == last:
        return _working_time_on(first, start, end)
    total = _working_time_on(first, start, end) + _working_time_on(last, start, end)
    day = first + _ONE_DAY
    while day < last:
        if is_working_date(day):
            total += _WORKING_DAY
        day += _ONE_DAY
    return total


def working_time_between(start: datetime, end: datetime) -> timedelta:
    """Working time elapsed from ``start`` to ``end``, exactly (negative when ``end`` is
    before ``start``); a working day of it is :data:`WORKING_DAY_HOURS` hours."""
    start_utc = _require_aware(start, "start")
    end_utc = _require_aware(end, "end")
    if end_utc < start_utc:
        return -_working_time(end_utc, start_utc)
    return _working_time(start_utc, end_utc)


def working_days_between(start: datetime, end: datetime) -> float:
    """Working time elapsed from ``start`` to ``end``, in working days of 10.5 hours.

    Negative when ``end`` is before ``start``.
    """
    return working_time_between(start, end) / _WORKING_DAY
