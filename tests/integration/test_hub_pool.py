"""The hub's PostgreSQL pool pings a connection only after it sat unused, and replaces
one the server closed meanwhile (``bhcp_ag.hub.db.PING_AFTER_IDLE_S``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from bhcp_ag.hub import db
from bhcp_ag.hub.db import HubDatabase


@pytest.fixture
def database(postgres_url: str) -> Iterator[HubDatabase]:
    opened = HubDatabase.open(postgres_url, migrate_schema=False)
    yield opened
    opened.close()


def _backend_pid(database: HubDatabase) -> int:
    with database.engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _count_pings(database: HubDatabase, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    pings: list[object] = []
    real = database.engine.dialect.do_ping

    def counted(dbapi_connection: object) -> bool:
        pings.append(dbapi_connection)
        return real(dbapi_connection)

    monkeypatch.setattr(database.engine.dialect, "do_ping", counted)
    return pings


def test_a_connection_in_steady_use_is_not_pinged(
    database: HubDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings = _count_pings(database, monkeypatch)
    first = _backend_pid(database)
    assert [_backend_pid(database) for _ in range(20)] == [first] * 20  # the same connection
    assert pings == []


def test_a_connection_unused_for_a_while_is_pinged_and_one_the_server_closed_replaced(
    database: HubDatabase, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings = _count_pings(database, monkeypatch)
    closed = _backend_pid(database)
    other = create_engine(postgres_url)
    with other.connect() as connection:  # the server ends the pooled connection
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": closed})
    other.dispose()
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)  # everything pooled is "a while" now

    replaced = _backend_pid(database)  # no error reaches the caller

    assert replaced != closed
    assert len(pings) >= 1
