"""The demo accounts and the stable user ids shared by the hub and every desktop store.

A user's id is :func:`user_id` of their username: a UUID 5 in :data:`USER_NAMESPACE`, so
the same person has the same id at the hub and in every local store without asking.
"""

from __future__ import annotations

import uuid

from bhcp_ag.domain.conversation import Role
from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.organisation import User as Person

USER_NAMESPACE = uuid.UUID("2f6b1c8e-5d3a-5e7b-9a41-b4c9e0d7a317")
"""The namespace of :func:`user_id`; never change it, or every user's id changes."""

DEMO_PASSWORD = "demo-password-2026"
"""The password of every demo account (documented in the README; demo hubs only)."""

DEMO_GP = "demo.gp"
DEMO_SPECIALIST = "demo.specialist"
DEMO_MANAGER = "demo.manager"
DEMO_ADMIN = "demo.admin"
DEMO_SPECIALIST_CODES = ("330", "410")  # dermatology and rheumatology


def normalise_username(username: str) -> str:
    """Usernames are compared without case or surrounding spaces."""
    return username.strip().lower()


def user_id(username: str) -> str:
    """The stable id of the user called ``username`` (the same at the hub and clients)."""
    return str(uuid.uuid5(USER_NAMESPACE, normalise_username(username)))


def demo_accounts(organisation: Organisation) -> tuple[Person, ...]:
    """One demo user per role; the GP and practice manager work at the first practice."""
    practice_code = organisation.practices[0].code
    people = (
        Person(DEMO_GP, "Dr Amelia Hart", Role.GP, practice_code=practice_code),
        Person(
            DEMO_SPECIALIST,
            "Dr Rohan Mehta",
            Role.SPECIALIST,
            specialty_codes=DEMO_SPECIALIST_CODES,
        ),
        Person(DEMO_MANAGER, "Claire Dawson", Role.PRACTICE_MANAGER, practice_code=practice_code),
        Person(DEMO_ADMIN, "Sam Whitaker", Role.ADMIN),
    )
    return tuple(person.validate(organisation) for person in people)
