"""The report's measures: one definition each, consistent with the domain's own rules."""

from __future__ import annotations

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
