"""Conversation snapshots for the sync protocol, as plain JSON-ready dicts.

A pull of a first sync sends tens of thousands of conversations, so snapshots are built
from SQLAlchemy Core rows, never ORM objects: one query for a page's conversations, one
for all their messages, one for all their attachments (with the content's type and size
but never its bytes), one for the users they refer to and one for those users'
specialties. Times are ISO 8601 in UTC (``...Z``), dates ``YYYY-MM-DD``; the shape is
:class:`bhcp_ag.hub.sync_schemas.ConversationSnapshot`. Every column of ``conversations``
goes, the reports' facts (``first_due_at``, ``response_working_days``,
``patient_age_band``) included, so the schema is what names them.

A practice manager is given a review (:mod:`bhcp_ag.domain.minimum`): the same shape with
``content: "review"``, only the review's columns read, the others blank, and no messages
or attachments, so nothing clinical leaves the hub for them.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Select, select
from sqlalchemy.orm import Session

from bhcp_ag.domain.minimum import REVIEW_FIELDS, ContentView
from bhcp_ag.hub.models import (
    Attachment,
    AttachmentContent,
    Conversation,
    Message,
    User,
    UTCDateTime,
    user_specialties,
)

Snapshot = dict[str, Any]

_CONVERSATIONS = Conversation.__table__
_TIMED_TYPES = (UTCDateTime, Date)
_REVIEW_COLUMNS = [c for c in _CONVERSATIONS.c if c.key in REVIEW_FIELDS]
_REVIEW_BLANKS: dict[str, Any] = {
    str(c.key): None if c.nullable else "" for c in _CONVERSATIONS.c if c.key not in REVIEW_FIELDS
}
_MESSAGE_COLUMNS = (
    Message.id,
    Message.conversation_id,
    Message.author_id,
    Message.author_role,
    Message.kind,
    Message.body,
    Message.specialist_outcome,
    Message.recommendation,
    Message.from_specialty_code,
    Message.to_specialty_code,
    Message.responsible_consultant,
    Message.created_at,
)
_ATTACHMENT_COLUMNS = (
    Attachment.id,
    Attachment.conversation_id,
    Attachment.message_id,
    Attachment.sha256,
    Attachment.filename,
    AttachmentContent.mime_type,
    AttachmentContent.size,
    Attachment.created_at,
)


def wire_value(value: object) -> object:
    """A column value as JSON: times in UTC with ``Z``, dates as ISO text."""
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _wire_rows(session: Session, query: Select[*tuple[Any, ...]]) -> Iterator[Snapshot]:
    """The query's rows as dicts, converting only the columns that hold times or dates.

    A first sync turns hundreds of thousands of rows into JSON; looking at the type of a
    value only where its column can hold a time keeps that cheap.
    """
    columns = list(query.selected_columns)
    keys = [str(column.key) for column in columns]
    timed = {i for i, column in enumerate(columns) if isinstance(column.type, _TIMED_TYPES)}
    for row in session.execute(query):
        yield {key: wire_value(row[i]) if i in timed else row[i] for i, key in enumerate(keys)}


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _servable(value: Any) -> Any:
    """``value`` with any lone surrogate replaced by U+FFFD, so that it can be sent."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_servable(item) for item in value]
    if isinstance(value, dict):
        return {_servable(key): _servable(item) for key, item in value.items()}
    return value


def _template_answers(text: str | None) -> dict[str, Any]:
    """The stored answers; a lone surrogate that a hub before the wire's text rule stored
    (escaped in the JSON, ``"\\ud83d"``) is served as U+FFFD rather than failing the
    whole pull of its scope."""
    try:
        answers = json.loads(text or "{}")
    except (ValueError, RecursionError):
        return {}
    if not isinstance(answers, dict):
        return {}
    return _servable(answers) if text and "\\ud" in text.lower() else answers


