"""The sign-in dialog: hub address, username and password; signs in off the UI thread.

Open it with :meth:`SignInDialog.ask`, which returns a :class:`SignedIn` (the session,
and the hub and engine it was made with) or None when the user cancels. The call to the
hub (network, then the keyring) runs on the
:class:`~bhcp_ag.ui.sync_worker.TaskRunner`; while it runs the Sign in button is
disabled and a busy bar shows. Problems are shown inside the dialog in words a
clinician understands (:func:`sign_in_problem`), the username is kept, and when the
token could not be kept in a keyring the dialog says so before it closes.

The hub's address is filled in with the current hub (the demo hub on this computer is
said to be one). Given ``engine_for`` (the composition root's way to reach another hub)
the address can be changed: it is checked first (:func:`hub_address`: https, or plain
http to this computer only), then signing in goes to that hub.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

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
from bhcp_ag.ui.dialogs import action_buttons, grow_to_fit
from bhcp_ag.ui.sync_worker import TaskRunner
from bhcp_ag.ui.theme import colours

log = logging.getLogger(__name__)

EMBEDDED_NOTE = (
    "This is the demo hub on this computer, with made-up patients. To use your "
    "organisation's hub, type its address."
)
CONFIGURED_NOTE = "Your organisation's hub. Your IT service desk can tell you its address."
FIXED_NOTE = "Set with --hub, BHCP_AG_HUB_URL or the hub/url setting"
DEMO_ACCOUNTS = (
    "Demo accounts: demo.gp, demo.specialist, demo.manager and demo.admin; "
    "password demo-password-2026."
)
WRONG_PASSWORD = "The username or password is not right. Check both and try again."
HUB_TROUBLE = "The hub has a problem just now. Try again in a few minutes."
UNEXPECTED = "Signing in did not work. Try again; if it keeps happening, call the IT service desk."


NO_ADDRESS = "Type the hub's address, for example https://hub.example.nhs.uk."
NOT_WEB_ADDRESS = (
    "The hub's address must start with https://, for example https://hub.example.nhs.uk."
)
PLAIN_HTTP = (
    "Plain http:// is allowed only for a hub on this computer. Use the hub's https:// "
    "address; your IT service desk can tell you it."
)


class HubAddressRefused(ValueError):
    """A hub address that cannot be used; the message says why, in words."""


@dataclass(frozen=True)
class SignedIn:
    """A successful sign-in: the session, and the hub and engine it was made with."""

    info: SessionInfo
    hub_url: str
    engine: SyncEngine


def _is_this_computer(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def hub_address(text: str) -> str:
    """The hub address typed, tidied (``https://`` assumed); :class:`HubAddressRefused`."""
    address = text.strip()
    if not address:
        raise HubAddressRefused(NO_ADDRESS)
    if "://" not in address:
        address = "https://" + address
    try:
        parts = urlsplit(address)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        raise HubAddressRefused(NOT_WEB_ADDRESS) from None
    if parts.scheme not in ("http", "https") or not host or any(c.isspace() for c in address):
        raise HubAddressRefused(NOT_WEB_ADDRESS)
    if parts.scheme == "http" and not _is_this_computer(host):
        raise HubAddressRefused(PLAIN_HTTP)
    return address.rstrip("/")


def sign_in_problem(error: Exception, hub_url: str) -> str:
    """What went wrong signing in, and what to do next, for the dialog to show."""
    if isinstance(error, HubCertificateRefused):
        return (
            f"The hub at {hub_url} could not prove who it is (its certificate was not "
            "accepted), so your password was not sent. Check the address; if it is right, "
            "call the IT service desk."
        )
    if isinstance(error, HubUnreachable):
        return (
            f"Can't reach the hub at {hub_url}. Check the address and your network "
            "connection, then try again."
        )
    if isinstance(error, SignedOut):
        return error.detail or WRONG_PASSWORD
    if isinstance(error, HubRefusedVersion):
        return f"Update needed: {error.detail}"
    if isinstance(error, HubError) and error.status in (404, 405):
        return f"There is no hub at {hub_url}. Check the address, or call the IT service desk."
    if isinstance(error, HubError):
        # 429 (throttled, with the wait), 403 (account disabled) carry readable words.
        return error.detail if error.status < 500 and error.detail else HUB_TROUBLE
    if isinstance(error, ProtocolMismatch):
        return (
            f"The answer from {hub_url} was not understood. Check that this is the hub's "
            "address, or call the IT service desk."
        )
    if isinstance(error, HubAddressRefused):
        return str(error)
    if isinstance(error, HubProblem):
        return error.detail
    log.error("Sign-in failed: %s", type(error).__name__)  # never the text: it may quote data
    return UNEXPECTED


EngineFor = Callable[[str], SyncEngine]
"""The composition root's engine for another hub's address (it keeps and closes them)."""


class SignInDialog(QDialog):
    """Asks for the hub, a username and a password, and signs in at that hub."""

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
        engine_for: EngineFor | None = None,
        reason: str | None = None,
    ) -> SignedIn | None:
        """Show the dialog until the user signs in or cancels (None).

        ``engine`` signs in at ``hub_url``; with ``engine_for`` the user may change the
        address, and ``engine_for(address)`` gives the engine for the one they typed.
        ``reason`` says why the user is asked again (the hub's words: the sign-in ended
        after a time without use, the account was deactivated).
        """
        dialog = cls(
            parent,
            hub_url=hub_url,
            engine=engine,
            remembered_username=remembered_username,
            embedded=embedded,
            tasks=tasks,
            engine_for=engine_for,
            reason=reason,
        )
        dialog.exec()
        session = dialog.session
        signed_in = None if session is None else SignedIn(session, dialog.hub_url, dialog.engine)
        dialog.deleteLater()
        return signed_in

    def __init__(
        self,
        parent: QWidget | None,
        *,
        hub_url: str,
        engine: SyncEngine,
        remembered_username: str | None,
        embedded: bool = False,
        tasks: TaskRunner | None = None,
        engine_for: EngineFor | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.hub_url = hub_url
        self.engine = engine
        self.session: SessionInfo | None = None
        self._engine_for = engine_for
        self._embedded_url = hub_url if embedded else None
        self._tasks = tasks or TaskRunner()
        self._attempt = 0
        self._busy = False
        self.setWindowTitle("Sign in — Advice and Guidance")
        self.setAccessibleName("Sign in to the hub")
        self._build()
        self.username.setText(remembered_username or "")
        self._hub_edited(self.hub.text())
        if reason:
            self._say(reason)

    # --- building -----------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.hub = self._line("Hub address", self.hub_url)
        self.hub.setReadOnly(self._engine_for is None)
        self.hub.setPlaceholderText("https://hub.example.nhs.uk")
        self.hub.textEdited.connect(self._hub_edited)
        self.hub_note = self._note("", "About the hub")
        self.username = self._line("Username")
        self.password = self._line("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("&Hub", self.hub)
        form.addRow("", self.hub_note)
        form.addRow("&Username", self.username)
        form.addRow("&Password", self.password)
        layout.addLayout(form)
        self.demo_accounts = self._note(DEMO_ACCOUNTS, "Demo accounts")
        layout.addWidget(self.demo_accounts)
        self.message = self._note("", "Sign-in problem")
        self.message.setStyleSheet(f"color: {colours().problem.name()};")  # light or dark
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
        self.setMinimumWidth(460)

    def _hub_edited(self, text: str) -> None:
        """Say which hub the address is; the demo accounts only for the demo hub."""
        demo = self._embedded_url is not None and text.strip().rstrip("/") == self._embedded_url
        if demo:
            note = EMBEDDED_NOTE
        else:
            note = CONFIGURED_NOTE if self._engine_for is not None else FIXED_NOTE
        self.hub_note.setText(note)
        self.demo_accounts.setVisible(demo)

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
        self.sign_in_button = QPushButton("&Sign in")
        self.sign_in_button.setAccessibleName("Sign in")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel")
        box = action_buttons(self.sign_in_button, self.cancel_button)
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
        target = self._target()
        if target is None:
            return
        url, engine = target
        if not username or not password:
            missing = "your username" if not username else "your password"
            self._say(f"Type {missing} to sign in.")
            (self.password if username else self.username).setFocus()
            return
        self._set_busy(True)
        self._attempt += 1
        attempt = self._attempt
        self._tasks.run(
            lambda: engine.sign_in(username, password),
            lambda info: self._signed_in(attempt, info, url, engine),
            lambda error: self._failed(attempt, error, url),
        )

    def _target(self) -> tuple[str, SyncEngine] | None:
        """The hub address typed and its engine; None (and a message) when it can't be used."""
        if self._engine_for is None:
            return self.hub_url, self.engine
        try:
            url = hub_address(self.hub.text())
            if url == self.hub_url.rstrip("/"):
                return self.hub_url, self.engine
            return url, self._engine_for(url)
        except ValueError as error:  # HubAddressRefused, or the client's own refusal
            self._say(str(error) if isinstance(error, HubAddressRefused) else NOT_WEB_ADDRESS)
            self.hub.setFocus()
            self.hub.selectAll()
            return None

    def _signed_in(self, attempt: int, info: SessionInfo, url: str, engine: SyncEngine) -> None:
        if attempt != self._attempt:
            return  # cancelled while the hub answered
        self._set_busy(False)
        self.session, self.hub_url, self.engine = info, url, engine
        self.hub.setText(url)
        credentials = self.engine.credentials
        if credentials is not None and not credentials.persistent:
            self.message.hide()
            self.keyring_note.setText(credentials.message or "")
            self.keyring_note.show()
            grow_to_fit(self)
            self.sign_in_button.setText("&Continue")
            self.sign_in_button.setAccessibleName("Continue")
            self.sign_in_button.setFocus()
            return
        self.accept()

    def _failed(self, attempt: int, error: Exception, url: str) -> None:
        if attempt != self._attempt:
            return
        self._set_busy(False)
        self._say(sign_in_problem(error, url))
        self.password.clear()
        self.password.setFocus()

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        grow_to_fit(self)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy.setVisible(busy)
        self.sign_in_button.setEnabled(not busy)
        self.hub.setEnabled(not busy)
        self.username.setEnabled(not busy)
        self.password.setEnabled(not busy)
        if busy:
            self.message.hide()

    def reject(self) -> None:
        self._attempt += 1  # an answer still on its way is ignored
        super().reject()
