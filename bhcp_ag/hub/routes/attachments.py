"""Attachment bytes, uploaded and fetched by SHA-256 (``/api/v1/attachments/{sha256}``).

``PUT`` takes the raw bytes from a GP or a specialist. The hub checks, in order: the
5 MB limit (413), that the bytes hash to the SHA-256 in the address (400), and the type
by content, JPEG, PNG or PDF, whatever the ``Content-Type`` says (415), with the
domain's :func:`~bhcp_ag.domain.limits.check_attachment`. The same bytes again are
fine (200; 201 the first time). Content is stored once however many requests refer to it.

``GET`` returns the bytes to a user who may see a conversation that refers to them. Any
other hash, uploaded or not, gets the same 404 as one that does not exist.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bhcp_ag.domain.conversation import Role
from bhcp_ag.domain.limits import MAX_ATTACHMENT_BYTES, AttachmentRefused, check_attachment
from bhcp_ag.hub import audit
from bhcp_ag.hub.access import Caller, scope_of
from bhcp_ag.hub.deps import ClientAddress, CurrentCaller, DbSession
from bhcp_ag.hub.errors import HubError
from bhcp_ag.hub.models import Attachment, AttachmentContent, Conversation, utcnow
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


def _checked(sha256: str, data: bytes) -> str:
    """The MIME type of acceptable ``data`` addressed as ``sha256``, else a HubError."""
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
        return check_attachment("The file", data).mime_type
    except AttachmentRefused as refusal:
        status = 413 if len(data) > MAX_ATTACHMENT_BYTES else 400 if not data else 415
        code = {413: "attachment_too_large", 400: "attachment_empty"}.get(
            status, "attachment_type_refused"
        )
        raise HubError(status, code, str(refusal)) from None


def _store(session: Session, caller: Caller, sha256: str, mime_type: str, data: bytes) -> bool:
    """Keep the content unless it is there already; True when it is new."""
    if session.get(AttachmentContent, sha256) is not None:
        return False
    content = AttachmentContent(
        sha256=sha256,
        mime_type=mime_type,
        size=len(data),
        content=data,
        uploaded_by_id=caller.id,
        uploaded_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(content)
    except IntegrityError:  # the same bytes uploaded at the same moment by another request
        return False
    return True


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
    mime_type = _checked(sha256, data)
    created = _store(session, caller, sha256, str(mime_type), data)
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
    return {"sha256": sha256, "mime_type": mime_type, "size": len(data)}


def _visible_through(session: Session, caller: Caller, sha256: str) -> str | None:
    """A conversation referring to ``sha256`` that ``caller`` may see, or None."""
    scope = scope_of(caller)
    query = (
        select(Conversation.id, Conversation.practice_code, Conversation.specialty_code)
        .join(Attachment, Attachment.conversation_id == Conversation.id)
        .where(Attachment.sha256 == sha256)
    )
    for conversation_id, practice_code, specialty_code in session.execute(query):
        if (
            scope.everything
            or practice_code in scope.practice_codes
            or specialty_code in scope.specialty_codes
        ):
            return str(conversation_id)
    return None


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
    via = _visible_through(session, caller, wanted) if len(wanted) == 64 else None
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
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
        "ETag": f'"{wanted}"',
    }
    return Response(content.content, media_type=content.mime_type, headers=headers)
