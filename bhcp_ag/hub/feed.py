"""The change feed: every change to a conversation, in an order that pulls can trust.

A pull asks for the changes after its cursor. A plain sequence (or timestamp) cursor
skips changes on PostgreSQL: transaction T1 takes id 7, T2 takes id 8 and commits first,
a pull returns 8 and moves its cursor past 7, and when T1 commits its entry 7 is never
seen. So:

- **PostgreSQL**: each entry records the id of the transaction that wrote it
  (``pg_current_xact_id()``). A pull returns only entries whose transaction id is below
  ``pg_snapshot_xmin(pg_current_snapshot())``: every transaction below that horizon has
  finished, so no entry can still appear behind the cursor. Entries are ordered by
  ``(xid, id)`` and the cursor is the last ``(xid, id)`` returned. A transaction still
  running holds later entries back until it ends; it delays pulls, it never loses a
  change. Read the feed before writing in the pulling transaction: a transaction that
  has written has an xid of its own, which holds its own horizon back until it ends.
- **SQLite**: one writer at a time (the hub begins every transaction ``IMMEDIATE``), so
  ids are handed out in commit order; every entry has ``xid`` 0 and the same ordering
  and cursor work unchanged.

The cursor is opaque text to clients (``"<xid>.<id>"``; ``""`` for the beginning), of
:data:`CURSOR_PATTERN`: at most 18 digits a part, so both fit a 64-bit integer column and
any other text is refused with 400 before it reaches the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Select,
    Text,
    cast,
    func,
    insert,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import Session

from bhcp_ag.hub.models import Conversation, FeedEntry, utcnow

DEFAULT_PAGE = 500
MAX_PAGE = 5000
CURSOR_PATTERN = r"^([0-9]{1,18}\.[0-9]{1,18})?$"
_CURSOR = re.compile(CURSOR_PATTERN)


class BadCursor(ValueError):
    """A cursor this hub did not hand out."""


@dataclass(frozen=True, order=True)
class FeedCursor:
    """A position in the feed: after the entry ``(xid, id)``."""

    xid: int = 0
    id: int = 0

    def __str__(self) -> str:
        return f"{self.xid}.{self.id}"

    @classmethod
    def parse(cls, text: str | None) -> FeedCursor:
        """The cursor a client sent back; empty or None means the beginning."""
        if not text:
            return cls()
        if not _CURSOR.fullmatch(text):
            raise BadCursor(f"{text[:40]!r} is not a cursor this hub handed out.")
        xid, _, entry = text.partition(".")
        return cls(int(xid), int(entry))


@dataclass(frozen=True)
class FeedScope:
    """Which conversations a reader may see: ``everything``, or these practices/specialties."""

    practice_codes: frozenset[str] = frozenset()
    specialty_codes: frozenset[str] = frozenset()
    everything: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.practice_codes or self.specialty_codes)


@dataclass(frozen=True)
class FeedRow:
    """One entry as a pull sees it (a plain value, safe to hand across threads)."""

    xid: int
    id: int
    conversation_id: str
    version: int
    practice_code: str
    specialty_code: str

    @property
    def cursor(self) -> FeedCursor:
        return FeedCursor(self.xid, self.id)


def _dialect(executor: Session | Connection) -> str:
    bind = executor.get_bind() if isinstance(executor, Session) else executor
    return bind.dialect.name


def _current_xid(session: Session) -> object:
    """The writing transaction's id on PostgreSQL (as a bigint), 0 elsewhere."""
    if _dialect(session) == "postgresql":
        return cast(cast(func.pg_current_xact_id(), Text), BigInteger)
    return 0


def append_feed(
    session: Session, conversation: Conversation, *, left_specialty: str | None = None
) -> None:
    """Record that ``conversation`` changed, in the caller's transaction (never commits).

    Call after the change is flushed, so the entry carries the conversation's new version.
    A conversation passed on from ``left_specialty`` gets a second entry in that scope:
    the desks there pull it, find it no longer theirs, and remove their copies.
    """
    session.flush()
    scopes = [conversation.specialty_code]
    if left_specialty is not None and left_specialty != conversation.specialty_code:
        scopes.append(left_specialty)
    for specialty_code in scopes:
        session.execute(
            insert(FeedEntry).values(
                xid=_current_xid(session),
                conversation_id=conversation.id,
                version=conversation.version,
                practice_code=conversation.practice_code,
                specialty_code=specialty_code,
                changed_at=utcnow(),
            )
        )


_FEED = FeedEntry.__table__.c
_ROW = (_FEED.xid, _FEED.id, _FEED.conversation_id, _FEED.version, _FEED.practice_code)


def _scoped(query: Select[Any], scope: FeedScope) -> Select[Any]:
    if scope.everything:
        return query
    conditions = []
    if scope.practice_codes:
        conditions.append(_FEED.practice_code.in_(sorted(scope.practice_codes)))
    if scope.specialty_codes:
        conditions.append(_FEED.specialty_code.in_(sorted(scope.specialty_codes)))
    return query.where(or_(*conditions))


def visible_after(xid: object, entry_id: object, dialect: str) -> list[ColumnElement[bool]]:
    """The conditions on ``feed`` of the entries a pull after the cursor ``(xid, entry_id)``
    (values, or bound parameters) may see now: those after it, and on PostgreSQL only
    those below the horizon (see the module)."""
    conditions = [tuple_(_FEED.xid, _FEED.id) > tuple_(xid, entry_id)]
    if dialect == "postgresql":
        horizon = cast(cast(func.pg_snapshot_xmin(func.pg_current_snapshot()), Text), BigInteger)
        conditions.append(_FEED.xid < horizon)
    return conditions


def read_feed(
    executor: Session | Connection,
    scope: FeedScope,
    cursor: FeedCursor | str | None,
    limit: int = DEFAULT_PAGE,
) -> tuple[list[FeedRow], FeedCursor]:
    """The entries in ``scope`` after ``cursor`` (at most ``limit``), and the next cursor.

    The next cursor is the last entry returned, or ``cursor`` itself when nothing new is
    visible yet. Raises :class:`BadCursor` for a cursor this hub did not hand out. One
    statement: on a connection of :meth:`~bhcp_ag.hub.db.HubDatabase.reading` it reads
    its own snapshot, and the horizon with it.
    """
    after = cursor if isinstance(cursor, FeedCursor) else FeedCursor.parse(cursor)
    if scope.is_empty:
        return [], after
    page = max(1, min(limit, MAX_PAGE))
    query = (
        select(*_ROW, _FEED.specialty_code)
        .where(*visible_after(after.xid, after.id, _dialect(executor)))
        .order_by(_FEED.xid, _FEED.id)
        .limit(page)
    )
    rows = [FeedRow(*entry) for entry in executor.execute(_scoped(query, scope))]
    return rows, (rows[-1].cursor if rows else after)
