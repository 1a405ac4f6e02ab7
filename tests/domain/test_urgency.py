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
    calendar_span_words,
    clock_running,
    due_words,
    is_nearly_due,
    is_overdue,
    nearly_due_until,
    request_age,
    time_waiting,
    urgency,
    working_span_words,
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


# --- words: one wording of a due time, naming the kind of day --------------------------


def test_due_words_name_working_days_and_hours() -> None:
    monday = utc(2026, 11, 23, 10)  # 10:00 GMT
    assert due_words(utc(2026, 11, 24, 13), monday) == "due in 1 working day 3 h"
    assert due_words(utc(2026, 11, 25, 10), monday) == "due in 2 working days"
    assert due_words(utc(2026, 11, 23, 13), monday) == "due in 3 working hours"
    assert due_words(utc(2026, 11, 23, 10, 35), monday) == "due in 35 working minutes"
    assert due_words(utc(2026, 11, 23, 9), monday) == "1 working hour overdue"
    assert due_words(utc(2026, 11, 18, 10), monday) == "3 working days overdue"
    assert due_words(monday, monday) == "due in under 1 working minute"  # not yet overdue
    friday_close, saturday = utc(2026, 11, 20, 18, 30), utc(2026, 11, 21, 12)
    assert due_words(friday_close, saturday) == "overdue"  # no working time since


def test_a_minute_later_the_time_left_reads_a_minute_less_not_half_an_hour() -> None:
    """The GP read "due in 2 d", the specialist a minute later "due in 1 d 10 h"."""
    sent = utc(2026, 11, 23, 8)  # Monday 08:00 GMT, a two-working-day target
    due = due_at(sent, 2)  # Tuesday 18:30
    gp_sees = due_words(due, sent + timedelta(seconds=30))
    specialist_sees = due_words(due, sent + timedelta(seconds=90))
    assert gp_sees == specialist_sees == "due in 1 working day 10 h"
    assert due_words(due, sent) == "due in 2 working days"


def test_a_deadline_over_the_easter_weekend_counts_working_days() -> None:
    # Thursday 2 April 2026 12:00 BST; Good Friday and Easter Monday are bank holidays.
    thursday_noon = utc(2026, 4, 2, 11)
    wednesday_noon = utc(2026, 4, 8, 11)
    # Thursday 6.5 h + Tuesday 10.5 h + Wednesday 4 h = 21 working hours: 2 working days.
    assert due_words(wednesday_noon, thursday_noon) == "due in 2 working days"
    assert due_words(thursday_noon, wednesday_noon) == "2 working days overdue"
    age = request_age(thursday_noon, wednesday_noon)
    assert age is not None and calendar_span_words(age) == "6 calendar days"


def test_a_deadline_over_the_early_may_bank_holiday_weekend() -> None:
    friday_noon = utc(2026, 5, 1, 11)  # Friday 1 May 12:00 BST; Monday 4 May is a holiday
    tuesday_noon = utc(2026, 5, 5, 11)
    assert due_words(friday_noon, tuesday_noon) == "1 working day overdue"
    assert due_words(tuesday_noon, friday_noon) == "due in 1 working day"


def test_working_and_calendar_spans_each_say_which_days_they_count() -> None:
    assert working_span_words(timedelta(hours=10.5)) == "1 working day"
    assert working_span_words(timedelta(hours=31)) == "2 working days 10 h"
    assert working_span_words(-timedelta(minutes=1)) == "1 working minute"
    assert working_span_words(timedelta(seconds=20)) == "under 1 working minute"
    assert calendar_span_words(timedelta(days=3, hours=4, minutes=59)) == "3 calendar days 4 h"
    assert calendar_span_words(timedelta(days=1, minutes=5)) == "1 calendar day"
    assert calendar_span_words(timedelta(days=35, hours=20), detailed=False) == "35 calendar days"
    assert calendar_span_words(timedelta(hours=5, minutes=30)) == "5 h"
    assert calendar_span_words(timedelta(minutes=35)) == "35 min"
    assert calendar_span_words(timedelta(seconds=20)) == "under 1 min"
