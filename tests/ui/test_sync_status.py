"""The sync status button while a cycle runs: how far it has got, in words, tooltip and
accessible description, and the same words arriving from a worker thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from bhcp_ag.domain.clock import LONDON
from bhcp_ag.sync.report import SyncReport, SyncState, SyncStatus
from bhcp_ag.ui.sync_status import SyncStatusButton, progress_text, status_text
from bhcp_ag.ui.sync_worker import SyncWorker

# Today at 10:42 in London: a sync of today shows its time alone; another day's, its day.
SYNCED_AT = (
    datetime.now(LONDON).replace(hour=10, minute=42, second=0, microsecond=0).astimezone(UTC)
)
_LOCAL = SYNCED_AT.astimezone(LONDON)
DAY = f"{_LOCAL:%a} {_LOCAL.day} {_LOCAL:%b}"


def syncing(sent: int = 0, to_send: int | None = None, received: int = 0) -> SyncStatus:
    return SyncStatus(SyncState.SYNCING, None, 0, sent=sent, to_send=to_send, received=received)


@pytest.fixture
def button(qtbot: QtBot) -> SyncStatusButton:
    made = SyncStatusButton()
    qtbot.addWidget(made)
    return made


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (syncing(), "Syncing…"),
        (syncing(to_send=0), "Syncing…"),
        (syncing(0, 5), "Syncing… sent 0 of 5"),
        (syncing(3, 5), "Syncing… sent 3 of 5"),
        (syncing(received=1), "Syncing… received 1 conversation"),
        (syncing(received=1200), "Syncing… received 1,200 conversations"),
        (syncing(3, 5, 1200), "Syncing… sent 3 of 5 · received 1,200 conversations"),
        (syncing(6, 5), "Syncing… sent 5 of 5"),  # never more sent than to send
        (syncing(1500, 2000), "Syncing… sent 1,500 of 2,000"),
    ],
)
def test_the_syncing_words(status: SyncStatus, text: str) -> None:
    assert status_text(status) == text


def test_progress_is_only_shown_while_syncing() -> None:
    done = SyncStatus(SyncState.SYNCED, SYNCED_AT, 0, sent=3, to_send=5, received=9)
    assert status_text(done) == "Up to date · last synced 10:42"
    assert progress_text(SyncStatus(SyncState.SYNCING, None, 0)) == ""


def test_the_button_shows_progress_in_its_text_tooltip_and_accessible_description(
    button: SyncStatusButton,
) -> None:
    button.show_status(syncing(3, 5, 1200))
    expected = "Syncing… sent 3 of 5 · received 1,200 conversations"
    assert button.text() == expected
    assert button.accessibleDescription() == expected
    assert button.accessibleName() == "Sync status"
    assert button.toolTip() == (
        "Syncing: 3 of 5 changes sent to the hub and 1,200 conversations received from the hub."
    )
    button.show_status(SyncStatus(SyncState.SYNCED, SYNCED_AT, 0))
    assert button.text() == "Up to date · last synced 10:42"
    assert "Syncing" not in button.toolTip()


def test_a_change_made_while_syncing_keeps_the_progress_shown(button: SyncStatusButton) -> None:
    button.show_status(syncing(received=40))
    button.set_changes_waiting(1)
    assert button.text() == "Syncing… received 40 conversations"


class ProgressEngine:
    """Publishes a cycle's progress from the worker thread, then holds until let go."""

    def __init__(self) -> None:
        self.on_status: Any = None
        self.let_go = threading.Event()

    def status(self) -> SyncStatus:
        return SyncStatus(SyncState.NOT_SYNCED, None, 0)

    def stop(self) -> None:
        self.let_go.set()

    def sync_once(self) -> SyncReport:
        for received in (1000, 2000, 2400):
            self.on_status(syncing(2, 2, received))
        self.let_go.wait(10)
        self.on_status(SyncStatus(SyncState.SYNCED, SYNCED_AT, 0))
        return SyncReport(SyncState.SYNCED, 2, 2, 0, 2400, (), SYNCED_AT)


@pytest.fixture
def worker(qtbot: QtBot) -> Iterator[tuple[SyncWorker, ProgressEngine]]:
    engine = ProgressEngine()
    made = SyncWorker(engine, interval_ms=3_600_000)  # type: ignore[arg-type]
    yield made, engine
    engine.let_go.set()
    assert made.stop()


def test_progress_from_the_worker_thread_reaches_the_button(
    qtbot: QtBot, button: SyncStatusButton, worker: tuple[SyncWorker, ProgressEngine]
) -> None:
    sync, engine = worker
    sync.status_changed.connect(button.show_status)
    sync.start()
    qtbot.waitUntil(lambda: button.status.received == 2400, timeout=5000)
    assert button.text() == "Syncing… sent 2 of 2 · received 2,400 conversations"
    engine.let_go.set()
    qtbot.waitUntil(lambda: button.status.state is SyncState.SYNCED, timeout=5000)
    assert button.text() == "Up to date · last synced 10:42"


@pytest.mark.parametrize(
    ("state", "now", "text"),
    [
        (
            SyncState.OFFLINE,
            SYNCED_AT + timedelta(hours=2),
            "Offline: changes wait on this computer · showing what was synced 10:42",
        ),
        (
            SyncState.OFFLINE,
            SYNCED_AT + timedelta(days=1),  # yesterday's view must not pass for today's
            f"Offline: changes wait on this computer · showing what was synced {DAY} 10:42",
        ),
        (
            SyncState.SIGNED_OUT,
            SYNCED_AT + timedelta(days=3),
            f"Signed out: sign in to sync · showing what was synced {DAY} 10:42",
        ),
        (
            SyncState.SYNCED,
            SYNCED_AT + timedelta(days=1),
            f"Up to date · last synced {DAY} 10:42",
        ),
    ],
)
def test_a_view_not_synced_now_says_how_old_it_is(
    state: SyncState, now: datetime, text: str
) -> None:
    """H05: offline or signed out, the list is the last synced one, and says when that was."""
    assert status_text(SyncStatus(state, SYNCED_AT, 0), now) == text
