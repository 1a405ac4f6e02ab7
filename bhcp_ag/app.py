"""The composition root: builds the store, the hub connection, sync and windows, and runs Qt.

The one place where concrete objects are made and wired together; nothing else creates
an engine, an HTTP client, a token store or a Qt application.

Start-up: open (and migrate) the local store with the Bay's reference data; find the
hub (``--hub``, ``BHCP_AG_HUB_URL``, or the ``hub/url`` setting), or else start the
:class:`~bhcp_ag.embedded_hub.EmbeddedHub` with its demo accounts on loopback; skip the
sign-in dialog when the token kept for the remembered username still holds; open the main
window of the signed-in user and start the sync worker, which brings their
conversations. At exit the sync worker, the hub connection and the embedded hub stop.

The sign-in dialog may be given another hub's address: the session then opens a
:class:`HubConnection` to it, and after a successful sign-in syncs with that hub from
then on (a new sync worker; the previous connection, and a demo hub, close) and keeps
the address in the ``hub/url`` setting for the next start. Each window gets a
:class:`~bhcp_ag.ui.notifier.Notifier` that tells of arrivals after each sync; a click
on a notification shows that conversation.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.paths import data_dir, default_store_path
from bhcp_ag.services.workspace import (
    UnknownUser,
    Workspace,
    remembered_username,
    resume_session,
)
from bhcp_ag.store.db import Store, StoreTooNew
from bhcp_ag.sync.client import HubClient
from bhcp_ag.sync.credentials import TokenStore
from bhcp_ag.sync.engine import SyncEngine
from bhcp_ag.sync.wire import SessionInfo

if TYPE_CHECKING:  # Qt and the hub are imported when the window is wanted (see cli.py)
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from bhcp_ag.embedded_hub import EmbeddedHub
    from bhcp_ag.ui.main_window import MainWindow
    from bhcp_ag.ui.notifier import Notifier
    from bhcp_ag.ui.sign_in import SignedIn
    from bhcp_ag.ui.sync_worker import SyncWorker, TaskRunner

log = logging.getLogger(__name__)

HUB_URL_ENV = "BHCP_AG_HUB_URL"
HUB_URL_KEY = "hub/url"
EMBEDDED_PORT_KEY = "hub/embedded_port"
DESK_SETTINGS_FILE = "settings.ini"


def open_store_with_reference(path: Path, catalogue: SpecialtyCatalogue | None = None) -> Store:
    """Open (and migrate) the store, making sure the Bay's reference data is in it."""
    from bhcp_ag.store.reference import seed_reference_data_once

    store = Store.open(path)
    with store.session() as session:
        catalogue = catalogue or SpecialtyCatalogue.load()
        seed_reference_data_once(session, Organisation.load(), catalogue)
    return store


def desk_settings(store_path: Path) -> QSettings:
    """The remembered hub, window layout and report choices of the store at ``store_path``.

    They are kept in ``settings.ini`` beside the store, not per operating-system user: a
    second copy of the app with a data folder of its own must not connect to the hub the
    first was given, and one store must never sync with two hubs. The one install whose
    folder is the user's default takes over, once, what earlier versions kept per user.
    """
    from PySide6.QtCore import QSettings

    path = store_path.parent / DESK_SETTINGS_FILE
    settings = QSettings(str(path), QSettings.Format.IniFormat)
    overridden = any(os.environ.get(name) for name in ("BHCP_AG_DATA_DIR", "BHCP_AG_STORE"))
    if not path.exists() and not overridden and store_path == default_store_path():
        earlier = QSettings()
        for key in earlier.allKeys():
            settings.setValue(key, earlier.value(key))
        settings.sync()
    return settings


def configured_hub_url(given: str | None, settings: QSettings) -> str | None:
    """The hub to use: ``--hub``, then ``BHCP_AG_HUB_URL``, then the ``hub/url`` setting."""
    url = given or os.environ.get(HUB_URL_ENV) or settings.value(HUB_URL_KEY) or ""
    return str(url).strip() or None


