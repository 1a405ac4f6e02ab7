"""Use-cases of a draft's attachments: read a file to attach, list, preview and remove.

Attaching itself is :meth:`bhcp_ag.services.requests.AdviceRequests.attach` (and
:meth:`bhcp_ag.services.composer.Composer.add_file` for a reply's files); both prepare the
file with :func:`prepare`: a safe name, a photo cleaned (and made smaller to fit 5 MB), a
PDF checked, as the hub will check them. These are the other things the request form
does with a draft's files. Each is one unit of work on the
local store. They run on any thread and never touch the UI.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, literal_column, select

from bhcp_ag.domain.conversation import Status
from bhcp_ag.domain.limits import (
    MAX_SOURCE_BYTES,
    AttachmentCheck,
    AttachmentRefused,
    check_attachment,
)
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import Attachment, AttachmentContent, ComposerFile, Conversation

if TYPE_CHECKING:  # Pillow and pypdf load when a file is first prepared, not at start
    from bhcp_ag.domain.files import PreparedAttachment

_BYTES_PER_MB = 1024 * 1024


@dataclass(frozen=True)
class StoredContent:
    """An attachment's bytes as the store holds them, once per SHA-256."""

    sha256: str
    mime_type: str
    size: int
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class AttachedFile:
    """One file attached to a conversation, with its content for a preview."""

    id: str
    filename: str
    sha256: str
    mime_type: str
    size: int
    content: bytes = field(repr=False)


class AttachmentNotFound(KeyError):
    """No such attachment (or content) in the local store."""


@dataclass(frozen=True)
class AttachedNow:
    """A file just attached: its SHA-256, the name it got, and what was changed in it."""

    sha256: str
    filename: str
    notes: tuple[str, ...] = ()


def read_file(path: Path) -> bytes:
    """The bytes of ``path`` to attach; a file over 40 MB is refused before it is read.

    (A photo over 5 MB is made smaller to fit, by :func:`prepare`; any other file over
    5 MB is refused there.) Raises :class:`AttachmentRefused` when the file is too large
    and ``OSError`` when it cannot be read (missing, a folder, no permission).
    """
    size = path.stat().st_size
    if path.is_file() and size > MAX_SOURCE_BYTES:
        megabytes = math.ceil(size * 10 / _BYTES_PER_MB) / 10
        raise AttachmentRefused(
            f"'{path.name}' is {megabytes:.1f} MB; files can be at most "
            f"{MAX_SOURCE_BYTES // _BYTES_PER_MB} MB (a photo is then made smaller to fit "
            "the 5 MB limit)."
        )
    return path.read_bytes()


def prepare(filename: str, data: bytes) -> tuple[PreparedAttachment, AttachmentCheck]:
    """``data`` ready to keep, named from ``filename`` (any folder dropped), and its check.

    Raises :class:`AttachmentRefused` saying why a file cannot be attached.
    """
    from bhcp_ag.domain.files import prepare_attachment  # Pillow and pypdf: see above

    prepared = prepare_attachment(Path(filename).name or filename, data)
    return prepared, check_attachment(prepared.filename, prepared.file.content)


def conversation_attachments(store: Store, conversation_id: str) -> list[AttachedFile]:
    """The files attached to ``conversation_id``, oldest first, each with its bytes."""
    query = (
        select(Attachment, AttachmentContent)
        .join(AttachmentContent, Attachment.sha256 == AttachmentContent.sha256)
        .where(Attachment.conversation_id == conversation_id)
        # Insertion order where the clock ties (files dropped together).
        .order_by(Attachment.created_at, literal_column("attachments.rowid"))
    )
    with store.read_session() as session:
        return [
            AttachedFile(
                id=attachment.id,
                filename=attachment.filename,
                sha256=attachment.sha256,
                mime_type=content.mime_type,
                size=content.size,
                content=content.content,
            )
            for attachment, content in session.execute(query)
        ]


def read_content(store: Store, sha256: str) -> StoredContent:
    """The stored bytes with SHA-256 ``sha256``; :class:`AttachmentNotFound` if absent."""
    with store.read_session() as session:
        content = session.get(AttachmentContent, sha256)
        if content is None:
            raise AttachmentNotFound(f"No attachment content {sha256} in this store.")
        return StoredContent(content.sha256, content.mime_type, content.size, content.content)


def detach(store: Store, attachment_id: str) -> str:
    """Remove an attachment from its draft; returns its file name.

    The bytes go too, unless another attachment (of any conversation) or a file waiting
    in a composer still refers to them. Raises ``ValueError`` once the request has been
    sent: what was sent stays.
    """
    with store.session() as session:
        attachment = session.get(Attachment, attachment_id)
        if attachment is None:
            raise AttachmentNotFound(f"No attachment {attachment_id} in this store.")
        conv = session.get(Conversation, attachment.conversation_id)
        if conv is None or conv.status != Status.DRAFT:
            raise ValueError("Files can be removed from a request only before it is sent.")
        sha256, filename = attachment.sha256, attachment.filename
        session.delete(attachment)
        session.flush()
        still_used = (
            select(Attachment.sha256)
            .where(Attachment.sha256 == sha256)
            .union_all(select(ComposerFile.sha256).where(ComposerFile.sha256 == sha256))
        )
        if session.scalar(select(func.count()).select_from(still_used.subquery())) == 0:
            content = session.get(AttachmentContent, sha256)
            if content is not None:
                session.delete(content)
        return filename
