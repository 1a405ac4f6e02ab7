"""The hub's settings: where its database is, how long tokens live, how sign-in is slowed.

:class:`HubSettings` is built once by the command line (or a test) and handed to
:func:`bhcp_ag.hub.app.create_app`; nothing reads the environment behind its back.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property

from argon2 import Parameters

from bhcp_ag import __version__
from bhcp_ag.paths import data_dir

HUB_VERSION = __version__

WIRE_SCHEMA_VERSIONS: frozenset[int] = frozenset({1})
"""The wire schemas (the shape of the JSON exchanged with clients) this hub serves.

A client sends the schema it speaks in ``X-BHCP-Schema``; bump this when the JSON of
the API changes incompatibly, keeping the old number while the hub still serves it.
"""

MIN_CLIENT_VERSION = "0.2.0"
"""The oldest bhcp-ag desktop version this hub serves (``X-BHCP-Client-Version``).

0.2.0: a request names its patient (``patient_family_name`` and ``patient_given_name``
required), which an older desk cannot send; it is told to update, its changes kept."""


def hub_now() -> datetime:
    """The hub's clock: now, in UTC."""
    return datetime.now(UTC)


def default_database_url() -> str:
    """The embedded database: ``hub.sqlite3`` in the user data directory."""
    return f"sqlite:///{data_dir() / 'hub.sqlite3'}"


ProxyNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class HubSettings:
    """Everything the hub is configured with.

    Tokens end ``token_ttl`` after sign-in, or sooner once unused for ``token_idle_timeout``
    (a desk that is open syncs every 30 seconds, which keeps its token alive).

    The sign-in throttle never locks an account's owner out. Failures are counted per
    (username, address) pair: after ``free_failures_per_pair`` of them, each further
    attempt from that address waits 2, 4, 8… seconds after the last, up to
    ``max_pair_delay`` (429 with ``Retry-After``), while the owner elsewhere is unaffected.
    ``failures_before_account_delay`` failures for one username from anywhere within
    ``account_window`` slow every attempt on it by a growing delay of at most
    ``max_account_delay``, served, not refused, so the right password still works.
    Failures are forgotten after ``throttle_window``.

    ``trusted_proxies``: addresses or networks (``10.0.0.5``, ``10.1.0.0/16``) of reverse
    proxies whose ``X-Forwarded-For`` the hub believes; empty (the default) believes none.
    """

    database_url: str = field(default_factory=default_database_url)
    token_ttl: timedelta = timedelta(hours=12)
    token_idle_timeout: timedelta = timedelta(minutes=30)
    free_failures_per_pair: int = 3
    max_pair_delay: timedelta = timedelta(minutes=15)
    failures_before_account_delay: int = 10
    account_window: timedelta = timedelta(minutes=15)
    max_account_delay: timedelta = timedelta(seconds=3)
    throttle_window: timedelta = timedelta(hours=24)
    trusted_proxies: tuple[str, ...] = ()
    min_client_version: str = MIN_CLIENT_VERSION
    schema_versions: frozenset[int] = WIRE_SCHEMA_VERSIONS
    max_request_bytes: int = 8 * 1024 * 1024
    migrate_on_start: bool = True
    request_threads: int = 8
    """Threads of a hub process that run requests' database work (anyio's limit, 40 by
    default; sign-ins have their own 8). Each runs a statement and waits for PostgreSQL,
    and more threads than a machine's cores wait for Python's lock in turn: idle pulls
    on 2 cores, 2 workers (``bench/bench_hub_load.py``): 408/s with 40, 513/s with 8,
    462/s with 4. Beyond them, requests queue on the event loop."""
    password_parameters: Parameters | None = None
    """Argon2id cost; None is argon2-cffi's default (RFC 9106 low-memory). Tests lower it."""
    now: Callable[[], datetime] = field(default=hub_now, compare=False)
    """The clock of the response-clock fields (submitted, due, first response, closed).

    The hub, not the client, is the authority on these times; tests freeze the clock.
    """

    def __post_init__(self) -> None:
        if self.token_ttl <= timedelta(0) or self.token_idle_timeout <= timedelta(0):
            raise ValueError("Tokens must live for a positive time (token_ttl, idle timeout).")
        if not 1 <= self.request_threads <= 256:
            raise ValueError("request_threads must be from 1 to 256.")
        if self.free_failures_per_pair < 1 or self.failures_before_account_delay < 1:
            raise ValueError("The sign-in throttle needs limits of at least 1 failure.")
        if self.throttle_window < self.max_pair_delay:
            raise ValueError("throttle_window must be at least max_pair_delay.")
        if self.max_account_delay > timedelta(seconds=10):
            raise ValueError("max_account_delay above 10 seconds would amount to a lock-out.")
        self.trusted_proxy_networks  # noqa: B018 - a bad address raises here, at start

    @cached_property
    def trusted_proxy_networks(self) -> tuple[ProxyNetwork, ...]:
        """:attr:`trusted_proxies` parsed; raises ValueError naming a bad one."""
        networks = []
        for text in self.trusted_proxies:
            try:
                networks.append(ipaddress.ip_network(text.strip(), strict=False))
            except ValueError:
                raise ValueError(
                    f"{text!r} is not an IP address or network (e.g. 10.0.0.5 or 10.1.0.0/16)."
                ) from None
        return tuple(networks)