@dataclass
class HubConnection:
    """The hub (maybe embedded here) and the client objects that talk to it."""

    url: str
    engine: SyncEngine
    embedded: EmbeddedHub | None = None
    _closers: list[Callable[[], None]] = field(default_factory=list)

    @classmethod
    def open(
        cls,
        store: Store,
        url: str,
        embedded: EmbeddedHub | None = None,
        *,
        tokens: TokenStore | None = None,
    ) -> HubConnection:
        """Client, token store (the keyring's, unless given) and sync engine for ``url``."""
        tokens = tokens or TokenStore(url)
        client = HubClient(url, credentials=tokens)
        engine = SyncEngine(store, client, tokens)
        return cls(url, engine, embedded, [client.close, tokens.close])

    def close(self) -> None:
        for close in self._closers:
            close()
        if self.embedded is not None:
            self.embedded.stop()


def _same_server(url: str, other: str) -> bool:
    """The same server on this computer ("localhost" or 127.0.0.1) and port."""
    a, b = urlsplit(url), urlsplit(other)
    loopback = {"localhost", "127.0.0.1", "::1"}
    same_host = a.hostname == b.hostname or {a.hostname, b.hostname} <= loopback
    return same_host and a.port == b.port and a.scheme == b.scheme


class HubStartFailed(RuntimeError):
    """The embedded demo hub could not start (its message says why, for the person)."""


def connect_hub(store: Store, given_url: str | None, settings: QSettings) -> HubConnection:
    """A connection to the configured hub, or to an embedded demo hub started now.

    The hub's own code (FastAPI, uvicorn, the hub's models) is imported only for the
    embedded hub: a desk given a hub's address starts without it (``bench_cold_start``).
    """
    url = configured_hub_url(given_url, settings)
    if url is not None:
        return HubConnection.open(store, url)
    from bhcp_ag.embedded_hub import EmbeddedHub, EmbeddedHubFailed
    from bhcp_ag.hub.db import HubDatabaseTooNew

    port = int(settings.value(EMBEDDED_PORT_KEY) or 0)
    try:
        hub = EmbeddedHub.start(data_dir(), port=port)
    except (EmbeddedHubFailed, HubDatabaseTooNew) as error:
        raise HubStartFailed(str(error)) from error
    settings.setValue(EMBEDDED_PORT_KEY, hub.port)  # same address next time: token, cursor
    try:
        return HubConnection.open(store, hub.url, hub)
    except BaseException:
        hub.stop()
        raise


ConnectHub = Callable[[str], HubConnection]
"""Opens a connection to the hub at an address (client, token store, engine)."""


