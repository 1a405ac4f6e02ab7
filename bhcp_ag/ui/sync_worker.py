"""Work off the UI thread: a small task runner, and the sync worker on its own ``QThread``.

Both deliver results on the UI thread through queued signals; neither touches a widget.

- :class:`TaskRunner` runs one-off calls (signing in, signing out, checking a kept
  token) on ``QThreadPool`` threads and calls back ``on_done`` or ``on_failed`` on the
  thread that started them (the UI thread), as Anki's ``taskman.py`` does.
- :class:`SyncWorker` lives on a ``QThread`` of its own and runs
  :meth:`SyncEngine.sync_once` every :data:`SYNC_INTERVAL_MS` and on demand
  (:meth:`SyncWorker.request_sync`). Cycles never overlap: they run one after another on
  the worker's thread, and requests made while one runs are folded into a single next
  cycle. It emits ``status_changed(SyncStatus)``, ``synced(SyncReport)`` and
  ``rejected(Rejection)``; only frozen dataclasses cross the threads. While a cycle
  runs, ``status_changed`` also carries its progress (changes sent, conversations
  received); the engine throttles those updates to a few a second, so the queue to the
  UI thread stays short even on a first sync of thousands of conversations.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    QRunnable,
    QThread,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)

from bhcp_ag.sync.engine import SyncEngine
from bhcp_ag.sync.report import SyncStatus

log = logging.getLogger(__name__)

SYNC_INTERVAL_MS = 30_000
STOP_WAIT_MS = 15_000


# --- one-off tasks ------------------------------------------------------------------------


class _Delivery(QObject):
    """Made on the caller's thread; its signals, emitted from the pool, arrive queued there."""

    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(
        self,
        on_done: Callable[[Any], None],
        on_failed: Callable[[Exception], None],
        finished: Callable[[_Delivery], None],
    ) -> None:
        super().__init__()
        self._on_done, self._on_failed, self._finished = on_done, on_failed, finished
        self.succeeded.connect(self._deliver_result)  # bound slots of an object on the
        self.failed.connect(self._deliver_failure)  # caller's thread: queued connections

    @Slot(object)
    def _deliver_result(self, result: object) -> None:
        self._finished(self)
        self._on_done(result)

    @Slot(object)
    def _deliver_failure(self, error: object) -> None:
        self._finished(self)
        assert isinstance(error, Exception)
        self._on_failed(error)


class _Call(QRunnable):
    """Runs ``call`` on a pool thread. Must not touch the UI: it only emits signals."""

    def __init__(self, call: Callable[[], Any], delivery: _Delivery) -> None:
        super().__init__()
        self._call, self._delivery = call, delivery

    def run(self) -> None:
        try:
            result = self._call()
        except Exception as error:  # handed to the UI thread, which decides what to say
            self._delivery.failed.emit(error)
        else:
            self._delivery.succeeded.emit(result)


class TaskRunner:
    """Runs calls off the UI thread; callbacks run back on the thread that asked."""

    def __init__(self, pool: QThreadPool | None = None) -> None:
        self._pool = pool or QThreadPool.globalInstance()
        self._pending: set[_Delivery] = set()  # kept alive until they deliver

    def run(
        self,
        call: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_failed: Callable[[Exception], None],
    ) -> None:
        """Run ``call()`` in the pool; then ``on_done(result)`` or ``on_failed(error)``."""
        delivery = _Delivery(on_done, on_failed, self._pending.discard)
        self._pending.add(delivery)
        self._pool.start(_Call(call, delivery))

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def wait(self, msecs: int = STOP_WAIT_MS) -> bool:
        """Wait for running calls to finish (at exit); False if some did not in time."""
        return bool(self._pool.waitForDone(msecs))


# --- the sync worker ----------------------------------------------------------------------


class SyncWorker(QObject):
    """Runs sync cycles on its own thread, on a timer and on demand; never overlapping.

    Build it on the UI thread, then :meth:`start` it; :meth:`stop` ends it cleanly.
    Its slots run on the worker thread and must not touch the UI: they only emit.
    """

    status_changed = Signal(object)
    """A :class:`~bhcp_ag.sync.report.SyncStatus`, whenever the engine publishes one
    (progress during a cycle included). Emitted from the worker thread, or a task
    runner's when signing in or out: connect it to slots of objects on the UI thread,
    which then receive it queued."""
    synced = Signal(object)
    """The :class:`~bhcp_ag.sync.report.SyncReport` of each finished cycle."""
    rejected = Signal(object)
    """Each :class:`~bhcp_ag.sync.report.Rejection` of a cycle, after ``synced``."""
    cycle_started = Signal()
    _cycle_wanted = Signal()
    _shutdown_wanted = Signal()

    def __init__(self, engine: SyncEngine, *, interval_ms: int = SYNC_INTERVAL_MS) -> None:
        super().__init__()
        self.engine = engine
        self.interval_ms = interval_ms
        self.cycles = 0
        self._lock = threading.Lock()
        self._scheduled = False
        self._closing = False
        self._timer: QTimer | None = None
        self._thread = QThread()
        self._thread.setObjectName("bhcp-ag-sync")
        engine.on_status = self._publish  # called on whichever thread changes the status
        self._cycle_wanted.connect(self._run_cycle)
        self._shutdown_wanted.connect(self._shut_down)
        self._thread.started.connect(self._begin)
        self.moveToThread(self._thread)

    def _publish(self, status: SyncStatus) -> None:
        self.status_changed.emit(status)

    def start(self) -> None:
        """Start the thread; the first cycle runs at once, then every ``interval_ms``."""
        self._thread.start()

    @Slot()
    def _begin(self) -> None:
        self._timer = QTimer(self)  # made here, so it lives (and fires) on this thread
        self._timer.timeout.connect(self.request_sync)
        self._timer.start(self.interval_ms)
        self.request_sync()

    @Slot()
    def request_sync(self) -> None:
        """Ask for a cycle soon (safe from any thread); a cycle already asked for is enough."""
        with self._lock:
            if self._scheduled or self._closing:
                return
            self._scheduled = True
        self._cycle_wanted.emit()  # queued to the worker thread from any other thread

    @Slot()
    def _run_cycle(self) -> None:
        with self._lock:
            self._scheduled = False
            if self._closing:
                return
        self.cycles += 1
        self.cycle_started.emit()
        report = self.engine.sync_once()
        self.synced.emit(report)
        for rejection in report.rejections:
            self.rejected.emit(rejection)

    @Slot()
    def _shut_down(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        application = QCoreApplication.instance()
        if application is not None:  # back to the UI thread, where it will be deleted
            self.moveToThread(application.thread())
        QThread.currentThread().quit()

    def stop(self) -> bool:
        """End the worker: a running cycle is asked to end soon and then waited for.

        Returns False when the thread did not end within :data:`STOP_WAIT_MS`.
        """
        with self._lock:
            self._closing = True
        if not self._thread.isRunning():
            return True
        self.engine.stop()
        self._shutdown_wanted.emit()  # runs after the current cycle, on the worker thread
        finished = bool(self._thread.wait(STOP_WAIT_MS))
        if not finished:
            log.warning("The sync worker did not stop within %s ms", STOP_WAIT_MS)
        return finished
