"""The sign-in throttle: wrong passwords slow an attacker and never lock the owner out.

Failures are kept in the database (every hub process sharing it sees them) and counted
two ways:

- per (username, address) pair: after a few, each further attempt from that address on
  that account must wait a delay that doubles with every failure, up to a cap, and is
  refused with 429 and ``Retry-After`` until then. The owner signing in from another
  computer is unaffected, and a success from the address clears the pair.
- per username, from every address: many failures add a short, bounded delay that the
  hub waits before checking the password, so guessing from many addresses is slowed
  while the right password from a new address still signs in.

Each attempt is counted as a failure *before* its password is checked, and a success
removes it: concurrent guesses therefore cannot all slip in under the same count. On
PostgreSQL an advisory lock per username makes the check and the count one step, as
SQLite's ``BEGIN IMMEDIATE`` does.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from bhcp_ag.hub.models import FailedSignIn, utcnow
from bhcp_ag.hub.settings import HubSettings

MAX_USERNAME_CHARS = 60
MAX_ADDRESS_CHARS = 45


def pair_delay(failures: int, free: int, cap: timedelta) -> timedelta:
    """How long after the last of ``failures`` the next attempt from the pair must wait."""
    if failures < free:
        return timedelta(0)
    doublings = min(failures - free + 1, 40)  # 2**40 s is far past any cap
    return min(cap, timedelta(seconds=2**doublings))


def account_delay(failures: int, threshold: int, cap: timedelta) -> timedelta:
    """The wait before checking a password for an account with ``failures`` recent ones."""
    if failures < threshold:
        return timedelta(0)
    doublings = min(failures - threshold, 40)
    return min(cap, timedelta(seconds=0.25 * 2**doublings))


def _wait_words(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@dataclass(frozen=True)
class Throttled:
    """This attempt is refused unchecked; try again after ``retry_after`` seconds."""

    retry_after: int

    @property
    def message(self) -> str:
        return (
            "Too many failed sign-ins for this account from this computer. Wait "
            f"{_wait_words(self.retry_after)} and try again, or ask an administrator to "
            "reset the password."
        )


@dataclass(frozen=True)
class Attempt:
    """An attempt allowed to go on, already counted as a failure until it succeeds."""

    failure_id: int
    delay: timedelta
    """How long to wait (outside any transaction) before checking the password."""


class SignInThrottle:
    """Counts failed sign-ins per (username, address) and per username, in the database."""

    def __init__(self, settings: HubSettings) -> None:
        self._settings = settings

    def begin(self, session: Session, username: str, address: str) -> Attempt | Throttled:
        """Count this attempt, or refuse it unchecked when the pair must still wait."""
        username, address = username[:MAX_USERNAME_CHARS], address[:MAX_ADDRESS_CHARS]
        s, now = self._settings, utcnow()
        self._lock(session, username)
        session.execute(delete(FailedSignIn).where(FailedSignIn.at <= now - s.throttle_window))
        pair = (FailedSignIn.username == username, FailedSignIn.client_address == address)
        count, last = session.execute(
            select(func.count(), func.max(FailedSignIn.at)).where(*pair)
        ).one()
        if last is not None:
            free_at = last + pair_delay(count, s.free_failures_per_pair, s.max_pair_delay)
            if free_at > now:
                return Throttled(max(1, math.ceil((free_at - now).total_seconds())))
        recent = select(func.count()).where(
            FailedSignIn.username == username, FailedSignIn.at > now - s.account_window
        )
        delay = account_delay(
            session.scalar(recent) or 0, s.failures_before_account_delay, s.max_account_delay
        )
        row = FailedSignIn(username=username, client_address=address, at=now)
        session.add(row)
        session.flush()
        return Attempt(row.id, delay)

    def succeeded(self, session: Session, username: str, address: str) -> None:
        """The password was right: forget the pair's failures (not other addresses')."""
        session.execute(
            delete(FailedSignIn).where(
                FailedSignIn.username == username[:MAX_USERNAME_CHARS],
                FailedSignIn.client_address == address[:MAX_ADDRESS_CHARS],
            )
        )

    def forget_account(self, session: Session, username: str) -> None:
        """An administrator reset the password: the account's failures start again."""
        session.execute(
            delete(FailedSignIn).where(FailedSignIn.username == username[:MAX_USERNAME_CHARS])
        )

    def failures(self, session: Session, username: str, address: str | None = None) -> int:
        query = select(func.count()).where(FailedSignIn.username == username)
        if address is not None:
            query = query.where(FailedSignIn.client_address == address)
        return session.scalar(query) or 0

    @staticmethod
    def _lock(session: Session, username: str) -> None:
        if session.get_bind().dialect.name != "postgresql":
            return  # SQLite: BEGIN IMMEDIATE already serialises writers
        digest = hashlib.sha256(b"sign-in:" + username.encode("utf-8")).digest()
        key = int.from_bytes(digest[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
