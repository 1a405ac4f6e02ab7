"""Pushed changes: each applied at most once, in order, each in its own transaction.

For every change, one unit of work:

1. A change id recorded before (``applied_changes``) returns its first result again and
   changes nothing. (The snapshot sent with it is the conversation as it is now, which
   is what the client needs to put its copy right.)
2. Otherwise the change is tried inside a savepoint (:func:`apply_change`). A
   :class:`~bhcp_ag.hub.changes.Rejected` rolls the savepoint back, so a rejection
   changes nothing but its own record; it never stops the changes behind it.
3. The result is recorded under the change id, with an audit entry, in the same
   transaction as the change itself: either both are committed or neither is.

Two pushes of the same change at once (a client retrying while the first is still
running) collide on the ``applied_changes`` key; the loser rolls back and returns the
winner's result. When the database fails a change (a lost connection, a lock timeout)
it is tried again, and if it still fails it and every change behind it in the push get
``retry``, unrecorded, and the results before it stand: the client pushes them again.

A change is never committed unless its answer can be sent: the result, with the
conversation's snapshot, is serialised to JSON inside the unit of work, before the
commit. A change whose own content the database refuses (a ``DataError``, a value its
driver cannot encode) or whose answer cannot be serialised is rolled back and recorded
as a final rejection, ``invalid_payload``: ``retry`` is kept for faults of the hub
itself, so one change never blocks a desk's outbox. Logs name the kind of fault only,
never a value (patient data).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import DataError, DBAPIError, SQLAlchemyError, StatementError
from sqlalchemy.orm import Session

from bhcp_ag.domain.minimum import content_view
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.hub import audit
from bhcp_ag.hub.access import Caller, can_see
from bhcp_ag.hub.changes import HANDLERS, HubRules, Rejected, authorise, parse_payload, settle
from bhcp_ag.hub.changes import visible_conversation as _visible
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.feed import append_feed
from bhcp_ag.hub.identity import is_demo_hub
from bhcp_ag.hub.models import AppliedChange, Conversation, utcnow
from bhcp_ag.hub.snapshots import load_snapshots
from bhcp_ag.hub.submit import submit
from bhcp_ag.hub.sync_schemas import ChangeIn, ChangeResult, SubmitPayload
from bhcp_ag.sqlkit.loggable import describe_error, loggable

log = logging.getLogger(__name__)

ATTEMPTS = 3
RETRY_REASON = (
    "The hub could not finish this change just now; it was not applied. It stays queued "
    "and is sent again at the next sync."
)
UNSTORABLE_REASON = (
    "The hub cannot store or send back something this change holds, so it was not "
    "applied. Check the text for characters pasted from elsewhere and send it again."
)
_VALUE_FAULTS = (UnicodeError, ValueError, OverflowError, TypeError)


class ChangeUnstorable(Exception):
    """The change's own content cannot be stored or served: a rejection, never a retry."""


def _change_at_fault(error: SQLAlchemyError) -> bool:
    """Whether the database refused this change's values rather than failing itself."""
    if isinstance(error, DataError):
        return True
    if isinstance(error, DBAPIError):  # connection, lock, constraint race, the hub's bug
        return False
    return isinstance(error, StatementError) and isinstance(error.orig, _VALUE_FAULTS)


@dataclass(frozen=True)
class PushContext:
    """Who is pushing, from where, and what the hub decides with."""

    database: HubDatabase
    caller: Caller
    address: str
    now: Callable[[], datetime]
    targets: ResponseTargets
    catalogue: SpecialtyCatalogue


def apply_change(
    session: Session, rules: HubRules, caller: Caller, change: ChangeIn
) -> Conversation:
    """Apply ``change`` (never commits): the conversation it changed, or raises Rejected."""
    payload = parse_payload(change.kind, change.payload)
    conversation_id = str(change.conversation_id)
    if isinstance(payload, SubmitPayload):
        conversation = submit(session, rules, caller, conversation_id, payload)
    else:
        conversation = _visible(session, caller, conversation_id)
        authorise(caller, change.kind, conversation)
        specialty_before = conversation.specialty_code
        if not HANDLERS[change.kind](session, rules, caller, conversation, payload):
            return conversation  # nothing to change: claimed already by the caller, say
        settle(conversation, rules.now)
        append_feed(session, conversation, left_specialty=specialty_before)
        return conversation
    append_feed(session, conversation)
    return conversation


def _visible_snapshot(
    session: Session, caller: Caller, conversation_id: str
) -> dict[str, Any] | None:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or not can_see(caller, conversation):
        return None
    view = content_view(caller.role)
    return load_snapshots(session, [conversation_id], view).get(conversation_id)


