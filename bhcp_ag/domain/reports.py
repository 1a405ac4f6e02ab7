"""What a report asks: a period, filters, the groups to break it down by, and assumptions.

Plain values the store and the hub both take (``bhcp_ag.sqlkit`` turns them into SQL).
Dates are the Bay's (Europe/London): a period from 1 April 2016 to 31 March 2017 takes
the requests sent from midnight London time on the first day to midnight after the last,
whatever the clocks did; :meth:`Period.bounds` gives those instants in UTC. Months are
London months too (:meth:`Period.months`).

The savings rest on assumptions shown beside each figure (:class:`Assumptions`): each
referral avoided is one first outpatient attendance not needed, at a tariff; and one
round trip not travelled from the patient's practice to the main hospital site of its
network (the site that would have seen the patient), in miles along the Bay's main roads
(distances estimated from the road map in ``resources/roads.json``; see
:meth:`~bhcp_ag.domain.organisation.Organisation.round_trip_miles`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from bhcp_ag.domain.clock import LONDON
from bhcp_ag.domain.conversation import Priority
from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.patient import AGE_BANDS

NOT_RECORDED = "Not recorded"
"""The group of conversations without a value for a dimension (no sex recorded)."""

DEFAULT_TARIFF_POUNDS = 160.0
"""An illustrative price of a first outpatient attendance; set the real one per report."""


class Dimension(StrEnum):
    """What a report can be broken down (and filtered) by."""

    PRACTICE = "practice"
    ICC = "icc"
    NETWORK = "network"
    SPECIALTY = "specialty"
    MONTH = "month"
    PRIORITY = "priority"
    AGE_BAND = "age_band"
    SEX = "sex"

    @property
    def label(self) -> str:
        return {
            "practice": "Practice",
            "icc": "ICC",
            "network": "Network",
            "specialty": "Specialty",
            "month": "Month",
            "priority": "Priority",
            "age_band": "Age band",
            "sex": "Sex",
        }[self.value]

    @property
    def in_sentence(self) -> str:
        """The label within a sentence: "by month", "by ICC" (an acronym stays capital)."""
        return self.label if self.label.isupper() else self.label.lower()

    def sort_key(self, label: str) -> tuple[int, int, str]:
        """Where a group of this dimension comes in a report: age bands youngest first,
        priorities routine to two-week wait, anything else by its label; "Not recorded"
        last."""
        if label == NOT_RECORDED:
            return (1, 0, label)
        order: list[str] = []
        if self is Dimension.AGE_BAND:
            order = [band for _, band in AGE_BANDS]
        elif self is Dimension.PRIORITY:
            order = [priority.value for priority in Priority]
        return (0, order.index(label) if label in order else len(order), label)


def _london_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


@dataclass(frozen=True)
class Period:
    """The London dates ``first`` to ``last``, both included."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("A report's period must end on or after the day it starts.")

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) in UTC: London midnight on ``first`` to midnight after ``last``."""
        return _london_midnight(self.first), _london_midnight(self.last + timedelta(days=1))

    def months(self) -> list[tuple[str, datetime]]:
        """("2016-04", the UTC instant that month starts in London) for each month the
        period touches, in order."""
        months = []
        day = self.first.replace(day=1)
        while day <= self.last:
            months.append((f"{day:%Y-%m}", _london_midnight(day)))
            day = (day + timedelta(days=32)).replace(day=1)
        return months


@dataclass(frozen=True)
class Assumptions:
    """What the savings figures rest on, shown beside them."""

    tariff_pounds: float = DEFAULT_TARIFF_POUNDS
    miles_by_practice: dict[str, float] = field(default_factory=dict)

    @classmethod
    def for_organisation(
        cls, organisation: Organisation, tariff_pounds: float = DEFAULT_TARIFF_POUNDS
    ) -> Assumptions:
        miles = {
            practice.code: organisation.round_trip_miles(
                practice.code, organisation.main_site_of(practice).code
            )
            for practice in organisation.practices
        }
        return cls(tariff_pounds, miles)

    def describe(self) -> dict[str, str]:
        """The words shown beside each savings figure."""
        return {
            "appointments_avoided": "One first outpatient attendance for each referral avoided.",
            "miles_saved": (
                "One round trip from the patient's practice to the main hospital site of its "
                "network for each referral avoided, in miles along the Bay's main roads "
                "(distances estimated from the map of the Bay's main roads that comes with "
                "this app, not measured journeys)."
            ),
            "money_saved": (
                f"£{self.tariff_pounds:,.0f} for each first outpatient attendance avoided."
            ),
        }


@dataclass(frozen=True)
class ReportQuery:
    """A report: which conversations (sent in ``period``, within the filters), broken
    down by ``group_by`` (none: one row for everything), as seen at ``now``."""

    period: Period
    now: datetime
    group_by: tuple[Dimension, ...] = ()
    practice_codes: tuple[str, ...] = ()
    specialty_codes: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    assumptions: Assumptions = field(default_factory=Assumptions)
