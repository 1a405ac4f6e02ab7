"""Signing in and out, and who the caller is.

Sign-in answers the same "username or password is not right" for an unknown username and
a wrong password, takes as long for both, and records each failure (audited, and counted
by the throttle) even though the request fails.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy.orm import Session

from bhcp_ag.hub import audit
from bhcp_ag.hub.accounts import user_by_username
from bhcp_ag.hub.demo_users import normalise_username
from bhcp_ag.hub.deps import ClientAddress, CurrentCaller, DbSession, HubServices, Services
from bhcp_ag.hub.errors import HubError
from bhcp_ag.hub.models import User
from bhcp_ag.hub.schemas import ErrorBody, SessionPublic, SignIn, UserPublic
from bhcp_ag.hub.security import issue_token, revoke_token

router = APIRouter(tags=["session"])

SIGN_IN_FAILED = "The username or password is not right. Check both and try again."


def _refuse_if_throttled(
    session: Session, services: HubServices, username: str, address: str
) -> None:
    throttled = services.throttle.check(session, username, address)
    if throttled is None:
        return
    audit.record(
        session,
        "sign_in.throttled",
        username=username,
        client_address=address,
        by_address=throttled.by_address,
    )
    raise HubError(
        429,
        "too_many_attempts",
        throttled.message,
        headers={"Retry-After": str(throttled.retry_after)},
        keep_changes=True,
    )


def _check_password(
    session: Session, services: HubServices, body: SignIn, username: str, address: str
) -> User:
    user = user_by_username(session, username)
    if services.passwords.verify(user.password_hash if user else None, body.password):
        assert user is not None
        return user
    services.throttle.record_failure(session, username, address)
    audit.record(
        session,
        "sign_in.failed",
        user_id=user.id if user else None,
        username=username,
        client_address=address,
        reason="wrong_password" if user else "unknown_username",
    )
    raise HubError(401, "sign_in_failed", SIGN_IN_FAILED, keep_changes=True)


@router.post(
    "/session",
    response_model=SessionPublic,
    responses={401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 429: {"model": ErrorBody}},
)
def sign_in(
    body: SignIn, session: DbSession, services: Services, address: ClientAddress
) -> SessionPublic:
    """Sign in with username and password; returns a token to send as ``Bearer``."""
    username = normalise_username(body.username)[:60]
    _refuse_if_throttled(session, services, username, address)
    user = _check_password(session, services, body, username, address)
    if not user.active:
        audit.record(
            session, "sign_in.refused", user_id=user.id, username=username, client_address=address
        )
        raise HubError(
            403,
            "account_disabled",
            "Your account has been disabled; ask an administrator.",
            keep_changes=True,
        )
    if services.passwords.needs_rehash(user.password_hash):
        user.password_hash = services.passwords.hash(body.password)
    services.throttle.forget(session, username)
    issued = issue_token(session, user, services.settings.token_ttl)
    audit.record(
        session,
        "sign_in",
        user_id=user.id,
        username=username,
        object_type="token",
        object_id=issued.token_id,
        client_address=address,
    )
    return SessionPublic(token=issued.token, expires_at=issued.expires_at, user=UserPublic.of(user))


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