class DesktopSession:
    """Who is signed in, their main window and the sync worker; signs in and out.

    Lives on the UI thread; network and keyring calls go to the task runner.
    ``connect`` opens a connection to another hub when the user types its address in
    the sign-in dialog (default: :meth:`HubConnection.open` on the same store).
    """

    def __init__(
        self,
        store: Store,
        hub: HubConnection,
        *,
        settings: QSettings | None = None,
        username_hint: str | None = None,
        tasks: TaskRunner | None = None,
        connect: ConnectHub | None = None,
    ) -> None:
        from PySide6.QtCore import QSettings

        from bhcp_ag.ui.sync_worker import TaskRunner

        self.store, self.hub = store, hub
        self.settings = settings if settings is not None else QSettings()
        self.tasks = tasks or TaskRunner()
        self.catalogue, self.targets = SpecialtyCatalogue.load(), ResponseTargets.load()
        self.organisation = Organisation.load()
        self._connect = connect or (lambda url: HubConnection.open(store, url))
        self.worker = self._new_worker()
        self.window: MainWindow | None = None
        self.notifier: Notifier | None = None
        self._username_hint = username_hint
        self._replacing = False
        self._worker_started = False
        self.cancelled = False

    # --- off the UI thread, waiting without freezing ------------------------------------

    def wait_for(self, call: Callable[[], Any]) -> Any:
        """Run ``call`` on the task runner; keep Qt's events flowing until it returns."""
        from PySide6.QtCore import QEventLoop

        outcome: dict[str, Any] = {}
        loop = QEventLoop()

        def done(key: str, value: Any) -> None:
            outcome[key] = value
            loop.quit()

        self.tasks.run(call, lambda r: done("result", r), lambda e: done("error", e))
        if not outcome:
            loop.exec()
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("result")

    # --- signing in -----------------------------------------------------------------------

    def sign_in_and_open(self) -> bool:
        """Resume the kept sign-in or ask for one, then open the window; False if cancelled."""
        username = self._resume_or_ask()
        if username is None:
            return False
        self.open_window(username)
        return True

    def _resume_or_ask(self) -> str | None:
        remembered = self._username_hint or remembered_username(self.store)
        engine = self.hub.engine
        if remembered and self.wait_for(lambda: resume_session(engine, remembered)):
            log.info("Signed in with the kept token")
            return remembered
        if self.cancelled:
            return None
        info = self.ask(None, remembered)
        return info.user.username if info is not None else None

    def ask(
        self, parent: MainWindow | None, remembered: str | None, reason: str | None = None
    ) -> SessionInfo | None:
        """The sign-in dialog; a sign-in at another hub moves the session to that hub."""
        from bhcp_ag.ui.sign_in import SignInDialog

        opened: dict[str, HubConnection] = {}

        def engine_for(url: str) -> SyncEngine:
            if url not in opened:
                opened[url] = self._connect(url)
            return opened[url].engine

        try:
            signed_in = SignInDialog.ask(
                parent,
                hub_url=self.hub.url,
                engine=self.hub.engine,
                remembered_username=remembered,
                embedded=self.hub.embedded is not None,
                tasks=self.tasks,
                engine_for=engine_for,
                reason=reason,
            )
            if signed_in is not None and signed_in.engine is not self.hub.engine:
                self._move_to(opened.pop(signed_in.hub_url))
        finally:
            for unused in opened.values():  # addresses tried and left
                unused.close()
        if signed_in is None:
            return None
        self._remember_hub(signed_in)
        return signed_in.info

    def _remember_hub(self, signed_in: SignedIn) -> None:
        """A hub signed in to is the one to use next time (the demo hub is the default)."""
        if self.hub.embedded is None:
            self.settings.setValue(HUB_URL_KEY, signed_in.hub_url)
            self.settings.sync()

    def _move_to(self, hub: HubConnection) -> None:
        """Sync with ``hub`` from now on: a new worker; the old connection (and hub) close."""
        log.info("Signed in at another hub; syncing with it from now on")
        self._close_window()
        self.worker.stop()
        previous, self.hub = self.hub, hub
        if previous.embedded is not None and _same_server(hub.url, previous.embedded.url):
            hub.embedded, previous.embedded = previous.embedded, None  # it keeps running
        self.worker = self._new_worker()
        self._worker_started = False
        previous.close()

    def _new_worker(self) -> SyncWorker:
        from bhcp_ag.ui.sync_worker import SyncWorker

        return SyncWorker(self.hub.engine)

    def open_window(self, username: str) -> MainWindow:
        """The main window of ``username`` (known to the store since they signed in)."""
        from bhcp_ag.ui.main_window import MainWindow
        from bhcp_ag.ui.reports import add_reports_action

        workspace = Workspace.open(self.store, username, self.catalogue, self.targets)
        window = MainWindow(
            workspace,
            settings=self.settings,
            hub_url=self.hub.url,
            demo_hub=self.hub.embedded is not None,
        )
        add_reports_action(window, workspace, self.organisation, settings=self.settings)
        window.connect_sync(self.worker)
        window.sign_out_requested.connect(self.sign_out)
        window.sign_in_requested.connect(self.sign_in_again)
        window.change_password_requested.connect(self.change_password)
        window.closed.connect(self._window_closed)
        self.window = window
        self._notify_arrivals(window, workspace)
        window.show()
        if self._worker_started:
            self.worker.request_sync()
        else:
            self._worker_started = True
            self.worker.start()  # its first cycle brings the user's conversations
        return window

    def _notify_arrivals(self, window: MainWindow, workspace: Workspace) -> None:
        """After each sync, tell the user what arrived; a click shows the conversation."""
        from bhcp_ag.ui.notifier import Notifier

        notifier = Notifier(self.store, workspace.user, window)  # deleted with the window
        self.worker.synced.connect(notifier.on_synced)
        notifier.activated.connect(self.show_conversation)
        self.notifier = notifier

    def show_conversation(self, conversation_id: str) -> None:
        """Bring the window forward with ``conversation_id`` selected (a notification's)."""
        window = self.window
        if window is None:
            return
        window.showNormal()
        window.raise_()
        window.activateWindow()
        if not window.select_conversation(conversation_id):
            window.statusBar().showMessage(
                "That conversation is hidden by the filters above the list; clear them to see it."
            )

    def _window_closed(self) -> None:
        """The user closing the main window ends the app (unless it is being replaced)."""
        from PySide6.QtWidgets import QApplication

        if not self._replacing:
            QApplication.quit()

    def _close_window(self) -> None:
        window, self.window = self.window, None
        notifier, self.notifier = self.notifier, None
        if notifier is not None:
            self.worker.synced.disconnect(notifier.on_synced)
            notifier.close()
        if window is not None:
            self._replacing = True
            window.close()
            window.deleteLater()
            self._replacing = False

    def sign_out(self) -> None:
        """Forget the token here and at the hub, then ask again (or end the app)."""
        if self.window is not None:
            self.window.setEnabled(False)
        self.wait_for(self.hub.engine.sign_out)
        self._close_window()
        if not self.sign_in_and_open():
            from PySide6.QtWidgets import QApplication

            QApplication.quit()

    def sign_in_again(self) -> None:
        """Signed out by the hub (token expired, ended after a time unused, revoked, account
        deactivated): sign in, told why; the same user keeps their window and what they
        typed in it, another user gets their own window."""
        username = remembered_username(self.store)
        reason = self.window.sync_status.status.message if self.window is not None else None
        info = self.ask(self.window, username, reason or None)
        if info is None:
            return
        if info.user.username == username and self.window is not None:
            self.worker.request_sync()
            return
        if self.window is None:  # signed in at another hub: that window was closed
            self.open_window(info.user.username)
            return
        log.info("Another user signed in; opening their window")
        self._close_window()
        self.open_window(info.user.username)

    def change_password(self) -> None:
        """File → Change password…: at the hub, for the signed-in user."""
        from bhcp_ag.ui.change_password import ChangePasswordDialog

        ChangePasswordDialog.ask(self.window, engine=self.hub.engine, tasks=self.tasks)

    def shutdown(self) -> None:
        """Stop syncing and close the window; the caller closes the hub and the store."""
        self.worker.stop()
        self.tasks.wait()
        self._close_window()


