"""Signing in and changing one's own password, with every Argon2 hash outside transactions.

Each is three steps: a short transaction that counts the attempt with the throttle and
reads what is needed (the stored hash); the hash checked with no transaction open; a
short transaction that writes the outcome. On SQLite a transaction holds the write lock,
so sign-ins no longer queue behind one another's hashing, nor make other requests wait
past the busy timeout. A password changed between the two transactions makes the
attempt fail, as if the old password had been wrong.

Sign-in answers the same "username or password is not right" for an unknown username and
a wrong password, takes as long for both, and records each failure (audited, and counted
by the throttle).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bhcp_ag.hub import audit
from bhcp_ag.hub.access import Caller
from bhcp_ag.hub.accounts import AccountRefused, NewPassword, password_words, user_by_username
from bhcp_ag.hub.deps import HubServices
from bhcp_ag.hub.errors import HubError
from bhcp_ag.hub.models import User, utcnow
from bhcp_ag.hub.schemas import SessionPublic, UserPublic
from bhcp_ag.hub.security import (
    ACCOUNT_DEACTIVATED,
    issue_token,
    revoke_all_tokens,
)
from bhcp_ag.hub.throttle import Attempt, Throttled

SIGN_IN_FAILED = "The username or password is not right. Check both and try again."
WRONG_CURRENT_PASSWORD = "Your current password is not right; nothing was changed."


@dataclass(frozen=True)
class _Stored:
    """What the first transaction read: the account's id and hash (None: no such user)."""

    user_id: str | None
    password_hash: str | None
    password_changed_at: datetime | None = None


def _begin(
    services: HubServices, username: str, address: str, action: str
) -> tuple[Attempt, _Stored]:
    """Count the attempt and read the stored hash; 429 when the throttle says wait."""
    with services.database.transaction() as session:
        attempt = services.throttle.begin(session, username, address)
        if isinstance(attempt, Throttled):
            audit.record(
                session,
                f"{action}.throttled",
                username=username,
                client_address=address,
                retry_after=attempt.retry_after,
            )
            stored = _Stored(None, None)
        else:
            user = user_by_username(session, username)
            stored = (
                _Stored(user.id, user.password_hash, user.password_changed_at)
                if user
                else _Stored(None, None)
            )
    if isinstance(attempt, Throttled):
        raise HubError(
            429,
            "too_many_attempts",
            attempt.message,
            headers={"Retry-After": str(attempt.retry_after)},
        )
    return attempt, stored


def _checked(services: HubServices, attempt: Attempt, stored: _Stored, password: str) -> bool:
    """Whether ``password`` is right, after the throttle's delay; no transaction is open."""
    if attempt.delay:
        time.sleep(attempt.delay.total_seconds())
    return services.passwords.verify(stored.password_hash, password)


def _user_if_unchanged(session: Session, stored: _Stored) -> User | None:
    """The user, if their password is still the one checked (a rehash of the same
    password by a concurrent sign-in does not count as a change)."""
    user = session.get(User, stored.user_id) if stored.user_id else None
    if user is None or user.password_changed_at != stored.password_changed_at:
        return None
    return user


def sign_in(
    services: HubServices, username: str, password: str, address: str, user_agent: str
) -> SessionPublic:
    """A new session for ``username``, or a :class:`HubError` (401, 403, 429) saying why."""
    attempt, stored = _begin(services, username, address, "sign_in")
    right = _checked(services, attempt, stored, password)
    rehashed = None
    if right and stored.password_hash and services.passwords.needs_rehash(stored.password_hash):
        rehashed = services.passwords.hash(password)
    with services.database.transaction() as session:
        user = _user_if_unchanged(session, stored) if right else None
        if user is None:
            audit.record(
                session,
                "sign_in.failed",
                user_id=stored.user_id,
                username=username,
                client_address=address,
                reason="wrong_password" if stored.user_id else "unknown_username",
            )
            refusal = HubError(401, "sign_in_failed", SIGN_IN_FAILED)
        else:
            services.throttle.succeeded(session, username, address)
            if not user.active:
                audit.record(
                    session,
                    "sign_in.refused",
                    user_id=user.id,
                    username=username,
                    client_address=address,
                    reason="deactivated",
                )
                refusal = HubError(403, "account_disabled", ACCOUNT_DEACTIVATED)
            else:
                return _issue(services, session, user, rehashed, address, user_agent)
    raise refusal


def _issue(
    services: HubServices,
    session: Session,
    user: User,
    rehashed: str | None,
    address: str,
    user_agent: str,
) -> SessionPublic:
    if rehashed is not None:
        user.password_hash = rehashed
    issued = issue_token(
        session,
        user,
        services.settings.token_ttl,
        client_address=address,
        user_agent=user_agent,
    )
    audit.record(
        session,
        "sign_in",
        user_id=user.id,
        username=user.username,
        object_type="token",
        object_id=issued.token_id,
        client_address=address,
    )
    return SessionPublic(token=issued.token, expires_at=issued.expires_at, user=UserPublic.of(user))


def _new_password_refusal(current: str, new: str, inputs: tuple[str, ...]) -> HubError | None:
    if new == current:
        return HubError(422, "same_password", "The new password must differ from the current one.")
    try:
        NewPassword.check(new, inputs)
    except AccountRefused as refusal:
        return HubError(422, refusal.code, str(refusal))
    return None


def change_own_password(
    services: HubServices, caller: Caller, current: str, new: str, address: str
) -> int:
    """Change ``caller``'s password; every other session of theirs ends (how many).

    The current password is needed, and wrong ones are throttled like sign-ins: a
    stolen token alone must not be a way to guess the password.
    """
    inputs = password_words(caller.username, caller.display_name)
    attempt, stored = _begin(services, caller.username, address, "password_change")
    if not _checked(services, attempt, stored, current):
        with services.database.transaction() as session:
            audit.record(
                session,
                "password_change.failed",
                user_id=caller.id,
                username=caller.username,
                client_address=address,
                reason="wrong_password",
            )
        raise HubError(403, "wrong_password", WRONG_CURRENT_PASSWORD)
    # Only once the current password is proved is the new one judged: nothing is said
    # of a password to anyone who holds the token alone.
    refusal = _new_password_refusal(current, new, inputs)
    if refusal is not None:
        with services.database.transaction() as session:
            services.throttle.succeeded(session, caller.username, address)
        raise refusal
    hashed = NewPassword.of(services.passwords, new, inputs)
    with services.database.transaction() as session:
        user = _user_if_unchanged(session, stored)
        if user is not None:
            services.throttle.succeeded(session, caller.username, address)
            user.password_hash = hashed.hash
            user.password_changed_at = utcnow()
            ended = revoke_all_tokens(session, user.id, keep=caller.token_id)
            audit.record(
                session,
                "password.changed",
                user_id=caller.id,
                username=caller.username,
                object_type="user",
                object_id=caller.id,
                client_address=address,
                sessions_ended=ended,
            )
            return ended
    raise HubError(
        409, "password_changed", "Your password was changed meanwhile; nothing was changed."
    )
