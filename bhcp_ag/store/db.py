"""Opening the local store: SQLite pragmas, forward migrations, and refusing a newer store.

The caller owns sessions and transactions; :class:`Store` only hands out sessions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bhcp_ag.paths import STORE_MIGRATIONS_DIR

if TYPE_CHECKING:  # Alembic loads only when a store needs migrating (see STORE_HEAD)
    from alembic.config import Config
    from alembic.script import ScriptDirectory

BUSY_TIMEOUT_MS = 10_000
STORE_HEAD = "0013"
"""The newest migration in ``migrations/store`` (a test holds it to Alembic's head). A
store already there opens without Alembic, whose import is a tenth of the desk's start
(``bench/bench_cold_start.py``); any other store is migrated, or refused, by Alembic."""


class StoreTooNew(RuntimeError):
    """The store was written by a newer version of the app than this one."""


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # A GP's words are saved durably: FULL syncs the WAL at every commit.
    cursor.execute("PRAGMA synchronous=FULL")
    # 64 MB of page cache (the default is 2 MB): a first sync writes pages of 1,000
    # conversations into ten indexes, about a quarter faster with the cache.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def create_sqlite_engine(path: Path) -> Engine:
    """An engine for the store at ``path`` with WAL, foreign keys and a busy timeout.

    Statement parameters are hidden from its errors: they hold patients' details.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{path}", hide_parameters=True)
    event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


def alembic_config(engine_url: str = "") -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(STORE_MIGRATIONS_DIR))
    if engine_url:
        config.set_main_option("sqlalchemy.url", engine_url)
    return config


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _at_head(engine: Engine) -> bool:
    """True when the store's recorded revision is :data:`STORE_HEAD` (plain SQL)."""
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except OperationalError:  # a new store: no such table yet
        return False
    return [row[0] for row in found] == [STORE_HEAD]


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "migrations/ has no revisions"
    return head


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the store to ``revision``, refusing a store newer than this code."""
    if revision == "head" and _at_head(engine):
        return
    from alembic import command
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    current = current_revision(engine)
    if current is not None and not _known(script, current):
        raise StoreTooNew(
            "This store was written by a newer version of bhcp-ag "
            f"(schema {current}); this version knows schemas up to {head_revision()}. "
            "Install the newer version, or open a different store."
        )
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic raises ResolutionError/CommandError for unknown ids
        return False


class Store:
    """The open local store: an engine and a session factory. Migrated when opened."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, path: Path) -> Store:
        engine = create_sqlite_engine(path)
        migrate(engine)
        return cls(engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits if the block succeeds, rolls back if it raises."""
        with self._sessions() as session, session.begin():
            yield session

    def read_session(self) -> Session:
        return self._sessions()

    def close(self) -> None:
        self.engine.dispose()
