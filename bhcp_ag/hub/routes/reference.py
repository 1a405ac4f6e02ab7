"""Reference data any signed-in user may read: the Bay's practices and the specialties."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from bhcp_ag.hub.deps import CurrentCaller, DbSession
from bhcp_ag.hub.models import Practice, Specialty
from bhcp_ag.hub.schemas import ErrorBody, PracticePublic, SpecialtyPublic

router = APIRouter(tags=["reference"])


@router.get(
    "/practices", response_model=list[PracticePublic], responses={401: {"model": ErrorBody}}
)
def list_practices(_caller: CurrentCaller, session: DbSession) -> list[PracticePublic]:
    """The GP practices, by code."""
    practices = session.scalars(select(Practice).order_by(Practice.code)).all()
    return [PracticePublic.of(practice) for practice in practices]


@router.get(
    "/specialties", response_model=list[SpecialtyPublic], responses={401: {"model": ErrorBody}}
)
def list_specialties(_caller: CurrentCaller, session: DbSession) -> list[SpecialtyPublic]:
    """The Advice and Guidance specialties, by short name."""
    specialties = session.scalars(select(Specialty).order_by(Specialty.short_name)).all()
    return [SpecialtyPublic.of(specialty) for specialty in specialties]
