"""Benchmark: the conversation list on 100,000 stored conversations.

Figures (each the median of 5 runs after a warm-up, in one process):
- time from building the main window to the first painted rows of the list, for the
  administrator (all 100,000 rows) and a specialist (their specialties' queue);
- time to re-sort the whole list by due time (the header clicked again: the other way
  round), and to another column (due time, then submission time) with no id list kept
  (the list read again just before, as after a save or a sync);
- time to apply a status filter, then all again (the list kept from before), and to
  apply it with nothing kept;
- time to search the whole list, from the whole list shown (read again just before, so
  nothing of the search is already held): words of the question (a rare one and a
  common one) and the start of an NHS number (a few digits, and all ten).

Baseline: a plain ``SELECT`` of the same rows (the list's columns for all of them, with
the joins the list shows), as a list that loads every row up front would have to run.
A ratio below 1 means the list is on screen sooner than that query alone finishes.

Run: ``python bench/bench_conversation_list.py [--conversations N]``.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")  # offscreen size-hint notes

from _common import (  # noqa: E402
    PaintWatch,
    demo_store,
    median_measured,
    median_seconds,
    open_store,
    qt_app,
    report,
)
from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bhcp_ag.domain.specialties import SpecialtyCatalogue  # noqa: E402
from bhcp_ag.domain.targets import ResponseTargets  # noqa: E402
from bhcp_ag.services.workspace import Workspace  # noqa: E402
from bhcp_ag.store.conversations import ConversationFilter  # noqa: E402
from bhcp_ag.ui.conversation_model import Column  # noqa: E402
from bhcp_ag.ui.main_window import MainWindow  # noqa: E402

PLAIN_SELECT = """
SELECT c.id, c.status, c.priority, c.patient_nhs_number, c.question, c.submitted_at,
       c.due_at, c.updated_at, s.short_name, r.display_name, k.display_name
FROM conversations c
JOIN specialties s ON s.tfc_code = c.specialty_code
JOIN users r ON r.id = c.requester_id
LEFT JOIN users k ON k.id = c.claimed_by_id
ORDER BY c.updated_at DESC
"""

RARE_WORD = "psoriasis"  # in about 3% of the demo's questions
COMMON_WORD = "refer"  # in about a fifth of them


def time_to_first_paint(app: QApplication, workspace: Workspace, settings: QSettings) -> float:
    started = time.perf_counter()
    window = MainWindow(workspace, settings=settings)
    watcher = PaintWatch(window.table.viewport())
    window.resize(1500, 900)
    window.show()
    watcher.wait()
    elapsed = time.perf_counter() - started
    assert window.model.rowCount() > 0, "the list painted without rows"
    window.close()
    window.deleteLater()
    app.processEvents()
    return elapsed


def plain_select(path: Path) -> float:
    def run() -> int:
        connection = sqlite3.connect(path)
        try:
            return len(connection.execute(PLAIN_SELECT).fetchall())
        finally:
            connection.close()

    return median_seconds(run)


def searches(path: Path) -> list[tuple[str, str]]:
    """What the search figures type: words of the question, and an NHS number's start."""
    connection = sqlite3.connect(path)
    try:
        (number,) = connection.execute(
            "SELECT patient_nhs_number FROM conversations ORDER BY id LIMIT 1"
        ).fetchone()
    finally:
        connection.close()
    return [
        (f"words '{RARE_WORD}'", RARE_WORD),
        (f"words '{COMMON_WORD}'", COMMON_WORD),
        (f"NHS number's first 5 digits '{number[:5]}'", number[:5]),
        ("NHS number, all 10 digits", number),
    ]


def fresh_seconds(window: MainWindow, action: Callable[[], object]) -> float:
    """Seconds ``action`` takes on the list just read again (so no id list is kept but
    the one shown, as after a save or a sync)."""
    window.model.refresh()
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def search_seconds(window: MainWindow, text: str) -> float:
    """Seconds to search the whole list for ``text``, from the whole list read afresh."""
    window.model.set_filter(ConversationFilter())
    window.model.refresh()
    started = time.perf_counter()
    window.model.set_filter(ConversationFilter(text=text))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    args = parser.parse_args()
    path = demo_store(args.conversations)
    app = qt_app()
    store = open_store(path)
    catalogue, targets = SpecialtyCatalogue.load(), ResponseTargets.load()
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "bench.ini"), QSettings.Format.IniFormat)
    baseline = plain_select(path)
    n = f"{args.conversations:,} conversations"
    for username, who in (
        ("demo.admin", "administrator, every row"),
        ("demo.specialist", "specialist's queue"),
    ):
        workspace = Workspace.open(store, username, catalogue, targets)
        seconds = median_seconds(partial(time_to_first_paint, app, workspace, settings))
        report(
            f"list first painted rows ({who}, {n})", seconds, "plain SELECT of every row", baseline
        )

    admin = Workspace.open(store, "demo.admin", catalogue, targets)
    window = MainWindow(admin, settings=settings)
    window.show()
    orders = iter([Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder] * 10)
    sort = median_seconds(lambda: window.model.sort(Column.DUE, next(orders)))
    report(f"re-sort by due time ({n})", sort, "plain SELECT of every row", baseline)
    columns = iter([Column.DUE, Column.SUBMITTED] * 10)
    other = median_measured(
        partial(fresh_seconds, window, lambda: window.model.sort(next(columns)))
    )
    report(
        f"re-sort by another column, nothing kept ({n})",
        other,
        "plain SELECT of every row",
        baseline,
    )
    window.model.sort(-1)
    filters = iter(
        [ConversationFilter(statuses=("awaiting_specialist",)), ConversationFilter()] * 10
    )
    flt = median_seconds(lambda: window.model.set_filter(next(filters)))
    report(f"filter by status, then all again ({n})", flt, "plain SELECT of every row", baseline)
    awaiting = ConversationFilter(statuses=("awaiting_specialist",))
    window.model.set_filter(ConversationFilter())
    flt = median_measured(partial(fresh_seconds, window, lambda: window.model.set_filter(awaiting)))
    report(f"filter by status, nothing kept ({n})", flt, "plain SELECT of every row", baseline)
    for what, text in searches(path):
        seconds = median_measured(partial(search_seconds, window, text))
        found = window.model.rowCount()
        report(f"search {what} ({found:,} of {n})", seconds, "plain SELECT of every row", baseline)
    window.close()
    store.close()


if __name__ == "__main__":
    main()
