"""Demo conversations at the hub: the same Bay year the desktop's demo data holds.

:func:`load_demo_conversations` plans the year with
:func:`bhcp_ag.domain.demo.plan_demo_year` (pure and deterministic: the same arguments
give the same ids and rows as ``bhcp-ag demo-data``), or a year the scheme published
with exactly its figures (:func:`~bhcp_ag.domain.demo.plan_scheme_year`, ``bhcp-ag-hub
demo --year 2016/17``: its times lie years in the past, which the hub takes as they are),
and writes it into the hub's tables:

- the generated GPs and specialists, as users who cannot sign in: they share the Argon2id
  hash of a random secret that is thrown away, so a sign-in as one of them fails exactly
  like a wrong password, in the same time;
- the submitted conversations (version 1) with their messages; the demo GP's drafts stay
  out, as a hub only ever receives a request when it is sent;
- one feed entry per conversation, as :func:`bhcp_ag.hub.feed.append_feed` records a
  change (this transaction's id on PostgreSQL, 0 on SQLite), so clients pull them.

It refuses (:class:`DemoConversationsRefused`) a hub that already holds conversations, or
one without the demo accounts (``bhcp-ag-hub demo`` seeds them; the planned rows refer to
``demo.gp`` and ``demo.specialist`` by their stable ids). It never commits: the caller owns
the transaction. Rows go in large batches: the driver's ``executemany`` on SQLite, Core
``insert`` on PostgreSQL, and the feed in one ``INSERT … SELECT``.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    Connection,
    Date,
    Dialect,
    Table,
    Text,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bhcp_ag.domain.conversation import Status
from bhcp_ag.domain.demo import (
    DEMO_GP,
    DEMO_SPECIALIST,
    DemoSummary,
    SchemeYear,
    plan_demo_year,
    plan_scheme_year,
    user_id,
)
from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.organisation import User as Person
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.hub.models import (
    Conversation,
    FeedEntry,
    Message,
    User,
    UTCDateTime,
    user_specialties,
    utcnow,
)
from bhcp_ag.hub.security import Passwords

DEMO_CONVERSATIONS = 5000
BATCH_ROWS = 20_000
_DRAFT = Status.DRAFT.value

Row = dict[str, Any]
Writer = Callable[[Any], Any] | None


class DemoConversationsRefused(RuntimeError):
    """The hub cannot take the demo conversations; the message says why and what to do."""


def load_demo_conversations(
    session: Session,
    *,
    conversations: int = DEMO_CONVERSATIONS,
    seed: int = 2017,
    end: date | None = None,
    organisation: Organisation | None = None,
    catalogue: SpecialtyCatalogue | None = None,
    targets: ResponseTargets | None = None,
    passwords: Passwords | None = None,
    now: datetime | None = None,
    year: SchemeYear | None = None,
) -> DemoSummary:
    """Load a Bay year of demo conversations ending at ``end`` (default: today in London).

    ``conversations`` counts as for the desktop's demo data, drafts included, so the hub
    gets the same submitted conversations; the summary counts what the hub was given.
    ``now`` is when the users and feed entries are recorded (default: the current time).
    With ``year`` (not with ``end``), the scheme's published year instead
    (:func:`~bhcp_ag.domain.demo.plan_scheme_year`): exactly its counts, all in the past
    and every conversation ended; ``conversations`` is then ignored.
    """
    if year is not None and end is not None:
        raise ValueError("A published year has its own end; give a year or an end, not both.")
    _refuse_unless_ready(session)
    references: dict[str, Any] = {
        "organisation": organisation,
        "catalogue": catalogue,
        "targets": targets,
    }
    if year is not None:
        plan = plan_scheme_year(year, seed=seed, **references)
    else:
        plan = plan_demo_year(conversations=conversations, seed=seed, end=end, **references)
    sent = [row for row in plan.conversations if row["status"] != _DRAFT]
    plan = dataclasses.replace(plan, conversations=sent)
    now = now or utcnow()
    _add_staff(session, plan.people, passwords or Passwords(), now)
    _insert(session, cast(Table, Conversation.__table__), sent, {"version": 1})
    _insert(session, cast(Table, Message.__table__), plan.messages)
    _append_feed_for_all(session, now)
    return plan.summary()


def _refuse_unless_ready(session: Session) -> None:
    existing = session.scalar(select(func.count()).select_from(Conversation)) or 0
    if existing:
        raise DemoConversationsRefused(
            f"This hub already holds {existing:,} conversations; demo conversations are only "
            "loaded into a hub that has none. Use a new hub database for the demo."
        )
    wanted = {user_id(DEMO_GP), user_id(DEMO_SPECIALIST)}
    found = set(session.scalars(select(User.id).where(User.id.in_(wanted))))
    if found != wanted:
        raise DemoConversationsRefused(
            "This hub has no demo accounts, which the demo conversations belong to; seed them "
            "first (bhcp-ag-hub demo)."
        )


def _add_staff(
    session: Session, people: Sequence[Person], passwords: Passwords, now: datetime
) -> None:
    """Add the generated GPs and specialists not yet at the hub, unable to sign in."""
    ids = {user_id(person.username): person for person in people}
    known = set(session.scalars(select(User.id).where(User.id.in_(list(ids)))))
    new = {uid: person.validate() for uid, person in ids.items() if uid not in known}
    if not new:
        return
    unusable = passwords.hash(secrets.token_urlsafe(32))  # the secret is never kept
    users = [
        {
            "id": uid,
            "username": person.username,
            "display_name": person.display_name,
            "role": str(person.role),
            "practice_code": person.practice_code or None,
            "password_hash": unusable,
            "active": True,
            "created_at": now,
            "password_changed_at": now,
        }
        for uid, person in new.items()
    ]
    session.execute(insert(User), users)
    links = [
        {"user_id": uid, "tfc_code": code}
        for uid, person in new.items()
        for code in person.specialty_codes
    ]
    if links:
        session.execute(insert(user_specialties), links)


def _current_xid(session: Session) -> ColumnElement[Any]:
    """This transaction's id on PostgreSQL, 0 elsewhere (as ``append_feed`` records it)."""
    if session.get_bind().dialect.name == "postgresql":
        return sql_cast(sql_cast(func.pg_current_xact_id(), Text), BigInteger)
    return literal(0, BigInteger)


