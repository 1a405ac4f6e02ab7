"""Reading a conversation, within the caller's scope, with every read audited.

A conversation outside the caller's scope gets exactly the same 404 as an id that does
not exist (or is not an id at all), so a refusal reveals nothing; the audit log records
which it was.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from bhcp_ag.domain.minimum import content_view
from bhcp_ag.hub import audit
from bhcp_ag.hub.access import can_see
from bhcp_ag.hub.deps import ClientAddress, CurrentCaller, DbSession
from bhcp_ag.hub.errors import HubError
from bhcp_ag.hub.models import Conversation
from bhcp_ag.hub.schemas import ErrorBody
from bhcp_ag.hub.snapshots import load_snapshots
from bhcp_ag.hub.sync_schemas import ConversationSnapshot

router = APIRouter(tags=["conversations"])

NOT_FOUND = "There is no conversation with this id that you can see."


def _as_uuid(text: str) -> str | None:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


@router.get(
    "/conversations/{conversation_id}",
    response_model=ConversationSnapshot,
    responses={401: {"model": ErrorBody}, 404: {"model": ErrorBody}},
)
def read_conversation(
    conversation_id: str, caller: CurrentCaller, session: DbSession, address: ClientAddress
) -> dict[str, object]:
    """One conversation with its messages and attachment details: the same snapshot a
    pull sends (one wire shape for a conversation), without the attachments' bytes."""
    wanted = _as_uuid(conversation_id[:100])
    conversation = session.get(Conversation, wanted) if wanted else None
    who = {"user_id": caller.id, "username": caller.username, "client_address": address}
    if conversation is None or not can_see(caller, conversation):
        reason = "not_found" if conversation is None else "out_of_scope"
        audit.record(
            session,
            "conversation.read_refused",
            object_type="conversation",
            object_id=wanted or conversation_id[:60],
            reason=reason,
            **who,
        )
        raise HubError(404, "conversation_not_found", NOT_FOUND, keep_changes=True)
    audit.record(
        session, "conversation.read", object_type="conversation", object_id=conversation.id, **who
    )
    view = content_view(caller.role)
    return load_snapshots(session, [conversation.id], view)[conversation.id]
