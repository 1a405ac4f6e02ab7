"""Benchmark: a specialist's queue, ordered by due time, on 100,000 stored conversations.

The queue is the demo specialist's scope (dermatology and rheumatology: about a fifth of
the store) in a :class:`ConversationTableModel` sorted by due time, earliest first, shown
in a plain ``QTableView`` of 1500 x 900 pixels. "Now" is the demo data's last day, so
"overdue only" selects something.

Figures, each the median of 5 runs after a warm-up, beside a baseline from the same run:
- first paint: model built, sorted by due, view shown and its first rows painted;
  baseline: a plain ``SELECT`` of the same rows in the same order, fetched in full, with
  the columns the list rows hold joined as ``rows_by_id`` joins them, on a connection
  kept open and warm as the store's is;
- filter: from the whole queue, apply a filter and wait for the repaint (status plus
  search text; overdue only); baseline: the same filtered ``SELECT`` fetched in full;
- scrolling: 50 page-downs from the top, and 20 jumps of the scroll bar to scattered
  places (mostly rows not yet fetched), each waiting for the repaint, per step;
  baseline: one plain page query (``LIMIT 200 OFFSET n`` in due order);
- repainting one screen whose rows are already fetched; baseline: the same screen of
  text from Qt's own ``QStandardItemModel``, which is Qt's painting alone;
- peak memory while the queue opens: the peak of Python allocations (``tracemalloc``)
  and the growth of the resident set to its peak (Linux's VmHWM, reset just before;
  ``ru_maxrss`` where it cannot be reset); baseline: the same while the plain
  ``SELECT`` loads every row. Each memory figure is the median of 3 fresh processes,
  one per measurement, so one cannot inflate another. Each process first opens a
  queue of a few rows and runs the plain query for them, so one-time loads (Qt's fonts,
  the bank-holiday calendar, compiled SQL) are not counted on either side.

Run: ``python bench/bench_queue.py [--conversations N]``.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from datetime import time as clock_time
from functools import partial
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")  # offscreen size-hint notes

from _common import (  # noqa: E402
    DEMO_END,
    PaintWatch,
    demo_store,
    median_measured,
    median_seconds,
    open_store,
    qt_app,
    report,
    report_amount,
)
from PySide6.QtCore import QAbstractItemModel, QCoreApplication, Qt  # noqa: E402
from PySide6.QtGui import QStandardItem, QStandardItemModel  # noqa: E402
from PySide6.QtWidgets import QAbstractSlider, QHeaderView, QTableView  # noqa: E402

from bhcp_ag.domain.specialties import SpecialtyCatalogue  # noqa: E402
from bhcp_ag.domain.targets import ResponseTargets  # noqa: E402
from bhcp_ag.services.workspace import Workspace  # noqa: E402
from bhcp_ag.store.conversations import ConversationFilter  # noqa: E402
from bhcp_ag.store.db import Store  # noqa: E402
from bhcp_ag.ui.conversation_model import (  # noqa: E402
    OVERDUE_STATUSES,
    Column,
    ConversationTableModel,
)

SPECIALIST = "demo.specialist"
NOW = datetime.combine(DEMO_END, clock_time(17, 0), tzinfo=UTC)
SEARCH = "psoriasis"
PAGE_DOWNS = 50
JUMPS = 20
PAGE_ROWS = 200  # the model's fetch size: the plain page query reads as many
MEMORY_RUNS = 3  # fresh processes per memory figure (each takes a few seconds to start)

SELECT_ROWS = """
SELECT c.id, c.specialty_code, s.short_name, c.status, c.priority, c.patient_nhs_number,
       c.question, r.display_name, k.display_name, c.created_at, c.updated_at,
       c.submitted_at, c.due_at, c.first_response_at, c.closed_at
