"""Applying one pushed change to a conversation: who may, whether its state allows it,
and what the hub's clock records.

:func:`apply_change` is the hub's authority on status. It checks, in order: the kind and
its payload (:mod:`bhcp_ag.hub.sync_schemas`), that the caller may see the conversation
(else "not found", revealing nothing), that their role may make this change
(:func:`authorise`), and the transition, with the domain's
:func:`~bhcp_ag.domain.conversation.check_transition`. Any refusal is a :class:`Rejected`
with a machine code and words for the user; the caller's unit of work then undoes
whatever was written. Applied changes stamp times from the hub's clock (``rules.now``)
and append to the feed; the first response also fixes ``response_working_days``, the
working days it took on the response clock, for the reports. A practice manager reads
conversations but never changes them.

The first claim wins: the conversation row is read ``FOR UPDATE`` on PostgreSQL (SQLite
serialises writers), and its ``version`` guards every update as well.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bhcp_ag.domain import clock
from bhcp_ag.domain.actions import (
    RESPONSE_MESSAGE_KINDS,
    Action,
    Actor,
    cancel_note_id,
    closing_note_id,
    refusal,
    reply_kind,
    responsible_consultant,
)
from bhcp_ag.domain.conversation import (
    ConvertAuthorisation,
    Recommendation,
    Role,
    SpecialistOutcome,
    Status,
    TransitionRefused,
    check_closing,
    check_transition,
    claim_problem,
    redirect_problem,
    referral_avoided,
    status_after_response,
)
from bhcp_ag.domain.limits import TextRefused, check_text
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.hub.access import Caller, can_see
from bhcp_ag.hub.attachment_refs import CheckedRef, add_attachments, checked_refs
from bhcp_ag.hub.errors import describe_problem
from bhcp_ag.hub.models import Conversation, Message, Specialty, User
from bhcp_ag.hub.rejected import Rejected
from bhcp_ag.hub.sync_schemas import (
    PAYLOADS,
    CancelPayload,
    ClosePayload,
    EmptyPayload,
    RedirectPayload,
    ReplyPayload,
    RespondPayload,
)

NOT_FOUND = "There is no conversation with this id that you can see."


@dataclass(frozen=True)
class HubRules:
    """What the hub decides with: its clock's reading for this change, targets, templates."""

    now: datetime
    targets: ResponseTargets
    catalogue: SpecialtyCatalogue
    synthetic_patients: bool
    """Whether synthetic NHS numbers are taken: on a demo hub only."""


def parse_payload(kind: str, payload: dict[str, Any]) -> BaseModel:
    """The payload checked against its kind's model; :class:`Rejected` says what is wrong."""
    model = PAYLOADS.get(kind)
    if model is None:
        known = ", ".join(PAYLOADS)
        raise Rejected(
            "unknown_kind",
            f"This hub does not know changes of kind {kind[:40]!r} (it knows {known}).",
        )
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        problems = [describe_problem({**e, "loc": ("payload", *e["loc"])}) for e in error.errors()]
        raise Rejected("invalid_payload", " ".join(dict.fromkeys(problems))) from None


def checked_text(label: str, text: str, *, required: bool = True) -> str:
    """``text`` within the national limits (stripped), else :class:`Rejected`."""
    try:
        return check_text(label, text, required=required)
    except TextRefused as error:
        raise Rejected("invalid_payload", str(error)) from None


def check_move(conversation: Conversation, target: Status, role: Role) -> None:
    """Refuse a transition the conversation's current state does not allow."""
    authorisation = ConvertAuthorisation.of(conversation.convert_authorisation)
    try:
        check_transition(Status(conversation.status), target, role, authorisation=authorisation)
    except TransitionRefused as error:
        raise Rejected("transition_refused", str(error)) from None


def visible_conversation(session: Session, caller: Caller, conversation_id: str) -> Conversation:
    """The conversation, locked for this transaction, if ``caller`` may see it."""
    conversation = session.get(Conversation, conversation_id, with_for_update=True)
    if conversation is None or not can_see(caller, conversation):
        raise Rejected("conversation_not_found", NOT_FOUND)
    return conversation


def authorise(caller: Caller, kind: str, conversation: Conversation) -> None:
    """Refuse ``caller``'s change of ``kind`` to a conversation they can see, unless their
    role and practice or specialties allow it (:func:`bhcp_ag.domain.actions.refusal`)."""
    actor = Actor(caller.role, caller.practice_code, caller.specialty_codes)
    why = refusal(actor, Action(kind), conversation.practice_code, conversation.specialty_code)
    if why is not None:
        raise Rejected("forbidden", why)


