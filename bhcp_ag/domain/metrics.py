"""The A&G report's measures, each defined once, as data the store and the hub turn into SQL.

A measure is a count, a sum, a ratio of two measures or a quantile, over the
conversations a report selects, each with a condition written in a small vocabulary of
:class:`Condition` terms over named conversation fields (``status``,
``would_have_referred``, ``first_response_at``...). The store and the hub map the names to
their own columns and compile the same definitions to SQL (``bhcp_ag.sqlkit``), so a
figure never depends on where it was computed, and nothing here knows about a database.

Definitions, in the scheme's own terms:

- **Conversations**: requests sent in the period (drafts never count).
- **Would have referred**: the GP answered "yes" to "without advice, would you have
  referred this patient?" before sending.
- **Referrals avoided**: :func:`~bhcp_ag.domain.conversation.referral_avoided`, stored on
  each conversation when it changes: would have referred, and closed without a referral.
- **Avoidance rate**: referrals avoided / would have referred (the scheme's 66%).
- **Conversions**: requests the specialist converted into a referral.
- **First response within target**: the first response (advice, a question or a
  conversion) came at or before the due time set when the request was sent.
- **Response time**: working days from sending to the first response, on the response
  clock (:mod:`bhcp_ag.domain.clock`), stored with the response; median and 90th centile.
- **Overdue now**: :mod:`bhcp_ag.domain.urgency`'s overdue, at the report's "now".
- **Time waiting in A&G**: calendar days from sending until closed or now (urgency).
- **Advice useful**: the GP's answer on closing after advice ("was the advice useful?":
  yes, partly or no); the rate is the yeses of all who answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bhcp_ag.domain.conversation import AdviceUseful, Status, WouldHaveReferred
from bhcp_ag.domain.urgency import CLOCK_RUNNING_STATUSES

# --- conditions ------------------------------------------------------------------------


@dataclass(frozen=True)
class Equals:
    field: str
    value: str | bool


@dataclass(frozen=True)
class OneOf:
    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Present:
    """The field has a value (a time that happened)."""

    field: str


@dataclass(frozen=True)
class NotAfter:
    """``field`` is set and at or before ``other`` (both times)."""

    field: str
    other: str


@dataclass(frozen=True)
class BeforeNow:
    """``field`` is set and before the report's "now"."""

    field: str


@dataclass(frozen=True)
class AllOf:
    terms: tuple[Condition, ...]


Condition = Equals | OneOf | Present | NotAfter | BeforeNow | AllOf
EVERY = AllOf(())
"""The condition every selected conversation meets."""

# --- measures --------------------------------------------------------------------------


class Unit(StrEnum):
    COUNT = "count"
    PERCENT = "percent"
    WORKING_DAYS = "working_days"
    DAYS = "days"
    MILES = "miles"
    POUNDS = "pounds"


@dataclass(frozen=True)
class CountOf:
    """How many selected conversations meet ``where``."""

    key: str
    label: str
    where: Condition = EVERY
    unit: Unit = Unit.COUNT


@dataclass(frozen=True)
class SumOf:
    """The sum of a numeric field (or of a per-conversation value the engine derives,
    such as round-trip miles) over conversations meeting ``where``."""

    key: str
    label: str
    field: str
    where: Condition = EVERY
    unit: Unit = Unit.COUNT


@dataclass(frozen=True)
class RatioOf:
    """``numerator`` / ``denominator`` (two other measures' keys) as a percentage."""

    key: str
    label: str
    numerator: str
    denominator: str
    unit: Unit = Unit.PERCENT


@dataclass(frozen=True)
class QuantileOf:
    """The ``q`` quantile (0-1; the lower of the two middle values for an even count) of
    a numeric field over conversations meeting ``where``."""

    key: str
    label: str
    field: str
    q: float
    where: Condition = EVERY
    unit: Unit = Unit.WORKING_DAYS


Measure = CountOf | SumOf | RatioOf | QuantileOf

WOULD_HAVE_REFERRED = Equals("would_have_referred", WouldHaveReferred.YES.value)
AVOIDED = Equals("referral_avoided", True)
RESPONDED = Present("first_response_at")
WITHIN_TARGET = NotAfter("first_response_at", "first_due_at")
OVERDUE_NOW = AllOf((OneOf("status", CLOCK_RUNNING_STATUSES), BeforeNow("due_at")))

MEASURES: tuple[Measure, ...] = (
    CountOf("conversations", "Conversations"),
    CountOf("would_have_referred", "Would have referred", WOULD_HAVE_REFERRED),
    CountOf("referrals_avoided", "Referrals avoided", AVOIDED),
    RatioOf("avoidance_rate", "Avoidance rate", "referrals_avoided", "would_have_referred"),
    CountOf("conversions", "Converted to referral", Equals("status", Status.CONVERTED.value)),
    CountOf("responded", "First responses", RESPONDED),
    CountOf("within_target", "First responses within target", WITHIN_TARGET),
    RatioOf("within_target_rate", "Within target", "within_target", "responded"),
    QuantileOf("response_median", "Median response", "response_working_days", 0.5, RESPONDED),
    QuantileOf("response_p90", "90th centile response", "response_working_days", 0.9, RESPONDED),
    CountOf("overdue_now", "Overdue now", OVERDUE_NOW),
    QuantileOf("waiting_median", "Median time waiting in A&G", "waiting_days", 0.5, unit=Unit.DAYS),
    CountOf("appointments_avoided", "Outpatient appointments avoided", AVOIDED),
    SumOf("miles_saved", "Patient miles not travelled", "round_trip_miles", AVOIDED, Unit.MILES),
    SumOf("money_saved", "Money not spent", "first_attendance_tariff", AVOIDED, Unit.POUNDS),
    CountOf("useful_answered", "Said whether advice was useful", Present("advice_useful")),
    *(
        CountOf(
            f"useful_{answer.value}",
            f"Advice useful: {answer.label.lower()}",
            Equals("advice_useful", answer.value),
        )
        for answer in AdviceUseful
    ),
    RatioOf("useful_rate", "Advice useful rate", "useful_yes", "useful_answered"),
)

BY_KEY: dict[str, Measure] = {measure.key: measure for measure in MEASURES}


def ratio(numerator: int | float, denominator: int | float) -> float | None:
    """A percentage, or None when there is nothing to divide by (shown as "—")."""
    return None if not denominator else 100.0 * numerator / denominator


def nearest_rank(q: float, n: int) -> int:
    """The 1-based row of the ``q`` quantile among ``n`` values in order: ``ceil(q x n)``,
    at least 1, in whole hundredths so that no rounding of ``q x n`` moves it (in floating
    point ``0.07 x 100`` is a little over 7, and its ceiling 8)."""
    hundredths = round(q * 100)
    return max(1, -(-n * hundredths // 100))


def quantile(values: list[float], q: float) -> float | None:
    """The ``q`` quantile as :class:`QuantileOf` defines it (for tests and small lists):
    the value at row :func:`nearest_rank` of the sorted values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(nearest_rank(q, len(ordered)), len(ordered)) - 1]