def _answer(
    session: Session, caller: Caller, change: ChangeIn, result: dict[str, Any]
) -> ChangeResult:
    """The result with the conversation's snapshot, checked to serialise (before commit)."""
    snapshot = _visible_snapshot(session, caller, str(change.conversation_id))
    answer = ChangeResult.model_validate({"id": str(change.id), **result, "conversation": snapshot})
    try:
        answer.model_dump_json()
    except _VALUE_FAULTS as error:  # pydantic's serialisation error is a ValueError
        raise ChangeUnstorable(type(error).__name__) from None
    return answer


def _replay(
    session: Session, ctx: PushContext, change: ChangeIn, stored: AppliedChange
) -> ChangeResult:
    if stored.user_id != ctx.caller.id:  # another user's change id: reveal nothing of it
        return ChangeResult(
            id=str(change.id),
            status="rejected",
            code="change_id_taken",
            reason="Another change already has this id; give each change an id of its own.",
        )
    _audit(session, ctx, change, "change.replayed", stored.result)
    return _answer(session, ctx.caller, change, stored.result)


def _audit(
    session: Session,
    ctx: PushContext,
    change: ChangeIn,
    action: str,
    result: dict[str, Any],
    **detail: Any,
) -> None:
    audit.record(
        session,
        action,
        user_id=ctx.caller.id,
        username=ctx.caller.username,
        object_type="conversation",
        object_id=str(change.conversation_id),
        client_address=ctx.address,
        change_id=str(change.id),
        kind=audit.printable(change.kind, 40),
        outcome=result["status"],
        code=result["code"],
        **detail,
    )


def _try(session: Session, ctx: PushContext, change: ChangeIn) -> tuple[dict[str, Any], dict]:
    """Apply ``change`` in a savepoint: (its result, audit detail)."""
    rules = HubRules(ctx.now(), ctx.targets, ctx.catalogue, is_demo_hub(session))
    try:
        with session.begin_nested():
            conversation = apply_change(session, rules, ctx.caller, change)
    except Rejected as rejection:
        return {"status": "rejected", "code": rejection.code, "reason": rejection.reason}, {}
    detail = {"status": conversation.status, "version": conversation.version}
    return {"status": "applied", "code": None, "reason": None}, detail


def _attempt(
    ctx: PushContext, change: ChangeIn, refusal: dict[str, Any] | None = None
) -> ChangeResult:
    """One unit of work for ``change``: replayed, tried, or recorded as ``refusal``."""
    with ctx.database.transaction() as session:
        stored = session.get(AppliedChange, str(change.id))
        if stored is not None:
            return _replay(session, ctx, change, stored)
        result, detail = (refusal, {}) if refusal else _try(session, ctx, change)
        session.add(
            AppliedChange(
                change_id=str(change.id),
                user_id=ctx.caller.id,
                kind=change.kind[:40],
                conversation_id=str(change.conversation_id),
                result=result,
                applied_at=utcnow(),
            )
        )
        action = "change.rejected" if result["status"] == "rejected" else change.kind
        _audit(session, ctx, change, action, result, **detail)
        session.flush()  # a concurrent push of the same change fails here, before answering
        if refusal is None:
            return _answer(session, ctx.caller, change, result)
        try:
            return _answer(session, ctx.caller, change, result)
        except ChangeUnstorable:  # the conversation as stored cannot be sent: say so alone
            return ChangeResult(id=str(change.id), **result)


def _retry(change: ChangeIn) -> ChangeResult:
    return ChangeResult(id=str(change.id), status="retry", code="retry_later", reason=RETRY_REASON)


def _refuse_unstorable(ctx: PushContext, change: ChangeIn, error: BaseException) -> ChangeResult:
    log.warning("Change %s cannot be stored or served (%s)", change.id, describe_error(error))
    refusal = {"status": "rejected", "code": "invalid_payload", "reason": UNSTORABLE_REASON}
    try:
        return _attempt(ctx, change, refusal)
    except SQLAlchemyError as again:
        log.warning("Change %s: its rejection failed too (%s)", change.id, describe_error(again))
        return _retry(change)


def push_one(ctx: PushContext, change: ChangeIn) -> ChangeResult:
    """The result of one change, trying again when the database fails it."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _attempt(ctx, change)
        except ChangeUnstorable as error:
            return _refuse_unstorable(ctx, change, error)
        except SQLAlchemyError as error:
            if _change_at_fault(error):
                return _refuse_unstorable(ctx, change, error)
            log.warning(
                "Change %s failed (attempt %d): %s", change.id, attempt, describe_error(error)
            )
        except Exception as error:
            log.error("Change %s failed unexpectedly: %s", change.id, loggable(error))
            break
    return _retry(change)


def push_changes(ctx: PushContext, changes: list[ChangeIn]) -> list[ChangeResult]:
    """One result per change, in order; a change that could not be finished and every
    change behind it get ``retry`` (order matters: a reply must not overtake its request)."""
    results: list[ChangeResult] = []
    for index, change in enumerate(changes):
        result = push_one(ctx, change)
        results.append(result)
        if result.status == "retry":
            results.extend(_retry(later) for later in changes[index + 1 :])
            break
    return results
