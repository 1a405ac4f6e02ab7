"""The sync worker and task runner: cycles off the UI thread, never overlapping, results on it.

The engine here is a stand-in that records which thread calls it and how many cycles run
at once, and can hold a cycle open; the real engine against the real hub is driven in
``tests/integration/test_app_with_hub.py``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtCore import QObject, QThread, Slot
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from bhcp_ag.domain.clock import LONDON
from bhcp_ag.sync.report import Rejection, SyncReport, SyncState, SyncStatus
from bhcp_ag.ui.main_window import MainWindow
from bhcp_ag.ui.sync_status import rejection_text, status_text
from bhcp_ag.ui.sync_worker import SyncWorker, TaskRunner

# Today at 10:42 in London: a sync of today shows its time alone.
SYNCED_AT = (
    datetime.now(LONDON).replace(hour=10, minute=42, second=0, microsecond=0).astimezone(UTC)
)
REFUSED = Rejection(
    change_id="c1",
    conversation_id="conv-1",
    kind="conversation.submit",
    code="not_allowed",
    reason="Dermatology does not take requests from this practice",
    kept_text=True,
    back_to_draft=True,
)


class FakeEngine:
    """Stands in for :class:`SyncEngine`: counts cycles and overlaps; may hold a cycle."""

    def __init__(self, *, pulled: int = 0, rejections: tuple[Rejection, ...] = ()) -> None:
        self.on_status: Any = None
        self.pulled, self.rejections = pulled, rejections
        self.threads: list[QThread] = []
        self.running = 0
        self.most_at_once = 0
        self.hold = threading.Event()
        self.hold.set()
        self.entered = threading.Event()
        self._lock = threading.Lock()

    def status(self) -> SyncStatus:
        return SyncStatus(SyncState.NOT_SYNCED, None, 0)

    def stop(self) -> None:
        self.hold.set()

    def _publish(self, state: SyncState) -> None:
        if self.on_status is not None:
            self.on_status(SyncStatus(state, SYNCED_AT, 0))

    def sync_once(self) -> SyncReport:
        with self._lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        self.threads.append(QThread.currentThread())
        self._publish(SyncState.SYNCING)
        self.entered.set()
        self.hold.wait(10)
        with self._lock:
            self.running -= 1
        self._publish(SyncState.SYNCED)
        return SyncReport(
            SyncState.SYNCED, 0, 0, len(self.rejections), self.pulled, self.rejections, SYNCED_AT
        )


class Receiver(QObject):
    """Records what arrives, and on which thread (a QObject on the UI thread, like a window)."""

    def __init__(self) -> None:
        super().__init__()
        self.statuses: list[SyncStatus] = []
        self.reports: list[SyncReport] = []
        self.rejections: list[Rejection] = []
        self.threads: set[QThread] = set()

    @Slot(object)
    def status(self, status: SyncStatus) -> None:
        self.threads.add(QThread.currentThread())
        self.statuses.append(status)

    @Slot(object)
    def report(self, report: SyncReport) -> None:
        self.threads.add(QThread.currentThread())
        self.reports.append(report)

    @Slot(object)
    def rejected(self, rejection: Rejection) -> None:
        self.threads.add(QThread.currentThread())
        self.rejections.append(rejection)


def started(engine: FakeEngine) -> tuple[SyncWorker, Receiver]:
    worker = SyncWorker(engine, interval_ms=3_600_000)  # type: ignore[arg-type]
    receiver = Receiver()
    worker.status_changed.connect(receiver.status)
    worker.synced.connect(receiver.report)
    worker.rejected.connect(receiver.rejected)
    return worker, receiver


@pytest.fixture
def engine() -> FakeEngine:
    return FakeEngine()


@pytest.fixture
def worker(qtbot: QtBot, engine: FakeEngine) -> Iterator[tuple[SyncWorker, Receiver]]:
    made = started(engine)
    yield made
    engine.hold.set()
    assert made[0].stop()


def test_the_first_cycle_runs_at_start_and_another_on_demand(
    qtbot: QtBot, engine: FakeEngine, worker: tuple[SyncWorker, Receiver]
) -> None:
    sync, received = worker
    sync.start()
    qtbot.waitUntil(lambda: len(received.reports) == 1, timeout=5000)
    sync.request_sync()
    qtbot.waitUntil(lambda: len(received.reports) == 2, timeout=5000)
    assert sync.cycles == 2
    qtbot.waitUntil(lambda: len(received.statuses) == 4)
    states = [status.state for status in received.statuses]
    assert states == [SyncState.SYNCING, SyncState.SYNCED] * 2


def test_cycles_run_on_the_worker_thread_and_results_arrive_on_the_ui_thread(
    qtbot: QtBot, engine: FakeEngine, worker: tuple[SyncWorker, Receiver]
) -> None:
    sync, received = worker
    main_thread = QApplication.instance().thread()  # type: ignore[union-attr]
    sync.start()
    qtbot.waitUntil(lambda: len(received.reports) == 1 and len(received.statuses) == 2)
    assert engine.threads and all(thread is not main_thread for thread in engine.threads)
    assert received.threads == {main_thread}


def test_cycles_never_overlap_and_requests_during_one_make_a_single_next_cycle(
    qtbot: QtBot, engine: FakeEngine, worker: tuple[SyncWorker, Receiver]
) -> None:
    sync, received = worker
    engine.hold.clear()
    sync.start()
    qtbot.waitUntil(engine.entered.is_set)  # the first cycle is running, held open
    for _ in range(5):
        sync.request_sync()
    engine.hold.set()
    qtbot.waitUntil(lambda: len(received.reports) == 2, timeout=5000)
    sync.request_sync()  # queued behind any cycles still waiting on the worker's thread
    qtbot.waitUntil(lambda: len(received.reports) == 3, timeout=5000)
    assert sync.cycles == 3  # so the five requests made one cycle, not five
    assert engine.most_at_once == 1


def test_each_rejection_is_emitted_after_its_report(qtbot: QtBot) -> None:
    sync, received = started(FakeEngine(rejections=(REFUSED,)))
    sync.start()
    qtbot.waitUntil(lambda: bool(received.rejections), timeout=5000)
    assert sync.stop()
    assert received.rejections == [REFUSED]
    assert len(received.reports) == 1  # queued in order: the report came first


def test_stop_waits_for_the_running_cycle_to_end(qtbot: QtBot, engine: FakeEngine) -> None:
    sync, _received = started(engine)
    engine.hold.clear()
    sync.start()
    qtbot.waitUntil(engine.entered.is_set)
    assert sync.stop()  # the engine is asked to stop (FakeEngine lets go) and is waited for
    assert engine.running == 0
    sync.request_sync()  # after stopping: nothing runs
    assert sync.cycles == 1


def test_the_task_runner_calls_back_on_the_ui_thread(qtbot: QtBot) -> None:
    runner = TaskRunner()
    main_thread = QApplication.instance().thread()  # type: ignore[union-attr]
    seen: dict[str, Any] = {}

    def work() -> QThread:
        return QThread.currentThread()

    def done(worker_thread: QThread) -> None:
        seen["worker"], seen["callback"] = worker_thread, QThread.currentThread()

    def fail() -> None:
        raise ValueError("no")

    runner.run(work, done, lambda error: seen.update(error=error))
    runner.run(fail, lambda _: None, lambda error: seen.update(error=error))
    qtbot.waitUntil(lambda: "callback" in seen and "error" in seen)
    assert seen["worker"] is not main_thread
    assert seen["callback"] is main_thread
    assert isinstance(seen["error"], ValueError)
    assert not runner.busy


# --- the main window with a worker ------------------------------------------------------


def test_the_window_shows_the_sync_state_and_f5_asks_for_a_cycle(
    qtbot: QtBot, main_window: MainWindow
) -> None:
    sync, _received = started(FakeEngine())
    main_window.connect_sync(sync)
    assert main_window.sync_status.isVisible() and not main_window.sync_label.isVisible()
    assert main_window.sync_now_action.shortcut().toString() == "F5"
    sync.start()
    qtbot.waitUntil(lambda: main_window.sync_status.status.state is SyncState.SYNCED)
    assert main_window.sync_status.text() == "Up to date · last synced 10:42"
    main_window.sync_now_action.trigger()
    qtbot.waitUntil(lambda: sync.cycles == 2, timeout=5000)
    assert sync.stop()


def test_a_cycle_that_pulled_refreshes_the_list_keeping_the_selection(
    qtbot: QtBot, main_window: MainWindow
) -> None:
    chosen = main_window.model.conversation_id(3)
    assert main_window.select_conversation(chosen)
    sync, _received = started(FakeEngine(pulled=2))
    main_window.connect_sync(sync)
    with qtbot.waitSignal(main_window.model.modelReset, timeout=5000):
        sync.start()
    assert main_window.selected_conversation_id() == chosen
    assert sync.stop()


def test_a_rejection_is_explained_without_blocking_the_window(
    qtbot: QtBot, main_window: MainWindow
) -> None:
    sync, _received = started(FakeEngine(rejections=(REFUSED,)))
    main_window.connect_sync(sync)
    sync.start()
    qtbot.waitUntil(lambda: main_window.findChild(QMessageBox) is not None)
    box = main_window.findChild(QMessageBox)
    assert box is not None and box.isVisible() and not box.isModal()
    assert box.text() == rejection_text(REFUSED)
    assert "Your advice request was not accepted by the hub." in box.text()
    assert "Dermatology does not take requests" in box.text()
    assert "kept as a draft" in box.text()
    assert sync.stop()


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (SyncStatus(SyncState.SYNCING, None, 2), "Syncing…"),
        (SyncStatus(SyncState.SYNCED, SYNCED_AT, 0), "Up to date · last synced 10:42"),
        (SyncStatus(SyncState.OFFLINE, None, 0), "Offline: changes wait on this computer"),
        (
            SyncStatus(SyncState.OFFLINE, None, 3),
            "Offline: changes wait on this computer (3 changes waiting)",
        ),
        (SyncStatus(SyncState.SIGNED_OUT, None, 0), "Signed out: sign in to sync"),
        (SyncStatus(SyncState.NOT_SYNCED, None, 1), "1 change waiting"),
    ],
)
def test_the_status_words(status: SyncStatus, text: str) -> None:
    assert status_text(status) == text


def test_signed_out_is_clickable_and_asks_for_the_sign_in(
    qtbot: QtBot, main_window: MainWindow
) -> None:
    main_window.sync_status.show_status(SyncStatus(SyncState.SIGNED_OUT, None, 0))
    with qtbot.waitSignal(main_window.sign_in_requested, timeout=1000):
        main_window.sync_status.click()
    main_window.sync_status.show_status(SyncStatus(SyncState.SYNCED, SYNCED_AT, 0))
    with qtbot.assertNotEmitted(main_window.sign_in_requested):
        main_window.sync_status.click()


def test_file_sign_out_asks_the_composition_root(qtbot: QtBot, main_window: MainWindow) -> None:
    with qtbot.waitSignal(main_window.sign_out_requested, timeout=1000):
        main_window.sign_out_action.trigger()


def test_file_change_password_asks_the_composition_root(
    qtbot: QtBot, main_window: MainWindow
) -> None:
    [file_menu] = [a for a in main_window.menuBar().actions() if a.text() == "&File"]
    assert main_window.change_password_action in file_menu.menu().actions()
    with qtbot.waitSignal(main_window.change_password_requested, timeout=1000):
        main_window.change_password_action.trigger()
