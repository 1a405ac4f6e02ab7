"""The hub's tables, as typed SQLAlchemy 2.x models (SQLite and PostgreSQL alike).

Separate from the desktop store's tables: the hub keeps users with password hashes,
tokens, the change feed, applied changes and the audit log, which no client holds.
Conversations carry the same clinical fields as the client's, with the client-generated
UUID as their id and a ``version`` that the ORM increments at every update, so that two
hub transactions changing the same conversation cannot both win (optimistic
concurrency: the loser gets ``StaleDataError``).

Times are aware datetimes in UTC (:class:`UTCDateTime`). Constraint names follow
:data:`NAMING_CONVENTION` so that SQLite batch migrations can find them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
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

ID = String(36)  # a UUID in its 36-character text form, as the client writes it
# A 64-bit serial on PostgreSQL; SQLite's INTEGER PRIMARY KEY is the rowid (64-bit too).
Serial = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime, kept in UTC; a naive one is refused.

    PostgreSQL stores ``timestamp with time zone``; SQLite stores the UTC wall time.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("Times are stored in UTC: a naive datetime was given.")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Practice(Base):
    __tablename__ = "practices"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    icc: Mapped[str] = mapped_column(String(60))
    network: Mapped[str] = mapped_column(String(60))
    town: Mapped[str] = mapped_column(String(60), default="")
    list_size: Mapped[int] = mapped_column(Integer, default=0)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)


class Specialty(Base):
    __tablename__ = "specialties"

    tfc_code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    short_name: Mapped[str] = mapped_column(String(40))


class HubIdentity(Base):
    """The hub itself, one row: the id a desk's store is bound to, and whether it is a demo
    hub (synthetic patients and demo accounts) or a live one (real patients only)."""

    __tablename__ = "hub_identity"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # "demo" or "live"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


user_specialties = Table(
    "user_specialties",
    Base.metadata,
    Column("user_id", ID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("tfc_code", String(3), ForeignKey("specialties.tfc_code"), primary_key=True),
    Index("ix_user_specialties_tfc_code", "tfc_code"),
)


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    practice_code: Mapped[str | None] = mapped_column(ForeignKey("practices.code"))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    specialties: Mapped[list[Specialty]] = relationship(
        secondary=user_specialties, order_by=Specialty.tfc_code, lazy="selectin"
    )

    @property
    def specialty_codes(self) -> tuple[str, ...]:
        return tuple(specialty.tfc_code for specialty in self.specialties)


class Token(Base):
    """A sign-in token; only its SHA-256 is kept, so a stolen database holds no tokens."""

    __tablename__ = "tokens"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Where the session was signed in from, for the list of a user's sessions.
    client_address: Mapped[str] = mapped_column(String(45), default="", server_default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="", server_default="")

    user: Mapped[User] = relationship(lazy="joined")


class FailedSignIn(Base):
    """One failed sign-in, counted per (username, address) and per username to slow guessing."""

    __tablename__ = "failed_sign_ins"

    id: Mapped[int] = mapped_column(Serial, primary_key=True)
    username: Mapped[str] = mapped_column(String(60))
    client_address: Mapped[str] = mapped_column(String(45))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_failed_sign_ins_username_at", "username", "at"),
        Index("ix_failed_sign_ins_username_client_address_at", "username", "client_address", "at"),
        Index("ix_failed_sign_ins_at", "at"),  # forgetting the old ones
    )


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(ID, primary_key=True)  # generated by the client
    version: Mapped[int] = mapped_column(Integer, default=1)
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
    template_answers: Mapped[str] = mapped_column(Text, default="{}")  # a JSON object

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
    referral_avoided: Mapped[bool | None] = mapped_column(Boolean)

    # Facts for the reports, fixed when they happen (SQL cannot compute them portably):
    # the due time set at submission (due_at moves on when the GP replies), the working
    # days to the first response on the response clock, and the age band at submission.
    first_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_working_days: Mapped[float | None] = mapped_column(Float)
    patient_age_band: Mapped[str | None] = mapped_column(String(8))

    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation", order_by="Message.created_at"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="conversation", order_by="Attachment.created_at"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_conversations_practice_status", "practice_code", "status"),
        Index("ix_conversations_specialty_status_due", "specialty_code", "status", "due_at"),
        Index(REPORT_INDEX, *REPORT_COLUMNS),  # the reports read only this
    )


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
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
    """An attachment's bytes, stored once by SHA-256 whatever number refer to it."""

    __tablename__ = "attachment_contents"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    mime_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AttachmentUpload(Base):
    """Who has uploaded which bytes: a change may refer only to bytes its author uploaded
    (or that belong to a conversation they may see), never to bytes held for others."""

    __tablename__ = "attachment_uploads"

    sha256: Mapped[str] = mapped_column(
        ForeignKey("attachment_contents.sha256", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[str | None] = mapped_column(ForeignKey("messages.id"))
    sha256: Mapped[str] = mapped_column(ForeignKey("attachment_contents.sha256"))
    filename: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="attachments")
    content: Mapped[AttachmentContent] = relationship(lazy="joined")


class AppliedChange(Base):
    """A pushed change the hub has applied (or rejected), by the client's change UUID.

    A change pushed again returns ``result`` unchanged: each is applied at most once.
    """

    __tablename__ = "applied_changes"

    change_id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    conversation_id: Mapped[str | None] = mapped_column(ID)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FeedEntry(Base):
    """One change to one conversation, in the order pulls must see them.

    ``xid`` is the PostgreSQL transaction id that wrote the entry (0 on SQLite); see
    :mod:`bhcp_ag.hub.feed` for why pulls order by ``(xid, id)``.
    """

    __tablename__ = "feed"

    id: Mapped[int] = mapped_column(Serial, primary_key=True, autoincrement=True)
    xid: Mapped[int] = mapped_column(BigInteger, default=0)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    practice_code: Mapped[str] = mapped_column(String(10))
    specialty_code: Mapped[str] = mapped_column(String(3))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_feed_xid_id", "xid", "id"),
        Index("ix_feed_practice_code_xid_id", "practice_code", "xid", "id"),
        Index("ix_feed_specialty_code_xid_id", "specialty_code", "xid", "id"),
        {"sqlite_autoincrement": True},  # never reuse an id, even after a deletion
    )


class AuditEntry(Base):
    """Who did what, when, from where: append-only (triggers refuse UPDATE and DELETE).

    ``detail`` never holds patient data: ids, codes and reasons only.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Serial, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[str | None] = mapped_column(ID, index=True)
    username: Mapped[str] = mapped_column(String(60), default="")
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str | None] = mapped_column(String(30))
    object_id: Mapped[str | None] = mapped_column(String(60))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    client_address: Mapped[str] = mapped_column(String(45), default="")

    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)
