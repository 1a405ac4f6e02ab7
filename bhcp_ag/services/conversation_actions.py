"""What GPs and specialists do to a sent conversation: claim, release, respond, redirect,
reply, close and cancel.

Each is one unit of work on the local store, as the hub will do it (the same rules from
the domain): the conversation changes here at once, so the user sees it whether or not
the hub can be reached, and the change goes into the outbox in the same transaction. The
hub decides finally when the change arrives; if it refuses, sync puts the conversation
back as the hub has it and keeps the user's words (``rejected_changes``).

Times written here are provisional: the hub stamps its own clock's times. These functions
run on any thread and never touch the UI.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bhcp_ag.domain import clock
from bhcp_ag.domain.actions import (
    RESPONSE_MESSAGE_KINDS,
    Action,
    Actor,
    advice_given,
    cancel_note_id,
    closing_note_id,
    refusal,
    reply_kind,
    responsible_consultant,
)
from bhcp_ag.domain.conversation import (
    AdviceUseful,
    ClosingOutcome,
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
from bhcp_ag.services.composer import ADDED_ORDER
from bhcp_ag.services.current_user import CurrentUser
from bhcp_ag.store import conversations as repo
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import (
    Attachment,
    ComposerDraft,
    ComposerFile,
    Conversation,
    Message,
    Specialty,
    User,
    utcnow,
)


class ActionRefused(ValueError):
    """The change cannot be made as things stand; the message says why, in plain words."""


@dataclass(frozen=True)
class Done:
    """A change made locally and queued for the hub."""

    conversation_id: str
    action: Action
    change_id: str | None  # None when nothing needed changing (claimed already, say)
    status: Status


@dataclass(frozen=True)
class Choice:
    """One thing the user could do now: allowed, or why not (for a disabled button)."""

    allowed: bool
    reason: str = ""


@dataclass(frozen=True)
class Options:
    """What the signed-in user may do to one conversation now."""

    claim: Choice
    release: Choice
    advise: Choice
    ask: Choice
    convert: Choice
    reply: Choice
    close: Choice
    cancel: Choice
    redirect: Choice
    claimed_by_name: str | None


NO = Choice(False)


class ConversationActions:
    """The signed-in user's changes to conversations in the local store."""

    def __init__(
        self,
        store: Store,
        targets: ResponseTargets,
        now: Callable[[], datetime] = utcnow,
        catalogue: SpecialtyCatalogue | None = None,
    ) -> None:
        """``catalogue`` names each specialty's responsible consultant on advice given here
        (the hub names them too, as it takes the advice)."""
        self._store = store
        self._targets = targets
        self._now = now
        self._catalogue = catalogue

    # --- what may be done --------------------------------------------------------------

    def options(self, user: CurrentUser, conversation_id: str) -> Options:
        with self._store.read_session() as session:
            conv = _conversation(session, conversation_id)
            claimer = _claimer_name(session, conv)

            def respond(target: Status) -> Choice:
                return _choice(lambda: _check_respond(user, conv, claimer, target))

            def move(action: Action, target: Status) -> Choice:
                return _choice(lambda: _check_move(user, conv, action, target))

            return Options(
                claim=_choice(lambda: _check_claim(user, conv, claimer)),
                release=_choice(lambda: _check_release(user, conv, claimer)),
                advise=respond(Status.ADVICE_RETURNED),
                ask=respond(Status.MORE_INFO_REQUESTED),
                convert=respond(Status.CONVERTED),
                reply=move(Action.REPLY, Status.AWAITING_SPECIALIST),
                close=move(Action.CLOSE, Status.CLOSED),
                cancel=_choice(lambda: _check_cancel(user, conv)),
                redirect=_choice(lambda: _check_redirect(session, user, conv, claimer, None)),
                claimed_by_name=claimer,
            )

    # --- specialists -------------------------------------------------------------------

    def claim(self, user: CurrentUser, conversation_id: str) -> Done:
        with self._store.session() as session:
            conv = _conversation(session, conversation_id)
            _check_claim(user, conv, _claimer_name(session, conv))
            if conv.claimed_by_id == user.id:
                return Done(conv.id, Action.CLAIM, None, Status(conv.status))
            now = self._now()
            conv.claimed_by_id, conv.claimed_at, conv.updated_at = user.id, now, now
            return self._queued(session, conv, Action.CLAIM, {}, now, user, words_sent=False)

    def release(self, user: CurrentUser, conversation_id: str) -> Done:
        with self._store.session() as session:
            conv = _conversation(session, conversation_id)
            _check_release(user, conv, _claimer_name(session, conv))
            now = self._now()
            conv.claimed_by_id, conv.claimed_at, conv.updated_at = None, None, now
            return self._queued(session, conv, Action.RELEASE, {}, now, user, words_sent=False)

    def respond(
        self,
        user: CurrentUser,
        conversation_id: str,
        outcome: SpecialistOutcome,
        body: str,
        recommendation: Recommendation | None = None,
    ) -> Done:
        """Advice (with a recommendation), a question for the GP, or a conversion."""
        advice = outcome is SpecialistOutcome.RETURN_TO_REFERRER_WITH_ADVICE
        if advice and recommendation is None:
            raise ActionRefused("Choose a recommendation to go with your advice.")
        if not advice:
            recommendation = None
        text = _text("Your response", body)
        target = status_after_response(outcome)
        with self._store.session() as session:
            conv = _conversation(session, conversation_id)
            _check_respond(user, conv, _claimer_name(session, conv), target)
            now = self._now()
            message = _add_message(session, conv, user, now, RESPONSE_MESSAGE_KINDS[outcome], text)
            message.specialist_outcome = outcome.value
            message.recommendation = recommendation.value if recommendation else None
            message.responsible_consultant = responsible_consultant(
                self._catalogue, conv.specialty_code, outcome
            )
            conv.status, conv.specialist_outcome = target.value, outcome.value
            if recommendation is not None:
                conv.recommendation = recommendation.value
            if conv.claimed_by_id is None:
                conv.claimed_by_id, conv.claimed_at = user.id, now
            if conv.first_response_at is None:  # provisional: the hub's snapshot decides
                conv.first_response_at = now
                if conv.submitted_at is not None:
                    conv.response_working_days = clock.working_days_between(conv.submitted_at, now)
            payload = {
                "message_id": message.id,
                "outcome": outcome.value,
                "recommendation": recommendation.value if recommendation else None,
                "body": text,
                "attachments": _send_files(session, conv, message, user),
            }
            return self._queued(session, conv, Action.RESPOND, payload, now, user)

    def redirect(
        self, user: CurrentUser, conversation_id: str, specialty_code: str, note: str
    ) -> Done:
        """Pass the request to another specialty, with a note the GP and they both read.

        The claim is let go and the new specialty's response target runs from now
        (provisional: the hub's clock decides); the request then leaves this user's
        queue unless they work in that specialty too.
        """
        text = _text("Your note about passing it on", note)
        with self._store.session() as session:
            conv = _conversation(session, conversation_id)
            _check_redirect(session, user, conv, _claimer_name(session, conv), specialty_code)
            now = self._now()
            message = _add_message(session, conv, user, now, "redirect", text)
            message.from_specialty_code, message.to_specialty_code = (
                conv.specialty_code,
                specialty_code,
            )
            conv.form_specialty_code = conv.form_specialty_code or conv.specialty_code
            conv.specialty_code = specialty_code
            conv.claimed_by_id, conv.claimed_at = None, None
            days = self._targets.working_days(specialty_code, conv.priority)
            conv.due_at = clock.due_at(now, days)
            payload = {"message_id": message.id, "specialty_code": specialty_code, "note": text}
            return self._queued(session, conv, Action.REDIRECT, payload, now, user)

    # --- GPs ---------------------------------------------------------------------------

    def reply(self, user: CurrentUser, conversation_id: str, body: str) -> Done:
        """The information asked for, or a follow-up question about the advice."""
        text = _text("Your reply", body)
        with self._store.session() as session:
            conv = _conversation(session, conversation_id)
            _check_move(user, conv, Action.REPLY, Status.AWAITING_SPECIALIST)
            now = self._now()
            message = _add_message(session, conv, user, now, reply_kind(Status(conv.status)), text)
            conv.status = Status.AWAITING_SPECIALIST.value
            days = self._targets.working_days(conv.specialty_code, conv.priority)
            conv.due_at = clock.due_at(now, days)  # provisional: the hub's clock decides
            files = _send_files(session, conv, message, user)
            payload = {"message_id": message.id, "body": text, "attachments": files}
            return self._queued(session, conv, Action.REPLY, payload, now, user)

    def close(
        self,
        user: CurrentUser,
        conversation_id: str,
        outcome: ClosingOutcome,
        useful: AdviceUseful | None = None,
        note: str = "",
    ) -> Done:
        """Close the conversation, recording what happened to the patient, whether the
        advice was useful (asked when there was advice) and a note for the specialist."""
        text = _text("Your closing note", note, required=False)
        with self._store.session() as session:
            conv = _conversation(session, conversation_id)
            _check_move(user, conv, Action.CLOSE, Status.CLOSED)
            if useful is None and advice_given(m.kind for m in conv.messages):
                raise ActionRefused("Say whether the advice was useful: yes, partly or no.")
            try:
                check_closing(conv.recommendation, outcome, text)
            except TransitionRefused as refusal:
                raise ActionRefused(str(refusal)) from None
            now = self._now()
            if text:
                _add_message(session, conv, user, now, "closing", text, closing_note_id(conv.id))
            conv.status, conv.closing_outcome = Status.CLOSED.value, outcome.value
            conv.advice_useful = useful.value if useful else None
            payload = {
                "closing_outcome": outcome.value,
                "advice_useful": useful.value if useful else None,
                "note": text,
            }
            return self._queued(session, conv, Action.CLOSE, payload, now, user)

    def cancel(self, user: CurrentUser, conversation_id: str, reason: str = "") -> Done:
        """Withdraw a sent request (a draft is simply discarded, nothing goes to the hub)."""
        text = _text("The reason for cancelling", reason, required=False)
        with self._store.session() as session:
            conv = _conversation(session, conversation_id)
            _check_cancel(user, conv)
            if conv.status == Status.DRAFT:
                session.delete(conv)
                return Done(conversation_id, Action.CANCEL, None, Status.CANCELLED)
            now = self._now()
            if text:
                note = Message(
                    id=cancel_note_id(conv.id),
                    conversation_id=conv.id,
                    author_id=user.id,
                    author_role=user.role.value,
                    kind="note",
                    body=text,
                    created_at=now,
                )
                session.add(note)
            conv.status = Status.CANCELLED.value
            return self._queued(session, conv, Action.CANCEL, {"reason": text}, now, user)

    # --- shared ------------------------------------------------------------------------

    def _queued(
        self,
        session: Session,
        conv: Conversation,
        action: Action,
        payload: Mapping[str, object],
        now: datetime,
        user: CurrentUser,
        *,
        words_sent: bool = True,
    ) -> Done:
        """Settle the fields every change keeps in step and queue ``user``'s change for the
        hub (``words_sent``: what they were writing here is done with)."""
        conv.updated_at = now
        if not Status(conv.status).is_open and conv.closed_at is None:
            conv.closed_at = now
        conv.referral_avoided = referral_avoided(
            conv.would_have_referred, conv.status, conv.closing_outcome
        )
        if words_sent:
            session.execute(
                delete(ComposerDraft).where(
                    ComposerDraft.conversation_id == conv.id, ComposerDraft.user_id == user.id
                )
            )
        change = repo.record_change(
            session, action.value, dict(payload), conversation_id=conv.id, user_id=user.id, now=now
        )
        return Done(conv.id, action, change.id, Status(conv.status))


