"""The change feed: scope, paging and cursors on both databases, and no skipped change on
PostgreSQL when two transactions commit in the reverse of the order they wrote."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.feed import BadCursor, FeedCursor, FeedScope, append_feed, read_feed
from bhcp_ag.hub.models import Conversation, FeedEntry

EVERYTHING = FeedScope(everything=True)


def _pull(database: HubDatabase, scope: FeedScope, cursor: FeedCursor, limit: int = 500):
    with database.transaction() as session:
        return read_feed(session, scope, cursor, limit)


def _change(session: Session, conversation_id: str, status: str) -> None:
    conversation = session.get(Conversation, conversation_id)
    assert conversation is not None
    conversation.status = status
    append_feed(session, conversation)


def test_pulls_page_through_the_feed_in_order(
    hub_db: HubDatabase, add_conversation: Callable[..., str]
) -> None:
    ids = [add_conversation() for _ in range(5)]
    first, cursor = _pull(hub_db, EVERYTHING, FeedCursor(), limit=2)
    second, cursor = _pull(hub_db, EVERYTHING, cursor, limit=2)
    third, cursor = _pull(hub_db, EVERYTHING, cursor, limit=2)
    empty, same = _pull(hub_db, EVERYTHING, cursor, limit=2)
    assert [r.conversation_id for r in first + second + third] == ids
    assert (empty, same) == ([], cursor)
    assert FeedCursor.parse(str(cursor)) == cursor


def test_each_change_is_an_entry_with_the_new_version(
    hub_db: HubDatabase, add_conversation: Callable[..., str]
) -> None:
    conversation_id = add_conversation()
    _, cursor = _pull(hub_db, EVERYTHING, FeedCursor())
    with hub_db.transaction() as session:
        _change(session, conversation_id, "advice_returned")
    [row], _ = _pull(hub_db, EVERYTHING, cursor)
    assert (row.conversation_id, row.version) == (conversation_id, 2)


def test_pulls_see_only_their_scope(
    hub_db: HubDatabase, add_conversation: Callable[..., str]
) -> None:
    ours = add_conversation("BAY001", "330")
    theirs = add_conversation("BAY002", "410")
    add_conversation("BAY003", "320")

    def seen(scope: FeedScope) -> set[str]:
        return {row.conversation_id for row in _pull(hub_db, scope, FeedCursor())[0]}

    assert seen(FeedScope(practice_codes=frozenset({"BAY001"}))) == {ours}
    assert seen(FeedScope(specialty_codes=frozenset({"330", "410"}))) == {ours, theirs}
    assert seen(FeedScope()) == set()


def test_a_made_up_cursor_is_refused() -> None:
    for text in ("7", "a.b", "1.2.3", "-1.2", "١.٢"):
        with pytest.raises(BadCursor):
            FeedCursor.parse(text)
    assert FeedCursor.parse("") == FeedCursor() == FeedCursor.parse(None)


def test_no_change_is_skipped_when_transactions_commit_out_of_order(
    postgres_url: str, conversation_writer: Callable[..., str]
) -> None:
    insert_conversation = conversation_writer

    database = HubDatabase.open(postgres_url, migrate_schema=False)
    try:
        first_id, second_id = insert_conversation(database), insert_conversation(database)
        _, cursor = _pull(database, EVERYTHING, FeedCursor())
        t1, t2 = database.session(), database.session()  # two connections
        t1.begin()
        _change(t1, first_id, "advice_returned")  # T1 writes first: the lower xid and id
        with t2.begin():
            _change(t2, second_id, "more_info_requested")  # T2 writes later, commits first
        early, early_cursor = _pull(database, EVERYTHING, cursor)
        assert early == [] and early_cursor == cursor  # T2's entry waits behind open T1
        t1.commit()
        late, _ = _pull(database, EVERYTHING, early_cursor)
        assert [r.conversation_id for r in late] == [first_id, second_id]
        assert late[0].xid < late[1].xid
        t1.close()
        t2.close()
    finally:
        database.close()


def test_a_naive_id_cursor_would_have_skipped_that_change(
    postgres_url: str, conversation_writer: Callable[..., str]
) -> None:
    """The same interleaving, read by id alone, loses T1's entry (why the feed has xid)."""
    insert_conversation = conversation_writer

    database = HubDatabase.open(postgres_url, migrate_schema=False)
    try:
        first_id, second_id = insert_conversation(database), insert_conversation(database)
        with database.transaction() as session:
            last_id = session.scalar(select(FeedEntry.id).order_by(FeedEntry.id.desc()).limit(1))
        t1 = database.session()
        t1.begin()
        _change(t1, first_id, "advice_returned")
        with database.transaction() as t2:
            _change(t2, second_id, "more_info_requested")
        with database.transaction() as reader:
            naive = reader.scalars(select(FeedEntry).where(FeedEntry.id > last_id)).all()
            naive_cursor = max(entry.id for entry in naive)
        t1.commit()
        t1.close()
        with database.transaction() as reader:
            after = reader.scalars(select(FeedEntry).where(FeedEntry.id > naive_cursor)).all()
        assert [e.conversation_id for e in naive] == [second_id]
        assert after == []  # T1's entry has an id below the naive cursor: skipped for ever
    finally:
        database.close()
