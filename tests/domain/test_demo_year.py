"""A published year of the scheme: exactly its figures by construction, whatever the seed."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime

import pytest

from bhcp_ag.domain import clock
from bhcp_ag.domain.conversation import ClosingOutcome, Status, referral_avoided
from bhcp_ag.domain.demo import (
    DEMO_SPECIALIST_CODES,
    PUBLISHED_YEARS,
    DemoPlan,
    SchemeYear,
    plan_demo_year,
    plan_scheme_year,
    scheme_year,
)
from bhcp_ag.domain.demo.scheme_year import LATER_SPECIALTIES, SPECIALTIES_2016_17, Quota
from bhcp_ag.domain.specialties import SpecialtyCatalogue

YEAR = PUBLISHED_YEARS["2016/17"]
SMALL = SchemeYear(
    first_year=2016,
    conversations=240,
    would_have_referred=130,
    avoided=90,
    specialty_codes=SPECIALTIES_2016_17,
)
ENDED = {Status.CLOSED.value, Status.CONVERTED.value, Status.CANCELLED.value}


def _london_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=clock.LONDON).astimezone(UTC)


def _london_day(moment: datetime) -> date:
    return moment.astimezone(clock.LONDON).date()


@pytest.fixture(scope="module", params=[2017, 41])
def plan(request: pytest.FixtureRequest) -> DemoPlan:
    return plan_scheme_year(YEAR, seed=request.param)


@pytest.mark.parametrize("text", ["2016/17", "2016-17", "2016/2017", " 2016 / 17 "])
def test_the_year_is_named_as_the_scheme_names_it(text: str) -> None:
    year = scheme_year(text)
    assert year is YEAR and year.label == "2016/17"
    assert (year.first_day, year.last_day) == (date(2016, 4, 1), date(2017, 3, 31))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2017/18", "published no figures for 2017/18"),
        ("2016/18", "not a financial year: April 2016 to March 2017"),
        ("16/17", "not a financial year like 2016/17"),
        ("", "not a financial year like 2016/17"),
    ],
)
def test_other_years_are_refused_readably(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        scheme_year(text)


def test_the_published_figures() -> None:
    assert (YEAR.conversations, YEAR.would_have_referred, YEAR.avoided) == (4634, 2422, 1602)
    assert round(YEAR.avoidance_rate) == 66


def test_the_counts_must_nest() -> None:
    with pytest.raises(ValueError, match="must nest"):
        SchemeYear(2016, 10, 5, 6, SPECIALTIES_2016_17)


def test_nineteen_specialties_then_the_later_five_left_out() -> None:
    every = [s.tfc_code for s in SpecialtyCatalogue.load().all()]
    assert len(every) == 24 and len(SPECIALTIES_2016_17) == 19
    assert set(SPECIALTIES_2016_17) == set(every) - set(LATER_SPECIALTIES)
    assert set(DEMO_SPECIALIST_CODES) <= set(SPECIALTIES_2016_17)  # their queue had work


def test_quotas_are_exactly_the_counts_in_a_seeded_order() -> None:
    quotas = YEAR.quotas(random.Random(1))
    assert Counter(quotas) == {
        Quota(True, True): 1602,
        Quota(True, False): 820,
        Quota(False, False): 2212,
    }
    assert quotas == YEAR.quotas(random.Random(1)) != YEAR.quotas(random.Random(2))


def test_the_plan_gives_exactly_the_published_counts(plan: DemoPlan) -> None:
    summary = plan.summary()
    assert summary.conversations == 4634 and summary.drafts == 0
    assert (summary.would_have_referred, summary.avoided) == (2422, 1602)
    rows = plan.conversations
    assert sum(r["would_have_referred"] == "yes" for r in rows) == 2422
    assert sum(r["referral_avoided"] for r in rows) == 1602


def test_every_request_is_sent_in_the_year_to_its_nineteen_specialties(plan: DemoPlan) -> None:
    days = {_london_day(row["submitted_at"]) for row in plan.conversations}
    assert min(days) == date(2016, 4, 1) and max(days) >= date(2017, 3, 28)
    assert max(days) <= date(2017, 3, 31)
    assert all(_london_day(row["created_at"]) >= date(2016, 4, 1) for row in plan.conversations)
    assert {row["specialty_code"] for row in plan.conversations} == set(SPECIALTIES_2016_17)
    assert (plan.first_day, plan.last_day) == (date(2016, 4, 1), date(2017, 3, 31))


def test_every_conversation_has_ended_by_the_first_of_may(plan: DemoPlan) -> None:
    settled = _london_midnight(date(2017, 5, 1))
    assert plan.as_of == settled
    assert {row["status"] for row in plan.conversations} <= ENDED
    assert all(row["closed_at"] < settled for row in plan.conversations)
    assert all(message["created_at"] < settled for message in plan.messages)
    late = [r for r in plan.conversations if r["closed_at"] >= _london_midnight(YEAR.end)]
    assert late and len(late) < 150  # the last requests of March close in April


def test_avoided_is_the_domain_rule_and_each_side_keeps_its_variety(plan: DemoPlan) -> None:
    rows = plan.conversations
    for row in rows:
        rule = referral_avoided(row["would_have_referred"], row["status"], row["closing_outcome"])
        assert row["referral_avoided"] is rule
    yes_not_avoided = [
        r for r in rows if r["would_have_referred"] == "yes" and not r["referral_avoided"]
    ]
    ends = Counter(r["closing_outcome"] or r["status"] for r in yes_not_avoided)
    assert set(ends) == {ClosingOutcome.REFERRED.value, "converted", "cancelled"}
    avoided = Counter(r["closing_outcome"] for r in rows if r["referral_avoided"])
    assert set(avoided) == {"managed_in_primary_care", "awaiting_tests"}
    answers = Counter(r["would_have_referred"] for r in rows)
    assert answers["no"] > answers["unsure"] > 0


def test_responses_stay_realistic(plan: DemoPlan) -> None:
    answered = [r for r in plan.conversations if r["first_response_at"] is not None]
    within = sum(r["first_response_at"] <= r["first_due_at"] for r in answered)
    assert 0.79 <= within / len(answered) <= 0.88
    assert all(r["claimed_by_id"] for r in plan.conversations if r["status"] == "closed")
    assert len(plan.messages) > 3 * len(plan.conversations)


def test_a_small_year_is_exact_deterministic_and_seed_dependent() -> None:
    first, again = (plan_scheme_year(SMALL, seed=5) for _ in range(2))
    other = plan_scheme_year(SMALL, seed=6)
    assert first == again and first.conversations != other.conversations
    for plan in (first, other):
        summary = plan.summary()
        assert (summary.conversations, summary.would_have_referred, summary.avoided) == (
            240,
            130,
            90,
        )


def test_the_usual_demo_year_is_unchanged_by_chance() -> None:
    plan = plan_demo_year(conversations=400, seed=3, end=date(2017, 4, 1))
    assert plan.summary().drafts == 5
    assert any(row["status"] == Status.AWAITING_SPECIALIST.value for row in plan.conversations)
