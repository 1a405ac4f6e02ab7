"""The sync state in the status bar, and the words for a change the hub refused.

:class:`SyncStatusButton` always shows where sync stands: "Up to date · last synced
10:42", "Syncing…" (with how far it has got: "Syncing… sent 3 of 5 · received 1,200
conversations"), "Offline: changes wait on this computer", "3 changes waiting", or
"Signed out: sign in to sync", which is clickable (``sign_in_requested``). It only
shows what it is given, on the UI thread; the sync worker's signals bring the status.

:func:`rejection_text` says in plain words what the hub refused, why, and what became of
what the user wrote; :class:`RejectionNotice` shows those words in a message that does
not block the window.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from bhcp_ag.domain.clock import LONDON
from bhcp_ag.sync.report import Rejection, SyncState, SyncStatus
from bhcp_ag.ui.formatting import count_text, london_time

CHANGE_NAMES = {
    "conversation.submit": "Your advice request",
    "conversation.reply": "Your reply",
    "conversation.respond": "Your advice",
    "conversation.claim": "Your claim of a request",
    "conversation.release": "Releasing a request",
    "conversation.close": "Closing a conversation",
    "conversation.cancel": "Cancelling a request",
}


def _synced_time(status: SyncStatus, now: datetime | None = None) -> str:
    """``10:42`` today, ``Thu 3 Dec 10:42`` before: a view synced yesterday must not pass
    for this morning's."""
    synced = status.last_synced_at
    if synced is None:
        return ""
    local = synced.astimezone(LONDON)
    today = (now or datetime.now(UTC)).astimezone(LONDON).date()
    if local.date() == today:
        return f"{local:%H:%M}"
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def progress_text(status: SyncStatus) -> str:
    """How far a running cycle has got: ``sent 3 of 5 · received 1,200 conversations``."""
    parts = []
    if status.to_send:
        parts.append(f"sent {min(status.sent, status.to_send):,} of {status.to_send:,}")
    if status.received:
        parts.append(f"received {count_text(status.received, 'conversation')}")
    return " · ".join(parts)


def status_text(status: SyncStatus, now: datetime | None = None) -> str:
    """The status bar's words for ``status`` (``now``: the clock, for "today")."""
    waiting = status.changes_waiting
    waiting_text = f"{count_text(waiting, 'change')} waiting"
    state = status.state
    if state is SyncState.SYNCING:
        progress = progress_text(status)
        return f"{state.label} {progress}" if progress else state.label
    if state is SyncState.SIGNED_OUT:
        return state.label + _staleness(status, now)
    if state is SyncState.SYNCED or (state is SyncState.NOT_SYNCED and status.last_synced_at):
        head = waiting_text if waiting else SyncState.SYNCED.label
        return f"{head} · last synced {_synced_time(status, now)}"
    if state is SyncState.NOT_SYNCED:
        return waiting_text if waiting else state.label
    words = f"{state.label} ({waiting_text})" if waiting else state.label
    return words + _staleness(status, now)


def _staleness(status: SyncStatus, now: datetime | None) -> str:
    """Offline, refused or signed out, the list is what was synced last: say when (H05)."""
    if status.last_synced_at is None:
        return ""
    return f" · showing what was synced {_synced_time(status, now)}"


def status_tooltip(status: SyncStatus) -> str:
    lines = []
    if status.in_progress:
        lines.append(_progress_sentence(status))
    if status.last_synced_at is not None:
        lines.append(f"Last synced {london_time(status.last_synced_at)}.")
    if status.message:
        lines.append(status.message)
    if status.keyring_message:
        lines.append(status.keyring_message)
    if status.state is SyncState.SIGNED_OUT:
        lines.append("Click to sign in to the hub.")
    return "\n".join(lines)


def _progress_sentence(status: SyncStatus) -> str:
    parts = []
    if status.to_send:
        sent = min(status.sent, status.to_send)
        parts.append(f"{sent:,} of {count_text(status.to_send, 'change')} sent to the hub")
    if status.received:
        parts.append(f"{count_text(status.received, 'conversation')} received from the hub")
    return "Syncing: " + " and ".join(parts) + "."


def rejection_text(rejection: Rejection) -> str:
    """What was refused and why, and that the user's words were kept."""
    what = CHANGE_NAMES.get(rejection.kind, "A change you made")
    reason = rejection.reason.rstrip()
    if reason and reason[-1] not in ".!?":
        reason += "."
    text = f"{what} was not accepted by the hub. {reason}"
    if rejection.back_to_draft:
        text += " What you wrote was kept as a draft: open it from the list to change it."
    elif rejection.kept_text:
        text += (
            " What you wrote, and any files that went with it, wait in the conversation:"
            " open it to change them or send them again."
        )
    return text


class SyncStatusButton(QPushButton):
    """A flat status-bar button showing the sync state; clickable only when signed out."""

    sign_in_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFlat(True)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.setAccessibleName("Sync status")
        self._status = SyncStatus(SyncState.NOT_SYNCED, None, 0)
        self.clicked.connect(self._clicked)
        self._show()

    @property
    def status(self) -> SyncStatus:
        return self._status

    @Slot(object)
    def show_status(self, status: SyncStatus) -> None:
        """Show the sync worker's latest status (on the UI thread)."""
        self._status = status
        self._show()

    def set_changes_waiting(self, waiting: int) -> None:
        """The outbox changed here (a request was sent) between sync cycles."""
        if waiting != self._status.changes_waiting:
            self._status = replace(self._status, changes_waiting=waiting)
            self._show()

    def _show(self) -> None:
        text = status_text(self._status)
        self.setText(text)
        self.setToolTip(status_tooltip(self._status))
        self.setAccessibleDescription(text)
        signed_out = self._status.state is SyncState.SIGNED_OUT
        self.setCursor(
            Qt.CursorShape.PointingHandCursor if signed_out else Qt.CursorShape.ArrowCursor
        )

    def _clicked(self) -> None:
        if self._status.state is SyncState.SIGNED_OUT:
            self.sign_in_requested.emit()


class RejectionNotice(QObject):
    """One non-modal message listing the refusals the user has not closed yet."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._box: QMessageBox | None = None
        self._texts: list[str] = []

    @property
    def box(self) -> QMessageBox | None:
        return self._box

    @Slot(object)
    def add(self, rejection: Rejection) -> None:
        """Say what was refused (a new message, or added to the one still open)."""
        if self._box is None or not self._box.isVisible():
            self._texts = []
            box = QMessageBox(QMessageBox.Icon.Warning, "Not accepted by the hub", "")
            box.setParent(self._window, box.windowFlags())
            box.setWindowModality(Qt.WindowModality.NonModal)
            box.setAccessibleName("Changes not accepted by the hub")
            self._box = box
        self._texts.append(rejection_text(rejection))
        self._box.setText("\n\n".join(self._texts))
        self._box.show()
