"""What routes receive through ``Depends``: the hub's services, a unit of work, the caller.

:func:`get_session` yields a session inside a transaction that commits when the route
returns and rolls back when it raises (unless the :class:`HubError` asks to keep its
changes, as refusals that must be audited do). It ends before the response is sent
(``scope="function"``), so a client never sees success for a change that failed to
commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from anyio import CapacityLimiter
from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection, Row
from sqlalchemy.orm import Session

from bhcp_ag.domain.conversation import Role
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.hub import addresses
from bhcp_ag.hub.access import Caller
from bhcp_ag.hub.compat import check_client
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.errors import HubError
from bhcp_ag.hub.security import (
    TOKEN_QUERY,
    Passwords,
    TokenQuery,
    TokenRefused,
    authenticate_with,
    printable_agent,
)
from bhcp_ag.hub.settings import HubSettings
from bhcp_ag.hub.throttle import SignInThrottle


@dataclass(frozen=True)
class HubServices:
    """The objects the composition root built for this hub; one per application."""

    settings: HubSettings
    database: HubDatabase
    passwords: Passwords
    throttle: SignInThrottle
    catalogue: SpecialtyCatalogue
    targets: ResponseTargets
    sign_in_lane: CapacityLimiter
    """Threads for sign-ins and password changes, apart from the other requests': a
    flood of sign-ins (each waiting its turn to hash, or the throttle's delay) fills
    these and leaves pushes and pulls their own."""


# The dependencies that only read the request are ``async``: FastAPI runs a plain
# ``def`` dependency in a worker thread of its own, a thread hop per dependency per
# request, where these take microseconds on the event loop.


async def get_services(request: Request) -> HubServices:
    services: HubServices = request.app.state.hub
    return services


async def client_address(request: Request) -> str:
    """The client's address: the peer's, or the forwarded one from a trusted proxy."""
    peer = request.client.host if request.client else ""
    services: HubServices = request.app.state.hub
    proxies = services.settings.trusted_proxy_networks
    return addresses.client_address(peer, request.headers.getlist("x-forwarded-for"), proxies)


async def user_agent(request: Request) -> str:
    """The client's ``User-Agent`` (cut to 200 characters), for the list of sessions."""
    return printable_agent(request.headers.get("user-agent", ""))


def get_session(request: Request) -> Iterator[Session]:
    """A session in a transaction: committed on success, rolled back on error."""
    services: HubServices = request.app.state.hub
    session = services.database.session()
    try:
        session.begin()
        yield session
        session.commit()
    except HubError as error:
        if error.keep_changes:
            session.commit()
        else:
            session.rollback()
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


Services = Annotated[HubServices, Depends(get_services)]
DbSession = Annotated[Session, Depends(get_session, scope="function")]
ClientAddress = Annotated[str, Depends(client_address)]
UserAgent = Annotated[str, Depends(user_agent)]

_bearer = HTTPBearer(auto_error=False, description="The token from POST /api/v1/session.")


def _unauthorised(code: str, detail: str) -> HubError:
    return HubError(401, code, detail, headers={"WWW-Authenticate": "Bearer"})


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def signed_in_caller(
    executor: Session | Connection,
    credentials: HTTPAuthorizationCredentials | None,
    idle: timedelta,
) -> Caller:
    """The signed-in user, from ``Authorization: Bearer <token>``; else 401 saying why."""
    return signed_in_caller_with(executor, credentials, idle, TOKEN_QUERY)[0]


def signed_in_caller_with(
    executor: Session | Connection,
    credentials: HTTPAuthorizationCredentials | None,
    idle: timedelta,
    query: TokenQuery,
    **parameters: object,
) -> tuple[Caller, Row[Any]]:
    """:func:`signed_in_caller` by ``query`` (a :func:`~bhcp_ag.hub.security.signed_in_query`
    with more columns), and the row it read."""
    if credentials is None or not credentials.credentials:
        raise _unauthorised(
            "not_signed_in", "Sign in first: this request needs the token from signing in."
        )
    try:
        token = credentials.credentials[:200]
        signed_in, row = authenticate_with(executor, token, idle, query, **parameters)
    except TokenRefused as refusal:
        raise _unauthorised(refusal.code, str(refusal)) from None
    return Caller.of(signed_in, signed_in.token_id), row


def current_caller(session: DbSession, credentials: Credentials, services: Services) -> Caller:
    """The signed-in user, checked in the request's unit of work."""
    return signed_in_caller(session, credentials, services.settings.token_idle_timeout)


CurrentCaller = Annotated[Caller, Depends(current_caller)]


def caller_in_own_transaction(services: Services, credentials: Credentials) -> Caller:
    """The signed-in user, checked in a short unit of work of its own.

    For routes that run their own units of work (a push applies each change in its own
    transaction; a pull reads the feed before writing): the request's transaction held
    open around them would hold SQLite's write lock, and on PostgreSQL give the pull a
    transaction id of its own before it reads the feed.
    """
    with services.database.transaction() as session:
        return current_caller(session, credentials, services)


SyncCaller = Annotated[Caller, Depends(caller_in_own_transaction)]


def require_admin(caller: CurrentCaller) -> Caller:
    """The caller, if an administrator; else 403."""
    if caller.role != Role.ADMIN:
        raise HubError(403, "admin_only", "Only an administrator can do this.")
    return caller


AdminCaller = Annotated[Caller, Depends(require_admin)]


def require_admin_in_own_transaction(caller: SyncCaller) -> Caller:
    """An administrator checked in a unit of work of their own, for routes that hash
    a password: they hash between short transactions of their own (see ``accounts``)."""
    return require_admin(caller)


AdminOwnTransaction = Annotated[Caller, Depends(require_admin_in_own_transaction)]


async def check_client_headers(
    services: Services,
    x_bhcp_client_version: Annotated[
        str | None, Header(description="The bhcp-ag version sending the request, e.g. 0.1.0")
    ] = None,
    x_bhcp_schema: Annotated[
        str | None, Header(description="The wire schema the client speaks, e.g. 1")
    ] = None,
) -> None:
    """426 when the hub cannot serve the client's version or schema (see ``compat``)."""
    settings = services.settings
    check_client(
        x_bhcp_client_version, x_bhcp_schema, settings.min_client_version, settings.schema_versions
    )
