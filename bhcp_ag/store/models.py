"""The local store's tables, as typed SQLAlchemy 2.x models.

Times are stored in UTC (:class:`UTCDateTime` refuses naive datetimes) and shown in
Europe/London by the UI. Conversations, messages and outbox changes carry
client-generated UUIDs so that the hub can apply each change at most once.

These models are the schema at head; ``migrations/`` builds it step by step and a test
checks that the two agree.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from bhcp_ag.sqlkit.report_index import REPORT_COLUMNS, REPORT_INDEX

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as naive UTC; comes back aware, in UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("Times are stored in UTC: a naive datetime was given.")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Practice(Base):
    __tablename__ = "practices"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    icc: Mapped[str] = mapped_column(String(60))
    network: Mapped[str] = mapped_column(String(60))
    list_size: Mapped[int] = mapped_column(Integer, default=0)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)


class Specialty(Base):
    __tablename__ = "specialties"

    tfc_code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    short_name: Mapped[str] = mapped_column(String(40))


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    practice_code: Mapped[str | None] = mapped_column(ForeignKey("practices.code"))
    # Comma-separated TFC codes of a specialist's specialties ("330,410").
    specialty_codes: Mapped[str] = mapped_column(String(200), default="")


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    practice_code: Mapped[str] = mapped_column(ForeignKey("practices.code"))
    requester_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    specialty_code: Mapped[str] = mapped_column(ForeignKey("specialties.tfc_code"))
    priority: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(24))

    patient_nhs_number: Mapped[str] = mapped_column(String(10), default="")
    # Shown "SMITH, Jane" beside the NHS number and date of birth: the third identifier.
    patient_family_name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    patient_given_name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    patient_birth_date: Mapped[date | None] = mapped_column(Date)
    patient_sex: Mapped[str | None] = mapped_column(String(16))

    question: Mapped[str] = mapped_column(Text, default="")
    clinical_summary: Mapped[str] = mapped_column(Text, default="")
    medication: Mapped[str] = mapped_column(Text, default="")
    results: Mapped[str] = mapped_column(Text, default="")
    # The specialty template's answers, as a JSON object keyed by field key.
    template_answers: Mapped[str] = mapped_column(Text, default="{}")

    would_have_referred: Mapped[str | None] = mapped_column(String(8))
    convert_authorisation: Mapped[str | None] = mapped_column(String(32))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    claimed_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    specialist_outcome: Mapped[str | None] = mapped_column(String(40))
    recommendation: Mapped[str | None] = mapped_column(String(48))
    closing_outcome: Mapped[str | None] = mapped_column(String(32))
    advice_useful: Mapped[str | None] = mapped_column(String(8))  # the GP's answer on closing
    # The specialty whose form the GP filled in, once the request has been passed on to
    # another (None: never passed on, the form is the specialty's own).
    form_specialty_code: Mapped[str | None] = mapped_column(String(3))
    # Set when the conversation ends, by bhcp_ag.domain.conversation.referral_avoided.
    referral_avoided: Mapped[bool | None] = mapped_column(Boolean)

    # Facts for the reports, fixed by the hub when they happen and pulled with the
    # snapshot (the desk sets provisional ones): the due time set at submission (due_at
    # moves on when the GP replies), the working days to the first response on the
    # response clock, and the patient's age band at submission.
    first_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_working_days: Mapped[float | None] = mapped_column(Float)
    patient_age_band: Mapped[str | None] = mapped_column(String(8))

    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation", order_by="Message.created_at"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="conversation", order_by="Attachment.created_at"
    )

    __table_args__ = (
        # Sort columns with the tie-breaking id: the list reads sorted ids from the index.
        Index("ix_conversations_due_at", "due_at", "id"),
        Index("ix_conversations_submitted_at", "submitted_at", "id"),
        Index("ix_conversations_updated_at", "updated_at", "id"),
        Index("ix_conversations_status", "status", "id"),
        Index("ix_conversations_priority", "priority", "id"),
        Index("ix_conversations_patient", "patient_nhs_number", "id"),
        # The search of the question's words reads this, not the far wider table.
        Index("ix_conversations_question", "question", "id"),
        Index("ix_conversations_specialty", "specialty_code", "id"),
        Index("ix_conversations_practice", "practice_code", "id"),
        Index("ix_conversations_practice_status", "practice_code", "status"),
        Index("ix_conversations_specialty_status_due", "specialty_code", "status", "due_at"),
        Index(REPORT_INDEX, *REPORT_COLUMNS),  # the reports read only this
    )


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    author_role: Mapped[str] = mapped_column(String(20))
    # request | question (specialist asks) | reply (GP answers) | advice | follow_up | note
    kind: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    specialist_outcome: Mapped[str | None] = mapped_column(String(40))
    recommendation: Mapped[str | None] = mapped_column(String(48))
    # A redirect's message: the specialty the request left and the one it went to.
    from_specialty_code: Mapped[str | None] = mapped_column(String(3))
    to_specialty_code: Mapped[str | None] = mapped_column(String(3))
    # Advice and conversions: the specialty's lead when it was given (e-RS's rule: the
    # consultant keeps responsibility for advice given by others on the team).
    responsible_consultant: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")


class AttachmentContent(Base):
    """An attachment's bytes, stored once whatever number of conversations refer to it."""

    __tablename__ = "attachment_contents"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    mime_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[str | None] = mapped_column(ForeignKey("messages.id"))
    sha256: Mapped[str] = mapped_column(ForeignKey("attachment_contents.sha256"))
    filename: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="attachments")
    content: Mapped[AttachmentContent] = relationship()