def _application() -> QApplication:
    """The Qt application: crisp on high-DPI screens, themed like the system."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from bhcp_ag.ui.formatting import APP_DISPLAY_NAME
    from bhcp_ag.ui.theme import apply_theme

    existing = QApplication.instance()
    if existing is None:
        # Qt 6 scales by the screen's factor; 125% or 150% stays so, not rounded to 1 or 2.
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    apply_theme(app)  # the theme object lives as the application's child
    app.setApplicationName("bhcp-ag")
    app.setOrganizationName("Bay Health and Care Partners")
    app.setApplicationDisplayName(APP_DISPLAY_NAME)
    app.setQuitOnLastWindowClosed(False)  # the session decides: sign-out closes a window
    return app


def _quit_on_signals(app: QApplication, session: DesktopSession) -> QTimer:
    """Ctrl+C and SIGTERM end the app cleanly (hub and sync stopped) instead of killing it."""
    from PySide6.QtCore import QTimer

    def stop(_signal: int, _frame: object) -> None:
        log.info("Asked to stop; closing")
        session.cancelled = True
        app.closeAllWindows()  # a sign-in dialog too: it answers "cancelled"
        app.exit(0)  # every running event loop, even before the main one started

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    wake = QTimer()  # lets Python run its signal handlers while Qt waits
    wake.start(250)
    wake.timeout.connect(lambda: None)
    return wake


def run_app(store_path: Path, *, hub_url: str | None = None, username: str | None = None) -> int:
    """Open the desktop app on the store at ``store_path``; returns the exit status."""
    from PySide6.QtWidgets import QMessageBox

    app = _application()
    settings = desk_settings(store_path)
    try:
        store = open_store_with_reference(store_path)
    except StoreTooNew as error:
        QMessageBox.critical(None, "Advice and Guidance cannot start", str(error))
        return 1
    try:
        hub = connect_hub(store, hub_url, settings)
    except (HubStartFailed, ValueError) as error:
        QMessageBox.critical(None, "Advice and Guidance cannot reach a hub", str(error))
        store.close()
        return 1
    session = DesktopSession(store, hub, settings=settings, username_hint=username)
    wake = _quit_on_signals(app, session)
    try:
        status = int(app.exec()) if session.sign_in_and_open() and not session.cancelled else 0
    except UnknownUser as error:
        QMessageBox.critical(None, "Advice and Guidance cannot start", str(error))
        status = 1
    finally:
        wake.stop()
        session.shutdown()
        session.hub.close()  # the hub signed in to last, maybe not the one started with
        store.close()
    log.info("Advice and Guidance closed")
    return status