def _send_files(
    session: Session, conv: Conversation, message: Message, user: CurrentUser
) -> list[dict[str, str]]:
    """The files picked for this message become its attachments (the outbox payload's)."""
    picked = session.scalars(
        select(ComposerFile)
        .where(ComposerFile.conversation_id == conv.id, ComposerFile.user_id == user.id)
        .order_by(ComposerFile.added_at, ADDED_ORDER)
    ).all()
    refs = []
    for file in picked:
        attachment = Attachment(
            id=repo.new_id(),
            conversation_id=conv.id,
            message_id=message.id,
            sha256=file.sha256,
            filename=file.filename,
            created_at=message.created_at,
        )
        session.add(attachment)
        refs.append({"id": attachment.id, "sha256": file.sha256, "filename": file.filename})
        session.delete(file)
    if refs:
        session.flush()  # the message before the files that refer to it
    return refs


def _conversation(session: Session, conversation_id: str) -> Conversation:
    conv = session.get(Conversation, conversation_id)
    if conv is None:
        raise ActionRefused("This conversation is not on this computer.")
    return conv


def _claimer_name(session: Session, conv: Conversation) -> str | None:
    if conv.claimed_by_id is None:
        return None
    name = session.scalar(select(User.display_name).where(User.id == conv.claimed_by_id))
    return name or "Another specialist"


