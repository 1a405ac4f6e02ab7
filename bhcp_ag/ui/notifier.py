"""Desktop notifications when an answer, a question or a request arrives.

A :class:`Notifier` listens to the sync worker's ``synced(SyncReport)``; after a cycle
that pulled something (and after the first one that worked) it asks
:func:`bhcp_ag.services.arrivals.take_arrivals` what is new for the signed-in user and
tells them: with a system tray notification where the
desktop has a tray, else with a message in the window's status bar. Up to
:data:`~bhcp_ag.services.arrivals.SUMMARY_AFTER` arrivals are listed one a line, more
are counted. A click on the notification emits ``activated(conversation_id)`` (the
newest arrival) for the window to show it. The words name the specialty and what
happened, never the patient.

Once a minute (and after each sync) it also asks :func:`take_overdue` which requests in
the user's scope have gone past their response target since they were last told, so a
late answer is flagged without anyone having to chase it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QMainWindow, QStyle, QSystemTrayIcon

from bhcp_ag.services.arrivals import Arrival, summary, take_arrivals, take_overdue
from bhcp_ag.services.workspace import CurrentUser
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import utcnow
from bhcp_ag.sync.report import SyncReport, SyncState

log = logging.getLogger(__name__)

TITLE = "Advice and Guidance"
NOTIFICATION_MS = 10_000
OVERDUE_CHECK_MS = 60_000
STATUS_MESSAGE_MS = 60_000


class Notifier(QObject):
    """Tells the user of arrivals after each sync; lives on the UI thread with ``window``.

    ``tray_available`` defaults to ``QSystemTrayIcon.isSystemTrayAvailable()``.
    """

    activated = Signal(str)
    """The conversation the user clicked a notification of."""

    def __init__(
        self,
        store: Store,
        user: CurrentUser,
        window: QMainWindow,
        *,
        tray_available: bool | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(window)
        self._store, self._user, self._window = store, user, window
        self._now = now
        self._overdue_timer = QTimer(self)
        self._overdue_timer.timeout.connect(self.check_overdue)
        self._overdue_timer.start(OVERDUE_CHECK_MS)
        self._latest: str | None = None
        self._watching = False
        self.last_text: str | None = None
        if tray_available is None:
            tray_available = QSystemTrayIcon.isSystemTrayAvailable()
        self.tray = self._make_tray() if tray_available else None

    def _make_tray(self) -> QSystemTrayIcon:
        icon = self._window.windowIcon()
        if icon.isNull():
            icon = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)
        tray = QSystemTrayIcon(icon, self)
        tray.setToolTip(TITLE)
        tray.messageClicked.connect(self._clicked)
        tray.activated.connect(self._tray_clicked)
        tray.show()
        return tray

    @Slot(object)
    def on_synced(self, report: SyncReport) -> None:
        """After a cycle that brought something, tell the user what is theirs.

        The first successful cycle is always looked at, even when it brought nothing, so
        that what the store holds by then is history and what comes after it is news.
        """
        first = not self._watching and report.state is SyncState.SYNCED
        if report.pulled <= 0 and not first:
            return
        self._watching = True
        try:
            arrivals = take_arrivals(self._store, self._user)
        except Exception as error:  # a notification is never worth a crash; no data logged
            log.error("Could not look for arrivals: %s", type(error).__name__)
            return
        self.notify(arrivals)
        self.check_overdue()

    @Slot()
    def check_overdue(self) -> None:
        """Tell the user of requests that went past their response target since last time."""
        try:
            overdue = take_overdue(self._store, self._user, self._now())
        except Exception as error:  # as above: never worth a crash
            log.error("Could not look for overdue requests: %s", type(error).__name__)
            return
        self.notify(overdue)

    def notify(self, arrivals: Sequence[Arrival]) -> None:
        """Show one notification for ``arrivals`` (nothing when there are none)."""
        if not arrivals:
            return
        self._latest = arrivals[0].conversation_id
        text = summary(arrivals)
        self.last_text = text
        if self.tray is not None:
            self.tray.showMessage(
                TITLE, text, QSystemTrayIcon.MessageIcon.Information, NOTIFICATION_MS
            )
        else:
            self._window.statusBar().showMessage(text.replace("\n", "; "), STATUS_MESSAGE_MS)
        QApplication.alert(self._window)  # the taskbar entry asks for attention

    @Slot()
    def _clicked(self) -> None:
        if self._latest is not None:
            self.activated.emit(self._latest)

    @Slot(QSystemTrayIcon.ActivationReason)
    def _tray_clicked(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self._window.showNormal()
            self._window.raise_()
            self._window.activateWindow()

    def close(self) -> None:
        """Take the tray icon away (the window is closing)."""
        self._overdue_timer.stop()
        if self.tray is not None:
            self.tray.hide()
