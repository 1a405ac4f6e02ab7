"""What sync reads and writes in the local store: cursor, outbox states, pulled snapshots.

Every function works in the caller's session and never commits: the sync engine owns the
unit of work, so that a pulled page and its cursor, or a push's results and the outbox
states they settle, land together or not at all.

Snapshots are written with SQLAlchemy Core upserts (``INSERT ... ON CONFLICT DO UPDATE``)
as one ``executemany`` per table, never ORM objects per row: a first sync brings tens of
thousands of conversations. The rows are plain dicts keyed by column name, built by the
sync layer from the hub's JSON.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Date,
    Table,
    delete,
    func,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bhcp_ag.store.db import Store
from bhcp_ag.store.models import (
    AppState,
    Attachment,
    AttachmentContent,
    ComposerDraft,
    ComposerFile,
    Conversation,
    HeldBackConversation,
    Message,
    OutboxChange,
    RejectedChange,
    User,
    UTCDateTime,
    utcnow,
)

LAST_USERNAME_KEY = "sync.last_username"
LAST_SYNCED_KEY = "sync.last_synced_at"
HUB_ID_KEY = "sync.hub_id"
HUB_URL_KEY = "sync.hub_url"
HUB_DEMO_KEY = "sync.hub_demo"
_CURSOR_PREFIX = "sync.cursor."
CONTENT_KEY = "sync.content"
"""What the synced conversations hold: "full", or "review" (a practice manager's)."""

Row = dict[str, Any]


# --- app_state: cursor, last username, last synced time ---------------------------------


def read_state(session: Session, key: str) -> str | None:
    return session.scalar(select(AppState.value).where(AppState.key == key))


def write_state(session: Session, key: str, value: str) -> None:
    statement = sqlite_insert(AppState).values(key=key, value=value)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[AppState.key], set_={"value": statement.excluded.value}
        )
    )


def cursor_key(hub_url: str, user_id: str) -> str:
    """The app_state key of the pull cursor of one user at one hub (their scope's cursor)."""
    digest = hashlib.sha256(f"{hub_url.rstrip('/')}|{user_id}".encode()).hexdigest()
    return _CURSOR_PREFIX + digest[:32]


def content_fits(session: Session, content: str) -> bool:
    """True when the store holds ``content`` already (a read: nothing to write); a store
    from before the key held "full"."""
    held = read_state(session, CONTENT_KEY)
    return held == content or (held is None and content == "full")


def fit_store(store: Store, content: str) -> int:
    """:func:`fit_content` in its own transaction, opened only when the store holds the
    other view (a window opening or a sync starting writes nothing otherwise)."""
    with store.read_session() as session:
        if content_fits(session, content):
            return 0
    with store.session() as session:
        return fit_content(session, content)


def fit_content(session: Session, content: str) -> int:
    """Make the store hold only ``content`` ("full" or "review", by the role signing in):
    when it held the other, the synced conversations are dropped (with their messages and
    files) and every pull cursor forgotten, so the next sync pulls the user's own view
    afresh, and the changes the hub has taken are forgotten (their payloads are the
    sender's text). What someone typed stays: drafts, conversations with changes waiting
    to be sent and those with words or files being written. Returns how many were dropped."""
    if content_fits(session, content):
        return 0
    typed = (
        select(Conversation.id).where(Conversation.status == "draft"),
        select(OutboxChange.conversation_id).where(OutboxChange.state == "pending"),
        select(ComposerDraft.conversation_id),
        select(ComposerFile.conversation_id),
    )
    kept = {cid for query in typed for cid in session.scalars(query) if cid is not None}
    dropped = session.scalars(select(Conversation.id).where(Conversation.id.not_in(kept))).all()
    for start in range(0, len(dropped), 500):
        drop_conversations(session, dropped[start : start + 500])
    # Changes the hub has taken are history; their payloads are the sender's full text.
    session.execute(delete(OutboxChange).where(OutboxChange.state == "applied"))
    still_used = select(Attachment.sha256).union(select(ComposerFile.sha256))
    session.execute(delete(AttachmentContent).where(AttachmentContent.sha256.not_in(still_used)))
    session.execute(delete(AppState).where(AppState.key.startswith(_CURSOR_PREFIX)))
    write_state(session, CONTENT_KEY, content)
    return len(dropped)


def last_username(session: Session) -> str | None:
    """Who signed in last on this computer (not a secret: shown in the sign-in dialog)."""
    return read_state(session, LAST_USERNAME_KEY)


def remember_username(session: Session, username: str) -> None:
    write_state(session, LAST_USERNAME_KEY, username)


