"""Response targets: how many working days a specialty has to answer, by priority.

Each service sets its own response standard, so the targets are data, kept in
``resources/response_targets.csv`` with the columns ``tfc_code,priority,working_days``.
``tfc_code`` is an NHS Treatment Function Code, or ``*`` for the default that applies to
every specialty without a row of its own; defaults must be given for both ROUTINE and
URGENT. Two-week-wait (suspected cancer) requests are never accepted into Advice and
Guidance, so they have no target and asking for one is refused.

Working days are counted by :mod:`bhcp_ag.domain.clock`.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bhcp_ag.domain.conversation import Priority, check_priority
from bhcp_ag.paths import RESOURCES_DIR

ANY_SPECIALTY = "*"
ACCEPTED_PRIORITIES = (Priority.ROUTINE, Priority.URGENT)
COLUMNS = ("tfc_code", "priority", "working_days")


def default_targets_path() -> Path:
    """The response targets shipped with the app."""
    return RESOURCES_DIR / "response_targets.csv"


def accepted_priority(value: Priority | str) -> Priority:
    """The priority named by ``value``, refusing unknown codes and two-week-wait."""
    try:
        priority = Priority(value)
    except ValueError:
        expected = " or ".join(p.value for p in ACCEPTED_PRIORITIES)
        raise ValueError(f"Unknown priority {value!r}: expected {expected}.") from None
    return check_priority(priority)  # TransitionRefused, a ValueError, for two-week-wait


@dataclass(frozen=True)
class ResponseTarget:
    """One row: ``tfc_code`` (or ``*``) and ``priority`` must be answered in so many days."""

    tfc_code: str
    priority: Priority
    working_days: float

    def __post_init__(self) -> None:
        code = self.tfc_code
        if code != ANY_SPECIALTY and not (len(code) == 3 and code.isascii() and code.isdigit()):
            raise ValueError(
                f"Treatment function code {code!r} must be three digits, or '*' for the default."
            )
        object.__setattr__(self, "priority", accepted_priority(self.priority))
        days = self.working_days
        if not (math.isfinite(days) and days > 0):
            raise ValueError(
                f"The target for {code} {self.priority.value} must be a positive number of "
                f"working days (got {days!r})."
            )


@dataclass(frozen=True)
class ResponseTargets:
    """Response targets per specialty and priority; a specialty's own row wins over ``*``."""

    targets: tuple[ResponseTarget, ...]
    _by_key: Mapping[tuple[str, Priority], float] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", _index(self.targets))

    def working_days(self, tfc_code: str, priority: Priority | str) -> float:
        """The target, in working days, for a request to ``tfc_code`` at ``priority``.

        Raises ValueError for an unknown priority and, with the reason, for two-week-wait.
        """
        accepted = accepted_priority(priority)
        own = self._by_key.get((tfc_code.strip(), accepted))
        return own if own is not None else self._by_key[(ANY_SPECIALTY, accepted)]

    @classmethod
    def load(cls, path: Path | None = None) -> ResponseTargets:
        """Read targets from a CSV file (by default the one shipped in ``resources/``).

        A malformed file raises ValueError naming the file, the line and what is wrong.
        """
        source = path if path is not None else default_targets_path()
        with source.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            _check_header(reader.fieldnames, source)
            targets = []
            for row in reader:
                try:
                    targets.append(_parse_row(row))
                except ValueError as error:
                    raise ValueError(f"{source}, line {reader.line_num}: {error}") from error
        try:
            return cls(tuple(targets))
        except ValueError as error:
            raise ValueError(f"{source}: {error}") from error


def _index(targets: Iterable[ResponseTarget]) -> dict[tuple[str, Priority], float]:
    """Targets by (code, priority), refusing duplicates and missing defaults."""
    by_key: dict[tuple[str, Priority], float] = {}
    for target in targets:
        key = (target.tfc_code, target.priority)
        if key in by_key:
            raise ValueError(f"More than one target for {target.tfc_code} {target.priority.value}.")
        by_key[key] = target.working_days
    missing = [p.value for p in ACCEPTED_PRIORITIES if (ANY_SPECIALTY, p) not in by_key]
    if missing:
        raise ValueError(f"No default ('*') target for {', '.join(missing)}.")
    return by_key


def _check_header(fieldnames: Sequence[str] | None, source: Path) -> None:
    absent = [column for column in COLUMNS if column not in (fieldnames or ())]
    if absent:
        raise ValueError(
            f"{source}: the header must name the columns {','.join(COLUMNS)} "
            f"(missing: {', '.join(absent)})."
        )


def _parse_row(row: Mapping[str | None, object]) -> ResponseTarget:
    if row.get(None):
        raise ValueError(f"more values than the {len(COLUMNS)} columns.")
    values = {column: row.get(column) for column in COLUMNS}
    empty = [column for column, value in values.items() if not str(value or "").strip()]
    if empty:
        raise ValueError(f"no value for {', '.join(empty)}.")
    tfc_code, priority, days = (str(values[column]).strip() for column in COLUMNS)
    try:
        working_days = float(days)
    except ValueError:
        raise ValueError(f"working_days {days!r} is not a number.") from None
    return ResponseTarget(tfc_code, accepted_priority(priority), working_days)
