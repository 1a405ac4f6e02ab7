"""The sign-in dialog against the real hub on loopback (embedded SQLite database).

The hub fixtures come from ``tests/integration/conftest.py`` (imported here, since
``tests/ui`` does not see that folder's conftest), on the embedded database only: these
tests are about the dialog, the hub's backends are covered there.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest
from keyring.backends import fail
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit, QProgressBar
from pytestqt.qtbot import QtBot

from bhcp_ag.hub.demo_users import DEMO_PASSWORD
from bhcp_ag.services.workspace import load_user
from bhcp_ag.store.db import Store
from bhcp_ag.sync.client import HubClient, retry_policy
from bhcp_ag.sync.credentials import NO_KEYRING_MESSAGE, TokenStore
from bhcp_ag.sync.engine import SyncEngine
from bhcp_ag.ui.sign_in import EMBEDDED_NOTE, WRONG_PASSWORD, SignInDialog
from tests.integration import conftest as integration

# The real hub's fixtures, shared with tests/integration (a conftest there is not seen here).
sqlite_template = integration.sqlite_template
sqlite_url = integration.sqlite_url
hub_clock = integration.hub_clock
hub_settings = integration.hub_settings
hub_server = integration.hub_server


@pytest.fixture
def hub_database_url(sqlite_url: str) -> str:
    """The embedded database only: the dialog does not care which database the hub has."""
    return sqlite_url


@pytest.fixture
def make_engine(seeded_store: Store) -> Iterator[Callable[[str], SyncEngine]]:
    """``make_engine(url)``: a real client and engine; tokens in memory (no keyring here)."""
    made: list[tuple[HubClient, TokenStore]] = []

    def make(url: str) -> SyncEngine:
        tokens = TokenStore(url, backend=fail.Keyring())
        client = HubClient(url, credentials=tokens, timeout=(2, 10), retry=retry_policy(0))
        made.append((client, tokens))
        return SyncEngine(seeded_store, client, tokens)

    yield make
    for client, tokens in made:
        client.close()
        tokens.close()


def open_dialog(qtbot: QtBot, url: str, engine: SyncEngine, username: str | None) -> SignInDialog:
    dialog = SignInDialog(
        None, hub_url=url, engine=engine, remembered_username=username, embedded=True
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def sign_in(qtbot: QtBot, dialog: SignInDialog, username: str, password: str) -> None:
    dialog.username.setText(username)
    dialog.password.clear()
    qtbot.keyClicks(dialog.password, password)
    dialog.sign_in_button.click()
    assert not dialog.sign_in_button.isEnabled()  # disabled at once, until the hub answers
    assert dialog.busy.isVisible() and dialog.signing_in
    qtbot.waitUntil(lambda: not dialog.signing_in, timeout=10_000)
    assert not dialog.busy.isVisible()


def shown_dialog() -> SignInDialog:
    """The sign-in dialog that :meth:`SignInDialog.ask` is showing."""
    return next(w for w in QApplication.topLevelWidgets() if isinstance(w, SignInDialog))


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_wrong_password_is_said_inline_and_the_username_kept(
    qtbot: QtBot, hub_server: str, make_engine: Callable[[str], SyncEngine]
) -> None:
    dialog = open_dialog(qtbot, hub_server, make_engine(hub_server), "demo.gp")
    qtbot.waitUntil(dialog.password.hasFocus)  # the username is remembered
    sign_in(qtbot, dialog, "demo.gp", "not-the-password")
    assert dialog.isVisible() and dialog.session is None
    assert dialog.message.isVisible() and dialog.message.text() == WRONG_PASSWORD
    assert dialog.username.text() == "demo.gp"
    assert dialog.password.text() == "" and dialog.password.hasFocus()
    assert dialog.sign_in_button.isEnabled()


def test_the_right_password_returns_the_session(
    qtbot: QtBot,
    hub_server: str,
    make_engine: Callable[[str], SyncEngine],
    seeded_store: Store,
) -> None:
    engine = make_engine(hub_server)

    def type_and_sign_in() -> None:
        dialog = shown_dialog()
        qtbot.keyClicks(dialog.password, DEMO_PASSWORD)
        dialog.sign_in_button.click()
        qtbot.waitUntil(lambda: dialog.session is not None, timeout=10_000)
        assert dialog.keyring_note.text() == NO_KEYRING_MESSAGE  # memory only: said so
        dialog.sign_in_button.click()  # "Continue"

    QTimer.singleShot(0, type_and_sign_in)
    session = SignInDialog.ask(
        None, hub_url=hub_server, engine=engine, remembered_username="demo.specialist"
    )
    assert session is not None
    assert session.user.username == "demo.specialist"
    assert engine.client.signed_in
    assert load_user(seeded_store, "demo.specialist").specialty_codes == ("330", "410")


def test_a_hub_that_is_down_is_said_in_plain_words(
    qtbot: QtBot, make_engine: Callable[[str], SyncEngine]
) -> None:
    url = f"http://127.0.0.1:{unused_port()}"
    dialog = open_dialog(qtbot, url, make_engine(url), None)
    qtbot.waitUntil(dialog.username.hasFocus)
    sign_in(qtbot, dialog, "demo.gp", DEMO_PASSWORD)
    assert dialog.message.text() == (
        f"Can't reach the hub at {url}; check the network or try again."
    )
    assert dialog.username.text() == "demo.gp"


def test_too_many_wrong_passwords_say_how_long_to_wait(
    qtbot: QtBot, hub_server: str, make_engine: Callable[[str], SyncEngine]
) -> None:
    dialog = open_dialog(qtbot, hub_server, make_engine(hub_server), "demo.manager")
    for _ in range(5):  # the hub's limit for one account
        sign_in(qtbot, dialog, "demo.manager", "guess")
        assert dialog.message.text() == WRONG_PASSWORD
    sign_in(qtbot, dialog, "demo.manager", DEMO_PASSWORD)
    assert dialog.message.text().startswith("Too many failed sign-ins for this account.")
    assert "Wait 15 minutes" in dialog.message.text()
    assert dialog.session is None


def test_without_a_keyring_the_dialog_says_the_sign_in_is_not_kept(
    qtbot: QtBot, hub_server: str, make_engine: Callable[[str], SyncEngine]
) -> None:
    dialog = open_dialog(qtbot, hub_server, make_engine(hub_server), "demo.gp")
    sign_in(qtbot, dialog, "demo.gp", DEMO_PASSWORD)
    assert dialog.session is not None
    assert dialog.keyring_note.isVisible()
    assert dialog.keyring_note.text() == NO_KEYRING_MESSAGE
    assert dialog.sign_in_button.text() == "&Continue"
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        dialog.sign_in_button.click()


def test_every_control_has_an_accessible_name_and_the_hub_is_read_only(
    qtbot: QtBot, hub_server: str, make_engine: Callable[[str], SyncEngine]
) -> None:
    dialog = open_dialog(qtbot, hub_server, make_engine(hub_server), None)
    controls = [
        *dialog.findChildren(QLineEdit),
        *dialog.findChildren(QAbstractButton),
        *dialog.findChildren(QProgressBar),
    ]
    assert len(controls) >= 6
    assert all(control.accessibleName() for control in controls)
    assert dialog.hub.isReadOnly() and dialog.hub.text() == hub_server
    assert dialog.hub_note.text() == EMBEDDED_NOTE
    assert dialog.password.echoMode() is QLineEdit.EchoMode.Password


def test_cancel_returns_nothing(qtbot: QtBot, make_engine: Callable[[str], SyncEngine]) -> None:
    url = f"http://127.0.0.1:{unused_port()}"

    QTimer.singleShot(0, lambda: shown_dialog().cancel_button.click())
    engine = make_engine(url)
    assert SignInDialog.ask(None, hub_url=url, engine=engine, remembered_username=None) is None