def _by_conversation(
    session: Session, query: Select[*tuple[Any, ...]]
) -> dict[str, list[Snapshot]]:
    grouped: dict[str, list[Snapshot]] = defaultdict(list)
    for row in _wire_rows(session, query):
        grouped[row.pop("conversation_id")].append(row)
    return grouped


def _messages(session: Session, ids: list[str]) -> dict[str, list[Snapshot]]:
    """The conversations' messages by conversation id, oldest first."""
    query = (
        select(*_MESSAGE_COLUMNS)
        .where(Message.conversation_id.in_(ids))
        .order_by(Message.conversation_id, Message.created_at, Message.id)
    )
    return _by_conversation(session, query)


def _attachments(session: Session, ids: list[str]) -> dict[str, list[Snapshot]]:
    """The conversations' attachments (type and size, not bytes) by conversation id."""
    query = (
        select(*_ATTACHMENT_COLUMNS)
        .join(AttachmentContent, AttachmentContent.sha256 == Attachment.sha256)
        .where(Attachment.conversation_id.in_(ids))
        .order_by(Attachment.conversation_id, Attachment.created_at, Attachment.id)
    )
    return _by_conversation(session, query)


def load_snapshots(
    session: Session,
    conversation_ids: Iterable[str],
    view: ContentView = ContentView.FULL,
) -> dict[str, Snapshot]:
    """Snapshots of the conversations with these ids that exist, by id (five queries at
    most); a review (``view``) reads only its columns, in one query."""
    ids = sorted(set(conversation_ids))
    if not ids:
        return {}
    if view is ContentView.REVIEW:
        return _reviews(session, ids)
    query = select(_CONVERSATIONS).where(_CONVERSATIONS.c.id.in_(ids))
    snapshots = {row["id"]: row for row in _wire_rows(session, query)}
    if not snapshots:
        return {}
    found = list(snapshots)
    messages = _messages(session, found)
    attachments = _attachments(session, found)
    for conversation_id, snapshot in snapshots.items():
        snapshot["template_answers"] = _template_answers(snapshot["template_answers"])
        snapshot["messages"] = messages.get(conversation_id, [])
        snapshot["attachments"] = attachments.get(conversation_id, [])
    return snapshots


def _reviews(session: Session, ids: list[str]) -> dict[str, Snapshot]:
    query = select(*_REVIEW_COLUMNS).where(_CONVERSATIONS.c.id.in_(ids))
    reviews: dict[str, Snapshot] = {}
    for row in _wire_rows(session, query):
        row.update(_REVIEW_BLANKS, template_answers={}, messages=[], attachments=[])
        row["content"] = ContentView.REVIEW.value
        reviews[row["id"]] = row
    return reviews


def referenced_user_ids(snapshots: Iterable[Snapshot]) -> set[str]:
    """Every user the snapshots refer to: requesters, message authors and claimers."""
    ids: set[str] = set()
    for snapshot in snapshots:
        ids.add(snapshot["requester_id"])
        if snapshot["claimed_by_id"]:
            ids.add(snapshot["claimed_by_id"])
        ids.update(message["author_id"] for message in snapshot["messages"])
    return ids


def load_users(session: Session, user_ids: Collection[str]) -> list[Snapshot]:
    """The users with these ids, as the pull sends them (no password, no activity), by id."""
    if not user_ids:
        return []
    ids = sorted(user_ids)
    columns = (User.id, User.username, User.display_name, User.role, User.practice_code)
    rows = session.execute(select(*columns).where(User.id.in_(ids)).order_by(User.id)).mappings()
    users = [{**row, "specialty_codes": []} for row in rows]
    codes = select(user_specialties.c.user_id, user_specialties.c.tfc_code).where(
        user_specialties.c.user_id.in_(ids)
    )
    by_user: dict[str, list[str]] = defaultdict(list)
    for user_id, tfc_code in session.execute(codes.order_by(user_specialties.c.tfc_code)):
        by_user[user_id].append(tfc_code)
    for user in users:
        user["specialty_codes"] = by_user.get(user["id"], [])
    return users
