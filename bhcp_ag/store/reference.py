"""Reference data every store holds: the Bay's practices, the A&G specialties and demo users.

:func:`seed_reference_data` is idempotent: rows that exist are brought up to date, missing
ones are added, nothing is deleted. It never commits; the caller owns the transaction.

A user's id is :func:`user_id` of their username, a UUID 5 in a fixed namespace, so the
same person has the same id in every store and at the hub.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bhcp_ag.domain.conversation import Role
from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.organisation import User as PersonRecord
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.store.models import Practice, Specialty, User

USER_NAMESPACE = uuid.UUID("2f6b1c8e-5d3a-5e7b-9a41-b4c9e0d7a317")
"""The namespace of :func:`user_id`; never change it, or every user's id changes."""

DEMO_GP = "demo.gp"
DEMO_SPECIALIST = "demo.specialist"
DEMO_MANAGER = "demo.manager"
DEMO_ADMIN = "demo.admin"
DEMO_SPECIALIST_CODES = ("330", "410")  # dermatology and rheumatology


def normalise_username(username: str) -> str:
    """Usernames are compared without case or surrounding spaces."""
    return username.strip().lower()


def user_id(username: str) -> str:
    """The stable id of the user called ``username`` (the same in every store)."""
    return str(uuid.uuid5(USER_NAMESPACE, normalise_username(username)))


def demo_users(organisation: Organisation) -> tuple[PersonRecord, ...]:
    """One demo user per role; the GP and practice manager work at the first practice."""
    practice_code = organisation.practices[0].code
    users = (
        PersonRecord(DEMO_GP, "Dr Amelia Hart", Role.GP, practice_code=practice_code),
        PersonRecord(
            DEMO_SPECIALIST,
            "Dr Rohan Mehta",
            Role.SPECIALIST,
            specialty_codes=DEMO_SPECIALIST_CODES,
        ),
        PersonRecord(
            DEMO_MANAGER, "Claire Dawson", Role.PRACTICE_MANAGER, practice_code=practice_code
        ),
        PersonRecord(DEMO_ADMIN, "Sam Whitaker", Role.ADMIN),
    )
    return tuple(user.validate(organisation) for user in users)


def seed_reference_data(
    session: Session, organisation: Organisation, catalogue: SpecialtyCatalogue
) -> None:
    """Add or update the practices, specialties and demo users (never commits)."""
    for practice in organisation.practices:
        session.merge(
            Practice(
                code=practice.code,
                name=practice.name,
                icc=organisation.icc_of(practice).name,
                network=organisation.network_of(practice).name,
                list_size=practice.list_size,
                latitude=practice.latitude,
                longitude=practice.longitude,
            )
        )
    for specialty in catalogue.all():
        session.merge(
            Specialty(
                tfc_code=specialty.tfc_code,
                name=specialty.name,
                short_name=specialty.short_name,
            )
        )
    session.flush()  # users refer to practices
    upsert_users(session, demo_users(organisation))


def upsert_users(session: Session, people: Iterable[PersonRecord]) -> None:
    """Add each person as a user, or update the user with the same id (never commits)."""
    for person in people:
        session.merge(
            User(
                id=user_id(person.username),
                username=normalise_username(person.username),
                display_name=person.display_name,
                role=str(person.role),
                practice_code=person.practice_code,
                specialty_codes=",".join(person.specialty_codes),
            )
        )
    session.flush()


def user_by_username(session: Session, username: str) -> User | None:
    """The stored user called ``username`` (ignoring case and surrounding spaces), or None."""
    wanted = normalise_username(username)
    return session.scalar(select(User).where(User.username == wanted))
