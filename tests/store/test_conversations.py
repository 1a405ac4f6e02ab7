"""The conversation list's SQL: filters and sort orders agree with the stored rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bhcp_ag.store.conversations import (
    ConversationFilter,
    SortKey,
    count,
    list_ids,
    pending_changes,
    record_change,
    rows_by_id,
)
from bhcp_ag.store.db import Store
from bhcp_ag.store.demo import generate_demo_data
from bhcp_ag.store.models import Conversation, Specialty

END = date(2026, 11, 20)


@pytest.fixture(scope="module")
def demo_store(
    make_store: Callable[[Path], Store], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """One demo store for the module: these tests only read it."""
    store = make_store(tmp_path_factory.mktemp("demo") / "store.sqlite3")
    generate_demo_data(store, conversations=600, seed=11, end=END)
    yield store
    store.close()


def _all(store: Store) -> list[Conversation]:
    with store.read_session() as session:
        return list(session.scalars(select(Conversation)))


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort", list(SortKey))
def test_every_sort_order_is_the_order_of_its_column(
    demo_store: Store, sort: SortKey, descending: bool
) -> None:
    with demo_store.read_session() as session:
        ids = list_ids(session, ConversationFilter(), sort, descending)
        names = dict(session.execute(select(Specialty.tfc_code, Specialty.short_name)).all())
    by_id = {c.id: c for c in _all(demo_store)}
    assert sorted(ids) == sorted(by_id)
    attribute = {
        SortKey.UPDATED: "updated_at",
        SortKey.DUE: "due_at",
        SortKey.SUBMITTED: "submitted_at",
        SortKey.STATUS: "status",
        SortKey.PRIORITY: "priority",
        SortKey.PATIENT: "patient_nhs_number",
    }.get(sort)

    def key(conversation_id: str) -> object:
        conv = by_id[conversation_id]
        return names[conv.specialty_code] if attribute is None else getattr(conv, attribute)

    values = [key(i) for i in ids]
    present = [v for v in values if v is not None]
    # Missing values (a draft has no due time) come last in both directions.
    assert values == present + [None] * (len(values) - len(present))
    assert present == sorted(present, reverse=descending)


def test_filters_select_exactly_the_matching_rows(demo_store: Store) -> None:
    everything = _all(demo_store)
    practice = everything[0].practice_code
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    cases = [
        (ConversationFilter(practice_code=practice), lambda c: c.practice_code == practice),
        (
            ConversationFilter(specialty_codes=("330", "410")),
            lambda c: c.specialty_code in ("330", "410"),
        ),
        (
            ConversationFilter(statuses=("awaiting_specialist",)),
            lambda c: c.status == "awaiting_specialist",
        ),
        (ConversationFilter(overdue_at=now), lambda c: c.due_at is not None and c.due_at < now),
    ]
    for flt, matches in cases:
        expected = {c.id for c in everything if matches(c)}
        assert expected, f"the demo data should hold rows for {flt}"
        with demo_store.read_session() as session:
            assert set(list_ids(session, flt)) == expected
            assert count(session, flt) == len(expected)


def test_text_search_matches_nhs_number_prefix_or_words_of_the_question(
    demo_store: Store,
) -> None:
    target = _all(demo_store)[5]
    with demo_store.read_session() as session:
        by_number = list_ids(session, ConversationFilter(text=target.patient_nhs_number[:6]))
        spaced = f"{target.patient_nhs_number[:3]} {target.patient_nhs_number[3:6]}"
        assert list_ids(session, ConversationFilter(text=spaced)) == by_number
        word = target.question.split()[1]
        by_word = list_ids(session, ConversationFilter(text=word.upper()))
        assert list_ids(session, ConversationFilter(text="100%_no_such")) == []
    assert target.id in by_number and target.id in by_word


def test_rows_by_id_returns_frozen_rows_with_names(demo_store: Store) -> None:
    with demo_store.read_session() as session:
        ids = list_ids(session, ConversationFilter(), SortKey.DUE)[:50]
        rows = rows_by_id(session, ids)
    assert set(rows) == set(ids)
    row = rows[ids[0]]
    assert row.specialty_name and row.requester_name
    with pytest.raises(AttributeError):
        row.status = "closed"  # type: ignore[misc]


def test_outbox_changes_keep_their_order_and_unique_ids(seeded_store: Store) -> None:
    with seeded_store.session() as session:
        first = record_change(session, "conversation.submit", {"a": 1}, conversation_id=None)
        second = record_change(session, "conversation.submit", {"a": 2}, conversation_id=None)
    with seeded_store.read_session() as session:
        pending = pending_changes(session)
    assert [c.id for c in pending] == [first.id, second.id]
    assert [c.seq for c in pending] == [1, 2]
    assert first.id != second.id
