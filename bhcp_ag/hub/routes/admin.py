"""User management, for administrators only: list users and create them with a password."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from bhcp_ag.domain.conversation import Role
from bhcp_ag.domain.organisation import User as Person
from bhcp_ag.hub import audit
from bhcp_ag.hub.accounts import AccountRefused, create_user
from bhcp_ag.hub.deps import AdminCaller, ClientAddress, DbSession, Services
from bhcp_ag.hub.errors import HubError
from bhcp_ag.hub.models import User
from bhcp_ag.hub.schemas import ErrorBody, UserCreate, UserPublic

router = APIRouter(tags=["admin"])

_REFUSALS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorBody}, 403: {"model": ErrorBody}}


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
    body: UserCreate,
    admin: AdminCaller,
    session: DbSession,
    services: Services,
    address: ClientAddress,
) -> UserPublic:
    """Create a user with a password (at least 12 characters)."""
    person = Person(
        username=body.username,
        display_name=body.display_name,
        role=Role(body.role),
        practice_code=body.practice_code or None,
        specialty_codes=tuple(body.specialty_codes),
    )
    try:
        user = create_user(session, services.passwords, person, body.password)
    except AccountRefused as refusal:
        status = 409 if refusal.code == "username_taken" else 422
        raise HubError(status, refusal.code, str(refusal)) from None
    audit.record(
        session,
        "user.created",
        user_id=admin.id,
        username=admin.username,
        object_type="user",
        object_id=user.id,
        client_address=address,
        role=user.role,
        new_username=user.username,
    )
    return UserPublic.of(user)
