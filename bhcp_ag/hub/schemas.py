"""The hub's wire schemas: what requests carry and responses return (not the tables).

``XCreate`` models are what a client sends; ``XPublic`` what the hub answers. Limits on
lengths here keep oversized input out before it reaches the database; the domain's
rules (roles, practices, passwords) are checked after, with their own messages.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from bhcp_ag.hub.models import Practice, Specialty, Token, User
from bhcp_ag.hub.security import MAX_PASSWORD_CHARS, idle_deadline
from bhcp_ag.hub.wire_types import WireText

Text = WireText
"""Text from a client: storable and servable (no NUL, no lone surrogate), as every field."""

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
    hub_id: str = Field(description="This hub's own id: a desk's store syncs with one hub only")
    demo: bool = Field(description="A demo hub (synthetic patients); a live hub refuses them")


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Text = Field(min_length=1, max_length=200)
    password: Text = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)


class PasswordChange(BaseModel):
    """A user changing their own password: the current one proves it is them."""

    model_config = ConfigDict(extra="forbid")

    current_password: Text = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)
    new_password: Text = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)


class PasswordReset(BaseModel):
    """An administrator giving a user a new password."""

    model_config = ConfigDict(extra="forbid")

    password: Text = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)


class SessionSummary(BaseModel):
    """One signed-in session, as listed: never its token."""

    id: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime
    """When it ends if not used again: the idle limit or the 12-hour limit, the earlier."""
    client_address: str
    user_agent: str
    current: bool = False

    @classmethod
    def of(cls, token: Token, idle_timeout: timedelta, *, current: bool = False) -> SessionSummary:
        return cls(
            id=token.id,
            created_at=token.created_at,
            last_used_at=token.last_used_at,
            expires_at=idle_deadline(token, idle_timeout),
            client_address=token.client_address,
            user_agent=token.user_agent,
            current=current,
        )


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
    password: Text = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)


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
