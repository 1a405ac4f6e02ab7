"""Tests of the list's urgency definitions: overdue, nearly due, time waiting and age.

Expected instants are in UTC with the London sum beside them. Britain is on BST (UTC+1)
from 29 March to 25 October 2026. Bank holidays used: Good Friday 3 April and Easter
Monday 6 April 2026; Christmas Day (Friday) 25 December 2026 and Boxing Day (Saturday),
substituted on Monday 28 December.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bhcp_ag.domain.clock import WORKING_DAY_HOURS, due_at, working_days_between
from bhcp_ag.domain.conversation import Status
from bhcp_ag.domain.urgency import (
    CLOCK_RUNNING_STATUSES,
    NEARLY_DUE_WORKING_HOURS,
    Urgency,
    clock_running,
    is_nearly_due,
    is_overdue,
    nearly_due_until,
    request_age,
    time_waiting,
    urgency,
)

AWAITING = Status.AWAITING_SPECIALIST


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_the_clock_runs_while_the_hub_or_the_specialist_must_respond() -> None:
    assert set(CLOCK_RUNNING_STATUSES) == {"submitted", "awaiting_specialist"}
    assert clock_running(Status.SUBMITTED) and clock_running("awaiting_specialist")
    for status in (Status.DRAFT, Status.ADVICE_RETURNED, Status.MORE_INFO_REQUESTED):
        assert not clock_running(status)
    assert not clock_running("some_state_from_a_newer_hub")


def test_overdue_is_strictly_after_the_due_time() -> None:
    due = utc(2026, 11, 23, 14)
    assert not is_overdue(AWAITING, due, due)  # due exactly now: not yet late
    assert is_overdue(AWAITING, due, due + timedelta(seconds=1))
    assert is_overdue("submitted", due, due + timedelta(days=30))
    assert urgency(AWAITING, due, due + timedelta(minutes=1)) is Urgency.OVERDUE


@pytest.mark.parametrize(
    "status", [Status.ADVICE_RETURNED, Status.MORE_INFO_REQUESTED, Status.CLOSED, Status.DRAFT]
)
def test_a_response_given_or_an_ended_conversation_is_never_late(status: Status) -> None:
    due = utc(2026, 11, 23, 14)
    later = due + timedelta(days=3)
    assert not is_overdue(status, due, later)
    assert not is_nearly_due(status, due, due - timedelta(hours=1))
    assert urgency(status, due, later) is Urgency.NONE


def test_without_a_due_time_nothing_is_urgent() -> None:
    now = utc(2026, 11, 23, 10)
    assert urgency(AWAITING, None, now) is Urgency.NONE
    assert not is_overdue(AWAITING, None, now)


def test_nearly_due_means_within_four_working_hours_on_a_working_day() -> None:
    now = utc(2026, 11, 23, 10)  # Monday 10:00 GMT
    assert NEARLY_DUE_WORKING_HOURS == 4
    assert nearly_due_until(now) == utc(2026, 11, 23, 14)
    assert is_nearly_due(AWAITING, now, now)  # due this instant
    assert is_nearly_due(AWAITING, utc(2026, 11, 23, 14), now)
    assert not is_nearly_due(AWAITING, utc(2026, 11, 23, 14, 1), now)
    assert urgency(AWAITING, utc(2026, 11, 24, 9), now) is Urgency.NONE


def test_nearly_due_runs_over_the_evening_and_the_weekend() -> None:
    friday = utc(2026, 11, 20, 17)  # 17:00 GMT: 1.5 h left today, 2.5 h on Monday
    assert nearly_due_until(friday) == utc(2026, 11, 23, 10, 30)
    assert is_nearly_due(AWAITING, utc(2026, 11, 23, 10), friday)
    saturday = utc(2026, 11, 21, 12)  # closed: the 4 hours start at Monday's opening
    assert nearly_due_until(saturday) == utc(2026, 11, 23, 12)
    assert not is_nearly_due(AWAITING, utc(2026, 11, 23, 12, 5), saturday)


def test_nearly_due_skips_the_easter_bank_holidays() -> None:
    thursday = utc(2026, 4, 2, 16)  # 17:00 BST; Friday 3 and Monday 6 April are holidays
    # 1.5 h to 18:30 BST on Thursday, then 2.5 h from 08:00 BST (07:00 UTC) on Tuesday.
    assert nearly_due_until(thursday) == utc(2026, 4, 7, 9, 30)
    assert is_nearly_due(AWAITING, utc(2026, 4, 7, 9), thursday)


def test_nearly_due_skips_christmas_and_the_substitute_boxing_day() -> None:
    eve = utc(2026, 12, 24, 17)  # Thursday 17:00 GMT; next working day Tuesday 29th
    assert nearly_due_until(eve) == utc(2026, 12, 29, 10, 30)


def test_nearly_due_across_the_autumn_clock_change() -> None:
    friday = utc(2026, 10, 23, 16)  # 17:00 BST; clocks go back on Sunday 25th
    # 1.5 h to 18:30 BST on Friday, then 2.5 h from 08:00 GMT on Monday.
    assert nearly_due_until(friday) == utc(2026, 10, 26, 10, 30)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        nearly_due_until(datetime(2026, 11, 23, 10))


@settings(max_examples=300, deadline=None)
@given(
    sent=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 1)),
    target=st.sampled_from([0.25, 0.5, 1, 2, 5]),
    before=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=4)),
)
def test_nearly_due_agrees_with_the_working_time_left(
    sent: datetime, target: float, before: timedelta
) -> None:
    """For real due times (made by the clock), the instant limit is the working-hours rule."""
    due = due_at(sent.replace(tzinfo=UTC), target)
    now = due - before
    hours_left = working_days_between(now, due) * WORKING_DAY_HOURS
    if abs(hours_left - NEARLY_DUE_WORKING_HOURS) < 1e-6:
        return  # on the boundary, float rounding decides
    expected = hours_left < NEARLY_DUE_WORKING_HOURS
    assert is_nearly_due(AWAITING, due, now) is expected
    assert not (is_nearly_due(AWAITING, due, now) and is_overdue(AWAITING, due, now))


def test_nearly_due_by_lets_many_rows_share_one_limit() -> None:
    now = utc(2026, 11, 23, 10)
    limit = nearly_due_until(now)
    due = utc(2026, 11, 23, 13)
    assert urgency(AWAITING, due, now, nearly_due_by=limit) is Urgency.NEARLY_DUE
    assert urgency(AWAITING, due, now, nearly_due_by=now) is Urgency.NONE


def test_time_waiting_counts_calendar_time_until_closed_or_now() -> None:
    sent = utc(2026, 11, 20, 17)  # a Friday evening
    now = utc(2026, 11, 23, 21)
    assert time_waiting(sent, None, now) == timedelta(days=3, hours=4)  # weekend included
    closed = utc(2026, 11, 21, 9)
    assert time_waiting(sent, closed, now) == timedelta(hours=16)
    assert time_waiting(None, None, now) is None  # a draft has not started waiting


def test_time_waiting_is_elapsed_time_across_clock_changes() -> None:
    # Saturday noon to Sunday noon on the London wall clock.
    spring = time_waiting(utc(2026, 3, 28, 12), None, utc(2026, 3, 29, 11))  # GMT to BST
    autumn = time_waiting(utc(2026, 10, 24, 11), None, utc(2026, 10, 25, 12))  # BST to GMT
    assert (spring, autumn) == (timedelta(hours=23), timedelta(hours=25))


def test_time_waiting_over_a_bank_holiday_is_not_paused() -> None:
    sent = utc(2026, 4, 2, 16)  # Thursday before Good Friday
    assert time_waiting(sent, None, utc(2026, 4, 7, 16)) == timedelta(days=5)


def test_a_clock_skew_never_makes_a_wait_negative() -> None:
    sent = utc(2026, 11, 23, 10, 1)
    now = utc(2026, 11, 23, 10)
    assert time_waiting(sent, None, now) == timedelta(0)
    assert request_age(sent, now) == timedelta(0)


def test_age_keeps_counting_after_closing() -> None:
    sent = utc(2026, 11, 1, 9)
    now = utc(2026, 11, 23, 10)
    assert request_age(sent, now) == timedelta(days=22, hours=1)
    assert request_age(None, now) is None