def _claimed_by_someone_else(session: Session, conversation: Conversation) -> Rejected:
    holder = session.get(User, conversation.claimed_by_id)
    name = holder.display_name if holder else "Another specialist"
    when = ""
    if conversation.claimed_at is not None:
        local = conversation.claimed_at.astimezone(clock.LONDON)
        when = f" at {local:%H:%M} on {local:%a} {local.day} {local:%b}"
    return Rejected("already_claimed", f"{name} claimed this request{when}.")


def _claim(
    session: Session, rules: HubRules, caller: Caller, conv: Conversation, _: EmptyPayload
) -> bool:
    status = Status(conv.status)
    if not status.is_open or status in (Status.DRAFT, Status.SUBMITTED):
        raise Rejected(
            "transition_refused", f"A conversation that is '{status.label}' cannot be claimed."
        )
    if conv.claimed_by_id == caller.id:
        return False
    if conv.claimed_by_id is not None:
        raise _claimed_by_someone_else(session, conv)
    conv.claimed_by_id, conv.claimed_at = caller.id, rules.now
    return True


def _release(
    session: Session, rules: HubRules, caller: Caller, conv: Conversation, _: EmptyPayload
) -> bool:
    if conv.claimed_by_id is None:
        return False
    why = claim_problem(None, Status(conv.status), conv.claimed_by_id, caller.id)
    if why is not None:
        raise Rejected("transition_refused", why)
    if caller.role != Role.ADMIN and conv.claimed_by_id != caller.id:
        refusal = _claimed_by_someone_else(session, conv)
        raise Rejected(
            "not_claimer", f"{refusal.reason} Only they or an administrator can release it."
        )
    conv.claimed_by_id, conv.claimed_at = None, None
    return True


def add_message(
    session: Session,
    conv: Conversation,
    message_id: str,
    caller: Caller,
    now: datetime,
    **fields: Any,
) -> Message:
    """A new message in ``conv`` at ``now``; a message id used before is refused.

    A conversation's messages are ordered by time, so a message is never stamped at or
    before the one before it (a frozen or stepped-back clock moves it on by 1 µs).
    """
    if session.get(Message, message_id) is not None:
        raise Rejected("message_exists", "A message with this id has already been sent.")
    last = session.scalar(
        select(func.max(Message.created_at)).where(Message.conversation_id == conv.id)
    )
    if last is not None:
        last = last if last.tzinfo else last.replace(tzinfo=UTC)  # max() skips the type
        now = max(now, last + timedelta(microseconds=1))
    message = Message(
        id=message_id,
        conversation_id=conv.id,
        author_id=caller.id,
        author_role=str(caller.role),
        created_at=now,
        **fields,
    )
    session.add(message)
    return message


def _respond(
    session: Session, rules: HubRules, caller: Caller, conv: Conversation, p: RespondPayload
) -> bool:
    if conv.claimed_by_id not in (None, caller.id):
        raise _claimed_by_someone_else(session, conv)
    advice = p.outcome == SpecialistOutcome.RETURN_TO_REFERRER_WITH_ADVICE
    if advice and p.recommendation is None:
        choices = ", ".join(r.label for r in Recommendation)
        raise Rejected("invalid_payload", f"Advice needs a recommendation ({choices}).")
    if not advice and p.recommendation is not None:
        raise Rejected("invalid_payload", "Only advice carries a recommendation.")
    target = status_after_response(p.outcome)
    check_move(conv, target, Role.SPECIALIST)
    why = claim_problem(target, Status(conv.status), conv.claimed_by_id, caller.id)
    if why is not None:
        raise Rejected("claim_needed", why)
    body = checked_text("Your response", p.body)
    files = checked_refs(session, caller, str(p.message_id), p.attachments)
    add_message(
        session,
        conv,
        str(p.message_id),
        caller,
        rules.now,
        kind=RESPONSE_MESSAGE_KINDS[p.outcome],
        body=body,
        specialist_outcome=p.outcome.value,
        recommendation=p.recommendation.value if p.recommendation else None,
        responsible_consultant=responsible_consultant(
            rules.catalogue, conv.specialty_code, p.outcome
        ),
    )
    _attach(session, conv, str(p.message_id), files, rules.now)
    conv.status, conv.specialist_outcome = target.value, p.outcome.value
    if p.recommendation is not None:
        conv.recommendation = p.recommendation.value
    if conv.claimed_by_id is None:
        conv.claimed_by_id, conv.claimed_at = caller.id, rules.now
    if conv.first_response_at is None:
        conv.first_response_at = rules.now
        conv.response_working_days = _working_days_to(conv.submitted_at, rules.now)
    return True


