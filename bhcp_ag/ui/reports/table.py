"""A report's figures as a table: one row per group, one column per dimension and measure.

:class:`ReportTableModel` is a small read-only model over a
:class:`~bhcp_ag.services.reports.Report` (a few hundred rows at most, so it holds them
all). Measure headers carry their units; numbers are right-aligned; a figure that cannot
be worked out is a dash (and read as "not computable" by a screen reader).
:class:`ReportTable` asks for a drill-down when a cell is double-clicked or Enter is
pressed on it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from bhcp_ag.domain.metrics import BY_KEY
from bhcp_ag.services.reports import Report
from bhcp_ag.ui.formatting import NOT_SET
from bhcp_ag.ui.reports.figures import SAVINGS_KEYS, cell_text, column_title, group_name

_ROOT = QModelIndex()
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
KEY_ROLE = Qt.ItemDataRole.UserRole
"""The column's key (a dimension or measure key)."""
VALUE_ROLE = Qt.ItemDataRole.UserRole + 1
"""The record's raw value for the cell (a number, None, or a group label)."""


class ReportTableModel(QAbstractTableModel):
    """The rows of one report; :meth:`set_report` replaces them."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._report: Report | None = None

    @property
    def report(self) -> Report | None:
        return self._report

    def set_report(self, report: Report | None) -> None:
        self.beginResetModel()
        self._report = report
        self.endResetModel()

    def column_key(self, column: int) -> str:
        assert self._report is not None
        return self._report.columns[column]

    def group(self, row: int) -> tuple[str, ...]:
        assert self._report is not None
        return self._report.groups[row]

    # --- QAbstractTableModel -----------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        if parent.isValid() or self._report is None:
            return 0
        return len(self._report.records)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        if parent.isValid() or self._report is None:
            return 0
        return len(self._report.columns)

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if self._report is None or not index.isValid():
            return None
        if not (0 <= index.row() < self.rowCount() and 0 <= index.column() < self.columnCount()):
            return None
        key = self._report.columns[index.column()]
        record = self._report.records[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(key, record)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if key in BY_KEY else _LEFT
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(key, index.row())
        if role == Qt.ItemDataRole.AccessibleTextRole:
            text = cell_text(key, record)
            return "not computable" if text == NOT_SET else text
        if role == KEY_ROLE:
            return key
        if role == VALUE_ROLE:
            return record.get(key)
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or self._report is None:
            return None
        if not 0 <= section < len(self._report.columns):
            return None
        key = self._report.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column_title(key)
        if role == Qt.ItemDataRole.ToolTipRole:
            assumption = self._report.assumptions().get(key) if key in SAVINGS_KEYS else None
            return f"{column_title(key)}. {assumption}" if assumption else column_title(key)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if key in BY_KEY else _LEFT
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def _tooltip(self, key: str, row: int) -> str:
        assert self._report is not None
        record = self._report.records[row]
        group = group_name(self._report.query.group_by, record)
        what = column_title(key) if key in BY_KEY else "Conversations"
        return f"{what} — {group}: double-click or press Enter for the conversations behind it"


class ReportTable(QTableView):
    """The report's table; ``figure_chosen(row, column)`` asks for a drill-down."""

    figure_chosen = Signal(int, int)

    def __init__(self, model: ReportTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setAccessibleName("Report figures")
        self.setAccessibleDescription(
            "One row per group. Double-click a figure, or press Enter on it, to list the "
            "conversations behind it."
        )
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setHighlightSections(False)
        self.doubleClicked.connect(self._chosen)
        model.modelReset.connect(self._fit_columns)

    def _chosen(self, index: QModelIndex) -> None:
        if index.isValid():
            self.figure_chosen.emit(index.row(), index.column())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._chosen(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)

    def _fit_columns(self) -> None:
        self.resizeColumnsToContents()
        header = self.horizontalHeader()
        for section in range(header.count()):
            header.resizeSection(section, min(header.sectionSize(section), 220))
