"""The signed-in user's workspace: who they are and the services they work with.

Built by the composition root (``bhcp_ag.app``) for the user who signed in, and handed
to the UI. :func:`resume_session` is the start-up check that a sign-in kept from an
earlier run still holds, so the sign-in dialog can be skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bhcp_ag.domain.conversation import Role
from bhcp_ag.domain.minimum import content_view
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.services.composer import Composer
from bhcp_ag.services.conversation_actions import ConversationActions
from bhcp_ag.services.current_user import CurrentUser
from bhcp_ag.services.requests import AdviceRequests
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import User, utcnow
from bhcp_ag.store.sync_state import (
    changes_waiting,
    fit_store,
    last_username,
    remember_username,
    save_users,
)
from bhcp_ag.sync.engine import SyncEngine
from bhcp_ag.sync.errors import HubProblem, HubUnreachable
from bhcp_ag.sync.snapshots import user_row
from bhcp_ag.sync.wire import HubUser


class UnknownUser(LookupError):
    """No user of that name in the local store."""


@dataclass
class Workspace:
    store: Store
    user: CurrentUser
    catalogue: SpecialtyCatalogue
    targets: ResponseTargets
    requests: AdviceRequests
    actions: ConversationActions
    composer: Composer

    @classmethod
    def open(
        cls,
        store: Store,
        username: str,
        catalogue: SpecialtyCatalogue,
        targets: ResponseTargets,
    ) -> Workspace:
        user = load_user(store, username)
        fit_store(store, content_view(user.role).value)  # a manager's store holds no more
        return cls.for_user(store, user, catalogue, targets)

    @classmethod
    def for_user(
        cls,
        store: Store,
        user: CurrentUser,
        catalogue: SpecialtyCatalogue,
        targets: ResponseTargets,
        now: Callable[[], datetime] = utcnow,
    ) -> Workspace:
        """The workspace of ``user``, every service reading the clock ``now``."""
        return cls(
            store=store,
            user=user,
            catalogue=catalogue,
            targets=targets,
            requests=AdviceRequests(store, catalogue, targets, now),
            actions=ConversationActions(store, targets, now, catalogue),
            composer=Composer(store, user.id, now),
        )

    def changes_waiting(self) -> int:
        """The user's local changes not yet accepted by the hub."""
        with self.store.read_session() as session:
            return changes_waiting(session, self.user.id)


def load_user(store: Store, username: str) -> CurrentUser:
    with store.read_session() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise UnknownUser(f"There is no user '{username}' in this store.")
        codes = tuple(c for c in user.specialty_codes.split(",") if c)
        return CurrentUser(
            user.id, user.username, user.display_name, Role(user.role), user.practice_code, codes
        )


def remembered_username(store: Store) -> str | None:
    """Who signed in last on this computer (not a secret), to fill in the sign-in dialog."""
    with store.read_session() as session:
        return last_username(session)


def resume_session(engine: SyncEngine, username: str) -> bool:
    """True when the token kept for ``username`` still lets them in: skip the sign-in.

    Asks the hub who the token belongs to (network and keyring: call it off the UI
    thread) and saves the answer as this store's user. When the hub cannot be reached,
    a kept token and a user this store knows are enough to work offline. A refused token
    has been forgotten by the client by the time this returns False.
    """
    if not engine.client.resume(username):
        return False
    try:  # once: a hub that is down must not hold the window back (offline is fine)
        user = engine.client.me(once=True)
    except HubUnreachable:
        with engine.store.read_session() as session:
            known = session.scalar(select(User.id).where(User.username == username))
        return known is not None
    except HubProblem:
        return False
    _save_signed_in_user(engine.store, user)
    return True


def _save_signed_in_user(store: Store, user: HubUser) -> None:
    row = user_row({**vars(user), "specialty_codes": list(user.specialty_codes)})
    with store.session() as session:
        save_users(session, [row])
        remember_username(session, user.username)
