"""The idle pull, every open desk's check every 30 seconds, writes nothing; a pull that
serves conversations still leaves one audit entry per conversation served, and no change
is missed by a desk whose pulls were idle (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.demo_users import DEMO_GP, DEMO_SPECIALIST
from bhcp_ag.hub.models import AuditEntry
from tests.integration.conftest import Sync


def _audit_rows(database: HubDatabase) -> dict[str, int]:
    with database.transaction() as session:
        rows = session.execute(
            select(AuditEntry.action, func.count()).group_by(AuditEntry.action)
        ).all()
    return {action: count for action, count in rows}


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
