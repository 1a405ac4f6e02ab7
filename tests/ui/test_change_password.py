"""File → Change password…: the dialog against the real hub on loopback (embedded SQLite)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from bhcp_ag.hub.demo_users import DEMO_PASSWORD
from bhcp_ag.sync.engine import SyncEngine
from bhcp_ag.sync.errors import SignedOut
from bhcp_ag.ui.change_password import DIFFERENT, ChangePasswordDialog
from bhcp_ag.ui.sync_worker import TaskRunner
from tests.integration.conftest import CLIENT_HEADERS
from tests.ui import test_sign_in as sign_in_tests

# The real hub's fixtures on the embedded database, and a client for it, as the sign-in
# dialog's tests have them.
sqlite_template = sign_in_tests.sqlite_template
sqlite_url = sign_in_tests.sqlite_url
hub_clock = sign_in_tests.hub_clock
hub_settings = sign_in_tests.hub_settings
hub_server = sign_in_tests.hub_server
hub_database_url = sign_in_tests.hub_database_url
make_engine = sign_in_tests.make_engine

NEW_PASSWORD = "kettle-orchid-walrus-9"


def _dialog(qtbot: QtBot, engine: SyncEngine) -> ChangePasswordDialog:
    dialog = ChangePasswordDialog(None, engine=engine, tasks=TaskRunner())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _type(dialog: ChangePasswordDialog, current: str, new: str, repeat: str | None = None) -> None:
    dialog.current.setText(current)
    dialog.new.setText(new)
    dialog.repeat.setText(new if repeat is None else repeat)
    dialog.change_button.click()


def _refused(qtbot: QtBot, dialog: ChangePasswordDialog) -> str:
    qtbot.waitUntil(lambda: not dialog.busy and dialog.message.isVisible(), timeout=10_000)
    assert dialog.isVisible()
    return dialog.message.text()


def test_refusals_are_said_in_the_dialog(
    qtbot: QtBot, hub_server: str, make_engine: Callable[[str], SyncEngine]
) -> None:
    engine = make_engine(hub_server)
    engine.sign_in("demo.gp", DEMO_PASSWORD)
    dialog = _dialog(qtbot, engine)
    _type(dialog, DEMO_PASSWORD, NEW_PASSWORD, "something else entirely")
    assert dialog.message.text() == DIFFERENT and not dialog.busy  # nothing sent
    _type(dialog, "not-the-password", NEW_PASSWORD)
    assert _refused(qtbot, dialog) == "Your current password is not right; nothing was changed."
    assert dialog.current.text() == "" and dialog.current.hasFocus()
    _type(dialog, DEMO_PASSWORD, "password1234")
    assert _refused(qtbot, dialog).startswith("This password is too easy to guess.")
    assert dialog.new.text() == "password1234"  # kept, to change


def test_a_changed_password_keeps_this_sign_in_and_ends_the_others(
    qtbot: QtBot, hub_server: str, make_engine: Callable[[str], SyncEngine]
) -> None:
    here = make_engine(hub_server)
    here.sign_in("demo.gp", DEMO_PASSWORD)
    elsewhere = make_engine(hub_server)
    elsewhere.sign_in("demo.gp", DEMO_PASSWORD)
    dialog = _dialog(qtbot, here)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        _type(dialog, DEMO_PASSWORD, NEW_PASSWORD)
    assert here.client.me().username == "demo.gp"
    with pytest.raises(SignedOut):  # the hub ended the other computer's sign-in
        elsewhere.client.me()
    answer = requests.post(
        f"{hub_server}/api/v1/session",
        json={"username": "demo.gp", "password": NEW_PASSWORD},
        headers=CLIENT_HEADERS,
        timeout=10,
    )
    assert answer.status_code == 200


def test_return_after_a_refusal_changes_the_password_not_cancels(
    qtbot: QtBot, hub_server: str, make_engine: Callable[[str], SyncEngine]
) -> None:
    engine = make_engine(hub_server)
    engine.sign_in("demo.gp", DEMO_PASSWORD)
    dialog = _dialog(qtbot, engine)
    _type(dialog, DEMO_PASSWORD, "password1234")  # too common: refused at the hub
    assert "too easy to guess" in _refused(qtbot, dialog)
    for field in (dialog.new, dialog.repeat):
        field.setText(NEW_PASSWORD)
    dialog.repeat.setFocus()
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.keyClick(dialog.repeat, Qt.Key.Key_Return)  # as a person finishes typing
    changed = requests.post(
        f"{hub_server}/api/v1/session",
        json={"username": "demo.gp", "password": NEW_PASSWORD},
        headers=CLIENT_HEADERS,
        timeout=10,
    )
    assert changed.status_code == 200
