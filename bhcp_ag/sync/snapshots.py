"""The hub's conversation snapshots as rows of the local store, built in bulk.

A snapshot (``docs/sync-protocol.md``) has every column of the client's conversation,
plus its messages and attachment details; the users a page mentions come beside it.
Each becomes a plain dict keyed by column name, the same keys for every row of a table,
so the store writes a page with one ``executemany`` per table. Fields the client does
not keep (``version``) are ignored; missing optional ones become None.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from bhcp_ag.store.models import utcnow
from bhcp_ag.store.sync_state import Row, SnapshotRows
from bhcp_ag.sync.errors import ProtocolMismatch
from bhcp_ag.sync.wire import Json, parse_time

_REQUIRED = ("id", "practice_code", "requester_id", "specialty_code", "priority", "status")
_TEXTS = (
    "patient_nhs_number",
    "patient_family_name",
    "patient_given_name",
    "question",
    "clinical_summary",
    "medication",
    "results",
)
_OPTIONAL = (
    "patient_sex",
    "would_have_referred",
    "convert_authorisation",
    "claimed_by_id",
    "specialist_outcome",
    "recommendation",
    "closing_outcome",
    "advice_useful",
    "form_specialty_code",
    "referral_avoided",
    "patient_age_band",
)
_TIMES = (
    "submitted_at",
    "due_at",
    "first_response_at",
    "closed_at",
    "claimed_at",
    "first_due_at",
)


def _template_answers(value: Any) -> str:
    # Every hub answer carries the answers as a JSON object (docs/sync-protocol.md).
    return json.dumps(value or {}, sort_keys=True)


def _date(value: Any) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def conversation_row(snapshot: Json) -> Row:
    """The ``conversations`` row of one snapshot."""
    try:
        row: Row = {name: str(snapshot[name]) for name in _REQUIRED}
    except KeyError as missing:
        raise ProtocolMismatch(f"A pulled conversation has no {missing}.", "bad_answer") from None
    for name in _TEXTS:
        row[name] = snapshot.get(name) or ""
    for name in _OPTIONAL:
        row[name] = snapshot.get(name)
    row["patient_birth_date"] = _date(snapshot.get("patient_birth_date"))
    row["template_answers"] = _template_answers(snapshot.get("template_answers"))
    created = parse_time(snapshot.get("created_at")) or utcnow()
    row["created_at"] = created
    row["updated_at"] = parse_time(snapshot.get("updated_at")) or created
    for name in _TIMES:
        row[name] = parse_time(snapshot.get(name))
    row["response_working_days"] = _number(snapshot.get("response_working_days"))
    return row


def message_row(conversation_id: str, message: Json) -> Row:
    return {
        "id": str(message["id"]),
        "conversation_id": conversation_id,
        "author_id": str(message["author_id"]),
        "author_role": str(message.get("author_role") or ""),
        "kind": str(message.get("kind") or ""),
        "body": message.get("body") or "",
        "specialist_outcome": message.get("specialist_outcome"),
        "recommendation": message.get("recommendation"),
        "from_specialty_code": message.get("from_specialty_code"),
        "to_specialty_code": message.get("to_specialty_code"),
        "responsible_consultant": message.get("responsible_consultant"),
        "created_at": parse_time(message.get("created_at")) or utcnow(),
    }


def attachment_row(conversation_id: str, attachment: Json) -> Row:
    return {
        "id": str(attachment["id"]),
        "conversation_id": conversation_id,
        "message_id": attachment.get("message_id"),
        "sha256": str(attachment["sha256"]).lower(),
        "filename": str(attachment.get("filename") or "attachment"),
        "created_at": parse_time(attachment.get("created_at")) or utcnow(),
    }


def user_row(user: Json) -> Row:
    return {
        "id": str(user["id"]),
        "username": str(user["username"]),
        "display_name": str(user.get("display_name") or user["username"]),
        "role": str(user.get("role") or ""),
        "practice_code": user.get("practice_code"),
        "specialty_codes": ",".join(user.get("specialty_codes") or ()),
    }


def snapshot_rows(conversations: Iterable[Json], users: Iterable[Json] = ()) -> SnapshotRows:
    """Rows for every table from snapshots and the users they mention (no contents yet)."""
    rows = SnapshotRows(users=[user_row(user) for user in users])
    try:
        for snapshot in conversations:
            conversation = conversation_row(snapshot)
            cid = conversation["id"]
            rows.conversations.append(conversation)
            rows.messages.extend(message_row(cid, m) for m in snapshot.get("messages") or ())
            rows.attachments.extend(
                attachment_row(cid, a) for a in snapshot.get("attachments") or ()
            )
    except (KeyError, TypeError, ValueError) as error:
        raise ProtocolMismatch(
            f"A pulled conversation is not in the expected form ({type(error).__name__}).",
            "bad_answer",
        ) from error
    return rows


def attachment_types(conversations: Iterable[Json]) -> dict[str, str]:
    """SHA-256 -> MIME type of every attachment the snapshots refer to."""
    return {
        str(a["sha256"]).lower(): str(a.get("mime_type") or "application/octet-stream")
        for snapshot in conversations
        for a in snapshot.get("attachments") or ()
    }
