"""How times, NHS numbers and durations are written on screen.

Times are stored in UTC and always shown on the London wall clock. Time left before a
response is due is counted in working time (:mod:`bhcp_ag.domain.clock`: 10.5-hour working
days), because that is how the response standard is counted: a request due on Monday
morning is not "2 days overdue" on Saturday. The words, which name the kind of day each
figure counts, are :mod:`bhcp_ag.domain.urgency`'s, so every view reads the same.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from bhcp_ag.domain.clock import LONDON

NOT_SET = "—"

APP_DISPLAY_NAME = "Advice and Guidance"
"""The app's name in window titles; Qt adds it to a title that does not end with it."""


def london_time(instant: datetime | None) -> str:
    """``24 Nov 2026 14:05`` on the London wall clock, or a dash when there is none."""
    if instant is None:
        return NOT_SET
    local = instant.astimezone(LONDON)
    return f"{local.day} {local:%b %Y %H:%M}"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def list_time(instant: datetime | None, this_year: int) -> str:
    """Compact for the list: ``24 Nov 14:05`` in ``this_year``, ``24 Nov 2025 14:05`` before.

    Built without ``strftime``: the list formats two times for every row it fetches.
    """
    if instant is None:
        return NOT_SET
    local = instant.astimezone(LONDON)
    year = "" if local.year == this_year else f" {local.year}"
    return f"{local.day} {_MONTHS[local.month - 1]}{year} {local.hour:02}:{local.minute:02}"


def long_london_time(instant: datetime | None) -> str:
    """``Tuesday 24 November 2026 at 14:05 (GMT)``, for sentences and the detail view."""
    if instant is None:
        return NOT_SET
    local = instant.astimezone(LONDON)
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M} ({local:%Z})"


def short_date(day: date | None) -> str:
    """``3 Mar 1954``, or a dash."""
    return NOT_SET if day is None else f"{day.day} {day:%b %Y}"


def due_sentence(due: datetime, words: str) -> str:
    """``Due Tuesday 24 November 2026 at 14:05 (GMT) (due in 1 working day 3 h)``, where
    ``words`` is :func:`~bhcp_ag.domain.urgency.due_words` of ``due``: for a tooltip, the
    composer or a detail view."""
    return f"Due {long_london_time(due)} ({words})"


def nhs_number_text(number: str) -> str:
    """The NHS number grouped 3-3-4 when it has 10 digits; otherwise as typed (drafts).

    Only for showing a stored number: whether it is valid was checked when it was sent.
    """
    digits = number.replace(" ", "")
    if len(digits) == 10 and digits.isdigit():
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    return number


def first_line(text: str, limit: int = 160) -> str:
    """The first non-blank line of ``text``, cut at ``limit`` characters with an ellipsis."""
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def count_text(count: int, singular: str, plural: str | None = None) -> str:
    """``1 conversation``, ``12,345 conversations``."""
    word = singular if count == 1 else (plural or singular + "s")
    return f"{count:,} {word}"


def label_of(kind: type[StrEnum], value: object, blank: str = NOT_SET) -> str:
    """The ``label`` of the member of ``kind`` whose value is ``value``.

    ``blank`` when there is no value; an unknown value (from a newer hub) is shown as is.
    """
    if value is None or value == "":
        return blank
    try:
        member: Any = kind(str(value))
    except ValueError:
        return str(value)
    return str(member.label)
