"""Seeding a hub: the Bay's reference data, and the demo accounts.

:func:`seed_reference_data` adds or updates the 47 practices (from
:class:`~bhcp_ag.domain.organisation.Organisation`) and the 24 specialties (from
:class:`~bhcp_ag.domain.specialties.SpecialtyCatalogue`); every hub needs them.

:func:`seed_demo` also adds one demo account per role (see :mod:`bhcp_ag.hub.demo_users`
for the names and the password, ``demo-password-2026``): ``demo.gp`` and
``demo.manager`` at practice BAY001, ``demo.specialist`` for dermatology (330) and
rheumatology (410), and ``demo.admin``. An account that exists keeps its password; its
name, role, practice and specialties are brought up to date.

Both functions are idempotent and never commit. Demo conversations come from
:func:`load_demo_conversations` (re-exported here from
:mod:`bhcp_ag.hub.demo_conversations`), which the embedded hub calls on a new database
and ``bhcp-ag-hub demo`` on a hub without conversations (``--year 2016/17``: the
scheme's published year, with exactly its figures).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.hub.accounts import NewPassword, create_user, update_profile, user_by_username
from bhcp_ag.hub.demo_conversations import load_demo_conversations
from bhcp_ag.hub.demo_users import DEMO_PASSWORD, demo_people
from bhcp_ag.hub.identity import mark_demo
from bhcp_ag.hub.models import Practice, Specialty
from bhcp_ag.hub.security import Passwords

__all__ = ["load_demo_conversations", "seed_demo", "seed_reference_data"]


def seed_reference_data(
    session: Session, organisation: Organisation, catalogue: SpecialtyCatalogue
) -> None:
    """Add or update the practices and specialties (never deletes, never commits)."""
    for practice in organisation.practices:
        session.merge(
            Practice(
                code=practice.code,
                name=practice.name,
                icc=organisation.icc_of(practice).name,
                network=organisation.network_of(practice).name,
                town=practice.town,
                list_size=practice.list_size,
                latitude=practice.latitude,
                longitude=practice.longitude,
            )
        )
    for specialty in catalogue.all():
        session.merge(
            Specialty(
                tfc_code=specialty.tfc_code, name=specialty.name, short_name=specialty.short_name
            )
        )
    session.flush()


def seed_demo(
    session: Session,
    passwords: Passwords,
    organisation: Organisation | None = None,
    catalogue: SpecialtyCatalogue | None = None,
) -> list[str]:
    """Seed reference data and the demo accounts; returns the usernames created now.

    The hub becomes a demo hub (:func:`~bhcp_ag.hub.identity.mark_demo`), which a live
    hub holding conversations refuses with :class:`~bhcp_ag.hub.identity.NotADemoHub`.
    """
    mark_demo(session)
    organisation = organisation or Organisation.load()
    seed_reference_data(session, organisation, catalogue or SpecialtyCatalogue.load())
    created = []
    for person in demo_people(organisation):
        user = user_by_username(session, person.username)
        if user is None:
            # Seeding runs before the hub serves anyone: hashing here holds up no one.
            create_user(session, person, NewPassword.of(passwords, DEMO_PASSWORD))
            created.append(person.username)
        else:
            update_profile(session, user, person)
    return created
