"""The Reports window: choose a period, breakdowns and filters; read the figures and chart.

Every change of choice runs the report again after a short pause
(:data:`DEBOUNCE_MS`), off the UI thread through a :class:`~bhcp_ag.ui.sync_worker.TaskRunner`
of the window's own; a report that arrives after a newer one was asked for is dropped.
The scope (a practice manager's practice, a specialist's specialties, the whole Bay for an
administrator) is the service's (:func:`bhcp_ag.services.reports.in_scope`). A figure
drills down to its conversations (:class:`~bhcp_ag.ui.reports.drill.DrillDownDialog`);
the report exports to CSV and PDF. Problems are said in words, never as a traceback.
The choices, the chart's measure and the window's geometry are kept in ``QSettings``
(every change, and on closing) and brought back the next time the view opens.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QThreadPool, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from bhcp_ag.domain.conversation import Role
from bhcp_ag.domain.metrics import BY_KEY
from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.services.reports import WORKLOAD_ROLES, Report, ReportRefused, Reports, write_csv
from bhcp_ag.services.workspace import Workspace
from bhcp_ag.sqlkit.loggable import loggable
from bhcp_ag.ui.reports.chart import ReportChart
from bhcp_ag.ui.reports.choices import ReportChoices, london_today
from bhcp_ag.ui.reports.drill import DrillDownDialog
from bhcp_ag.ui.reports.export import (
    ReportHeading,
    export_folder,
    export_name,
    period_text,
    scope_text,
    write_pdf,
)
from bhcp_ag.ui.reports.figures import group_name, is_measure
from bhcp_ag.ui.reports.panels import AssumptionsPanel, HeadlinePanel
from bhcp_ag.ui.reports.table import ReportTable, ReportTableModel
from bhcp_ag.ui.reports.workload import WorkloadDialog
from bhcp_ag.ui.sync_worker import TaskRunner
from bhcp_ag.ui.theme import colours

log = logging.getLogger(__name__)

DEBOUNCE_MS = 300
REPORT_TITLE = "Advice and Guidance report"
SETTINGS = "reports"
"""The ``QSettings`` group the view keeps its choices and geometry in."""


class ReportsWindow(QMainWindow):
    """Reports for the signed-in user, in their scope."""

    conversation_requested = Signal(str)
    """A conversation opened from a drill-down (its id), for the main window to show."""

    def __init__(
        self,
        workspace: Workspace,
        organisation: Organisation,
        now: Callable[[], datetime],
        parent: QWidget | None = None,
        *,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self._workspace, self._organisation, self._now = workspace, organisation, now
        self._settings = settings if settings is not None else QSettings()
        self._reports = Reports(workspace.store, organisation, workspace.catalogue)
        self._pool = QThreadPool(self)
        self._runner = TaskRunner(self._pool)
        self._asked = 0  # the number of the latest run asked for; older results are dropped
        self._closed = False
        self._running = False
        self.report: Report | None = None
        self.drill: DrillDownDialog | None = None
        self.setWindowTitle(f"Reports — {self.scope_text()}")
        self._build()
        self._restore()
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.run_now)
        self.choices.changed.connect(self._debounce.start)
        self.choices.changed.connect(self.remember)
        self.chart.measure.currentIndexChanged.connect(self.remember)
        self._debounce.start()

    @classmethod
    def open_for(
        cls,
        parent: QWidget | None,
        workspace: Workspace,
        organisation: Organisation,
        now: Callable[[], datetime] | datetime,
        settings: QSettings | None = None,
    ) -> ReportsWindow:
        """Open (and show) the Reports window for ``workspace``'s user, with the choices
        kept in ``settings`` (the application's own when None)."""
        clock = now if callable(now) else (lambda: now)
        window = cls(workspace, organisation, clock, parent, settings=settings)
        window.show()
        return window

    # --- remembering -------------------------------------------------------------------

    def _restore(self) -> None:
        self.choices.restore(self._settings)
        chart = self._settings.value(f"{SETTINGS}/chart", "")
        if isinstance(chart, str) and chart:
            self.chart.choose_keys(chart.split("+"))
        geometry = self._settings.value(f"{SETTINGS}/geometry")
        if not (isinstance(geometry, QByteArray) and self.restoreGeometry(geometry)):
            room = self.screen().availableGeometry()
            self.resize(min(1280, room.width() * 9 // 10), min(760, room.height() * 9 // 10))
        splitter = self._settings.value(f"{SETTINGS}/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)

    def remember(self) -> None:
        """Keep the choices, the chart's measure and the geometry for next time."""
        self.choices.save(self._settings)
        self._settings.setValue(f"{SETTINGS}/chart", "+".join(self.chart.keys))  # not ",": a list
        self._settings.setValue(f"{SETTINGS}/geometry", self.saveGeometry())
        self._settings.setValue(f"{SETTINGS}/splitter", self.splitter.saveState())

    # --- building ----------------------------------------------------------------------

    def _build(self) -> None:
        user = self._workspace.user
        self.choices = ReportChoices(
            user, self._organisation, self._workspace.catalogue, london_today(self._now())
        )
        self.model = ReportTableModel(self)
        self.table = ReportTable(self.model)
        self.table.figure_chosen.connect(self.drill_down)
        self.chart = ReportChart()
        self.headline = HeadlinePanel()
        self.beside = QStackedWidget()
        self.beside.addWidget(self.headline)
        self.beside.addWidget(self.chart)
        self.assumptions = AssumptionsPanel()
        self.assumptions.hide()
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.beside, 1)
        right_layout.addWidget(self.assumptions)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.choices)
        layout.addLayout(self._status_row())
        layout.addWidget(self.splitter, 1)
        layout.addLayout(self._button_row())
        self.setCentralWidget(central)
        refresh = QShortcut(QKeySequence("F5"), self)
        refresh.activated.connect(self.run_now)

    def _status_row(self) -> QHBoxLayout:
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)  # no known end: a moving bar
        self.busy_bar.setMaximumWidth(140)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setAccessibleName("Working out the report")
        self.busy_bar.hide()
        self.status = QLabel()
        self.status.setAccessibleName("Report status")
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.busy_bar)
        row.addWidget(self.status, 1)
        return row

    def _button_row(self) -> QHBoxLayout:
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setAccessibleName("Refresh the report")
        self.refresh_button.setToolTip("Work the report out again (F5)")
        self.refresh_button.clicked.connect(self.run_now)
        self.csv_button = QPushButton("Export &CSV…")
        self.csv_button.setAccessibleName("Export the report as CSV")
        self.csv_button.clicked.connect(lambda: self.export_csv())
        self.pdf_button = QPushButton("Export P&DF…")
        self.pdf_button.setAccessibleName("Export the report as PDF")
        self.pdf_button.clicked.connect(lambda: self.export_pdf())
        self.workload_button = QPushButton("Specialist &workload…")
        self.workload_button.setAccessibleName("Show answers per specialist and specialty")
        self.workload_button.clicked.connect(lambda: self.show_workload())
        # Named workload: an administrator's (everyone) or a specialist's (their own).
        self.workload_button.setVisible(self._workspace.user.role in WORKLOAD_ROLES)
        self.close_button = QPushButton("C&lose")
        self.close_button.setAccessibleName("Close reports")
        self.close_button.clicked.connect(self.close)
        for button in (self.csv_button, self.pdf_button):
            button.setEnabled(False)
        row = QHBoxLayout()
        row.addWidget(self.refresh_button)
        row.addWidget(self.workload_button)
        row.addStretch(1)
        for button in (self.csv_button, self.pdf_button, self.close_button):
            row.addWidget(button)
        return row

    def show_workload(self) -> WorkloadDialog | None:
        """Answers per specialist and specialty for the chosen period and filters."""
        try:
            query = self.choices.query(self._now())
            records = self._reports.workload(self._workspace.user, query)
        except (ValueError, ReportRefused) as problem:
            self._show_problem(str(problem))
            return None
        dialog = WorkloadDialog(records, query, self)
        dialog.open()
        return dialog

    # --- running -----------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """True while a report is asked for or being worked out."""
        return self._running or self._debounce.isActive()

    def run_now(self) -> None:
        """Work the report out now from the choices (off the UI thread)."""
        self._debounce.stop()
        try:
            query = self.choices.query(self._now())
        except ValueError as problem:
            self._show_problem(str(problem))
            return
        self._asked += 1
        user, reports = self._workspace.user, self._reports
        self._set_busy(True)
        self._runner.run(
            lambda: reports.run(user, query),
            partial(self._delivered, self._asked),
            partial(self._failed, self._asked),
        )

    def _delivered(self, asked: int, report: Report) -> None:
        if self._closed or asked != self._asked:
            return  # a newer report was asked for (or the window closed): drop this one
        self._set_busy(False)
        self.show_report(report)

    def _failed(self, asked: int, error: Exception) -> None:
        if self._closed or asked != self._asked:
            return
        self._set_busy(False)
        if isinstance(error, ReportRefused):
            self._show_problem(f"You have no reports to see: {error}")
            return
        log.warning("A report could not be worked out: %s", loggable(error))
        self._show_problem(
            "The report could not be worked out. Try again; if it keeps failing, tell the "
            f"Advice and Guidance administrator ({type(error).__name__})."
        )

    def _set_busy(self, busy: bool) -> None:
        self._running = busy
        self.busy_bar.setVisible(busy)
        if busy:
            self.status.setStyleSheet("")
            self.status.setText("Working out the report…")

    def _show_problem(self, text: str) -> None:
        self.status.setStyleSheet(f"color: {colours().problem.name()}")
        self.status.setText(text)
        self.show_report(None)

    def show_report(self, report: Report | None) -> None:
        self.report = report
        self.model.set_report(report)
        self.headline.show_report(report)
        self.chart.show_report(report)
        self.assumptions.show_report(report)
        charted = report is not None and bool(report.query.group_by)
        self.beside.setCurrentWidget(self.chart if charted else self.headline)
        for button in (self.csv_button, self.pdf_button):
            button.setEnabled(report is not None)
        if report is not None:
            self.status.setStyleSheet("")
            self.status.setText(self._summary(report))

    def _summary(self, report: Report) -> str:
        total = sum(float(r.get("conversations") or 0) for r in report.records)
        groups = f" in {len(report.records):,} groups" if report.query.group_by else ""
        return f"{period_text(report)}: {total:,.0f} conversations{groups}. {self.scope_text()}."

    # --- scope and headings ------------------------------------------------------------

    def scope_text(self) -> str:
        """Whose conversations the reports cover, in words."""
        return scope_text(self._workspace.user, self._organisation, self._workspace.catalogue)

    def file_scope(self) -> str:
        """The scope and specialty chosen, short, for an export's file name: "Bay",
        "Kendal ICC (South Lakeland), Dermatology", "Ashworth Surgery (BAY001)"."""
        user, specialty = self._workspace.user, self.choices.specialty
        chosen = specialty.currentText() if specialty.currentData() else ""
        if user.role is Role.SPECIALIST:
            codes = user.specialty_codes
            return chosen or ", ".join(self._workspace.catalogue.get(c).short_name for c in codes)
        if user.role is Role.ADMIN:
            place = self.choices.place.place()
            where = place.label if place.key else "Bay"
        else:
            where = self.scope_text()
        return f"{where}, {chosen}" if chosen else where

    def heading(self) -> ReportHeading:
        filters = self.choices.filters_text()
        return ReportHeading(REPORT_TITLE, self.scope_text(), filters, self._now())

    # --- drilling down -----------------------------------------------------------------

    def drill_down(self, row: int, column: int) -> DrillDownDialog | None:
        """List the conversations behind the figure at (``row``, ``column``)."""
        report = self.report
        if report is None:
            return None
        key = self.model.column_key(column)
        measure_key = key if is_measure(key) else "conversations"
        group = self.model.group(row)
        try:
            ids = self._reports.drill(self._workspace.user, report.query, group, measure_key)
        except ReportRefused as refused:
            self._show_problem(f"You have no reports to see: {refused}")
            return None
        except Exception as error:  # said in words; the details go to the log
            log.warning("A drill-down failed: %s", loggable(error))
            self._show_problem("The conversations behind that figure could not be listed.")
            return None
        where = group_name(report.query.group_by, report.records[row])
        title = f"{BY_KEY[measure_key].label} — {where} — {period_text(report)}"
        self.drill = DrillDownDialog.show_for(
            self, self._workspace.store, self._workspace.user, ids, title, measure_key, self._now
        )
        self.drill.conversation_requested.connect(self.conversation_requested)
        return self.drill

    # --- exporting ---------------------------------------------------------------------

    def _ask_path(self, caption: str, suffix: str, kind: str) -> Path | None:
        """Where to save (a file dialog); None when the user cancels."""
        assert self.report is not None  # exports are offered only with a report shown
        name = export_folder() / export_name(self.report, self.file_scope(), suffix)
        chosen, _ = QFileDialog.getSaveFileName(self, caption, str(name), f"{kind} (*.{suffix})")
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix.lower() == f".{suffix}" else path.with_suffix(f".{suffix}")

    def export_csv(self, path: Path | None = None) -> Path | None:
        """Save the report as CSV (asking where, unless ``path`` is given)."""
        report = self.report
        if report is None:
            return None
        path = path or self._ask_path("Export the report as CSV", "csv", "CSV files")
        if path is None:
            return None
        return self._export(path, lambda: write_csv(report, path))

    def export_pdf(self, path: Path | None = None) -> Path | None:
        """Save the report as PDF, with its chart (asking where, unless ``path`` is given)."""
        report = self.report
        if report is None:
            return None
        path = path or self._ask_path("Export the report as PDF", "pdf", "PDF files")
        if path is None:
            return None
        keys = self.chart.keys
        totalled = self._reports.with_totals(self._workspace.user, report)
        return self._export(path, lambda: write_pdf(totalled, path, self.heading(), keys))

    def _export(self, path: Path, write: Callable[[], None]) -> Path | None:
        try:
            write()
        except OSError as error:
            reason = error.strerror or str(error)
            QMessageBox.warning(
                self, "Export failed", f"The report could not be saved to {path}: {reason}"
            )
            return None
        self.status.setStyleSheet("")
        self.status.setText(f"Saved to {path}")
        return path

    def showEvent(self, event: QShowEvent) -> None:
        if self._closed:  # opened again: the figures may have changed since
            self._closed = False
            self._debounce.start()
        super().showEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.remember()
        self._settings.sync()
        self._closed = True  # any report still being worked out is dropped
        self._running = False
        self._debounce.stop()
        super().closeEvent(event)