class OutboxChange(Base):
    """A local change waiting for the hub; written in the transaction of the change itself."""

    __tablename__ = "outbox"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the change's UUID
    seq: Mapped[int] = mapped_column(Integer, unique=True)  # local order of changes
    kind: Mapped[str] = mapped_column(String(40))  # e.g. "conversation.submit"
    conversation_id: Mapped[str | None] = mapped_column(String(36), index=True)
    # Who made the change: only they push it (the hub takes the author from the token).
    # NULL only for changes queued before revision 0008 could say.
    user_id: Mapped[str | None] = mapped_column(String(36), index=True)
    payload: Mapped[str] = mapped_column(Text)  # JSON
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # pending | applied | rejected
    state: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class AppState(Base):
    """Small key-value facts about this store: who is signed in, sync cursors."""

    __tablename__ = "app_state"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class RejectedChange(Base):
    """A change the hub refused (final): why, and the user's words it carried, kept here.

    The UI shows ``reason`` until the user has seen it (``seen_at``). ``kept_text`` holds
    the body of a refused reply or response, so nothing the user wrote is lost; a refused
    request needs no copy, since it becomes a draft again with its form intact.
    """

    __tablename__ = "rejected_changes"

    change_id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the outbox id
    conversation_id: Mapped[str | None] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    code: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    kept_text: Mapped[str | None] = mapped_column(Text)
    rejected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HeldBackConversation(Base):
    """A conversation whose pulled snapshot was not applied because local changes waited.

    Once those changes are pushed, sync fetches the conversation again, so a newer state
    pulled meanwhile is never lost behind the cursor.
    """

    __tablename__ = "held_back_conversations"

    conversation_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    held_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ComposerDraft(Base):
    """What a user is writing in a conversation (a reply, advice, a question), kept as they
    type so that closing the app, a crash or a refused send never loses it."""

    __tablename__ = "composer_drafts"

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    body: Mapped[str] = mapped_column(Text, default="")
    # The response the specialist had chosen: "OUTCOME" or "OUTCOME:RECOMMENDATION".
    choice: Mapped[str | None] = mapped_column(String(96))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReplySnippet(Base):
    """A specialist's saved wording, to start a response from (kept on this computer)."""

    __tablename__ = "reply_snippets"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36), index=True)
    title: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ComposerFile(Base):
    """A file picked to go with what a user is writing in a conversation, not sent yet.

    Its bytes are in ``attachment_contents`` already; sending the words turns it into an
    :class:`Attachment` of the new message, in the same transaction.
    """

    __tablename__ = "composer_files"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(String(36))
    sha256: Mapped[str] = mapped_column(ForeignKey("attachment_contents.sha256"))
    filename: Mapped[str] = mapped_column(String(255))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
