"""The sync protocol's wire schemas (``docs/sync-protocol.md``): push, pull and snapshots.

The envelope of a push (:class:`PushRequest`, :class:`ChangeIn`) is checked by FastAPI:
a malformed envelope fails the whole request with 422. Each change's ``payload`` is
checked afterwards against the model of its kind (:data:`PAYLOADS`), so a payload that
does not fit is a rejection of that one change, with the reason, never a failed request.

Every field is built on :mod:`bhcp_ag.hub.wire_types`, so whatever a payload holds can
be stored and served: text that encodes to UTF-8 without NUL, numbers, lists and
answers each with a bound, dates as RFC 3339 text. Text fields take up to
:data:`MAX_TEXT_INPUT` characters here, more than the national 8,000: the domain's
:func:`~bhcp_ag.domain.limits.check_text` then refuses a long text with a message that
says by how much to shorten it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bhcp_ag.domain.conversation import (
    AdviceUseful,
    ClosingOutcome,
    Recommendation,
    SpecialistOutcome,
)
from bhcp_ag.domain.patient import MAX_NAME_INPUT
from bhcp_ag.hub.wire_types import (
    MAX_ANSWERS,
    MAX_TEXT_INPUT,
    STORABLE,
    AnswerKey,
    TemplateAnswer,
    WireDate,
    WireDateTime,
)

MAX_CHANGES = 100
MAX_ATTACHMENTS = 20
SHA256_PATTERN = r"^[0-9a-f]{64}$"

Code = Annotated[str, StringConstraints(max_length=40), STORABLE]
"""A short code or choice from a client."""
Body = Annotated[str, StringConstraints(max_length=MAX_TEXT_INPUT), STORABLE]
"""A free text (the domain then applies the national limit, with its own words)."""
PatientName = Annotated[str, StringConstraints(max_length=MAX_NAME_INPUT), STORABLE]
"""A patient's family or given name (the domain then says what a name may hold)."""
Sha256 = Annotated[str, StringConstraints(pattern=SHA256_PATTERN)]
FileName = Annotated[str, StringConstraints(min_length=1, max_length=255), STORABLE]

CONVERSATION_KINDS = (
    "conversation.submit",
    "conversation.claim",
    "conversation.release",
    "conversation.respond",
    "conversation.reply",
    "conversation.close",
    "conversation.cancel",
    "conversation.redirect",
)


class ChangeIn(BaseModel):
    """One change from a client's outbox; ``id`` is the client's UUID for it."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID
    kind: Annotated[str, StringConstraints(min_length=1, max_length=40), STORABLE]
    conversation_id: uuid.UUID
    created_at: WireDateTime | None = None
    payload: dict[str, Any] = Field(default_factory=dict)


class PushRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    changes: list[ChangeIn] = Field(max_length=MAX_CHANGES)


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EmptyPayload(_Payload):
    """``conversation.claim`` and ``conversation.release`` carry nothing."""


class AttachmentRef(_Payload):
    """An attachment of a request; its bytes were uploaded by SHA-256 beforehand.

    ``id`` is the client's id for it, kept by the hub so that both sides agree; without
    one the hub derives an id from the conversation, the position and the SHA-256.
    """

    id: uuid.UUID | None = None
    sha256: Sha256
    filename: FileName


class SubmitPayload(_Payload):
    """The outbox payload of ``bhcp_ag.services.requests`` for a request being sent."""

    conversation_id: uuid.UUID | None = None
    message_id: uuid.UUID
    practice_code: Code
    requester_id: uuid.UUID | None = None
    submitted_at: Code | None = None  # the client's own time: ignored, the hub's clock decides
    specialty_code: Code
    priority: Code
    patient_nhs_number: Code
    patient_family_name: PatientName  # required: older desks that send none are told why
    patient_given_name: PatientName
    patient_birth_date: WireDate | None = None
    patient_sex: Code | None = None
    question: Body
    clinical_summary: Body
    medication: Body = ""
    results: Body = ""
    template_answers: dict[AnswerKey, TemplateAnswer] = Field(
        default_factory=dict, max_length=MAX_ANSWERS
    )
    would_have_referred: Code | None = None
    convert_authorisation: Code | None = None
    attachments: list[AttachmentRef] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)


class RespondPayload(_Payload):
    message_id: uuid.UUID
    outcome: SpecialistOutcome
    recommendation: Recommendation | None = None
    body: Body
    attachments: list[AttachmentRef] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)


class ReplyPayload(_Payload):
    """A GP's reply or follow-up, with any files it carries (a photo asked for, say)."""

    message_id: uuid.UUID
    body: Body
    attachments: list[AttachmentRef] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)


