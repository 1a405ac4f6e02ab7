"""Benchmark: the conversation list on 100,000 stored conversations.

Figures (each the median of 5 runs after a warm-up, in one process):
- time from building the main window to the first painted rows of the list, for the
  administrator (all 100,000 rows) and a specialist (their specialties' queue);
- time to re-sort the whole list by due time and to apply a status filter.

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
from functools import partial
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")  # offscreen size-hint notes

from _common import PaintWatch, demo_store, median_seconds, open_store, qt_app, report  # noqa: E402
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
    filters = iter(
        [ConversationFilter(statuses=("awaiting_specialist",)), ConversationFilter()] * 10
    )
    flt = median_seconds(lambda: window.model.set_filter(next(filters)))
    report(f"filter by status, then all again ({n})", flt, "plain SELECT of every row", baseline)
    window.close()
    store.close()


if __name__ == "__main__":
    main()
