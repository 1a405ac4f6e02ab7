"""The JSON the hub sends back, read into small frozen values (wire schema 1).

Only the shapes the client relies on are checked; a field the hub adds later is
ignored. Snapshots stay plain dicts here: :mod:`bhcp_ag.sync.snapshots` turns them into
store rows in bulk.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bhcp_ag.sync.errors import ProtocolMismatch

WIRE_SCHEMA = 1
"""The wire schema this client speaks (``X-BHCP-Schema``); see ``docs/sync-protocol.md``."""

Json = Mapping[str, Any]


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time from the hub as an aware UTC datetime (a naive one is taken as UTC)."""
    if value is None or value == "":
        return None
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def time_text(moment: datetime) -> str:
    """An aware datetime as the hub reads it: ISO 8601 in UTC with a ``Z``."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _field(body: Json, name: str, kind: type | tuple[type, ...]) -> Any:
    value = body.get(name) if isinstance(body, Mapping) else None
    if not isinstance(value, kind):
        raise ProtocolMismatch(f"The hub's answer has no valid '{name}'.", "bad_answer")
    return value


@dataclass(frozen=True)
class HubUser:
    id: str
    username: str
    display_name: str
    role: str
    practice_code: str | None
    specialty_codes: tuple[str, ...]

    @classmethod
    def of(cls, body: Json) -> HubUser:
        return cls(
            id=_field(body, "id", str),
            username=_field(body, "username", str),
            display_name=str(body.get("display_name") or ""),
            role=_field(body, "role", str),
            practice_code=body.get("practice_code"),
            specialty_codes=tuple(body.get("specialty_codes") or ()),
        )


@dataclass(frozen=True)
class SessionInfo:
    """A sign-in: the token, when it expires, and whose it is."""

    token: str
    expires_at: datetime | None
    user: HubUser

    def __repr__(self) -> str:  # never print the token
        return f"SessionInfo(user={self.user.username!r}, expires_at={self.expires_at!r})"

    @classmethod
    def of(cls, body: Json) -> SessionInfo:
        return cls(
            token=_field(body, "token", str),
            expires_at=parse_time(body.get("expires_at")),
            user=HubUser.of(_field(body, "user", Mapping)),
        )


@dataclass(frozen=True)
class ChangeResult:
    """The hub's answer for one pushed change.

    ``applied`` and ``rejected`` are final. ``retry`` (the hub's database failed this
    change; neither it nor those behind it were recorded) leaves the change queued.
    """

    id: str
    status: str
    code: str | None
    reason: str | None
    conversation: Json | None

    @property
    def applied(self) -> bool:
        return self.status == "applied"

    @property
    def final(self) -> bool:
        return self.status != "retry"

    @classmethod
    def of(cls, body: Json) -> ChangeResult:
        status = _field(body, "status", str)
        if status not in ("applied", "rejected", "retry"):
            raise ProtocolMismatch(f"The hub answered a change with {status[:20]!r}.", "bad_answer")
        conversation = body.get("conversation")
        return cls(
            id=_field(body, "id", str),
            status=status,
            code=body.get("code"),
            reason=body.get("reason"),
            conversation=conversation if isinstance(conversation, Mapping) else None,
        )


def push_results(body: Json, sent_ids: Sequence[str]) -> list[ChangeResult]:
    """The results of a push, checked to answer exactly the changes sent, in order."""
    results = [ChangeResult.of(item) for item in _field(body, "results", list)]
    if [result.id for result in results] != list(sent_ids):
        raise ProtocolMismatch(
            "The hub's answer to a push does not match the changes sent; they stay queued.",
            "bad_answer",
        )
    return results


@dataclass(frozen=True)
class PulledPage:
    """One page of a pull: full snapshots, the users they mention, and where to go on."""

    conversations: list[Json]
    users: list[Json]
    next_cursor: str
    more: bool
    gone: tuple[str, ...] = ()
    """Conversations no longer this user's (passed on to another specialty)."""

    @classmethod
    def of(cls, body: Json) -> PulledPage:
        gone = body.get("gone") or []
        if not isinstance(gone, list) or not all(isinstance(i, str) for i in gone):
            raise ProtocolMismatch(
                "The hub's list of conversations gone is not a list of ids.", "bad_answer"
            )
        return cls(
            gone=tuple(gone),
            conversations=list(_field(body, "conversations", list)),
            users=list(body.get("users") or []),
            next_cursor=_field(body, "next_cursor", str),
            more=bool(body.get("more")),
        )
