"""Use-cases of a GP's advice request: save a draft, send it, read a conversation.

The UI calls these; each is one unit of work on the local store. Sending a request
writes the conversation, its first message and the outbox change for the hub in one
transaction, so the hub issue's sync finds every sent request in the outbox.
These functions run on any thread and never touch the UI.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from bhcp_ag.domain.clock import LONDON, due_at
from bhcp_ag.domain.conversation import Role, Status, check_transition
from bhcp_ag.domain.minimum import ContentView
from bhcp_ag.domain.patient import age_band
from bhcp_ag.domain.request import AdviceRequestForm, draft_problems, submit_problems
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.services.attachments import AttachedNow, prepare
from bhcp_ag.store import conversations as repo
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import (
    Attachment,
    AttachmentContent,
    Conversation,
    Message,
    Practice,
    User,
    utcnow,
)
from bhcp_ag.store.sync_state import bound_hub


class RequestInvalid(ValueError):
    """The request cannot be saved or sent as it stands; ``problems`` says why, per field."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


@dataclass(frozen=True)
class Sent:
    conversation_id: str
    submitted_at: datetime
    due_at: datetime
    change_id: str


@dataclass(frozen=True)
class MessageView:
    author_name: str
    author_role: str
    kind: str
    body: str
    created_at: datetime
    recommendation: str | None
    from_specialty: str | None = None  # a redirect's: the specialty it left (short name)
    to_specialty: str | None = None  # ... and the one it went to
    id: str = ""
    responsible_consultant: str | None = None  # advice and conversions: the specialty's lead


@dataclass(frozen=True)
class AttachmentView:
    id: str
    filename: str
    sha256: str
    mime_type: str
    size: int
    message_id: str | None


@dataclass(frozen=True)
class ConversationView:
    """A read-only copy of one conversation with its thread, for display."""

    id: str
    status: str
    specialty_name: str
    form: AdviceRequestForm
    requester_name: str
    created_at: datetime
    submitted_at: datetime | None
    due_at: datetime | None
    closing_outcome: str | None
    referral_avoided: bool | None
    messages: tuple[MessageView, ...]
    attachment_names: tuple[str, ...]
    attachments: tuple[AttachmentView, ...] = ()
    practice_name: str = ""
    claimed_by_name: str | None = None
    claimed_at: datetime | None = None
    first_response_at: datetime | None = None
    closed_at: datetime | None = None
    recommendation: str | None = None
    advice_useful: str | None = None
    passed_from: str | None = None  # the specialty whose form it is, once passed on
    specialty_code: str = ""
    review: bool = False  # a practice manager's: no patient details, text, messages, files


def review_of(view: ConversationView) -> ConversationView:
    """What a practice manager is shown of ``view`` (:mod:`bhcp_ag.domain.minimum`), even
    of a conversation their store kept whole (a colleague's, waiting to be sent)."""
    form = view.form
    return dataclasses.replace(
        view,
        form=AdviceRequestForm(
            specialty_code=form.specialty_code,
            priority=form.priority,
            patient_sex=form.patient_sex,
            would_have_referred=form.would_have_referred,
            convert_authorisation=form.convert_authorisation,
        ),
        messages=(),
        attachment_names=(),
        attachments=(),
        claimed_by_name=None,
        claimed_at=None,
        review=True,
    )


