"""The report's measures: one definition each, consistent with the domain's own rules."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from bhcp_ag.domain import metrics
from bhcp_ag.domain.conversation import Status, referral_avoided
from bhcp_ag.domain.metrics import BY_KEY, MEASURES, CountOf, Equals, RatioOf


def test_every_measure_has_its_own_key_and_ratios_refer_to_measures() -> None:
    assert len(BY_KEY) == len(MEASURES)
    for measure in MEASURES:
        if isinstance(measure, RatioOf):
            assert measure.numerator in BY_KEY and measure.denominator in BY_KEY


def test_the_avoidance_rate_is_avoided_over_would_have_referred() -> None:
    rate = BY_KEY["avoidance_rate"]
    assert isinstance(rate, RatioOf)
    assert (rate.numerator, rate.denominator) == ("referrals_avoided", "would_have_referred")
    # The scheme's 2016/17 figures: 1,602 of 2,422.
    assert round(metrics.ratio(1602, 2422) or 0) == 66
    assert metrics.ratio(3, 0) is None


def test_referrals_avoided_counts_the_stored_domain_answer() -> None:
    avoided = BY_KEY["referrals_avoided"]
    assert isinstance(avoided, CountOf) and avoided.where == Equals("referral_avoided", True)
    assert referral_avoided("yes", Status.CLOSED, "managed_in_primary_care")
    assert not referral_avoided("yes", Status.CONVERTED, None)


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([], 0.5, None),
        ([3.0], 0.9, 3.0),
        ([4.0, 1.0, 3.0, 2.0], 0.5, 2.0),  # the lower middle value
        ([5.0, 1.0, 3.0], 0.5, 3.0),
        ([float(n) for n in range(1, 11)], 0.9, 9.0),
        ([float(n) for n in range(1, 11)], 1.0, 10.0),
    ],
)
def test_quantiles_pick_a_value_of_the_list(values: list[float], q: float, expected: float) -> None:
    assert metrics.quantile(values, q) == expected


def test_the_nearest_rank_is_exact_where_floating_point_is_not() -> None:
    assert 0.07 * 100 > 7  # the trap: math.ceil(0.07 * 100) is 8
    for q in (0.07, 0.25, 0.5, 0.9, 0.95, 0.99, 1.0):
        exact = Fraction(round(q * 100), 100)
        for n in range(1, 3001):
            assert metrics.nearest_rank(q, n) == max(1, math.ceil(exact * n)), (q, n)
    values = [float(v) for v in range(1, 101)]
    assert metrics.quantile(values, 0.07) == 7.0
