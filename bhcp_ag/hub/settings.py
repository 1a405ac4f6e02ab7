"""The hub's settings: where its database is, how long tokens live, how sign-in is slowed.

:class:`HubSettings` is built once by the command line (or a test) and handed to
:func:`bhcp_ag.hub.app.create_app`; nothing reads the environment behind its back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from argon2 import Parameters

from bhcp_ag import __version__
from bhcp_ag.paths import data_dir

HUB_VERSION = __version__

WIRE_SCHEMA_VERSIONS: frozenset[int] = frozenset({1})
"""The wire schemas (the shape of the JSON exchanged with clients) this hub serves.

A client sends the schema it speaks in ``X-BHCP-Schema``; bump this when the JSON of
the API changes incompatibly, keeping the old number while the hub still serves it.
"""

MIN_CLIENT_VERSION = "0.1.0"
"""The oldest bhcp-ag desktop version this hub serves (``X-BHCP-Client-Version``)."""


def hub_now() -> datetime:
    """The hub's clock: now, in UTC."""
    return datetime.now(UTC)


def default_database_url() -> str:
    """The embedded database: ``hub.sqlite3`` in the user data directory."""
    return f"sqlite:///{data_dir() / 'hub.sqlite3'}"


@dataclass(frozen=True)
class HubSettings:
    """Everything the hub is configured with.

    ``max_failures_per_username`` failed sign-ins for one username, or
    ``max_failures_per_address`` from one client address, within ``throttle_window``
    make further attempts wait (429). The address limit is higher because a whole
    practice may sign in from behind one address.
    """

    database_url: str = field(default_factory=default_database_url)
    token_ttl: timedelta = timedelta(hours=12)
    max_failures_per_username: int = 5
    max_failures_per_address: int = 20
    throttle_window: timedelta = timedelta(minutes=15)
    min_client_version: str = MIN_CLIENT_VERSION
    schema_versions: frozenset[int] = WIRE_SCHEMA_VERSIONS
    max_request_bytes: int = 8 * 1024 * 1024
    migrate_on_start: bool = True
    password_parameters: Parameters | None = None
    """Argon2id cost; None is argon2-cffi's default (RFC 9106 low-memory). Tests lower it."""
    now: Callable[[], datetime] = field(default=hub_now, compare=False)
    """The clock of the response-clock fields (submitted, due, first response, closed).

    The hub, not the client, is the authority on these times; tests freeze the clock.
    """

    def __post_init__(self) -> None:
        if self.token_ttl <= timedelta(0):
            raise ValueError("Tokens must live for a positive time (token_ttl).")
        if self.max_failures_per_username < 1 or self.max_failures_per_address < 1:
            raise ValueError("The sign-in throttle needs limits of at least 1 failure.")
