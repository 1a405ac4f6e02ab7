"""Demo data in the desktop store: a Bay year of Advice and Guidance conversations.

The year is planned by :func:`bhcp_ag.domain.demo.plan_demo_year` (pure, deterministic:
the same arguments give the same rows, here and at the hub); this module writes it.
:func:`generate_demo_data` fills an empty store with the plan's conversations, messages
and generated staff, besides the reference data and the demo users.

Speed matters (100,000 conversations and about 375,000 messages): the planned rows are
plain dicts, written in one transaction in large batches with the driver's
``executemany`` on SQLite (Core ``insert`` elsewhere), never an ORM object per row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Date, Dialect, Engine, Table, delete, func, insert, select
from sqlalchemy.orm import Session

from bhcp_ag.domain import clock
from bhcp_ag.domain.demo import DemoSummary, plan_demo_year
from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import (
    Attachment,
    AttachmentContent,
    Conversation,
    HeldBackConversation,
    Message,
    OutboxChange,
    RejectedChange,
    UTCDateTime,
)
from bhcp_ag.store.reference import seed_reference_data, upsert_users

__all__ = ["BATCH_ROWS", "DemoDataRefused", "DemoSummary", "generate_demo_data"]

BATCH_ROWS = 20_000


class DemoDataRefused(RuntimeError):
    """The store already holds conversations, and replacing them was not asked for."""


def generate_demo_data(
    store_or_engine: Store | Engine,
    *,
    conversations: int = 5000,
    seed: int = 2017,
    end: date | None = None,
    organisation: Organisation | None = None,
    catalogue: SpecialtyCatalogue | None = None,
    targets: ResponseTargets | None = None,
    replace: bool = False,
) -> DemoSummary:
    """Write a Bay year of ``conversations`` demo conversations ending at ``end``.

    ``end`` defaults to today in London. Refuses (:class:`DemoDataRefused`) a store that
    already holds conversations unless ``replace`` is true, which deletes them (with their
    messages, attachments, queued and rejected changes) first. Also adds the reference data, the
    demo users and the generated GPs and specialists. One transaction; prints nothing.
    """
    organisation = organisation or Organisation.load()
    catalogue = catalogue or SpecialtyCatalogue.load()
    end = end or datetime.now(clock.LONDON).date()
    engine = store_or_engine.engine if isinstance(store_or_engine, Store) else store_or_engine
    with Session(engine) as session, session.begin():
        _make_room(session, replace)
        seed_reference_data(session, organisation, catalogue)
        plan = plan_demo_year(
            conversations=conversations,
            seed=seed,
            end=end,
            organisation=organisation,
            catalogue=catalogue,
            targets=targets,
        )
        upsert_users(session, plan.people)
        _insert(session, cast(Table, Conversation.__table__), plan.conversations)
        _insert(session, cast(Table, Message.__table__), plan.messages)
    return plan.summary()


def _make_room(session: Session, replace: bool) -> None:
    existing = session.scalar(select(func.count()).select_from(Conversation)) or 0
    if not existing:
        return
    if not replace:
        raise DemoDataRefused(
            f"This store already holds {existing:,} conversations; demo data is only "
            "generated into an empty store. Use a new store, or replace them "
            "(replace=True deletes every conversation in this store first)."
        )
    session.execute(delete(Attachment))
    session.execute(delete(AttachmentContent))
    session.execute(delete(Message))
    session.execute(delete(OutboxChange).where(OutboxChange.conversation_id.is_not(None)))
    session.execute(delete(RejectedChange).where(RejectedChange.conversation_id.is_not(None)))
    session.execute(delete(HeldBackConversation))
    session.execute(delete(Conversation))


def _insert(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` in large batches without an ORM object (or Core overhead) per row.

    On SQLite the values are converted with the columns' own bind processors (or checked
    faster equivalents) and written with the driver's ``executemany`` on the session's
    connection, inside its transaction; other databases get a Core ``insert``.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite" or not rows:
        for start in range(0, len(rows), BATCH_ROWS):
            session.execute(insert(table), rows[start : start + BATCH_ROWS])
        return
    rows = sorted(rows, key=itemgetter("id"))  # time-ordered ids: append-mostly indexes
    writers = _column_writers(table, connection.dialect, rows)
    names = [name for name, _ in writers]
    converted = [(index, writer) for index, (_, writer) in enumerate(writers) if writer]
    values_of = itemgetter(*names)
    columns = ", ".join(names)
    sql = f"INSERT INTO {table.name} ({columns}) VALUES ({', '.join('?' * len(names))})"
    dbapi_connection = connection.connection.dbapi_connection
    assert dbapi_connection is not None
    cursor = dbapi_connection.cursor()  # the session's own connection and transaction
    try:
        for start in range(0, len(rows), BATCH_ROWS):
            values = [list(values_of(row)) for row in rows[start : start + BATCH_ROWS]]
            for index, writer in converted:
                for row_values in values:
                    row_values[index] = writer(row_values[index])
            cursor.executemany(sql, values)
    finally:
        cursor.close()


Writer = Callable[[Any], Any] | None


def _column_writers(
    table: Table, dialect: Dialect, rows: Sequence[dict[str, Any]]
) -> list[tuple[str, Writer]]:
    """Each column's name and how to turn a value into what the driver stores.

    Dates and times get fast writers, each checked against the column type's own bind
    processor on the first value, so the stored text is exactly what SQLAlchemy writes.
    """
    writers: list[tuple[str, Writer]] = []
    for column in table.columns:
        processor: Writer = column.type.dialect_impl(dialect).bind_processor(dialect)
        fast = _FAST_WRITERS.get(type(column.type))
        if fast is not None and processor is not None:
            sample = next((row[column.name] for row in rows if row[column.name]), None)
            if sample is None or processor(sample) == fast(sample):
                processor = fast
        writers.append((column.name, processor))
    return writers


def _utc_text(moment: datetime | None) -> str | None:
    """An aware datetime as SQLite stores naive UTC: '2025-03-04 10:15:00.000000'."""
    if moment is None:
        return None
    t = moment.astimezone(UTC)
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % (  # noqa: UP031 (twice as fast here)
        t.year, t.month, t.day, t.hour, t.minute, t.second, t.microsecond
    )  # fmt: skip


def _date_text(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


_FAST_WRITERS: dict[type, Callable[[Any], Any]] = {UTCDateTime: _utc_text, Date: _date_text}
