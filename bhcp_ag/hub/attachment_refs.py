"""Attachments a pushed change refers to: checked, given ids, and stored with a message.

A request, a GP's reply and a specialist's response may carry files. Their bytes are
uploaded by SHA-256 before the change that refers to them; a reference to content the hub
does not have is refused (``attachment_missing``), and so is an id used before. The id is
the client's, or else derived from the message, the position and the SHA-256, so that a
replayed change makes the same rows.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import PureWindowsPath

from sqlalchemy.orm import Session

from bhcp_ag.hub.models import Attachment, AttachmentContent
from bhcp_ag.hub.rejected import Rejected
from bhcp_ag.hub.sync_schemas import AttachmentRef

ATTACHMENT_NAMESPACE = uuid.UUID("5b0e7f4c-93a1-5d2e-8f6b-1c4a7e9d3b20")


def file_name(ref: AttachmentRef) -> str:
    """The file's own name, without any folder a client sent with it."""
    return PureWindowsPath(ref.filename).name or "attachment"


def checked_refs(
    session: Session, scope: str, refs: list[AttachmentRef]
) -> list[tuple[str, AttachmentRef]]:
    """(id, reference) for each attachment, refusing content not uploaded or ids reused.

    ``scope`` (the conversation for a request, the message for a reply) keeps derived ids
    of the same file in two messages apart.
    """
    rows = []
    for index, ref in enumerate(refs):
        if session.get(AttachmentContent, ref.sha256) is None:
            raise Rejected(
                "attachment_missing",
                f"The attachment '{file_name(ref)}' has not reached the hub; "
                "it must be uploaded before the change that refers to it.",
            )
        derived = uuid.uuid5(ATTACHMENT_NAMESPACE, f"{scope}:{index}:{ref.sha256}")
        rows.append((str(ref.id or derived), ref))
    ids = [attachment_id for attachment_id, _ in rows]
    if len(set(ids)) != len(ids) or any(session.get(Attachment, i) is not None for i in ids):
        raise Rejected("invalid_payload", "Each attachment needs an id of its own.")
    return rows


def add_attachments(
    session: Session,
    conversation_id: str,
    message_id: str,
    rows: list[tuple[str, AttachmentRef]],
    now: datetime,
) -> None:
    """Store the checked attachments as files of ``message_id`` (never commits)."""
    for attachment_id, ref in rows:
        session.add(
            Attachment(
                id=attachment_id,
                conversation_id=conversation_id,
                message_id=message_id,
                sha256=ref.sha256,
                filename=file_name(ref),
                created_at=now,
            )
        )
