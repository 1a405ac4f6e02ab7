"""What a sync cycle tells the UI: its report, and the sync status shown in the status bar.

Both are frozen dataclasses, safe to hand from the sync worker thread to the UI thread.
Reasons and states are in words a user can read; none carries patient data. While a
cycle runs, the status also says how far it has got (changes sent of those to send,
conversations received), so a long first sync shows it is moving.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
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
    OTHER_HUB = "other_hub"

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
    SyncState.OTHER_HUB: "Not synced: this is another hub than this computer's",
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
    sent: int = 0
    """Changes of this cycle the hub has answered (applied or refused); while syncing."""
    to_send: int | None = None
    """Changes this cycle has to send, counting those sent; None when there are none."""
    received: int = 0
    """Conversations received from the hub so far in this cycle; while syncing."""

    @property
    def in_progress(self) -> bool:
        """Whether a cycle is running and has something to say about how far it got."""
        return self.state is SyncState.SYNCING and (bool(self.to_send) or self.received > 0)


@dataclass
class Tally:
    """Counts gathered during one cycle (kept even when the cycle ends early).

    The push and pull steps call :meth:`progressed` after each batch settles and each
    page is applied; ``on_progress`` (the engine's) decides whether to tell the UI.
    """

    pushed: int = 0
    applied: int = 0
    rejected: int = 0
    pulled: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    to_send: int | None = None
    received: int = 0
    on_progress: Callable[[Tally], None] | None = None

    def progressed(self) -> None:
        """The counts moved: let the listener know (it may throttle)."""
        if self.on_progress is not None:
            self.on_progress(self)

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
