"""The Reports view (issue 5): figures, charts, drill-down and export, in the user's scope.

:func:`add_reports_action` puts "View → Reports…" (Ctrl+Shift+R) on a main window's menu
bar; the composition root (or ``MainWindow``) calls it once. The window itself is
:class:`~bhcp_ag.ui.reports.window.ReportsWindow`, opened with
:meth:`~bhcp_ag.ui.reports.window.ReportsWindow.open_for`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow

from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.services.reports import REPORTING_ROLES
from bhcp_ag.services.workspace import Workspace
from bhcp_ag.store.models import utcnow
from bhcp_ag.ui.menus import menu_named
from bhcp_ag.ui.reports.window import ReportsWindow

__all__ = ["ReportsWindow", "add_reports_action"]


def add_reports_action(
    window: QMainWindow,
    workspace: Workspace,
    organisation: Organisation,
    now: Callable[[], datetime] = utcnow,
    settings: QSettings | None = None,
) -> QAction:
    """Add "Reports…" (Ctrl+Shift+R) to ``window``'s View menu and return the action.

    Enabled for the roles that have a report scope (practice managers, GPs, specialists
    and administrators). One Reports window is kept per main window: the action shows it
    again (run afresh) rather than opening another. A conversation opened from a
    drill-down is selected in ``window`` when it has ``select_conversation``; the Reports
    window closes with ``window`` when that has a ``closed`` signal (so its choices are
    kept). Choices are kept in ``settings`` (the application's own when None).
    """
    action = QAction("&Reports…", window)
    action.setShortcut(QKeySequence("Ctrl+Shift+R"))
    action.setToolTip("Figures, charts and savings for your practice, specialties or the Bay")
    action.setEnabled(workspace.user.role in REPORTING_ROLES)
    opened: list[ReportsWindow] = []

    def open_reports() -> None:
        if opened:
            opened[0].show()
            opened[0].raise_()
            opened[0].activateWindow()
            return
        reports = ReportsWindow.open_for(window, workspace, organisation, now, settings)
        select = getattr(window, "select_conversation", None)
        if callable(select):
            reports.conversation_requested.connect(select)
        closed = getattr(window, "closed", None)
        if closed is not None:
            closed.connect(reports.close)
        opened.append(reports)

    action.triggered.connect(open_reports)
    menu_named(window, "&View").addAction(action)
    return action