@dataclass(frozen=True)
class BoundHub:
    """The hub this store syncs with: the first it ever synced with, and none other."""

    hub_id: str
    url: str
    demo: bool


def bound_hub(session: Session) -> BoundHub | None:
    """The hub this store is bound to, or None before its first sync."""
    hub_id = read_state(session, HUB_ID_KEY)
    if not hub_id:
        return None
    return BoundHub(
        hub_id, read_state(session, HUB_URL_KEY) or "", read_state(session, HUB_DEMO_KEY) == "1"
    )


def bind_hub(session: Session, hub: BoundHub) -> None:
    """Bind this store to ``hub`` (or note its address and kind, for the hub it is bound to)."""
    already = read_state(session, HUB_ID_KEY)
    if already and already != hub.hub_id:
        raise ValueError("This store is bound to another hub.")
    write_state(session, HUB_ID_KEY, hub.hub_id)
    write_state(session, HUB_URL_KEY, hub.url)
    write_state(session, HUB_DEMO_KEY, "1" if hub.demo else "0")


def last_synced_at(session: Session) -> datetime | None:
    text = read_state(session, LAST_SYNCED_KEY)
    return datetime.fromisoformat(text) if text else None


# --- the outbox ------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingChange:
    """An outbox change waiting for the hub (a plain copy, safe to pass between threads)."""

    id: str
    seq: int
    kind: str
    conversation_id: str | None
    payload: Mapping[str, Any]
    created_at: datetime


def files_carried(payload: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(SHA-256, file name) of each file an outbox change's payload sends, in its order."""
    return [
        (str(item["sha256"]).lower(), Path(str(item.get("filename") or "attachment")).name)
        for item in payload.get("attachments") or ()
        if isinstance(item, Mapping) and item.get("sha256")
    ]


def by_user(user_id: str | None) -> ColumnElement[bool]:
    """The changes ``user_id`` made (and those queued before changes said who made them);
    None: everybody's."""
    if user_id is None:
        return true()
    return or_(OutboxChange.user_id == user_id, OutboxChange.user_id.is_(None))


def pending_batch(session: Session, limit: int, user_id: str | None) -> list[PendingChange]:
    """The oldest ``limit`` pending changes ``user_id`` made, in outbox order."""
    query = (
        select(OutboxChange)
        .where(OutboxChange.state == "pending", by_user(user_id))
        .order_by(OutboxChange.seq)
        .limit(limit)
    )
    return [
        PendingChange(c.id, c.seq, c.kind, c.conversation_id, json.loads(c.payload), c.created_at)
        for c in session.scalars(query)
    ]


def changes_waiting(session: Session, user_id: str | None = None) -> int:
    """Pending changes ``user_id`` made (None: everybody's)."""
    query = (
        select(func.count())
        .select_from(OutboxChange)
        .where(OutboxChange.state == "pending", by_user(user_id))
    )
    return session.scalar(query) or 0


def pending_conversation_ids(session: Session) -> set[str]:
    query = select(OutboxChange.conversation_id).where(OutboxChange.state == "pending").distinct()
    return {cid for cid in session.scalars(query) if cid is not None}


def note_failed_attempt(session: Session, change_ids: Sequence[str], error: str) -> None:
    """Count a push that did not get through; the changes stay pending."""
    session.execute(
        update(OutboxChange)
        .where(OutboxChange.id.in_(change_ids), OutboxChange.state == "pending")
        .values(attempts=OutboxChange.attempts + 1, last_error=error[:500])
    )


def mark_applied(session: Session, change_ids: Sequence[str]) -> None:
    if change_ids:
        session.execute(
            update(OutboxChange)
            .where(OutboxChange.id.in_(change_ids))
            .values(state="applied", last_error=None)
        )


@dataclass(frozen=True)
class Refusal:
    """The hub's final refusal of one change, and the user's words to keep."""

    change: PendingChange
    code: str | None
    reason: str
    kept_text: str | None = None


def record_rejection(session: Session, refusal: Refusal, now: datetime | None = None) -> None:
    """Mark the change rejected and keep the reason (and any text) for the UI."""
    change = refusal.change
    session.execute(
        update(OutboxChange)
        .where(OutboxChange.id == change.id)
        .values(state="rejected", last_error=refusal.reason[:500])
    )
    statement = sqlite_insert(RejectedChange).values(
        change_id=change.id,
        conversation_id=change.conversation_id,
        kind=change.kind,
        code=refusal.code[:40] if refusal.code else None,
        reason=refusal.reason,
        kept_text=refusal.kept_text,
        rejected_at=now or utcnow(),
    )
    session.execute(statement.on_conflict_do_nothing())


def unseen_rejections(session: Session) -> list[RejectedChange]:
    query = select(RejectedChange).where(RejectedChange.seen_at.is_(None))
    return list(session.scalars(query.order_by(RejectedChange.rejected_at)))


def revert_submit_to_draft(session: Session, conversation_id: str, message_id: str | None) -> None:
    """Undo a refused submit that the hub never stored: a draft again, its form intact."""
    if message_id:
        drop_message(session, message_id)
    session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(
            status="draft",
            submitted_at=None,
            due_at=None,
            first_due_at=None,
            patient_age_band=None,
            updated_at=utcnow(),
        )
    )


