"""Passwords and tokens.

- Passwords are hashed with Argon2id (argon2-cffi's :class:`PasswordHasher`, RFC 9106
  low-memory profile); a hash made with older parameters is replaced at the next
  successful sign-in. An unknown username is checked against a dummy hash, so it takes
  as long to refuse as a wrong password.
- A token is ``secrets.token_urlsafe(32)`` (256 random bits) given to the client once;
  the hub keeps only its SHA-256, its expiry and whether it was revoked.
- A token ends 12 hours after sign-in (``token_ttl``), or sooner when unused for
  ``token_idle_timeout``; revoking one, or all of a user's, ends them at once.
- A new password needs 12 characters and must not be guessable: zxcvbn (common
  passwords, dictionary words and names, keyboard patterns, repeats, dates) must score
  it at least 3 of 4, also against the user's own username and name.
- Hashing and checking take tens of milliseconds on purpose: callers do it outside any
  database transaction (on SQLite a transaction holds the write lock).

The sign-in throttle is in :mod:`bhcp_ag.hub.throttle`.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from argon2 import Parameters, PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, Connection, Row, Select, bindparam, select, update
from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from bhcp_ag.domain.conversation import Role
from bhcp_ag.hub.models import Token, User, user_specialties, utcnow

MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 1024
MIN_PASSWORD_SCORE = 3  # zxcvbn's "safely unguessable": about 10^8 guesses or more
ZXCVBN_CHARS = 100  # zxcvbn's cost grows with length; beyond this it changes nothing
LAST_USED_GRANULARITY = timedelta(minutes=1)  # spares a write on every request
MAX_USER_AGENT_CHARS = 200


class PasswordRefused(ValueError):
    """A new password that does not meet the rules; says why."""


def check_new_password(password: str, user_inputs: Sequence[str] = ()) -> str:
    """Return ``password`` if it is acceptable as a new password, else raise saying why.

    ``user_inputs`` are words the password must not lean on: the username, the name.
    """
    if not password.strip():
        raise PasswordRefused("A password cannot be only spaces.")
    if len(password) < MIN_PASSWORD_CHARS:
        raise PasswordRefused(
            f"A password needs at least {MIN_PASSWORD_CHARS} characters; this has "
            f"{len(password)}. A few unrelated words make a long password easy to remember."
        )
    if len(password) > MAX_PASSWORD_CHARS:
        raise PasswordRefused(f"A password can have at most {MAX_PASSWORD_CHARS} characters.")
    words = [word for word in user_inputs if word]
    result = zxcvbn(password[:ZXCVBN_CHARS], user_inputs=words)
    if result["score"] < MIN_PASSWORD_SCORE:
        feedback = result["feedback"]
        reasons = [feedback["warning"], *feedback["suggestions"]]
        why = " ".join(reason for reason in reasons if reason)
        raise PasswordRefused(
            "This password is too easy to guess. "
            + (why or "Add another word or two. Uncommon words are better.")
        )
    return password


def default_hash_slots() -> int:
    """How many hashes may run at once: half the processors (each hash uses several)."""
    return max(1, (os.cpu_count() or 2) // 2)


class Passwords:
    """Argon2id hashing and checking; one per hub, shared by its requests (thread-safe).

    At most ``slots`` hashes run at once; more would not finish sooner (each already
    uses several processors and 64 MiB) but would starve the threads doing database
    work, which on SQLite then hold the write lock longer and make others time out.
    Sign-ins beyond that wait their turn here, outside any transaction.
    """

    def __init__(self, parameters: Parameters | None = None, *, slots: int | None = None) -> None:
        if parameters is not None and parameters.type is not Type.ID:
            raise ValueError("Hub passwords are hashed with Argon2id only.")
        self._hasher = (
            PasswordHasher.from_parameters(parameters) if parameters else PasswordHasher()
        )
        self._slots = threading.BoundedSemaphore(slots or default_hash_slots())

    def hash(self, password: str) -> str:
        with self._slots:
            return self._hasher.hash(password)

    @cached_property
    def _dummy_hash(self) -> str:
        return self._hasher.hash(secrets.token_urlsafe(16))

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """True when ``password`` matches; with no stored hash, spends the same time."""
        with self._slots:
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


def issue_token(
    session: Session,
    user: User,
    ttl: timedelta,
    *,
    client_address: str = "",
    user_agent: str = "",
) -> IssuedToken:
    """Create a token for ``user`` that expires after ``ttl`` (never commits)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = Token(
        id=str(uuid.uuid4()),
        token_sha256=token_digest(token),
        user_id=user.id,
        created_at=now,
        last_used_at=now,
        expires_at=now + ttl,
        client_address=client_address[:45],
        user_agent=printable_agent(user_agent),
    )
    session.add(row)
    session.flush()
    return IssuedToken(token, row.id, row.expires_at)


SIGN_IN_ENDED = (
    "This sign-in has ended: you signed out, your password was changed, or an "
    "administrator ended it. Sign in again."
)
ACCOUNT_DEACTIVATED = (
    "Your account has been deactivated, so you cannot sign in. Ask an administrator."
)


