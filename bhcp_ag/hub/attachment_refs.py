"""Attachments a pushed change refers to: checked, given ids, and stored with a message.

A request, a GP's reply and a specialist's response may carry files. Their bytes are
uploaded by SHA-256 before the change that refers to them. A SHA-256 is not a key to the
bytes, though: a change may refer only to bytes its author uploaded
(``attachment_uploads``), or to bytes that already belong to a conversation the author
may see (:func:`conversation_showing`, the same rule the download follows). Any other
reference is refused exactly as one to bytes the hub does not hold at all
(``attachment_missing``), so that a change cannot learn what the hub holds for others.

Each file name must keep the domain's rules (:func:`~bhcp_ag.domain.file_names.
check_file_name`: no control or bidirectional characters, folders, device names, ...);
a name that breaks them is refused (``invalid_file_name``), saying why. An id used before
is refused too. The id is the client's, or else derived from the message, the position
and the SHA-256, so that a replayed change makes the same rows.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bhcp_ag.domain.file_names import FileNameRefused, check_file_name
from bhcp_ag.hub.access import Caller, visible_to
from bhcp_ag.hub.models import Attachment, AttachmentUpload, Conversation
from bhcp_ag.hub.rejected import Rejected
from bhcp_ag.hub.sync_schemas import AttachmentRef

ATTACHMENT_NAMESPACE = uuid.UUID("5b0e7f4c-93a1-5d2e-8f6b-1c4a7e9d3b20")

CheckedRef = tuple[str, str, AttachmentRef]  # (attachment id, file name, the reference)


def conversation_showing(session: Session, caller: Caller, sha256: str) -> str | None:
    """The id of a conversation that holds ``sha256`` and that ``caller`` may see, or None."""
    query = (
        select(Conversation.id)
        .join(Attachment, Attachment.conversation_id == Conversation.id)
        .where(Attachment.sha256 == sha256, visible_to(caller))
        .limit(1)
    )
    found = session.scalar(query)
    return None if found is None else str(found)


def may_refer_to(session: Session, caller: Caller, sha256: str) -> bool:
    """True when ``caller`` uploaded ``sha256`` or may see a conversation holding it."""
    uploaded = session.get(AttachmentUpload, (sha256, caller.id)) is not None
    return uploaded or conversation_showing(session, caller, sha256) is not None


def file_name(ref: AttachmentRef) -> str:
    """The reference's file name, in NFC form, if it keeps the rules; else Rejected."""
    try:
        return check_file_name(ref.filename)
    except FileNameRefused as refusal:
        raise Rejected("invalid_file_name", str(refusal)) from None


def checked_refs(
    session: Session, caller: Caller, scope: str, refs: list[AttachmentRef]
) -> list[CheckedRef]:
    """(id, file name, reference) for each attachment ``caller`` may refer to; else Rejected.

    ``scope`` (the conversation for a request, the message for a reply) keeps derived ids
    of the same file in two messages apart.
    """
    rows: list[CheckedRef] = []
    for index, ref in enumerate(refs):
        name = file_name(ref)
        if not may_refer_to(session, caller, ref.sha256):
            raise Rejected(
                "attachment_missing",
                f"The attachment '{name}' has not reached the hub; "
                "it must be uploaded before the change that refers to it.",
            )
        derived = uuid.uuid5(ATTACHMENT_NAMESPACE, f"{scope}:{index}:{ref.sha256}")
        rows.append((str(ref.id or derived), name, ref))
    ids = [attachment_id for attachment_id, _, _ in rows]
    if len(set(ids)) != len(ids) or any(session.get(Attachment, i) is not None for i in ids):
        raise Rejected("invalid_payload", "Each attachment needs an id of its own.")
    return rows


def add_attachments(
    session: Session,
    conversation_id: str,
    message_id: str,
    rows: list[CheckedRef],
    now: datetime,
) -> None:
    """Store the checked attachments as files of ``message_id`` (never commits)."""
    for attachment_id, name, ref in rows:
        session.add(
            Attachment(
                id=attachment_id,
                conversation_id=conversation_id,
                message_id=message_id,
                sha256=ref.sha256,
                filename=name,
                created_at=now,
            )
        )
