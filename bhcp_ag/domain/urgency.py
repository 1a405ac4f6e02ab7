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

**Words.** Every figure names the kind of time it counts, and everyone (a GP's list, a
specialist's queue, the detail view, tooltips) reads the same words, from
:func:`due_words` and the two span functions: working time as ``1 working day 10 h`` or
``4 working hours``, calendar time as ``35 calendar days`` or ``3 calendar days 4 h``.
Figures are rounded down to the unit shown, so two people looking a minute apart never
read "due in 2 working days" and then "due in 1 working day 10 h" for what is a minute's
difference, and a time left is never overstated.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum

from bhcp_ag.domain.clock import WORKING_DAY_HOURS, working_time_back, working_time_between
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
_MINUTE = timedelta(minutes=1)
_WORKING_DAY_MINUTES = round(WORKING_DAY_HOURS * 60)
_CALENDAR_DAY_MINUTES = 24 * 60


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


ESCALATE_AFTER_WORKING_DAYS = 1.0
"""An overdue request goes to the specialty's lead this long after its due time."""
_ESCALATION = timedelta(hours=ESCALATE_AFTER_WORKING_DAYS * WORKING_DAY_HOURS)


def escalation_at(due_at: datetime) -> datetime:
    """When a request due at ``due_at`` and still unanswered is escalated to the lead:
    a further working day on (bank holidays, weekends and clock changes counted)."""
    return _due_after(due_at, ESCALATE_AFTER_WORKING_DAYS)


def is_escalated(status: Status | str, due_at: datetime | None, now: datetime) -> bool:
    """True when the request is overdue by a working day or more: the lead's to act on."""
    if due_at is None or not is_overdue(status, due_at, now):
        return False
    return working_time_between(due_at, now) >= _ESCALATION


def escalated_if_due_before(now: datetime) -> datetime:
    """The due times (strictly before this) whose overdue requests are escalated at
    ``now``, for a query: ``due_at < escalated_if_due_before(now)``."""
    return working_time_back(now, ESCALATE_AFTER_WORKING_DAYS) + timedelta(microseconds=1)


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


# --- words --------------------------------------------------------------------------


def _count(number: int, unit: str) -> str:
    return f"{number} {unit}" if number == 1 else f"{number} {unit}s"


def working_span_words(span: timedelta) -> str:
    """A span of working time (its size, whatever its sign), rounded down to the unit shown.

    ``2 working days``, ``1 working day 10 h``, ``4 working hours``, ``35 working minutes``,
    ``under 1 working minute``. A working day is 10.5 working hours.
    """
    minutes = int(abs(span) // _MINUTE)
    days, rest = divmod(minutes, _WORKING_DAY_MINUTES)
    hours, mins = divmod(rest, 60)
    if days:
        return _count(days, "working day") + (f" {hours} h" if hours else "")
    if hours:
        return _count(hours, "working hour")
    return _count(mins, "working minute") if mins else "under 1 working minute"


def calendar_span_words(span: timedelta, *, detailed: bool = True) -> str:
    """A span of calendar time, rounded down: ``3 calendar days 4 h`` (``3 calendar days``
    when not ``detailed``), ``5 h``, ``35 min``, ``under 1 min``."""
    minutes = int(abs(span) // _MINUTE)
    days, rest = divmod(minutes, _CALENDAR_DAY_MINUTES)
    hours, mins = divmod(rest, 60)
    if days:
        return _count(days, "calendar day") + (f" {hours} h" if detailed and hours else "")
    if hours:
        return f"{hours} h"
    return f"{mins} min" if mins else "under 1 min"


def due_words(due_at: datetime, now: datetime) -> str:
    """Where a due time stands at ``now``, in working time: the one wording for everyone.

    ``due in 1 working day 10 h``, ``3 working days overdue``; just ``overdue`` when the
    due time has passed with no working time since (due at 18:30 on Friday, seen on
    Saturday). Due exactly now is not yet overdue (see the module's definition).
    """
    if due_at >= now:
        return f"due in {working_span_words(working_time_between(now, due_at))}"
    late = working_time_between(due_at, now)
    return "overdue" if late < _MINUTE else f"{working_span_words(late)} overdue"