FROM conversations c
JOIN specialties s ON s.tfc_code = c.specialty_code
JOIN users r ON r.id = c.requester_id
LEFT JOIN users k ON k.id = c.claimed_by_id
"""
BY_DUE = "ORDER BY c.due_at IS NULL, c.due_at, c.id"  # the queue's order: no due time last


def now() -> datetime:
    return NOW


# --- the plain query -------------------------------------------------------------------


def plain_sql(flt: ConversationFilter) -> tuple[str, list[object]]:
    """The SQL and values of a plain ``SELECT`` of the rows ``flt`` selects, by due time.

    Mirrors the store's filter conditions (a search of words matches the question,
    case-insensitively; a search of digits the start of the NHS number).
    """
    conditions: list[str] = []
    values: list[object] = []
    for column, chosen in (("specialty_code", flt.specialty_codes), ("status", flt.statuses)):
        if chosen:
            conditions.append(f"c.{column} IN ({', '.join('?' * len(chosen))})")
            values.extend(chosen)
    if flt.overdue_at is not None:
        conditions.append("c.due_at < ?")
        values.append(flt.overdue_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"))
    if flt.viewer_id is not None:  # other people's drafts are not listed
        conditions.append("(c.status != 'draft' OR c.requester_id = ?)")
        values.append(flt.viewer_id)
    text = flt.text.strip()
    if text.replace(" ", "").isdigit():
        conditions.append("c.patient_nhs_number LIKE ?")
        values.append(text.replace(" ", "") + "%")
    elif text:
        conditions.append("lower(c.question) LIKE lower(?)")
        values.append(f"%{text}%")
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    return f"{SELECT_ROWS} {where} {BY_DUE}", values


class PlainQueries:
    """The baseline queries, on one connection kept open and warm, as the store's is.

    It has the store's page cache size, so neither side reads more from disk than the
    other once warmed up.
    """

    def __init__(self, path: Path) -> None:
        self._connection = sqlite3.connect(path)
        self._connection.execute("PRAGMA cache_size=-65536")

    def close(self) -> None:
        self._connection.close()

    def all_rows(self, flt: ConversationFilter) -> list[tuple[object, ...]]:
        sql, values = plain_sql(flt)
        return self._connection.execute(sql, values).fetchall()

    def page(self, flt: ConversationFilter, offset: int) -> list[tuple[object, ...]]:
        sql, values = plain_sql(flt)
        query = f"{sql} LIMIT ? OFFSET ?"
        return self._connection.execute(query, [*values, PAGE_ROWS, offset]).fetchall()


# --- the queue -------------------------------------------------------------------------


def queue_view(model: QAbstractItemModel) -> QTableView:
    """A table set up as the main window sets up its list: fixed row heights and widths."""
    view = QTableView()
    view.setModel(model)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    view.horizontalHeader().setDefaultSectionSize(150)
    view.resize(1500, 900)
    return view


class Screen:
    """A table on screen, for timing from an action to the repaint it brings."""

    def __init__(self, model: QAbstractItemModel) -> None:
        self.view = queue_view(model)
        self.paint = PaintWatch(self.view.viewport())
        self.view.show()
        self.paint.wait()

    def close(self) -> None:
        self.view.close()
        self.view.deleteLater()
        QCoreApplication.processEvents()

    def settle(self) -> None:
        """Let every pending repaint happen, so the next one waited for is ours."""
        for _ in range(3):
            QCoreApplication.processEvents()

    def timed(self, action: Callable[[], object]) -> float:
        """Seconds from starting ``action`` to the viewport painted after it."""
        self.settle()
        self.paint.painted = False
        started = time.perf_counter()
        action()
        self.paint.wait()
        return time.perf_counter() - started


class Queue(Screen):
    """The specialist's queue, ordered by due time, on screen."""

    def __init__(self, store: Store, scope: ConversationFilter) -> None:
        self.scope = scope
        self.model = ConversationTableModel(store, scope, now)
        self.model.sort(Column.DUE, Qt.SortOrder.AscendingOrder)
        super().__init__(self.model)

    def reset(self) -> None:
        """The whole queue again, at the top, with no rows fetched yet."""
        self.model.set_filter(self.scope)
        self.view.verticalScrollBar().setValue(0)
        self.settle()


def first_paint_seconds(store: Store, scope: ConversationFilter) -> float:
    started = time.perf_counter()
    queue = Queue(store, scope)
    elapsed = time.perf_counter() - started
    assert queue.model.rowCount() > 0, "the queue painted without rows"
    queue.close()
    return elapsed