def drop_message(session: Session, message_id: str) -> None:
    """Remove a local message the hub refused (its attachments lose their link to it)."""
    session.execute(
        update(Attachment).where(Attachment.message_id == message_id).values(message_id=None)
    )
    session.execute(delete(Message).where(Message.id == message_id))


# --- attachments -----------------------------------------------------------------------


def attachment_content(session: Session, sha256: str) -> tuple[str, bytes] | None:
    """(MIME type, bytes) of a stored attachment, or None when this store lacks it."""
    row = session.execute(
        select(AttachmentContent.mime_type, AttachmentContent.content).where(
            AttachmentContent.sha256 == sha256
        )
    ).first()
    return None if row is None else (row[0], row[1])


def missing_contents(session: Session, sha256s: Iterable[str]) -> set[str]:
    wanted = set(sha256s)
    if not wanted:
        return set()
    query = select(AttachmentContent.sha256).where(AttachmentContent.sha256.in_(wanted))
    return wanted - set(session.scalars(query))


# --- applying snapshots ----------------------------------------------------------------


@dataclass
class SnapshotRows:
    """Pulled or returned snapshots as table rows (every row of a table has the same keys)."""

    users: list[Row] = field(default_factory=list)
    conversations: list[Row] = field(default_factory=list)
    messages: list[Row] = field(default_factory=list)
    attachments: list[Row] = field(default_factory=list)
    contents: list[Row] = field(default_factory=list)

    def only(self, conversation_ids: set[str]) -> SnapshotRows:
        """The same rows for only these conversations (users and contents kept whole)."""
        return SnapshotRows(
            users=self.users,
            conversations=[r for r in self.conversations if r["id"] in conversation_ids],
            messages=[r for r in self.messages if r["conversation_id"] in conversation_ids],
            attachments=[r for r in self.attachments if r["conversation_id"] in conversation_ids],
            contents=self.contents,
        )


def _utc_text(value: datetime | None) -> str | None:
    """An aware time as SQLAlchemy's SQLite ``DateTime`` stores it: naive UTC, microseconds."""
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("Times are stored in UTC: a naive datetime was given.")
    naive = value.astimezone(UTC).replace(tzinfo=None)
    return naive.isoformat(sep=" ", timespec="microseconds")