def _choice(check: Callable[[], None]) -> Choice:
    try:
        check()
    except ActionRefused as refused:
        return Choice(False, str(refused))
    return Choice(True)


def _text(label: str, body: str, *, required: bool = True) -> str:
    try:
        return check_text(label, body, required=required)
    except TextRefused as error:
        raise ActionRefused(str(error)) from None


def _check_role(user: CurrentUser, conv: Conversation, action: Action) -> None:
    actor = Actor(user.role, user.practice_code, user.specialty_codes)
    why = refusal(actor, action, conv.practice_code, conv.specialty_code)
    if why is not None:
        raise ActionRefused(why)


def _check_transition(conv: Conversation, target: Status, role: Role) -> None:
    authorisation = ConvertAuthorisation.of(conv.convert_authorisation)
    try:
        check_transition(Status(conv.status), target, role, authorisation=authorisation)
    except TransitionRefused as error:
        raise ActionRefused(str(error)) from None


def _check_move(user: CurrentUser, conv: Conversation, action: Action, target: Status) -> None:
    _check_role(user, conv, action)
    _check_transition(conv, target, user.role)


def _claimed_elsewhere(conv: Conversation, claimer: str | None, user: CurrentUser) -> str | None:
    if conv.claimed_by_id is None or conv.claimed_by_id == user.id:
        return None
    when = ""
    if conv.claimed_at is not None:
        local = conv.claimed_at.astimezone(clock.LONDON)
        when = f" at {local:%H:%M} on {local:%a} {local.day} {local:%b}"
    return f"{claimer} claimed this request{when}."


