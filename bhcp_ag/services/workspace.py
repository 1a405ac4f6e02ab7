"""The signed-in user's workspace: who they are and the services they work with.

Built once by the composition root (``bhcp_ag.app``) and handed to the UI.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from bhcp_ag.domain.conversation import Role
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.services.requests import AdviceRequests
from bhcp_ag.store.conversations import ConversationFilter
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import OutboxChange, User


@dataclass(frozen=True)
class CurrentUser:
    id: str
    username: str
    display_name: str
    role: Role
    practice_code: str | None
    specialty_codes: tuple[str, ...]

    def list_scope(self) -> ConversationFilter:
        """The conversations this user's list starts from: their practice or specialties."""
        if self.role in (Role.GP, Role.PRACTICE_MANAGER):
            return ConversationFilter(practice_code=self.practice_code)
        if self.role is Role.SPECIALIST:
            return ConversationFilter(specialty_codes=self.specialty_codes)
        return ConversationFilter()


class UnknownUser(LookupError):
    """No user of that name in the local store."""


@dataclass
class Workspace:
    store: Store
    user: CurrentUser
    catalogue: SpecialtyCatalogue
    targets: ResponseTargets
    requests: AdviceRequests

    @classmethod
    def open(
        cls,
        store: Store,
        username: str,
        catalogue: SpecialtyCatalogue,
        targets: ResponseTargets,
    ) -> Workspace:
        return cls(
            store=store,
            user=load_user(store, username),
            catalogue=catalogue,
            targets=targets,
            requests=AdviceRequests(store, catalogue, targets),
        )

    def changes_waiting(self) -> int:
        """Local changes not yet accepted by the hub."""
        with self.store.read_session() as session:
            query = select(func.count()).where(OutboxChange.state == "pending")
            return session.scalar(query) or 0


def load_user(store: Store, username: str) -> CurrentUser:
    with store.read_session() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise UnknownUser(f"There is no user '{username}' in this store.")
        codes = tuple(c for c in user.specialty_codes.split(",") if c)
        return CurrentUser(
            user.id, user.username, user.display_name, Role(user.role), user.practice_code, codes
        )
