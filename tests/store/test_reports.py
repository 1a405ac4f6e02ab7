"""The report over a demo year in the store: consistent with the rows, in every breakdown."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bhcp_ag.domain.conversation import Status
from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.reports import Assumptions, Dimension, Period, ReportQuery
from bhcp_ag.store.db import Store
from bhcp_ag.store.demo import generate_demo_data
from bhcp_ag.store.models import Conversation
from bhcp_ag.store.reports import store_report

END = date(2025, 3, 31)
PERIOD = Period(date(2024, 4, 1), END)
NOW = datetime(2025, 4, 1, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
def year(
    make_store: Callable[[Path], Store], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    store = make_store(tmp_path_factory.mktemp("report") / "store.sqlite3")
    generate_demo_data(store, conversations=3000, seed=11, end=END)
    yield store
    store.close()


@pytest.fixture(scope="module")
def organisation() -> Organisation:
    return Organisation.load()


def query(organisation: Organisation, *group_by: Dimension, **filters: object) -> ReportQuery:
    assumptions = Assumptions.for_organisation(organisation, 150.0)
    return ReportQuery(PERIOD, NOW, group_by, assumptions=assumptions, **filters)  # type: ignore[arg-type]


def test_the_totals_are_the_rows_counted_one_by_one(
    year: Store, organisation: Organisation
) -> None:
    [total] = store_report(year, query(organisation), organisation)
    start, end = PERIOD.bounds()
    with year.read_session() as session:
        rows = [
            c
            for c in session.scalars(select(Conversation))
            if c.status != Status.DRAFT and c.submitted_at and start <= c.submitted_at < end
        ]
    values = total.values
    assert values["conversations"] == len(rows) > 2000
    assert values["would_have_referred"] == sum(c.would_have_referred == "yes" for c in rows)
    avoided = [c for c in rows if c.referral_avoided]
    assert values["referrals_avoided"] == len(avoided)
    assert values["within_target"] == sum(
        1 for c in rows if c.first_response_at and c.first_response_at <= c.first_due_at
    )
    assert values["money_saved"] == pytest.approx(150.0 * len(avoided))
    miles = Assumptions.for_organisation(organisation).miles_by_practice
    assert values["miles_saved"] == pytest.approx(sum(miles[c.practice_code] for c in avoided))
    assert 50 <= (values["avoidance_rate"] or 0) <= 80


@pytest.mark.parametrize("dimension", list(Dimension), ids=str)
def test_each_breakdown_adds_up_to_the_total(
    year: Store, organisation: Organisation, dimension: Dimension
) -> None:
    [total] = store_report(year, query(organisation), organisation)
    parts = store_report(year, query(organisation, dimension), organisation)
    assert len(parts) > 1
    for key in ("conversations", "would_have_referred", "referrals_avoided", "miles_saved"):
        assert sum(p.values[key] or 0 for p in parts) == pytest.approx(total.values[key])


def test_months_are_the_twelve_of_the_financial_year(
    year: Store, organisation: Organisation
) -> None:
    months = store_report(year, query(organisation, Dimension.MONTH), organisation)
    assert [m.group[0] for m in months] == [
        f"{d:%Y-%m}" for d in (date(2024, m, 1) for m in range(4, 13))
    ] + ["2025-01", "2025-02", "2025-03"]
    first = months[0].values
    assert first["response_median"] is not None and first["response_median"] <= 2.0


def test_workload_counts_each_specialists_answers(year: Store, organisation: Organisation) -> None:
    from collections import Counter

    from bhcp_ag.store.models import Message
    from bhcp_ag.store.reports import store_workload

    rows = store_workload(year, query(organisation))
    start, end = PERIOD.bounds()
    with year.read_session() as session:
        pairs = session.execute(
            select(Message.author_id, Conversation.specialty_code, Message.kind)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(
                Message.author_role == "specialist",
                Message.kind.in_(("advice", "question", "conversion")),
                Message.created_at >= start,
                Message.created_at < end,
            )
        ).all()
    expected = Counter((author, specialty) for author, specialty, _ in pairs)
    assert {(r.author_id, r.specialty_code): r.answers for r in rows} == dict(expected)
    assert [r.answers for r in rows] == sorted((r.answers for r in rows), reverse=True)
    top = rows[0]
    assert top.answers == top.advice + top.questions + top.conversions
    assert top.conversations <= top.answers
    dermatology = store_workload(year, query(organisation, specialty_codes=("330",)))
    assert {r.specialty_code for r in dermatology} == {"330"}


def test_groups_come_in_the_clinics_order(year: Store, organisation: Organisation) -> None:
    by_age = store_report(year, query(organisation, Dimension.AGE_BAND), organisation)
    bands = [row.group[0] for row in by_age]
    assert "5-17" in bands and "18-39" in bands  # text order would put "18-39" first
    assert bands == sorted(bands, key=Dimension.AGE_BAND.sort_key)
    by_priority = store_report(year, query(organisation, Dimension.PRIORITY), organisation)
    # (A&G never replaces a two-week-wait referral: the demo has none.)
    assert [row.group[0] for row in by_priority] == ["ROUTINE", "URGENT"]