class ClosePayload(_Payload):
    closing_outcome: ClosingOutcome
    advice_useful: AdviceUseful | None = None  # asked when there was advice; older desks omit it
    note: Body = ""  # the GP's closing note, which the specialist reads


class RedirectPayload(_Payload):
    """A specialist passes the request to another specialty, saying why (both sides read it)."""

    message_id: uuid.UUID
    specialty_code: Code
    note: Body


class CancelPayload(_Payload):
    reason: Body = ""


PAYLOADS: dict[str, type[_Payload]] = {
    "conversation.submit": SubmitPayload,
    "conversation.claim": EmptyPayload,
    "conversation.release": EmptyPayload,
    "conversation.respond": RespondPayload,
    "conversation.reply": ReplyPayload,
    "conversation.close": ClosePayload,
    "conversation.cancel": CancelPayload,
    "conversation.redirect": RedirectPayload,
}


class MessageSnapshot(BaseModel):
    id: str
    author_id: str
    author_role: str
    kind: str
    body: str
    specialist_outcome: str | None
    recommendation: str | None
    from_specialty_code: str | None = None  # a redirect's: the specialty it left
    to_specialty_code: str | None = None  # ... and the one it went to
    responsible_consultant: str | None = None  # advice and conversions: the specialty's lead
    created_at: datetime


class AttachmentSnapshot(BaseModel):
    id: str
    message_id: str | None
    sha256: str
    filename: str
    mime_type: str
    size: int
    created_at: datetime


class ConversationSnapshot(BaseModel):
    """A conversation as the hub holds it now: every column, its messages and attachments
    (``content: "review"``: the minimum a practice manager is given, the rest blank)."""

    content: Literal["full", "review"] = "full"
    id: str
    version: int
    practice_code: str
    requester_id: str
    specialty_code: str
    priority: str
    status: str
    patient_nhs_number: str
    patient_family_name: str
    patient_given_name: str
    patient_birth_date: date | None
    patient_sex: str | None
    question: str
    clinical_summary: str
    medication: str
    results: str
    template_answers: dict[str, Any]
    would_have_referred: str | None
    convert_authorisation: str | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    due_at: datetime | None
    first_response_at: datetime | None
    closed_at: datetime | None
    claimed_by_id: str | None
    claimed_at: datetime | None
    specialist_outcome: str | None
    recommendation: str | None
    closing_outcome: str | None
    advice_useful: str | None = None  # yes | partly | no, the GP's answer on closing
    form_specialty_code: str | None = None  # whose form the GP filled in, once passed on
    referral_avoided: bool | None
    first_due_at: datetime | None  # the due time set at submission; replies do not move it
    response_working_days: float | None  # submission to first response, in working days
    patient_age_band: str | None  # "0-4" ... "80+", on the day the request was sent
    messages: list[MessageSnapshot]
    attachments: list[AttachmentSnapshot]


ChangeStatus = Literal["applied", "rejected", "retry"]


class ChangeResult(BaseModel):
    """What became of one change.

    ``applied`` and ``rejected`` are final (a rejection says why in ``reason`` and
    ``code``). ``retry``: the hub could not finish this change just now (its database
    failed), so neither it nor the changes behind it in this push were applied or
    recorded; the client keeps them queued and pushes them again later.
    """

    id: str
    status: ChangeStatus
    code: str | None = None
    reason: str | None = None
    conversation: ConversationSnapshot | None = None


class PushResponse(BaseModel):
    results: list[ChangeResult]


class UserSnapshot(BaseModel):
    id: str
    username: str
    display_name: str
    role: str
    practice_code: str | None
    specialty_codes: list[str]


class PullPage(BaseModel):
    conversations: list[ConversationSnapshot]
    gone: list[str] = Field(default_factory=list)
    """Conversations this user could see before and no longer can (passed on to another
    specialty): their desk removes its copies."""
    users: list[UserSnapshot]
    next_cursor: str
    more: bool