def filter_seconds(queue: Queue, flt: ConversationFilter) -> float:
    queue.reset()
    seconds = queue.timed(lambda: queue.model.set_filter(flt))
    assert queue.model.rowCount() > 0, "the filter left nothing to paint"
    return seconds


def page_down_seconds(queue: Queue) -> float:
    """Seconds per page-down, over ``PAGE_DOWNS`` of them from the top (fewer if it ends)."""
    queue.reset()
    bar = queue.view.verticalScrollBar()
    page_down = QAbstractSlider.SliderAction.SliderPageStepAdd
    times: list[float] = []
    while len(times) < PAGE_DOWNS and bar.value() < bar.maximum():
        times.append(queue.timed(lambda: bar.triggerAction(page_down)))
    assert times, "the queue has nothing to scroll"
    return statistics.fmean(times)


def jump_seconds(queue: Queue, positions: list[int]) -> float:
    """Seconds per jump of the scroll bar to each of ``positions`` (rows)."""
    queue.reset()
    bar = queue.view.verticalScrollBar()
    return statistics.fmean(queue.timed(partial(bar.setValue, p)) for p in positions)


def repaint_seconds(screen: Screen) -> float:
    """Seconds to paint the screen again when its rows are already fetched."""
    return screen.timed(screen.view.viewport().update)


def qt_only_repaint_seconds(queue: Queue) -> float:
    """The same for the same screen of text held in Qt's own ``QStandardItemModel``.

    Qt's painting alone, with no Python called per cell: the floor for any list model.
    """
    columns = queue.model.columnCount()
    shown = queue.view.rowAt(queue.view.viewport().height() - 1) + 1 or queue.model.rowCount()
    cells = QStandardItemModel(queue.model.rowCount(), columns)
    for row in range(shown):
        for column in range(columns):
            cells.setItem(row, column, QStandardItem(queue.model.index(row, column).data()))
    plain = Screen(cells)
    seconds = median_measured(lambda: repaint_seconds(plain))
    plain.close()
    return seconds


def jump_positions(queue: Queue) -> list[int]:
    """Scattered scroll bar positions (first rows shown), none twice in a row, none 0."""
    chosen = random.Random(2017)
    queue.reset()
    top = queue.view.verticalScrollBar().maximum()
    positions = [0]
    while len(positions) <= JUMPS:
        position = chosen.randint(1, top)
        if position != positions[-1]:
            positions.append(position)
    return positions[1:]


# --- memory, each figure from a process of its own -------------------------------------


def _status_kib(field: str) -> int:
    """A figure from /proc/self/status (VmRSS: resident now; VmHWM: its peak), in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def _reset_peak_rss() -> bool:
    """Start VmHWM again from the current resident set (Linux 4.0 and later)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def measure_memory(path: Path, subject: str, gauge: str) -> float:
    """In this process: MiB of peak growth while ``subject`` opens, by ``gauge``.

    The resident gauge reads the peak since a reset where Linux allows it, else the
    process's lifetime peak (``ru_maxrss``), which hides growth below an earlier peak.
    """
    qt_app()
    store = open_store(path)
    scope = specialist_scope(store)
    plain = PlainQueries(path)
    # One-time loads (Qt's fonts, the bank holidays, compiled SQL) before either subject.
    few = filters(scope)["overdue only"]
    Queue(store, few).close()
    plain.all_rows(few)
    gc.collect()
    if gauge == "python":
        tracemalloc.start()
    elif _reset_peak_rss():
        before, peak_kib = _status_kib("VmRSS"), lambda: _status_kib("VmHWM")
    else:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        peak_kib = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # noqa: E731
    held: object = Queue(store, scope) if subject == "queue" else plain.all_rows(scope)
    if gauge == "python":
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    else:
        peak = (peak_kib() - before) / 1024
    del held
    return peak


