"""User management, for administrators only: list and create users, deactivate and
reactivate them, reset their passwords, list and end their sessions.

Routes that hash a password (create, reset) check the administrator and then hash in no
transaction, before a short one of their own stores the result (see ``accounts``).
Every change is audited, with no password in the log.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from bhcp_ag.domain.conversation import Role
from bhcp_ag.domain.organisation import User as Person
from bhcp_ag.hub import accounts, audit
from bhcp_ag.hub.access import Caller
from bhcp_ag.hub.accounts import (
    AccountRefused,
    NewPassword,
    create_user,
    password_words,
    words_of,
)
from bhcp_ag.hub.deps import AdminCaller, AdminOwnTransaction, ClientAddress, DbSession, Services
from bhcp_ag.hub.errors import HubError
from bhcp_ag.hub.models import Token, User
from bhcp_ag.hub.schemas import ErrorBody, PasswordReset, SessionSummary, UserCreate, UserPublic
from bhcp_ag.hub.security import live_tokens, revoke_token

OWN_ACCOUNT = {
    "deactivate": "You cannot deactivate your own account; ask another administrator.",
    "reset": "Change your own password with Change password… (your current password is "
    "needed), not as an administrator.",
    "session": "This is the session you are using; sign out instead.",
}

router = APIRouter(tags=["admin"])

_REFUSALS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorBody}, 403: {"model": ErrorBody}}
_ABOUT_A_USER: dict[int | str, dict[str, Any]] = {**_REFUSALS, 404: {"model": ErrorBody}}
UserId = Annotated[str, Path(min_length=1, max_length=36)]
SessionId = Annotated[str, Path(min_length=1, max_length=36)]


def _user(session: Session, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise HubError(404, "unknown_user", "There is no user with this id on this hub.")
    return user


def _audit(
    session: Session, admin: Caller, action: str, address: str, user_id: str, **detail: Any
) -> None:
    audit.record(
        session,
        action,
        user_id=admin.id,
        username=admin.username,
        object_type="user",
        object_id=user_id,
        client_address=address,
        **detail,
    )


@router.get("/users", response_model=list[UserPublic], responses=_REFUSALS)
def list_users(_admin: AdminCaller, session: DbSession) -> list[UserPublic]:
    """Every user, by username."""
    users = session.scalars(select(User).order_by(User.username)).all()
    return [UserPublic.of(user) for user in users]


@router.post(
    "/users",
    response_model=UserPublic,
    status_code=201,
    responses={**_REFUSALS, 409: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)
def add_user(
    body: UserCreate, admin: AdminOwnTransaction, services: Services, address: ClientAddress
) -> UserPublic:
    """Create a user with a password (at least 12 characters, not easy to guess)."""
    person = Person(
        username=body.username,
        display_name=body.display_name,
        role=Role(body.role),
        practice_code=body.practice_code or None,
        specialty_codes=tuple(body.specialty_codes),
    )
    try:
        password = NewPassword.of(services.passwords, body.password, words_of(person))
        with services.database.transaction() as session:
            user = create_user(session, person, password)
            _audit(
                session,
                admin,
                "user.created",
                address,
                user.id,
                role=user.role,
                new_username=user.username,
            )
            return UserPublic.of(user)
    except AccountRefused as refusal:
        status = 409 if refusal.code == "username_taken" else 422
        raise HubError(status, refusal.code, str(refusal)) from None


@router.post(
    "/users/{user_id}/deactivate",
    response_model=UserPublic,
    responses={**_ABOUT_A_USER, 409: {"model": ErrorBody}},  # one's own account
)
def deactivate_user(
    user_id: UserId, admin: AdminCaller, session: DbSession, address: ClientAddress
) -> UserPublic:
    """Stop the user signing in; every session of theirs ends at once."""
    if user_id == admin.id:
        raise HubError(409, "own_account", OWN_ACCOUNT["deactivate"])
    user = _user(session, user_id)
    ended = accounts.deactivate(session, user)
    _audit(session, admin, "user.deactivated", address, user.id, sessions_ended=ended)
    return UserPublic.of(user)


@router.post("/users/{user_id}/reactivate", response_model=UserPublic, responses=_ABOUT_A_USER)
def reactivate_user(
    user_id: UserId, admin: AdminCaller, session: DbSession, address: ClientAddress
) -> UserPublic:
    """Let a deactivated user sign in again, with the password they had."""
    user = _user(session, user_id)
    accounts.reactivate(user)
    _audit(session, admin, "user.reactivated", address, user.id)
    return UserPublic.of(user)


@router.put(
    "/users/{user_id}/password",
    status_code=204,
    responses={**_ABOUT_A_USER, 409: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)
def reset_password(
    user_id: UserId,
    body: PasswordReset,
    admin: AdminOwnTransaction,
    services: Services,
    address: ClientAddress,
) -> Response:
    """Give the user a new password: every session of theirs ends, failed sign-ins are
    forgotten. Tell them the new password by another way; they can change it. Not one's
    own: that needs the current password (``POST /me/password``), so that a stolen
    administrator's token is not a way to take the account."""
    if user_id == admin.id:
        raise HubError(409, "own_account", OWN_ACCOUNT["reset"])
    with services.database.transaction() as session:
        user = _user(session, user_id)
        words = password_words(user.username, user.display_name)
        before = user.password_changed_at
    try:
        password = NewPassword.of(services.passwords, body.password, words)
    except AccountRefused as refusal:
        raise HubError(422, refusal.code, str(refusal)) from None
    with services.database.transaction() as session:
        user = _user(session, user_id)
        if user.password_changed_at != before:
            raise HubError(409, "password_changed", "The password was changed meanwhile.")
        ended = accounts.set_password(session, user, password)
        _audit(session, admin, "user.password_reset", address, user.id, sessions_ended=ended)
    return Response(status_code=204)


@router.get(
    "/users/{user_id}/sessions", response_model=list[SessionSummary], responses=_ABOUT_A_USER
)
def user_sessions(
    user_id: UserId, _admin: AdminCaller, session: DbSession, services: Services
) -> list[SessionSummary]:
    """The user's live sessions, newest first: when and where each began, when last used
    and when it ends if not used again (never the token)."""
    _user(session, user_id)
    idle = services.settings.token_idle_timeout
    return [SessionSummary.of(token, idle) for token in live_tokens(session, user_id)]


@router.delete(
    "/users/{user_id}/sessions/{session_id}",
    status_code=204,
    responses={**_ABOUT_A_USER, 409: {"model": ErrorBody}},  # the session in use
)
def end_session(
    user_id: UserId,
    session_id: SessionId,
    admin: AdminCaller,
    session: DbSession,
    address: ClientAddress,
) -> Response:
    """End one of the user's sessions at once (not the one making this request: that is
    signing out)."""
    if session_id == admin.token_id:
        raise HubError(409, "own_session", OWN_ACCOUNT["session"])
    token = session.get(Token, session_id)
    if token is None or token.user_id != user_id:
        raise HubError(404, "unknown_session", "The user has no session with this id.")
    revoke_token(session, session_id)
    audit.record(
        session,
        "session.revoked",
        user_id=admin.id,
        username=admin.username,
        object_type="token",
        object_id=session_id,
        client_address=address,
        of_user=user_id,
    )
    return Response(status_code=204)
