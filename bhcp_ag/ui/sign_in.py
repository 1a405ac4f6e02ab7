"""The sign-in dialog: hub address, username and password; signs in off the UI thread.

Open it with :meth:`SignInDialog.ask`, which returns the
:class:`~bhcp_ag.sync.wire.SessionInfo` of a successful sign-in, or None when the user
cancels. The call to the hub (network, then the keyring) runs on the
:class:`~bhcp_ag.ui.sync_worker.TaskRunner`; while it runs the Sign in button is
disabled and a busy bar shows. Problems are shown inside the dialog in words a
clinician understands (:func:`sign_in_problem`), the username is kept, and when the
token could not be kept in a keyring the dialog says so before it closes.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bhcp_ag.sync.engine import SyncEngine
from bhcp_ag.sync.errors import (
    HubCertificateRefused,
    HubError,
    HubProblem,
    HubRefusedVersion,
    HubUnreachable,
    ProtocolMismatch,
    SignedOut,
)
from bhcp_ag.sync.wire import SessionInfo
from bhcp_ag.ui.form_fields import PROBLEM_COLOUR
from bhcp_ag.ui.sync_worker import TaskRunner

log = logging.getLogger(__name__)

EMBEDDED_NOTE = "Demo hub on this computer"
CONFIGURED_NOTE = "Set with --hub, BHCP_AG_HUB_URL or the hub/url setting"
DEMO_ACCOUNTS = (
    "Demo accounts: demo.gp, demo.specialist, demo.manager and demo.admin; "
    "password demo-password-2026."
)
WRONG_PASSWORD = "The username or password is not right. Check both and try again."
HUB_TROUBLE = "The hub has a problem just now. Try again in a few minutes."
UNEXPECTED = "Signing in did not work. Try again; if it keeps happening, call the IT service desk."


def sign_in_problem(error: Exception, hub_url: str) -> str:
    """What went wrong signing in, and what to do next, for the dialog to show."""
    if isinstance(error, HubCertificateRefused):
        return error.detail
    if isinstance(error, HubUnreachable):
        return f"Can't reach the hub at {hub_url}; check the network or try again."
    if isinstance(error, SignedOut):
        return error.detail or WRONG_PASSWORD
    if isinstance(error, HubRefusedVersion):
        return f"Update needed: {error.detail}"
    if isinstance(error, HubError):
        # 429 (throttled, with the wait), 403 (account disabled) carry readable words.
        return error.detail if error.status < 500 and error.detail else HUB_TROUBLE
    if isinstance(error, ProtocolMismatch):
        return (
            f"The answer from {hub_url} was not understood. Check that this is the hub's "
            "address, or call the IT service desk."
        )
    if isinstance(error, HubProblem):
        return error.detail
    log.error("Sign-in failed: %s", type(error).__name__)  # never the text: it may quote data
    return UNEXPECTED


class SignInDialog(QDialog):
    """Asks for a username and password and signs in at the hub behind ``engine``."""

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        *,
        hub_url: str,
        engine: SyncEngine,
        remembered_username: str | None,
        embedded: bool = False,
        tasks: TaskRunner | None = None,
    ) -> SessionInfo | None:
        """Show the dialog until the user signs in (the session) or cancels (None)."""
        dialog = cls(
            parent,
            hub_url=hub_url,
            engine=engine,
            remembered_username=remembered_username,
            embedded=embedded,
            tasks=tasks,
        )
        dialog.exec()
        session = dialog.session
        dialog.deleteLater()
        return session

    def __init__(
        self,
        parent: QWidget | None,
        *,
        hub_url: str,
        engine: SyncEngine,
        remembered_username: str | None,
        embedded: bool = False,
        tasks: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.hub_url = hub_url
        self.engine = engine
        self.session: SessionInfo | None = None
        self._tasks = tasks or TaskRunner()
        self._attempt = 0
        self._busy = False
        self.setWindowTitle("Sign in — Advice and Guidance")
        self.setAccessibleName("Sign in to the hub")
        self._build(embedded)
        self.username.setText(remembered_username or "")

    # --- building -----------------------------------------------------------------------

    def _build(self, embedded: bool) -> None:
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.hub = self._line("Hub address", self.hub_url)
        self.hub.setReadOnly(True)
        self.hub_note = self._note(EMBEDDED_NOTE if embedded else CONFIGURED_NOTE, "Hub note")
        self.username = self._line("Username")
        self.password = self._line("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("&Hub", self.hub)
        form.addRow("", self.hub_note)
        form.addRow("&Username", self.username)
        form.addRow("&Password", self.password)
        layout.addLayout(form)
        if embedded:
            layout.addWidget(self._note(DEMO_ACCOUNTS, "Demo accounts"))
        self.message = self._note("", "Sign-in problem")
        self.message.setStyleSheet(f"color: {PROBLEM_COLOUR};")
        self.message.hide()
        self.keyring_note = self._note("", "Keyring note")
        self.keyring_note.hide()
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # no known end: a moving bar
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName("Signing in")
        self.busy.hide()
        for widget in (self.message, self.keyring_note, self.busy):
            layout.addWidget(widget)
        layout.addWidget(self._buttons())
        self.setMinimumWidth(440)

    def _line(self, name: str, text: str = "") -> QLineEdit:
        edit = QLineEdit(text)
        edit.setAccessibleName(name)
        return edit

    def _note(self, text: str, name: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setAccessibleName(name)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _buttons(self) -> QDialogButtonBox:
        box = QDialogButtonBox()
        self.sign_in_button = QPushButton("&Sign in")
        self.sign_in_button.setAccessibleName("Sign in")
        self.sign_in_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel")
        box.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        box.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.sign_in_button.clicked.connect(self._sign_in_clicked)
        self.cancel_button.clicked.connect(self.reject)
        return box

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        (self.password if self.username.text() else self.username).setFocus()

    # --- signing in ---------------------------------------------------------------------

    @property
    def signing_in(self) -> bool:
        return self._busy

    def _sign_in_clicked(self) -> None:
        if self.session is not None:  # the keyring note was shown: "Continue"
            self.accept()
            return
        username, password = self.username.text().strip(), self.password.text()
        if not username or not password:
            missing = "your username" if not username else "your password"
            self._say(f"Type {missing} to sign in.")
            (self.password if username else self.username).setFocus()
            return
        self._set_busy(True)
        self._attempt += 1
        attempt, engine = self._attempt, self.engine
        self._tasks.run(
            lambda: engine.sign_in(username, password),
            lambda info: self._signed_in(attempt, info),
            lambda error: self._failed(attempt, error),
        )

    def _signed_in(self, attempt: int, info: SessionInfo) -> None:
        if attempt != self._attempt:
            return  # cancelled while the hub answered
        self._set_busy(False)
        self.session = info
        credentials = self.engine.credentials
        if credentials is not None and not credentials.persistent:
            self.message.hide()
            self.keyring_note.setText(credentials.message or "")
            self.keyring_note.show()
            self.sign_in_button.setText("&Continue")
            self.sign_in_button.setAccessibleName("Continue")
            self.sign_in_button.setFocus()
            return
        self.accept()

    def _failed(self, attempt: int, error: Exception) -> None:
        if attempt != self._attempt:
            return
        self._set_busy(False)
        self._say(sign_in_problem(error, self.hub_url))
        self.password.clear()
        self.password.setFocus()

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy.setVisible(busy)
        self.sign_in_button.setEnabled(not busy)
        self.username.setEnabled(not busy)
        self.password.setEnabled(not busy)
        if busy:
            self.message.hide()

    def reject(self) -> None:
        self._attempt += 1  # an answer still on its way is ignored
        super().reject()
