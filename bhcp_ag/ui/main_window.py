"""The main window: the conversation list with its filters, and the selected conversation.

The list is a :class:`ConversationTableModel` (SQL does the sorting and filtering, rows
load lazily); the filters above it turn into one :class:`ConversationFilter` within the
signed-in user's scope. Window geometry, the splitter, the columns and the last filters
are kept in ``QSettings``; everything else lives in the store.

With a :class:`~bhcp_ag.ui.sync_worker.SyncWorker` connected (:meth:`MainWindow.connect_sync`)
the status bar shows the sync state, File → Sync now (F5) asks for a cycle, the list is
read again after a cycle that brought or sent anything, and a change the hub refused is
explained in a message that does not block the window. File → Sign out, a click on
"Signed out" and File → Change password… emit ``sign_out_requested``,
``sign_in_requested`` and ``change_password_requested``: the composition root does the
signing. Help (:mod:`bhcp_ag.ui.help_menu`) lists the window's shortcuts, where the data
is and which hub the app syncs with, and the version.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import (
    QByteArray,
    QItemSelectionModel,
    QModelIndex,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from bhcp_ag.domain.conversation import Role, Status
from bhcp_ag.domain.minimum import ContentView, content_view
from bhcp_ag.services.requests import Sent
from bhcp_ag.services.workspace import Workspace
from bhcp_ag.store.models import utcnow
from bhcp_ag.sync.report import SyncReport, SyncStatus
from bhcp_ag.ui.conversation_model import STATUS_ROLE, ConversationTableModel, default_sort_for
from bhcp_ag.ui.conversation_panel import ConversationPanel
from bhcp_ag.ui.conversation_table import ConversationTable
from bhcp_ag.ui.filter_bar import FilterBar
from bhcp_ag.ui.formatting import APP_DISPLAY_NAME, count_text, london_time
from bhcp_ag.ui.help_menu import WhereThingsAre, add_help_menu, hub_description
from bhcp_ag.ui.menus import add_menu
from bhcp_ag.ui.request_form import RequestForm
from bhcp_ag.ui.sync_status import RejectionNotice, SyncStatusButton
from bhcp_ag.ui.sync_worker import SyncWorker

CLOCK_TICK_MS = 60_000  # time left and overdue marks move on once a minute


class MainWindow(QMainWindow):
    """The signed-in user's conversations; GPs write new requests from here."""

    sign_out_requested = Signal()
    sign_in_requested = Signal()
    change_password_requested = Signal()
    closed = Signal()

    def __init__(
        self,
        workspace: Workspace,
        *,
        settings: QSettings | None = None,
        now: Callable[[], datetime] = utcnow,
        hub_url: str | None = None,
        demo_hub: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        """``hub_url`` is the hub this app syncs with, ``demo_hub`` True when the app
        started it itself; Help shows them."""
        super().__init__(parent)
        self._workspace = workspace
        self._hub = hub_description(hub_url, demo=demo_hub)
        self._settings = settings if settings is not None else QSettings()
        self._form: RequestForm | None = None
        self._kept_id: str | None = None
        self._sync: SyncWorker | None = None
        self.rejections = RejectionNotice(self)
        user = workspace.user
        # Ending with the app's display name, so that Qt does not add it a second time
        # (it appends it to any title that does not end with it).
        self.setWindowTitle(f"{user.display_name} ({user.role.label}) — {APP_DISPLAY_NAME}")
        # The specialties this user leads: what is overdue a working day is escalated to them.
        self._led_codes = tuple(
            s.tfc_code
            for s in workspace.catalogue.all()
            if user.role is Role.SPECIALIST and s.lead_username == user.username
        )
        self.filter_bar = FilterBar(
            workspace.catalogue,
            user.list_scope(),
            now,
            role=user.role,
            user_id=user.id,
            led_codes=self._led_codes,
        )
        self.filter_bar.restore(self._settings)
        self.model = ConversationTableModel(
            workspace.store,
            self.filter_bar.conversation_filter(),
            now,
            self,
            default_sort=default_sort_for(user.role),
            user_id=user.id,
            review=content_view(user.role) is ContentView.REVIEW,
            leads={s.tfc_code: s.lead_name for s in workspace.catalogue.all()},
        )
        self.panel = ConversationPanel(workspace, now, settings=self._settings)
        self.viewer = self.panel.viewer
        self.table = ConversationTable(self.model, user.role)
        self._build_layout()
        self._build_actions()
        self._build_status_bar()
        self._connect()
        self._restore_window()
        self._clock = QTimer(self)
        self._clock.timeout.connect(self._tick)
        self._clock.start(CLOCK_TICK_MS)

    # --- building ---------------------------------------------------------------------

    def _build_layout(self) -> None:
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.setSpacing(6)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        QWidget.setTabOrder(self.filter_bar.search, self.table)
        QWidget.setTabOrder(self.table, self.panel.viewer)

    def _build_actions(self) -> None:
        self.new_request_action = QAction("&New advice request", self)
        self.new_request_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_request_action.triggered.connect(self.open_new_request)
        if self._workspace.user.role is not Role.GP:
            self.new_request_action.setEnabled(False)
            self.new_request_action.setToolTip("Advice requests are written by GPs.")
        self.refresh_action = QAction("&Refresh", self)
        self.refresh_action.setShortcut(QKeySequence("Ctrl+R"))  # F5 is Sync now
        self.refresh_action.triggered.connect(self.refresh)
        find = QAction(
            "Find in the list", self, shortcut=QKeySequence(QKeySequence.StandardKey.Find)
        )
        find.triggered.connect(self.filter_bar.focus_search)
        self.addAction(find)
        self._build_file_menu()
        toolbar = QToolBar("Main toolbar")
        toolbar.setObjectName("main_toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addAction(self.new_request_action)
        toolbar.addAction(self.refresh_action)
        toolbar.addAction(self.sync_now_action)
        self.addToolBar(toolbar)
        self.help_actions = add_help_menu(self, self.where_things_are)

    def _build_file_menu(self) -> None:
        self.sync_now_action = QAction("S&ync now", self)
        self.sync_now_action.setShortcut(QKeySequence("F5"))
        self.sync_now_action.setToolTip("Send your changes to the hub and fetch what is new")
        self.sync_now_action.triggered.connect(self.sync_now)
        self.change_password_action = QAction("Change &password…", self)
        self.change_password_action.triggered.connect(self.change_password_requested)
        self.sign_out_action = QAction("Sign &out", self)
        self.sign_out_action.triggered.connect(self.sign_out_requested)
        quit_action = QAction("&Quit", self, shortcut=QKeySequence(QKeySequence.StandardKey.Quit))
        quit_action.triggered.connect(self.close)
        menu = add_menu(self, "&File")
        for action in (self.new_request_action, self.sync_now_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.change_password_action)
        menu.addAction(self.sign_out_action)
        menu.addAction(quit_action)

    def _build_status_bar(self) -> None:
        self.count_label = QLabel()
        self.sync_label = QLabel()
        for label in (self.count_label, self.sync_label):
            label.setContentsMargins(8, 0, 8, 0)
            self.statusBar().addPermanentWidget(label)
        self.sync_status = SyncStatusButton()
        self.sync_status.sign_in_requested.connect(self.sign_in_requested)
        self.sync_status.hide()  # until a sync worker is connected
        self.statusBar().addPermanentWidget(self.sync_status)
        self._update_counts()

    def _connect(self) -> None:
        self.filter_bar.changed.connect(self._apply_filter)
        self.model.modelAboutToBeReset.connect(self._keep_selection)
        self.model.modelReset.connect(self._after_reset)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.activated.connect(self._open_row)  # a double click, or Return
        self.panel.changed.connect(self._conversation_changed)

    # --- what callers and tests use ---------------------------------------------------

    def open_new_request(self) -> RequestForm:
        return self._watch(RequestForm.open_new(self, self._workspace))

    def open_draft(self, conversation_id: str) -> RequestForm:
        return self._watch(RequestForm.open_draft(self, self._workspace, conversation_id))

    def selected_conversation_id(self) -> str | None:
        index = self.table.currentIndex()
        return self.model.conversation_id(index.row()) if index.isValid() else None

    def select_conversation(self, conversation_id: str) -> bool:
        """Select and show ``conversation_id``; False when the filters hide it."""
        row = self.model.row_of(conversation_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.selectionModel().setCurrentIndex(index, flags)
        self.table.scrollTo(index)
        return True

    def where_things_are(self) -> WhereThingsAre:
        """The store's file and folder, the settings file and the hub, as Help shows them."""
        database = self._workspace.store.engine.url.database or ""
        store_file = Path(database).resolve() if database else None
        return WhereThingsAre(
            store_file=str(store_file) if store_file else "In memory (not kept)",
            data_folder=str(store_file.parent) if store_file else "None",
            settings_file=self._settings.fileName() or "The system's settings store",
            hub=self._hub,
        )

    def refresh(self) -> None:
        """Read the list again from the store, keeping the selection where it can."""
        self.model.refresh()
        self._update_counts()

    def show_sync_status(self, status: SyncStatus) -> None:
        """Show a status the sync worker published, with the changes waiting counted now:
        it arrives queued, and a change made here since it was read must not be hidden
        (a reply sent just as a cycle ended showed "Up to date" with the reply unsent)."""
        self.sync_status.show_status(
            replace(status, changes_waiting=self._workspace.changes_waiting())
        )

    def connect_sync(self, worker: SyncWorker) -> None:
        """Show ``worker``'s state and results here (its signals arrive queued)."""
        self._sync = worker
        worker.status_changed.connect(self.show_sync_status)
        worker.synced.connect(self._synced)
        worker.rejected.connect(self.rejections.add)
        self.sync_status.show_status(worker.engine.status())
        self._update_counts()
        self.sync_label.hide()
        self.sync_status.show()

    def sync_now(self) -> None:
        """Ask for a sync cycle now (the worker runs it off this thread)."""
        if self._sync is not None:
            self._sync.request_sync()
        else:
            self.refresh()

    def _synced(self, report: SyncReport) -> None:
        if report.pulled or report.pushed or report.rejected:
            self.refresh()
            self.panel.refresh()

    def _conversation_changed(self, conversation_id: str, message: str) -> None:
        self.refresh()
        if self.selected_conversation_id() != conversation_id:
            self.select_conversation(conversation_id)
        self.statusBar().showMessage(message, 10_000)
        if self._sync is not None:
            self._sync.request_sync()

    # --- reacting ---------------------------------------------------------------------

    def _apply_filter(self) -> None:
        self.model.set_filter(self.filter_bar.conversation_filter())

    def _keep_selection(self) -> None:
        self._kept_id = self.selected_conversation_id()

    def _after_reset(self) -> None:
        if self._kept_id is None or not self.select_conversation(self._kept_id):
            self.panel.show_nothing()
        self._update_counts()

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.panel.show_nothing()
            return
        self.panel.show_conversation(self.model.conversation_id(current.row()))

    def _open_row(self, index: QModelIndex) -> None:
        if self._form is not None and self._form.isVisible():
            return
        if index.isValid() and index.data(STATUS_ROLE) == Status.DRAFT:
            self.open_draft(self.model.conversation_id(index.row()))

    def _watch(self, form: RequestForm) -> RequestForm:
        if self._form is not None:
            self._form.deleteLater()  # the previous form, closed by now (forms are modal)
        self._form = form
        form.request_sent.connect(self._request_sent)
        form.draft_saved.connect(self._draft_saved)
        return form

    def _request_sent(self, sent: Sent, specialty_name: str) -> None:
        self.refresh()
        self.select_conversation(sent.conversation_id)
        self.statusBar().showMessage(
            f"Request sent to {specialty_name}; due {london_time(sent.due_at)}. "
            "It will go to the hub when this computer syncs."
        )
        if self._sync is not None:
            self._sync.request_sync()

    def _draft_saved(self, conversation_id: str) -> None:
        self.refresh()
        self.statusBar().showMessage(
            "Draft saved. Double-click it in the list to carry on writing."
        )

    def _tick(self) -> None:
        self.model.refresh_times()
        self.panel.refresh_clock()
        self._update_counts()

    def _update_counts(self) -> None:
        self.count_label.setText(count_text(self.model.rowCount(), "conversation"))
        scope = self._workspace.user.list_scope()
        self.filter_bar.set_overdue_count(self.model.count_overdue(scope))
        if self._workspace.user.role is Role.GP:
            self.filter_bar.set_gp_actions(self.model.count_gp_actions(scope))
        if self._led_codes:
            led = dataclasses.replace(scope, specialty_codes=self._led_codes)
            self.filter_bar.set_escalated_count(self.model.count_escalated(led))
        waiting = self._workspace.changes_waiting()
        self.sync_label.setText(f"{count_text(waiting, 'change')} waiting to sync")
        self.sync_status.set_changes_waiting(waiting)

    # --- settings ---------------------------------------------------------------------

    def _restore_window(self) -> None:
        geometry = self._settings.value("main_window/geometry")
        if not (isinstance(geometry, QByteArray) and self.restoreGeometry(geometry)):
            room = self.screen().availableGeometry()  # a laptop may have less than we like
            self.resize(min(1480, room.width() * 9 // 10), min(880, room.height() * 9 // 10))
        splitter = self._settings.value("main_window/splitter")
        if not (isinstance(splitter, QByteArray) and self.splitter.restoreState(splitter)):
            self.splitter.setSizes([1080, 400])
        self.table.restore_columns(self._settings.value("main_window/columns"))
        self.table.setSortingEnabled(True)  # sorts by the restored (or default) column

    def closeEvent(self, event: QCloseEvent) -> None:
        self.panel.save_typing()
        if self._form is not None and self._form.isVisible():
            self._form.autosave()  # the app is closing with a request half written
        self._settings.setValue("main_window/geometry", self.saveGeometry())
        self._settings.setValue("main_window/splitter", self.splitter.saveState())
        self._settings.setValue("main_window/columns", self.table.save_columns())
        self.filter_bar.save(self._settings)
        self._settings.sync()
        super().closeEvent(event)
        self.closed.emit()
