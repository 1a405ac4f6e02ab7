"""How urgent a conversation is, and how long its patient has waited: one definition each.

The conversation list marks rows with these, and reports are to count with them, so a
request is "overdue" in exactly one sense everywhere.

- **Overdue**: the response clock runs (the request waits for the hub or the specialist,
  :data:`CLOCK_RUNNING_STATUSES`) and its due time has passed: ``due_at < now``. Once
  advice is returned or more information is asked for, the response was given, so it is
  no longer overdue. Due exactly now is not yet overdue (it is nearly due).
- **Nearly due**: the clock runs, the request is not overdue, and it falls due within the
  next :data:`NEARLY_DUE_WORKING_HOURS` working hours, counted on the response clock of
  :mod:`bhcp_ag.domain.clock` (weekdays 08:00-18:30 London time, less bank holidays). So on
  a Friday at 17:00 a request due at 10:00 on Monday is nearly due (1.5 + 2 working hours)
  although 65 hours of the calendar lie between. The limit is an instant,
  :func:`nearly_due_until`, so a list or a report can test many rows against it at once.
- **Time waiting in A&G**: calendar time from the request's submission until it was
  closed (or until now while it is open). Calendar time, not working time: it is the wait
  the patient lives through, weekends and bank holidays included. It is elapsed time
  (``end - start`` in UTC), so across a clock change a wait from Saturday noon to Sunday
  noon is 23 or 25 hours, not 24.
- **Age of a request**: calendar time since submission, whether or not it has closed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum

from bhcp_ag.domain.clock import WORKING_DAY_HOURS
from bhcp_ag.domain.clock import due_at as _due_after
from bhcp_ag.domain.conversation import Role, Status

NEARLY_DUE_WORKING_HOURS = 4.0
"""A running request due within this many working hours from now is nearly due."""

CLOCK_RUNNING_STATUSES: tuple[str, ...] = tuple(
    status.value for status in Status if status.next_action_by in (Role.SPECIALIST, Role.SYSTEM)
)
"""States in which the response clock runs: the request waits for the hub or the specialist.

Only a conversation in one of these can be overdue or nearly due.
"""

_NOTHING = timedelta(0)


class Urgency(StrEnum):
    """Where a conversation stands against its due time."""

    NONE = "none"  # not waiting for a response, no due time, or not due soon
    NEARLY_DUE = "nearly_due"
    OVERDUE = "overdue"


def clock_running(status: Status | str) -> bool:
    """True when the conversation waits for the hub or the specialist to respond."""
    return str(status) in CLOCK_RUNNING_STATUSES


def nearly_due_until(now: datetime, working_hours: float = NEARLY_DUE_WORKING_HOURS) -> datetime:
    """The instant ``working_hours`` of working time after ``now``, in UTC.

    A running request due at or before this instant (and not before ``now``) is nearly due.
    Out of hours the working time starts at the next opening.
    """
    return _due_after(now, working_hours / WORKING_DAY_HOURS)


def urgency(
    status: Status | str,
    due_at: datetime | None,
    now: datetime,
    *,
    nearly_due_by: datetime | None = None,
) -> Urgency:
    """How urgent a conversation is at ``now``.

    ``nearly_due_by`` is :func:`nearly_due_until` of ``now``; pass it when judging many
    rows at the same instant, so the clock is worked out once rather than for every row.
    """
    if due_at is None or not clock_running(status):
        return Urgency.NONE
    if due_at < now:
        return Urgency.OVERDUE
    limit = nearly_due_by if nearly_due_by is not None else nearly_due_until(now)
    return Urgency.NEARLY_DUE if due_at <= limit else Urgency.NONE


def is_overdue(status: Status | str, due_at: datetime | None, now: datetime) -> bool:
    """True when the clock runs and ``due_at`` has passed (see the module's definition)."""
    return due_at is not None and due_at < now and clock_running(status)


def is_nearly_due(
    status: Status | str,
    due_at: datetime | None,
    now: datetime,
    *,
    nearly_due_by: datetime | None = None,
) -> bool:
    """True when the clock runs and the request falls due within the next 4 working hours."""
    return urgency(status, due_at, now, nearly_due_by=nearly_due_by) is Urgency.NEARLY_DUE


def time_waiting(
    submitted_at: datetime | None, closed_at: datetime | None, now: datetime
) -> timedelta | None:
    """Calendar time the patient has waited in A&G: submission until closing, or until now.

    None for a draft (not submitted). Never negative: a clock skew between the desktop and
    the hub gives zero, not a wait of minus a minute.
    """
    if submitted_at is None:
        return None
    end = closed_at if closed_at is not None else now
    return max(end.astimezone(UTC) - submitted_at.astimezone(UTC), _NOTHING)


def request_age(submitted_at: datetime | None, now: datetime) -> timedelta | None:
    """Calendar time since the request was submitted (None for a draft); never negative."""
    if submitted_at is None:
        return None
    return max(now.astimezone(UTC) - submitted_at.astimezone(UTC), _NOTHING)