def _append_feed_for_all(session: Session, now: datetime) -> None:
    """One feed entry per conversation, oldest first, in one statement."""
    c = Conversation.__table__.c
    source = select(
        _current_xid(session),
        c.id,
        c.version,
        c.practice_code,
        c.specialty_code,
        literal(now, UTCDateTime()),
    ).order_by(c.id)
    columns = ["xid", "conversation_id", "version", "practice_code", "specialty_code", "changed_at"]
    session.execute(insert(FeedEntry).from_select(columns, source))


# --- fast inserts ----------------------------------------------------------------------------


def _insert(
    session: Session, table: Table, rows: Sequence[Row], constants: Row | None = None
) -> None:
    """Insert ``rows`` in large batches, ordered by id, with ``constants`` in every row.

    ``constants`` are plain values the driver takes as they are (a version number). On
    SQLite the rows' values are converted with the columns' own bind processors (or
    checked faster equivalents for times and dates) and written with the driver's
    ``executemany`` on the session's connection, inside its transaction; other databases
    get Core inserts.
    """
    if not rows:
        return
    rows = sorted(rows, key=itemgetter("id"))  # time-ordered ids: append-mostly indexes
    constants = constants or {}
    connection = session.connection()
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        _copy(connection, table, rows, constants)
        return
    if connection.dialect.name != "sqlite":
        for start in range(0, len(rows), BATCH_ROWS):
            batch = [{**row, **constants} for row in rows[start : start + BATCH_ROWS]]
            session.execute(insert(table), batch)
        return
    columns = [column for column in table.columns if column.name not in constants]
    writers = _column_writers(columns, connection.dialect, rows)
    names = [column.name for column in columns] + list(constants)
    converted = [(index, writer) for index, writer in enumerate(writers) if writer]
    values_of, tail = itemgetter(*(column.name for column in columns)), list(constants.values())
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    dbapi_connection = connection.connection.dbapi_connection
    assert dbapi_connection is not None
    cursor = dbapi_connection.cursor()  # the session's own connection and transaction
    try:
        for start in range(0, len(rows), BATCH_ROWS):
            values = [[*values_of(row), *tail] for row in rows[start : start + BATCH_ROWS]]
            for index, writer in converted:
                for row_values in values:
                    row_values[index] = writer(row_values[index])
            cursor.executemany(sql, values)
    finally:
        cursor.close()


def _copy(connection: Connection, table: Table, rows: Sequence[Row], constants: Row) -> None:
    """Stream ``rows`` into ``table`` with PostgreSQL's ``COPY`` (several times faster).

    Times are aware datetimes in UTC already, which is what the column type would bind.
    """
    names = [column.name for column in table.columns if column.name not in constants]
    values_of, tail = itemgetter(*names), tuple(constants.values())
    columns = ", ".join(names + list(constants))
    dbapi_connection = connection.connection.dbapi_connection
    assert dbapi_connection is not None
    cursor: Any = dbapi_connection.cursor()  # psycopg's, in the session's transaction
    with cursor, cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(values_of(row) + tail)


def _column_writers(columns: Sequence[Any], dialect: Dialect, rows: Sequence[Row]) -> list[Writer]:
    """How to turn each column's value into what the driver stores (None: as it is).

    Times and dates get fast writers, each checked against the column type's own bind
    processor on a sample value, so the stored text is exactly what SQLAlchemy writes.
    """
    writers: list[Writer] = []
    for column in columns:
        processor: Writer = column.type.dialect_impl(dialect).bind_processor(dialect)
        fast = _FAST_WRITERS.get(type(column.type))
        if fast is not None and processor is not None:
            sample = next((row[column.name] for row in rows if row[column.name]), None)
            if sample is None or processor(sample) == fast(sample):
                processor = fast
        writers.append(processor)
    return writers


def _utc_text(moment: datetime | None) -> str | None:
    """An aware datetime as SQLite keeps naive UTC: '2025-03-04 10:15:00.000000'."""
    if moment is None:
        return None
    t = moment.astimezone(UTC)
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % (  # noqa: UP031 (twice as fast here)
        t.year, t.month, t.day, t.hour, t.minute, t.second, t.microsecond
    )  # fmt: skip


def _date_text(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


_FAST_WRITERS: dict[type, Callable[[Any], Any]] = {UTCDateTime: _utc_text, Date: _date_text}
