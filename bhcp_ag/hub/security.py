"""Passwords, tokens and the sign-in throttle.

- Passwords are hashed with Argon2id (argon2-cffi's :class:`PasswordHasher`, RFC 9106
  low-memory profile); a hash made with older parameters is replaced at the next
  successful sign-in. An unknown username is checked against a dummy hash, so it takes
  as long to refuse as a wrong password.
- A token is ``secrets.token_urlsafe(32)`` (256 random bits) given to the client once;
  the hub keeps only its SHA-256, its expiry and whether it was revoked.
- Failed sign-ins are counted in the database (so every worker process sees them): after
  too many for one username or one address within the window, further attempts are
  refused until the oldest failure leaves the window, without checking the password.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from argon2 import Parameters, PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bhcp_ag.hub.models import FailedSignIn, Token, User, utcnow
from bhcp_ag.hub.settings import HubSettings

MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 1024
LAST_USED_GRANULARITY = timedelta(minutes=1)  # spares a write on every request


class PasswordRefused(ValueError):
    """A new password that does not meet the rules; says why."""


def check_new_password(password: str) -> str:
    """Return ``password`` if it is acceptable as a new password, else raise."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise PasswordRefused(
            f"A password needs at least {MIN_PASSWORD_CHARS} characters; this has "
            f"{len(password)}. A few unrelated words make a long password easy to remember."
        )
    if len(password) > MAX_PASSWORD_CHARS:
        raise PasswordRefused(f"A password can have at most {MAX_PASSWORD_CHARS} characters.")
    return password


class Passwords:
    """Argon2id hashing and checking; one per hub, shared by its requests (thread-safe)."""

    def __init__(self, parameters: Parameters | None = None) -> None:
        if parameters is not None and parameters.type is not Type.ID:
            raise ValueError("Hub passwords are hashed with Argon2id only.")
        self._hasher = (
            PasswordHasher.from_parameters(parameters) if parameters else PasswordHasher()
        )

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    @cached_property
    def _dummy_hash(self) -> str:
        return self._hasher.hash(secrets.token_urlsafe(16))

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """True when ``password`` matches; with no stored hash, spends the same time."""
        try:
            return self._hasher.verify(stored_hash or self._dummy_hash, password) and (
                stored_hash is not None
            )
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)


def token_digest(token: str) -> str:
    """The SHA-256 (hex) under which a token is kept."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    """A token as handed to the client: the only time the hub sees it in the clear."""

    token: str
    token_id: str
    expires_at: datetime


def issue_token(session: Session, user: User, ttl: timedelta) -> IssuedToken:
    """Create a token for ``user`` that expires after ``ttl`` (never commits)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = Token(
        id=str(uuid.uuid4()),
        token_sha256=token_digest(token),
        user_id=user.id,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(row)
    session.flush()
    return IssuedToken(token, row.id, row.expires_at)


class TokenRefused(Exception):
    """A token that does not sign anyone in; ``code`` and the message say why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def authenticate(session: Session, token: str) -> Token:
    """The live token row for ``token`` (with its user), or :class:`TokenRefused`."""
    row = session.scalar(select(Token).where(Token.token_sha256 == token_digest(token)))
    now = utcnow()
    if row is None:
        raise TokenRefused("invalid_token", "This sign-in is not recognised; sign in again.")
    if row.revoked_at is not None:
        raise TokenRefused("token_revoked", "You have signed out on this device; sign in again.")
    if row.expires_at <= now:
        raise TokenRefused("token_expired", "Your sign-in has expired; sign in again.")
    if not row.user.active:
        raise TokenRefused(
            "account_disabled", "Your account has been disabled; ask an administrator."
        )
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_GRANULARITY:
        row.last_used_at = now
    return row


def revoke_token(session: Session, token_id: str) -> None:
    row = session.get(Token, token_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()


@dataclass(frozen=True)
class Throttled:
    """Sign-in is refused for now; try again after ``retry_after`` seconds."""

    retry_after: int
    by_address: bool

    @property
    def message(self) -> str:
        minutes = max(1, math.ceil(self.retry_after / 60))
        wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
        who = "from this computer" if self.by_address else "for this account"
        return (
            f"Too many failed sign-ins {who}. Wait {wait} and try again, or ask an "
            "administrator to reset the password."
        )


class SignInThrottle:
    """Counts failed sign-ins per username and per address, in the database."""

    def __init__(self, settings: HubSettings) -> None:
        self._window = settings.throttle_window
        self._per_username = settings.max_failures_per_username
        self._per_address = settings.max_failures_per_address

    def check(self, session: Session, username: str, address: str) -> Throttled | None:
        """A :class:`Throttled` when this attempt must wait, else None."""
        since = utcnow() - self._window
        for column, value, limit in (
            (FailedSignIn.username, username, self._per_username),
            (FailedSignIn.client_address, address, self._per_address),
        ):
            recent = (
                select(FailedSignIn.at)
                .where(column == value, FailedSignIn.at > since)
                .order_by(FailedSignIn.at.desc())
                .limit(limit)
            )
            times = session.scalars(recent).all()
            if len(times) >= limit:
                free_at = min(times) + self._window
                wait = math.ceil((free_at - utcnow()).total_seconds())
                return Throttled(max(1, wait), column is FailedSignIn.client_address)
        return None

    def record_failure(self, session: Session, username: str, address: str) -> None:
        """Count a failure, forgetting those that have left the window (never commits)."""
        now = utcnow()
        session.execute(delete(FailedSignIn).where(FailedSignIn.at <= now - self._window))
        session.add(FailedSignIn(username=username[:60], client_address=address[:45], at=now))

    def forget(self, session: Session, username: str) -> None:
        """A successful sign-in clears the username's failures (not the address's)."""
        session.execute(delete(FailedSignIn).where(FailedSignIn.username == username))

    def failures(self, session: Session, username: str) -> int:
        since = utcnow() - self._window
        query = select(func.count()).where(
            FailedSignIn.username == username, FailedSignIn.at > since
        )
        return session.scalar(query) or 0