class TokenRefused(Exception):
    """A token that does not sign anyone in; ``code`` and the message say why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def printable_agent(user_agent: str) -> str:
    """A ``User-Agent`` cut to size, with control characters as ``?``."""
    return "".join(
        "?" if ord(c) < 32 or ord(c) == 127 else c for c in user_agent[:MAX_USER_AGENT_CHARS]
    )


def idle_deadline(row: Token, idle_timeout: timedelta) -> datetime:
    """When ``row`` ends if not used again: its idle limit or its expiry, the earlier."""
    last = row.last_used_at or row.created_at
    return min(row.expires_at, last + idle_timeout)


@dataclass(frozen=True)
class SignedIn:
    """Who a live token signs in, as plain values: the user's (``id``) and the token's."""

    token_id: str
    id: str
    username: str
    display_name: str
    role: str
    practice_code: str | None
    specialty_codes: tuple[str, ...]


TokenQuery = Select[*tuple[Any, ...]]
"""A query of :func:`signed_in_query`: the token's and its user's columns, and more."""

_SIGNED_IN = (
    Token.id,
    Token.user_id,
    Token.revoked_at,
    Token.expires_at,
    Token.last_used_at,
    Token.created_at,
    User.username,
    User.display_name,
    User.role,
    User.practice_code,
    User.active,
)


def authenticate(session: Session | Connection, token: str, idle_timeout: timedelta) -> SignedIn:
    """Who the live token ``token`` signs in, or :class:`TokenRefused` saying why not.

    Every request but the health check comes through here, so it is plain SQL: one
    query for the token and its user, one for a specialist's specialties, and a write
    only when the token's last use is older than :data:`LAST_USED_GRANULARITY`. In a
    unit of work (a session) the write is part of it; on a connection of
    :meth:`~bhcp_ag.hub.db.HubDatabase.reading` it commits on its own.
    """
    return authenticate_with(session, token, idle_timeout, TOKEN_QUERY)[0]


def signed_in_query(*extra: ColumnElement[Any]) -> TokenQuery:
    """The token's query (its one parameter ``token_sha256``), with ``extra`` columns
    after the user's: a request needing one more fact (a scalar subquery, say) then needs
    no second round trip to the database. Build it once: a statement made anew for
    every request costs more Python than the database's whole answer."""
    query = select(*_SIGNED_IN, *extra).join(User, User.id == Token.user_id)
    return query.where(Token.token_sha256 == bindparam("token_sha256"))


TOKEN_QUERY = signed_in_query()


def authenticate_with(
    session: Session | Connection,
    token: str,
    idle_timeout: timedelta,
    query: TokenQuery,
    **parameters: object,
) -> tuple[SignedIn, Row[Any]]:
    """:func:`authenticate` by ``query``, one of :func:`signed_in_query`, given its other
    ``parameters``; the signed-in user and the row read (``extra`` columns last)."""
    digest = token_digest(token)
    row = session.execute(query, {"token_sha256": digest, **parameters}).one_or_none()
    now = utcnow()
    if row is None:
        raise TokenRefused("invalid_token", "This sign-in is not recognised; sign in again.")
    if not row.active:  # first: its tokens were revoked too, and this says why
        raise TokenRefused("account_disabled", ACCOUNT_DEACTIVATED)
    if row.revoked_at is not None:
        raise TokenRefused("token_revoked", SIGN_IN_ENDED)
    if row.expires_at <= now:
        raise TokenRefused("token_expired", "Your sign-in has expired; sign in again.")
    if (row.last_used_at or row.created_at) + idle_timeout <= now:
        minutes = round(idle_timeout.total_seconds() / 60)
        raise TokenRefused(
            "token_idle",
            f"Your sign-in ended after {minutes} minutes without use; sign in again.",
        )
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_GRANULARITY:
        session.execute(update(Token).where(Token.id == row.id).values(last_used_at=now))
    codes: tuple[str, ...] = ()
    if row.role == Role.SPECIALIST:  # only a specialist's scope is their specialties
        held = select(user_specialties.c.tfc_code).where(user_specialties.c.user_id == row.user_id)
        codes = tuple(session.scalars(held.order_by(user_specialties.c.tfc_code)))
    signed_in = SignedIn(
        row.id, row.user_id, row.username, row.display_name, row.role, row.practice_code, codes
    )
    return signed_in, row


def revoke_token(session: Session, token_id: str) -> None:
    row = session.get(Token, token_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()


def revoke_all_tokens(session: Session, user_id: str, *, keep: str | None = None) -> int:
    """Revoke every live token of ``user_id`` (but ``keep``) in one statement; how many."""
    query = update(Token).where(Token.user_id == user_id, Token.revoked_at.is_(None))
    if keep is not None:
        query = query.where(Token.id != keep)
    result = session.execute(query.values(revoked_at=utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)


def live_tokens(session: Session, user_id: str) -> list[Token]:
    """``user_id``'s tokens not revoked and not past their 12-hour limit, newest first."""
    query = (
        select(Token)
        .where(Token.user_id == user_id, Token.revoked_at.is_(None), Token.expires_at > utcnow())
        .order_by(Token.created_at.desc())
    )
    return list(session.scalars(query))
