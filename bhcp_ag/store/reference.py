"""Reference data every store holds: the Bay's practices, the A&G specialties and demo users.

:func:`seed_reference_data` is idempotent: rows that exist are brought up to date, missing
ones are added, nothing is deleted. It never commits; the caller owns the transaction.

A user's id is :func:`user_id` of their username, a UUID 5 in a fixed namespace, so the
same person has the same id in every store and at the hub
(:mod:`bhcp_ag.domain.demo.accounts`, shared with the hub).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bhcp_ag.domain.demo.accounts import (  # noqa: F401 - re-exported for the store's callers
    DEMO_ADMIN,
    DEMO_GP,
    DEMO_MANAGER,
    DEMO_SPECIALIST,
    DEMO_SPECIALIST_CODES,
    USER_NAMESPACE,
    demo_accounts,
    normalise_username,
    user_id,
)
from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.organisation import User as PersonRecord
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.store.models import Practice, Specialty, User
from bhcp_ag.store.sync_state import read_state, write_state

demo_users = demo_accounts
"""One demo user per role (the domain's :func:`demo_accounts`)."""


REFERENCE_FINGERPRINT_KEY = "reference.fingerprint"


def reference_fingerprint(organisation: Organisation, catalogue: SpecialtyCatalogue) -> str:
    """A digest of everything :func:`seed_reference_data` writes for these inputs."""
    facts = [
        [p.code, p.name, organisation.icc_of(p).name, organisation.network_of(p).name,
         p.list_size, p.latitude, p.longitude]
        for p in organisation.practices
    ]  # fmt: skip
    facts += [[s.tfc_code, s.name, s.short_name] for s in catalogue.all()]
    facts += [
        [u.username, u.display_name, str(u.role), u.practice_code, list(u.specialty_codes)]
        for u in demo_users(organisation)
    ]
    return hashlib.sha256(json.dumps(facts, default=str).encode()).hexdigest()


def seed_reference_data_once(
    session: Session, organisation: Organisation, catalogue: SpecialtyCatalogue
) -> bool:
    """:func:`seed_reference_data`, unless this store holds it already as these inputs
    make it (the fingerprint kept in ``app_state``); True when it seeded. Seeding merges
    each of some 80 rows, a twentieth of the desk's start (``bench_cold_start.py``)."""
    fingerprint = reference_fingerprint(organisation, catalogue)
    if read_state(session, REFERENCE_FINGERPRINT_KEY) == fingerprint:
        return False
    seed_reference_data(session, organisation, catalogue)
    write_state(session, REFERENCE_FINGERPRINT_KEY, fingerprint)
    return True


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
