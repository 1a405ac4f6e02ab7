"""Shared pieces of the benchmarks: cached demo stores, timing, and the report line.

Every benchmark prints its figure beside a baseline measured in the same run, and the
ratio of the two, so a figure means something on any machine.
"""

from __future__ import annotations

import ctypes
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bhcp_ag.store.db import Store, head_revision  # noqa: E402

CACHE = ROOT / "bench" / ".cache"
DEMO_END = date(2026, 11, 20)


def demo_store(conversations: int, seed: int = 2017) -> Path:
    """A store with ``conversations`` demo conversations, made once and reused."""
    from bhcp_ag.app import open_store_with_reference
    from bhcp_ag.store.demo import generate_demo_data

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"store-{conversations}-{seed}-{head_revision()}.sqlite3"
    if not path.exists():
        partial = path.with_suffix(".partial")
        for stale in CACHE.glob(partial.name + "*"):
            stale.unlink()
        older = sorted(CACHE.glob(f"store-{conversations}-{seed}-*.sqlite3"))
        if older:  # the same demo at an older revision: migrate a copy, as the app would
            print(f"(migrating {older[-1].name} to {path.name})")
            shutil.copyfile(older[-1], partial)
            store = open_store_with_reference(partial)
        else:
            print(f"(making a store of {conversations:,} demo conversations: {path.name})")
            store = open_store_with_reference(partial)
            generate_demo_data(store, conversations=conversations, seed=seed, end=DEMO_END)
        with store.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        store.close()
        partial.rename(path)
    return path


def open_store(path: Path) -> Store:
    return Store.open(path)


def median_seconds(action: Callable[[], object], repeat: int = 5) -> float:
    """The median wall time of ``repeat`` runs of ``action`` (after one warm-up run)."""

    def timed() -> float:
        started = time.perf_counter()
        action()
        return time.perf_counter() - started

    return median_measured(timed, repeat)


def median_measured(measure: Callable[[], float], repeat: int = 5) -> float:
    """The median of ``repeat`` figures that ``measure`` returns (after one warm-up run).

    For figures that need setting up outside the timed part, or that are not times.
    """
    measure()
    return statistics.median(measure() for _ in range(repeat))


def report(figure: str, seconds: float, baseline: str, baseline_seconds: float) -> None:
    report_amount(figure, seconds * 1000, baseline, baseline_seconds * 1000, "ms")


def report_amount(
    figure: str, amount: float, baseline: str, baseline_amount: float, unit: str
) -> None:
    """One result line: the figure, its baseline from the same run, and their ratio."""
    ratio = amount / baseline_amount if baseline_amount else float("inf")
    print(
        f"{figure}: {amount:.1f} {unit} | baseline, {baseline}: "
        f"{baseline_amount:.1f} {unit} | ratio {ratio:.2f}",
        flush=True,
    )


def qt_app() -> QApplication:
    """The application, with None kept alive through PySide6's reference bug (see below)."""
    _keep_none_alive()
    app = QApplication.instance()
    return app if isinstance(app, QApplication) else QApplication([])


def _keep_none_alive() -> None:
    """Give None the immortality Python 3.12 gives it.

    PySide6 6.12 on Python 3.11 drops one reference to None at every call of a Qt method
    that returns nothing (``processEvents``, ``setValue``...; check with
    ``sys.getrefcount(None)`` around a loop of them). A benchmark makes tens of
    thousands of such calls, and CPython aborts ("deallocating None") once None's count
    reaches zero. From 3.12 None is immortal and this does nothing.
    """
    if sys.version_info < (3, 12):
        # ob_refcnt is the first field of every object; None is never freed anyway.
        ctypes.c_ssize_t.from_address(id(None)).value += 1 << 40


class PaintWatch(QObject):
    """Notes when a widget (a table's viewport) is painted.

    Clear :attr:`painted`, do something, then :meth:`wait`: it returns once Qt has
    painted the widget again, which for a table means its visible rows were fetched.
    """

    def __init__(self, widget: QWidget, timeout_s: float = 60.0) -> None:
        super().__init__()
        self.painted = False
        self._timeout = timeout_s
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            self.painted = True
        return False

    def wait(self) -> None:
        # Spinning, not QEventLoop.exec(): a loop told to quit from the paint event only
        # notices at its next wake-up, tens of milliseconds later on the offscreen platform.
        deadline = time.perf_counter() + self._timeout
        while not self.painted:
            QCoreApplication.processEvents()
            if time.perf_counter() > deadline:
                raise TimeoutError("the widget was not painted again")