def _check_claim(user: CurrentUser, conv: Conversation, claimer: str | None) -> None:
    _check_role(user, conv, Action.CLAIM)
    status = Status(conv.status)
    if status is not Status.AWAITING_SPECIALIST and status is not Status.MORE_INFO_REQUESTED:
        raise ActionRefused(f"A conversation that is '{status.label}' cannot be claimed.")
    if conv.claimed_by_id == user.id:
        raise ActionRefused("You have claimed this request.")
    elsewhere = _claimed_elsewhere(conv, claimer, user)
    if elsewhere:
        raise ActionRefused(elsewhere)


def _check_release(user: CurrentUser, conv: Conversation, claimer: str | None) -> None:
    _check_role(user, conv, Action.RELEASE)
    if conv.claimed_by_id is None:
        raise ActionRefused("Nobody has claimed this request.")
    why = claim_problem(None, Status(conv.status), conv.claimed_by_id, user.id)
    if why is not None:
        raise ActionRefused(why)
    elsewhere = _claimed_elsewhere(conv, claimer, user)
    if elsewhere and user.role is not Role.ADMIN:
        raise ActionRefused(f"{elsewhere} Only they or an administrator can release it.")


def _check_respond(
    user: CurrentUser, conv: Conversation, claimer: str | None, target: Status
) -> None:
    _check_role(user, conv, Action.RESPOND)
    elsewhere = _claimed_elsewhere(conv, claimer, user)
    if elsewhere:
        raise ActionRefused(elsewhere)
    _check_transition(conv, target, Role.SPECIALIST)
    why = claim_problem(target, Status(conv.status), conv.claimed_by_id, user.id)
    if why is not None:
        raise ActionRefused(why)


def _check_redirect(
    session: Session,
    user: CurrentUser,
    conv: Conversation,
    claimer: str | None,
    to_code: str | None,
) -> None:
    """Whether ``user`` may pass the request on (to ``to_code``; None: to another one)."""
    _check_role(user, conv, Action.REDIRECT)
    elsewhere = _claimed_elsewhere(conv, claimer, user)
    if elsewhere:
        raise ActionRefused(elsewhere)
    offered = to_code is None or session.get(Specialty, to_code) is not None
    why = redirect_problem(Status(conv.status), conv.specialty_code, to_code, offered=offered)
    if why is not None:
        raise ActionRefused(why)


def _check_cancel(user: CurrentUser, conv: Conversation) -> None:
    _check_role(user, conv, Action.CANCEL)
    _check_transition(conv, Status.CANCELLED, user.role)


def _add_message(
    session: Session,
    conv: Conversation,
    user: CurrentUser,
    now: datetime,
    kind: str,
    body: str,
    message_id: str | None = None,
) -> Message:
    """A new message at ``now``, never before the last one in the thread (``message_id``:
    one derived as the hub derives it; else a new one)."""
    last = max((m.created_at for m in conv.messages), default=None)
    if last is not None and now <= last:
        now = last + timedelta(microseconds=1)
    message = Message(
        id=message_id or repo.new_id(),
        conversation_id=conv.id,
        author_id=user.id,
        author_role=user.role.value,
        kind=kind,
        body=body,
        created_at=now,
    )
    session.add(message)
    conv.messages.append(message)
    return message
