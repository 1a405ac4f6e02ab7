"""Attachment bytes, uploaded and fetched by SHA-256 (``/api/v1/attachments/{sha256}``).

``PUT`` takes the raw bytes from a GP or a specialist. The hub checks, in order: the
5 MB limit (413), that the bytes hash to the SHA-256 in the address (400), and then the
content with the domain's :func:`~bhcp_ag.domain.files.clean_attachment`: JPEG, PNG or
PDF by content whatever the ``Content-Type`` says, a picture decoded and re-encoded
(metadata and trailing bytes dropped), a PDF read through and refused if it holds
scripts or files (415). What is kept is the cleaned content, under the address the
client used. The answer is 201 the first time *this caller* uploads these bytes and 200
when they had uploaded them before, whoever else holds them: it tells nothing about
other users' files. Each upload is recorded (``attachment_uploads``): a change may refer
only to bytes its author uploaded, or that a conversation they may see holds.

``GET`` returns the bytes to a user who may see a conversation that refers to them. Any
other hash, uploaded or not, gets the same 404 as one that does not exist. The bytes go
as a download (``Content-Disposition: attachment``) of their stored type, with a
content security policy that lets nothing in them run, and their ``Content-Digest``
(RFC 9530), which the desktop checks.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bhcp_ag.domain.conversation import Role
from bhcp_ag.domain.files import CleanFile, clean_attachment
from bhcp_ag.domain.limits import (
    ALLOWED_ATTACHMENT_TYPES,
    MAX_ATTACHMENT_BYTES,
    AttachmentRefused,
    check_attachment,
)
from bhcp_ag.domain.minimum import ContentView, content_view
from bhcp_ag.hub import audit
from bhcp_ag.hub.access import Caller
from bhcp_ag.hub.attachment_refs import conversation_showing
from bhcp_ag.hub.deps import ClientAddress, CurrentCaller, DbSession
from bhcp_ag.hub.errors import HubError
from bhcp_ag.hub.models import AttachmentContent, AttachmentUpload, utcnow
from bhcp_ag.hub.schemas import ErrorBody
from bhcp_ag.hub.sync_schemas import SHA256_PATTERN

router = APIRouter(tags=["attachments"])

NOT_FOUND = "There is no attachment with this SHA-256 that you can see."
UPLOADERS = frozenset({Role.GP, Role.SPECIALIST})

Sha256Path = Annotated[
    str, Path(pattern=SHA256_PATTERN, description="The SHA-256 of the bytes, 64 hex digits")
]


async def raw_body(request: Request) -> bytes:
    """The request's bytes (the size limit middleware has capped them already)."""
    return await request.body()


RawBody = Annotated[bytes, Depends(raw_body)]


def _checked(sha256: str, data: bytes) -> CleanFile:
    """The cleaned content of acceptable ``data`` addressed as ``sha256``, else a HubError."""
    try:
        if len(data) > MAX_ATTACHMENT_BYTES:
            check_attachment("The file", data)
        if hashlib.sha256(data).hexdigest() != sha256:
            raise HubError(
                400,
                "hash_mismatch",
                "The bytes sent do not have the SHA-256 in the address; the upload was "
                "damaged or addressed wrongly. Send it again.",
            )
        return clean_attachment(data)
    except AttachmentRefused as refusal:
        status = 413 if len(data) > MAX_ATTACHMENT_BYTES else 400 if not data else 415
        code = {413: "attachment_too_large", 400: "attachment_empty"}.get(
            status, "attachment_type_refused"
        )
        raise HubError(status, code, str(refusal)) from None


