"""Specialist workload: answers per specialist and specialty, for job planning.

A small dialog beside the Reports window, for the same period and filters: one row per
specialist and specialty with their answers (advice, questions for the GP, conversions)
and how many conversations they answered in, most answers first. Worked out in SQL
(:meth:`~bhcp_ag.services.reports.Reports.workload`); shown only within the viewer's
scope.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bhcp_ag.domain.reports import ReportQuery
from bhcp_ag.services.reports import WorkloadRecord

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
HEADERS = (
    ("Specialist", "specialist"),
    ("Specialty", "specialty"),
    ("Answers", "answers"),
    ("Advice", "advice"),
    ("Questions to the GP", "questions"),
    ("Conversions", "conversions"),
    ("Conversations", "conversations"),
)


class WorkloadDialog(QDialog):
    """The workload table for one report's period and filters."""

    def __init__(
        self, records: Sequence[WorkloadRecord], query: ReportQuery, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Specialist workload")
        self.setAccessibleName("Specialist workload")
        self.resize(760, 520)
        period = query.period
        total = sum(record.answers for record in records)
        self.summary = QLabel(
            f"{period.first.day} {period.first:%b %Y} to {period.last.day} {period.last:%b %Y}: "
            f"{total:,} answers by "
            f"{len({r.specialist for r in records}):,} specialists."
        )
        self.summary.setAccessibleName("Workload summary")
        self.table = QTableWidget(len(records), len(HEADERS))
        self.table.setAccessibleName("Answers per specialist and specialty")
        self.table.setHorizontalHeaderLabels([title for title, _ in HEADERS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        for row, record in enumerate(records):
            for column, (_, key) in enumerate(HEADERS):
                value = getattr(record, key)
                item = QTableWidgetItem(f"{value:,}" if isinstance(value, int) else str(value))
                if isinstance(value, int):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
