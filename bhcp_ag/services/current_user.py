"""The signed-in user, as a plain value the services and the UI pass around."""

from __future__ import annotations

from dataclasses import dataclass

from bhcp_ag.domain.conversation import Role
from bhcp_ag.store.conversations import ConversationFilter


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
            return ConversationFilter(practice_code=self.practice_code, viewer_id=self.id)
        if self.role is Role.SPECIALIST:
            return ConversationFilter(specialty_codes=self.specialty_codes, viewer_id=self.id)
        # An administrator's list is every row (read from the sort index alone); drafts
        # exist only on the computer of the GP who writes them, never at the hub.
        return ConversationFilter()