def _added(session: Session, row: AttachmentContent | AttachmentUpload) -> bool:
    """Add ``row`` in a savepoint; False when the same key arrived meanwhile."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # the same bytes uploaded at the same moment by another request
        return False
    return True


def _store(session: Session, caller: Caller, sha256: str, clean: CleanFile) -> bool:
    """Keep the content unless held already, and that ``caller`` uploaded it; True when
    this caller had not uploaded these bytes before (whoever else had)."""
    now = utcnow()
    if session.get(AttachmentContent, sha256) is None:
        content = AttachmentContent(
            sha256=sha256,
            mime_type=clean.mime_type,
            size=len(clean.content),
            content=clean.content,
            uploaded_by_id=caller.id,
            uploaded_at=now,
        )
        _added(session, content)
    if session.get(AttachmentUpload, (sha256, caller.id)) is not None:
        return False
    return _added(session, AttachmentUpload(sha256=sha256, user_id=caller.id, uploaded_at=now))


@router.put(
    "/attachments/{sha256}",
    responses={
        200: {"description": "Already held"},
        201: {"description": "Stored"},
        **{status: {"model": ErrorBody} for status in (400, 401, 403, 413, 415)},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                mime: {"schema": {"type": "string", "format": "binary"}}
                for mime in ("image/jpeg", "image/png", "application/pdf")
            },
        }
    },
)
def put_attachment(
    sha256: Sha256Path,
    data: RawBody,
    caller: CurrentCaller,
    session: DbSession,
    address: ClientAddress,
    response: Response,
) -> dict[str, Any]:
    """Upload an attachment's bytes (JPEG, PNG or PDF, at most 5 MB) under their SHA-256."""
    if caller.role not in UPLOADERS:
        raise HubError(403, "forbidden", "Only GPs and specialists can upload attachments.")
    clean = _checked(sha256, data)
    created = _store(session, caller, sha256, clean)
    audit.record(
        session,
        "attachment.uploaded",
        user_id=caller.id,
        username=caller.username,
        object_type="attachment",
        object_id=sha256[:60],
        client_address=address,
        sha256=sha256,
        size=len(data),
        new=created,
    )
    response.status_code = 201 if created else 200
    return {"sha256": sha256, "mime_type": clean.mime_type, "size": len(clean.content)}


@router.get(
    "/attachments/{sha256}",
    response_class=Response,
    responses={
        200: {"description": "The bytes", "content": {"application/octet-stream": {}}},
        401: {"model": ErrorBody},
        404: {"model": ErrorBody},
    },
)
def get_attachment(
    sha256: Annotated[str, Path(max_length=100)],
    caller: CurrentCaller,
    session: DbSession,
    address: ClientAddress,
) -> Response:
    """An attachment's bytes, for a user who may see a conversation that refers to them."""
    wanted = sha256.lower()
    shown = len(wanted) == 64 and content_view(caller.role) is ContentView.FULL  # no review
    via = conversation_showing(session, caller, wanted) if shown else None
    who = {"user_id": caller.id, "username": caller.username, "client_address": address}
    if via is None:
        audit.record(
            session,
            "attachment.read_refused",
            object_type="attachment",
            object_id=wanted[:60],
            **who,
        )
        raise HubError(404, "attachment_not_found", NOT_FOUND, keep_changes=True)
    content = session.get(AttachmentContent, wanted)
    assert content is not None  # an attachment row refers to it (a foreign key)
    audit.record(
        session,
        "attachment.read",
        object_type="conversation",
        object_id=via,
        sha256=wanted,
        **who,
    )
    return Response(content.content, media_type=content.mime_type, headers=_served(content))


def _served(content: AttachmentContent) -> dict[str, str]:
    """Headers that make the bytes a file to save, never a page to run (RFC 6266, 9530)."""
    extension = ALLOWED_ATTACHMENT_TYPES.get(content.mime_type, "bin").lower()
    digest = base64.b64encode(hashlib.sha256(content.content).digest()).decode("ascii")
    return {
        "Content-Disposition": f'attachment; filename="{content.sha256}.{extension}"',
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
        "ETag": f'"{content.sha256}"',
        "Content-Digest": f"sha-256=:{digest}:",
    }
