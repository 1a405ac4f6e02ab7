"""Tests of the response clock: working time, bank holidays and clock changes.

Every expected instant is worked out by hand and written in UTC; the comment beside it
shows the sum. Britain is on GMT (UTC+0) in winter and BST (UTC+1) from the last Sunday
of March to the last Sunday of October: 2022-03-27..10-30, 2026-03-29..10-25,
2027-03-28..10-31. A working day is 08:00-18:30 London time, 10.5 hours.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bhcp_ag.domain import clock
from bhcp_ag.domain.clock import (
    LONDON,
    WORKING_DAY_HOURS,
    due_at,
    is_working_time,
    next_opening,
    working_days_between,
    working_time_between,
)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_constants() -> None:
    assert WORKING_DAY_HOURS == 10.5
    assert LONDON.key == "Europe/London"


@pytest.mark.parametrize(
    ("submitted", "days", "expected"),
    [
        # Tue 10:00 GMT: 8.5h Tue + 10.5h Wed + 2h Thu -> Thu 10:00 GMT
        (utc(2026, 1, 13, 10), 2, utc(2026, 1, 15, 10)),
        # Wed 10:00 BST (09:00Z) -> Fri 10:00 BST
        (utc(2026, 6, 10, 9), 2, utc(2026, 6, 12, 9)),
        # Mon 08:00 + 1 day ends at Mon 18:30, not Tue 08:00
        (utc(2026, 1, 12, 8), 1, utc(2026, 1, 12, 18, 30)),
        # Mon 08:00 + 10 days: two full weeks -> Fri 23 Jan 18:30
        (utc(2026, 1, 12, 8), 10, utc(2026, 1, 23, 18, 30)),
        # Tue 18:29: 1 min Tue + 10.5h Wed + 10h29 Thu -> Thu 18:29
        (utc(2026, 1, 13, 18, 29), 2, utc(2026, 1, 15, 18, 29)),
    ],
    ids=["winter-weekday", "summer-weekday", "monday-one-day", "ten-days", "minute-before-close"],
)
def test_due_within_working_hours(submitted: datetime, days: float, expected: datetime) -> None:
    assert due_at(submitted, days) == expected


@pytest.mark.parametrize(
    ("submitted", "days", "expected"),
    [
        # Tue 07:00: clock starts Tue 08:00 -> Tue 18:30 + Wed 18:30
        (utc(2026, 1, 13, 7), 2, utc(2026, 1, 14, 18, 30)),
        (utc(2026, 1, 13, 7), 1, utc(2026, 1, 13, 18, 30)),
        # Tue 18:30 exactly is closed: starts Wed 08:00 -> Thu 18:30
        (utc(2026, 1, 13, 18, 30), 2, utc(2026, 1, 15, 18, 30)),
        # Tue 22:00: starts Wed 08:00 -> Thu 18:30
        (utc(2026, 1, 13, 22), 2, utc(2026, 1, 15, 18, 30)),
        # Sat 11:00: starts Mon 19 08:00 -> Tue 20 18:30
        (utc(2026, 1, 17, 11), 2, utc(2026, 1, 20, 18, 30)),
        # May Day, Mon 4 May 10:00 BST: starts Tue 5 08:00 BST -> Wed 6 18:30 BST (17:30Z)
        (utc(2026, 5, 4, 9), 2, utc(2026, 5, 6, 17, 30)),
        # Christmas Day 2026: Sat 26, Sun 27, Mon 28 (Boxing Day observed) closed -> Tue 29
        (utc(2026, 12, 25, 10), 1, utc(2026, 12, 29, 18, 30)),
    ],
    ids=["07:00", "07:00-one-day", "18:30", "22:00", "saturday", "bank-holiday", "christmas-day"],
)
def test_out_of_hours_starts_at_next_opening(
    submitted: datetime, days: float, expected: datetime
) -> None:
    assert due_at(submitted, days) == expected


@pytest.mark.parametrize(
    ("submitted", "expected"),
    [
        # Fri 15:00: 3.5h Fri + 10.5h Mon 19 + 7h Tue 20 -> Tue 15:00
        (utc(2026, 1, 16, 15), utc(2026, 1, 20, 15)),
        # Wed 23 Dec 12:00: 6.5h Wed + 10.5h Thu 24; Fri 25, Sat, Sun, Mon 28 closed;
        # 4h Tue 29 -> Tue 12:00
        (utc(2026, 12, 23, 12), utc(2026, 12, 29, 12)),
        # Thu 24 Dec 17:00: 1.5h Thu + 10.5h Tue 29 + 9h Wed 30 -> Wed 17:00
        (utc(2026, 12, 24, 17), utc(2026, 12, 30, 17)),
        # Fri 24 Dec 2027 12:00: 6.5h Fri; Sat 25, Sun 26, Mon 27 and Tue 28 (substitutes)
        # closed; 10.5h Wed 29 + 4h Thu 30 -> Thu 12:00
        (utc(2027, 12, 24, 12), utc(2027, 12, 30, 12)),
        # Thu 2 Apr 2026 14:00 BST: 4.5h Thu; Good Friday 3 to Easter Monday 6 closed;
        # 10.5h Tue 7 + 6h Wed 8 -> Wed 14:00 BST (13:00Z)
        (utc(2026, 4, 2, 13), utc(2026, 4, 8, 13)),
        # Thu 25 Mar 2027 14:00 GMT: 4.5h Thu; Good Friday 26 to Easter Monday 29 closed
        # (clocks go forward Sun 28); 10.5h Tue 30 + 6h Wed 31 -> 14:00 BST (13:00Z)
        (utc(2027, 3, 25, 14), utc(2027, 3, 31, 13)),
        # Wed 1 Jun 2022 12:00 BST: 6.5h Wed; Thu 2 (spring bank holiday) and Fri 3
        # (Platinum Jubilee) closed; 10.5h Mon 6 + 4h Tue 7 -> 12:00 BST (11:00Z)
        (utc(2022, 6, 1, 11), utc(2022, 6, 7, 11)),
        # Fri 16 Sep 2022 16:00 BST: 2.5h Fri; Mon 19 (state funeral) closed;
        # 10.5h Tue 20 + 8h Wed 21 -> 16:00 BST (15:00Z)
        (utc(2022, 9, 16, 15), utc(2022, 9, 21, 15)),
    ],
    ids=[
        "weekend",
        "christmas-2026",
        "christmas-eve-2026",
        "christmas-2027",
        "easter-2026",
        "easter-2027",
        "platinum-jubilee-2022",
        "state-funeral-2022",
    ],
)
def test_due_skips_weekends_and_bank_holidays(submitted: datetime, expected: datetime) -> None:
    assert due_at(submitted, 2) == expected


@pytest.mark.parametrize(
    ("submitted", "days", "expected"),
    [
        # Spring: Fri 27 Mar 10:00 GMT: 8.5h Fri + 10.5h Mon 30 + 2h Tue 31 -> 10:00 BST
        (utc(2026, 3, 27, 10), 2, utc(2026, 3, 31, 9)),
        # Autumn: Fri 23 Oct 10:00 BST: 8.5h Fri + 10.5h Mon 26 + 2h Tue 27 -> 10:00 GMT
        (utc(2026, 10, 23, 9), 2, utc(2026, 10, 27, 10)),
        # Sat 28 Mar 12:00 GMT: opens Mon 30 08:00 BST (07:00Z) -> 18:30 BST (17:30Z)
        (utc(2026, 3, 28, 12), 1, utc(2026, 3, 30, 17, 30)),
        # Sat 24 Oct 12:00 BST: opens Mon 26 08:00 GMT -> 18:30 GMT
        (utc(2026, 10, 24, 11), 1, utc(2026, 10, 26, 18, 30)),
    ],
    ids=["spring-forward", "fall-back", "spring-weekend", "autumn-weekend"],
)
def test_working_hours_follow_the_london_wall_clock(
    submitted: datetime, days: float, expected: datetime
) -> None:
    assert due_at(submitted, days) == expected


@pytest.mark.parametrize(
    ("submitted", "days", "expected"),
    [
        # Tue 10:00 + 5h15 -> 15:15
        (utc(2026, 1, 13, 10), 0.5, utc(2026, 1, 13, 15, 15)),
        # Tue 10:00 + 2h37m30s -> 12:37:30
        (utc(2026, 1, 13, 10), 0.25, utc(2026, 1, 13, 12, 37, 30)),
        # Tue 10:00 + 15h45: 8.5h Tue + 7h15 Wed -> Wed 15:15
        (utc(2026, 1, 13, 10), 1.5, utc(2026, 1, 14, 15, 15)),
        # Fri 18:00 + 5h15: 0.5h Fri + 4h45 Mon -> Mon 12:45
        (utc(2026, 1, 16, 18), 0.5, utc(2026, 1, 19, 12, 45)),
        # Tue 10:00 + 2.5 days = 26h15: 8.5h Tue + 10.5h Wed + 7h15 Thu -> Thu 15:15
        (utc(2026, 1, 13, 10), 2.5, utc(2026, 1, 15, 15, 15)),
    ],
)
def test_fractional_targets(submitted: datetime, days: float, expected: datetime) -> None:
    assert due_at(submitted, days) == expected


@pytest.mark.parametrize(
    "submitted",
    [
        datetime(2026, 1, 13, 10, tzinfo=LONDON),  # GMT, 10:00Z
        datetime(2026, 1, 13, 5, tzinfo=ZoneInfo("America/New_York")),  # EST, 10:00Z
        datetime(2026, 1, 13, 15, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    ],
    ids=["london", "new-york", "fixed-offset"],
)
def test_any_time_zone_in_utc_out(submitted: datetime) -> None:
    due = due_at(submitted)
    # 10:00Z Tue -> 10:00Z Thu
    assert due == utc(2026, 1, 15, 10)
    assert due.tzinfo is UTC


def test_summer_london_input() -> None:
    # Wed 10 Jun 10:00 BST -> Fri 12 Jun 10:00 BST = 09:00Z
    assert due_at(datetime(2026, 6, 10, 10, tzinfo=LONDON)) == utc(2026, 6, 12, 9)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        due_at(datetime(2026, 1, 13, 10))
    with pytest.raises(ValueError, match="timezone-aware"):
        working_days_between(datetime(2026, 1, 13, 10), utc(2026, 1, 14))
    with pytest.raises(ValueError, match="timezone-aware"):
        working_days_between(utc(2026, 1, 13), datetime(2026, 1, 14, 10))
    with pytest.raises(ValueError, match="timezone-aware"):
        is_working_time(datetime(2026, 1, 13, 10))


@pytest.mark.parametrize("days", [0, -1, -0.5, float("nan"), float("inf")])
def test_target_must_be_positive(days: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        due_at(utc(2026, 1, 13, 10), days)


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (utc(2026, 1, 13, 8), True),  # Tue 08:00 GMT opens
        (utc(2026, 1, 13, 7, 59, 59), False),
        (utc(2026, 1, 13, 18, 29, 59), True),
        (utc(2026, 1, 13, 18, 30), False),  # closing is not working time
        (utc(2026, 6, 10, 7, 30), True),  # 08:30 BST
        (utc(2026, 6, 10, 17, 45), False),  # 18:45 BST
        (utc(2026, 1, 17, 12), False),  # Saturday
        (utc(2026, 1, 1, 12), False),  # New Year's Day
        (utc(2026, 12, 28, 12), False),  # Boxing Day (observed)
        (utc(2027, 12, 27, 12), False),  # Christmas Day (observed)
        (utc(2027, 12, 28, 12), False),  # Boxing Day (observed)
        (utc(2027, 12, 29, 12), True),
        (utc(2026, 4, 3, 12), False),  # Good Friday
        (utc(2026, 4, 6, 12), False),  # Easter Monday
        (utc(2027, 3, 26, 12), False),  # Good Friday
        (utc(2027, 3, 29, 12), False),  # Easter Monday
        (utc(2022, 6, 2, 12), False),  # spring bank holiday (moved)
        (utc(2022, 6, 3, 12), False),  # Platinum Jubilee
        (utc(2022, 9, 19, 12), False),  # state funeral
        (utc(2022, 5, 30, 12), True),  # the usual spring bank holiday date, moved in 2022
    ],
)
def test_is_working_time(instant: datetime, expected: bool) -> None:
    assert is_working_time(instant) is expected


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (utc(2026, 1, 13, 7), utc(2026, 1, 13, 8)),  # before opening: same day 08:00
        (utc(2026, 1, 13, 12), utc(2026, 1, 13, 12)),  # open: the instant itself
        (utc(2026, 1, 16, 19), utc(2026, 1, 19, 8)),  # Fri evening: Mon 08:00
        (utc(2026, 12, 24, 19), utc(2026, 12, 29, 8)),  # Christmas Eve: Tue 29 08:00
        (utc(2026, 3, 28, 12), utc(2026, 3, 30, 7)),  # Mon 30 08:00 BST
    ],
)
def test_next_opening(instant: datetime, expected: datetime) -> None:
    assert next_opening(instant) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (utc(2026, 1, 13, 10), utc(2026, 1, 15, 10), 2.0),  # Tue 10:00 to Thu 10:00
        (utc(2026, 1, 13, 10), utc(2026, 1, 13, 15, 15), 0.5),  # 5h15
        (utc(2026, 1, 13, 10), utc(2026, 1, 13, 10), 0.0),
        (utc(2026, 1, 17, 9), utc(2026, 1, 18, 17), 0.0),  # Sat to Sun
        (utc(2026, 1, 16, 18, 30), utc(2026, 1, 19, 8), 0.0),  # Fri close to Mon open
        (utc(2026, 1, 15, 10), utc(2026, 1, 13, 10), -2.0),  # reversed
        (utc(2026, 12, 24, 8), utc(2026, 12, 29, 18, 30), 2.0),  # Thu 24 and Tue 29 only
        (utc(2026, 10, 23, 9), utc(2026, 10, 27, 10), 2.0),  # across the autumn change
        (utc(2026, 3, 27, 10), utc(2026, 3, 31, 9), 2.0),  # across the spring change
        # 2026: 261 weekdays less 8 weekday bank holidays (26 Dec is a Saturday)
        (utc(2026, 1, 1), utc(2027, 1, 1), 253.0),
        (utc(2027, 1, 1), utc(2026, 1, 1), -253.0),
    ],
)
def test_working_days_between(start: datetime, end: datetime, expected: float) -> None:
    assert working_days_between(start, end) == pytest.approx(expected, abs=1e-12)


def test_working_days_between_mixed_time_zones() -> None:
    # Tue 10:00 GMT (as London time) to Thu 05:00 EST (10:00Z)
    start = datetime(2026, 1, 13, 10, tzinfo=LONDON)
    end = datetime(2026, 1, 15, 5, tzinfo=ZoneInfo("America/New_York"))
    assert working_days_between(start, end) == pytest.approx(2.0, abs=1e-12)


def test_holidays_are_built_once_per_year(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    real = holidays.country_holidays

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(kwargs.get("years"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(holidays, "country_holidays", counting)
    clock._bank_holidays.cache_clear()
    for hour in range(500):
        due_at(utc(2026, 2, 2) + timedelta(hours=hour), 3)
    assert calls == [2026]


INSTANTS = st.datetimes(
    min_value=datetime(2016, 1, 1),
    max_value=datetime(2030, 12, 31, 23, 59, 59),
    timezones=st.sampled_from(
        [UTC, LONDON, ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")]
    ),
    allow_imaginary=False,
)
TARGETS = st.floats(min_value=0, max_value=20, exclude_min=True, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(submitted=INSTANTS, days=TARGETS)
def test_due_at_round_trips_with_working_days_between(submitted: datetime, days: float) -> None:
    due = due_at(submitted, days)
    assert due >= submitted
    assert working_days_between(submitted, due) == pytest.approx(days, abs=1e-9)
    # The earliest such instant: a microsecond sooner, the target had not yet elapsed.
    assert working_days_between(submitted, due - timedelta(microseconds=1)) < days
    local = due.astimezone(LONDON)
    assert is_working_time(due) or (
        local.time() == time(18, 30) and is_working_time(due - timedelta(minutes=1))
    )


@settings(max_examples=200, deadline=None)
@given(a=INSTANTS, b=INSTANTS, c=INSTANTS)
def test_working_days_between_adds_up(a: datetime, b: datetime, c: datetime) -> None:
    assert working_days_between(a, b) + working_days_between(b, c) == pytest.approx(
        working_days_between(a, c), abs=1e-9
    )
    assert working_days_between(b, a) == -working_days_between(a, b)


def test_working_time_between_is_exact_over_a_bank_holiday_weekend() -> None:
    # Friday 1 May 2026 12:00 BST to Tuesday 5 May 12:00 BST; Monday 4 May is the Early
    # May bank holiday: Friday 6 h 30 min + Tuesday 4 h = 10 h 30 min, to the microsecond.
    friday, tuesday = utc(2026, 5, 1, 11), utc(2026, 5, 5, 11)
    assert working_time_between(friday, tuesday) == timedelta(hours=10, minutes=30)
    assert working_time_between(tuesday, friday) == -timedelta(hours=10, minutes=30)
    assert working_days_between(friday, tuesday) == 1.0


def _london(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo("Europe/London")).astimezone(UTC)


@pytest.mark.parametrize(
    ("due", "escalated"),
    [
        # Christmas 2026: Friday 25th, the weekend, then Monday 28th (Boxing Day's substitute).
        (_london(2026, 12, 24, 15, 0), _london(2026, 12, 29, 15, 0)),
        # Easter 2027: Good Friday 26 March and Easter Monday 29 March.
        (_london(2027, 3, 25, 9, 30), _london(2027, 3, 30, 9, 30)),
        # The clocks go back on Sunday 25 October 2026: still 17:00 London on Monday.
        (_london(2026, 10, 23, 17, 0), _london(2026, 10, 26, 17, 0)),
        # Due at closing: escalated at closing on the next working day.
        (_london(2026, 5, 1, 18, 30), _london(2026, 5, 5, 18, 30)),  # May Day on the 4th
    ],
)
def test_escalation_is_one_working_day_after_the_due_time_over_bank_holidays(
    due: datetime, escalated: datetime
) -> None:
    """H01 and H09: an overdue request reaches the lead a further working day on, on the
    same working clock as the due time (bank holidays and clock changes counted)."""
    from bhcp_ag.domain.urgency import escalated_if_due_before, escalation_at, is_escalated

    assert escalation_at(due) == escalated
    waiting = "awaiting_specialist"
    before = escalated - timedelta(minutes=1)
    assert not is_escalated(waiting, due, before) and is_escalated(waiting, due, escalated)
    assert not is_escalated("advice_returned", due, escalated)  # answered: nothing to chase
    # The query's bound agrees with the row's test, either side of the moment.
    assert not due < escalated_if_due_before(before)
    assert due < escalated_if_due_before(escalated)


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    ),
    st.floats(min_value=0.05, max_value=6),
)
def test_working_time_back_undoes_working_time(instant: datetime, days: float) -> None:
    back = clock.working_time_back(instant, days)
    assert back <= instant
    elapsed = clock.working_time_between(back, instant).total_seconds()
    assert abs(elapsed - days * clock.WORKING_DAY_HOURS * 3600) < 1e-3
