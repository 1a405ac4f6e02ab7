"""The audit log: who did what, when and from where, written in the caller's transaction.

Details hold ids, codes and reasons, never patient data (no NHS number, name, date of
birth or clinical text): :func:`record` refuses keys that name patient fields, as a
guard against a careless caller.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from bhcp_ag.hub.models import AuditEntry, utcnow

FORBIDDEN_DETAIL_KEYS = frozenset(
    {
        "patient_nhs_number",
        "nhs_number",
        "patient_family_name",
        "patient_given_name",
        "family_name",
        "given_name",
        "patient_birth_date",
        "birth_date",
        "patient_sex",
        "question",
        "clinical_summary",
        "medication",
        "results",
        "template_answers",
        "body",
        "password",
        "token",
    }
)


def printable(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with control characters (NUL too) as ``?``.

    Ids and usernames in the log may come from a client; PostgreSQL refuses NUL in text.
    """
    return "".join("?" if ord(c) < 32 or ord(c) == 127 else c for c in text[:limit])


def record(
    session: Session,
    action: str,
    *,
    user_id: str | None = None,
    username: str = "",
    object_type: str | None = None,
    object_id: str | None = None,
    client_address: str = "",
    **detail: Any,
) -> None:
    """Append one entry (never commits). ``detail`` must hold no patient data."""
    leaked = FORBIDDEN_DETAIL_KEYS.intersection(detail)
    if leaked:
        raise ValueError(f"Audit details must not hold {', '.join(sorted(leaked))}.")
    session.add(
        AuditEntry(
            at=utcnow(),
            user_id=user_id,
            username=printable(username, 60),
            action=action,
            object_type=object_type,
            object_id=None if object_id is None else printable(object_id, 60),
            detail=detail,
            client_address=printable(client_address, 45),
        )
    )


def record_reads(
    session: Session,
    conversation_ids: Iterable[str],
    *,
    user_id: str,
    username: str,
    client_address: str,
    via: str,
) -> None:
    """One ``conversation.read`` entry per conversation, in one statement (never commits).

    A pull sends up to thousands of conversations; each read is still its own entry, so
    "who has seen this conversation" is one indexed query.
    """
    at = utcnow()
    rows = [
        {
            "at": at,
            "user_id": user_id,
            "username": printable(username, 60),
            "action": "conversation.read",
            "object_type": "conversation",
            "object_id": conversation_id,
            "detail": {"via": via},
            "client_address": printable(client_address, 45),
        }
        for conversation_id in conversation_ids
    ]
    if rows:  # Core executemany: no ORM object per row, no statement with 8,000 values
        session.execute(insert(AuditEntry.metadata.tables[AuditEntry.__tablename__]), rows)
