"""What a sync cycle tells the UI: its report, and the sync status shown in the status bar.

Both are frozen dataclasses, safe to hand from the sync worker thread to the UI thread.
Reasons and states are in words a user can read; none carries patient data.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class SyncState(StrEnum):
    NOT_SYNCED = "not_synced"
    SYNCING = "syncing"
    SYNCED = "synced"
    OFFLINE = "offline"
    SIGNED_OUT = "signed_out"
    UPDATE_NEEDED = "update_needed"
    HUB_ERROR = "hub_error"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    SyncState.NOT_SYNCED: "Not synced yet",
    SyncState.SYNCING: "Syncing…",
    SyncState.SYNCED: "Up to date",
    SyncState.OFFLINE: "Offline: changes wait on this computer",
    SyncState.SIGNED_OUT: "Signed out: sign in to sync",
    SyncState.UPDATE_NEEDED: "Update needed to sync",
    SyncState.HUB_ERROR: "The hub has a problem: changes wait on this computer",
}


@dataclass(frozen=True)
class Rejection:
    """A change the hub refused (final), and whether the user's words were kept."""

    change_id: str
    conversation_id: str | None
    kind: str
    code: str | None
    reason: str
    kept_text: bool
    back_to_draft: bool


@dataclass(frozen=True)
class SyncReport:
    """The outcome of one sync cycle."""

    state: SyncState
    pushed: int
    applied: int
    rejected: int
    pulled: int
    rejections: tuple[Rejection, ...]
    finished_at: datetime
    message: str | None = None


@dataclass(frozen=True)
class SyncStatus:
    """What the UI shows about sync; :meth:`SyncEngine.status` returns the latest."""

    state: SyncState
    last_synced_at: datetime | None
    changes_waiting: int
    message: str | None = None
    token_kept: bool = True
    keyring_message: str | None = None


@dataclass
class Tally:
    """Counts gathered during one cycle (kept even when the cycle ends early)."""

    pushed: int = 0
    applied: int = 0
    rejected: int = 0
    pulled: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def report(self, state: SyncState, message: str | None, finished_at: datetime) -> SyncReport:
        return SyncReport(
            state=state,
            pushed=self.pushed,
            applied=self.applied,
            rejected=self.rejected,
            pulled=self.pulled,
            rejections=tuple(self.rejections),
            finished_at=finished_at,
            message=message,
        )
