"""The users' stable ids and the demo accounts, the same as the desktop store's.

A user's id is :func:`user_id` of their username: a UUID 5 in :data:`USER_NAMESPACE`, so
one person has one id at the hub and in every desktop store. Both come from
:mod:`bhcp_ag.domain.demo.accounts`, which the desktop store uses too.
"""

from __future__ import annotations

from bhcp_ag.domain.demo.accounts import (
    DEMO_ADMIN,
    DEMO_GP,
    DEMO_MANAGER,
    DEMO_PASSWORD,
    DEMO_SPECIALIST,
    DEMO_SPECIALIST_CODES,
    USER_NAMESPACE,
    demo_accounts,
    normalise_username,
    user_id,
)

demo_people = demo_accounts
"""One demo user per role (the domain's :func:`demo_accounts`)."""

__all__ = [
    "DEMO_ADMIN",
    "DEMO_GP",
    "DEMO_MANAGER",
    "DEMO_PASSWORD",
    "DEMO_SPECIALIST",
    "DEMO_SPECIALIST_CODES",
    "USER_NAMESPACE",
    "demo_people",
    "normalise_username",
    "user_id",
]