def _working_days_to(submitted_at: datetime | None, responded_at: datetime) -> float | None:
    """Working days from sending to the first response, on the response clock."""
    if submitted_at is None:
        return None
    return clock.working_days_between(submitted_at, responded_at)


def _attach(
    session: Session,
    conv: Conversation,
    message_id: str,
    files: list[CheckedRef],
    now: datetime,
) -> None:
    if files:
        session.flush()  # the message first: its files refer to it
        add_attachments(session, conv.id, message_id, files, now)


def _reply(
    session: Session, rules: HubRules, caller: Caller, conv: Conversation, p: ReplyPayload
) -> bool:
    kind = reply_kind(Status(conv.status))
    check_move(conv, Status.AWAITING_SPECIALIST, Role.GP)
    body = checked_text("Your reply", p.body)
    files = checked_refs(session, caller, str(p.message_id), p.attachments)
    add_message(session, conv, str(p.message_id), caller, rules.now, kind=kind, body=body)
    _attach(session, conv, str(p.message_id), files, rules.now)
    conv.status = Status.AWAITING_SPECIALIST.value
    days = rules.targets.working_days(conv.specialty_code, conv.priority)
    conv.due_at = clock.due_at(rules.now, days)
    return True


def _close(
    session: Session, rules: HubRules, caller: Caller, conv: Conversation, p: ClosePayload
) -> bool:
    check_move(conv, Status.CLOSED, Role.GP)
    note = checked_text("Your closing note", p.note, required=False)
    try:
        check_closing(conv.recommendation, p.closing_outcome, note)
    except TransitionRefused as refusal:
        raise Rejected("referral_reason_needed", str(refusal)) from None
    if note:
        add_message(
            session, conv, closing_note_id(conv.id), caller, rules.now, kind="closing", body=note
        )
    conv.status, conv.closing_outcome = Status.CLOSED.value, p.closing_outcome.value
    conv.advice_useful = p.advice_useful.value if p.advice_useful else None
    return True


def _redirect(
    session: Session, rules: HubRules, caller: Caller, conv: Conversation, p: RedirectPayload
) -> bool:
    """Pass the request to another specialty: a note both sides read, the claim let go, and
    the new specialty's response target counted from now (the first target stays, for the
    reports)."""
    if conv.claimed_by_id not in (None, caller.id):
        raise _claimed_by_someone_else(session, conv)
    code = p.specialty_code
    offered = code in rules.catalogue and session.get(Specialty, code) is not None
    why = redirect_problem(Status(conv.status), conv.specialty_code, code, offered=offered)
    if why is not None:
        raise Rejected("transition_refused", why)
    note = checked_text("Your note about passing it on", p.note)
    add_message(
        session,
        conv,
        str(p.message_id),
        caller,
        rules.now,
        kind="redirect",
        body=note,
        from_specialty_code=conv.specialty_code,
        to_specialty_code=p.specialty_code,
    )
    conv.form_specialty_code = conv.form_specialty_code or conv.specialty_code
    conv.specialty_code = p.specialty_code
    conv.claimed_by_id, conv.claimed_at = None, None
    days = rules.targets.working_days(p.specialty_code, conv.priority)
    conv.due_at = clock.due_at(rules.now, days)
    return True


def _cancel(
    session: Session, rules: HubRules, caller: Caller, conv: Conversation, p: CancelPayload
) -> bool:
    check_move(conv, Status.CANCELLED, caller.role)
    reason = checked_text("The reason for cancelling", p.reason, required=False)
    if reason:
        note_id = cancel_note_id(conv.id)
        add_message(session, conv, note_id, caller, rules.now, kind="note", body=reason)
    conv.status = Status.CANCELLED.value
    return True


Handler = Callable[[Session, HubRules, Caller, Conversation, Any], bool]
HANDLERS: dict[str, Handler] = {
    "conversation.claim": _claim,
    "conversation.release": _release,
    "conversation.respond": _respond,
    "conversation.reply": _reply,
    "conversation.close": _close,
    "conversation.cancel": _cancel,
    "conversation.redirect": _redirect,
}


def settle(conv: Conversation, now: datetime) -> None:
    """The fields every change keeps in step: ``updated_at``, ``closed_at``, referral avoided."""
    conv.updated_at = now
    if not Status(conv.status).is_open and conv.closed_at is None:
        conv.closed_at = now
    conv.referral_avoided = referral_avoided(
        conv.would_have_referred, conv.status, conv.closing_outcome
    )
