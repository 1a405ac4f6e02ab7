"""Opening the hub's database: engines for SQLite and PostgreSQL, migrations, units of work.

The embedded SQLite database runs in WAL mode with foreign keys on and a busy timeout,
and every transaction starts with ``BEGIN IMMEDIATE``: the hub's requests nearly all
write (the audit log at least), and a deferred transaction that reads first and then
writes fails at once, without waiting, when another writer committed in between.

A database written by a newer hub is refused with :class:`HubDatabaseTooNew`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from bhcp_ag.paths import HUB_MIGRATIONS_DIR

BUSY_TIMEOUT_MS = 10_000
MIGRATION_LOCK_ID = 0x4248_4350  # "BHCP": one hub process migrates at a time
STATEMENT_AT_A_TIME = "bhcp_statement_at_a_time"
"""Execution option of :meth:`HubDatabase.reading`'s connections: no ``BEGIN`` for them.
(On SQLite the driver already runs each statement on its own, ``isolation_level=None``;
on PostgreSQL they are also ``AUTOCOMMIT``.)"""


class HubDatabaseTooNew(RuntimeError):
    """The hub database was migrated by a newer version of the hub than this one."""


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event starts transactions
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _begin_immediate(connection: Connection) -> None:
    if not connection.get_execution_options().get(STATEMENT_AT_A_TIME):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


POOL_SIZE = 40
"""PostgreSQL connections a hub process may keep open: at least one per thread that runs
requests (``HubSettings.request_threads``, 8, and sign-ins' 8); made only as needed.
SQLAlchemy's default pool of 5 (+10 overflow) under load
opened and closed a new connection for about one pull in three (479 for 1,673 pulls)."""
POOL_OVERFLOW = 10
"""More for a moment beyond that (sign-ins hashing in their own lane, say)."""
PING_AFTER_IDLE_S = 10.0
"""A pooled PostgreSQL connection unused this long is pinged before it is handed out.

SQLAlchemy's ``pool_pre_ping`` pings at every checkout: a round trip to the database on
every request, and the idle pull is otherwise two (``bench/bench_hub_load.py``: 327 idle
pulls a second with it, 459 without). A connection in steady use has just answered; one
that sat in the pool may have been closed by the server, a restart or a proxy's timeout
(PgBouncer's ``server_idle_timeout``, say) and is pinged, and replaced if it fails. A
restart under load can still fail the requests already under way, as with any ping: the
pool then replaces every connection older than the failure, and desks retry at their
next sync."""


def _ping_if_idle(engine: Engine) -> None:
    def checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")  # None: a connection made just now
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # the pool retries with a new connection
            raise DisconnectionError("a pooled connection did not answer its ping") from error

    event.listen(engine, "checkin", checked_in)
    event.listen(engine, "checkout", checkout)


def create_hub_engine(database_url: str) -> Engine:
    """An engine for ``database_url`` (``sqlite:///path`` or ``postgresql+psycopg://…``).

    Statement parameters are hidden from every error it raises (``hide_parameters``): they
    hold patients' details, and a database error is logged.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, hide_parameters=True)
        event.listen(engine, "connect", _set_sqlite_pragmas)
        event.listen(engine, "begin", _begin_immediate)
        return engine
    if url.get_backend_name() == "postgresql":
        engine = create_engine(
            url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW, hide_parameters=True
        )
        _ping_if_idle(engine)
        return engine
    raise ValueError(
        f"The hub runs on SQLite or PostgreSQL, not {url.get_backend_name()!r}: give "
        "sqlite:///path/to/hub.sqlite3 or postgresql+psycopg://user@host/database."
    )


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(HUB_MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "migrations/hub has no revisions"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic raises ResolutionError/CommandError for unknown ids
        return False


def check_not_too_new(connection: Connection) -> None:
    """Refuse a database whose schema revision this hub does not know."""
    current = MigrationContext.configure(connection).get_current_revision()
    script = ScriptDirectory.from_config(alembic_config())
    if current is not None and not _known(script, current):
        raise HubDatabaseTooNew(
            "This hub database was migrated by a newer version of bhcp-ag-hub "
            f"(schema {current}); this version knows schemas up to {head_revision()}. "
            "Install the newer version of the hub, or give --database another database."
        )


def run_alembic(engine: Engine, action: str, revision: str) -> None:
    """Run an Alembic command (``upgrade``/``downgrade``) on ``engine`` in one transaction.

    On PostgreSQL an advisory lock makes hub processes starting together migrate in turn.
    """
    config = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        check_not_too_new(connection)
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the hub database to ``revision``, refusing one newer than this code."""
    run_alembic(engine, "upgrade", revision)


class HubDatabase:
    """The open hub database: an engine and a session factory."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, database_url: str, *, migrate_schema: bool = True) -> HubDatabase:
        """Connect to ``database_url``, migrating it to head unless told not to."""
        engine = create_hub_engine(database_url)
        try:
            if migrate_schema:
                migrate(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work: commits if the block succeeds, rolls back if it raises."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection whose every statement runs (and commits) on its own: no ``BEGIN``,
        no ``COMMIT``, each statement reading from its own snapshot of the database.

        For the idle pull, the hub's most frequent request: the caller's token and a
        look at the feed are two statements, where a unit of work of its own for each
        would add a ``BEGIN`` and a ``COMMIT`` round trip to the database apiece.
        """
        options: dict[str, Any] = {STATEMENT_AT_A_TIME: True}
        if self.dialect == "postgresql":
            options["isolation_level"] = "AUTOCOMMIT"
        with self.engine.connect().execution_options(**options) as connection:
            yield connection

    def session(self) -> Session:
        """A session the caller commits or rolls back itself."""
        return self._sessions()

    def close(self) -> None:
        self.engine.dispose()