def _date_text(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _encoder(column: Column[Any]) -> Callable[[Any], Any] | None:
    """How a value of ``column`` is handed to sqlite3, as SQLAlchemy would bind it."""
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return _utc_text
    if isinstance(kind, Date):
        return _date_text
    if isinstance(kind, Boolean):
        return _flag
    return None


def _bulk_sql(table: Table, names: Sequence[str], key: str | None) -> str:
    columns = ", ".join(names)
    marks = ", ".join("?" for _ in names)
    sql = f"INSERT INTO {table.name} ({columns}) VALUES ({marks}) ON CONFLICT"
    if key is None:
        return sql + " DO NOTHING"
    updates = ", ".join(f"{name} = excluded.{name}" for name in names if name != key)
    return sql + f" ({key}) DO UPDATE SET {updates}"


def _bulk(session: Session, table: Table, rows: Sequence[Row], key: str | None) -> None:
    """One ``executemany`` straight to sqlite3: upsert on ``key``, or insert if missing.

    SQLAlchemy's per-row parameter processing costs more than SQLite's own work for a
    page of thousands of rows, so values are encoded here once per column, exactly as
    the column types would bind them (``test_bulk_rows_are_stored_as_the_orm_stores_them``
    checks that they read back the same).
    """
    if not rows:
        return
    names = list(rows[0])
    encoders = [_encoder(table.c[name]) for name in names]
    values = [
        tuple(
            row[name] if encode is None else encode(row[name])
            for name, encode in zip(names, encoders, strict=True)
        )
        for row in rows
    ]
    session.connection().exec_driver_sql(_bulk_sql(table, names, key), values)


def _upsert(session: Session, table: Table, rows: Sequence[Row], key: str) -> None:
    _bulk(session, table, rows, key)


def _insert_missing(session: Session, table: Table, rows: Sequence[Row]) -> None:
    _bulk(session, table, rows, None)


UNKNOWN_USER = "Unknown user (not synced yet)"


def _placeholder_users(rows: SnapshotRows) -> list[Row]:
    """Stand-ins for users a snapshot names but no users list brought (a push's answer
    names a claimer this store has never seen); the next pull brings the real rows."""
    named = {row["requester_id"] for row in rows.conversations}
    named |= {row["claimed_by_id"] for row in rows.conversations if row["claimed_by_id"]}
    named |= {row["author_id"] for row in rows.messages}
    named -= {row["id"] for row in rows.users}
    return [
        {"id": uid, "username": f"unknown:{uid}", "display_name": UNKNOWN_USER, "role": ""}
        | {"practice_code": None, "specialty_codes": ""}
        for uid in sorted(named)
    ]


def _write(session: Session, rows: SnapshotRows) -> None:
    # Parents before children: users, then conversations, messages, contents, attachments.
    _upsert(session, User.__table__, rows.users, "id")  # type: ignore[arg-type]
    _insert_missing(session, User.__table__, _placeholder_users(rows))  # type: ignore[arg-type]
    _upsert(session, Conversation.__table__, rows.conversations, "id")  # type: ignore[arg-type]
    _upsert(session, Message.__table__, rows.messages, "id")  # type: ignore[arg-type]
    _insert_missing(session, AttachmentContent.__table__, rows.contents)  # type: ignore[arg-type]
    _upsert(session, Attachment.__table__, rows.attachments, "id")  # type: ignore[arg-type]


def save_users(session: Session, rows: Sequence[Row]) -> None:
    """Add or update users (the signed-in user at sign-in, say) by id."""
    _upsert(session, User.__table__, rows, "id")  # type: ignore[arg-type]


@dataclass(frozen=True)
class PageApplied:
    applied: int
    held_back: tuple[str, ...]


def drop_conversations(session: Session, conversation_ids: Iterable[str]) -> None:
    """Remove the local copies of conversations this user may no longer see (passed on to
    another specialty), with their messages, files and drafts."""
    ids = sorted(set(conversation_ids))
    if ids:
        session.execute(delete(Conversation).where(Conversation.id.in_(ids)))


def apply_page(
    session: Session,
    rows: SnapshotRows,
    *,
    cursor_key: str,
    next_cursor: str,
    gone: Sequence[str] = (),
) -> PageApplied:
    """Apply one pulled page and store its cursor, in the caller's (one) transaction.

    A conversation with changes still pending in the outbox is not overwritten; it is
    held back, to be fetched again once those changes have been pushed. So is one that
    is ``gone`` with changes pending: the push then says what became of them.
    """
    pending = pending_conversation_ids(session)
    page_ids = {row["id"] for row in rows.conversations}
    held = sorted((page_ids | set(gone)) & pending)
    drop_conversations(session, set(gone) - pending)
    _write(session, rows.only(page_ids - pending))
    if held:
        now = utcnow()
        _insert_missing(
            session,
            HeldBackConversation.__table__,  # type: ignore[arg-type]
            [{"conversation_id": cid, "held_at": now} for cid in held],
        )
    write_state(session, cursor_key, next_cursor)
    return PageApplied(applied=len(page_ids - pending), held_back=tuple(held))


def replace_conversations(session: Session, rows: SnapshotRows) -> None:
    """Make these conversations exactly their snapshots: local-only messages go.

    Used for the snapshot a push returns (it replaces the optimistic local state, whose
    attachment rows had local ids) and for a conversation fetched again.
    """
    ids = [row["id"] for row in rows.conversations]
    if not ids:
        return
    keep_attachments = [row["id"] for row in rows.attachments]
    keep_messages = [row["id"] for row in rows.messages]
    session.execute(
        delete(Attachment).where(
            Attachment.conversation_id.in_(ids), Attachment.id.not_in(keep_attachments)
        )
    )
    session.execute(
        delete(Message).where(Message.conversation_id.in_(ids), Message.id.not_in(keep_messages))
    )
    _write(session, rows)


def held_back_ids(session: Session) -> list[str]:
    """Held-back conversations whose local changes have all been pushed."""
    pending = pending_conversation_ids(session)
    held = session.scalars(select(HeldBackConversation.conversation_id))
    return [cid for cid in held if cid not in pending]


def release_held_back(session: Session, conversation_ids: Sequence[str]) -> None:
    session.execute(
        delete(HeldBackConversation).where(
            HeldBackConversation.conversation_id.in_(conversation_ids)
        )
    )
