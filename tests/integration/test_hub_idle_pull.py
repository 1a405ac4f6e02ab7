"""The idle pull, every open desk's check every 30 seconds, writes nothing; a pull that
serves conversations still leaves one audit entry per conversation served, and no change
is missed by a desk whose pulls were idle (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, event, func, select

from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.demo_users import DEMO_ADMIN, DEMO_GP, DEMO_MANAGER, DEMO_SPECIALIST
from bhcp_ag.hub.models import AuditEntry
from tests.integration.conftest import Sync


def _audit_rows(database: HubDatabase) -> dict[str, int]:
    with database.transaction() as session:
        rows = session.execute(
            select(AuditEntry.action, func.count()).group_by(AuditEntry.action)
        ).all()
    return {action: count for action, count in rows}


@contextmanager
def _statements() -> Iterator[list[str]]:
    """The SQL statements any engine in this process (the hub's) runs in the block."""
    statements: list[str] = []

    def statement(_conn: object, _cursor: object, sql: str, *_args: object) -> None:
        statements.append(sql)

    event.listen(Engine, "before_cursor_execute", statement)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", statement)


def test_idle_pulls_write_nothing_and_the_next_change_is_pulled(
    sync: Sync, hub_db: HubDatabase
) -> None:
    first = sync.request(str(uuid.uuid4()))
    sync.push(DEMO_GP, first)
    seen, cursor = sync.pull(DEMO_SPECIALIST)
    assert first["conversation_id"] in seen
    before = _audit_rows(hub_db)

    for _ in range(25):
        page = sync.pull_page(DEMO_SPECIALIST, cursor)
        assert (page["conversations"], page["gone"], page["next_cursor"]) == ([], [], cursor)
    assert _audit_rows(hub_db) == before  # not a row for 25 idle pulls

    second = sync.request(str(uuid.uuid4()))
    sync.push(DEMO_GP, second)
    after_push = _audit_rows(hub_db)
    page = sync.pull_page(DEMO_SPECIALIST, cursor)
    assert [c["id"] for c in page["conversations"]] == [second["conversation_id"]]
    audited = _audit_rows(hub_db)
    assert audited["sync.pull"] == after_push["sync.pull"] + 1
    assert audited["conversation.read"] == after_push["conversation.read"] + 1


def test_an_idle_pull_is_two_statements_and_no_unit_of_work(sync: Sync) -> None:
    """The token and one look at the feed: no BEGIN, no COMMIT, no write (issue 13)."""
    sync.push(DEMO_GP, sync.request(str(uuid.uuid4())))
    _, cursor = sync.pull(DEMO_GP)  # this also records the token's last use for a minute
    commits: list[object] = []

    def commit(connection: object) -> None:
        commits.append(connection)

    event.listen(Engine, "commit", commit)
    try:
        with _statements() as statements:
            page = sync.pull_page(DEMO_GP, cursor)
    finally:
        event.remove(Engine, "commit", commit)
    assert (page["conversations"], page["next_cursor"]) == ([], cursor)
    assert len(statements) == 1, statements
    assert all(sql.lstrip().upper().startswith("SELECT") for sql in statements), statements
    assert commits == []


@pytest.mark.parametrize("username", [DEMO_GP, DEMO_MANAGER, DEMO_SPECIALIST, DEMO_ADMIN])
def test_every_role_s_idle_check_sees_a_change_in_its_scope(
    sync: Sync,
    add_conversation: Callable[..., str],
    more_users: tuple[str, str, str],  # a cardiologist among them: 320 is someone's
    username: str,
) -> None:
    """The one-statement idle check is the scope rules as SQL: it must never miss a change
    in the caller's scope (and a change outside it is nothing new)."""
    sync.push(DEMO_GP, sync.request(str(uuid.uuid4())))
    _, cursor = sync.pull(username)
    elsewhere = add_conversation("BAY002", "320")  # another practice, to cardiology
    with _statements() as statements:
        page = sync.pull_page(username, cursor)
    if username == DEMO_ADMIN:
        assert [c["id"] for c in page["conversations"]] == [elsewhere]
        cursor = page["next_cursor"]
    else:  # nothing new, and found so by the idle check (a page read would be more)
        assert (page["conversations"], page["next_cursor"]) == ([], cursor)
        assert len(statements) <= (2 if username == DEMO_SPECIALIST else 1), statements
    mine = add_conversation("BAY001", "330")  # every one of the four sees this one
    page = sync.pull_page(username, cursor)
    assert [c["id"] for c in page["conversations"]] == [mine]