def memory_in_subprocess(path: Path, subject: str, gauge: str) -> float:
    done = subprocess.run(
        [sys.executable, __file__, "--memory", subject, gauge, "--store", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(done.stdout.strip().splitlines()[-1])


# --- the run ---------------------------------------------------------------------------


def specialist_scope(store: Store) -> ConversationFilter:
    workspace = Workspace.open(store, SPECIALIST, SpecialtyCatalogue.load(), ResponseTargets.load())
    return workspace.user.list_scope()


def filters(scope: ConversationFilter) -> dict[str, ConversationFilter]:
    return {
        f"status 'awaiting specialist' + search '{SEARCH}'": ConversationFilter(
            specialty_codes=scope.specialty_codes, statuses=("awaiting_specialist",), text=SEARCH
        ),
        "overdue only": ConversationFilter(
            specialty_codes=scope.specialty_codes, statuses=OVERDUE_STATUSES, overdue_at=NOW
        ),
    }


def bench_first_paint(
    plain: PlainQueries, store: Store, scope: ConversationFilter, n: str
) -> Queue:
    """Report the time to the first painted rows; returns the queue, open and painted."""
    rows = len(plain.all_rows(scope))
    everything = median_seconds(partial(plain.all_rows, scope))
    paint = median_seconds(partial(first_paint_seconds, store, scope))
    report(
        f"queue first painted rows ({rows:,} of {n}, by due)",
        paint,
        "plain SELECT of the same rows",
        everything,
    )
    queue = Queue(store, scope)
    assert queue.model.rowCount() == rows, "the queue and the plain query disagree"
    return queue


def bench_filters(plain: PlainQueries, queue: Queue) -> None:
    for name, flt in filters(queue.scope).items():
        found = len(plain.all_rows(flt))
        baseline = median_seconds(partial(plain.all_rows, flt))
        seconds = median_measured(partial(filter_seconds, queue, flt))
        assert queue.model.rowCount() == found, f"{name}: the queue and the plain query disagree"
        report(
            f"filter to {name} ({found:,} rows) and repaint",
            seconds,
            "plain filtered SELECT",
            baseline,
        )


def bench_scrolling(plain: PlainQueries, queue: Queue) -> None:
    positions = jump_positions(queue)
    offsets = iter(positions * 10)
    page = median_seconds(lambda: plain.page(queue.scope, next(offsets)))
    baseline = f"one plain page query (LIMIT {PAGE_ROWS} OFFSET n)"
    pages = min(PAGE_DOWNS, -(-queue.view.verticalScrollBar().maximum() // visible_rows(queue)))
    down = median_measured(lambda: page_down_seconds(queue))
    report(f"scroll by page-down, per page ({pages} pages)", down, baseline, page)
    jump = median_measured(lambda: jump_seconds(queue, positions))
    report(f"jump the scroll bar, per jump ({JUMPS} places)", jump, baseline, page)
    queue.reset()
    report(
        "repaint one screen, its rows already fetched",
        median_measured(lambda: repaint_seconds(queue)),
        "the same screen from a QStandardItemModel (Qt alone)",
        qt_only_repaint_seconds(queue),
    )


def visible_rows(queue: Queue) -> int:
    return max(queue.view.verticalScrollBar().pageStep(), 1)


def bench_memory(path: Path) -> None:
    for gauge, what in (("python", "Python allocations"), ("rss", "resident set growth")):
        figures = {
            subject: statistics.median(
                memory_in_subprocess(path, subject, gauge) for _ in range(MEMORY_RUNS)
            )
            for subject in ("queue", "plain")
        }
        report_amount(
            f"peak {what} while the queue opens",
            figures["queue"],
            "plain SELECT loading every row",
            figures["plain"],
            "MiB",
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--memory", nargs=2, metavar=("SUBJECT", "GAUGE"), help=argparse.SUPPRESS)
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory:
        print(measure_memory(args.store, *args.memory))
        return
    path = demo_store(args.conversations)
    qt_app()
    store = open_store(path)
    plain = PlainQueries(path)
    scope = specialist_scope(store)
    queue = bench_first_paint(plain, store, scope, f"{args.conversations:,} conversations")
    bench_filters(plain, queue)
    bench_scrolling(plain, queue)
    queue.close()
    plain.close()
    store.close()
    bench_memory(path)


if __name__ == "__main__":
    main()
