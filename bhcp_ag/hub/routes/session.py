"""Signing in and out, who the caller is, their sessions and their password.

The sign-in and password-change routes run their own short units of work around the
password hashing (:mod:`bhcp_ag.hub.sign_in`), never holding a transaction open while
Argon2 runs, on threads of their own (``HubServices.sign_in_lane``).
"""

from __future__ import annotations

from functools import partial

from anyio import to_thread
from fastapi import APIRouter, Response

from bhcp_ag.hub import audit
from bhcp_ag.hub import sign_in as signing_in
from bhcp_ag.hub.demo_users import normalise_username
from bhcp_ag.hub.deps import (
    ClientAddress,
    CurrentCaller,
    DbSession,
    Services,
    SyncCaller,
    UserAgent,
)
from bhcp_ag.hub.models import User
from bhcp_ag.hub.schemas import (
    ErrorBody,
    PasswordChange,
    SessionPublic,
    SessionSummary,
    SignIn,
    UserPublic,
)
from bhcp_ag.hub.security import live_tokens, revoke_token

router = APIRouter(tags=["session"])


@router.post(
    "/session",
    response_model=SessionPublic,
    responses={401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 429: {"model": ErrorBody}},
)
async def sign_in(
    body: SignIn, services: Services, address: ClientAddress, user_agent: UserAgent
) -> SessionPublic:
    """Sign in with username and password; returns a token to send as ``Bearer``."""
    username = normalise_username(body.username)[:60]
    work = partial(signing_in.sign_in, services, username, body.password, address, user_agent)
    return await to_thread.run_sync(work, limiter=services.sign_in_lane)


@router.delete("/session", status_code=204, responses={401: {"model": ErrorBody}})
def sign_out(caller: CurrentCaller, session: DbSession, address: ClientAddress) -> Response:
    """Sign out: the token stops working at once."""
    revoke_token(session, caller.token_id)
    audit.record(
        session,
        "sign_out",
        user_id=caller.id,
        username=caller.username,
        object_type="token",
        object_id=caller.token_id,
        client_address=address,
    )
    return Response(status_code=204)


@router.get("/me", response_model=UserPublic, responses={401: {"model": ErrorBody}})
def me(caller: CurrentCaller, session: DbSession) -> UserPublic:
    """The signed-in user's profile."""
    user = session.get(User, caller.id)
    assert user is not None  # the token's user; users are deactivated, never deleted
    return UserPublic.of(user)


@router.get(
    "/me/sessions", response_model=list[SessionSummary], responses={401: {"model": ErrorBody}}
)
def my_sessions(
    caller: CurrentCaller, session: DbSession, services: Services
) -> list[SessionSummary]:
    """The caller's own live sessions (this one marked ``current``)."""
    idle = services.settings.token_idle_timeout
    return [
        SessionSummary.of(token, idle, current=token.id == caller.token_id)
        for token in live_tokens(session, caller.id)
    ]


@router.post(
    "/me/password",
    status_code=204,
    responses={
        401: {"model": ErrorBody},
        403: {"model": ErrorBody},
        409: {"model": ErrorBody},
        422: {"model": ErrorBody},
        429: {"model": ErrorBody},
    },
)
async def change_password(
    body: PasswordChange, caller: SyncCaller, services: Services, address: ClientAddress
) -> Response:
    """Change one's own password (the current one is needed). This session goes on;
    every other session of the caller's ends. A POST, so that no client repeats it by
    itself: a repeat after a lost answer would be refused as a wrong current password."""
    work = partial(
        signing_in.change_own_password,
        services,
        caller,
        body.current_password,
        body.new_password,
        address,
    )
    await to_thread.run_sync(work, limiter=services.sign_in_lane)
    return Response(status_code=204)