class AdviceRequests:
    """A GP's requests in the local store."""

    def __init__(
        self,
        store: Store,
        catalogue: SpecialtyCatalogue,
        targets: ResponseTargets,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._store = store
        self._catalogue = catalogue
        self._targets = targets
        self._now = now

    def save_draft(
        self, user_id: str, form: AdviceRequestForm, conversation_id: str | None = None
    ) -> str:
        """Save what the GP has typed, complete or not; returns the draft's id."""
        problems = draft_problems(form)
        if problems:
            raise RequestInvalid(problems)
        with self._store.session() as session:
            user = _user(session, user_id)
            conv = repo.save_draft(
                session, form, requester=user, conversation_id=conversation_id, now=self._now()
            )
            return conv.id

    def accepts_synthetic_patients(self) -> bool:
        """Whether a test patient's NHS number may be sent: not to a live hub (a store that
        has not synced yet does not know, and the hub itself refuses one)."""
        with self._store.read_session() as session:
            hub = bound_hub(session)
        return hub is None or hub.demo

    def submit(
        self, user_id: str, form: AdviceRequestForm, conversation_id: str | None = None
    ) -> Sent:
        """Send the request: checked, stored as sent, and queued for the hub."""
        now = self._now()
        template = self._catalogue.template(form.specialty_code)
        problems = draft_problems(form) | submit_problems(
            form,
            template,
            now.astimezone(LONDON).date(),
            synthetic_patients=self.accepts_synthetic_patients(),
        )
        if problems:
            raise RequestInvalid(problems)
        with self._store.session() as session:
            user = _user(session, user_id)
            check_transition(Status.DRAFT, Status.SUBMITTED, Role(user.role))
            conv = repo.save_draft(
                session, form, requester=user, conversation_id=conversation_id, now=now
            )
            conv.status = Status.SUBMITTED.value
            conv.submitted_at = now
            # Provisional until the hub, whose clock is the authority, sets them.
            conv.due_at = due_at(
                now, self._targets.working_days(form.specialty_code, form.priority)
            )
            conv.first_due_at = conv.due_at
            if form.patient_birth_date is not None:
                conv.patient_age_band = age_band(
                    form.patient_birth_date, now.astimezone(LONDON).date()
                )
            message = _request_message(conv, user, now)
            session.add(message)
            change = repo.record_change(
                session,
                "conversation.submit",
                _submit_payload(conv, message),
                conversation_id=conv.id,
                user_id=user.id,
                now=now,
            )
            return Sent(conv.id, now, conv.due_at, change.id)

    def attach(self, conversation_id: str, filename: str, data: bytes) -> AttachedNow:
        """Attach a file (JPEG, PNG or PDF up to 5 MB) to a draft, prepared as the hub
        wants it (:func:`~bhcp_ag.services.attachments.prepare`): what was kept and why.

        Raises ``AttachmentRefused`` with the reason when the file is not acceptable.
        """
        prepared, checked = prepare(filename, data)
        with self._store.session() as session:
            conv = session.get(Conversation, conversation_id)
            if conv is None or conv.status != Status.DRAFT:
                raise ValueError("Files can be attached to a request only before it is sent.")
            repo.keep_content(session, checked, prepared.file.content)
            session.add(
                Attachment(
                    id=repo.new_id(),
                    conversation_id=conversation_id,
                    sha256=checked.sha256,
                    filename=prepared.filename,
                    created_at=self._now(),
                )
            )
            return AttachedNow(checked.sha256, prepared.filename, prepared.notes)

    def load_form(self, conversation_id: str) -> AdviceRequestForm:
        with self._store.read_session() as session:
            conv = session.get(Conversation, conversation_id)
            if conv is None:
                raise KeyError(f"No conversation {conversation_id} in this store.")
            return repo.content_of(conv)

    def view(
        self, conversation_id: str, content: ContentView = ContentView.FULL
    ) -> ConversationView:
        """The conversation for display: all of it, or the review a practice manager gets."""
        with self._store.read_session() as session:
            conv = session.get(Conversation, conversation_id)
            if conv is None:
                raise KeyError(f"No conversation {conversation_id} in this store.")
            view = _view_of(session, conv, self._catalogue)
        return review_of(view) if content is ContentView.REVIEW else view


def _user(session: repo.Session, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise KeyError(f"No user {user_id} in this store.")
    return user


def _request_message(conv: Conversation, user: User, now: datetime) -> Message:
    return Message(
        id=repo.new_id(),
        conversation_id=conv.id,
        author_id=user.id,
        author_role=user.role,
        kind="request",
        body=conv.question,
        created_at=now,
    )


def _submit_payload(conv: Conversation, message: Message) -> dict[str, object]:
    form = repo.content_of(conv)
    payload: dict[str, object] = {
        "conversation_id": conv.id,
        "message_id": message.id,
        "practice_code": conv.practice_code,
        "requester_id": conv.requester_id,
        "submitted_at": conv.submitted_at,
    }
    for key, value in vars(form).items():
        payload[key] = value.isoformat() if isinstance(value, date) else value
    payload["template_answers"] = json.loads(conv.template_answers)
    payload["attachments"] = [
        {"id": a.id, "sha256": a.sha256, "filename": a.filename} for a in conv.attachments
    ]
    return payload


def _attachments_of(session: repo.Session, conv: Conversation) -> tuple[AttachmentView, ...]:
    """The conversation's attachments, described without loading their bytes."""
    hashes = {a.sha256 for a in conv.attachments}
    if not hashes:
        return ()
    query = select(
        AttachmentContent.sha256, AttachmentContent.mime_type, AttachmentContent.size
    ).where(AttachmentContent.sha256.in_(hashes))
    kinds = {sha: (mime, size) for sha, mime, size in session.execute(query)}
    return tuple(
        AttachmentView(a.id, a.filename, a.sha256, *kinds.get(a.sha256, ("", 0)), a.message_id)
        for a in conv.attachments
    )


def _view_of(
    session: repo.Session, conv: Conversation, catalogue: SpecialtyCatalogue
) -> ConversationView:
    author_ids = {m.author_id for m in conv.messages} | {conv.requester_id}
    if conv.claimed_by_id:
        author_ids.add(conv.claimed_by_id)
    query = select(User.id, User.display_name).where(User.id.in_(author_ids))
    names: dict[str, str] = {user_id: name for user_id, name in session.execute(query)}
    messages = tuple(
        MessageView(
            author_name=names.get(m.author_id, "Unknown"),
            author_role=m.author_role,
            kind=m.kind,
            body=m.body,
            created_at=m.created_at,
            recommendation=m.recommendation,
            from_specialty=_short_name(catalogue, m.from_specialty_code),
            to_specialty=_short_name(catalogue, m.to_specialty_code),
            id=m.id,
            responsible_consultant=m.responsible_consultant,
        )
        for m in conv.messages
    )
    return ConversationView(
        id=conv.id,
        status=conv.status,
        specialty_name=catalogue.get(conv.specialty_code).short_name,
        form=repo.content_of(conv),
        requester_name=names.get(conv.requester_id, "Unknown"),
        created_at=conv.created_at,
        submitted_at=conv.submitted_at,
        due_at=conv.due_at,
        closing_outcome=conv.closing_outcome,
        referral_avoided=conv.referral_avoided,
        messages=messages,
        attachment_names=tuple(a.filename for a in conv.attachments),
        attachments=_attachments_of(session, conv),
        practice_name=session.scalar(
            select(Practice.name).where(Practice.code == conv.practice_code)
        )
        or conv.practice_code,
        claimed_by_name=names.get(conv.claimed_by_id) if conv.claimed_by_id else None,
        claimed_at=conv.claimed_at,
        first_response_at=conv.first_response_at,
        closed_at=conv.closed_at,
        recommendation=conv.recommendation,
        advice_useful=conv.advice_useful,
        passed_from=_short_name(catalogue, conv.form_specialty_code),
        specialty_code=conv.specialty_code,
    )


def _short_name(catalogue: SpecialtyCatalogue, code: str | None) -> str | None:
    if code is None:
        return None
    return catalogue.get(code).short_name if code in catalogue else code
