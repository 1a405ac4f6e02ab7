"""The hub's wire schemas: what requests carry and responses return (not the tables).

``XCreate`` models are what a client sends; ``XPublic`` what the hub answers. Limits on
lengths here keep oversized input out before it reaches the database; the domain's
rules (roles, practices, passwords) are checked after, with their own messages.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from bhcp_ag.hub.models import Attachment, Conversation, Message, Practice, Specialty, User


def _no_nul(text: str) -> str:
    if "\x00" in text:
        raise ValueError("must not contain a NUL character")
    return text


Text = Annotated[str, AfterValidator(_no_nul)]
"""Text from a client: PostgreSQL cannot store a NUL character, so it is refused here."""

UserRole = Literal["gp", "specialist", "practice_manager", "admin"]
TfcCode = Annotated[str, Field(min_length=3, max_length=3, pattern=r"^\d{3}$")]


class ErrorBody(BaseModel):
    """Every error response: readable words and a machine code."""

    detail: str
    code: str


class Health(BaseModel):
    status: Literal["ok"]
    hub_version: str
    api_version: str
    schema_versions: list[int]
    min_client_version: str


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Text = Field(min_length=1, max_length=200)
    password: Text = Field(min_length=1, max_length=1024)


class UserPublic(BaseModel):
    id: str
    username: str
    display_name: str
    role: UserRole
    practice_code: str | None
    specialty_codes: list[str]
    active: bool

    @classmethod
    def of(cls, user: User) -> UserPublic:
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,  # type: ignore[arg-type]
            practice_code=user.practice_code,
            specialty_codes=list(user.specialty_codes),
            active=user.active,
        )


class SessionPublic(BaseModel):
    """A new sign-in: the token (shown this once), when it expires, and who it is for."""

    token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime
    user: UserPublic


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Text = Field(min_length=3, max_length=60)
    display_name: Text = Field(min_length=1, max_length=120)
    role: UserRole
    practice_code: Text | None = Field(default=None, max_length=10)
    specialty_codes: list[TfcCode] = Field(default_factory=list, max_length=30)
    password: Text = Field(min_length=1, max_length=1024)


class PracticePublic(BaseModel):
    code: str
    name: str
    icc: str
    network: str
    town: str
    list_size: int

    @classmethod
    def of(cls, practice: Practice) -> PracticePublic:
        return cls(
            code=practice.code,
            name=practice.name,
            icc=practice.icc,
            network=practice.network,
            town=practice.town,
            list_size=practice.list_size,
        )


class SpecialtyPublic(BaseModel):
    tfc_code: str
    name: str
    short_name: str

    @classmethod
    def of(cls, specialty: Specialty) -> SpecialtyPublic:
        return cls(
            tfc_code=specialty.tfc_code, name=specialty.name, short_name=specialty.short_name
        )


class MessagePublic(BaseModel):
    id: str
    author_id: str
    author_role: str
    kind: str
    body: str
    specialist_outcome: str | None
    recommendation: str | None
    created_at: datetime

    @classmethod
    def of(cls, message: Message) -> MessagePublic:
        return cls.model_validate(message, from_attributes=True)


class AttachmentPublic(BaseModel):
    id: str
    message_id: str | None
    sha256: str
    filename: str
    mime_type: str
    size: int
    created_at: datetime

    @classmethod
    def of(cls, attachment: Attachment) -> AttachmentPublic:
        return cls(
            id=attachment.id,
            message_id=attachment.message_id,
            sha256=attachment.sha256,
            filename=attachment.filename,
            mime_type=attachment.content.mime_type,
            size=attachment.content.size,
            created_at=attachment.created_at,
        )


class ConversationPublic(BaseModel):
    """A conversation with its messages and attachment details (not their bytes)."""

    id: str
    version: int
    practice_code: str
    requester_id: str
    specialty_code: str
    priority: str
    status: str
    patient_nhs_number: str
    patient_birth_date: date | None
    patient_sex: str | None
    question: str
    clinical_summary: str
    medication: str
    results: str
    template_answers: str
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
    referral_avoided: bool | None
    messages: list[MessagePublic]
    attachments: list[AttachmentPublic]

    @classmethod
    def of(cls, conversation: Conversation) -> ConversationPublic:
        fields = {
            name: getattr(conversation, name)
            for name in cls.model_fields
            if name not in ("messages", "attachments")
        }
        return cls(
            **fields,
            messages=[MessagePublic.of(m) for m in conversation.messages],
            attachments=[AttachmentPublic.of(a) for a in conversation.attachments],
        )
